//! The files records name (issue 16) as the console shows them: `GET /console/api/media/{sha256}`
//! answers a photo, screenshot, audio note or thumbnail to a signed-in person who may see a
//! record one of whose revisions names it ([`Sight`]: the rule the conflicts page applies),
//! found through the server's `revision_media` index.
//!
//! - Not allowed, or named by no revision at all: 403, in the same words, so the answer does
//!   not say whether a file exists.
//! - Allowed but not on the server yet (the tablet sends files after its records): 404 saying
//!   so.
//! - The type is the one the record names (a thumbnail is always a JPEG), never guessed from
//!   the bytes; `nosniff`, and `Cache-Control: private, no-store`, so no shared or disk cache
//!   keeps a copy once the page is closed.
//! - `Range: bytes=a-b` is answered 206 with at most [`MAX_RANGE_BYTES`], so the browser can
//!   play and seek an audio note without the server reading it whole.
//!
//! Opening a file is not written to the audit chain: the console logs changes and disclosures
//! (exports, reports), not the reading of records on its pages, and a file is part of its
//! record.

use super::matrix::Route;
use super::routes::require;
use super::sight::Sight;
use super::sign_in::Signed;
use super::{ConsoleFailure, ConsoleState};
use crate::media::{Held, MediaFailure};
use crate::storage::Storage;
use axum::extract::{Path, State};
use axum::http::header::{ACCEPT_RANGES, CACHE_CONTROL, CONTENT_RANGE, CONTENT_TYPE, RANGE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use liaison_core::records::attachment::is_sha256_hex;
use liaison_core::records::MediaType;

/// The most one ranged answer carries.
pub const MAX_RANGE_BYTES: u64 = 4 * 1024 * 1024;

pub(super) fn routes() -> Router<ConsoleState> {
    Router::new().route("/media/{sha256}", get(file))
}

/// How the console serves a file: the type a visible record gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The attachment itself, of the type its record names.
    Whole(MediaType),
    /// A picture's thumbnail (always a JPEG made on the tablet).
    Thumbnail,
}

impl Shown {
    pub fn mime(self) -> &'static str {
        match self {
            Shown::Whole(t) => t.mime(),
            Shown::Thumbnail => MediaType::Jpeg.mime(),
        }
    }
}

/// How `sha256` is shown to the person, if they may see a record whose revision names it.
fn shown_to(s: &dyn Storage, signed: &Signed, sha256: &str) -> Result<Option<Shown>, ConsoleFailure> {
    let naming = s.revisions_naming(sha256)?;
    if naming.is_empty() {
        return Ok(None);
    }
    let sight = Sight::of(s, signed)?;
    let mut shown = None;
    for n in naming.iter().filter(|n| sight.sees(n.scope, Some(n.bound_to.as_str()))) {
        for a in &n.revision.body.attachments {
            if a.sha256 == sha256 {
                // The file itself wins over a thumbnail of the same bytes (never made so).
                return Ok(Some(Shown::Whole(a.media_type)));
            }
            if a.thumbnail.as_ref().is_some_and(|t| t.sha256 == sha256) {
                shown = Some(Shown::Thumbnail);
            }
        }
    }
    Ok(shown)
}

/// A single `bytes=first-[last]` range; anything else (several ranges, a suffix) is answered
/// whole, as HTTP allows.
fn range_of(headers: &HeaderMap) -> Option<(u64, Option<u64>)> {
    let spec = headers.get(RANGE)?.to_str().ok()?.trim().strip_prefix("bytes=")?;
    let (first, last) = spec.split_once('-')?;
    let first = first.trim().parse::<u64>().ok()?;
    let last = match last.trim() {
        "" => None,
        l => Some(l.parse::<u64>().ok().filter(|l| *l >= first)?),
    };
    Some((first, last))
}

/// What a read answered.
enum Read {
    Whole(Vec<u8>),
    Part { first: u64, total: u64, bytes: Vec<u8> },
    Unsatisfiable { total: u64 },
}

async fn file(
    State(state): State<ConsoleState>,
    signed: Signed,
    Path(sha256): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ConsoleFailure> {
    require(&signed, Route::Media)?;
    if !is_sha256_hex(&sha256) {
        return Err(ConsoleFailure::Invalid {
            message: format!("{sha256:?} is not a file's name (a SHA-256 in lowercase hex)"),
            fields: vec![],
        });
    }
    let range = range_of(&headers);
    let media = state.media.clone();
    let (shown, read) = state
        .blocking(move |s| {
            let shown =
                shown_to(s, &signed, &sha256)?.ok_or_else(|| ConsoleFailure::MediaNotVisible(sha256.clone()))?;
            let media = media.ok_or(ConsoleFailure::NoMediaStore)?;
            let missing = |e: MediaFailure| match e {
                MediaFailure::Missing(_) => ConsoleFailure::MediaNotYetSent(sha256.clone()),
                other => ConsoleFailure::Media(other),
            };
            let total = match media.held(&sha256).map_err(missing)? {
                Held::Complete(total) => total,
                Held::Partial(_) => return Err(ConsoleFailure::MediaNotYetSent(sha256.clone())),
            };
            let read = match range {
                None => Read::Whole(media.read(&sha256).map_err(missing)?),
                Some((first, _)) if first >= total => Read::Unsatisfiable { total },
                Some((first, last)) => {
                    let wanted = last.map_or(MAX_RANGE_BYTES, |l| (l - first + 1).min(MAX_RANGE_BYTES));
                    let (total, bytes) = media.read_range(&sha256, first, wanted).map_err(missing)?;
                    Read::Part { first, total, bytes }
                }
            };
            Ok((shown, read))
        })
        .await?;
    let mut response = match read {
        Read::Whole(bytes) => (StatusCode::OK, bytes).into_response(),
        Read::Part { first, total, bytes } => {
            let last = (first + bytes.len() as u64).saturating_sub(1);
            let mut r = (StatusCode::PARTIAL_CONTENT, bytes).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {first}-{last}/{total}")) {
                r.headers_mut().insert(CONTENT_RANGE, v);
            }
            r
        }
        Read::Unsatisfiable { total } => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                r.headers_mut().insert(CONTENT_RANGE, v);
            }
            return Ok(r);
        }
    };
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(shown.mime()));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_range(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RANGE, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn a_single_byte_range_is_read_and_anything_else_is_answered_whole() {
        assert_eq!(range_of(&with_range("bytes=0-")), Some((0, None)));
        assert_eq!(range_of(&with_range("bytes=100-199")), Some((100, Some(199))));
        assert_eq!(range_of(&HeaderMap::new()), None);
        for whole in ["bytes=-500", "bytes=0-10,20-30", "bytes=9-3", "items=0-1", "bytes=a-b"] {
            assert_eq!(range_of(&with_range(whole)), None, "{whole}");
        }
    }

    #[test]
    fn a_file_is_served_as_the_type_its_record_names_and_a_thumbnail_as_jpeg() {
        assert_eq!(Shown::Whole(MediaType::Mp4Audio).mime(), "audio/mp4");
        assert_eq!(Shown::Whole(MediaType::Webp).mime(), "image/webp");
        assert_eq!(Shown::Thumbnail.mime(), "image/jpeg");
    }
}
