//! Who may see which record's content in the console: one rule for the pages that show
//! records whole (conflicts) and for the files records name (`media`), so a thumbnail is
//! shown to exactly those who see the record it belongs to.
//!
//! - A record of an operation: to those who see the operation (everyone but officers sees
//!   every operation; an officer, those they are on), as on the live picture.
//! - A directory entry (person, group, venue, agency): to everyone but force IT, who reads no
//!   record content outside an operation's live picture (officers have the directory on their
//!   tablets anyway).
//! - An officer's own work (no operation): to the officer, their supervisor in the directory,
//!   and commanders (`abstractions::oversees`).

use super::abstractions::oversees;
use super::model::{OfficerEntry, StaffRole};
use super::sign_in::Signed;
use super::ConsoleFailure;
use crate::storage::Storage;
use crate::visibility::Scope;
use uuid::Uuid;

/// What deciding who sees which record needs, read once per request.
pub(super) struct Sight<'a> {
    signed: &'a Signed,
    operations: Vec<(Uuid, String, Vec<String>)>,
    directory: Vec<OfficerEntry>,
}

impl<'a> Sight<'a> {
    pub(super) fn of(s: &dyn Storage, signed: &'a Signed) -> Result<Sight<'a>, ConsoleFailure> {
        Ok(Sight {
            signed,
            operations: s.operations()?,
            directory: s.officer_directory()?,
        })
    }

    /// Whether the person may see a record of `scope`, bound to `officer` (its first author,
    /// or the officer the console gave it to).
    pub(super) fn sees(&self, scope: Scope, officer: Option<&str>) -> bool {
        let staff = &self.signed.staff;
        match scope {
            Scope::Operation(op) => self.operations.iter().any(|(id, _, assigned)| {
                *id == op
                    && (staff.role.sees_every_operation()
                        || staff.officer.as_ref().is_some_and(|o| assigned.contains(o)))
            }),
            Scope::Force => staff.role != StaffRole::Admin,
            Scope::Author => officer
                .is_some_and(|o| oversees(self.signed, o, &self.directory) || staff.officer.as_deref() == Some(o)),
        }
    }

    pub(super) fn operation_name(&self, op: Uuid) -> Option<String> {
        self.operations
            .iter()
            .find(|(id, _, _)| *id == op)
            .map(|(_, name, _)| name.clone())
    }

    pub(super) fn name_of(&self, officer: &str) -> Option<String> {
        self.directory
            .iter()
            .find(|d| d.officer == officer)
            .map(|d| d.name.clone())
    }
}
