//! What the app's screens ask of the core, as plain functions over a [`Store`]: the operation
//! home at a glance, the rumour board and its lifecycle moves, the negotiation tracker and
//! compliance, the tension series, the timeline page, the directory, record detail with a
//! readable revision history, neighbourhood work with the PCSO deployment check, capture
//! defaults and drafts, and the vocabulary (every closed list with its labels).
//!
//! The Tauri shell's commands are one call into this module each. This module holds the
//! screen logic so that it is tested here, in Rust, and never written in the shell or the UI.
//! It contains no SQL (that stays in [`crate::store`]).

mod detail;
mod home;
mod neighbourhood;
mod rumours;
mod vocabulary;

pub use detail::{record_detail, FieldChange, RecordDetail, RevisionView};
pub use home::{
    capture_defaults, directory, operation_home, operations, resume_operation, tension_series, timeline,
    CaptureDefaults, Cursor, OperationHome, RumourCounts, SectorTension, TensionPoint, TensionSeries, TimelinePage,
    TimelineQuery,
};
pub use neighbourhood::{neighbourhood, AbstractionCard, Neighbourhood, TaskingCard};
pub use rumours::{
    add_rumour_control, negotiations, record_compliance, rumour_board, set_rumour_status, NegotiationCard, RumourCard,
};
pub use vocabulary::{kind_label, vocabulary, Choice, IncidentChoice, Vocabulary};

use crate::audit::Access;
use crate::records::{OfficerId, RecordId};
use crate::store::{CurrentRecord, Result, Store};

/// The store's count of what is waiting to reach the force server, and who is signed in.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct AppStatus {
    pub officer: OfficerId,
    pub device_id: uuid::Uuid,
    /// Revisions made here that the server has not acknowledged. Until sync exists every
    /// revision made on this device is waiting.
    #[ts(type = "number")]
    pub waiting_to_sync: u64,
}

pub fn status(store: &Store, officer: &OfficerId) -> Result<AppStatus> {
    Ok(AppStatus {
        officer: officer.clone(),
        device_id: store.device_id(),
        waiting_to_sync: store.revisions_made_here()?,
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
