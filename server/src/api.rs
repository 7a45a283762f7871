//! The HTTP API. Handlers are thin: authenticate, decode the body with the shared protocol
//! module, call [`Storage`] on a blocking thread (SQLite and hashing are CPU and disk work),
//! encode the answer. Every error is an [`ErrorBody`] with a code and a message.

use crate::auth;
use crate::storage::{DeviceAuth, Storage, StorageError};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::header::{ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use liaison_core::sync::protocol::{
    self, EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, PullQuery, PullResponse, PushRequest, PushResponse,
    WireError, ENROLL_PATH, MAX_BODY_BYTES, MAX_PUSH_REVISIONS, OPENAPI_PATH, PULL_PATH, PUSH_PATH, ZSTD,
};
use serde::Serialize;
use std::sync::Arc;
use tokio::net::TcpListener;
use utoipa::OpenApi;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    storage: Arc<dyn Storage>,
    /// Storage work (decoding, hashing, SQLite) runs on blocking threads; this bounds how many
    /// at once. Fifty tablets arriving together then queue in order instead of fifty threads
    /// sharing the cores, each finishing last.
    work: Arc<tokio::sync::Semaphore>,
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
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::Storage(e) => match e {
                StorageError::MissingToken => (StatusCode::UNAUTHORIZED, ErrorCode::MissingToken),
                StorageError::UnknownToken => (StatusCode::UNAUTHORIZED, ErrorCode::UnknownToken),
                StorageError::Revoked { .. } => (StatusCode::UNAUTHORIZED, ErrorCode::Revoked),
                StorageError::BadEnrollmentCode | StorageError::DeviceRevoked(_) => {
                    (StatusCode::FORBIDDEN, ErrorCode::BadEnrollmentCode)
                }
                StorageError::BadCursor(_) | StorageError::Invalid(_) => {
                    (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
                }
                StorageError::UnknownOperation(_) | StorageError::UnknownDevice(_) => {
                    (StatusCode::NOT_FOUND, ErrorCode::BadRequest)
                }
                StorageError::SchemaTooNew { .. } | StorageError::Sqlite(_) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
                }
            },
            ApiError::Wire(WireError::TooLarge) | ApiError::BatchTooLarge(_) => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge)
            }
            ApiError::Wire(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            ApiError::WrongDevice { .. } => (StatusCode::UNAUTHORIZED, ErrorCode::UnknownToken),
            ApiError::Join => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::info!(error = %self, "request refused");
        }
        // Plain JSON, never compressed: an admin with curl should read it as it is.
        let body = serde_json::to_vec(&ErrorBody {
            code,
            message: self.to_string(),
        })
        .unwrap_or_default();
        (
            status,
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body,
        )
            .into_response()
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

fn authenticate(storage: &dyn Storage, headers: &HeaderMap) -> Result<DeviceAuth, ApiError> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(StorageError::MissingToken)?;
    Ok(storage.authenticate(&auth::hash_secret(token))?)
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
    responses((status = 200, body = EnrollResponse), (status = 403, body = ErrorBody, description = "unknown, used or expired code")))]
async fn enroll(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
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
    responses((status = 200, body = PushResponse), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("device_token" = [])))]
async fn push(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let received_at = Utc::now();
    let encoding = content_encoding(&headers);
    let h = headers.clone();
    let resp = blocking(&state, move |storage| {
        let device = authenticate(storage, &h)?;
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
        Ok(resp)
    })
    .await?;
    reply(&headers, &resp)
}

/// Pull colleagues' revisions after a cursor.
#[utoipa::path(get, path = "/v1/pull", params(PullQuery),
    responses((status = 200, body = PullResponse), (status = 401, body = ErrorBody)),
    security(("device_token" = [])))]
async fn pull(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PullQuery>,
) -> Result<Response, ApiError> {
    let h = headers.clone();
    let page = blocking(&state, move |storage| {
        let device = authenticate(storage, &h)?;
        Ok(storage.pull(&device, q.after.as_deref(), q.limit.unwrap_or(1_000))?)
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
    paths(enroll, push, pull),
    components(schemas(EnrollRequest, EnrollResponse, PushRequest, PushResponse, PullResponse, ErrorBody, ErrorCode,
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

/// The whole API over a storage.
pub fn router(storage: Arc<dyn Storage>) -> Router {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let state = AppState {
        storage,
        work: Arc::new(tokio::sync::Semaphore::new((cores * 2).max(4))),
    };
    Router::new()
        .route(ENROLL_PATH, post(enroll))
        .route(PUSH_PATH, post(push))
        .route(PULL_PATH, get(pull))
        .route(OPENAPI_PATH, get(openapi))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    storage: Arc<dyn Storage>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Answers are small and written in more than one piece: without TCP_NODELAY, Nagle's
    // algorithm and the peer's delayed ACK add up to 40 ms to a round trip.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, router(storage))
        .with_graceful_shutdown(shutdown)
        .await
}
