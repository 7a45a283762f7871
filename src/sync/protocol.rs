//! The wire format between a device and the force server: the ONE definition both sides
//! import. Version 1 lives under `/v1/`; bodies are JSON compressed with zstd
//! (`Content-Encoding: zstd`), and a body is a batch.
//!
//! This module owns the shapes and the encoding; it does no I/O.

use crate::audit::ChainedAuditEntry;
use crate::evidence::Revision;
use serde::{Deserialize, Serialize};
use std::io::Read;
use uuid::Uuid;

/// Redeem a one-time enrollment code (POST, no token).
pub const ENROLL_PATH: &str = "/v1/enroll";
/// Send this device's revisions (POST, device token).
pub const PUSH_PATH: &str = "/v1/push";
/// Receive colleagues' revisions after a cursor (GET, device token).
pub const PULL_PATH: &str = "/v1/pull";
/// The OpenAPI description of this API (GET, no token).
pub const OPENAPI_PATH: &str = "/v1/openapi.json";
/// A file a record names (GET, device token; `?offset=&length=` for a range); with
/// `/upload`, how much of it the server holds (GET) and one chunk of its upload (PUT).
pub const MEDIA_PATH: &str = "/v1/media/{sha256}";
/// A media download's header: the whole file's size.
pub const MEDIA_SIZE_HEADER: &str = "x-media-size";

/// [`MEDIA_PATH`] for one file.
pub fn media_path(sha256: &str) -> String {
    MEDIA_PATH.replace("{sha256}", sha256)
}

/// The content encoding of every sync body that is compressed.
pub const ZSTD: &str = "zstd";
/// The app's version, sent with every sync request (force IT sees it in the console's list
/// of tablets).
pub const APP_VERSION_HEADER: &str = "x-liaison-app";
/// How many revisions the device still has to send, sent with every sync request.
pub const WAITING_HEADER: &str = "x-liaison-waiting";
/// Largest body the server accepts, compressed or not (413 beyond it). A full batch of the
/// default size is well under this.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Largest number of revisions in one push (413 beyond it).
pub const MAX_PUSH_REVISIONS: usize = 5_000;
/// Largest number of audit entries in one push (413 beyond it).
pub const MAX_PUSH_AUDIT: usize = 5_000;
/// Largest pull page the server hands out; a larger `limit` is clamped to it.
pub const MAX_PULL_LIMIT: u32 = 5_000;
/// Largest pull page in bytes of JSON: the server ends a page before it (a page always holds
/// at least one revision). Half of [`MAX_BODY_BYTES`], which every device accepts, so no
/// officer's ordinary records can make a page that colleagues' devices refuse.
pub const MAX_PULL_BYTES: usize = MAX_BODY_BYTES / 2;

/// A device asks for its token with the code the force IT team gave its officer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// The one-time code, as printed by `liaison-server enroll-code`.
    pub code: String,
    /// The device's id: the name of its hash chain.
    pub device_id: Uuid,
}

/// The device token, shown exactly once. The server keeps only its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrollResponse {
    pub token: String,
    /// The officer the code was issued for; the device acts for them.
    pub officer: String,
    pub device_id: Uuid,
}

/// A batch of this device's own revisions, in any order (urgent kinds first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The pushing device; every revision must belong to its chain.
    pub device_id: Uuid,
    /// Revisions exactly as stored on the device (see `store::Revision`).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub revisions: Vec<Revision>,
    /// This device's audit entries the server has not acknowledged, in id order, each with its
    /// place in the device's audit chain. Absent from older clients (and when there are none):
    /// the server then answers without `audit`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub audit: Vec<ChainedAuditEntry>,
}

/// What the server did with the audit entries of a push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AuditAck {
    /// The server holds this device's audit chain up to this entry id (0: none of it).
    pub acked_id: i64,
    /// How many entries of the push were new to the server.
    pub stored: u32,
    /// The first entry the server refused (altered, not linking to the one before, or a
    /// different copy of one it holds); entries after it in the push were not stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<AuditRefusal>,
}

/// An audit entry the server refused, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AuditRefusal {
    pub id: i64,
    /// `hash_mismatch`, `broken_chain` or `conflicting_copy`.
    pub reason: RejectReason,
    pub message: String,
}

/// What the server did with a push. Every revision of the request is either in `held` or in
/// `rejected`; a client that finds one in neither treats the response as not received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    /// The highest `device_seq` such that the server holds every revision 1..=acked_seq of
    /// this device's chain.
    pub acked_seq: u64,
    /// The sequence numbers of this batch that the server now holds (newly stored or already
    /// held, identical), including any above `acked_seq`.
    pub held: Vec<u64>,
    /// How many of `held` were new to the server.
    pub stored: u32,
    /// Revisions the server refused; they will never be accepted as they are.
    pub rejected: Vec<Rejection>,
    /// Present when the push carried audit entries (so older clients never see it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditAck>,
}

/// A revision the server refused, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    pub revision_id: Uuid,
    pub device_seq: u64,
    pub reason: RejectReason,
    /// For the officer and the force IT team: what happened and what to do.
    pub message: String,
}

/// Why a revision was refused. Stable codes: the client and the UI may branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The revision's content does not match its hash.
    HashMismatch,
    /// The record inside is not valid.
    Invalid,
    /// The server holds a different revision with this id.
    ConflictingCopy,
    /// The server holds a different revision at this place in the device's chain.
    Fork,
    /// `prev_hash` does not match the revision before it, or the one after does not match it.
    BrokenChain,
    /// The revision belongs to another device's chain.
    ForeignDevice,
    /// The officer is not assigned to the operation the record belongs to.
    NotAssigned,
    /// The device was retired and this revision was recorded after that: it must wipe.
    Revoked,
    /// The revision (or audit entry) names another officer than the one this device is
    /// enrolled for.
    NotAuthor,
    /// The record id is bound to another kind, visibility or operation by its first revision,
    /// or a second first revision was sent for it.
    RecordBound,
    /// The revision edits a record, or names a parent, that the server does not hold.
    UnknownParent,
    /// The revision's clocks are ahead of the server's by more than it accepts: the tablet's
    /// clock is wrong.
    ClockAhead,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HashMismatch => "hash_mismatch",
            Self::Invalid => "invalid",
            Self::ConflictingCopy => "conflicting_copy",
            Self::Fork => "fork",
            Self::BrokenChain => "broken_chain",
            Self::ForeignDevice => "foreign_device",
            Self::NotAssigned => "not_assigned",
            Self::Revoked => "revoked",
            Self::NotAuthor => "not_author",
            Self::RecordBound => "record_bound",
            Self::UnknownParent => "unknown_parent",
            Self::ClockAhead => "clock_ahead",
        }
    }

    pub const ALL: [RejectReason; 12] = [
        Self::HashMismatch,
        Self::Invalid,
        Self::ConflictingCopy,
        Self::Fork,
        Self::BrokenChain,
        Self::ForeignDevice,
        Self::NotAssigned,
        Self::Revoked,
        Self::NotAuthor,
        Self::RecordBound,
        Self::UnknownParent,
        Self::ClockAhead,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Query of a pull: `GET /v1/pull?after=<cursor>&limit=<n>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The `next_cursor` of the previous page; absent for the first pull.
    #[serde(default)]
    pub after: Option<String>,
    /// Page size; clamped to [`MAX_PULL_LIMIT`].
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One page of colleagues' revisions, in server order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PullResponse {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub revisions: Vec<Revision>,
    /// Exclusive: the next pull starts strictly after it. Opaque to the device.
    pub next_cursor: String,
    /// True when at least one more revision is waiting after `next_cursor`.
    pub more: bool,
    /// The requesting device's own acknowledged head on the server (as in `PushResponse`).
    /// Lower than the device believes means the server lost data (say, restored from a
    /// backup): the device sends again what it has not got.
    pub acked_seq: u64,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

/// What went wrong with a whole request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No `Authorization: Bearer` header.
    MissingToken,
    /// The token is not one the server issued.
    UnknownToken,
    /// The device was revoked: it must wipe its data.
    Revoked,
    /// The enrollment code is unknown, used or expired.
    BadEnrollmentCode,
    /// The body could not be read (bad JSON, unknown field, bad compression).
    BadRequest,
    /// The body or batch is larger than the server accepts.
    TooLarge,
    /// The server failed; retry later.
    Internal,
    /// Too many requests: wait for the response's `Retry-After` seconds, then retry.
    RateLimited,
}

/// Why a body could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("the body is not valid JSON for this request: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the body could not be decompressed: {0}")]
    Compression(#[from] std::io::Error),
    #[error("the body is larger than {MAX_BODY_BYTES} bytes once decompressed")]
    TooLarge,
    #[error("content encoding `{0}` is not supported; use zstd or none")]
    UnsupportedEncoding(String),
}

/// zstd level: 3 is zstd's default, fast enough that compression costs less than it saves on
/// a slow link, and on 127.0.0.1 it still keeps up with the database.
const LEVEL: i32 = 3;

/// Serialises and compresses a body.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, WireError> {
    let json = serde_json::to_vec(value)?;
    Ok(zstd::bulk::compress(&json, LEVEL)?)
}

/// Decompresses (when `encoding` says so) and parses a body, refusing more than
/// [`MAX_BODY_BYTES`] of JSON whatever the compressed size (no decompression bombs).
pub fn decode<T: serde::de::DeserializeOwned>(encoding: Option<&str>, body: &[u8]) -> Result<T, WireError> {
    match encoding.map(str::trim) {
        None | Some("") | Some("identity") => {
            if body.len() > MAX_BODY_BYTES {
                return Err(WireError::TooLarge);
            }
            Ok(serde_json::from_slice(body)?)
        }
        Some(e) if e.eq_ignore_ascii_case(ZSTD) => {
            let decoder = zstd::stream::read::Decoder::new(body)?;
            let mut json = Vec::with_capacity(body.len() * 4);
            decoder.take(MAX_BODY_BYTES as u64 + 1).read_to_end(&mut json)?;
            if json.len() > MAX_BODY_BYTES {
                return Err(WireError::TooLarge);
            }
            Ok(serde_json::from_slice(&json)?)
        }
        Some(other) => Err(WireError::UnsupportedEncoding(other.chars().take(32).collect())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_round_trips_through_zstd_and_is_smaller() {
        let body = ErrorBody {
            code: ErrorCode::Internal,
            message: "the same words again and again ".repeat(50),
        };
        let wire = encode(&body).unwrap();
        assert!(wire.len() < serde_json::to_vec(&body).unwrap().len() / 4);
        assert_eq!(decode::<ErrorBody>(Some("zstd"), &wire).unwrap(), body);
        let plain = serde_json::to_vec(&body).unwrap();
        assert_eq!(decode::<ErrorBody>(None, &plain).unwrap(), body);
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_it_is_parsed() {
        let huge = vec![b' '; MAX_BODY_BYTES + 10];
        let wire = zstd::bulk::compress(&huge, 3).unwrap();
        assert!(wire.len() < 10_000);
        assert!(matches!(
            decode::<ErrorBody>(Some("zstd"), &wire),
            Err(WireError::TooLarge)
        ));
    }

    #[test]
    fn unknown_fields_and_encodings_are_refused() {
        let bad = br#"{"code":"internal","message":"x","extra":1}"#;
        assert!(matches!(decode::<ErrorBody>(None, bad), Err(WireError::Json(_))));
        assert!(matches!(
            decode::<ErrorBody>(Some("br"), b"{}"),
            Err(WireError::UnsupportedEncoding(_))
        ));
    }

    #[test]
    fn reject_reasons_round_trip_through_their_codes() {
        for r in RejectReason::ALL {
            assert_eq!(RejectReason::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
        }
    }
}
