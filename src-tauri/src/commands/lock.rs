//! The lock: first-run passcode, unlock, lock now, passcode change, the wipe notice, and the
//! officer's activity (which keeps the idle lock away). These answer while locked; they
//! return no record data. Passcodes are zeroized once used and never logged.

use crate::error::CmdResult;
use crate::state::{AppState, LockView};
use tauri::State;
use zeroize::Zeroizing;

#[tauri::command(async)]
pub fn lock_state(state: State<'_, AppState>) -> CmdResult<LockView> {
    Ok(state.lock_view())
}

#[tauri::command(async)]
pub fn set_up_passcode(state: State<'_, AppState>, passcode: String) -> CmdResult<LockView> {
    let passcode = Zeroizing::new(passcode);
    state.set_up(&passcode)
}

#[tauri::command(async)]
pub fn unlock(state: State<'_, AppState>, passcode: String) -> CmdResult<LockView> {
    let passcode = Zeroizing::new(passcode);
    state.unlock(&passcode)
}

#[tauri::command(async)]
pub fn lock_now(state: State<'_, AppState>) -> CmdResult<LockView> {
    Ok(state.lock_now())
}

#[tauri::command(async)]
pub fn change_passcode(state: State<'_, AppState>, current: String, new_passcode: String) -> CmdResult<bool> {
    let (current, new_passcode) = (Zeroizing::new(current), Zeroizing::new(new_passcode));
    state.change_passcode(&current, &new_passcode)?;
    Ok(true)
}

#[tauri::command(async)]
pub fn acknowledge_wipe(state: State<'_, AppState>) -> CmdResult<LockView> {
    Ok(state.acknowledge_wipe())
}

/// The officer touched or typed (the UI sends this at most every few seconds).
#[tauri::command(async)]
pub fn activity(state: State<'_, AppState>) -> CmdResult<LockView> {
    Ok(state.touch())
}
