//! Who may see and write which revision: the operations-visibility rule.
//!
//! - A revision of a record that belongs to an operation (its `operation_id`), and the
//!   operation record itself, is visible only to devices whose officer is assigned to that
//!   operation, and only they may write it.
//! - A directory entry (person, group, venue, agency) with no operation is shared with every
//!   enrolled device of the force: the directory is the team's common reference.
//! - Any other record with no operation (tasking, abstraction, referral, intelligence
//!   submission: neighbourhood work) is visible only to the devices of its author.
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

fn is_directory(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Person | RecordKind::Group | RecordKind::Venue | RecordKind::Agency
    )
}
