//! Everything the server remembers, behind one trait so that a PostgreSQL backend can follow
//! the embedded SQLite one ([`sqlite::SqliteStorage`]) and pass the same tests; the
//! PostgreSQL one ([`postgres::PostgresStorage`]) is for a force-wide deployment.
//!
//! The trait is synchronous: the API calls it from `spawn_blocking`, and one call is one
//! transaction. Rules that do not depend on the backend (hash checks, visibility, token
//! generation) live outside it, in `liaison_core`, [`crate::visibility`] and [`crate::auth`].

mod audit_postgres;
mod audit_sqlite;
pub mod console;
mod console_postgres;
mod console_sqlite;
pub mod postgres;
pub mod sqlite;

use chrono::{DateTime, Utc};
use liaison_core::audit::ChainedAuditEntry;
use liaison_core::evidence::ChainEntry;
use liaison_core::records::{EventKind, OfficerId};
use liaison_core::retention::RetentionPolicy;
use liaison_core::sync::protocol::{AuditAck, EnrollResponse, PullResponse, PushResponse};
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

/// Whose audit trail to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum AuditSubject {
    /// One record: a person, a note, a referral…
    Record(Uuid),
    /// An operation and every record of it.
    Operation(Uuid),
}

/// Where an audit entry was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditSource {
    /// A device's own audit log, as the device sent it.
    Device,
    /// The server's audit log (enrollment, sync, revocation, review, exports).
    Server,
}

/// One entry of an exported audit trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditTrailEntry {
    pub source: AuditSource,
    /// The device the entry is from (device entries) or about (server entries), if any.
    pub device_id: Option<Uuid>,
    /// The entry's id in its own chain (the device's, or the server's).
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The officer (device entries, sync) or admin who acted.
    pub actor: String,
    /// collection, alteration, consultation, disclosure, combination, erasure (s.62), or the
    /// server's enrollment, revocation, review_flag.
    pub action: String,
    pub operation_id: Option<Uuid>,
    /// The records the entry is about.
    pub records: Vec<Uuid>,
    pub detail: String,
    pub purpose: String,
    pub hash: String,
}

/// The audit trail of one person or operation: device and server entries, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditTrail {
    pub subject: AuditSubject,
    pub exported_at: DateTime<Utc>,
    /// The check of every audit chain the server holds, run for this export.
    pub chains: AuditChainReport,
    pub entries: Vec<AuditTrailEntry>,
}

/// The server's check of its own audit chain and of every device's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditChainReport {
    pub server_entries: u64,
    pub device_entries: u64,
    pub devices: u64,
    /// Empty when every hash and link checks.
    pub problems: Vec<String>,
}

/// A record due for review under the retention policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewItem {
    pub record_id: Uuid,
    pub kind: String,
    pub class: String,
    pub operation_id: Option<Uuid>,
    /// The latest revision's time (the device's clock when it was saved).
    pub last_change: DateTime<Utc>,
    /// last change + the kind's review period.
    pub review_date: DateTime<Utc>,
    pub flagged_at: DateTime<Utc>,
    /// Flagged by this run (false: flagged by an earlier one).
    pub newly_flagged: bool,
}

/// Everything storage can refuse. Messages tell the device or the admin what to do.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no device token was given: enrol this device with the enrolment string from the force IT team")]
    MissingToken,
    #[error("this device token is not known to the server")]
    UnknownToken,
    #[error("this device was revoked on {at} (reported {reason}): it must not sync again and must be wiped")]
    Revoked {
        at: DateTime<Utc>,
        reason: RevocationReason,
    },
    #[error("this enrolment code is unknown, already used or expired")]
    BadEnrollmentCode,
    #[error(
        "device {0} is already enrolled: a device is enrolled once. If its first enrolment's answer was lost, enter \
         that same enrolment string again (within 15 minutes of first using it); to give the tablet to another \
         officer, force IT revokes it as retired and the app is reset, which gives it a new id"
    )]
    DeviceTaken(Uuid),
    #[error(
        "device {0} was revoked and cannot be enrolled again under the same id: it must be wiped; reset the app to \
         get a new id"
    )]
    DeviceRevoked(Uuid),
    #[error("no operation {0} on this server: list them with `liaison-server operation list`")]
    UnknownOperation(Uuid),
    #[error("no device {0} on this server")]
    UnknownDevice(Uuid),
    #[error("no record {0} on this server")]
    UnknownRecord(Uuid),
    /// A change made from a stale copy, or a name already taken.
    #[error("{0}")]
    Conflict(String),
    #[error("the pull cursor `{0}` was not issued by this server: pull from the start")]
    BadCursor(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the server database is from a newer server version (schema {found}, this server knows {supported}); upgrade the server")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("the server database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Something stored cannot be read back as the server wrote it (a damaged or hand-edited
    /// database): a server fault, answered as a bare 500 and logged with this detail.
    #[error("the server database holds something it cannot read: {0}. Run `liaison-server verify`")]
    Corrupt(String),
    /// PostgreSQL failed or could not be reached. The message names the database (never the
    /// password) and what to check; the HTTP API answers a bare 500 and keeps it for the log.
    #[error("the PostgreSQL database {0}")]
    Postgres(postgres::Failure),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// The server's memory. Every method is one transaction.
pub trait Storage: console::ConsoleStore + Send + Sync + 'static {
    /// Creates an operation as a revision on the server's own chain (so it reaches assigned
    /// devices like any record) and returns its id.
    fn create_operation(&self, op: &NewOperation) -> Result<Uuid>;
    /// Assigns an officer to an operation: their devices may now read and write it.
    fn assign(&self, operation: Uuid, officer: &str) -> Result<()>;
    /// Operations with their assigned officers.
    fn operations(&self) -> Result<Vec<(Uuid, String, Vec<String>)>>;
    /// Stores the hash of a one-time code for an officer, valid until `expires`.
    fn add_enrollment_code(&self, code_hash: &[u8], officer: &str, expires: DateTime<Utc>) -> Result<()>;
    /// Spends a code: the device is enrolled for the code's officer with this token hash. The
    /// same code from the same device again, within the code's life, replaces the token (the
    /// first answer was lost); any other reuse, an enrolled device id and the server's own
    /// chain id are refused.
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
    /// Every file (an attachment or its thumbnail) named by a revision this device sent, with
    /// the size the revision gives it, once each: what the device may upload (issue 16).
    fn media_sent_by(&self, device_id: Uuid) -> Result<Vec<(String, u64)>>;
    /// The size a revision this device sent gives `sha256`, if one names it: whether the
    /// device may upload it, and how long it is.
    fn media_named_by(&self, device_id: Uuid, sha256: &str) -> Result<Option<u64>>;
    /// The size the revisions naming `sha256` give it, if the device may see one of them (its
    /// own, or a colleague's under the pull's visibility rule): whether it may fetch the file.
    fn media_visible_to(&self, device: &DeviceAuth, sha256: &str) -> Result<Option<u64>>;
    /// When the server received a revision.
    fn received_at(&self, revision_id: Uuid) -> Result<Option<DateTime<Utc>>>;
    /// Recomputes every hash and checks every link.
    fn verify(&self) -> Result<ServerChainReport>;
    /// The current revision of a record by the same rule every device applies (highest HLC,
    /// then highest id, among the heads), and how many heads are open.
    fn current_revision(&self, record_id: Uuid) -> Result<Option<(Uuid, u32)>>;

    /// Stores a device's audit entries after checking each hash and its link to the one
    /// before, append-only; stops at the first that does not check (see `AuditAck`).
    fn push_audit(
        &self,
        device: &DeviceAuth,
        entries: &[ChainedAuditEntry],
        received_at: DateTime<Utc>,
    ) -> Result<AuditAck>;
    /// Flags every record whose review date (last change + the policy's review period for its
    /// kind) is at or before `at`, logs the flagging, and returns all records due. Deletes
    /// nothing.
    fn flag_reviews_due(&self, policy: &RetentionPolicy, at: DateTime<Utc>, actor: &str) -> Result<Vec<ReviewItem>>;
    /// Records flagged for review so far, by review date.
    fn review_flags(&self) -> Result<Vec<ReviewItem>>;
    /// The audit trail of a record or an operation, from device and server entries; the
    /// export is itself logged as a disclosure with its purpose.
    fn audit_trail(&self, subject: AuditSubject, actor: &str, purpose: &str) -> Result<AuditTrail>;
    /// Recomputes every audit hash and link, the server's and each device's.
    fn verify_audit(&self) -> Result<AuditChainReport>;
}
