//! The one judge of everything a device pushes. Pure functions: what was pushed, what the
//! server already holds about it (gathered by the storage backend), the device's enrolment and
//! standing, and the server's clock go in; a verdict with a typed reason comes out. Every
//! acceptance rule lives here, so every storage backend applies the same ones and only looks
//! up and inserts.
//!
//! The rules, in the order they are applied:
//!
//! 1. Standing ([`standing`]): a lost or stolen device is refused whole. A retired one makes a
//!    single final push: it must begin within [`FINAL_PUSH_WITHIN`] of the revocation and
//!    ends [`FINAL_PUSH_LASTS`] after it began, both by the server's clock; nothing recorded
//!    after the revocation is taken.
//! 2. The revision alone ([`examine`], before the write lock, so pushes check in parallel):
//!    it is this device's; its author is the officer the device was enrolled for; the record
//!    validates; its clocks are no more than [`MAX_CLOCK_AHEAD`] ahead of the server's
//!    receipt; its hash matches its content.
//! 3. Against what is held ([`decide`], inside the write transaction): the same id is taken
//!    again only if identical; the device's chain has no fork and every link holds; a record
//!    id is bound to its kind, its visibility and (for author-only records) its author by its
//!    first revision, and a later revision must name a held revision of the same record as
//!    its parent; a merge (a revision that also names, in `merges`, the other head of a record
//!    edited on two devices at once) must have a parent, and must name another held revision
//!    of the same record than its parent, and is never taken for a kind with a supervisor's
//!    part (such records never fork: an edit of a revision already followed is refused); a
//!    record of an operation is written only by an officer assigned to it (a new operation
//!    made on a tablet registers it, with its maker as first member).
//!
//! A device whose clock is wrong gets [`RejectReason::ClockAhead`], naming by how much: the
//! revision stays on the tablet (quarantined, with that message) and nothing is clamped, which
//! would break its hash. Its hybrid clock never goes back, so revisions it makes after such a
//! stamp carry it too and are refused until real time reaches it: a tablet that was minutes
//! ahead recovers by itself; one that was years ahead must be reset. (A device-side check of
//! its clock against the server's before saving is the fix at the source; not built yet.)
//! Clocks before 2020, or a logical clock below the wall clock, are refused as invalid: their
//! packed form could wrap and win every conflict.

use crate::storage::{DeviceAuth, Revocation, RevocationReason};
use crate::visibility::Scope;
use chrono::{DateTime, Duration, Utc};
use liaison_core::audit::{AuditAction, ChainedAuditEntry};
use liaison_core::evidence::{canonical_body, Hash, Hlc};
use liaison_core::records::RecordKind;
use liaison_core::sync::protocol::RejectReason;
use liaison_core::Revision;
use uuid::Uuid;

/// How far ahead of the server's clock a revision's clocks may be when it arrives.
pub const MAX_CLOCK_AHEAD: Duration = Duration::minutes(5);
/// No revision is older than this (Liaison did not exist before it): a clock this far back is
/// a broken or hostile one, and a hybrid clock near the bottom of its range would wrap.
pub const EARLIEST_CLOCK_MS: i64 = 1_577_836_800_000; // 2020-01-01T00:00:00Z
/// A retired device's final push must begin within this of its revocation.
pub const FINAL_PUSH_WITHIN: Duration = Duration::days(3);
/// …and is over this long after it began (a long outbox goes in several batches).
pub const FINAL_PUSH_LASTS: Duration = Duration::minutes(30);
/// A code redeemed by a device may be presented again by the same device (its answer was
/// lost) for this long after its first use, within the code's life: long enough for an
/// officer in poor coverage to try again, short enough that a code seen on paper later cannot
/// re-issue a working tablet's token.
pub const ENROLMENT_RETRY_WITHIN: Duration = Duration::minutes(15);

/// What presenting an enrolment code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redemption {
    /// The code's first use.
    First,
    /// The same device again, soon after: its first answer was lost. A fresh token replaces it.
    Retry,
    /// Used by another device, or by this one too long ago: refused.
    Spent,
}

/// Whether a code presented by `device_id` is a first redemption, a retry after a lost
/// answer, or spent. `used`: when and by which device the code was first redeemed.
pub fn redemption(used: Option<(DateTime<Utc>, Uuid)>, device_id: Uuid, now: DateTime<Utc>) -> Redemption {
    match used {
        None => Redemption::First,
        Some((at, by)) if by == device_id && now <= at + ENROLMENT_RETRY_WITHIN => Redemption::Retry,
        Some(_) => Redemption::Spent,
    }
}

/// Longest detail and purpose of a device's audit entry, in characters.
pub const MAX_AUDIT_TEXT: usize = 2_000;

/// Why a revision was refused: a stable code and a message for the officer and force IT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: RejectReason,
    pub message: String,
}

fn refuse(reason: RejectReason, message: impl Into<String>) -> Refusal {
    Refusal {
        reason,
        message: message.into(),
    }
}

/// Why a whole request of a device is refused (the caller turns it into its error type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandingRefusal {
    /// Revoked: nothing more is taken. The device must wipe.
    Revoked(Revocation),
}

/// What the server knows of the device's standing, read inside the write transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    pub revoked: Option<Revocation>,
    /// When a retired device's final push began (its first push after the revocation).
    pub final_push_began: Option<DateTime<Utc>>,
}

/// Rule 1. `Ok(Some(t))`: a retired device's final push, which began (or begins now) at `t`.
pub fn standing(s: &Standing, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StandingRefusal> {
    let Some(r) = s.revoked else { return Ok(None) };
    if r.reason != RevocationReason::Retired {
        return Err(StandingRefusal::Revoked(r));
    }
    let began = s.final_push_began.unwrap_or(now);
    let open = began <= r.at + FINAL_PUSH_WITHIN && now <= began + FINAL_PUSH_LASTS;
    if open {
        Ok(Some(began))
    } else {
        Err(StandingRefusal::Revoked(r))
    }
}

/// A revision that passed rule 2, with what storing it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Examined {
    /// The canonical body: exactly the hashed bytes, as stored.
    pub body: String,
    pub scope: Scope,
}

/// Rule 2: the checks that need nothing held.
pub fn examine(device: &DeviceAuth, rev: &Revision, received_at: DateTime<Utc>) -> Result<Examined, Refusal> {
    use RejectReason::*;
    if rev.device_id != device.device_id {
        return Err(refuse(
            ForeignDevice,
            format!(
                "revision {} belongs to device {}, not to this device; a device only pushes its own records",
                rev.id, rev.device_id
            ),
        ));
    }
    if rev.author.as_str() != device.officer {
        return Err(refuse(
            NotAuthor,
            format!(
                "the revision names {} as its author, but this device is enrolled for {}; a device records only \
                 for its own officer",
                rev.author, device.officer
            ),
        ));
    }
    if let Some(r) = device.revoked.filter(|r| rev.recorded_at > r.at) {
        return Err(refuse(
            Revoked,
            format!(
                "this device was retired on {}; a revision recorded after that is not accepted. The device must be \
                 wiped",
                r.at
            ),
        ));
    }
    if let Err(e) = rev.body.validate() {
        return Err(refuse(Invalid, format!("the record is not valid: {e}")));
    }
    if rev.body.kind() != rev.kind {
        return Err(refuse(
            Invalid,
            format!("the revision says {} but holds a {}", rev.kind, rev.body.kind()),
        ));
    }
    if rev.device_seq == 0 {
        return Err(refuse(Invalid, "a device's chain starts at place 1, not 0"));
    }
    // An honest device stamps its hybrid clock at or above its wall clock, both after 2020; a
    // clock below that (or one whose packed form would wrap) would win or lose every conflict
    // by arithmetic, not by time.
    let recorded_ms = rev.recorded_at.timestamp_millis();
    if recorded_ms < EARLIEST_CLOCK_MS || rev.hlc.ms < recorded_ms || Hlc::unpack(rev.hlc.pack()) != rev.hlc {
        return Err(refuse(
            Invalid,
            format!(
                "the revision's clocks cannot be right (recorded {}, logical clock {} ms): set the tablet's date and \
                 time to automatic",
                rev.recorded_at, rev.hlc.ms
            ),
        ));
    }
    let limit = received_at + MAX_CLOCK_AHEAD;
    let ahead = rev
        .recorded_at
        .max(DateTime::from_timestamp_millis(rev.hlc.ms).unwrap_or(DateTime::<Utc>::MAX_UTC));
    if ahead > limit {
        return Err(refuse(
            ClockAhead,
            format!(
                "this revision is stamped {} ahead of the force server's clock (at most {} min is accepted): set the \
                 tablet's date and time to automatic. The record stays on the tablet",
                describe(ahead - received_at),
                MAX_CLOCK_AHEAD.num_minutes()
            ),
        ));
    }
    let body = canonical_body(&rev.body);
    if rev.compute_hash(&body) != rev.hash {
        return Err(refuse(
            HashMismatch,
            "the revision does not match its hash: it was altered after it was saved",
        ));
    }
    Ok(Examined {
        body,
        scope: Scope::of(rev),
    })
}

fn describe(d: Duration) -> String {
    match d.num_minutes() {
        m if m < 120 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h", m / 60),
        m => format!("{} days", m / 60 / 24),
    }
}

/// What the first held revision of a record bound it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub kind: RecordKind,
    pub scope: Scope,
    /// The first revision's author: for author-only records, the only one who may write it.
    pub author: String,
}

impl Binding {
    pub fn of(rev: &Revision, scope: Scope) -> Binding {
        Binding {
            kind: rev.kind,
            scope,
            author: rev.author.as_str().to_string(),
        }
    }
}

/// Whether the officer may write the operation a revision belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// The revision belongs to no operation.
    NoOperation,
    /// No such operation is registered.
    UnknownOperation,
    Assigned,
    NotAssigned,
}

/// What the server holds that bears on one revision, gathered by the backend.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    /// The hash of a held revision with the same id.
    pub same_id: Option<Hash>,
    /// The hash held at the same place of the device's chain.
    pub same_seq: Option<Hash>,
    /// The hash held at the place before.
    pub before: Option<Hash>,
    /// The `prev_hash` held at the place after.
    pub after: Option<Hash>,
    pub binding: Option<Binding>,
    /// For a revision with a parent: the record of that parent, if held.
    pub parent_record: Option<Uuid>,
    /// For a merge: the record of the revision it names in `merges`, if held.
    pub merge_record: Option<Uuid>,
    /// For a revision of a kind with a supervisor's part ([`RecordKind::has_supervisors_part`])
    /// with a parent: the parent's content, and whether the parent already has a next
    /// revision, naming it as parent or as merged (the console acted on it, or another edit
    /// came first).
    pub parent_body: Option<liaison_core::records::Record>,
    pub parent_superseded: bool,
    pub membership: Membership,
}

impl Default for Held {
    fn default() -> Self {
        Held {
            same_id: None,
            same_seq: None,
            before: None,
            after: None,
            binding: None,
            parent_record: None,
            merge_record: None,
            parent_body: None,
            parent_superseded: false,
            membership: Membership::NoOperation,
        }
    }
}

/// The verdict on one examined revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Store it. `registers_operation`: a new operation made on a tablet, whose maker becomes
    /// its first member; `binds`: the record's first revision, which binds its id.
    Store {
        registers_operation: bool,
        binds: bool,
    },
    /// Held already, identical: acknowledged again, nothing written.
    AlreadyHeld,
    Refuse(Refusal),
}

/// Rule 3: the checks against what is held.
pub fn decide(rev: &Revision, examined: &Examined, held: &Held) -> Verdict {
    use RejectReason::*;
    let no = |reason, message: String| Verdict::Refuse(refuse(reason, message));
    if let Some(h) = held.same_id {
        return if h == rev.hash {
            Verdict::AlreadyHeld
        } else {
            no(
                ConflictingCopy,
                format!(
                    "the server already holds a different revision with id {}; this copy was refused",
                    rev.id
                ),
            )
        };
    }
    let seq = rev.device_seq;
    if held.same_seq.is_some() {
        return no(
            Fork,
            format!(
                "the server already holds another revision at place {seq} of this device's chain; the device's \
                 database may have been restored from a copy"
            ),
        );
    }
    let genesis_broken = seq == 1 && rev.prev_hash != Hash::GENESIS;
    let before_broken = held.before.is_some_and(|h| h != rev.prev_hash);
    let after_broken = held.after.is_some_and(|p| p != rev.hash);
    if genesis_broken || before_broken || after_broken {
        return no(
            BrokenChain,
            format!("revision at place {seq} does not link to its neighbours in this device's chain"),
        );
    }
    if let Some(merged) = rev.merges {
        // A merge resolves two heads of one record: its parent is the head kept, `merges` the
        // other. Naming nothing, itself, or a revision of another record would let a device
        // close a head it never saw, or splice records together.
        let wrong = if rev.parent.is_none() {
            Some("names no version it keeps: a merge's parent is the version kept")
        } else if rev.parent == Some(merged) {
            Some("names the same version as kept and as merged")
        } else if held.merge_record != Some(rev.record_id) {
            Some("names as merged a revision that is not a held revision of this record")
        } else {
            None
        };
        if let Some(wrong) = wrong {
            return no(
                UnknownParent,
                format!(
                    "revision {} merges revision {merged} into record {}, but {wrong}; a merge names two versions \
                     of the same record the server holds",
                    rev.id, rev.record_id
                ),
            );
        }
        if rev.kind.has_supervisors_part() {
            return no(
                Invalid,
                format!(
                    "revision {} merges two versions of a {}, which is never merged on a tablet: it cannot have \
                     two versions on the server (an edit of a revision already followed is sent back). Open it \
                     again and make the change on its current revision",
                    rev.id, rev.kind
                ),
            );
        }
    }
    let scope = examined.scope;
    match (&held.binding, rev.parent) {
        (Some(_), None) => {
            return no(
                RecordBound,
                format!(
                    "record {} already exists on the server; an edit must name the revision it edits",
                    rev.record_id
                ),
            )
        }
        (Some(b), Some(_)) if b.kind != rev.kind || b.scope != scope => {
            return no(
                RecordBound,
                format!(
                    "record {} is a {} of {}; a revision cannot make it a {} of {}",
                    rev.record_id,
                    b.kind,
                    describe_scope(b.scope),
                    rev.kind,
                    describe_scope(scope)
                ),
            )
        }
        (Some(b), Some(_)) if b.scope == Scope::Author && b.author != rev.author.as_str() => {
            return no(
                NotAuthor,
                format!(
                    "record {} is {}'s own neighbourhood work; only they may edit it",
                    rev.record_id, b.author
                ),
            )
        }
        (None, Some(_)) => {
            return no(
                UnknownParent,
                format!(
                    "revision {} edits record {}, which the server does not hold; its first revision must go first",
                    rev.id, rev.record_id
                ),
            )
        }
        _ => {}
    }
    if rev.parent.is_some() && held.parent_record != Some(rev.record_id) {
        return no(
            UnknownParent,
            format!(
                "revision {} names a parent that is not a held revision of record {}",
                rev.id, rev.record_id
            ),
        );
    }
    if rev.kind.has_supervisors_part() {
        // A supervisor's acknowledgement or decision is written in the console, never on a
        // tablet; and a tablet's edit of a revision the console (or anyone) has already
        // followed would fork the record and could hide that act, so it is sent back to be
        // made again on the current revision.
        if held.parent_superseded {
            return no(
                UnknownParent,
                format!(
                    "record {} was changed on the server after the revision this edit was made from (a \
                     supervisor may have acted on it): open it again and make the change once more",
                    rev.record_id
                ),
            );
        }
        if let Err(e) = rev.body.device_may_follow(held.parent_body.as_ref()) {
            return no(NotAuthor, format!("revision {}: {e}", rev.id));
        }
    }
    let registers_operation = match held.membership {
        Membership::NoOperation | Membership::Assigned => false,
        Membership::UnknownOperation if rev.kind == RecordKind::Operation && rev.parent.is_none() => true,
        Membership::UnknownOperation | Membership::NotAssigned => {
            let op = scope.operation().map(|o| o.to_string()).unwrap_or_default();
            return no(
                NotAssigned,
                format!(
                    "{} is not assigned to operation {op} on the force server; ask the team leader to have them \
                     assigned, then record it again",
                    rev.author
                ),
            );
        }
    };
    Verdict::Store {
        registers_operation,
        binds: held.binding.is_none(),
    }
}

fn describe_scope(s: Scope) -> String {
    match s {
        Scope::Operation(op) => format!("operation {op}"),
        Scope::Force => "the force directory".into(),
        Scope::Author => "its author's own work".into(),
    }
}

/// The checks on one of a device's audit entries that need nothing held: it names the
/// device's own officer (or is the device's retention job erasing) and its texts are within
/// bounds. (Hash and link: the backend walks
/// the chain.)
pub fn examine_audit(device: &DeviceAuth, e: &ChainedAuditEntry) -> Result<(), Refusal> {
    if let Some(r) = device.revoked.filter(|r| e.at > r.at) {
        return Err(refuse(
            RejectReason::Revoked,
            format!(
                "audit entry {} was written after this device was retired on {}",
                e.id, r.at
            ),
        ));
    }
    // The device's retention job erases in its own name, and only erases.
    let retention = e.officer.as_str() == liaison_core::retention::RETENTION_ACTOR && e.action == AuditAction::Erasure;
    if e.officer.as_str() != device.officer && !retention {
        return Err(refuse(
            RejectReason::NotAuthor,
            format!(
                "audit entry {} names {}, but this device is enrolled for {}",
                e.id, e.officer, device.officer
            ),
        ));
    }
    let long = |s: &str| s.chars().count() > MAX_AUDIT_TEXT;
    if long(&e.detail) || long(&e.purpose) || e.id < 1 {
        return Err(refuse(
            RejectReason::Invalid,
            format!(
                "audit entry {} is not valid: ids start at 1, detail and purpose hold at most {MAX_AUDIT_TEXT} characters",
                e.id
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
