//! Operations list, operation home, tension chart, capture defaults, status strip, vocabulary.

use crate::error::CmdResult;
use crate::state::AppState;
use liaison_core::service::{self, AppStatus, CaptureDefaults, OperationHome, TensionSeries, Vocabulary};
use liaison_core::store::RecordSummary;
use liaison_core::RecordId;
use tauri::State;

#[tauri::command(async)]
pub fn status(state: State<'_, AppState>) -> CmdResult<AppStatus> {
    let live = state
        .sync
        .as_ref()
        .and_then(|s| s.status().ok())
        .and_then(|s| s.progress);
    Ok(service::status(&state.store(), &state.officer, live)?)
}

/// "Sync now": false when this device is not enrolled with a force server.
#[tauri::command(async)]
pub fn sync_now(state: State<'_, AppState>) -> CmdResult<bool> {
    Ok(match &state.sync {
        Some(s) => {
            s.trigger_now();
            true
        }
        None => false,
    })
}

/// The webview saw the network come back: sync at once instead of waiting out a backoff.
#[tauri::command(async)]
pub fn coverage_returned(state: State<'_, AppState>) -> CmdResult<bool> {
    Ok(match &state.sync {
        Some(s) => {
            s.coverage_returned();
            true
        }
        None => false,
    })
}

#[tauri::command(async)]
pub fn vocabulary(_state: State<'_, AppState>) -> CmdResult<Vocabulary> {
    Ok(service::vocabulary())
}

#[tauri::command(async)]
pub fn operations(state: State<'_, AppState>) -> CmdResult<Vec<RecordSummary>> {
    Ok(service::operations(&state.store())?)
}

#[tauri::command(async)]
pub fn resume_operation(state: State<'_, AppState>) -> CmdResult<Option<RecordId>> {
    Ok(service::resume_operation(&state.store(), &state.officer)?)
}

#[tauri::command(async)]
pub fn operation_home(state: State<'_, AppState>, operation_id: RecordId) -> CmdResult<OperationHome> {
    Ok(service::operation_home(&state.store(), &state.officer, operation_id)?)
}

#[tauri::command(async)]
pub fn tension_series(state: State<'_, AppState>, operation_id: RecordId) -> CmdResult<TensionSeries> {
    Ok(service::tension_series(&state.store(), &state.officer, operation_id)?)
}

#[tauri::command(async)]
pub fn capture_defaults(state: State<'_, AppState>, operation_id: RecordId) -> CmdResult<CaptureDefaults> {
    Ok(service::capture_defaults(&state.store(), &state.officer, operation_id)?)
}
