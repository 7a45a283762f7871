//! Capture: saving a record from its form, the form's draft, and search. A save consumes its
//! draft in the same transaction, so a record is never saved with its draft left behind (to be
//! saved twice) nor a draft lost without its record.

use crate::records::{check_assignment, Body, OfficerId, Record, RecordId};
use crate::store::{Draft, Result, Saved, SearchHit, SearchQuery, Store};

/// Saves a new record, discarding the form's draft (`draft`) with it.
pub fn create_record(store: &mut Store, officer: &OfficerId, record: Record, draft: Option<&str>) -> Result<Saved> {
    check_tasking(&record, None)?;
    super::media::check_held(store, &record, None)?;
    store.create_from_draft(officer, record, draft)
}

/// The deployment check of policy 2.8.3 on a tasking made on this tablet, or re-typed here (its
/// incident type or override changed). The tablet does not know its officer's role: its
/// tasking is neighbourhood work, which is a PCSO's, so it is checked as a PCSO's. An edit that
/// only sets status and result is not checked again: the check ran when the task was given,
/// in the console against the directory's role of the officer given it.
fn check_tasking(record: &Record, previous: Option<&Record>) -> Result<()> {
    let Body::Tasking(t) = &record.body else {
        return Ok(());
    };
    let retyped = match previous.map(|p| &p.body) {
        Some(Body::Tasking(old)) => old.incident_type != t.incident_type || old.override_reason != t.override_reason,
        _ => true,
    };
    if retyped {
        check_assignment(t, true)?;
    }
    Ok(())
}

/// Saves an edit with its reason, discarding the form's draft (`draft`) with it.
pub fn edit_record(
    store: &mut Store,
    officer: &OfficerId,
    record_id: RecordId,
    record: Record,
    reason: &str,
    draft: Option<&str>,
) -> Result<Saved> {
    if matches!(record.body, Body::Tasking(_)) {
        // A tasking is never personal data: reading it is not a consultation to log.
        let access = crate::Access {
            officer: officer.clone(),
            purpose: String::new(),
        };
        let previous = store.get(record_id, &access)?;
        check_tasking(&record, Some(&previous.record))?;
    }
    if !record.attachments.is_empty() {
        // The version edited, read as the store reads it for the edit (no consultation).
        let previous = store.current_body(record_id)?;
        super::media::check_held(store, &record, Some(&previous))?;
    }
    let mut record = record;
    super::intelligence::prepare_edit(store, officer, record_id, &mut record, reason)?;
    store.edit_from_draft(officer, record_id, record, reason, draft)
}

pub fn save_draft(store: &Store, key: &str, officer: &OfficerId, content: &str) -> Result<Draft> {
    store.save_draft(key, officer, content)
}

pub fn draft(store: &Store, key: &str) -> Result<Option<Draft>> {
    store.draft(key)
}

/// The officer discarded the form's changes.
pub fn discard_draft(store: &Store, key: &str) -> Result<bool> {
    store.discard_draft(key)
}

pub fn search(store: &Store, query: &SearchQuery) -> Result<Vec<SearchHit>> {
    store.search(query)
}
