//! JSON with the full revision history: every revision of every record of the subject,
//! exactly as the server holds it (id, record, parent, merged head, kind, author, device and
//! its sequence number, clocks, reason, the record, the previous hash and the hash), with the
//! server's log position and receipt time. Anyone can recompute each hash from the file
//! (`Revision::hash_is_valid`, as `liaison-server verify` does) and check each device's links
//! where consecutive revisions are present. Written as the pages are read.

use super::{each_revision, Subject};
use crate::storage::{Storage, StorageError};
use chrono::{DateTime, Utc};
use liaison_core::Revision;
use serde::Serialize;
use std::collections::HashSet;
use uuid::Uuid;

/// The file's first fields: what was exported, when, by whom and why.
#[derive(Debug, Clone, Serialize)]
pub struct About<'a> {
    pub kind: &'a str,
    pub id: Option<Uuid>,
    pub name: &'a str,
    pub exported_at: DateTime<Utc>,
    pub exported_by: &'a str,
    pub purpose: &'a str,
}

/// One revision in the file.
#[derive(Serialize)]
struct Entry<'a> {
    /// The server's log position (the pull order).
    position: i64,
    received_at: DateTime<Utc>,
    revision: &'a Revision,
}

/// The format's name, first in the file.
pub const FORMAT: &str = "liaison-revisions-v1";

/// The file, the records it covers and its revisions.
pub fn write(s: &dyn Storage, subject: Subject, about: &About<'_>) -> Result<(Vec<u8>, usize, usize), StorageError> {
    let mut out = Vec::with_capacity(64 * 1024);
    out.extend_from_slice(format!("{{\"format\":\"{FORMAT}\",\"subject\":").as_bytes());
    serde_json::to_writer(&mut out, about).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    out.extend_from_slice(b",\"revisions\":[");
    let mut records = HashSet::new();
    let mut revisions = 0usize;
    let mut failed = None;
    each_revision(s, subject, |l| {
        if revisions > 0 {
            out.push(b',');
        }
        revisions += 1;
        records.insert(l.revision.record_id);
        let entry = Entry {
            position: l.position,
            received_at: l.received_at,
            revision: &l.revision,
        };
        if let Err(e) = serde_json::to_writer(&mut out, &entry) {
            failed.get_or_insert(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(StorageError::Corrupt(e.to_string()));
    }
    out.extend_from_slice(format!("],\"record_count\":{},\"revision_count\":{revisions}}}", records.len()).as_bytes());
    Ok((out, records.len(), revisions))
}
