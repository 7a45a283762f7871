//! The HTTP API. Handlers are thin: authenticate, decode the body with the shared protocol
//! module, call [`Storage`] on a blocking thread (SQLite and hashing are CPU and disk work),
//! encode the answer. Every error is an [`ErrorBody`] with a code and a message.
//!
//! # Revoked devices
//!
//! Every refusal of a revoked device carries [`ErrorCode::Revoked`] (or, for single revisions
//! of a push, `RejectReason::Revoked`), so the device knows to wipe itself:
//!
//! - lost or stolen: nothing is accepted, not even a push (the token may be in hostile hands);
//! - retired: one final push is still taken, of revisions recorded at or before the
//!   revocation time (chain checks as usual; later revisions are refused one by one); pull and
//!   enrollment are refused. The device pushes, is then refused its pull, and wipes.

use crate::auth;
use crate::limits::{Limits, RateLimits};
use crate::storage::{DeviceAuth, RevocationReason, Storage, StorageError};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Query, Request, State};
use axum::http::header::{ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::Utc;
use liaison_core::sync::protocol::{
    self, EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, PullQuery, PullResponse, PushRequest, PushResponse,
    WireError, ENROLL_PATH, MAX_BODY_BYTES, MAX_PUSH_REVISIONS, OPENAPI_PATH, PULL_PATH, PUSH_PATH, ZSTD,
};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use utoipa::OpenApi;

/// Shared by every handler.
pub mod media;

#[derive(Clone)]
pub struct AppState {
    storage: Arc<dyn Storage>,
    /// Where the files records name are kept (None: this server keeps none).
    media: Option<Arc<dyn crate::media::MediaStore>>,
    /// What one device may keep in `media`.
    media_quota: u64,
    /// Storage work (decoding, hashing, SQLite) runs on blocking threads; this bounds how many
    /// at once. Fifty tablets arriving together then queue in order instead of fifty threads
    /// sharing the cores, each finishing last.
    work: Arc<tokio::sync::Semaphore>,
    rates: Arc<RateLimits>,
    /// Wakes the console's live pages when a push stored something.
    live: crate::console::live::Live,
    /// What each device last reported (app version, waiting count) and when it was written,
    /// so that a device syncing often costs one contact write per [`CONTACT_EVERY`], not one
    /// per request.
    contacts: Arc<std::sync::Mutex<std::collections::HashMap<uuid::Uuid, (std::time::Instant, Reported)>>>,
}

/// A device's contact is written at most this often unless what it reports changes.
const CONTACT_EVERY: Duration = Duration::from_secs(30);

/// What a device reports with each sync request (headers [`protocol::APP_VERSION_HEADER`] and
/// [`protocol::WAITING_HEADER`]), for the console's list of tablets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Reported {
    app_version: Option<String>,
    waiting: Option<u32>,
}

impl Reported {
    fn of(headers: &HeaderMap) -> Reported {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.len() <= 40 && v.chars().all(|c| c.is_ascii_graphic()))
        };
        Reported {
            app_version: text(protocol::APP_VERSION_HEADER).map(str::to_string),
            waiting: text(protocol::WAITING_HEADER).and_then(|v| v.parse().ok()),
        }
    }
}

/// Whether a device's report is worth a write now: always its first, a new app version, or
/// the end of a backlog (waiting reaches 0, so the console shows the tablet drained); else at
/// most once per [`CONTACT_EVERY`], however the waiting count moves on the way down.
fn contact_due(last: Option<&(std::time::Instant, Reported)>, reported: &Reported, now: std::time::Instant) -> bool {
    match last {
        None => true,
        Some((at, last)) => {
            last.app_version != reported.app_version
                || (reported.waiting == Some(0) && last.waiting != Some(0))
                || now.duration_since(*at) >= CONTACT_EVERY
        }
    }
}

/// Keeps a device's last contact for the console when [`contact_due`]. A failure is logged
/// and retried at the next request, never the sync's failure.
fn note_contact(state: &AppState, storage: &dyn Storage, device: uuid::Uuid, reported: Reported) {
    let now = std::time::Instant::now();
    {
        let seen = state.contacts.lock().unwrap_or_else(|e| e.into_inner());
        if !contact_due(seen.get(&device), &reported, now) {
            return;
        }
    }
    let contact = crate::storage::console::Contact {
        at: Utc::now(),
        app_version: reported.app_version.clone(),
        waiting: reported.waiting,
    };
    match storage.note_contact(device, &contact) {
        Ok(()) => {
            let mut seen = state.contacts.lock().unwrap_or_else(|e| e.into_inner());
            seen.insert(device, (now, reported));
        }
        Err(e) => tracing::warn!(%device, error = %e, "the device's last contact could not be kept"),
    }
}

/// Everything a request can fail with, as the device sees it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Wire(#[from] WireError),
    #[error("a push holds at most {MAX_PUSH_REVISIONS} revisions; this one holds {0}. Send smaller batches")]
    BatchTooLarge(usize),
    #[error(
        "this device token was issued to device {token_for}, not to {claimed}: enrol this device with its own code"
    )]
    WrongDevice { token_for: uuid::Uuid, claimed: uuid::Uuid },
    #[error("the server failed while handling the request; try again later")]
    Join,
    #[error("too many requests from this {what}: try again in {} s", crate::limits::retry_after_secs(*.retry_after))]
    RateLimited { what: &'static str, retry_after: Duration },
    #[error("the query cannot be read: {0}")]
    BadQuery(String),
    #[error(transparent)]
    Media(#[from] media::MediaRefusal),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::Storage(e) => match e {
                StorageError::MissingToken => (StatusCode::UNAUTHORIZED, ErrorCode::MissingToken),
                StorageError::UnknownToken => (StatusCode::UNAUTHORIZED, ErrorCode::UnknownToken),
                StorageError::Revoked { .. } => (StatusCode::UNAUTHORIZED, ErrorCode::Revoked),
                StorageError::BadEnrollmentCode => (StatusCode::FORBIDDEN, ErrorCode::BadEnrollmentCode),
                StorageError::DeviceRevoked(_) => (StatusCode::FORBIDDEN, ErrorCode::Revoked),
                StorageError::DeviceTaken(_) => (StatusCode::FORBIDDEN, ErrorCode::BadEnrollmentCode),
                StorageError::BadCursor(_) | StorageError::Invalid(_) => {
                    (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
                }
                StorageError::UnknownOperation(_) | StorageError::UnknownDevice(_) | StorageError::UnknownRecord(_) => {
                    (StatusCode::NOT_FOUND, ErrorCode::BadRequest)
                }
                StorageError::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::BadRequest),
                StorageError::SchemaTooNew { .. }
                | StorageError::Sqlite(_)
                | StorageError::Postgres(_)
                | StorageError::Corrupt(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
            },
            ApiError::Wire(WireError::TooLarge) | ApiError::BatchTooLarge(_) => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge)
            }
            ApiError::Wire(_) | ApiError::BadQuery(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            ApiError::WrongDevice { .. } => (StatusCode::UNAUTHORIZED, ErrorCode::UnknownToken),
            ApiError::Join => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            ApiError::Media(m) => {
                use crate::media::MediaFailure as F;
                use media::MediaRefusal as R;
                match m {
                    R::BadName(_) | R::ChunkDamaged => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
                    R::NoStore => (StatusCode::NOT_FOUND, ErrorCode::BadRequest),
                    R::NotNamed(_) | R::NotVisible(_) => (StatusCode::FORBIDDEN, ErrorCode::BadRequest),
                    R::NotYetSent(_) => (StatusCode::NOT_FOUND, ErrorCode::BadRequest),
                    R::PastEnd { .. } => (StatusCode::RANGE_NOT_SATISFIABLE, ErrorCode::BadRequest),
                    R::ChunkTooLarge(_) | R::Quota { .. } => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge),
                    R::Media(F::WrongOffset { .. }) => (StatusCode::CONFLICT, ErrorCode::BadRequest),
                    R::Media(F::TooLong { .. } | F::HashMismatch { .. }) => {
                        (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
                    }
                    R::Media(F::Missing(_)) => (StatusCode::NOT_FOUND, ErrorCode::BadRequest),
                    R::Media(F::Io(_)) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            // The detail (a database's own words, a path) is for the server's log, not for
            // whoever sent the request.
            tracing::error!(error = %self, "request failed");
            "the server failed while handling the request; try again later".to_string()
        } else {
            tracing::info!(error = %self, "request refused");
            self.to_string()
        };
        // Plain JSON, never compressed: an admin with curl should read it as it is.
        let body = serde_json::to_vec(&ErrorBody { code, message }).unwrap_or_default();
        let mut response = (
            status,
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body,
        )
            .into_response();
        if let ApiError::RateLimited { retry_after, .. } = self {
            response
                .headers_mut()
                .insert(RETRY_AFTER, crate::limits::retry_after_secs(retry_after).into());
        }
        response
    }
}

/// Encodes an answer, compressed when the device accepts zstd.
fn reply<T: Serialize>(headers: &HeaderMap, value: &T) -> Result<Response, ApiError> {
    let wants_zstd = headers
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().eq_ignore_ascii_case(ZSTD)));
    let json = HeaderValue::from_static("application/json");
    if wants_zstd {
        let body = protocol::encode(value)?;
        Ok((
            StatusCode::OK,
            [(CONTENT_TYPE, json), (CONTENT_ENCODING, HeaderValue::from_static(ZSTD))],
            body,
        )
            .into_response())
    } else {
        let body = serde_json::to_vec(value).map_err(WireError::from)?;
        Ok((StatusCode::OK, [(CONTENT_TYPE, json)], body).into_response())
    }
}

fn content_encoding(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// What an authenticated request is for: the revocation rule differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Push,
    Pull,
    /// Uploading files: a rate bucket of its own.
    Media,
}

/// Checks the device token, applies the revocation rule (see the module docs) and takes a
/// token from the device's rate bucket.
fn authenticate(
    storage: &dyn Storage,
    rates: &RateLimits,
    headers: &HeaderMap,
    access: Access,
) -> Result<DeviceAuth, ApiError> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(StorageError::MissingToken)?;
    let device = storage.token_holder(&auth::hash_secret(token))?;
    if let Some(r) = device.revoked {
        // A retired device's final push is let through to the judge, which bounds it by the
        // server's clock; everything else of a revoked device stops here.
        if !(access == Access::Push && r.reason == RevocationReason::Retired) {
            return Err(StorageError::Revoked {
                at: r.at,
                reason: r.reason,
            }
            .into());
        }
    }
    let taken = match access {
        Access::Media => rates.media(device.device_id),
        Access::Push | Access::Pull => rates.device(device.device_id),
    };
    taken.map_err(|retry_after| ApiError::RateLimited {
        what: "device",
        retry_after,
    })?;
    Ok(device)
}

/// The device behind a request, checked before its body is read (a body from nobody costs
/// the server nothing). A missing or unknown token counts against the address, which is
/// refused with 429 once it has guessed too often.
async fn device_of(
    state: &AppState,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
    access: Access,
) -> Result<DeviceAuth, ApiError> {
    let ip = ip_of(peer);
    let limited = |retry_after| ApiError::RateLimited {
        what: "address",
        retry_after,
    };
    // An address that has guessed too often is refused before its token is even looked up,
    // so a right guess is refused too.
    state.rates.bad_token_blocked(ip).map_err(limited)?;
    let h = headers.clone();
    let rates = state.rates.clone();
    let found = blocking(state, move |storage| authenticate(storage, &rates, &h, access)).await;
    if let Err(ApiError::Storage(StorageError::MissingToken | StorageError::UnknownToken)) = &found {
        state.rates.bad_token(ip).map_err(limited)?;
    }
    found
}

fn ip_of(peer: Option<Extension<ConnectInfo<SocketAddr>>>) -> IpAddr {
    peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |Extension(ConnectInfo(a))| a.ip())
}

async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn Storage) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let _permit = state.work.acquire().await.map_err(|_| ApiError::Join)?;
    let storage = state.storage.clone();
    tokio::task::spawn_blocking(move || f(storage.as_ref()))
        .await
        .map_err(|_| ApiError::Join)?
}

/// Redeem a one-time enrollment code for a device token.
#[utoipa::path(post, path = "/v1/enroll", request_body = EnrollRequest,
    responses((status = 200, body = EnrollResponse),
        (status = 400, body = ErrorBody, description = "the body is not an enrolment request"),
        (status = 403, body = ErrorBody, description = "unknown, used or expired code, a device id already enrolled, or a revoked device"),
        (status = 413, body = ErrorBody, description = "the body is larger than the server accepts"),
        (status = 429, body = ErrorBody, description = "too many attempts from this address; see Retry-After"),
        (status = 500, body = ErrorBody, description = "the server failed; retry later")))]
async fn enroll(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // Before anything is decoded or looked up: guessing codes costs the guesser, not the server.
    let ip = ip_of(peer);
    state.rates.enroll(ip).map_err(|retry_after| ApiError::RateLimited {
        what: "address",
        retry_after,
    })?;
    let encoding = content_encoding(&headers);
    let enrolled = blocking(&state, move |storage| {
        let req: EnrollRequest = protocol::decode(encoding.as_deref(), &body)?;
        let code_hash = auth::hash_secret(&auth::normalise_code(&req.code));
        let token = auth::new_token();
        let out = storage.redeem_enrollment_code(&code_hash, req.device_id, &token)?;
        tracing::info!(device = %req.device_id, officer = %out.officer, "device enrolled");
        Ok(out)
    })
    .await?;
    reply(&headers, &enrolled)
}

/// Push a batch of this device's revisions.
#[utoipa::path(post, path = "/v1/push", request_body = PushRequest,
    responses((status = 200, body = PushResponse),
        (status = 400, body = ErrorBody, description = "the body is not a push request (bad JSON, unknown field, bad compression)"),
        (status = 401, body = ErrorBody, description = "missing or unknown token, another device's id, or a revoked device"),
        (status = 413, body = ErrorBody, description = "the body or batch is larger than the server accepts"),
        (status = 429, body = ErrorBody, description = "too many requests from this device, or too many bad tokens from this address; see Retry-After"),
        (status = 500, body = ErrorBody, description = "the server failed; retry later")),
    security(("device_token" = [])))]
async fn push(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    request: Request,
) -> Result<Response, ApiError> {
    let received_at = Utc::now();
    let headers = request.headers().clone();
    let device = device_of(&state, peer, &headers, Access::Push).await?;
    // Only now is the body read, under the body limit.
    let body = match Bytes::from_request(request, &()).await {
        Ok(body) => body,
        // Too large: the server's verdict, in the JSON error shape the device reads.
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(WireError::TooLarge.into()),
        // The body could not be read (the connection was cut mid-body): the HTTP layer's own
        // 400, which the device treats as a transport failure and retries, never as a verdict.
        Err(rejection) => return Ok(rejection.into_response()),
    };
    let encoding = content_encoding(&headers);
    let reported = Reported::of(&headers);
    let st = state.clone();
    let resp = blocking(&state, move |storage| {
        let req: PushRequest = protocol::decode(encoding.as_deref(), &body)?;
        if req.device_id != device.device_id {
            return Err(ApiError::WrongDevice {
                token_for: device.device_id,
                claimed: req.device_id,
            });
        }
        if req.revisions.len() > MAX_PUSH_REVISIONS {
            return Err(ApiError::BatchTooLarge(req.revisions.len()));
        }
        if req.audit.len() > protocol::MAX_PUSH_AUDIT {
            return Err(ApiError::BatchTooLarge(req.audit.len()));
        }
        let mut resp = storage.push(&device, &req.revisions, received_at)?;
        // The device's audit entries, if it sent any (older clients never do).
        if !req.audit.is_empty() {
            resp.audit = Some(storage.push_audit(&device, &req.audit, received_at)?);
        }
        tracing::debug!(device = %device.device_id, sent = req.revisions.len(), stored = resp.stored,
            rejected = resp.rejected.len(), acked = resp.acked_seq, "push");
        note_contact(&st, storage, device.device_id, reported);
        Ok(resp)
    })
    .await?;
    if resp.stored > 0 {
        state.live.notify();
    }
    reply(&headers, &resp)
}

/// Pull colleagues' revisions after a cursor.
#[utoipa::path(get, path = "/v1/pull", params(PullQuery),
    responses((status = 200, body = PullResponse),
        (status = 400, body = ErrorBody, description = "a query parameter or the cursor cannot be read"),
        (status = 401, body = ErrorBody, description = "missing or unknown token, or a revoked device"),
        (status = 429, body = ErrorBody, description = "too many requests from this device, or too many bad tokens from this address; see Retry-After"),
        (status = 500, body = ErrorBody, description = "the server failed; retry later")),
    security(("device_token" = [])))]
async fn pull(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let device = device_of(&state, peer, &headers, Access::Pull).await?;
    let Query(q) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let reported = Reported::of(&headers);
    let st = state.clone();
    let page = blocking(&state, move |storage| {
        let page = storage.pull(&device, q.after.as_deref(), q.limit.unwrap_or(1_000))?;
        note_contact(&st, storage, device.device_id, reported);
        Ok(page)
    })
    .await?;
    reply(&headers, &page)
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Liaison force server", version = "1",
        description = "Sync API: devices push their hash-chained revisions and pull colleagues' revisions. \
                       Bodies are JSON; send `Content-Encoding: zstd` to compress a request and \
                       `Accept-Encoding: zstd` to receive compressed answers."),
    paths(enroll, push, pull, media::upload_status, media::upload_chunk, media::download),
    components(schemas(EnrollRequest, EnrollResponse, PushRequest, PushResponse, PullResponse, ErrorBody, ErrorCode,
        media::MediaUpload,
        liaison_core::sync::protocol::Rejection, liaison_core::sync::protocol::RejectReason,
        liaison_core::sync::protocol::AuditAck, liaison_core::sync::protocol::AuditRefusal)),
    modifiers(&TokenScheme)
)]
pub struct ApiDoc;

struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "device_token",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

async fn openapi() -> Response {
    let json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], json).into_response()
}

/// The whole API over a storage, with the default rate limits.
pub fn router(storage: Arc<dyn Storage>) -> Router {
    router_with(storage, &ServeOptions::default())
}

/// The whole API over a storage: the sync API and the force console.
pub fn router_with(storage: Arc<dyn Storage>, options: &ServeOptions) -> Router {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let live = crate::console::live::Live::default();
    let state = AppState {
        storage: storage.clone(),
        media: options.media.clone(),
        media_quota: options.media_quota.unwrap_or(media::DEFAULT_QUOTA_BYTES),
        work: Arc::new(tokio::sync::Semaphore::new((cores * 2).max(4))),
        rates: Arc::new(RateLimits::new(&options.limits)),
        live: live.clone(),
        contacts: Default::default(),
    };
    let console = crate::console::router(storage, live, options.media.clone(), options.console.clone());
    Router::new()
        .route(ENROLL_PATH, post(enroll))
        .route(PUSH_PATH, post(push))
        .route(PULL_PATH, get(pull))
        .route(OPENAPI_PATH, get(openapi))
        .route(
            &format!("{}/upload", liaison_core::sync::protocol::MEDIA_PATH),
            get(media::upload_status).put(media::upload_chunk),
        )
        .route(liaison_core::sync::protocol::MEDIA_PATH, get(media::download))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
        .merge(console)
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// How to serve: TLS or not, and the rate limits.
#[derive(Clone, Default)]
pub struct ServeOptions {
    /// `None` serves plain HTTP, which [`serve_with`] allows on a loopback address only.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub limits: Limits,
    /// The force console's settings (sessions, lockout, where its pages are).
    pub console: crate::console::ConsoleOptions,
    /// Where the files records name are kept; None: this server keeps none (uploads refused).
    pub media: Option<Arc<dyn crate::media::MediaStore>>,
    /// What one device may keep there (default [`media::DEFAULT_QUOTA_BYTES`]).
    pub media_quota: Option<u64>,
}

/// Why serving failed or was refused.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "refusing to serve plain HTTP on {0}: device tokens and records would cross the network unencrypted. \
         Give --tls-cert and --tls-key (make them with `liaison-server tls init`), or listen on 127.0.0.1"
    )]
    PlainHttpNotLoopback(SocketAddr),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Serves the API over plain HTTP on a loopback `listener` with the default limits, until
/// `shutdown` completes (tests and benchmarks).
pub async fn serve(
    listener: TcpListener,
    storage: Arc<dyn Storage>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    serve_with(listener, storage, ServeOptions::default(), shutdown).await
}

/// Serves the API on `listener` until `shutdown` completes: over TLS when configured, else
/// plain HTTP, refused unless the listener is on a loopback address. Either way behind the
/// front door ([`crate::door`]): a connection cap and bounded handshake and header times.
pub async fn serve_with(
    listener: TcpListener,
    storage: Arc<dyn Storage>,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    use crate::door::{Capped, HANDSHAKE_TIMEOUT, HEADER_READ_TIMEOUT};
    let addr = listener.local_addr()?;
    if options.tls.is_none() && !addr.ip().is_loopback() {
        return Err(ServeError::PlainHttpNotLoopback(addr));
    }
    let app = router_with(storage, &options).into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        // Requests in flight finish; a connection idle past this is closed.
        stopper.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    let cap = options.limits.max_connections.get() as usize;
    let mut server = axum_server::from_tcp(listener.into_std()?)?
        .handle(handle)
        .first_request_timeout(HEADER_READ_TIMEOUT);
    server.http_builder().http1().header_read_timeout(HEADER_READ_TIMEOUT);
    // Answers are small and written in more than one piece: without TCP_NODELAY, Nagle's
    // algorithm and the peer's delayed ACK add up to 40 ms to a round trip.
    let tcp = axum_server::accept::NoDelayAcceptor::new();
    match options.tls {
        Some(tls) => {
            let acceptor =
                axum_server::tls_rustls::RustlsAcceptor::new(axum_server::tls_rustls::RustlsConfig::from_config(tls))
                    .handshake_timeout(HANDSHAKE_TIMEOUT)
                    .acceptor(tcp);
            server.acceptor(Capped::new(acceptor, cap)).serve(app).await?
        }
        None => server.acceptor(Capped::new(tcp, cap)).serve(app).await?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_tablets_contact_is_written_first_on_a_new_version_at_the_end_of_a_backlog_and_else_twice_a_minute() {
        let t0 = Instant::now();
        let report = |version: &str, waiting| Reported {
            app_version: Some(version.into()),
            waiting: Some(waiting),
        };
        assert!(contact_due(None, &report("0.1.0", 900), t0), "the first");
        let last = (t0, report("0.1.0", 900));
        assert!(
            !contact_due(Some(&last), &report("0.1.0", 800), t0 + Duration::from_secs(1)),
            "draining"
        );
        assert!(
            contact_due(Some(&last), &report("0.1.0", 0), t0 + Duration::from_secs(1)),
            "drained"
        );
        assert!(
            contact_due(Some(&last), &report("0.2.0", 800), t0 + Duration::from_secs(1)),
            "upgraded"
        );
        assert!(
            contact_due(Some(&last), &report("0.1.0", 700), t0 + CONTACT_EVERY),
            "half a minute on"
        );
        let idle = (t0, report("0.1.0", 0));
        assert!(
            !contact_due(Some(&idle), &report("0.1.0", 0), t0 + Duration::from_secs(5)),
            "in step, idle"
        );
    }
}
