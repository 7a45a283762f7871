//! What the app's screens ask of the core, as plain functions over a [`Store`]: the operation
//! home at a glance and its map (sectors by tension, located records as pins), the rumour
//! board and its lifecycle moves, the negotiation tracker and compliance, the tension series,
//! the timeline page, the directory, record detail with a readable revision history,
//! neighbourhood work with the PCSO deployment check, capture defaults and drafts, and the
//! vocabulary (every closed list with its labels); and the device [`session`]: the lock,
//! enrolment, sync start and stop, and the wipe policy.
//!
//! The Tauri shell's commands are one call into this module each. This module holds the
//! screen logic so that it is tested here, in Rust, and never written in the shell or the UI.
//! It contains no SQL (that stays in [`crate::store`]).

mod capture;
#[cfg(feature = "report")]
mod debrief;
mod detail;
mod home;
mod intelligence;
mod map;
mod media;
mod neighbourhood;
mod rumours;
pub mod session;
mod vocabulary;

pub use capture::{create_record, discard_draft, draft, edit_record, save_draft, search};
#[cfg(feature = "report")]
pub use debrief::{debrief, save_debrief, ReportFailure, SavedReport, TabletDebrief};
pub use detail::{
    merge_versions, record_detail, Conflict, ConflictVersion, FieldChange, RecordDetail, Refusal, RevisionView,
};
pub use home::{
    capture_defaults, confirm_directory_entry, directory, operation_home, operations, resume_operation, tension_series,
    timeline, CaptureDefaults, Cursor, OperationHome, RumourCounts, SectorTension, TensionPoint, TensionSeries,
    TimelinePage, TimelineQuery,
};
pub use intelligence::{intelligence_draft_from_note, submit_note_as_intelligence};
pub use map::{operation_map, MapPin, MapSector, OperationMap, PINNED_KINDS, PINS_MAX};
pub use media::{attach, attach_encoded, base64, media_bytes, Attached, NewAttachment};
pub use neighbourhood::{neighbourhood, AbstractionCard, Neighbourhood, TaskingCard};
pub use rumours::{
    add_rumour_control, negotiations, record_compliance, rumour_board, set_rumour_status, NegotiationCard, RumourCard,
};
pub use session::{check_enrolment, EnrolmentCheck, EnrolmentView, LockView, Session, SessionError};
pub use vocabulary::{kind_label, vocabulary, Choice, IncidentChoice, Vocabulary};

use crate::audit::Access;
use crate::records::{OfficerId, RecordId};
use crate::store::{CurrentRecord, Result, Store};

/// What the status strip shows: who is signed in, and where sync stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct AppStatus {
    pub officer: OfficerId,
    pub device_id: uuid::Uuid,
    /// Revisions made here that the force server does not hold yet (quarantined ones apart).
    #[ts(type = "number")]
    pub waiting_to_sync: u64,
    /// Of those, escalations and rumours: they go first.
    #[ts(type = "number")]
    pub urgent_waiting: u64,
    /// This device is enrolled with a force server.
    pub enrolled: bool,
    pub last_success_at: Option<chrono::DateTime<chrono::Utc>>,
    /// What went wrong with the last attempt, in words the officer can act on.
    pub last_error: Option<String>,
    /// The server has revoked this device.
    pub revoked: bool,
    /// Revisions the server refused, with its reason; they are not retried.
    pub quarantined: Vec<QuarantineNote>,
    /// Present while a sync is running: for the progress bar.
    pub progress: Option<SyncBar>,
    /// Photos, screenshots and audio notes waiting to go, counted apart from records.
    pub media_waiting: crate::store::MediaWaiting,
}

/// A revision the server refused, as the officer is told about it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct QuarantineNote {
    pub revision_id: uuid::Uuid,
    pub reason: String,
    pub message: String,
}

/// A running sync's progress.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct SyncBar {
    /// "pushing", "pulling" or "sending_media" (done and total then in bytes).
    pub phase: String,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// The status strip's figures; `live` is the running sync's progress, if any.
pub fn status(store: &Store, officer: &OfficerId, live: Option<crate::sync::SyncProgress>) -> Result<AppStatus> {
    let sync = store.sync_status()?;
    Ok(AppStatus {
        officer: officer.clone(),
        device_id: store.device_id(),
        waiting_to_sync: sync.waiting,
        urgent_waiting: sync.urgent_waiting,
        media_waiting: store.media_waiting_summary()?,
        enrolled: sync.enrolled,
        last_success_at: sync.last_success_at,
        last_error: sync.last_error,
        revoked: sync.revoked,
        quarantined: sync
            .quarantined
            .into_iter()
            .map(|q| QuarantineNote {
                revision_id: q.revision_id,
                reason: q.reason,
                message: q.message,
            })
            .collect(),
        progress: live.map(|p| SyncBar {
            phase: match p.phase {
                crate::sync::SyncPhase::Pushing => "pushing".into(),
                crate::sync::SyncPhase::Pulling => "pulling".into(),
                crate::sync::SyncPhase::SendingMedia => "sending_media".into(),
            },
            done: p.done,
            total: p.total,
        }),
    })
}

/// Reads a record that is not personal data (no purpose needed; personal kinds are refused
/// by the store without one).
fn read(store: &Store, officer: &OfficerId, id: RecordId) -> Result<CurrentRecord> {
    store.get(
        id,
        &Access {
            officer: officer.clone(),
            purpose: String::new(),
        },
    )
}

#[cfg(test)]
mod tests;
