//! The console's JSON handlers. Each first checks its route in [`matrix`], then does one
//! storage call on a blocking thread; a form is validated whole (the core's validators for
//! records) and refused with every problem beside its field, with nothing written.

use super::live::{self, Next};
use super::matrix::{self, Route};
use super::model::*;
use super::sign_in::{self, Signed};
use super::{password, ConsoleFailure, ConsoleState};
use crate::storage::console::{OwnRevision, StaffAccount, StaffChange};
use crate::storage::{AuditSubject, RevocationReason, Storage};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::Utc;
use futures_util::stream::Stream;
use liaison_core::records::{Body, Record, ValidationError};
use liaison_core::OfficerId;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use uuid::Uuid;

pub(super) type Answer<T> = Result<Json<T>, ConsoleFailure>;

pub(super) fn api(state: ConsoleState) -> Router {
    Router::new()
        .route("/session", post(sign_in).get(me).delete(sign_out))
        .route("/staff", get(staff_list).post(staff_create))
        .route("/staff/{username}", put(staff_update))
        .route("/officers", get(officer_list))
        .route("/officers/{officer}", put(officer_put))
        .route("/operations", get(operation_list).post(operation_create))
        .route("/operations/{id}", get(operation_get).put(operation_edit))
        .route("/operations/{id}/picture", get(picture))
        .route("/operations/{id}/events", get(events))
        .route("/devices", get(device_list))
        .route("/enrolments", post(enrolment_issue))
        .route("/devices/{id}/revoke", post(device_revoke))
        .route("/reviews", get(review_list))
        .route("/reviews/{record}/decision", post(review_decide))
        .route("/audit", get(audit_export))
        .merge(super::tasking::routes())
        .merge(super::alerts::routes())
        .merge(super::abstractions::routes())
        .merge(super::continuity::routes())
        .merge(super::intelligence::routes())
        .merge(super::conflicts::routes())
        .merge(super::debrief::routes())
        .merge(super::exports::routes())
        .merge(super::media::routes())
        .with_state(state)
}

/// The route's roles, from the matrix.
pub(super) fn require(signed: &Signed, route: Route) -> Result<(), ConsoleFailure> {
    if matrix::allows(route, signed.staff.role) {
        Ok(())
    } else {
        Err(ConsoleFailure::Forbidden(signed.staff.role.as_str()))
    }
}

/// A JSON body read as a form: unreadable JSON is one problem, not a 422 of serde's words.
pub(super) fn form<T: DeserializeOwned>(body: &Bytes) -> Result<T, ConsoleFailure> {
    serde_json::from_slice(body).map_err(|e| ConsoleFailure::Invalid {
        message: format!("the form could not be read: {e}"),
        fields: vec![],
    })
}

pub(super) fn validation(e: ValidationError) -> ConsoleFailure {
    fn flatten(e: ValidationError, out: &mut Vec<FieldError>) {
        match e {
            ValidationError::Several(all) => all.into_iter().for_each(|e| flatten(e, out)),
            other => {
                let field = other.fields().first().map(|f| f.to_string()).unwrap_or_default();
                out.push(FieldError {
                    field,
                    message: other.to_string(),
                });
            }
        }
    }
    let mut fields = Vec::new();
    let message = format!("check the form: {e}");
    flatten(e, &mut fields);
    ConsoleFailure::Invalid { message, fields }
}

/// Collects a form's problems, then refuses them all at once.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    fn done(self) -> Result<(), ConsoleFailure> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(ConsoleFailure::Invalid {
            message: format!(
                "check the form: {}",
                self.0
                    .iter()
                    .map(|f| format!("{} {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            fields: self.0,
        })
    }
}

/// The client's address, when the server knows it (it always does when serving).
struct ClientAddr(IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ))
    }
}

fn me_of(signed: &Signed) -> Me {
    Me {
        staff: signed.staff.clone(),
        csrf: signed.csrf.clone(),
        expires_at: signed.expires_at,
    }
}

// --- sessions ---------------------------------------------------------------------------------

/// Whether the request says its body is JSON.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// The longest username a sign-in may carry; every account's is far shorter.
const MAX_SIGN_IN_NAME: usize = 128;

async fn sign_in(
    State(state): State<ConsoleState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_json(&headers) {
        // Signing in carries no CSRF token (there is no session yet). A page of another site
        // can still post a plain form here (text/plain, shaped as JSON), which would sign the
        // browser into an account of the sender's choosing or spend the office's sign-in
        // allowance; it cannot send application/json without a CORS preflight this server
        // never grants.
        return ConsoleFailure::Invalid {
            message: "sign in from the console's page: the request must be JSON (Content-Type: application/json)"
                .into(),
            fields: vec![],
        }
        .into_response();
    }
    match sign_in_inner(state, addr, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn sign_in_inner(state: ConsoleState, addr: IpAddr, body: Bytes) -> Result<Response, ConsoleFailure> {
    state.rates.check(addr)?;
    let form: SignIn = form(&body)?;
    let mut p = Problems::default();
    if form.username.trim().is_empty() {
        p.add("username", "is required");
    } else if form.username.chars().count() > MAX_SIGN_IN_NAME {
        // Refused before it is looked up: an unknown name is written to the audit chain.
        p.add(
            "username",
            format!("is too long (at most {MAX_SIGN_IN_NAME} characters)"),
        );
    }
    if form.password.is_empty() {
        p.add("password", "is required");
    }
    p.done()?;
    let token = sign_in::new_session_token();
    let hash = crate::auth::hash_secret(&token);
    let max_age = state.options.max_age;
    let expires_at = Utc::now() + chrono::Duration::from_std(max_age).unwrap_or_default();
    let authenticator = state.sign_in.clone();
    // Each hash takes 64 MiB: however many addresses are guessing, only so many run at once.
    let _hashing = state.hashing.acquire().await.map_err(|_| ConsoleFailure::Join)?;
    let staff = state
        .blocking(move |s| {
            let staff = authenticator.authenticate(form.username.trim(), &form.password)?;
            s.sign_in(&staff.username, &hash, expires_at)?;
            Ok(staff)
        })
        .await?;
    let me = Me {
        staff,
        csrf: sign_in::csrf_of(&token),
        expires_at,
    };
    let mut response = Json(me).into_response();
    if let Ok(v) = HeaderValue::from_str(&sign_in::cookie(&token, max_age)) {
        response.headers_mut().insert(SET_COOKIE, v);
    }
    Ok(response)
}

async fn me(signed: Signed) -> Answer<Me> {
    require(&signed, Route::Me)?;
    Ok(Json(me_of(&signed)))
}

async fn sign_out(State(state): State<ConsoleState>, signed: Signed) -> Result<Response, ConsoleFailure> {
    require(&signed, Route::SignOut)?;
    let (hash, who) = (signed.token_hash.clone(), signed.staff.username.clone());
    state.blocking(move |s| Ok(s.end_session(&hash, Some(&who))?)).await?;
    let mut response = axum::http::StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&sign_in::cookie("", std::time::Duration::ZERO)) {
        response.headers_mut().insert(SET_COOKIE, v);
    }
    Ok(response)
}

// --- staff and officers -----------------------------------------------------------------------

async fn staff_list(State(state): State<ConsoleState>, signed: Signed) -> Answer<Vec<Staff>> {
    require(&signed, Route::StaffList)?;
    Ok(Json(state.blocking(|s| Ok(s.staff()?)).await?))
}

/// The username rule ([`super::check_username`]), as a form problem.
fn check_username(username: &str, p: &mut Problems) {
    if let Err(e) = super::check_username(username) {
        p.add("username", e);
    }
}

async fn staff_create(State(state): State<ConsoleState>, signed: Signed, body: Bytes) -> Answer<Staff> {
    require(&signed, Route::StaffCreate)?;
    let new: NewStaff = form(&body)?;
    let mut p = Problems::default();
    check_username(&new.username, &mut p);
    if new.display_name.trim().is_empty() || new.display_name.chars().count() > 100 {
        p.add("display_name", "is required (at most 100 characters)");
    }
    if let Err(e) = password::check_new(&new.password, &new.username) {
        p.add("password", e);
    }
    let officer = staff_officer(new.officer.as_deref(), new.role, &mut p);
    p.done()?;
    let actor = signed.staff.username.clone();
    let staff = state
        .blocking(move |s| {
            officer_listed(s, &officer)?;
            // A username is the author of what its holder edits when they are no officer: it
            // must never read as an officer's collar number.
            if s.officer_directory()?
                .iter()
                .any(|e| e.officer.eq_ignore_ascii_case(&new.username))
            {
                return Err(ConsoleFailure::field(
                    "username",
                    "is an officer's id in the directory: choose another",
                ));
            }
            let password_hash = password::hash(&new.password).map_err(|e| ConsoleFailure::field("password", e))?;
            let account = StaffAccount {
                username: new.username.clone(),
                display_name: new.display_name.trim().to_string(),
                role: new.role,
                officer,
                password_hash,
            };
            s.add_staff(&account, &actor).map_err(|e| match e {
                crate::StorageError::Conflict(m) => ConsoleFailure::field("username", m),
                other => other.into(),
            })
        })
        .await?;
    Ok(Json(staff))
}

/// The officer an account belongs to, checked: a valid id, required for the officer role.
fn staff_officer(officer: Option<&str>, role: StaffRole, p: &mut Problems) -> Option<OfficerId> {
    match officer.map(str::trim).filter(|o| !o.is_empty()) {
        Some(o) => match OfficerId::new(o) {
            Ok(id) => Some(id),
            Err(e) => {
                p.add("officer", e.to_string());
                None
            }
        },
        None => {
            if role == StaffRole::Officer {
                p.add("officer", "is required for an officer's account: their collar number");
            }
            None
        }
    }
}

/// Refuses an account's officer who is not in the directory of officers.
fn officer_listed(s: &dyn Storage, officer: &Option<OfficerId>) -> Result<(), ConsoleFailure> {
    if let Some(o) = officer {
        if !s.officer_directory()?.iter().any(|e| e.officer == o.as_str()) {
            return Err(ConsoleFailure::field(
                "officer",
                "must be an officer in the directory first",
            ));
        }
    }
    Ok(())
}

async fn staff_update(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(username): Path<String>,
    body: Bytes,
) -> Answer<Staff> {
    require(&signed, Route::StaffUpdate)?;
    let change: StaffUpdate = form(&body)?;
    let mut p = Problems::default();
    if change.display_name.trim().is_empty() || change.display_name.chars().count() > 100 {
        p.add("display_name", "is required (at most 100 characters)");
    }
    let password = change.password.filter(|pw| !pw.is_empty());
    if let Some(pw) = &password {
        if let Err(e) = password::check_new(pw, &username) {
            p.add("password", e);
        }
    }
    let officer = staff_officer(change.officer.as_deref(), change.role, &mut p);
    if username.eq_ignore_ascii_case(&signed.staff.username) && (change.disabled || change.role != StaffRole::Admin) {
        p.add(
            "role",
            "an admin cannot disable their own account or take away their own admin role",
        );
    }
    p.done()?;
    let actor = signed.staff.username.clone();
    let staff = state
        .blocking(move |s| {
            officer_listed(s, &officer)?;
            if !s.staff()?.iter().any(|t| t.username.eq_ignore_ascii_case(&username)) {
                return Err(ConsoleFailure::NotFound(format!("staff account {username:?}")));
            }
            let password_hash = password
                .map(|pw| password::hash(&pw).map_err(|e| ConsoleFailure::field("password", e)))
                .transpose()?;
            let change = StaffChange {
                display_name: change.display_name.trim().to_string(),
                role: change.role,
                officer,
                disabled: change.disabled,
                password_hash,
            };
            Ok(s.update_staff(&username, &change, &actor)?)
        })
        .await?;
    Ok(Json(staff))
}

async fn officer_list(State(state): State<ConsoleState>, signed: Signed) -> Answer<Vec<OfficerEntry>> {
    require(&signed, Route::OfficerList)?;
    Ok(Json(state.blocking(|s| Ok(s.officer_directory()?)).await?))
}

async fn officer_put(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(officer): Path<String>,
    body: Bytes,
) -> Answer<OfficerEntry> {
    require(&signed, Route::OfficerPut)?;
    let mut entry: OfficerEntry = form(&body)?;
    let mut p = Problems::default();
    match OfficerId::new(entry.officer.as_str()) {
        Ok(id) => entry.officer = id.to_string(),
        Err(e) => p.add("officer", e.to_string()),
    }
    if entry.officer != officer.trim() {
        p.add("officer", "must match the address of the officer being edited");
    }
    for (field, value, max) in [
        ("name", &entry.name, 100),
        ("rank", &entry.rank, 40),
        ("role", &entry.role, 60),
        ("team", &entry.team, 60),
    ] {
        if value.trim().is_empty() && field != "team" {
            p.add(field, "is required");
        } else if value.chars().count() > max {
            p.add(field, format!("must be at most {max} characters"));
        }
    }
    entry.supervisor = entry.supervisor.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if entry.supervisor.as_deref() == Some(entry.officer.as_str()) {
        p.add("supervisor", "cannot be the officer themselves");
    }
    p.done()?;
    let actor = signed.staff.username.clone();
    let stored = entry.clone();
    state
        .blocking(move |s| {
            if let Some(sup) = &stored.supervisor {
                if !s.officer_directory()?.iter().any(|e| &e.officer == sup) {
                    return Err(ConsoleFailure::field(
                        "supervisor",
                        "must be an officer in the directory",
                    ));
                }
            }
            Ok(s.put_officer(&stored, &actor)?)
        })
        .await?;
    Ok(Json(entry))
}

// --- operations -------------------------------------------------------------------------------

/// Whether the signed-in person may see `operation`: everyone but officers sees all; an
/// officer, the operations they are assigned to.
pub(super) fn may_see(storage: &dyn Storage, staff: &Staff, operation: Uuid) -> Result<(), ConsoleFailure> {
    let ops = storage.operations()?;
    let Some((_, _, assigned)) = ops.iter().find(|(id, _, _)| *id == operation) else {
        return Err(ConsoleFailure::NotFound(format!("operation {operation}")));
    };
    if staff.role.sees_every_operation() || staff.officer.as_ref().is_some_and(|o| assigned.contains(o)) {
        Ok(())
    } else {
        Err(ConsoleFailure::NotFound(format!("operation {operation}")))
    }
}

async fn operation_list(State(state): State<ConsoleState>, signed: Signed) -> Answer<Vec<OperationSummary>> {
    require(&signed, Route::OperationList)?;
    let list = state
        .blocking(move |s| {
            let mut out = Vec::new();
            for (id, _, assigned) in s.operations()? {
                let visible = signed.staff.role.sees_every_operation()
                    || signed.staff.officer.as_ref().is_some_and(|o| assigned.contains(o));
                if !visible {
                    continue;
                }
                let log = live::operation_log(s, id)?;
                if let Some(v) = live::operation_view(&log, id) {
                    out.push(OperationSummary {
                        id,
                        name: v.operation.name,
                        starts_at: v.operation.starts_at,
                        ends_at: v.operation.ends_at,
                        sectors: v.operation.sectors.len() as u32,
                        team: v.operation.team.len() as u32,
                    });
                }
            }
            out.sort_by_key(|o| std::cmp::Reverse(o.starts_at));
            Ok(out)
        })
        .await?;
    Ok(Json(list))
}

async fn operation_get(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Answer<OperationView> {
    require(&signed, Route::OperationGet)?;
    let id = parse_id(&id, "operation")?;
    let view = state
        .blocking(move |s| {
            may_see(s, &signed.staff, id)?;
            live::operation_view(&live::operation_log(s, id)?, id)
                .ok_or_else(|| ConsoleFailure::NotFound(format!("operation {id}")))
        })
        .await?;
    Ok(Json(view))
}

pub(super) fn parse_id(id: &str, what: &str) -> Result<Uuid, ConsoleFailure> {
    Uuid::parse_str(id).map_err(|_| ConsoleFailure::NotFound(format!("{what} {id:?}")))
}

/// Who an edit made in the console is authored by: the person's officer id, else their
/// username.
pub(super) fn author_of(signed: &Signed) -> Result<OfficerId, ConsoleFailure> {
    OfficerId::new(
        signed
            .staff
            .officer
            .clone()
            .unwrap_or_else(|| signed.staff.username.clone()),
    )
    .map_err(|e| ConsoleFailure::Invalid {
        message: format!("this account cannot author records: {e}"),
        fields: vec![],
    })
}

/// Checks an operation as a record (the core's validators, geo included) and its team
/// against the directory; returns the record.
fn operation_record(storage: &dyn Storage, edit: &OperationEdit) -> Result<Record, ConsoleFailure> {
    let record = Record {
        operation_id: None,
        occurred_at: edit.operation.starts_at,
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::Operation(edit.operation.clone()),
    };
    record.validate().map_err(validation)?;
    let directory = storage.officer_directory()?;
    let mut p = Problems::default();
    for (i, m) in edit.operation.team.iter().enumerate() {
        if !directory.iter().any(|e| e.officer == m.officer.as_str()) {
            p.add(
                &format!("body.team[{i}].officer"),
                format!("{} is not in the directory of officers", m.officer),
            );
        }
    }
    if edit.reason.as_deref().is_some_and(|r| r.chars().count() > 500) {
        p.add("reason", "must be at most 500 characters");
    }
    p.done()?;
    Ok(record)
}

async fn operation_create(State(state): State<ConsoleState>, signed: Signed, body: Bytes) -> Answer<OperationView> {
    require(&signed, Route::OperationCreate)?;
    let edit: OperationEdit = form(&body)?;
    if edit.parent.is_some() {
        return Err(ConsoleFailure::field("parent", "must be empty for a new operation"));
    }
    let author = author_of(&signed)?;
    let live = state.live.clone();
    let view = state
        .blocking(move |s| {
            let record = operation_record(s, &edit)?;
            let id = Uuid::now_v7();
            let own = OwnRevision {
                id,
                record_id: id,
                parent: None,
                merges: None,
                author,
                reason: None,
                record,
                owner: None,
            };
            s.append_own(&[own], &signed.staff.username)?;
            live::operation_view(&live::operation_log(s, id)?, id)
                .ok_or_else(|| ConsoleFailure::NotFound(format!("operation {id}")))
        })
        .await?;
    live.notify();
    Ok(Json(view))
}

async fn operation_edit(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer<OperationView> {
    require(&signed, Route::OperationEdit)?;
    let id = parse_id(&id, "operation")?;
    let edit: OperationEdit = form(&body)?;
    let Some(parent) = edit.parent else {
        return Err(ConsoleFailure::field(
            "parent",
            "is required: the revision the edit was made from",
        ));
    };
    let author = author_of(&signed)?;
    let live = state.live.clone();
    let view = state
        .blocking(move |s| {
            may_see(s, &signed.staff, id)?;
            let record = operation_record(s, &edit)?;
            let own = OwnRevision {
                id: Uuid::now_v7(),
                record_id: id,
                parent: Some(parent),
                merges: None,
                author,
                reason: edit.reason.clone().filter(|r| !r.trim().is_empty()),
                record,
                owner: None,
            };
            s.append_own(&[own], &signed.staff.username)?;
            live::operation_view(&live::operation_log(s, id)?, id)
                .ok_or_else(|| ConsoleFailure::NotFound(format!("operation {id}")))
        })
        .await?;
    live.notify();
    Ok(Json(view))
}

async fn picture(State(state): State<ConsoleState>, signed: Signed, Path(id): Path<String>) -> Answer<Picture> {
    require(&signed, Route::Picture)?;
    let id = parse_id(&id, "operation")?;
    Ok(Json(
        state
            .blocking(move |s| {
                may_see(s, &signed.staff, id)?;
                live::picture(s, id)
            })
            .await?,
    ))
}

#[derive(Deserialize)]
struct EventsQuery {
    /// Where to start when there is no `Last-Event-ID` (the picture's position).
    after: Option<i64>,
}

async fn events(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<EventsQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ConsoleFailure> {
    require(&signed, Route::Events)?;
    let id = parse_id(&id, "operation")?;
    let session = signed.token_hash.clone();
    state.blocking(move |s| may_see(s, &signed.staff, id)).await?;
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
    let stream = event_stream(state, id, start, wake, session);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15))))
}

/// A stream's place: what it sent last, and what it has read but not sent.
struct Cursor {
    state: ConsoleState,
    operation: Uuid,
    after: i64,
    queue: std::collections::VecDeque<Event>,
    done: bool,
    wake: tokio::sync::watch::Receiver<u64>,
    /// The SHA-256 of the session's cookie, looked up again before each read.
    session: Vec<u8>,
}

/// Why a live page may no longer watch an operation, or None while it may: its session still
/// exists (not signed out, nor ended by disabling the account or setting its password), is
/// within its maximum age, and its holder may still see the operation (an officer taken off
/// its team may not). The idle limit is not applied: a page open on the live picture is in use.
fn watch_refused(s: &dyn Storage, session: &[u8], operation: Uuid) -> Result<Option<&'static str>, ConsoleFailure> {
    let ended = "your session has ended: sign in again";
    let Some(stored) = s.session(session)? else {
        return Ok(Some(ended));
    };
    if stored.expires_at <= Utc::now() || stored.staff.disabled {
        return Ok(Some(ended));
    }
    match may_see(s, &stored.staff, operation) {
        Ok(()) => Ok(None),
        Err(ConsoleFailure::NotFound(_)) => Ok(Some("this operation is no longer open to you")),
        Err(e) => Err(e),
    }
}

/// The stream: replay after `start`, then wait to be woken (or [`live::POLL`]) and send what
/// is new; `reload` when too far behind (or the log cannot be read), and stop. Before each
/// read the session and the person's sight of the operation are checked again
/// ([`watch_refused`]), so signing out, a disabled account or an officer taken off the team
/// ends an open stream within [`live::POLL`].
fn event_stream(
    state: ConsoleState,
    operation: Uuid,
    start: i64,
    wake: tokio::sync::watch::Receiver<u64>,
    session: Vec<u8>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let cursor = Cursor {
        state,
        operation,
        after: start,
        queue: Default::default(),
        done: false,
        wake,
        session,
    };
    futures_util::stream::unfold(cursor, |mut c| async move {
        loop {
            if let Some(e) = c.queue.pop_front() {
                return Some((Ok(e), c));
            }
            if c.done {
                return None;
            }
            let (from, operation, max) = (c.after, c.operation, c.state.options.replay_max);
            let session = c.session.clone();
            let next = c
                .state
                // Read first, then check sight: anything read was committed before the check,
                // so a team change committed with an edit is seen by the check, and the edit
                // is never sent to someone the same change took off the team.
                .blocking(move |s| {
                    let next = live::since(s, operation, from, max)?;
                    match watch_refused(s, &session, operation)? {
                        Some(why) => Ok(Err(why)),
                        None => Ok(Ok(next)),
                    }
                })
                .await;
            match next {
                Ok(Err(why)) => {
                    c.queue
                        .push_back(Event::default().event("reload").data(format!("{why}.")));
                    c.done = true;
                }
                Ok(Ok(Next::Records(records))) if records.is_empty() => {
                    let _ = tokio::time::timeout(live::POLL, c.wake.changed()).await;
                }
                Ok(Ok(Next::Records(records))) => {
                    for r in records {
                        c.after = r.position;
                        let data = serde_json::to_string(&r).unwrap_or_default();
                        c.queue
                            .push_back(Event::default().event("record").id(r.position.to_string()).data(data));
                    }
                }
                Ok(Ok(Next::Reload)) => {
                    c.queue.push_back(
                        Event::default()
                            .event("reload")
                            .data("this page fell too far behind the live picture: reload it to catch up"),
                    );
                    c.done = true;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "console event stream failed");
                    c.queue.push_back(
                        Event::default()
                            .event("reload")
                            .data("the live picture was interrupted: reload it"),
                    );
                    c.done = true;
                }
            }
        }
    })
}

// --- tablets ----------------------------------------------------------------------------------

async fn device_list(State(state): State<ConsoleState>, signed: Signed) -> Answer<Vec<DeviceView>> {
    require(&signed, Route::DeviceList)?;
    Ok(Json(state.blocking(|s| Ok(s.devices()?)).await?))
}

async fn enrolment_issue(State(state): State<ConsoleState>, signed: Signed, body: Bytes) -> Answer<EnrolmentIssued> {
    require(&signed, Route::EnrolmentIssue)?;
    let req: EnrolmentRequest = form(&body)?;
    let officer = OfficerId::new(req.officer.as_str()).map_err(|e| ConsoleFailure::field("officer", e.to_string()))?;
    let Some(target) = state.options.enrolment.clone() else {
        return Err(ConsoleFailure::Invalid {
            message: "this server was started without --public-url, so it cannot say where tablets should sync: \
                      restart it with --public-url (and --ca for https)"
                .into(),
            fields: vec![],
        });
    };
    let valid = chrono::Duration::from_std(state.options.enrolment_valid).unwrap_or_default();
    let actor = signed.staff.username.clone();
    let issued = state
        .blocking(move |s| {
            if !s.officer_directory()?.iter().any(|e| e.officer == officer.as_str()) {
                return Err(ConsoleFailure::field("officer", "must be an officer in the directory"));
            }
            let code = crate::auth::new_enrollment_code();
            let enrolment = liaison_core::sync::Enrolment {
                server_url: target.server_url.clone(),
                code: code.clone(),
                ca_der: target.ca_der.clone(),
            };
            let text = enrolment.to_string();
            let qr = qrcode::QrCode::with_error_correction_level(&text, qrcode::EcLevel::L).map_err(|e| {
                ConsoleFailure::Invalid {
                    message: format!("the enrolment string is too long for a QR code: {e}"),
                    fields: vec![],
                }
            })?;
            let qr_svg = qr
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(240, 240)
                .build();
            let expires_at = Utc::now() + valid;
            s.log_console(
                &actor,
                "enrollment_issued",
                None,
                &format!("enrolment issued for {officer}, valid until {expires_at}"),
                "enrollment",
            )?;
            s.add_enrollment_code(
                &crate::auth::hash_secret(&crate::auth::normalise_code(&code)),
                officer.as_str(),
                expires_at,
            )?;
            Ok(EnrolmentIssued {
                officer: officer.to_string(),
                enrolment_string: text,
                qr_svg,
                expires_at,
            })
        })
        .await?;
    Ok(Json(issued))
}

async fn device_revoke(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer<DeviceView> {
    require(&signed, Route::DeviceRevoke)?;
    let id = parse_id(&id, "device")?;
    let req: RevokeRequest = form(&body)?;
    let reason = RevocationReason::parse(req.reason.trim())
        .ok_or_else(|| ConsoleFailure::field("reason", "must be lost, stolen or retired"))?;
    let actor = signed.staff.username.clone();
    let device = state
        .blocking(move |s| {
            s.revoke_device_by(id, reason, &actor)?;
            s.devices()?
                .into_iter()
                .find(|d| d.device_id == id)
                .ok_or_else(|| ConsoleFailure::NotFound(format!("device {id}")))
        })
        .await?;
    Ok(Json(device))
}

// --- governance -------------------------------------------------------------------------------

async fn review_list(State(state): State<ConsoleState>, signed: Signed) -> Answer<Vec<ReviewView>> {
    require(&signed, Route::ReviewList)?;
    let actor = signed.staff.username.clone();
    let list = state
        .blocking(move |s| {
            // What is due now under the retention policy, as `review --due` computes it: records
            // newly due are flagged (and that is logged); nothing is deleted.
            s.flag_reviews_due(liaison_core::retention::RetentionPolicy::embedded(), Utc::now(), &actor)?;
            let decisions: std::collections::HashMap<Uuid, ReviewDecisionView> =
                s.review_decisions()?.into_iter().collect();
            let mut latest: std::collections::BTreeMap<Uuid, ReviewView> = std::collections::BTreeMap::new();
            for item in s.review_flags()? {
                latest.insert(
                    item.record_id,
                    ReviewView {
                        record_id: item.record_id,
                        kind: item.kind,
                        class: item.class,
                        operation_id: item.operation_id,
                        last_change: item.last_change,
                        review_date: item.review_date,
                        decision: decisions.get(&item.record_id).cloned(),
                    },
                );
            }
            let mut out: Vec<ReviewView> = latest.into_values().collect();
            out.sort_by_key(|r| (r.decision.is_some(), r.review_date));
            Ok(out)
        })
        .await?;
    Ok(Json(list))
}

async fn review_decide(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(record): Path<String>,
    body: Bytes,
) -> Answer<ReviewDecisionView> {
    require(&signed, Route::ReviewDecide)?;
    let record = parse_id(&record, "record")?;
    let decision: ReviewDecision = form(&body)?;
    let mut p = Problems::default();
    if !["retain", "erase", "extend"].contains(&decision.decision.as_str()) {
        p.add("decision", "must be retain, erase or extend");
    }
    let n = decision.rationale.trim().chars().count();
    if n == 0 || n > 2000 {
        p.add(
            "rationale",
            "is required (at most 2000 characters): why, under the policy",
        );
    }
    p.done()?;
    let actor = signed.staff.username.clone();
    Ok(Json(
        state
            .blocking(move |s| Ok(s.decide_review(record, &decision, &actor)?))
            .await?,
    ))
}

#[derive(Deserialize)]
struct AuditQuery {
    kind: Option<String>,
    id: Option<String>,
    purpose: Option<String>,
}

async fn audit_export(
    State(state): State<ConsoleState>,
    signed: Signed,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ConsoleFailure> {
    require(&signed, Route::AuditExport)?;
    let mut p = Problems::default();
    let id = q.id.as_deref().and_then(|i| Uuid::parse_str(i.trim()).ok());
    if id.is_none() {
        p.add("id", "must be the id of an operation or a record");
    }
    let purpose = q.purpose.unwrap_or_default().trim().to_string();
    if purpose.is_empty() || purpose.chars().count() > 500 {
        p.add(
            "purpose",
            "is required: why the trail is being disclosed (logged with the export)",
        );
    }
    // A bad id is one problem: the kind is not blamed for it.
    let subject: Option<fn(Uuid) -> AuditSubject> = match q.kind.as_deref() {
        Some("operation") => Some(AuditSubject::Operation),
        Some("record") => Some(AuditSubject::Record),
        _ => {
            p.add("kind", "must be operation or record");
            None
        }
    };
    p.done()?;
    let (Some(subject), Some(id)) = (subject, id) else {
        return Err(ConsoleFailure::Join); // p.done() has refused a missing kind or id
    };
    let subject = subject(id);
    let actor = signed.staff.username.clone();
    let trail = state
        .blocking(move |s| Ok(s.audit_trail(subject, &actor, &purpose)?))
        .await?;
    let mut response = Json(trail).into_response();
    response.headers_mut().insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"audit-trail.json\""),
    );
    Ok(response)
}
