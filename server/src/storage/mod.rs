//! Everything the server remembers, behind one trait so that a PostgreSQL backend can follow
//! the embedded SQLite one ([`sqlite::SqliteStorage`]) and pass the same tests.
//!
//! The trait is synchronous: the API calls it from `spawn_blocking`, and one call is one
//! transaction. Rules that do not depend on the backend (hash checks, visibility, token
//! generation) live outside it, in `liaison_core`, [`crate::visibility`] and [`crate::auth`].

pub mod sqlite;

use chrono::{DateTime, Utc};
use liaison_core::records::{EventKind, OfficerId};
use liaison_core::store::ChainEntry;
use liaison_core::sync::protocol::{EnrollResponse, PullResponse, PushResponse};
use liaison_core::Revision;
use serde::Serialize;
use uuid::Uuid;

/// An authenticated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    pub device_id: Uuid,
    pub officer: String,
}

/// What the admin gives to create an operation on the server.
#[derive(Debug, Clone)]
pub struct NewOperation {
    pub name: String,
    pub event_kind: EventKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub briefing: String,
    /// Recorded as the author of the operation record.
    pub created_by: OfficerId,
}

/// The server's check of all stored evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerChainReport {
    pub devices: u64,
    pub revisions: u64,
    /// Human-readable problems; empty when every hash and every link checks.
    pub problems: Vec<String>,
}

/// Everything storage can refuse. Messages tell the device or the admin what to do.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no device token was given: enrol this device with a code from the force IT team")]
    MissingToken,
    #[error("this device token is not known to the server: enrol the device again with a new code")]
    UnknownToken,
    #[error("this device was revoked on {at}: it must not sync again and should be wiped")]
    Revoked { at: DateTime<Utc> },
    #[error("this enrollment code is unknown, already used or expired: ask the force IT team for a new one")]
    BadEnrollmentCode,
    #[error("device {0} was revoked and cannot be enrolled again under the same id; reset the app to get a new id")]
    DeviceRevoked(Uuid),
    #[error("no operation {0} on this server: list them with `liaison-server operation list`")]
    UnknownOperation(Uuid),
    #[error("no device {0} on this server")]
    UnknownDevice(Uuid),
    #[error("the pull cursor `{0}` was not issued by this server: pull from the start")]
    BadCursor(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the server database is from a newer server version (schema {found}, this server knows {supported}); upgrade the server")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("the server database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// The server's memory. Every method is one transaction.
pub trait Storage: Send + Sync + 'static {
    /// Creates an operation as a revision on the server's own chain (so it reaches assigned
    /// devices like any record) and returns its id.
    fn create_operation(&self, op: &NewOperation) -> Result<Uuid>;
    /// Assigns an officer to an operation: their devices may now read and write it.
    fn assign(&self, operation: Uuid, officer: &str) -> Result<()>;
    /// Operations with their assigned officers.
    fn operations(&self) -> Result<Vec<(Uuid, String, Vec<String>)>>;
    /// Stores the hash of a one-time code for an officer, valid until `expires`.
    fn add_enrollment_code(&self, code_hash: &[u8], officer: &str, expires: DateTime<Utc>) -> Result<()>;
    /// Spends a code: the device is enrolled for the code's officer with this token hash.
    fn redeem_enrollment_code(&self, code_hash: &[u8], device_id: Uuid, token: &str) -> Result<EnrollResponse>;
    fn revoke_device(&self, device_id: Uuid) -> Result<()>;
    fn authenticate(&self, token_hash: &[u8]) -> Result<DeviceAuth>;
    /// Stores a batch of the device's revisions (see `sync::protocol::PushResponse`).
    fn push(&self, device: &DeviceAuth, revisions: &[Revision], received_at: DateTime<Utc>) -> Result<PushResponse>;
    /// Colleagues' revisions visible to the device, strictly after `after`.
    fn pull(&self, device: &DeviceAuth, after: Option<&str>, limit: u32) -> Result<PullResponse>;
    /// A device's chain as the server holds it.
    fn device_chain(&self, device_id: Uuid) -> Result<Vec<ChainEntry>>;
    /// When the server received a revision.
    fn received_at(&self, revision_id: Uuid) -> Result<Option<DateTime<Utc>>>;
    /// Recomputes every hash and checks every link.
    fn verify(&self) -> Result<ServerChainReport>;
    /// The current revision of a record by the same rule every device applies (highest HLC,
    /// then highest id, among the heads), and how many heads are open.
    fn current_revision(&self, record_id: Uuid) -> Result<Option<(Uuid, u32)>>;
}
