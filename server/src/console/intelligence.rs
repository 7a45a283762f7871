//! Intelligence quality assurance (policy 1.2): the queue of officers' intelligence
//! submissions for their supervisor, and the review that grades (3x5x2) and accepts a
//! submission or returns it with feedback.
//!
//! A review is a revision of the submission in the server's own chain, authored by the person
//! who reviewed it, and reaches the officer's tablet by the ordinary pull: a submission has no
//! operation, so it is author-only, and an author-only record is pulled by the officer it is
//! bound to whoever wrote the revision (storage schema 6).
//!
//! Who sees what: a supervisor sees the submissions of the officers whose directory entry
//! names them as supervisor, and no others; commanders (Bronze, Silver, Gold) see all. Force IT
//! and officers are refused the routes (the matrix). Nobody grades their own submission.

use super::alerts::{current_of_kind, first_author, signed_name};
use super::matrix::Route;
use super::model::{IntelligenceQueue, IntelligenceReviewForm, IntelligenceView, OfficerEntry, StaffRole};
use super::routes::{author_of, form, require, Answer};
use super::sign_in::Signed;
use super::{ConsoleFailure, ConsoleState};
use crate::storage::console::{Logged, OwnRevision};
use crate::storage::{Storage, StorageError};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use liaison_core::records::{Body, IntelReview, IntelligenceSubmission, RecordKind, ReviewOutcome};
use uuid::Uuid;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/intelligence", get(list))
        .route("/intelligence/{record}/review", post(review))
}

/// The person looking, as the queue's rule needs them.
struct Reviewer {
    officer: Option<String>,
    role: StaffRole,
}

impl Reviewer {
    fn of(signed: &Signed) -> Reviewer {
        Reviewer {
            officer: signed.staff.officer.clone(),
            role: signed.staff.role,
        }
    }

    fn commander(&self) -> bool {
        matches!(self.role, StaffRole::Bronze | StaffRole::Silver | StaffRole::Gold)
    }

    fn own(&self, officer: &str) -> bool {
        self.officer.as_deref() == Some(officer)
    }

    /// Whether the submissions of `officer` are in this person's queue.
    fn sees(&self, officer: &str, directory: &[OfficerEntry]) -> bool {
        if self.commander() {
            return true;
        }
        let Some(me) = self.officer.as_deref() else {
            return false;
        };
        self.role == StaffRole::Supervisor
            && directory
                .iter()
                .any(|d| d.officer == officer && d.supervisor.as_deref() == Some(me))
    }
}

/// Every submission's current revision with the officer it is bound to.
fn current_submissions(s: &dyn Storage) -> Result<Vec<(Logged, String)>, ConsoleFailure> {
    let (current, _) = current_of_kind(s, RecordKind::IntelligenceSubmission)?;
    current
        .into_iter()
        .map(|l| {
            let officer = first_author(s, &l)?;
            Ok((l, officer))
        })
        .collect()
}

fn submission_of(l: &Logged) -> Option<&IntelligenceSubmission> {
    match &l.revision.body.body {
        Body::IntelligenceSubmission(i) => Some(i),
        _ => None,
    }
}

fn queue_for(s: &dyn Storage, who: &Reviewer) -> Result<IntelligenceQueue, ConsoleFailure> {
    let directory = s.officer_directory()?;
    let mut submissions: Vec<IntelligenceView> = Vec::new();
    for (l, officer) in current_submissions(s)? {
        let Some(i) = submission_of(&l) else { continue };
        if !who.sees(&officer, &directory) {
            continue;
        }
        submissions.push(IntelligenceView {
            record_id: l.revision.record_id,
            revision: l.revision.id,
            officer_name: directory.iter().find(|d| d.officer == officer).map(|d| d.name.clone()),
            may_review: i.review.is_none() && !who.own(&officer),
            own: who.own(&officer),
            from_note: l
                .revision
                .body
                .links
                .first()
                .copied()
                .filter(|_| !i.reason_from_note.is_empty()),
            occurred_at: l.revision.body.occurred_at,
            received_at: l.received_at,
            officer,
            submission: i.clone(),
        });
    }
    // Waiting first (urgent, then oldest), then the reviewed, newest first.
    submissions.sort_by_key(|v| {
        let waiting = v.submission.review.is_none();
        (
            !waiting,
            !(waiting && v.submission.urgent),
            if waiting {
                v.received_at.timestamp_millis()
            } else {
                -v.received_at.timestamp_millis()
            },
        )
    });
    Ok(IntelligenceQueue { submissions })
}

async fn list(State(state): State<ConsoleState>, signed: Signed) -> Answer<IntelligenceQueue> {
    require(&signed, Route::IntelligenceList)?;
    let who = Reviewer::of(&signed);
    Ok(Json(state.blocking(move |s| queue_for(s, &who)).await?))
}

/// The review the form asks for, or every problem with it beside its field.
fn review_of(form: &IntelligenceReviewForm, signed: &Signed) -> Result<IntelReview, ConsoleFailure> {
    let mut fields = Vec::new();
    let feedback = form.feedback.trim().to_string();
    match form.outcome {
        ReviewOutcome::Returned if feedback.is_empty() => {
            fields.push(("feedback", "is required: tell the officer what to add or correct"))
        }
        ReviewOutcome::Accepted if form.grading.is_none() => {
            fields.push(("grading", "is required to accept: source, assessment and handling code"))
        }
        _ => {}
    }
    if let Some(g) = &form.grading {
        if g.handling == liaison_core::records::HandlingCode::Conditions && g.conditions.trim().is_empty() {
            fields.push(("grading.conditions", "are required with handling code C"));
        }
    }
    if !fields.is_empty() {
        return Err(ConsoleFailure::Invalid {
            message: format!(
                "check the form: {}",
                fields
                    .iter()
                    .map(|(f, m)| format!("{f} {m}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            fields: fields
                .into_iter()
                .map(|(f, m)| super::model::FieldError {
                    field: f.into(),
                    message: m.into(),
                })
                .collect(),
        });
    }
    Ok(IntelReview {
        outcome: form.outcome,
        feedback,
        grading: form.grading.clone().map(|mut g| {
            g.conditions = g.conditions.trim().to_string();
            g
        }),
        by: signed.staff.username.clone(),
        reviewed_by: signed_name(signed),
        at: Utc::now(),
    })
}

async fn review(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(record): Path<String>,
    body: Bytes,
) -> Answer<IntelligenceQueue> {
    require(&signed, Route::IntelligenceReview)?;
    let record = super::routes::parse_id(&record, "intelligence submission")?;
    let form: IntelligenceReviewForm = form(&body)?;
    let made = review_of(&form, &signed)?;
    let author = author_of(&signed)?;
    let who = Reviewer::of(&signed);
    let out = state
        .blocking(move |s| {
            let directory = s.officer_directory()?;
            let (l, officer) = current_submissions(s)?
                .into_iter()
                .find(|(l, _)| l.revision.record_id == record)
                .ok_or_else(|| ConsoleFailure::NotFound(format!("intelligence submission {record}")))?;
            if !who.sees(&officer, &directory) {
                return Err(ConsoleFailure::NotFound(format!("intelligence submission {record}")));
            }
            if who.own(&officer) {
                return Err(ConsoleFailure::Invalid {
                    message: "you cannot grade your own submission: it is reviewed by your supervisor".into(),
                    fields: vec![],
                });
            }
            let mut next = submission_of(&l).cloned().expect("the log of submissions holds submissions");
            if let Some(r) = &next.review {
                return Err(StorageError::Conflict(format!(
                    "already reviewed: {} by {} at {}",
                    r.outcome.label().to_lowercase(),
                    r.reviewed_by,
                    r.at.format("%H:%M UTC on %d %b %Y")
                ))
                .into());
            }
            if l.revision.id != form.revision {
                return Err(StorageError::Conflict(
                    "this submission has changed since you loaded it (the officer resubmitted it): reload the queue and read it again"
                        .into(),
                )
                .into());
            }
            next.review = Some(made);
            let mut rec = l.revision.body.clone();
            rec.body = Body::IntelligenceSubmission(next);
            rec.validate_edit(&l.revision.body).map_err(super::routes::validation)?;
            let reason = match form.outcome {
                ReviewOutcome::Accepted => "quality assured: accepted",
                ReviewOutcome::Returned => "quality assured: returned with feedback",
            };
            s.append_own(
                &[OwnRevision {
                    id: Uuid::now_v7(),
                    record_id: l.revision.record_id,
                    parent: Some(l.revision.id),
                    merges: None,
                    author,
                    reason: Some(reason.into()),
                    record: rec,
                    owner: None,
                }],
                &signed.staff.username,
            )?;
            queue_for(s, &who)
        })
        .await?;
    Ok(Json(out))
}
