//! The operation's screens that read many records: operations list, operation home, timeline
//! pages, tension series, directory, capture defaults.

use super::read;
use crate::records::{
    Body, Compliance, Mood, OfficerId, Operation, Outcome, RecordId, RecordKind, RumourStatus, ValidationError,
};
use crate::store::{ListFilter, RecordSummary, Result, Saved, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Every operation on this device, newest first.
pub fn operations(store: &Store) -> Result<Vec<RecordSummary>> {
    store.list(&ListFilter {
        kinds: vec![RecordKind::Operation],
        limit: 500,
        ..ListFilter::default()
    })
}

/// The operation the app opens on: the one the officer last recorded something in, else the
/// newest on the device. None when there is no operation.
pub fn resume_operation(store: &Store, officer: &OfficerId) -> Result<Option<RecordId>> {
    if let Some(op) = store.latest_operation_of(officer)? {
        return Ok(Some(op));
    }
    Ok(operations(store)?.first().map(|o| o.record_id))
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ts_rs::TS)]
pub struct RumourCounts {
    pub open: u32,
    pub reported: u32,
    pub being_checked: u32,
    pub confirmed: u32,
    pub refuted: u32,
    pub unresolved: u32,
}

/// The latest mood in one sector.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SectorTension {
    pub sector: String,
    pub latest: Option<TensionPoint>,
}

/// The team's picture of an operation at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct OperationHome {
    pub operation_id: RecordId,
    pub operation: Operation,
    /// Names of the groups expected, in the order briefed.
    pub groups_expected: Vec<RecordSummary>,
    pub rumours: RumourCounts,
    /// Agreed or partly agreed negotiations.
    pub agreements: u32,
    /// Agreements whose compliance is still to be recorded.
    pub awaiting_compliance: u32,
    /// Agreements recorded as not (or only partly) kept.
    pub broken_agreements: u32,
    pub escalations: u32,
    pub tension: Vec<SectorTension>,
    pub contact_notes: u32,
}

pub(super) const MANY: u32 = 2_000;

pub fn operation_home(store: &Store, officer: &OfficerId, operation_id: RecordId) -> Result<OperationHome> {
    let operation = operation(store, officer, operation_id)?;
    let mut groups_expected = Vec::new();
    for id in &operation.groups_expected {
        if let Ok(g) = read(store, officer, *id) {
            groups_expected.push(summary_of(&g));
        }
    }
    let mut rumours = RumourCounts::default();
    let mut agreements = 0;
    let mut awaiting_compliance = 0;
    let mut broken_agreements = 0;
    let mut escalations = 0;
    let mut contact_notes = 0;
    let all = store.current_records(
        Some(operation_id),
        &[
            RecordKind::RumourReport,
            RecordKind::NegotiationOutcome,
            RecordKind::Escalation,
            RecordKind::ContactNote,
        ],
        MANY,
    )?;
    for r in &all {
        match &r.record.body {
            Body::RumourReport(b) => {
                if b.status.is_open() {
                    rumours.open += 1;
                }
                *match b.status {
                    RumourStatus::Reported => &mut rumours.reported,
                    RumourStatus::BeingChecked => &mut rumours.being_checked,
                    RumourStatus::Confirmed => &mut rumours.confirmed,
                    RumourStatus::Refuted => &mut rumours.refuted,
                    RumourStatus::Unresolved => &mut rumours.unresolved,
                } += 1;
            }
            Body::NegotiationOutcome(b) if matches!(b.outcome, Outcome::Agreed | Outcome::PartlyAgreed) => {
                agreements += 1;
                match b.compliance {
                    None => awaiting_compliance += 1,
                    Some(Compliance::NotKept | Compliance::PartlyKept) => broken_agreements += 1,
                    Some(Compliance::Kept) => {}
                }
            }
            Body::Escalation(_) => escalations += 1,
            Body::ContactNote(_) => contact_notes += 1,
            _ => {}
        }
    }
    let series = tension_points(store, operation_id)?;
    let tension = latest_tension(&operation, &series);
    Ok(OperationHome {
        operation_id,
        operation,
        groups_expected,
        rumours,
        agreements,
        awaiting_compliance,
        broken_agreements,
        escalations,
        tension,
        contact_notes,
    })
}

/// Each sector's latest reading in `series` (oldest first), in the operation's sector order.
pub(super) fn latest_tension(operation: &Operation, series: &[TensionPoint]) -> Vec<SectorTension> {
    operation
        .sectors
        .iter()
        .map(|s| SectorTension {
            sector: s.name.clone(),
            latest: series
                .iter()
                .rev()
                .find(|p| p.sector.as_deref() == Some(s.name.as_str()))
                .cloned(),
        })
        .collect()
}

pub(super) fn operation(store: &Store, officer: &OfficerId, operation_id: RecordId) -> Result<Operation> {
    match read(store, officer, operation_id)?.record.body {
        Body::Operation(op) => Ok(op),
        other => Err(ValidationError::Invalid {
            field: "operation_id".into(),
            reason: format!("is a {}, not an operation", other.kind()),
        }
        .into()),
    }
}

fn summary_of(r: &crate::store::CurrentRecord) -> RecordSummary {
    RecordSummary {
        record_id: r.record_id,
        kind: r.kind,
        title: r.record.body.title(),
        operation_id: r.record.operation_id,
        author: r.author.clone(),
        occurred_at: r.record.occurred_at,
        updated_at: r.updated_at,
        updated_by: r.updated_by.clone(),
        sector: r.record.sector.clone(),
        revision_count: r.revision_count,
        open_heads: r.open_heads,
    }
}

/// One tension reading on the chart.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct TensionPoint {
    pub record_id: RecordId,
    pub sector: Option<String>,
    pub at: DateTime<Utc>,
    pub mood: Mood,
    /// 1 (calm) to 5 (hostile).
    pub level: u8,
    pub crowd_estimate: Option<u32>,
}

/// Mood by sector over time, oldest first, with the operation's sectors and time span.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct TensionSeries {
    pub sectors: Vec<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub points: Vec<TensionPoint>,
}

pub(super) fn tension_points(store: &Store, operation_id: RecordId) -> Result<Vec<TensionPoint>> {
    let mut points: Vec<TensionPoint> = store
        .current_records(Some(operation_id), &[RecordKind::TensionReading], MANY)?
        .into_iter()
        .filter_map(|r| match r.record.body {
            Body::TensionReading(t) => Some(TensionPoint {
                record_id: r.record_id,
                sector: r.record.sector,
                at: r.record.occurred_at,
                mood: t.mood,
                level: t.mood.level(),
                crowd_estimate: t.crowd_estimate,
            }),
            _ => None,
        })
        .collect();
    points.sort_by_key(|p| (p.at, p.record_id));
    Ok(points)
}

pub fn tension_series(store: &Store, officer: &OfficerId, operation_id: RecordId) -> Result<TensionSeries> {
    let op = operation(store, officer, operation_id)?;
    let points = tension_points(store, operation_id)?;
    // The chart spans the operation, stretched to any reading outside it.
    let starts_at = points.first().map_or(op.starts_at, |p| p.at.min(op.starts_at));
    let ends_at = points.last().map_or(op.ends_at, |p| p.at.max(op.ends_at));
    Ok(TensionSeries {
        sectors: op.sectors.iter().map(|s| s.name.clone()).collect(),
        starts_at,
        ends_at,
        points,
    })
}

/// Where the previous page ended (keyset paging).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Cursor {
    pub occurred_at: DateTime<Utc>,
    pub record_id: RecordId,
}

/// A page of the timeline: all kinds unless filtered, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct TimelineQuery {
    pub operation_id: Option<RecordId>,
    pub kinds: Vec<RecordKind>,
    pub sector: Option<String>,
    pub after: Option<Cursor>,
    /// Page size: 1 to 200 (default 50).
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct TimelinePage {
    pub items: Vec<RecordSummary>,
    /// Pass as `after` for the next page; None at the end.
    pub next: Option<Cursor>,
}

pub fn timeline(store: &Store, q: &TimelineQuery) -> Result<TimelinePage> {
    let limit = if q.limit == 0 { 50 } else { q.limit.min(200) };
    let items = store.list(&ListFilter {
        operation_id: q.operation_id,
        kinds: q.kinds.clone(),
        sector: q.sector.clone(),
        before: q.after.map(|c| (c.occurred_at, c.record_id)),
        limit,
        ..ListFilter::default()
    })?;
    let next = (items.len() == limit as usize)
        .then(|| items.last())
        .flatten()
        .map(|s| Cursor {
            occurred_at: s.occurred_at,
            record_id: s.record_id,
        });
    Ok(TimelinePage { items, next })
}

/// The shared directory: people, groups, venues and agencies, by name. Titles only: opening a
/// person's details is a logged consultation.
pub fn directory(store: &Store) -> Result<Vec<RecordSummary>> {
    let mut all = store.list(&ListFilter {
        kinds: vec![
            RecordKind::Person,
            RecordKind::Group,
            RecordKind::Venue,
            RecordKind::Agency,
        ],
        limit: 500,
        ..ListFilter::default()
    })?;
    all.sort_by_key(|a| a.title.to_lowercase());
    Ok(all)
}

/// Records that a directory entry is still current: a revision with the same content and
/// that reason, so who confirmed it and when are in the chain like any edit.
pub fn confirm_directory_entry(store: &mut Store, officer: &OfficerId, id: RecordId) -> Result<Saved> {
    let record = store.current_body(id)?;
    if !matches!(
        record.kind(),
        RecordKind::Person | RecordKind::Group | RecordKind::Venue | RecordKind::Agency
    ) {
        return Err(ValidationError::Invalid {
            field: "record_id".into(),
            reason: format!("a {} is not a directory entry", record.kind()),
        }
        .into());
    }
    store.edit(officer, id, record, CONFIRMED)
}

/// The reason a confirmation carries.
pub const CONFIRMED: &str = "Confirmed still current";

/// What a capture form starts with: now, the sectors to pick from and the officer's last one.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CaptureDefaults {
    pub occurred_at: DateTime<Utc>,
    pub sectors: Vec<String>,
    pub sector: Option<String>,
}

pub fn capture_defaults(store: &Store, officer: &OfficerId, operation_id: RecordId) -> Result<CaptureDefaults> {
    let op = operation(store, officer, operation_id)?;
    Ok(CaptureDefaults {
        occurred_at: Utc::now(),
        sectors: op.sectors.iter().map(|s| s.name.clone()).collect(),
        sector: store.last_sector(officer, operation_id)?,
    })
}
