//! Rumour board and negotiation tracker: lifecycle moves, rumour control, compliance.

use crate::error::CmdResult;
use crate::state::AppState;
use liaison_core::records::{Compliance, RumourStatus};
use liaison_core::service::{self, NegotiationCard, RumourCard};
use liaison_core::store::Saved;
use liaison_core::RecordId;
use tauri::State;

#[tauri::command(async)]
pub fn rumour_board(state: State<'_, AppState>, operation_id: RecordId) -> CmdResult<Vec<RumourCard>> {
    state.with_store(|s| service::rumour_board(s, operation_id))
}

#[tauri::command(async)]
pub fn set_rumour_status(
    state: State<'_, AppState>,
    record_id: RecordId,
    status: RumourStatus,
    findings: Option<String>,
) -> CmdResult<Saved> {
    state.as_officer(|s, officer| service::set_rumour_status(s, officer, record_id, status, findings))
}

#[tauri::command(async)]
pub fn add_rumour_control(
    state: State<'_, AppState>,
    record_id: RecordId,
    told: String,
    message: String,
) -> CmdResult<Saved> {
    state.as_officer(|s, officer| service::add_rumour_control(s, officer, record_id, told, message))
}

#[tauri::command(async)]
pub fn negotiations(state: State<'_, AppState>, operation_id: RecordId) -> CmdResult<Vec<NegotiationCard>> {
    state.with_store(|s| service::negotiations(s, operation_id))
}

#[tauri::command(async)]
pub fn record_compliance(
    state: State<'_, AppState>,
    record_id: RecordId,
    compliance: Compliance,
    note: String,
) -> CmdResult<Saved> {
    state.as_officer(|s, officer| service::record_compliance(s, officer, record_id, compliance, note))
}
