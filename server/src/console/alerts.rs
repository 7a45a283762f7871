//! Escalations as alerts: whom each is addressed to, acknowledging and answering them, the
//! event stream that wakes an open alerts page, and the rule that sends an unacknowledged
//! escalation to the next role up.
//!
//! Every act is a revision of the escalation in the server's own chain, authored by the
//! person who acted (the step up by `liaison-server`), and reaches the officer's tablet by
//! the ordinary pull: an author-only escalation is pulled by its author whoever wrote the
//! revision (storage schema 6).
//!
//! Who sees what: a supervisor sees the escalations of the officers the directory names them
//! supervisor of (any supervisor, for an officer with none listed) while they are with the
//! supervisor role, and those that name them; commanders (Bronze, Silver, Gold) see all, and
//! act on those with a role at or below their own. The person an escalation names may act on
//! it.

use super::matrix::Route;
use super::model::{AlertAcknowledge, AlertResponse, AlertView, Alerts, OfficerEntry, StaffRole};
use super::routes::{author_of, form, require, Answer};
use super::sign_in::Signed;
use super::{live, ConsoleFailure, ConsoleState};
use crate::storage::console::{Logged, OwnRevision};
use crate::storage::{Storage, StorageError};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use futures_util::stream::Stream;
use liaison_core::records::{Acknowledgement, Body, Escalation, EscalationStep, EscalationTo, RecordKind};
use liaison_core::OfficerId;
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::{Arc, Weak};
use std::time::Duration;
use uuid::Uuid;

/// Who the server's own steps up the chain are authored by.
pub const RULE_AUTHOR: &str = "liaison-server";
const PAGE: u32 = 500;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new()
        .route("/alerts", get(list))
        .route("/alerts/events", get(events))
        .route("/alerts/{record}/acknowledge", post(acknowledge))
        .route("/alerts/{record}/response", post(respond))
}

/// A role's place in the chain of command: who may act on what.
fn rank_of_role(role: StaffRole) -> u8 {
    match role {
        StaffRole::Supervisor => 1,
        StaffRole::Bronze => 2,
        StaffRole::Silver => 3,
        StaffRole::Gold => 4,
        StaffRole::Admin | StaffRole::Officer => 0,
    }
}

fn rank_of_addressee(to: EscalationTo) -> u8 {
    match to {
        EscalationTo::Supervisor => 1,
        EscalationTo::Bronze | EscalationTo::DutyInspector => 2,
        EscalationTo::Silver => 3,
        EscalationTo::Gold => 4,
    }
}

/// The person looking, as the alerts rule needs them.
struct Viewer {
    username: String,
    officer: Option<String>,
    role: StaffRole,
}

impl Viewer {
    fn of(signed: &Signed) -> Viewer {
        Viewer {
            username: signed.staff.username.clone(),
            officer: signed.staff.officer.clone(),
            role: signed.staff.role,
        }
    }

    fn named(&self, who: &str) -> bool {
        let who = who.trim();
        !who.is_empty() && (who == self.username || self.officer.as_deref() == Some(who))
    }

    /// (for me, may act, may see).
    fn standing(&self, e: &Escalation, author: &str, directory: &[OfficerEntry]) -> (bool, bool, bool) {
        let named = self.named(&e.addressed_person);
        let rank = rank_of_role(self.role);
        let Some(to) = e.current_addressee() else {
            // Told in words only (a record from before addressing): commanders see it.
            return (named, named || rank >= 2, named || rank >= 2);
        };
        let their_supervisor = directory
            .iter()
            .find(|d| d.officer == author)
            .and_then(|d| d.supervisor.as_deref());
        let for_me = named
            || match to {
                EscalationTo::Supervisor => match their_supervisor {
                    Some(s) => self.officer.as_deref() == Some(s),
                    None => self.role == StaffRole::Supervisor,
                },
                EscalationTo::Bronze | EscalationTo::DutyInspector => self.role == StaffRole::Bronze,
                EscalationTo::Silver => self.role == StaffRole::Silver,
                EscalationTo::Gold => self.role == StaffRole::Gold,
            };
        // A supervisor acts on their own officers' escalations (or what names them); a
        // commander on anything at or below their rank. Another team's sergeant neither sees
        // nor silences it.
        let may_act = for_me || (rank >= 2 && rank >= rank_of_addressee(to));
        (for_me, may_act, may_act || rank >= 2)
    }
}

/// Every escalation's current revision, and the log position read up to.
fn current_escalations(s: &dyn Storage) -> Result<(Vec<Logged>, i64), ConsoleFailure> {
    current_of_kind(s, RecordKind::Escalation)
}

/// The current revision of every record of `kind`, and the log position read up to.
pub(super) fn current_of_kind(s: &dyn Storage, kind: RecordKind) -> Result<(Vec<Logged>, i64), ConsoleFailure> {
    let (all, after) = log_of_kind(s, kind)?;
    Ok((live::current(all), after))
}

/// Every revision of every record of `kind`, in log order, and the log position read up to.
pub(super) fn log_of_kind(s: &dyn Storage, kind: RecordKind) -> Result<(Vec<Logged>, i64), ConsoleFailure> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = s.kind_log(kind, after, PAGE)?;
        let full = page.len() == PAGE as usize;
        if let Some(last) = page.last() {
            after = last.position;
        }
        all.extend(page);
        if !full {
            break;
        }
    }
    Ok((all, after))
}

fn escalation_of(l: &Logged) -> Option<&Escalation> {
    match &l.revision.body.body {
        Body::Escalation(e) => Some(e),
        _ => None,
    }
}

fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    })
}

fn alerts_for(s: &dyn Storage, viewer: &Viewer, escalate_after: Duration) -> Result<Alerts, ConsoleFailure> {
    let (current, position) = current_escalations(s)?;
    let directory = s.officer_directory()?;
    let now = Utc::now();
    let mut alerts: Vec<AlertView> = Vec::new();
    let mut times = Vec::new();
    for l in &current {
        let Some(e) = escalation_of(l) else { continue };
        // The officer is the record's first author: the author of the earliest revision is
        // not at hand here, so the author of a revision the tablet made (not the console's).
        let officer = first_author(s, l)?;
        let (for_me, may_act, may_see) = viewer.standing(e, &officer, &directory);
        if let Some(t) = e.time_to_acknowledge_s() {
            times.push(t);
        }
        if !may_see {
            continue;
        }
        alerts.push(AlertView {
            record_id: l.revision.record_id,
            revision: l.revision.id,
            officer_name: directory.iter().find(|d| d.officer == officer).map(|d| d.name.clone()),
            officer,
            operation: l.revision.body.operation_id,
            addressee: e.current_addressee(),
            for_me,
            may_act: may_act && e.decision.is_none(),
            waiting_s: e
                .acknowledged
                .is_none()
                .then(|| (now - e.waiting_since()).num_seconds().max(0)),
            time_to_acknowledge_s: e.time_to_acknowledge_s(),
            escalation: e.clone(),
        });
    }
    // Unacknowledged first (longest waiting first), then the rest newest first.
    alerts.sort_by_key(|a| {
        (
            a.escalation.acknowledged.is_some(),
            std::cmp::Reverse(a.waiting_s.unwrap_or(0)),
            std::cmp::Reverse(a.escalation.told_at),
        )
    });
    Ok(Alerts {
        alerts,
        position,
        median_time_to_acknowledge_s: median(times),
        escalate_after_s: escalate_after.as_secs() as i64,
    })
}

/// The officer a record belongs to: the author of its first revision (or the owner the
/// console bound it to).
pub(super) fn first_author(s: &dyn Storage, l: &Logged) -> Result<String, ConsoleFailure> {
    Ok(s.record_author(l.revision.record_id)?
        .unwrap_or_else(|| l.revision.author.to_string()))
}

async fn list(State(state): State<ConsoleState>, signed: Signed) -> Answer<Alerts> {
    require(&signed, Route::AlertList)?;
    let viewer = Viewer::of(&signed);
    let after = state.options.escalate_after;
    Ok(Json(state.blocking(move |s| alerts_for(s, &viewer, after)).await?))
}

/// The escalation's current revision, checked against what the person saw and may do.
fn current_for_act(
    s: &dyn Storage,
    viewer: &Viewer,
    record: Uuid,
    seen: Uuid,
) -> Result<(Logged, Escalation), ConsoleFailure> {
    let (current, _) = current_escalations(s)?;
    let l = current
        .into_iter()
        .find(|l| l.revision.record_id == record)
        .ok_or_else(|| ConsoleFailure::NotFound(format!("escalation {record}")))?;
    let e = escalation_of(&l)
        .cloned()
        .expect("an escalation's log holds escalations");
    let officer = first_author(s, &l)?;
    let (_, may_act, may_see) = viewer.standing(&e, &officer, &s.officer_directory()?);
    if !may_see {
        return Err(ConsoleFailure::NotFound(format!("escalation {record}")));
    }
    if !may_act {
        return Err(ConsoleFailure::Invalid {
            message: format!(
                "this escalation is with {}: your role cannot act on it",
                e.current_addressee().map_or("command", |t| t.label())
            ),
            fields: vec![],
        });
    }
    if l.revision.id != seen {
        return Err(StorageError::Conflict(format!(
            "escalation {record} has changed since you loaded it: reload the alerts and look again"
        ))
        .into());
    }
    Ok((l, e))
}

fn acknowledgement(signed: &Signed, at: DateTime<Utc>) -> Acknowledgement {
    Acknowledgement {
        by: signed.staff.username.clone(),
        name: signed_name(signed),
        at,
    }
}

/// The signed-in person as an officer reads them on a decision: "name (role)".
pub(super) fn signed_name(signed: &Signed) -> String {
    format!("{} ({})", signed.staff.display_name, role_name(signed.staff.role))
}

fn role_name(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Gold => "Gold",
        StaffRole::Silver => "Silver",
        StaffRole::Bronze => "Bronze",
        StaffRole::Supervisor => "supervisor",
        StaffRole::Admin => "force IT",
        StaffRole::Officer => "officer",
    }
}

/// Writes `next` as the escalation's next revision, authored by `author`.
fn write(
    s: &dyn Storage,
    l: &Logged,
    next: Escalation,
    author: OfficerId,
    reason: &str,
    actor: &str,
) -> Result<(), ConsoleFailure> {
    let mut record = l.revision.body.clone();
    record.body = Body::Escalation(next);
    record
        .validate_edit(&l.revision.body)
        .map_err(super::routes::validation)?;
    s.append_own(
        &[OwnRevision {
            id: Uuid::now_v7(),
            record_id: l.revision.record_id,
            parent: Some(l.revision.id),
            merges: None,
            author,
            reason: Some(reason.into()),
            record,
            owner: None,
        }],
        actor,
    )?;
    Ok(())
}

async fn acknowledge(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(record): Path<String>,
    body: Bytes,
) -> Answer<Alerts> {
    require(&signed, Route::AlertAcknowledge)?;
    let record = super::routes::parse_id(&record, "escalation")?;
    let form: AlertAcknowledge = form(&body)?;
    let author = author_of(&signed)?;
    let (viewer, after, live) = (Viewer::of(&signed), state.options.escalate_after, state.live.clone());
    let out = state
        .blocking(move |s| {
            let (l, mut e) = current_for_act(s, &viewer, record, form.revision)?;
            if let Some(a) = &e.acknowledged {
                return Err(StorageError::Conflict(format!(
                    "already acknowledged by {} at {}",
                    a.name,
                    a.at.format("%H:%M:%S UTC on %d %b %Y")
                ))
                .into());
            }
            e.acknowledged = Some(acknowledgement(&signed, Utc::now()));
            write(s, &l, e, author, "acknowledged", &signed.staff.username)?;
            alerts_for(s, &viewer, after)
        })
        .await?;
    live.notify();
    Ok(Json(out))
}

async fn respond(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(record): Path<String>,
    body: Bytes,
) -> Answer<Alerts> {
    require(&signed, Route::AlertRespond)?;
    let record = super::routes::parse_id(&record, "escalation")?;
    let form: AlertResponse = form(&body)?;
    if form.rationale.trim().is_empty() {
        return Err(ConsoleFailure::field("rationale", "is required: say why"));
    }
    let author = author_of(&signed)?;
    let (viewer, after, live) = (Viewer::of(&signed), state.options.escalate_after, state.live.clone());
    let out = state
        .blocking(move |s| {
            let (l, mut e) = current_for_act(s, &viewer, record, form.revision)?;
            if let Some(d) = e.decision {
                return Err(
                    StorageError::Conflict(format!("already answered by {}: {}", e.responded_by, d.label())).into(),
                );
            }
            let now = Utc::now();
            if e.acknowledged.is_none() {
                e.acknowledged = Some(acknowledgement(&signed, now));
            }
            e.decision = Some(form.decision);
            e.response = form.rationale.trim().to_string();
            e.response_at = Some(now);
            e.responded_by = acknowledgement(&signed, now).name;
            write(s, &l, e, author, "answered", &signed.staff.username)?;
            alerts_for(s, &viewer, after)
        })
        .await?;
    live.notify();
    Ok(Json(out))
}

#[derive(Deserialize)]
struct EventsQuery {
    after: Option<i64>,
}

/// Wakes an open alerts page: an `alert` event (id = log position) whenever an escalation's
/// revision is stored after `after`; the page then reads `/alerts` again. Ends with `reload`
/// when the session ends.
async fn events(
    State(state): State<ConsoleState>,
    signed: Signed,
    Query(q): Query<EventsQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ConsoleFailure> {
    require(&signed, Route::AlertEvents)?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let start = match resume.or(q.after) {
        Some(p) => p,
        None => state.blocking(|s| Ok(s.log_position()?)).await?,
    };
    let mut wake = state.live.subscribe();
    wake.mark_unchanged();
    let session = signed.token_hash.clone();
    let stream = futures_util::stream::unfold(
        (state, start, wake, session, false),
        |(state, after, mut wake, session, done)| async move {
            if done {
                return None;
            }
            loop {
                let sess = session.clone();
                let next = state
                    .blocking(move |s| {
                        let live = s
                            .session(&sess)?
                            .is_some_and(|st| st.expires_at > Utc::now() && !st.staff.disabled);
                        if !live {
                            return Ok(None);
                        }
                        Ok(Some(s.kind_log(RecordKind::Escalation, after, PAGE)?))
                    })
                    .await;
                match next {
                    Ok(Some(page)) if page.is_empty() => {
                        let _ = tokio::time::timeout(live::POLL, wake.changed()).await;
                    }
                    Ok(Some(page)) => {
                        let last = page.last().map_or(after, |l| l.position);
                        let e = Event::default()
                            .event("alert")
                            .id(last.to_string())
                            .data(page.len().to_string());
                        return Some((Ok(e), (state, last, wake, session, false)));
                    }
                    Ok(None) => {
                        let e = Event::default()
                            .event("reload")
                            .data("your session has ended: sign in again.");
                        return Some((Ok(e), (state, after, wake, session, true)));
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "console alert stream failed");
                        let e = Event::default()
                            .event("reload")
                            .data("the alerts were interrupted: reload the page");
                        return Some((Ok(e), (state, after, wake, session, true)));
                    }
                }
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Sends every escalation that has waited `after` with its current addressee, unacknowledged,
/// to the next role up: one revision each, authored by [`RULE_AUTHOR`]. Returns how many.
pub fn escalate_overdue(s: &dyn Storage, after: Duration, now: DateTime<Utc>) -> Result<usize, ConsoleFailure> {
    let (current, _) = current_escalations(s)?;
    let wait = chrono::Duration::from_std(after).unwrap_or(chrono::Duration::MAX);
    let mut moved = 0;
    for l in &current {
        let Some(e) = escalation_of(l) else { continue };
        if e.acknowledged.is_some() || e.waiting_since() + wait > now {
            continue;
        }
        let Some(next) = e.current_addressee().and_then(EscalationTo::next_up) else {
            continue;
        };
        let mut stepped = e.clone();
        stepped.escalated.push(EscalationStep {
            to: next,
            at: now,
            reason: format!(
                "Not acknowledged by {} within {} min",
                e.current_addressee().map_or("its addressee", |t| t.label()),
                after.as_secs().div_ceil(60)
            ),
        });
        let author = OfficerId::new(RULE_AUTHOR).expect("the rule's author is a valid id");
        match write(s, l, stepped, author, "not acknowledged in time: sent up", RULE_AUTHOR) {
            Ok(()) => moved += 1,
            // Acknowledged or edited in the meantime: looked at again on the next round.
            Err(ConsoleFailure::Storage(StorageError::Conflict(_))) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(moved)
}

/// Runs [`escalate_overdue`] every few seconds for as long as the storage is in use (it stops
/// once the server that owns `storage` has gone).
pub fn spawn_escalation_rule(storage: Weak<dyn Storage>, live: live::Live, after: Duration) {
    let tick = (after / 4).clamp(Duration::from_millis(200), Duration::from_secs(15));
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(tick);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let Some(s) = storage.upgrade() else { return };
            let res = tokio::task::spawn_blocking(move || escalate_overdue(s.as_ref(), after, Utc::now())).await;
            match res {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => {
                    tracing::info!(escalations = n, "unacknowledged escalations sent to the next role up");
                    live.notify();
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "the escalation rule failed; it runs again shortly"),
                Err(_) => return,
            }
        }
    });
}

/// Keeps only a weak hold on the storage for the rule.
pub fn weak(storage: &Arc<dyn Storage>) -> Weak<dyn Storage> {
    Arc::downgrade(storage)
}
