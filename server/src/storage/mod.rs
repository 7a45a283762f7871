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
    /// Set when the device was revoked. Only [`Storage::token_holder`] returns such a device
    /// (for the final push of a retired one); [`Storage::authenticate`] refuses it.
    pub revoked: Option<Revocation>,
}

/// Why a device was revoked: it decides what the server still takes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    /// Lost: the token may be in anyone's hands. Nothing more is accepted.
    Lost,
    /// Stolen: as lost.
    Stolen,
    /// Retired (handed in, replaced): the device may still deliver what it recorded before the
    /// revocation, in a final push; nothing recorded after it, and no pull.
    Retired,
}

impl RevocationReason {
    pub const ALL: [RevocationReason; 3] = [Self::Lost, Self::Stolen, Self::Retired];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lost => "lost",
            Self::Stolen => "stolen",
            Self::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl std::fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When and why a device was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    pub at: DateTime<Utc>,
    pub reason: RevocationReason,
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
    #[error("this device was revoked on {at} (reported {reason}): it must not sync again and must be wiped")]
    Revoked {
        at: DateTime<Utc>,
        reason: RevocationReason,
    },
    #[error("this enrollment code is unknown, already used or expired: ask the force IT team for a new one")]
    BadEnrollmentCode,
    #[error(
        "device {0} was revoked and cannot be enrolled again under the same id: it must be wiped; reset the app to \
         get a new id"
    )]
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
    /// Revokes a device for `reason`. Revoking again keeps the first time, and the stricter
    /// reason (a retired device later reported stolen is treated as stolen; never the reverse).
    fn revoke_device(&self, device_id: Uuid, reason: RevocationReason) -> Result<()>;
    /// The device holding this token, revoked or not: the caller applies the revocation rule
    /// (the API does, in one place). Unknown tokens are refused.
    fn token_holder(&self, token_hash: &[u8]) -> Result<DeviceAuth>;
    /// A device in good standing: revoked devices are refused with [`StorageError::Revoked`].
    fn authenticate(&self, token_hash: &[u8]) -> Result<DeviceAuth> {
        let device = self.token_holder(token_hash)?;
        match device.revoked {
            Some(r) => Err(StorageError::Revoked {
                at: r.at,
                reason: r.reason,
            }),
            None => Ok(device),
        }
    }
    /// Stores a batch of the device's revisions (see `sync::protocol::PushResponse`). For a
    /// retired device, revisions recorded after its revocation are refused one by one
    /// ([`RejectReason::Revoked`](liaison_core::sync::protocol::RejectReason::Revoked)); a
    /// lost or stolen one is refused whole.
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
