//! The first screens and the lock: the enrolment string (checked, then sent to the force
//! server once the passcode is set), first-run passcode, unlock, lock now, passcode change,
//! the wipe notice, and the officer's activity (which keeps the idle lock away). These answer
//! while locked; they return no record data. Passcodes and enrolment strings are zeroized once
//! used and never logged. The passcode is taken only in a window that has never shown records
//! (`crate::screen`).

use crate::error::{AppError, CmdResult};
use crate::screen::StaleWindow;
use crate::state::AppState;
use liaison_core::crypto::VaultError;
use liaison_core::service::{self, EnrolmentCheck, LockView, SessionError};
use tauri::State;
use zeroize::Zeroizing;

#[tauri::command(async)]
pub fn lock_state(state: State<'_, AppState>) -> CmdResult<LockView> {
    Ok(state.session.lock_view())
}

/// Checks an enrolment string as typed, so a mistake shows beside the field before the
/// passcode is asked for.
#[tauri::command(async)]
pub fn check_enrolment(_state: State<'_, AppState>, enrolment: String) -> CmdResult<EnrolmentCheck> {
    let enrolment = Zeroizing::new(enrolment);
    service::check_enrolment(&enrolment).map_err(|e| SessionError::from(e).into())
}

/// The enrolment string to fill in on the first screen (demo and tests only), if any.
#[tauri::command(async)]
pub fn enrolment_prefill(state: State<'_, AppState>) -> CmdResult<Option<String>> {
    Ok(state.enrolment_prefill())
}

#[tauri::command(async)]
pub fn set_up_passcode(state: State<'_, AppState>, passcode: String, enrolment: String) -> CmdResult<LockView> {
    let (passcode, enrolment) = (Zeroizing::new(passcode), Zeroizing::new(enrolment));
    let opened = state
        .screen
        .unlock(|| state.session.set_up(&passcode, &enrolment))
        .map_err(stale)?;
    Ok(opened?)
}

/// Asks the force server to enrol this tablet (again, after no coverage; or with a new string
/// after a refusal). The answer shows in the lock state when it comes.
#[tauri::command(async)]
pub fn enrol(state: State<'_, AppState>, replacement: Option<String>) -> CmdResult<LockView> {
    let replacement = replacement.map(Zeroizing::new);
    Ok(state
        .session
        .start_enrolment(replacement.as_deref().map(|s| s.as_str()))?)
}

#[tauri::command(async)]
pub fn unlock(state: State<'_, AppState>, passcode: String) -> CmdResult<LockView> {
    let passcode = Zeroizing::new(passcode);
    let opened = state.screen.unlock(|| state.session.unlock(&passcode)).map_err(stale)?;
    Ok(opened?)
}

/// Locks, and replaces the window that showed records by a fresh one (`crate::screen`).
#[tauri::command(async)]
pub fn lock_now(state: State<'_, AppState>) -> CmdResult<LockView> {
    let view = state.session.lock_now();
    state.screen.watch(|| state.session.is_unlocked());
    Ok(view)
}

/// A window that showed records asked to unlock: it is being replaced, and says "locked" until
/// then (the fresh window asks for the passcode).
fn stale(_: StaleWindow) -> AppError {
    SessionError::from(VaultError::Locked).into()
}

#[tauri::command(async)]
pub fn change_passcode(state: State<'_, AppState>, current: String, new_passcode: String) -> CmdResult<bool> {
    let (current, new_passcode) = (Zeroizing::new(current), Zeroizing::new(new_passcode));
    state.session.change_passcode(&current, &new_passcode)?;
    Ok(true)
}

#[tauri::command(async)]
pub fn acknowledge_wipe(state: State<'_, AppState>) -> CmdResult<LockView> {
    Ok(state.session.acknowledge_wipe())
}

/// The officer touched or typed (the UI sends this at most every few seconds).
#[tauri::command(async)]
pub fn activity(state: State<'_, AppState>) -> CmdResult<LockView> {
    Ok(state.session.touch())
}
