//! The rumour board (by lifecycle stage, with the legal next moves) and the negotiation
//! tracker (agreements, conditions, compliance recorded later). Every action is an edit: a new
//! revision with a reason that says what changed.

use super::read;
use crate::records::{
    Body, Compliance, NegotiationOutcome, OfficerId, Outcome, RecordId, RecordKind, RumourControlAction, RumourReport,
    RumourStatus, ValidationError,
};
use crate::store::{CurrentRecord, Result, Saved, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RumourCard {
    pub record_id: RecordId,
    pub occurred_at: DateTime<Utc>,
    pub sector: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub revision_count: u32,
    pub report: RumourReport,
    /// The lifecycle moves allowed from the current status.
    pub next: Vec<RumourStatus>,
    /// From heard to confirmed or refuted, in seconds; None while not verified.
    pub time_to_verify_s: Option<u32>,
}

pub fn rumour_board(store: &Store, operation_id: RecordId) -> Result<Vec<RumourCard>> {
    Ok(store
        .current_records(Some(operation_id), &[RecordKind::RumourReport], 2_000)?
        .into_iter()
        .filter_map(|r| match r.record.body {
            Body::RumourReport(report) => Some(RumourCard {
                time_to_verify_s: report.time_to_verify_s(r.record.occurred_at),
                record_id: r.record_id,
                occurred_at: r.record.occurred_at,
                sector: r.record.sector,
                updated_at: r.updated_at,
                revision_count: r.revision_count,
                next: RumourStatus::ALL
                    .iter()
                    .copied()
                    .filter(|s| *s != report.status && report.status.can_move_to(*s))
                    .collect(),
                report,
            }),
            _ => None,
        })
        .collect())
}

fn rumour(store: &Store, officer: &OfficerId, id: RecordId) -> Result<(CurrentRecord, RumourReport)> {
    let current = read(store, officer, id)?;
    match &current.record.body {
        Body::RumourReport(r) => {
            let r = r.clone();
            Ok((current, r))
        }
        other => Err(wrong_kind(other.kind(), "a rumour report")),
    }
}

fn wrong_kind(found: RecordKind, wanted: &str) -> StoreError {
    ValidationError::Invalid {
        field: "record_id".into(),
        reason: format!("is a {found}, not {wanted}"),
    }
    .into()
}

/// Moves a rumour along its lifecycle (the store refuses an illegal move), recording what
/// checking found when given.
pub fn set_rumour_status(
    store: &mut Store,
    officer: &OfficerId,
    id: RecordId,
    status: RumourStatus,
    findings: Option<String>,
) -> Result<Saved> {
    let (current, mut report) = rumour(store, officer, id)?;
    let from = report.status;
    report.move_to(status, Utc::now());
    if let Some(f) = findings.filter(|f| !f.trim().is_empty()) {
        report.findings = f;
    }
    let mut record = current.record;
    record.body = Body::RumourReport(report);
    let reason = format!("Rumour {} → {}", from.label(), status.label());
    store.edit(officer, id, record, &reason)
}

/// Records a rumour-control action: who was told what (now).
pub fn add_rumour_control(
    store: &mut Store,
    officer: &OfficerId,
    id: RecordId,
    told: String,
    message: String,
) -> Result<Saved> {
    let (current, mut report) = rumour(store, officer, id)?;
    let reason = format!("Rumour control: told {}", told.trim());
    report.control_actions.push(RumourControlAction {
        at: Utc::now(),
        told,
        message,
    });
    let mut record = current.record;
    record.body = Body::RumourReport(report);
    store.edit(officer, id, record, &reason)
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct NegotiationCard {
    pub record_id: RecordId,
    pub occurred_at: DateTime<Utc>,
    pub sector: Option<String>,
    pub revision_count: u32,
    pub negotiation: NegotiationOutcome,
    /// An agreement whose compliance has not been recorded yet.
    pub awaiting_compliance: bool,
}

fn is_agreement(n: &NegotiationOutcome) -> bool {
    matches!(n.outcome, Outcome::Agreed | Outcome::PartlyAgreed)
}

pub fn negotiations(store: &Store, operation_id: RecordId) -> Result<Vec<NegotiationCard>> {
    Ok(store
        .current_records(Some(operation_id), &[RecordKind::NegotiationOutcome], 2_000)?
        .into_iter()
        .filter_map(|r| match r.record.body {
            Body::NegotiationOutcome(n) => Some(NegotiationCard {
                record_id: r.record_id,
                occurred_at: r.record.occurred_at,
                sector: r.record.sector,
                revision_count: r.revision_count,
                awaiting_compliance: is_agreement(&n) && n.compliance.is_none(),
                negotiation: n,
            }),
            _ => None,
        })
        .collect())
}

/// Records, later, whether an agreement was kept.
pub fn record_compliance(
    store: &mut Store,
    officer: &OfficerId,
    id: RecordId,
    compliance: Compliance,
    note: String,
) -> Result<Saved> {
    let current = read(store, officer, id)?;
    let Body::NegotiationOutcome(mut n) = current.record.body.clone() else {
        return Err(wrong_kind(current.kind, "a negotiation outcome"));
    };
    let reason = format!("Compliance recorded: {}", compliance.label());
    n.compliance = Some(compliance);
    n.compliance_note = note;
    let mut record = current.record;
    record.body = Body::NegotiationOutcome(n);
    store.edit(officer, id, record, &reason)
}
