//! Abstractions (PCSO policy 1.3, docs/supervision-abstractions.md): "minimised, authorised,
//! justified and recorded"; the rate monitored monthly; repeated or prolonged abstraction
//! reviewed by supervisory ranks.
//!
//! A PCSO requests one on the tablet, or a supervisor here for them (bound to the officer, as
//! a task is: their tablet pulls it). A supervisor or commander who is not the abstracted
//! officer authorises or refuses it: a revision authored by that person, kept as made. The
//! page shows each with its flags, and the monthly rate per team.
//!
//! Who sees what: a supervisor sees the abstractions of the officers the directory names
//! them supervisor of; commanders see all.

use super::alerts::{current_of_kind, first_author, signed_name};
use super::matrix::Route;
use super::model::{
    AbstractionBoard, AbstractionDecide, AbstractionView, NewAbstraction, OfficerEntry, StaffRole, TeamMonth,
};
use super::routes::{author_of, form, parse_id, require, validation, Answer};
use super::sign_in::Signed;
use super::{ConsoleFailure, ConsoleState};
use crate::storage::console::{Logged, OwnRevision};
use crate::storage::{Storage, StorageError};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Datelike, Duration, Utc};
use liaison_core::records::{Abstraction, AbstractionDecision, AbstractionOutcome, Body, Record, RecordKind};
use liaison_core::OfficerId;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Contracted hours per officer per month, against which the rate is worked out (37.5 h a
/// week over a 4⅓-week month, rounded).
pub const CONTRACTED_HOURS_PER_MONTH: f64 = 162.5;
/// Abstracted for longer than a shift: prolonged.
pub const PROLONGED_HOURS: f64 = 8.0;
/// This many abstractions of one officer within [`REPEATED_WITHIN_DAYS`]: repeated.
pub const REPEATED_COUNT: usize = 3;
pub const REPEATED_WITHIN_DAYS: i64 = 30;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/abstractions", get(list).post(request))
        .route("/abstractions/{record}/decision", post(decide))
}

struct Item {
    logged: Logged,
    officer: String,
    abstraction: Abstraction,
}

fn items(s: &dyn Storage) -> Result<Vec<Item>, ConsoleFailure> {
    let (current, _) = current_of_kind(s, RecordKind::Abstraction)?;
    let mut out = Vec::new();
    for l in current {
        let Body::Abstraction(a) = &l.revision.body.body else {
            continue;
        };
        let abstraction = a.clone();
        out.push(Item {
            officer: first_author(s, &l)?,
            logged: l,
            abstraction,
        });
    }
    Ok(out)
}

/// Counts toward the rate and the flags: not refused.
fn counts(a: &Abstraction) -> bool {
    a.decision
        .as_ref()
        .is_none_or(|d| d.outcome == AbstractionOutcome::Authorised)
}

/// Why `item` is flagged for supervisory review, given all of its officer's abstractions.
pub fn flags(item: &Abstraction, theirs: &[&Abstraction], now: DateTime<Utc>) -> Vec<String> {
    let mut out = Vec::new();
    if !counts(item) {
        return out;
    }
    let hours = item.hours(now);
    if hours > PROLONGED_HOURS {
        out.push(format!(
            "prolonged: {hours:.1} h, more than a shift ({PROLONGED_HOURS:.0} h)"
        ));
    }
    let window = Duration::days(REPEATED_WITHIN_DAYS);
    let within = theirs
        .iter()
        .filter(|o| counts(o) && o.starts_at <= item.starts_at && item.starts_at - o.starts_at <= window)
        .count();
    if within >= REPEATED_COUNT {
        out.push(format!(
            "repeated: {within} abstractions of this officer within {REPEATED_WITHIN_DAYS} days"
        ));
    }
    out
}

/// The monthly rate per team: hours of abstractions not refused, by the month they start in,
/// over the team's contracted hours (officers in the team × [`CONTRACTED_HOURS_PER_MONTH`]).
pub fn monthly(items: &[(String, Abstraction)], directory: &[OfficerEntry], now: DateTime<Utc>) -> Vec<TeamMonth> {
    let mut by: BTreeMap<(String, String), (u32, f64)> = BTreeMap::new();
    for (officer, a) in items.iter().filter(|(_, a)| counts(a)) {
        let team = directory
            .iter()
            .find(|d| &d.officer == officer)
            .map_or_else(|| "(not in the directory)".to_string(), |d| d.team.clone());
        let month = format!("{:04}-{:02}", a.starts_at.year(), a.starts_at.month());
        let e = by.entry((team, month)).or_default();
        e.0 += 1;
        e.1 += a.hours(now);
    }
    by.into_iter()
        .map(|((team, month), (n, hours))| {
            let officers = directory.iter().filter(|d| d.team == team).count() as u32;
            let contracted = f64::from(officers) * CONTRACTED_HOURS_PER_MONTH;
            TeamMonth {
                rate_percent: if contracted > 0.0 {
                    (hours / contracted * 1000.0).round() / 10.0
                } else {
                    0.0
                },
                team,
                month,
                abstractions: n,
                hours: (hours * 10.0).round() / 10.0,
                officers,
            }
        })
        .collect()
}

/// Whether the signed-in person supervises `officer` (the directory says so), or commands.
pub(super) fn oversees(signed: &Signed, officer: &str, directory: &[OfficerEntry]) -> bool {
    match signed.staff.role {
        StaffRole::Gold | StaffRole::Silver | StaffRole::Bronze => true,
        StaffRole::Supervisor => directory
            .iter()
            .find(|d| d.officer == officer)
            .and_then(|d| d.supervisor.as_deref())
            .is_some_and(|s| signed.staff.officer.as_deref() == Some(s)),
        StaffRole::Admin | StaffRole::Officer => false,
    }
}

fn own(signed: &Signed, officer: &str) -> bool {
    signed.staff.officer.as_deref() == Some(officer)
}

fn board(s: &dyn Storage, signed: &Signed) -> Result<AbstractionBoard, ConsoleFailure> {
    let directory = s.officer_directory()?;
    let all = items(s)?;
    let now = Utc::now();
    let visible: Vec<&Item> = all
        .iter()
        .filter(|i| oversees(signed, &i.officer, &directory) || own(signed, &i.officer))
        .collect();
    let mut views: Vec<AbstractionView> = visible
        .iter()
        .map(|i| {
            let theirs: Vec<&Abstraction> = all
                .iter()
                .filter(|o| o.officer == i.officer)
                .map(|o| &o.abstraction)
                .collect();
            let entry = directory.iter().find(|d| d.officer == i.officer);
            AbstractionView {
                record_id: i.logged.revision.record_id,
                revision: i.logged.revision.id,
                officer: i.officer.clone(),
                officer_name: entry.map(|e| e.name.clone()),
                team: entry.map(|e| e.team.clone()),
                hours: (i.abstraction.hours(now) * 10.0).round() / 10.0,
                flags: flags(&i.abstraction, &theirs, now),
                may_decide: i.abstraction.decision.is_none()
                    && !own(signed, &i.officer)
                    && oversees(signed, &i.officer, &directory),
                abstraction: i.abstraction.clone(),
            }
        })
        .collect();
    // Awaiting a decision first, then flagged, then newest.
    views.sort_by_key(|v| {
        (
            v.abstraction.decision.is_some(),
            v.flags.is_empty(),
            std::cmp::Reverse(v.abstraction.starts_at),
        )
    });
    let pairs: Vec<(String, Abstraction)> = visible
        .iter()
        .map(|i| (i.officer.clone(), i.abstraction.clone()))
        .collect();
    Ok(AbstractionBoard {
        items: views,
        monthly: monthly(&pairs, &directory, now),
        contracted_hours_per_month: CONTRACTED_HOURS_PER_MONTH,
    })
}

async fn list(State(state): State<ConsoleState>, signed: Signed) -> Answer<AbstractionBoard> {
    require(&signed, Route::AbstractionList)?;
    Ok(Json(state.blocking(move |s| board(s, &signed)).await?))
}

async fn request(State(state): State<ConsoleState>, signed: Signed, body: Bytes) -> Answer<AbstractionBoard> {
    require(&signed, Route::AbstractionRequest)?;
    let new: NewAbstraction = form(&body)?;
    let author = author_of(&signed)?;
    let live = state.live.clone();
    let out = state
        .blocking(move |s| {
            let officer =
                OfficerId::new(new.officer.as_str()).map_err(|e| ConsoleFailure::field("officer", e.to_string()))?;
            let directory = s.officer_directory()?;
            if !directory.iter().any(|d| d.officer == officer.as_str()) {
                return Err(ConsoleFailure::field("officer", "must be an officer in the directory"));
            }
            if !oversees(&signed, officer.as_str(), &directory) {
                return Err(ConsoleFailure::field(
                    "officer",
                    "is not one of your officers: the directory names another supervisor",
                ));
            }
            let record = Record {
                operation_id: None,
                occurred_at: new.starts_at,
                location: None,
                sector: None,
                links: vec![],
                tags: vec![],
                attachments: vec![],
                body: Body::Abstraction(Abstraction {
                    from_duty: new.from_duty.trim().to_string(),
                    to_duty: new.to_duty.trim().to_string(),
                    authorised_by: String::new(),
                    reason: new.reason.trim().to_string(),
                    starts_at: new.starts_at,
                    ends_at: new.ends_at,
                    decision: None,
                }),
            };
            record.validate().map_err(validation)?;
            s.append_own(
                &[OwnRevision {
                    id: Uuid::now_v7(),
                    record_id: Uuid::now_v7(),
                    parent: None,
                    merges: None,
                    author,
                    reason: None,
                    record,
                    owner: Some(officer),
                }],
                &signed.staff.username,
            )?;
            board(s, &signed)
        })
        .await?;
    live.notify();
    Ok(Json(out))
}

async fn decide(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(record): Path<String>,
    body: Bytes,
) -> Answer<AbstractionBoard> {
    require(&signed, Route::AbstractionDecide)?;
    let record = parse_id(&record, "abstraction")?;
    let form: AbstractionDecide = form(&body)?;
    if form.outcome == AbstractionOutcome::Refused && form.note.trim().is_empty() {
        return Err(ConsoleFailure::field("note", "is required: say why it is refused"));
    }
    let author = author_of(&signed)?;
    let live = state.live.clone();
    let out = state
        .blocking(move |s| {
            let all = items(s)?;
            let item = all
                .into_iter()
                .find(|i| i.logged.revision.record_id == record)
                .ok_or_else(|| ConsoleFailure::NotFound(format!("abstraction {record}")))?;
            let directory = s.officer_directory()?;
            if own(&signed, &item.officer) {
                return Err(ConsoleFailure::Invalid {
                    message: "you cannot authorise or refuse your own abstraction: another supervisor must".into(),
                    fields: vec![],
                });
            }
            if !oversees(&signed, &item.officer, &directory) {
                return Err(ConsoleFailure::NotFound(format!("abstraction {record}")));
            }
            if let Some(d) = &item.abstraction.decision {
                return Err(StorageError::Conflict(format!(
                    "already {} by {} at {}",
                    d.outcome.label().to_lowercase(),
                    d.name,
                    d.at.format("%H:%M UTC on %d %b %Y")
                ))
                .into());
            }
            if item.logged.revision.id != form.revision {
                return Err(StorageError::Conflict(format!(
                    "abstraction {record} has changed since you loaded it: reload and look again"
                ))
                .into());
            }
            let name = signed_name(&signed);
            let mut next = item.abstraction.clone();
            if form.outcome == AbstractionOutcome::Authorised {
                next.authorised_by = name.clone();
            }
            next.decision = Some(AbstractionDecision {
                outcome: form.outcome,
                by: signed.staff.username.clone(),
                name,
                at: Utc::now(),
                note: form.note.trim().to_string(),
            });
            let mut rec = item.logged.revision.body.clone();
            rec.body = Body::Abstraction(next);
            rec.validate_edit(&item.logged.revision.body).map_err(validation)?;
            s.append_own(
                &[OwnRevision {
                    id: Uuid::now_v7(),
                    record_id: record,
                    parent: Some(item.logged.revision.id),
                    merges: None,
                    author,
                    reason: Some(form.outcome.label().to_lowercase()),
                    record: rec,
                    owner: None,
                }],
                &signed.staff.username,
            )?;
            board(s, &signed)
        })
        .await?;
    live.notify();
    Ok(Json(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn abstraction(day: u32, hours: i64, outcome: Option<AbstractionOutcome>) -> Abstraction {
        let start = Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap();
        Abstraction {
            from_duty: String::new(),
            to_duty: "Cordon".into(),
            authorised_by: String::new(),
            reason: "Rally".into(),
            starts_at: start,
            ends_at: Some(start + Duration::hours(hours)),
            decision: outcome.map(|outcome| AbstractionDecision {
                outcome,
                by: "ps".into(),
                name: "PS".into(),
                at: start,
                note: "n".into(),
            }),
        }
    }

    #[test]
    fn the_third_abstraction_in_30_days_and_one_longer_than_a_shift_are_flagged_and_refused_ones_are_not() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let a = abstraction(1, 4, None);
        let b = abstraction(10, 4, Some(AbstractionOutcome::Authorised));
        let refused = abstraction(12, 12, Some(AbstractionOutcome::Refused));
        let c = abstraction(20, 9, None);
        let theirs = [&a, &b, &refused, &c];
        assert!(flags(&a, &theirs, now).is_empty());
        assert!(flags(&b, &theirs, now).is_empty());
        assert!(flags(&refused, &theirs, now).is_empty(), "a refused one is neither");
        let f = flags(&c, &theirs, now);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].starts_with("prolonged: 9.0 h"));
        assert!(f[1].starts_with("repeated: 3 abstractions"));
    }

    #[test]
    fn the_monthly_rate_is_hours_over_the_teams_contracted_hours() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let entry = |o: &str| OfficerEntry {
            officer: o.into(),
            name: o.into(),
            rank: "PCSO".into(),
            role: "PCSO".into(),
            team: "Ladywood".into(),
            supervisor: None,
        };
        let directory = [entry("PCSO 1"), entry("PCSO 2")];
        let items = vec![
            ("PCSO 1".to_string(), abstraction(1, 10, None)),
            (
                "PCSO 2".to_string(),
                abstraction(2, 6, Some(AbstractionOutcome::Authorised)),
            ),
            (
                "PCSO 2".to_string(),
                abstraction(3, 50, Some(AbstractionOutcome::Refused)),
            ),
        ];
        let m = monthly(&items, &directory, now);
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].abstractions, m[0].hours, m[0].officers), (2, 16.0, 2));
        // 16 h of 2 × 162.5 h.
        assert_eq!(m[0].rate_percent, 4.9);
    }
}
