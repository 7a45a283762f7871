//! What the force console remembers: staff and their sessions, the directory of officers,
//! tablets' last contact, review decisions, and the revisions the server writes into its own
//! chain on a person's behalf (an operation set up in the console). A supertrait of
//! [`Storage`](super::Storage), so both backends keep it in the same database and the same
//! transactions as the evidence; every change is logged in the server's audit chain in the
//! same transaction, naming the member of staff who made it.

use super::{Result, StorageError};
use crate::console::model::{DeviceView, OfficerEntry, ReviewDecision, ReviewDecisionView, Staff, StaffRole};
use chrono::{DateTime, Utc};
use liaison_core::evidence::{canonical_body, Hash, Hlc};
use liaison_core::records::Record;
use liaison_core::{OfficerId, Revision};
use uuid::Uuid;

/// The audit action of a refused sign-in, for refusals logged through
/// [`ConsoleStore::log_console`] (a locked or disabled account).
pub use super::audit_sqlite::action::SIGN_IN_FAILED;

/// A staff account as stored for sign-in.
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    pub staff: Staff,
    /// Argon2id, PHC string.
    pub password_hash: String,
    /// Wrong passwords since the last good sign-in.
    pub failed_attempts: u32,
}

/// A new staff account, its password already hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffAccount {
    pub username: String,
    pub display_name: String,
    pub role: StaffRole,
    pub officer: Option<OfficerId>,
    pub password_hash: String,
}

/// A change to a staff account, its new password already hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffChange {
    pub display_name: String,
    pub role: StaffRole,
    pub officer: Option<OfficerId>,
    pub disabled: bool,
    pub password_hash: Option<String>,
}

/// A console session as stored (by the SHA-256 of its cookie).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSession {
    pub staff: Staff,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// One revision for the server's own chain, made on a person's behalf: a new record
/// (`parent` None) or a new revision of one already held (`parent` = the record's current
/// revision, else the edit is refused as made from a stale copy).
#[derive(Debug, Clone, PartialEq)]
pub struct OwnRevision {
    /// Made by the caller, like a device makes its revisions' ids.
    pub id: Uuid,
    pub record_id: Uuid,
    pub parent: Option<Uuid>,
    pub author: OfficerId,
    pub reason: Option<String>,
    pub record: Record,
    /// Whose the new record is, when not its author's: the record is bound to this officer, so
    /// an author-only record (a tasking given in the console) reaches their devices and only
    /// they may write its next revisions. None binds it to `author`; only a new record has one.
    pub owner: Option<OfficerId>,
}

impl OwnRevision {
    /// The officer the record is bound to when this revision is its first.
    pub fn bound_to(&self) -> &OfficerId {
        self.owner.as_ref().unwrap_or(&self.author)
    }
}

/// A revision with the server's log position and receipt time: the console's live picture
/// and its event stream are built from these.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    pub position: i64,
    pub received_at: DateTime<Utc>,
    pub revision: Revision,
}

/// What a device reported at a sync, kept as its last contact.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub at: DateTime<Utc>,
    pub app_version: Option<String>,
    pub waiting: Option<u32>,
}

/// The console's half of the server's memory. Every method is one transaction.
pub trait ConsoleStore {
    /// Adds a staff account; the username must be new. Logged with `actor`.
    fn add_staff(&self, account: &StaffAccount, actor: &str) -> Result<Staff>;
    /// Changes an account: role, name, officer, disabled, and the password hash when given.
    /// Disabling it or changing its password ends its sessions. Logged with `actor`.
    fn update_staff(&self, username: &str, change: &StaffChange, actor: &str) -> Result<Staff>;
    /// Every staff account, by username.
    fn staff(&self) -> Result<Vec<Staff>>;
    /// The account `username` (case-insensitive) as stored for sign-in.
    fn credentials(&self, username: &str) -> Result<Option<Credentials>>;
    /// A wrong password for `username`: counts it, locks the account until `lock_until` when
    /// given, logs it. Returns the count.
    fn sign_in_failed(&self, username: &str, lock_until: Option<DateTime<Utc>>) -> Result<u32>;
    /// A good sign-in: clears the count and the lock, stores the session, logs it.
    fn sign_in(&self, username: &str, session_hash: &[u8], expires_at: DateTime<Utc>) -> Result<()>;
    /// The session with this cookie hash, if it exists (expired or not: the caller decides).
    fn session(&self, session_hash: &[u8]) -> Result<Option<StoredSession>>;
    /// Marks the session used now (for its idle limit).
    fn touch_session(&self, session_hash: &[u8], at: DateTime<Utc>) -> Result<()>;
    /// Ends a session (signing out, or found expired); logged when `actor` signs out.
    fn end_session(&self, session_hash: &[u8], actor: Option<&str>) -> Result<()>;

    /// Adds or replaces an officer in the directory. Logged.
    fn put_officer(&self, entry: &OfficerEntry, actor: &str) -> Result<()>;
    /// The directory of officers, by officer id.
    fn officer_directory(&self) -> Result<Vec<OfficerEntry>>;

    /// Appends `revisions` to the server's own chain in order, in one transaction, each
    /// authored by its `author`, judged as a device's would be for validity and parentage; an
    /// operation's revision also (re)creates the operation and makes its team the assigned
    /// officers. Logged as collection by `actor`. Returns the revisions as stored.
    fn append_own(&self, revisions: &[OwnRevision], actor: &str) -> Result<Vec<Revision>>;
    /// Revisions of an operation (its own record and every record in its scope) after the log
    /// position `after`, in log order, at most `limit`.
    fn operation_log(&self, operation: Uuid, after: i64, limit: u32) -> Result<Vec<Logged>>;
    /// The server's latest log position.
    fn log_position(&self) -> Result<i64>;
    /// Revisions of every record of `kind`, whatever its scope, after the log position
    /// `after`, in log order, at most `limit` (the console's list of taskings).
    fn kind_log(&self, kind: liaison_core::records::RecordKind, after: i64, limit: u32) -> Result<Vec<Logged>>;
    /// The officer a record is bound to (its first revision's author, or the owner the
    /// console gave it), if the record exists.
    fn record_author(&self, record: Uuid) -> Result<Option<String>>;
    /// Names `to` successor of `from` (both in the directory): `to`'s devices pull `from`'s
    /// neighbourhood and liaison work from the start. Logged as `actor`'s act.
    fn hand_over(&self, from: &str, to: &str, actor: &str) -> Result<()>;
    /// Every handover recorded, newest first.
    fn handovers(&self) -> Result<Vec<crate::console::model::Handover>>;

    /// Every enrolled tablet with its last contact.
    fn devices(&self) -> Result<Vec<DeviceView>>;
    /// Keeps what a device reported at a sync.
    fn note_contact(&self, device_id: Uuid, contact: &Contact) -> Result<()>;
    /// Revokes a device as [`Storage::revoke_device`](super::Storage::revoke_device) does,
    /// logged as `actor`'s act.
    fn revoke_device_by(&self, device_id: Uuid, reason: super::RevocationReason, actor: &str) -> Result<()>;

    /// Records a decision on a record flagged for review (its latest flag). Logged.
    fn decide_review(&self, record_id: Uuid, decision: &ReviewDecision, actor: &str) -> Result<ReviewDecisionView>;
    /// The decisions recorded, by record.
    fn review_decisions(&self) -> Result<Vec<(Uuid, ReviewDecisionView)>>;
    /// Logs a console act that changes nothing stored (an enrolment issued, an audit export).
    fn log_console(
        &self,
        actor: &str,
        action: &str,
        operation: Option<Uuid>,
        detail: &str,
        purpose: &str,
    ) -> Result<()>;
}

/// The audit entry's words for a change to a staff account (never the password itself).
pub(super) fn describe_change(before: &Staff, change: &StaffChange) -> String {
    let mut what = Vec::new();
    if before.role != change.role {
        what.push(format!("role {} → {}", before.role.as_str(), change.role.as_str()));
    }
    if before.display_name != change.display_name {
        what.push(format!("name {:?} → {:?}", before.display_name, change.display_name));
    }
    let officer = change.officer.as_ref().map(|o| o.to_string());
    if before.officer != officer {
        what.push(format!("officer {:?} → {:?}", before.officer, officer));
    }
    if before.disabled != change.disabled {
        what.push(if change.disabled {
            "disabled".into()
        } else {
            "enabled again".into()
        });
    }
    if change.password_hash.is_some() {
        what.push("password set".into());
    }
    if change.disabled || change.password_hash.is_some() {
        what.push("its sessions ended".into());
    }
    if what.is_empty() {
        what.push("saved unchanged".into());
    }
    format!("staff account {}: {}", before.username, what.join(", "))
}

/// The server's own chain as revisions are appended to it in one transaction: both backends
/// read its head, then take each next revision from here, so the rules of an append (a valid
/// record; a new record is new; an edit names the record's current revision; the clock moves
/// past the chain's and the record's) are written once.
pub(super) struct OwnChain {
    pub device_id: Uuid,
    pub seq: u64,
    pub prev: Hash,
    pub hlc: Hlc,
    /// The server's clock for the whole append, in whole milliseconds.
    pub now: DateTime<Utc>,
}

impl OwnChain {
    /// The chain after its head (seq, hash, clock), if it has one.
    pub fn after(device_id: Uuid, head: Option<(u64, Hash, Hlc)>, now: DateTime<Utc>) -> OwnChain {
        let (seq, prev, hlc) = head.unwrap_or((0, Hash::GENESIS, Hlc::default()));
        let now = DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now);
        OwnChain {
            device_id,
            seq,
            prev,
            hlc,
            now,
        }
    }

    /// The next revision, for `own`, whose record's current revision (id, clock) is `held`:
    /// checked, linked, hashed; with its canonical body.
    pub fn next(&mut self, own: &OwnRevision, held: Option<(Uuid, Hlc)>) -> Result<(Revision, String)> {
        own.record
            .validate()
            .map_err(|e| StorageError::Invalid(format!("revision {}: {e}", own.id)))?;
        if own.owner.is_some() && own.parent.is_some() {
            return Err(StorageError::Invalid(format!(
                "revision {}: a record's owner is given by its first revision only",
                own.id
            )));
        }
        match (own.parent, held) {
            (None, None) => {}
            (Some(p), Some((c, _))) if p == c => {}
            (None, Some(_)) => {
                return Err(StorageError::Conflict(format!(
                    "record {} already exists: an edit names the revision it was made from",
                    own.record_id
                )))
            }
            (Some(_), None) => return Err(StorageError::UnknownRecord(own.record_id)),
            (Some(_), Some(_)) => return Err(stale(own.record_id)),
        }
        self.seq += 1;
        // After the record's current revision too, so the edit wins on every device.
        let floor = held.map(|(_, h)| h).unwrap_or_default().max(self.hlc);
        self.hlc = floor.tick(self.now.timestamp_millis());
        let mut rev = Revision {
            id: own.id,
            record_id: own.record_id,
            parent: own.parent,
            kind: own.record.body.kind(),
            author: own.author.clone(),
            device_id: self.device_id,
            device_seq: self.seq,
            recorded_at: self.now,
            hlc: self.hlc,
            reason: own.reason.clone(),
            body: own.record.clone(),
            prev_hash: self.prev,
            hash: Hash::GENESIS,
        };
        let body = canonical_body(&rev.body);
        rev.hash = rev.compute_hash(&body);
        self.prev = rev.hash;
        Ok((rev, body))
    }
}

/// An edit made from a copy of a record that has changed since.
pub(super) fn stale(record: Uuid) -> StorageError {
    StorageError::Conflict(format!(
        "record {record} was changed since this copy was read: reload it and make the change again"
    ))
}
