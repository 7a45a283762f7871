//! Timeline, search, directory, record detail, and saving records (create, edit with reason).

use crate::error::CmdResult;
use crate::state::AppState;
use liaison_core::records::IntelligenceSubmission;
use liaison_core::service::{self, RecordDetail, TimelinePage, TimelineQuery};
use liaison_core::store::{RecordSummary, Saved, SearchHit, SearchQuery};
use liaison_core::{Access, Record, RecordId};
use tauri::State;
use uuid::Uuid;

#[tauri::command(async)]
pub fn timeline(state: State<'_, AppState>, query: TimelineQuery) -> CmdResult<TimelinePage> {
    state.with_store(|s| service::timeline(s, &query))
}

#[tauri::command(async)]
pub fn search(state: State<'_, AppState>, query: SearchQuery) -> CmdResult<Vec<SearchHit>> {
    state.with_store(|s| service::search(s, &query))
}

#[tauri::command(async)]
pub fn directory(state: State<'_, AppState>) -> CmdResult<Vec<RecordSummary>> {
    state.with_store(|s| service::directory(s))
}

/// Records that a directory entry is still current (who and when, in the chain).
#[tauri::command(async)]
pub fn confirm_directory_entry(state: State<'_, AppState>, record_id: RecordId) -> CmdResult<Saved> {
    state.as_officer(|s, officer| service::confirm_directory_entry(s, officer, record_id))
}

#[tauri::command(async)]
pub fn record_detail(
    state: State<'_, AppState>,
    record_id: RecordId,
    purpose: Option<String>,
) -> CmdResult<RecordDetail> {
    state.as_officer(|s, officer| {
        let access = Access {
            officer: officer.clone(),
            purpose: purpose.unwrap_or_default(),
        };
        service::record_detail(s, &access, record_id)
    })
}

#[tauri::command(async)]
pub fn create_record(state: State<'_, AppState>, record: Record, draft: Option<String>) -> CmdResult<Saved> {
    let urgent = record.kind().is_urgent();
    let saved = state.as_officer(|s, officer| service::create_record(s, officer, record, draft.as_deref()))?;
    sync_if_urgent(&state, urgent);
    Ok(saved)
}

/// An escalation or a rumour goes at once, not at the next scheduled sync (every minute by
/// default): the supervisor's alert waits for it. Without coverage the scheduler keeps it
/// first in the queue for when there is.
fn sync_if_urgent(state: &AppState, urgent: bool) {
    if urgent {
        state.session.with_sync(|s| s.trigger_now());
    }
}

#[tauri::command(async)]
pub fn edit_record(
    state: State<'_, AppState>,
    record_id: RecordId,
    record: Record,
    reason: String,
    draft: Option<String>,
) -> CmdResult<Saved> {
    let urgent = record.kind().is_urgent();
    let saved = state
        .as_officer(|s, officer| service::edit_record(s, officer, record_id, record, &reason, draft.as_deref()))?;
    sync_if_urgent(&state, urgent);
    Ok(saved)
}

/// Resolves a record edited on two devices at once by keeping one version: a merge revision
/// that names both, so every device ends with one version.
#[tauri::command(async)]
pub fn merge_versions(
    state: State<'_, AppState>,
    record_id: RecordId,
    keep: Uuid,
    other: Uuid,
    reason: String,
) -> CmdResult<Saved> {
    state.as_officer(|s, officer| service::merge_versions(s, officer, record_id, keep, other, &reason))
}

/// The intelligence submission a contact note suggests, for the officer to edit.
#[tauri::command(async)]
pub fn intelligence_draft_from_note(
    state: State<'_, AppState>,
    note_id: RecordId,
) -> CmdResult<IntelligenceSubmission> {
    state.as_officer(|s, officer| service::intelligence_draft_from_note(s, officer, note_id))
}

/// Submits what was heard in an engagement as intelligence: a new record linked to the note,
/// with the officer's reason, audited on the note.
#[tauri::command(async)]
pub fn submit_note_as_intelligence(
    state: State<'_, AppState>,
    note_id: RecordId,
    submission: IntelligenceSubmission,
    reason: String,
) -> CmdResult<Saved> {
    state.as_officer(|s, officer| service::submit_note_as_intelligence(s, officer, note_id, submission, &reason))
}
