//! The operation's map: its sectors by tension and its located records, and whether the tablet
//! holds a force's own map tiles (served to the webview by the `maptiles:` scheme, [`crate::tiles`]).

use crate::error::CmdResult;
use crate::state::AppState;
use liaison_core::service::{self, OperationMap};
use liaison_core::tiles::ForceMap;
use liaison_core::RecordId;
use tauri::State;

#[tauri::command(async)]
pub fn operation_map(state: State<'_, AppState>, operation_id: RecordId) -> CmdResult<OperationMap> {
    state.as_officer(|s, officer| service::operation_map(s, officer, operation_id))
}

/// Looks in the maps folder again each time the map opens: force IT may have added or
/// replaced the file since. A refused file is an answer, not an error: the map shows the
/// bundled basemap and says why.
#[tauri::command(async)]
pub fn force_map(state: State<'_, AppState>) -> CmdResult<ForceMap> {
    Ok(state.tiles.status())
}
