//! Sync with the force server: the wire protocol both sides share ([`protocol`]), the client
//! that pushes this device's outbox and pulls colleagues' revisions ([`client`]), and the
//! scheduler that runs it on a timer, on demand and when coverage returns ([`scheduler`]).
//!
//! The loop (docs/sync.md has the whole picture):
//!
//! ```text
//! push: while outbox(batch) is not empty          -- urgent kinds first, chain order within
//!         send batch -> server stores each idempotently by id, verifies chain links
//!         server answers acked_seq + held seqs + rejections
//!         device records held, quarantines rejections, advances its watermark   (one tx)
//! pull: loop: page = GET after cursor; receive page idempotently; cursor = page.next
//!       until !page.more
//! ```
//!
//! This module does HTTP but no SQL (sync state lives in `store::sync`), and knows nothing of
//! Tauri or the UI: the shell drives [`Scheduler`] and shows [`SyncStatus`].

#[cfg(feature = "device")]
pub mod client;
pub mod enrolment;
pub mod protocol;
#[cfg(feature = "device")]
pub mod scheduler;

#[cfg(feature = "device")]
pub use client::{FetchError, MediaUnavailable, SyncClient, SyncOptions, SyncReport};
pub use enrolment::{Enrolment, EnrolmentError};
#[cfg(feature = "device")]
pub use scheduler::{backoff_delay, Scheduler, SchedulerOptions, SyncPhase, SyncProgress, SyncStatus};

#[cfg(feature = "device")]
use crate::store::StoreError;

/// Everything that can stop a sync. Records are never lost by any of them: they stay in the
/// outbox and go at the next attempt.
#[cfg(feature = "device")]
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this device is not enrolled with a force server: enter the enrolment string from the force IT team")]
    NotEnrolled,
    #[error("this device was revoked by the force IT team and can no longer sync; hand it in to be wiped")]
    Revoked,
    #[error(
        "the force server refused this device ({0}); enrol it again with a new enrolment string from the force IT team"
    )]
    Unauthorized(String),
    #[error("the enrolment code was refused: {0}. Ask the force IT team for a new enrolment string")]
    EnrollmentRefused(String),
    #[error("the force server could not be reached ({0}); records stay on this device and go when coverage returns")]
    Unreachable(String),
    #[error("the force server failed ({status}: {message}); sync will try again shortly")]
    Server { status: u16, message: String },
    #[error("the force server's answer could not be read ({0}); sync will try again shortly")]
    BadResponse(String),
    #[error(
        "the force server's answer did not account for every revision sent; nothing was marked as sent \
         and the batch will go again"
    )]
    IncompleteAcknowledgement,
    #[error("the force server's pull cursor did not move; sync stopped to avoid a loop. Tell the force IT team")]
    CursorStuck,
    #[error("the server address `{0}` is not usable: give it as https://host[:port]")]
    BadServerUrl(String),
    #[error(
        "the server address `{0}` uses plain http:// to another machine, which would send records unencrypted: \
         use the force server's https:// address"
    )]
    PlainHttpRefused(String),
    #[error(
        "the server address `{0}` uses plain http://, which is allowed on this machine only when explicitly \
         enabled for development (LIAISON_ALLOW_PLAIN_LOOPBACK=1); use https://"
    )]
    PlainHttpNotAllowed(String),
    #[error(
        "no force CA certificate is configured, so the force server cannot be checked: install the force CA \
         (LIAISON_SERVER_CA) given by the force IT team"
    )]
    NoForceCa,
    #[error("the force CA certificate cannot be used ({0}): ask the force IT team for the right ca.pem")]
    BadForceCa(String),
    #[error(
        "the server did not prove it is the force server (its certificate is not from the force CA): nothing was \
         sent. Tell the force IT team ({0})"
    )]
    UntrustedServer(String),
    #[error("the force server is busy with this device's requests; sync will try again in {} s", .retry_after.as_secs())]
    RateLimited { retry_after: std::time::Duration },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(feature = "device")]
impl SyncError {
    /// True when waiting and trying again can help (network, server trouble).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unreachable(_)
                | Self::Server { .. }
                | Self::BadResponse(_)
                | Self::IncompleteAcknowledgement
                | Self::CursorStuck
                | Self::RateLimited { .. }
        )
    }

    /// How long the server asked to wait before the next attempt, if it did.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Self::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        }
    }
}

#[cfg(all(test, feature = "device"))]
mod tests;
