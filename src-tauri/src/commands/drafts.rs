//! Capture drafts: kept in the device database so they survive the app being closed.

use crate::error::CmdResult;
use crate::state::AppState;
use liaison_core::store::Draft;
use tauri::State;

#[tauri::command]
pub fn save_draft(state: State<'_, AppState>, key: String, content: String) -> CmdResult<Draft> {
    Ok(state.store().save_draft(&key, &state.officer, &content)?)
}

#[tauri::command]
pub fn load_draft(state: State<'_, AppState>, key: String) -> CmdResult<Option<Draft>> {
    Ok(state.store().draft(&key)?)
}

#[tauri::command]
pub fn discard_draft(state: State<'_, AppState>, key: String) -> CmdResult<bool> {
    Ok(state.store().discard_draft(&key)?)
}
