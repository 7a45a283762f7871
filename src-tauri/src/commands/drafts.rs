//! Capture drafts: kept in the device database so they survive the app being closed.

use crate::error::CmdResult;
use crate::state::AppState;
use liaison_core::service;
use liaison_core::store::Draft;
use tauri::State;

#[tauri::command(async)]
pub fn save_draft(state: State<'_, AppState>, key: String, content: String) -> CmdResult<Draft> {
    state.as_officer(|s, officer| service::save_draft(s, &key, officer, &content))
}

#[tauri::command(async)]
pub fn load_draft(state: State<'_, AppState>, key: String) -> CmdResult<Option<Draft>> {
    state.with_store(|s| service::draft(s, &key))
}

#[tauri::command(async)]
pub fn discard_draft(state: State<'_, AppState>, key: String) -> CmdResult<bool> {
    state.with_store(|s| service::discard_draft(s, &key))
}
