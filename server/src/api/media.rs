//! The media half of the sync API (issue 16): a device uploads the files its records name, in
//! chunks, resuming from what the server has acknowledged.
//!
//! - `GET /v1/media/{sha256}/upload`: how much of the file the server holds
//!   ([`MediaUpload`]); where a cut-off upload resumes.
//! - `PUT /v1/media/{sha256}/upload?offset=N`: one chunk (at most [`MAX_CHUNK_BYTES`]), with
//!   its SHA-256 in `x-chunk-sha256`. Appended only at the offset the server holds; the file
//!   is kept when its last byte arrives and its SHA-256 is its name.
//!
//! - `GET /v1/media/{sha256}?offset=N&length=M`: a kept file, or a range of it (at most
//!   [`MAX_DOWNLOAD_BYTES`]), for a device that may see a revision naming it: a colleague's
//!   tablet fetches thumbnails after each pull and a full photo when the officer opens it.
//!
//! Only a file named by a revision this device has sent (so the record is on the server first:
//! the urgent lane and the revisions always go before media) may be uploaded, at the size and
//! limit that revision gives it, within the device's quota. Everything refused writes nothing.

use super::{blocking, device_of, Access, ApiError, AppState};
use crate::media::{Held, MediaFailure};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use liaison_core::records::attachment::is_sha256_hex;
#[allow(unused_imports)] // named by the OpenAPI annotations
use liaison_core::sync::protocol::ErrorBody;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

/// The largest chunk the server takes in one request.
pub const MAX_CHUNK_BYTES: usize = 4 * 1024 * 1024;
/// What one device may keep on the server, by default.
pub const DEFAULT_QUOTA_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// The chunk's SHA-256, lowercase hex.
pub const CHUNK_SHA256: &str = "x-chunk-sha256";
/// The most one download answer carries.
pub const MAX_DOWNLOAD_BYTES: u64 = 4 * 1024 * 1024;
pub use liaison_core::sync::protocol::MEDIA_SIZE_HEADER as MEDIA_SIZE;

/// How much of a file the server holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MediaUpload {
    pub sha256: String,
    /// The size the record names.
    pub size: u64,
    /// Bytes held: the next chunk starts here.
    pub held: u64,
    /// Whole and checked against its name.
    pub complete: bool,
}

#[derive(Deserialize)]
pub(super) struct ChunkQuery {
    offset: u64,
}

#[derive(Deserialize)]
pub(super) struct RangeQuery {
    #[serde(default)]
    offset: u64,
    length: Option<u64>,
}

/// Why a media request was refused.
#[derive(Debug, thiserror::Error)]
pub enum MediaRefusal {
    #[error("`{0}` is not a SHA-256 in lowercase hex")]
    BadName(String),
    #[error("this server keeps no media: it was started without a media store")]
    NoStore,
    #[error("no revision this device sent names file {0}: send the record first")]
    NotNamed(String),
    #[error("no record this device may see names file {0}")]
    NotVisible(String),
    #[error("the file has {size} bytes: there is nothing at byte {offset}")]
    PastEnd { offset: u64, size: u64 },
    #[error(
        "file {0} is not on the server yet: the tablet that recorded it has not sent it; try again after its next sync"
    )]
    NotYetSent(String),
    #[error("a chunk is at most {MAX_CHUNK_BYTES} bytes; this one is {0}")]
    ChunkTooLarge(usize),
    #[error("the chunk's SHA-256 is not the one in {CHUNK_SHA256}: it was damaged on the way, send it again")]
    ChunkDamaged,
    #[error(
        "this device's files on the server would come to {would_be} bytes, over its quota of {quota}: ask force IT"
    )]
    Quota { would_be: u64, quota: u64 },
    #[error(transparent)]
    Media(#[from] MediaFailure),
}

fn check_name(sha256: &str) -> Result<(), ApiError> {
    if is_sha256_hex(sha256) {
        Ok(())
    } else {
        Err(MediaRefusal::BadName(sha256.into()).into())
    }
}

/// How much of a file the server holds: where its upload resumes.
#[utoipa::path(get, path = "/v1/media/{sha256}/upload",
    params(("sha256" = String, Path, description = "the file's SHA-256, lowercase hex, as the record names it")),
    responses((status = 200, body = MediaUpload),
        (status = 400, body = ErrorBody, description = "not a SHA-256"),
        (status = 401, body = ErrorBody, description = "missing or unknown token, or a revoked device"),
        (status = 403, body = ErrorBody, description = "no revision this device sent names the file"),
        (status = 500, body = ErrorBody, description = "the server failed; retry later")),
    security(("device_token" = [])))]
pub(super) async fn upload_status(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    check_name(&sha256)?;
    let device = device_of(&state, peer, &headers, Access::Media).await?;
    let media = state.media.clone().ok_or(MediaRefusal::NoStore)?;
    let status = blocking(&state, move |storage| {
        let size = size_named(storage.media_named_by(device.device_id, &sha256)?, &sha256)?;
        let held = media.held(&sha256).map_err(MediaRefusal::from)?;
        Ok(upload(sha256, size, held))
    })
    .await?;
    Ok(Json(status).into_response())
}

/// The size the device's revisions give `sha256`; refused if none names it.
fn size_named(named: Option<u64>, sha256: &str) -> Result<u64, ApiError> {
    named.ok_or_else(|| MediaRefusal::NotNamed(sha256.to_string()).into())
}

fn upload(sha256: String, size: u64, held: Held) -> MediaUpload {
    match held {
        Held::Complete(n) => MediaUpload {
            sha256,
            size,
            held: n,
            complete: true,
        },
        Held::Partial(n) => MediaUpload {
            sha256,
            size,
            held: n,
            complete: false,
        },
    }
}

/// One chunk of a file, appended at `offset` (what the server holds); the file is kept when
/// whole and matching its name.
#[utoipa::path(put, path = "/v1/media/{sha256}/upload",
    params(("sha256" = String, Path, description = "the file's SHA-256, lowercase hex, as the record names it"),
        ("offset" = u64, Query, description = "where this chunk starts: the `held` of the last answer"),
        ("x-chunk-sha256" = String, Header, description = "the chunk's SHA-256, lowercase hex")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = MediaUpload),
        (status = 400, body = ErrorBody, description = "not a SHA-256, a damaged chunk, more than the record names, or whole bytes that are not the file named (thrown away)"),
        (status = 401, body = ErrorBody, description = "missing or unknown token, or a revoked device"),
        (status = 403, body = ErrorBody, description = "no revision this device sent names the file"),
        (status = 409, body = ErrorBody, description = "the chunk does not start where the server's copy ends: ask, and resume there"),
        (status = 413, body = ErrorBody, description = "a chunk over the limit, or the device's quota reached"),
        (status = 500, body = ErrorBody, description = "the server failed; retry later")),
    security(("device_token" = [])))]
pub(super) async fn upload_chunk(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Path(sha256): Path<String>,
    query: Result<Query<ChunkQuery>, axum::extract::rejection::QueryRejection>,
    chunk: Bytes,
) -> Result<Response, ApiError> {
    check_name(&sha256)?;
    let device = device_of(&state, peer, &headers, Access::Media).await?;
    let Query(q) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let media = state.media.clone().ok_or(MediaRefusal::NoStore)?;
    if chunk.len() > MAX_CHUNK_BYTES {
        return Err(MediaRefusal::ChunkTooLarge(chunk.len()).into());
    }
    let claimed = headers
        .get(CHUNK_SHA256)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let quota = state.media_quota;
    let status = blocking(&state, move |storage| {
        if hex::encode(Sha256::digest(&chunk)) != claimed {
            return Err(MediaRefusal::ChunkDamaged.into());
        }
        let size = size_named(storage.media_named_by(device.device_id, &sha256)?, &sha256)?;
        if q.offset == 0 {
            // A new file: what this device already keeps here (whole, or partly arrived), and
            // this one, within its quota.
            let mut kept = 0;
            for (name, s) in &storage.media_sent_by(device.device_id)? {
                if name != &sha256 {
                    kept += match media.held(name).map_err(MediaRefusal::from)? {
                        Held::Complete(_) => *s,
                        Held::Partial(n) => n,
                    };
                }
            }
            if kept + size > quota {
                return Err(MediaRefusal::Quota {
                    would_be: kept + size,
                    quota,
                }
                .into());
            }
        }
        let held = media
            .append(&sha256, size, q.offset, &chunk)
            .map_err(MediaRefusal::from)?;
        if matches!(held, Held::Complete(_)) {
            tracing::info!(device = %device.device_id, %sha256, size, "media received whole");
        }
        Ok(upload(sha256, size, held))
    })
    .await?;
    Ok(Json(status).into_response())
}

/// A kept file, or `length` bytes of it from `offset`, for a device that may see a revision
/// naming it (its own, or a colleague's under the pull's visibility rule).
#[utoipa::path(get, path = "/v1/media/{sha256}",
    params(("sha256" = String, Path, description = "the file's SHA-256, lowercase hex, as the record names it"),
        ("offset" = Option<u64>, Query, description = "the first byte wanted (default 0): where a cut-off fetch resumes"),
        ("length" = Option<u64>, Query, description = "bytes wanted (default and at most 4 MiB)")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>,
            description = "the bytes; `x-media-size` gives the whole file's size",
            headers(("x-media-size" = u64, description = "the whole file's size"))),
        (status = 400, body = ErrorBody, description = "not a SHA-256"),
        (status = 401, body = ErrorBody, description = "missing or unknown token, or a revoked device"),
        (status = 403, body = ErrorBody, description = "no record this device may see names the file"),
        (status = 404, body = ErrorBody, description = "the tablet that recorded it has not sent it yet"),
        (status = 416, body = ErrorBody, description = "`offset` is past the file's end"),
        (status = 500, body = ErrorBody, description = "the server failed; retry later")),
    security(("device_token" = [])))]
pub(super) async fn download(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Path(sha256): Path<String>,
    query: Result<Query<RangeQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    check_name(&sha256)?;
    let device = device_of(&state, peer, &headers, Access::Media).await?;
    let Query(q) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let media = state.media.clone().ok_or(MediaRefusal::NoStore)?;
    let length = q.length.unwrap_or(MAX_DOWNLOAD_BYTES).min(MAX_DOWNLOAD_BYTES);
    let (size, bytes) = blocking(&state, move |storage| {
        if storage.media_visible_to(&device, &sha256)?.is_none() {
            return Err(MediaRefusal::NotVisible(sha256).into());
        }
        match media.read_range(&sha256, q.offset, length) {
            Ok((size, _)) if q.offset > size => Err(MediaRefusal::PastEnd { offset: q.offset, size }.into()),
            Ok(read) => Ok(read),
            Err(MediaFailure::Missing(_)) => Err(MediaRefusal::NotYetSent(sha256).into()),
            Err(e) => Err(MediaRefusal::from(e).into()),
        }
    })
    .await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (axum::http::HeaderName::from_static(MEDIA_SIZE), size.to_string()),
        ],
        bytes,
    )
        .into_response())
}
