//! Who may see and write which revision: the operations-visibility rule.
//!
//! - A revision of a record that belongs to an operation (its `operation_id`), and the
//!   operation record itself, is visible only to devices whose officer is assigned to that
//!   operation, and only they may write it.
//! - A directory entry (person, group, venue, agency) with no operation is shared with every
//!   enrolled device of the force: the directory is the team's common reference.
//! - Any other record with no operation (tasking, abstraction, referral, intelligence
//!   submission, escalation: neighbourhood work) is the work of the officer it is bound to
//!   (its first revision's author, or the officer the console gave it to), whoever wrote a
//!   later revision: a supervisor's acknowledgement reaches the officer who raised it. Of
//!   these, referrals, taskings and contact notes ([`SHARED_WITH_TEAM`]) are also visible to
//!   the officer's team in the directory and to successors named at a handover (continuity),
//!   and escalations to the officer's supervisor's tablet; the rest stay the officer's own.
//!   Only the officer may write them.
//! - A device never receives its own revisions back.
//! - An officer who pushes a new operation record (made on their tablet) is assigned to it;
//!   other officers are assigned by the admin (`liaison-server operation assign`).

use liaison_core::records::RecordKind;
use liaison_core::Revision;
use uuid::Uuid;

/// Who a stored revision is visible to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Officers assigned to this operation.
    Operation(Uuid),
    /// Every device of the force.
    Force,
    /// The devices of the revision's author.
    Author,
}

impl Scope {
    pub fn of(rev: &Revision) -> Scope {
        if rev.kind == RecordKind::Operation {
            return Scope::Operation(rev.record_id);
        }
        match rev.body.operation_id {
            Some(op) => Scope::Operation(op),
            None if is_directory(rev.kind) => Scope::Force,
            None => Scope::Author,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Operation(_) => "operation",
            Scope::Force => "force",
            Scope::Author => "author",
        }
    }

    /// The scope as stored: its name and its operation.
    pub fn from_parts(name: &str, operation: Option<Uuid>) -> Option<Scope> {
        match (name, operation) {
            ("operation", Some(op)) => Some(Scope::Operation(op)),
            ("force", None) => Some(Scope::Force),
            ("author", None) => Some(Scope::Author),
            _ => None,
        }
    }

    pub fn operation(self) -> Option<Uuid> {
        match self {
            Scope::Operation(op) => Some(op),
            _ => None,
        }
    }
}

/// Author-only kinds also visible to the officer's team and named successors: the
/// neighbourhood and liaison work a colleague or successor carries on (seed 004's continuity
/// record). Intelligence submissions, escalations and abstractions are not among them.
pub const SHARED_WITH_TEAM: [RecordKind; 3] = [RecordKind::Referral, RecordKind::Tasking, RecordKind::ContactNote];

/// The ids of the author-only records the officer named by the SQL parameter `officer`
/// (`?3`, `$3`) may pull: their own, the [`SHARED_WITH_TEAM`] work of their team and of
/// those they succeed, and the escalations of the officers the directory names them
/// supervisor of (the alert on a supervisor's own tablet). The same text for SQLite and PostgreSQL; each branch is a search of
/// the `record_bindings_author` index.
pub fn author_work_sql(officer: &str) -> String {
    let kinds = SHARED_WITH_TEAM
        .iter()
        .map(|k| format!("'{}'", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT record_id FROM record_bindings WHERE scope = 'author' AND author = {officer}
         UNION ALL
         SELECT record_id FROM record_bindings
          WHERE scope = 'author' AND kind IN ({kinds})
            AND author IN (SELECT o.officer FROM officers o JOIN officers me ON me.team = o.team
                            WHERE me.officer = {officer} AND me.team <> '' AND me.listed AND o.listed
                              AND o.officer <> {officer}
                           UNION
                           SELECT from_officer FROM handovers WHERE to_officer = {officer} AND from_officer <> {officer})
         UNION ALL
         SELECT record_id FROM record_bindings
          WHERE scope = 'author' AND kind = 'escalation'
            AND author IN (SELECT officer FROM officers WHERE supervisor = {officer} AND listed AND officer <> {officer})"
    )
}

/// The condition a stored revision meets when the officer named by the SQL parameter
/// `officer` may pull it (the pull adds "not this device's own"): the force's directory, the
/// operations they are assigned to, and the author-only work [`author_work_sql`] gives them.
/// `r` prefixes the revision's columns (`"r."`, or `""` in a query on `revisions` alone). The
/// same text for SQLite and PostgreSQL, used by the pull and by the media download, so the two
/// cannot differ.
pub fn visible_sql(r: &str, officer: &str) -> String {
    let author_work = author_work_sql(officer);
    format!(
        "({r}scope = 'force'
          OR ({r}scope = 'author' AND {r}record_id IN ({author_work}))
          OR ({r}scope = 'operation' AND {r}scope_operation IN
                (SELECT operation_id FROM assignments WHERE officer = {officer})))"
    )
}

fn is_directory(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Person | RecordKind::Group | RecordKind::Venue | RecordKind::Agency
    )
}
