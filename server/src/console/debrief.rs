//! The debrief of an operation (issue 13, item 1): the PLT leader and the Bronze commander
//! enter what went well, what would be even better if, and the recommendations; a commander
//! signs it off with the SHA-256 of the records it was made from; anyone who may see the
//! operation downloads the report as PDF, made from the records each time (a disclosure
//! logged with its purpose). The report itself is `liaison_core::report`, the same code a
//! tablet runs with no network.

use super::live;
use super::matrix::Route;
use super::routes::{form, may_see, require, Answer};
use super::sign_in::Signed;
use super::{ConsoleFailure, ConsoleState};
use crate::storage::Storage;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use liaison_core::report::debrief::Debrief;
use liaison_core::report::pdf::{debrief_pdf, DEBRIEF_TEMPLATE};
use liaison_core::report::{DebriefNotes, Recommendation, SignOff};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/operations/{id}/debrief", get(view).put(save))
        .route("/operations/{id}/debrief/sign-off", post(sign_off))
        .route("/operations/{id}/debrief.pdf", get(pdf))
}

/// The debrief's notes as the console edits them, and the records they would sign off.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct DebriefView {
    pub operation_id: Uuid,
    pub name: String,
    pub notes: DebriefNotes,
    /// How many records (the operation's own among them) the report is made from now.
    pub records: u32,
    /// Their SHA-256 now (see `liaison_core::report::records_digest`).
    pub records_sha256: String,
    /// Signed off, and the records have changed since.
    pub changed_since_sign_off: bool,
}

/// What the console sends to keep the notes. A change after sign-off withdraws it.
#[derive(Debug, Clone, PartialEq, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct DebriefEdit {
    pub went_well: String,
    pub even_better_if: String,
    pub recommendations: Vec<Recommendation>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Purpose {
    #[serde(default)]
    purpose: String,
}

/// The debrief of `operation` now, made by `made_by` on the server at `at`.
pub fn build(
    storage: &dyn Storage,
    operation: Uuid,
    made_by: &str,
    at: DateTime<Utc>,
) -> Result<Debrief, ConsoleFailure> {
    let log = live::operation_log(storage, operation)?;
    let current: Vec<_> = live::current(log).into_iter().map(|l| l.revision).collect();
    let notes = storage.debrief_notes(operation)?.unwrap_or_default();
    Debrief::build(operation, &current, &notes, made_by, "the force server", at)
        .map_err(|_| ConsoleFailure::NotFound(format!("operation {operation}")))
}

/// The report as PDF, with its disclosure logged (who, how many records, their digest, why).
pub fn report_pdf(
    storage: &dyn Storage,
    operation: Uuid,
    made_by: &str,
    purpose: &str,
    at: DateTime<Utc>,
) -> Result<(Debrief, Vec<u8>), ConsoleFailure> {
    if purpose.trim().is_empty() {
        return Err(ConsoleFailure::field(
            "purpose",
            "say why the report is made: it is a disclosure of the operation's records, and logged",
        ));
    }
    let d = build(storage, operation, made_by, at)?;
    let pdf = debrief_pdf(&d, DEBRIEF_TEMPLATE).map_err(|e| ConsoleFailure::Invalid {
        message: e.to_string(),
        fields: vec![],
    })?;
    storage.disclose(
        made_by,
        Some(operation),
        &format!(
            "debrief report of operation {operation} as PDF: {} records, SHA-256 {}",
            d.records, d.records_sha256
        ),
        purpose.trim(),
    )?;
    Ok((d, pdf))
}

fn view_of(d: &Debrief, notes: DebriefNotes) -> DebriefView {
    DebriefView {
        operation_id: d.operation_id,
        name: d.name.clone(),
        notes,
        records: d.records,
        records_sha256: d.records_sha256.clone(),
        changed_since_sign_off: d.changed_since_sign_off,
    }
}

async fn view(State(state): State<ConsoleState>, signed: Signed, Path(id): Path<Uuid>) -> Answer<DebriefView> {
    require(&signed, Route::DebriefGet)?;
    Ok(Json(
        state
            .blocking(move |s| {
                may_see(s, &signed.staff, id)?;
                let d = build(s, id, &signed.staff.username, Utc::now())?;
                Ok(view_of(&d, s.debrief_notes(id)?.unwrap_or_default()))
            })
            .await?,
    ))
}

async fn save(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(id): Path<Uuid>,
    body: Bytes,
) -> Answer<DebriefView> {
    require(&signed, Route::DebriefSave)?;
    let edit: DebriefEdit = form(&body)?;
    Ok(Json(
        state
            .blocking(move |s| {
                may_see(s, &signed.staff, id)?;
                let before = s.debrief_notes(id)?.unwrap_or_default();
                let notes = DebriefNotes {
                    went_well: edit.went_well.trim().to_string(),
                    even_better_if: edit.even_better_if.trim().to_string(),
                    recommendations: edit
                        .recommendations
                        .into_iter()
                        .map(|r| Recommendation {
                            issue: r.issue.trim().into(),
                            recommendation: r.recommendation.trim().into(),
                            owner: r.owner.trim().into(),
                            priority: r.priority,
                        })
                        .collect(),
                    signed_off: None,
                };
                if let Some((field, problem)) = notes.problem() {
                    return Err(ConsoleFailure::field(&field, &problem));
                }
                let what = if before.signed_off.is_some() {
                    format!("debrief notes of operation {id} changed: the sign-off is withdrawn")
                } else {
                    format!(
                        "debrief notes of operation {id} saved ({} recommendations)",
                        notes.recommendations.len()
                    )
                };
                s.put_debrief_notes(id, &notes, &signed.staff.username, &what)?;
                let d = build(s, id, &signed.staff.username, Utc::now())?;
                Ok(view_of(&d, notes))
            })
            .await?,
    ))
}

async fn sign_off(State(state): State<ConsoleState>, signed: Signed, Path(id): Path<Uuid>) -> Answer<DebriefView> {
    require(&signed, Route::DebriefSignOff)?;
    Ok(Json(
        state
            .blocking(move |s| {
                may_see(s, &signed.staff, id)?;
                let mut notes = s.debrief_notes(id)?.unwrap_or_default();
                if notes.went_well.is_empty() && notes.even_better_if.is_empty() && notes.recommendations.is_empty() {
                    return Err(ConsoleFailure::field(
                        "went_well",
                        "enter what went well, what would be even better if, or a recommendation before signing off",
                    ));
                }
                let d = build(s, id, &signed.staff.username, Utc::now())?;
                notes.signed_off = Some(SignOff {
                    by: signed.staff.username.clone(),
                    name: signed.staff.display_name.clone(),
                    at: Utc::now(),
                    records_sha256: d.records_sha256.clone(),
                });
                s.put_debrief_notes(
                    id,
                    &notes,
                    &signed.staff.username,
                    &format!(
                        "debrief of operation {id} signed off over {} records, SHA-256 {}",
                        d.records, d.records_sha256
                    ),
                )?;
                let d = build(s, id, &signed.staff.username, Utc::now())?;
                Ok(view_of(&d, notes))
            })
            .await?,
    ))
}

async fn pdf(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(id): Path<Uuid>,
    Query(q): Query<Purpose>,
) -> Result<Response, ConsoleFailure> {
    require(&signed, Route::DebriefPdf)?;
    let (d, bytes) = state
        .blocking(move |s| {
            may_see(s, &signed.staff, id)?;
            report_pdf(s, id, &signed.staff.username, &q.purpose, Utc::now())
        })
        .await?;
    let name: String = d
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"debrief-{name}.pdf\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
