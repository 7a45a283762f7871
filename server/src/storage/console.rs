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
/// (`parent` None), a new revision of one already held (`parent` = the record's current
/// revision, else the edit is refused as made from a stale copy), or a merge of a record
/// edited on two devices at once (`parent` = the head kept, `merges` = the other head; both
/// must be heads of the record still, else it is refused as stale).
#[derive(Debug, Clone, PartialEq)]
pub struct OwnRevision {
    /// Made by the caller, like a device makes its revisions' ids.
    pub id: Uuid,
    pub record_id: Uuid,
    pub parent: Option<Uuid>,
    /// For a merge: the other head it resolves.
    pub merges: Option<Uuid>,
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

/// A stored revision naming a file (an attachment or its thumbnail, issue 16), with the
/// binding of its record: a person may see the file if they may see one of these.
#[derive(Debug, Clone, PartialEq)]
pub struct NamingRevision {
    pub revision: Revision,
    /// The record's scope (every revision of a record has its first revision's).
    pub scope: crate::visibility::Scope,
    /// The officer the record is bound to: its first revision's author, or the owner the
    /// console gave it.
    pub bound_to: String,
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
    /// The heads of every record that has more than one (edited on two devices at once and not
    /// merged yet), by record, in log order.
    fn open_heads(&self) -> Result<Vec<Logged>>;
    /// The heads of one record (none when it is not held), in log order.
    fn record_heads(&self, record: Uuid) -> Result<Vec<Logged>>;
    /// The officer a record is bound to (its first revision's author, or the owner the
    /// console gave it), if the record exists.
    fn record_author(&self, record: Uuid) -> Result<Option<String>>;
    /// Every stored revision that names the file `sha256` (as an attachment or a thumbnail),
    /// in log order, found through `revision_media`: whom the console shows the file to.
    fn revisions_naming(&self, sha256: &str) -> Result<Vec<NamingRevision>>;
    /// Names `to` successor of `from` (both in the directory): `to`'s devices pull `from`'s
    /// neighbourhood and liaison work from the start. Logged as `actor`'s act.
    fn hand_over(&self, from: &str, to: &str, actor: &str) -> Result<()>;
    /// Every handover recorded, newest first.
    fn handovers(&self) -> Result<Vec<crate::console::model::Handover>>;
    /// Writes a disclosure in the server's audit chain: `actor` let `detail` leave the server
    /// (a report, an export), for `purpose`.
    fn disclose(&self, actor: &str, operation: Option<Uuid>, detail: &str, purpose: &str) -> Result<()>;
    /// The debrief notes of an operation (went well, even better if, recommendations,
    /// sign-off), if any were entered.
    fn debrief_notes(&self, operation: Uuid) -> Result<Option<liaison_core::report::DebriefNotes>>;
    /// Keeps the debrief notes of an operation, logged as `actor`'s act with `what` they did.
    fn put_debrief_notes(
        &self,
        operation: Uuid,
        notes: &liaison_core::report::DebriefNotes,
        actor: &str,
        what: &str,
    ) -> Result<()>;

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
/// record; a new record is new; an edit names the record's current revision; a merge names two
/// of its heads; the clock moves past the chain's and the record's) are written once.
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

    /// The next revision, for `own`, whose record's heads (id, clock) are `heads` (none for a
    /// record not held): checked, linked, hashed; with its canonical body.
    pub fn next(&mut self, own: &OwnRevision, heads: &[(Uuid, Hlc)]) -> Result<(Revision, String)> {
        own.record
            .validate()
            .map_err(|e| StorageError::Invalid(format!("revision {}: {e}", own.id)))?;
        if own.owner.is_some() && own.parent.is_some() {
            return Err(StorageError::Invalid(format!(
                "revision {}: a record's owner is given by its first revision only",
                own.id
            )));
        }
        let current = liaison_core::evidence::winner(heads.iter().map(|(id, hlc)| (*hlc, id))).copied();
        let is_head = |id: Uuid| heads.iter().any(|(h, _)| *h == id);
        match (own.parent, own.merges, current) {
            (None, None, None) => {}
            (Some(p), None, Some(c)) if p == c => {}
            (Some(p), Some(m), Some(_)) if p != m && is_head(p) && is_head(m) => {}
            (None, Some(_), _) => {
                return Err(StorageError::Invalid(format!(
                    "revision {}: a merge names the version it keeps as its parent",
                    own.id
                )))
            }
            (None, None, Some(_)) => {
                return Err(StorageError::Conflict(format!(
                    "record {} already exists: an edit names the revision it was made from",
                    own.record_id
                )))
            }
            (Some(_), _, None) => return Err(StorageError::UnknownRecord(own.record_id)),
            (Some(_), Some(_), Some(_)) => return Err(not_both_heads(own.record_id)),
            (Some(_), None, Some(_)) => return Err(stale(own.record_id)),
        }
        self.seq += 1;
        // After every head of the record too, so the revision wins on every device.
        let floor = heads.iter().map(|(_, h)| *h).max().unwrap_or_default().max(self.hlc);
        self.hlc = floor.tick(self.now.timestamp_millis());
        let mut rev = Revision {
            id: own.id,
            record_id: own.record_id,
            parent: own.parent,
            merges: own.merges,
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

/// A record's heads after `rev` is appended to it: the revisions it follows (its parent, and
/// the head it merges) are heads no more.
pub(super) fn heads_after(heads: &mut Vec<(Uuid, Hlc)>, rev: &Revision) {
    heads.retain(|(id, _)| Some(*id) != rev.parent && Some(*id) != rev.merges);
    heads.push((rev.id, rev.hlc));
}

/// What the audit entry of a revision the server writes on a person's behalf says it did.
pub(super) fn describe_own(rev: &Revision, actor: &str) -> String {
    let what = match (rev.parent, rev.merges) {
        (None, _) => "created".to_string(),
        (Some(_), None) => "edited".to_string(),
        (Some(kept), Some(merged)) => {
            format!("merged (two versions made at once: revision {kept} kept, revision {merged} resolved)")
        }
    };
    format!(
        "{} {what} of record {} written to the server's chain by {actor} as {}",
        rev.kind.as_str(),
        rev.record_id,
        rev.author
    )
}

/// Of `heads` (of several records, in log order), those of records with more than one.
pub(super) fn more_than_one(heads: Vec<Logged>) -> Vec<Logged> {
    let mut count: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
    for l in &heads {
        *count.entry(l.revision.record_id).or_default() += 1;
    }
    heads
        .into_iter()
        .filter(|l| count.get(&l.revision.record_id).is_some_and(|n| *n > 1))
        .collect()
}

/// A merge naming versions that are no longer both heads of the record: another merge, or an
/// edit, came first.
pub(super) fn not_both_heads(record: Uuid) -> StorageError {
    StorageError::Conflict(format!(
        "record {record} no longer has both of these versions as current versions (it was merged or edited \
         meanwhile): reload it and look again; nothing was written"
    ))
}

/// An edit made from a copy of a record that has changed since.
pub(super) fn stale(record: Uuid) -> StorageError {
    StorageError::Conflict(format!(
        "record {record} was changed since this copy was read: reload it and make the change again"
    ))
}
