//! Capture: saving a record from its form, the form's draft, and search. A save consumes its
//! draft in the same transaction, so a record is never saved with its draft left behind (to be
//! saved twice) nor a draft lost without its record.

use crate::records::{OfficerId, Record, RecordId};
use crate::store::{Draft, Result, Saved, SearchHit, SearchQuery, Store};

/// Saves a new record, discarding the form's draft (`draft`) with it.
pub fn create_record(store: &mut Store, officer: &OfficerId, record: Record, draft: Option<&str>) -> Result<Saved> {
    store.create_from_draft(officer, record, draft)
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
