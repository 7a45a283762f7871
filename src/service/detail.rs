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
}

/// Reads a record and its history. For personal data the access (with its purpose) is logged
/// by the store before anything is returned.
pub fn record_detail(store: &Store, access: &Access, id: RecordId) -> Result<RecordDetail> {
    let current = store.get(id, access)?;
    let revisions = store.history(id, access)?;
    Ok(RecordDetail {
        kind_label: kind_label(current.kind).to_string(),
        history: views(&revisions),
        current,
    })
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
