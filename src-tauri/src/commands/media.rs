//! Photos, audio notes and screenshots: attached from the capture screens, shown on records.
//! The bytes cross the IPC as base64 (a JSON string; `data:` URLs on the screen side).

use crate::error::CmdResult;
use crate::state::AppState;
use liaison_core::service::{self, Attached, NewAttachment};
use tauri::State;

#[tauri::command(async)]
pub fn attach_file(
    state: State<'_, AppState>,
    attachment: NewAttachment,
    file: String,
    thumbnail: Option<String>,
) -> CmdResult<Attached> {
    state.with_store(|s| service::attach_encoded(s, &attachment, &file, thumbnail.as_deref()))
}

/// A file a record names, as base64: from the tablet's store, or a colleague's fetched from
/// the force server on first opening.
#[tauri::command(async)]
pub fn media_file(state: State<'_, AppState>, sha256: String) -> CmdResult<String> {
    let bytes = state.session.media_file(&sha256)?;
    Ok(service::base64(&bytes))
}
