//! Operations list, operation home, tension chart, capture defaults, status strip, vocabulary.

use crate::error::CmdResult;
use crate::state::AppState;
use liaison_core::service::{self, AppStatus, CaptureDefaults, OperationHome, SavedReport, TensionSeries, Vocabulary};
use liaison_core::store::RecordSummary;
use liaison_core::RecordId;
use tauri::State;

/// The status strip. Polled, so it does not count as the officer's activity.
#[tauri::command(async)]
pub fn status(state: State<'_, AppState>) -> CmdResult<AppStatus> {
    let live = state
        .session
        .with_sync(|s| s.status().ok().and_then(|s| s.progress))
        .flatten();
    let officer = state.session.officer()?;
    state.peek_store(|s| service::status(s, &officer, live))
}

/// "Sync now": false when sync is not running (not enrolled, or locked).
#[tauri::command(async)]
pub fn sync_now(state: State<'_, AppState>) -> CmdResult<bool> {
    Ok(state.session.with_sync(|s| s.trigger_now()).is_some())
}

/// The webview saw the network come back: sync at once instead of waiting out a backoff.
#[tauri::command(async)]
pub fn coverage_returned(state: State<'_, AppState>) -> CmdResult<bool> {
    Ok(state.session.with_sync(|s| s.coverage_returned()).is_some())
}

#[tauri::command(async)]
pub fn vocabulary(_state: State<'_, AppState>) -> CmdResult<Vocabulary> {
    Ok(service::vocabulary())
}

#[tauri::command(async)]
pub fn operations(state: State<'_, AppState>) -> CmdResult<Vec<RecordSummary>> {
    state.with_store(|s| service::operations(s))
}

#[tauri::command(async)]
pub fn resume_operation(state: State<'_, AppState>) -> CmdResult<Option<RecordId>> {
    state.as_officer(|s, officer| service::resume_operation(s, officer))
}

#[tauri::command(async)]
pub fn operation_home(state: State<'_, AppState>, operation_id: RecordId) -> CmdResult<OperationHome> {
    state.as_officer(|s, officer| service::operation_home(s, officer, operation_id))
}

#[tauri::command(async)]
pub fn tension_series(state: State<'_, AppState>, operation_id: RecordId) -> CmdResult<TensionSeries> {
    state.as_officer(|s, officer| service::tension_series(s, officer, operation_id))
}

#[tauri::command(async)]
pub fn capture_defaults(state: State<'_, AppState>, operation_id: RecordId) -> CmdResult<CaptureDefaults> {
    state.as_officer(|s, officer| service::capture_defaults(s, officer, operation_id))
}

/// The operation's debrief as PDF, made on this tablet from what it holds (no network needed),
/// saved beside the database; a logged disclosure, so it needs a purpose.
#[tauri::command(async)]
pub fn debrief_pdf(state: State<'_, AppState>, operation_id: RecordId, purpose: String) -> CmdResult<SavedReport> {
    state.as_officer(|s, officer| service::save_debrief(s, officer, operation_id, &purpose, chrono::Utc::now()))
}
