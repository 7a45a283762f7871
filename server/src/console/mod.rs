//! The force console: web pages under `/console` for supervisors, commanders and force IT,
//! served by the same process as the sync API (same port, same TLS). The pages are the
//! Preact build in `ui/dist-console`; their JSON API is under `/console/api` (types in
//! [`model`], routes and roles in [`matrix`], docs/console.md), and the files records name
//! under `/console/api/media` ([`media`]).
//!
//! # Invariants
//!
//! - Every API route is checked against [`matrix::ROUTES`] before it reads anything; an
//!   officer asking for an operation they are not on gets 404, as if it did not exist.
//! - A session is a random cookie (`Secure; HttpOnly; SameSite=Strict`) stored only as its
//!   SHA-256; it ends after [`ConsoleOptions::idle`] unused or [`ConsoleOptions::max_age`]
//!   in all. Every change carries `X-CSRF-Token`, derived from the cookie, so a page of
//!   another site can neither read it nor forge it.
//! - Sign-in goes through one seam ([`sign_in::Authenticator`]): local Argon2id accounts by
//!   default, an OpenID Connect provider in its place (docs/console.md). Wrong passwords are
//!   counted per account (locked after [`ConsoleOptions::lockout_after`]) and rated per
//!   address.
//! - Every change is logged in the server's audit chain, naming who made it, in the same
//!   transaction as the change; an operation edited here is a revision in the server's own
//!   chain authored by the signed-in person, and reaches tablets by the ordinary pull.

mod abstractions;
pub mod alerts;
pub mod bindings;
mod conflicts;
mod continuity;
pub mod debrief;
mod exports;
mod intelligence;
pub mod live;
pub mod matrix;
pub mod media;
pub mod model;
pub mod password;
mod routes;
mod sight;
pub mod sign_in;
mod tasking;

use crate::storage::{Storage, StorageError};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_FRAME_OPTIONS};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use model::{ConsoleError, FieldError};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The console's settings (`liaison-server serve --console-…`).
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    /// Where the built pages are (`ui/dist-console`); the console's API works without them.
    pub assets: Option<PathBuf>,
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, used or not (a shift and a half).
    pub max_age: Duration,
    /// Wrong passwords in a row before an account is locked.
    pub lockout_after: u32,
    /// How long a locked account stays locked.
    pub lockout_for: Duration,
    /// Sign-in attempts per minute per client address (sustained; bursts of as many).
    pub sign_ins_per_minute: u32,
    /// The address tablets reach this server at and the force CA they pin, for enrolment
    /// strings issued in the console. Without it the console issues none.
    pub enrolment: Option<EnrolmentTarget>,
    /// How long an enrolment issued in the console stays valid.
    pub enrolment_valid: Duration,
    /// Most events replayed to a reconnecting live page before it is told to reload instead.
    pub replay_max: usize,
    /// An escalation nobody acknowledged goes to the next role up after this long.
    pub escalate_after: Duration,
}

/// Where tablets enrolled from the console will sync.
#[derive(Debug, Clone)]
pub struct EnrolmentTarget {
    pub server_url: String,
    /// The force CA's certificate (DER) for https; None for a plain loopback server.
    pub ca_der: Option<Vec<u8>>,
}

impl Default for ConsoleOptions {
    fn default() -> Self {
        ConsoleOptions {
            assets: default_assets(),
            idle: Duration::from_secs(30 * 60),
            max_age: Duration::from_secs(12 * 3600),
            lockout_after: 5,
            lockout_for: Duration::from_secs(15 * 60),
            sign_ins_per_minute: 10,
            enrolment: None,
            enrolment_valid: Duration::from_secs(24 * 3600),
            escalate_after: Duration::from_secs(10 * 60),
            replay_max: live::REPLAY_MAX,
        }
    }
}

/// A username's rule: 3 to 32 of a-z, 0-9, dot, dash, underscore. (It is also the author of
/// what its holder edits when they are not an officer in the directory.)
pub fn check_username(username: &str) -> Result<(), String> {
    let ok = (3..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err("must be 3 to 32 characters: lower-case letters, digits, dots, dashes".into())
    }
}

/// `LIAISON_CONSOLE_DIR`, else the build beside this source tree when it exists.
pub fn default_assets() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LIAISON_CONSOLE_DIR") {
        return Some(PathBuf::from(dir));
    }
    let built = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/dist-console"));
    built.join("index.html").is_file().then_some(built)
}

/// Everything a console request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleFailure {
    #[error("sign in to use the console")]
    Unauthenticated,
    #[error("your session has ended: sign in again")]
    Expired,
    #[error("your role ({0}) does not allow this")]
    Forbidden(&'static str),
    #[error("this page is out of date (its security token is missing or stale): reload it and try again")]
    Csrf,
    #[error("the username or password is wrong")]
    WrongCredentials,
    #[error("this account is locked after too many wrong passwords: try again after {0} or ask force IT")]
    Locked(String),
    #[error("too many sign-in attempts from this address: wait a minute")]
    RateLimited,
    #[error("{message}")]
    Invalid { message: String, fields: Vec<FieldError> },
    #[error("{0} was not found")]
    NotFound(String),
    #[error("no record you may see names file {0}")]
    MediaNotVisible(String),
    #[error(
        "file {0} is not on the server yet: the tablet that recorded it sends files after its records, at its next \
         sync; try again then"
    )]
    MediaNotYetSent(String),
    #[error("this server keeps no photos or audio notes: it was started without a media store (ask force IT)")]
    NoMediaStore,
    #[error(transparent)]
    Media(#[from] crate::media::MediaFailure),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("the server failed while handling the request; try again later")]
    Join,
}

impl ConsoleFailure {
    /// One field's error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ConsoleFailure::Invalid {
            message: format!("check the form: {field} {message}"),
            fields: vec![FieldError {
                field: field.to_string(),
                message,
            }],
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Unauthenticated | Self::Expired | Self::WrongCredentials => {
                (StatusCode::UNAUTHORIZED, "unauthenticated")
            }
            Self::Forbidden(_) | Self::MediaNotVisible(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            Self::Locked(_) => (StatusCode::FORBIDDEN, "locked"),
            Self::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::Invalid { .. } => (StatusCode::BAD_REQUEST, "invalid"),
            Self::NotFound(_) | Self::MediaNotYetSent(_) | Self::NoMediaStore => (StatusCode::NOT_FOUND, "not_found"),
            Self::Media(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            Self::Storage(e) => match e {
                StorageError::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid"),
                StorageError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
                StorageError::UnknownOperation(_) | StorageError::UnknownDevice(_) | StorageError::UnknownRecord(_) => {
                    (StatusCode::NOT_FOUND, "not_found")
                }
                _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            },
            Self::Join => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ConsoleFailure {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "console request failed");
            "the server failed while handling the request; try again later".to_string()
        } else {
            tracing::info!(error = %self, "console request refused");
            self.to_string()
        };
        let fields = match self {
            ConsoleFailure::Invalid { fields, .. } => fields,
            _ => vec![],
        };
        let body = serde_json::to_vec(&ConsoleError {
            code: code.to_string(),
            message,
            fields,
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

/// Shared by the console's handlers.
#[derive(Clone)]
pub struct ConsoleState {
    pub(crate) storage: Arc<dyn Storage>,
    pub(crate) options: Arc<ConsoleOptions>,
    pub(crate) sign_in: Arc<dyn sign_in::Authenticator>,
    pub(crate) live: live::Live,
    /// Where the files records name are kept (None: this server keeps none).
    pub(crate) media: Option<Arc<dyn crate::media::MediaStore>>,
    pub(crate) rates: Arc<sign_in::SignInRates>,
    /// Sign-ins whose password is being hashed now (one per core): Argon2id takes 64 MiB
    /// each, so guesses from many addresses at once queue rather than exhaust memory.
    pub(crate) hashing: Arc<tokio::sync::Semaphore>,
}

impl ConsoleState {
    /// Runs storage work on a blocking thread.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Storage) -> Result<T, ConsoleFailure> + Send + 'static,
    ) -> Result<T, ConsoleFailure> {
        let storage = self.storage.clone();
        tokio::task::spawn_blocking(move || f(storage.as_ref()))
            .await
            .map_err(|_| ConsoleFailure::Join)?
    }
}

/// The console under `/console`: its pages and its API, with headers that keep them out of
/// frames and caches and let them load nothing from elsewhere.
pub fn router(
    storage: Arc<dyn Storage>,
    live: live::Live,
    media: Option<Arc<dyn crate::media::MediaStore>>,
    options: ConsoleOptions,
) -> Router {
    if tokio::runtime::Handle::try_current().is_ok() {
        alerts::spawn_escalation_rule(alerts::weak(&storage), live.clone(), options.escalate_after);
    } else {
        tracing::warn!("the console was built outside a runtime: unacknowledged escalations are not sent up");
    }
    let state = ConsoleState {
        sign_in: Arc::new(sign_in::LocalAccounts {
            storage: storage.clone(),
            lockout_after: options.lockout_after,
            lockout_for: options.lockout_for,
        }),
        rates: Arc::new(sign_in::SignInRates::new(options.sign_ins_per_minute)),
        hashing: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        )),
        storage,
        live,
        media,
        options: Arc::new(options),
    };
    let api = routes::api(state.clone());
    let pages = pages(state.options.assets.clone());
    Router::new()
        .nest("/console/api", api)
        .merge(pages)
        .layer(axum::middleware::map_response(security_headers))
}

async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The built pages: `/console` and `/console/` are its index.html, the rest its files. Without
/// a build, a page that says how to make one.
fn pages(assets: Option<PathBuf>) -> Router {
    match assets {
        Some(dir) => {
            let index = tower_http::services::ServeFile::new(dir.join("index.html"));
            Router::new()
                .route_service("/console", index.clone())
                .route_service("/console/", index)
                .nest_service(
                    "/console/assets",
                    tower_http::services::ServeDir::new(dir.join("assets")),
                )
        }
        None => Router::new().route(
            "/console/",
            axum::routing::get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                    "The console's pages are not built: run `npm run build` in ui/ (or set LIAISON_CONSOLE_DIR), \
                     then restart the server. Its API is at /console/api.",
                )
            }),
        ),
    }
}
