//! Record detail: the current state and the full revision history, each revision shown as
//! what changed (field, before, after), who changed it, when and why — as in a pocket notebook.

use super::kind_label;
use crate::audit::Access;
use crate::records::{OfficerId, RecordId};
use crate::store::{CurrentRecord, Result, Revision, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One field that differs between a revision and its parent. Paths are the record's JSON
/// paths (`body.status`, `body.conditions[1]`), the same names validation errors use.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RevisionView {
    pub revision_id: uuid::Uuid,
    pub author: OfficerId,
    pub recorded_at: DateTime<Utc>,
    /// None for the first revision (the record's creation).
    pub reason: Option<String>,
    pub changes: Vec<FieldChange>,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RecordDetail {
    pub current: CurrentRecord,
    pub kind_label: String,
    /// Oldest first.
    pub history: Vec<RevisionView>,
    /// Present while the record was edited on two devices at once and not yet resolved.
    pub conflict: Option<Conflict>,
    /// This device's changes to the record that the force server refused, not yet corrected:
    /// the next edit is the correction, and goes in their place.
    pub refusals: Vec<Refusal>,
}

/// Concurrent edits of one record, side by side: every head, the shown one first.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Conflict {
    pub versions: Vec<ConflictVersion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ConflictVersion {
    pub revision_id: uuid::Uuid,
    pub author: OfficerId,
    pub recorded_at: DateTime<Utc>,
    pub reason: Option<String>,
    /// The version every device shows until it is resolved (the highest clock wins).
    pub shown: bool,
    /// How this version differs from the shown one (`before`: shown, `after`: this one).
    pub differences: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Refusal {
    pub revision_id: uuid::Uuid,
    /// A stable code (`invalid`, `not_assigned`, `clock_ahead`…).
    pub reason: String,
    pub message: String,
    pub at: DateTime<Utc>,
}

/// Reads a record and its history. For personal data the access (with its purpose) is logged
/// by the store before anything is returned.
pub fn record_detail(store: &Store, access: &Access, id: RecordId) -> Result<RecordDetail> {
    let current = store.get(id, access)?;
    let revisions = store.history(id, access)?;
    let conflict = if current.open_heads > 1 {
        conflict(&revisions, &store.heads(id)?, current.revision_id)
    } else {
        None
    };
    let refusals = store
        .refusals(id)?
        .into_iter()
        .map(|q| Refusal {
            revision_id: q.revision_id,
            reason: q.reason,
            message: q.message,
            at: q.at,
        })
        .collect();
    Ok(RecordDetail {
        kind_label: kind_label(current.kind).to_string(),
        history: views(&revisions),
        current,
        conflict,
        refusals,
    })
}

fn conflict(revisions: &[Revision], heads: &[uuid::Uuid], shown: uuid::Uuid) -> Option<Conflict> {
    let shown_rev = revisions.iter().find(|r| r.id == shown)?;
    let mut versions: Vec<ConflictVersion> = revisions
        .iter()
        .filter(|r| heads.contains(&r.id))
        .map(|r| ConflictVersion {
            revision_id: r.id,
            author: r.author.clone(),
            recorded_at: r.recorded_at,
            reason: r.reason.clone(),
            shown: r.id == shown,
            differences: changes(&shown_rev.body, &r.body),
        })
        .collect();
    versions.sort_by_key(|v| !v.shown);
    (versions.len() > 1).then_some(Conflict { versions })
}

/// Resolves a conflict by keeping one version: a merge revision naming both.
pub fn merge_versions(
    store: &mut Store,
    officer: &OfficerId,
    id: RecordId,
    keep: uuid::Uuid,
    other: uuid::Uuid,
    reason: &str,
) -> Result<crate::store::Saved> {
    store.merge(officer, id, keep, other, reason)
}

fn views(revisions: &[Revision]) -> Vec<RevisionView> {
    let by_id: BTreeMap<uuid::Uuid, &Revision> = revisions.iter().map(|r| (r.id, r)).collect();
    revisions
        .iter()
        .map(|r| {
            let changes = match r.parent.and_then(|p| by_id.get(&p)) {
                Some(parent) => changes(&parent.body, &r.body),
                None => Vec::new(),
            };
            RevisionView {
                revision_id: r.id,
                author: r.author.clone(),
                recorded_at: r.recorded_at,
                reason: r.reason.clone(),
                changes,
                hash: r.hash.to_hex(),
            }
        })
        .collect()
}

/// The fields that differ between two records, in path order.
pub(crate) fn changes<T: Serialize>(before: &T, after: &T) -> Vec<FieldChange> {
    let mut a = BTreeMap::new();
    let mut b = BTreeMap::new();
    flatten("", &serde_json::to_value(before).unwrap_or(Value::Null), &mut a);
    flatten("", &serde_json::to_value(after).unwrap_or(Value::Null), &mut b);
    let mut fields: Vec<&String> = a.keys().chain(b.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| a.get(*f) != b.get(*f))
        .map(|f| FieldChange {
            field: f.clone(),
            before: a.get(f).cloned(),
            after: b.get(f).cloned(),
        })
        .collect()
}

fn flatten(path: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(&p, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), v, out);
            }
        }
        // An empty value and an absent one read the same to an officer.
        Value::Null => {}
        Value::String(s) if s.is_empty() => {}
        Value::String(s) => {
            out.insert(path.to_string(), s.clone());
        }
        other => {
            out.insert(path.to_string(), other.to_string());
        }
    }
}
