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

pub mod client;
pub mod protocol;
pub mod scheduler;

pub use client::{SyncClient, SyncOptions, SyncReport};
pub use scheduler::{backoff_delay, Scheduler, SchedulerOptions, SyncPhase, SyncProgress, SyncStatus};

use crate::store::StoreError;

/// Everything that can stop a sync. Records are never lost by any of them: they stay in the
/// outbox and go at the next attempt.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this device is not enrolled with a force server: ask the force IT team for an enrollment code")]
    NotEnrolled,
    #[error("this device was revoked by the force IT team and can no longer sync; hand it in to be wiped")]
    Revoked,
    #[error("the force server refused this device ({0}); enrol it again with a new code from the force IT team")]
    Unauthorized(String),
    #[error("the enrollment code was refused: {0}. Ask the force IT team for a new code")]
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
    #[error("the server address `{0}` is not usable: give it as http://host:port or https://host")]
    BadServerUrl(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

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
        )
    }
}

#[cfg(test)]
mod tests;
