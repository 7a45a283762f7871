//! Neighbourhood mode: tasking with the PCSO deployment check, abstractions, referrals.

use crate::error::CmdResult;
use crate::state::AppState;
use liaison_core::records::{self, DeploymentCheck, IncidentType};
use liaison_core::service::{self, Neighbourhood};
use tauri::State;

#[tauri::command(async)]
pub fn neighbourhood(state: State<'_, AppState>) -> CmdResult<Neighbourhood> {
    state.with_store(|s| service::neighbourhood(s))
}

#[tauri::command(async)]
pub fn deployment_check(_state: State<'_, AppState>, incident: IncidentType) -> CmdResult<DeploymentCheck> {
    Ok(records::deployment_check(incident))
}
