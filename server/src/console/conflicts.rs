//! Conflicts (issue 12, item 6): a record edited on two devices at once (both offline, say)
//! has two current versions, heads, once both tablets have synced. Every tablet shows the one
//! with the later clock, and keeps the other. This page shows such records with their versions
//! side by side, field by field, and resolves one: a merge revision in the server's own chain,
//! authored by the person, whose parent is the version kept (its content goes forward) and
//! which names the other as merged. It reaches every tablet that holds the record by the
//! ordinary pull, after which the record has one head everywhere.
//!
//! Who sees what, as on the other pages ([`Sight`]): the records of an operation to those who
//! see the operation; the directory (people, groups, venues, agencies) to every role allowed
//! here; an officer's own work (no operation) to their supervisor in the directory, and to
//! commanders. Force IT and officers are refused the routes (the matrix): the
//! records' content is not theirs to read here.
//!
//! Nothing is merged that the person did not see: both versions they name must still be heads
//! when the merge is written (in its transaction), else it is refused as a conflict and
//! nothing is written.

use super::matrix::Route;
use super::model::{Conflict, ConflictField, ConflictResolve, ConflictVersion, Conflicts};
use super::routes::{author_of, form, parse_id, require, Answer};
use super::sight::Sight;
use super::sign_in::Signed;
use super::{ConsoleFailure, ConsoleState};
use crate::storage::console::{Logged, OwnRevision};
use crate::storage::{Storage, StorageError};
use crate::visibility::Scope;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use liaison_core::evidence::winner;
use liaison_core::records::Record;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// The longest reason a merge may be given, in characters.
pub const MAX_REASON: usize = 500;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/conflicts", get(list))
        .route("/conflicts/{record}/merge", post(resolve))
}

/// The record's heads as a conflict, if the person may see it (`None` otherwise).
fn conflict_of(s: &dyn Storage, sight: &Sight<'_>, heads: Vec<Logged>) -> Result<Option<Conflict>, ConsoleFailure> {
    let Some(first) = heads.first() else {
        return Ok(None);
    };
    let (record_id, kind) = (first.revision.record_id, first.revision.kind);
    let (scope, officer) = bound(s, first)?;
    if !sight.sees(scope, officer.as_deref()) {
        return Ok(None);
    }
    let shown = winner(heads.iter().map(|l| (l.revision.hlc, &l.revision.id))).copied();
    let records: Vec<&Record> = heads.iter().map(|l| &l.revision.body).collect();
    let fields = side_by_side(&records);
    let title = heads
        .iter()
        .find(|l| Some(l.revision.id) == shown)
        .unwrap_or(first)
        .revision
        .body
        .body
        .title();
    let versions = heads
        .into_iter()
        .map(|l| ConflictVersion {
            revision: l.revision.id,
            author_name: sight.name_of(l.revision.author.as_str()),
            author: l.revision.author.to_string(),
            device_id: l.revision.device_id,
            recorded_at: l.revision.recorded_at,
            received_at: l.received_at,
            reason: l.revision.reason,
            shown: Some(l.revision.id) == shown,
            record: l.revision.body,
        })
        .collect::<Vec<_>>();
    Ok(Some(Conflict {
        record_id,
        kind,
        title,
        operation: scope.operation(),
        operation_name: scope.operation().and_then(|op| sight.operation_name(op)),
        officer,
        versions,
        fields,
    }))
}

/// The scope a record is bound to (every head has its first revision's: the judge's rule),
/// and for an officer's own work, the officer it is bound to.
fn bound(s: &dyn Storage, head: &Logged) -> Result<(Scope, Option<String>), ConsoleFailure> {
    let scope = Scope::of(&head.revision);
    let officer = match scope {
        Scope::Author => Some(
            s.record_author(head.revision.record_id)?
                .unwrap_or_else(|| head.revision.author.to_string()),
        ),
        _ => None,
    };
    Ok((scope, officer))
}

/// Every conflict the person may see, most recently changed first.
fn conflicts_for(s: &dyn Storage, signed: &Signed) -> Result<Conflicts, ConsoleFailure> {
    let sight = Sight::of(s, signed)?;
    let mut by_record: BTreeMap<Uuid, Vec<Logged>> = BTreeMap::new();
    for l in s.open_heads()? {
        by_record.entry(l.revision.record_id).or_default().push(l);
    }
    let mut conflicts = Vec::new();
    for (_, mut heads) in by_record {
        heads.sort_by_key(|l| l.position);
        if let Some(c) = conflict_of(s, &sight, heads)? {
            conflicts.push(c);
        }
    }
    conflicts.sort_by_key(|c| std::cmp::Reverse(c.versions.iter().map(|v| v.received_at).max()));
    Ok(Conflicts { conflicts })
}

async fn list(State(state): State<ConsoleState>, signed: Signed) -> Answer<Conflicts> {
    require(&signed, Route::ConflictList)?;
    Ok(Json(state.blocking(move |s| conflicts_for(s, &signed)).await?))
}

async fn resolve(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(record): Path<String>,
    body: Bytes,
) -> Answer<Conflicts> {
    require(&signed, Route::ConflictResolve)?;
    let record = parse_id(&record, "record")?;
    let form: ConflictResolve = form(&body)?;
    let why = form.reason.trim().to_string();
    if why.is_empty() {
        return Err(ConsoleFailure::field(
            "reason",
            "is required: why this version is kept (the officers read it on their tablets)",
        ));
    }
    if why.chars().count() > MAX_REASON {
        return Err(ConsoleFailure::field(
            "reason",
            format!("must be at most {MAX_REASON} characters"),
        ));
    }
    if form.keep == form.other {
        return Err(ConsoleFailure::field(
            "other",
            "must be another version than the one kept",
        ));
    }
    let author = author_of(&signed)?;
    let live = state.live.clone();
    let out = state
        .blocking(move |s| {
            let heads = s.record_heads(record)?;
            let sight = Sight::of(s, &signed)?;
            let not_found = || ConsoleFailure::NotFound(format!("record {record}"));
            let Some(first) = heads.first() else {
                return Err(not_found());
            };
            let (scope, officer) = bound(s, first)?;
            if !sight.sees(scope, officer.as_deref()) {
                return Err(not_found());
            }
            let kept = heads.iter().find(|l| l.revision.id == form.keep);
            let (Some(kept), true) = (kept, heads.iter().any(|l| l.revision.id == form.other)) else {
                return Err(StorageError::Conflict(format!(
                    "record {record} no longer has both of these versions as current versions (it was merged or \
                     edited meanwhile): reload the conflicts and look again; nothing was written"
                ))
                .into());
            };
            s.append_own(
                &[OwnRevision {
                    id: Uuid::now_v7(),
                    record_id: record,
                    parent: Some(form.keep),
                    merges: Some(form.other),
                    author,
                    reason: Some(format!("Kept {}'s version: {why}", kept.revision.author)),
                    record: kept.revision.body.clone(),
                    owner: None,
                }],
                &signed.staff.username,
            )?;
            conflicts_for(s, &signed)
        })
        .await?;
    live.notify();
    Ok(Json(out))
}

/// Every field any of `records` has, with each record's value (empty where it has none), in
/// the order they first appear; whether they differ. The record's kind is not a field here
/// (every version of a record has the same).
pub fn side_by_side(records: &[&Record]) -> Vec<ConflictField> {
    let flat: Vec<Vec<(String, String)>> = records
        .iter()
        .map(|r| {
            let mut out = Vec::new();
            flatten("", &serde_json::to_value(r).unwrap_or(Value::Null), &mut out);
            out
        })
        .collect();
    let mut seen = HashSet::new();
    let order: Vec<&String> = flat
        .iter()
        .flatten()
        .map(|(field, _)| field)
        .filter(|f| f.as_str() != "body.kind" && seen.insert(f.as_str()))
        .collect();
    order
        .into_iter()
        .map(|field| {
            let values: Vec<String> = flat
                .iter()
                .map(|f| {
                    f.iter()
                        .find(|(k, _)| k == field)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                })
                .collect();
            ConflictField {
                field: field.clone(),
                label: label_of(field),
                differs: values.windows(2).any(|w| w[0] != w[1]),
                values,
            }
        })
        .collect()
}

/// A JSON value as (path, text) pairs: objects by key, lists of plain values as one field
/// (comma-separated), lists of objects item by item.
fn flatten(path: &str, v: &Value, out: &mut Vec<(String, String)>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&join(k), v, out);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), item, out);
            }
        }
        Value::Array(items) => out.push((path.to_string(), items.iter().map(plain).collect::<Vec<_>>().join(", "))),
        other => out.push((path.to_string(), plain(other))),
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A field's path for a person: `body.contacts[0].name` → "Contacts 1 › Name".
fn label_of(field: &str) -> String {
    field
        .strip_prefix("body.")
        .unwrap_or(field)
        .split('.')
        .map(|segment| {
            let (name, index) = match segment.split_once('[') {
                Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (segment, None),
            };
            let words = name.replace('_', " ");
            let mut chars = words.chars();
            let words = match chars.next() {
                Some(c) => c.to_uppercase().chain(chars).collect::<String>(),
                None => words,
            };
            match index {
                Some(i) => format!("{words} {}", i + 1),
                None => words,
            }
        })
        .collect::<Vec<_>>()
        .join(" › ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use liaison_core::records::{Body, EventKind, Operation, TeamMember};
    use liaison_core::OfficerId;

    fn operation(briefing: &str, team: &[&str], tags: &[&str]) -> Record {
        let start = chrono::Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        Record {
            operation_id: None,
            occurred_at: start,
            location: None,
            sector: None,
            links: vec![],
            tags: tags.iter().map(|t| t.to_string()).collect(),
            attachments: vec![],
            body: Body::Operation(Operation {
                name: "Op Kestrel".into(),
                event_kind: EventKind::March,
                starts_at: start,
                ends_at: start + chrono::Duration::hours(4),
                area: vec![],
                sectors: vec![],
                briefing: briefing.into(),
                command_structure: String::new(),
                groups_expected: vec![],
                team: team
                    .iter()
                    .map(|o| TeamMember {
                        officer: OfficerId::new(*o).unwrap(),
                        role: "PLO".into(),
                    })
                    .collect(),
            }),
        }
    }

    fn row<'a>(rows: &'a [ConflictField], field: &str) -> &'a ConflictField {
        rows.iter()
            .find(|r| r.field == field)
            .unwrap_or_else(|| panic!("no field {field} in {rows:?}"))
    }

    #[test]
    fn two_versions_are_compared_field_by_field_and_the_fields_that_differ_are_marked() {
        let a = operation("Meet at the park gates", &["PC 1"], &["march", "city"]);
        let b = operation("Meet at the town hall", &["PC 1", "PC 2"], &["march", "city"]);
        let rows = side_by_side(&[&a, &b]);
        let briefing = row(&rows, "body.briefing");
        assert_eq!(briefing.label, "Briefing");
        assert_eq!(briefing.values, ["Meet at the park gates", "Meet at the town hall"]);
        assert!(briefing.differs);
        let name = row(&rows, "body.name");
        assert_eq!(name.values, ["Op Kestrel", "Op Kestrel"]);
        assert!(!name.differs);
        let tags = row(&rows, "tags");
        assert_eq!(tags.values, ["march, city", "march, city"]);
        assert!(!tags.differs);
        // A team member only one version has: the other's value is empty, and it differs.
        let second = row(&rows, "body.team[1].officer");
        assert_eq!(second.label, "Team 2 › Officer");
        assert_eq!(second.values, ["", "PC 2"]);
        assert!(second.differs);
        assert!(!row(&rows, "body.team[0].officer").differs);
        assert!(
            rows.iter().all(|r| r.field != "body.kind"),
            "the kind is the record's, not a field"
        );
        assert_eq!(row(&rows, "body.event_kind").label, "Event kind");
        assert_eq!(row(&rows, "occurred_at").label, "Occurred at");
    }
}
