//! The demonstration operation on a demonstration server (`liaison-server demo`): the core's
//! invented march ([`liaison_core::demo::plan`]) written into the server's own hash chain,
//! each revision authored by the demo officer who "made" it, and the demo team assigned to the
//! operation. A demo tablet enrolled for one of them receives it by the ordinary pull; no
//! tablet ever writes demonstration data into its own evidence.
//!
//! Its people are invented and its directory entries reach every device of the server: run it
//! on a demonstration server only.
//!
//! It is written through [`ConsoleStore::append_own`](crate::storage::console::ConsoleStore::append_own),
//! as an operation set up in the console is.

use crate::console::model::StaffRole;
pub use crate::storage::console::OwnRevision;
use crate::storage::console::StaffAccount;
use crate::storage::{Storage, StorageError};
use chrono::{DateTime, Utc};
use liaison_core::records::Body;
use liaison_core::OfficerId;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The seed of the demonstration data: the same records (and record ids) on every server.
pub const SEED: u64 = 1;

/// What `demo` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoLoaded {
    pub operation_id: Uuid,
    pub operation_name: String,
    /// Revisions written now: 0 when the server already held the demo.
    pub revisions: usize,
    pub assigned: Vec<String>,
}

/// The demo as revisions of the server's own chain, each edit naming the revision before it.
pub fn own_revisions(plan: &liaison_core::demo::DemoPlan) -> Vec<OwnRevision> {
    let mut last: HashMap<Uuid, Uuid> = HashMap::new();
    plan.revisions
        .iter()
        .map(|r| {
            let id = Uuid::now_v7();
            let parent = last.insert(r.record_id, id);
            OwnRevision {
                id,
                record_id: r.record_id,
                parent,
                merges: None,
                author: r.author.clone(),
                reason: r.reason.clone(),
                record: r.record.clone(),
                owner: None,
            }
        })
        .collect()
}

/// Writes the demonstration operation (starting at `start`) unless the server holds it
/// already, and assigns `officers` to it (again: assigning is idempotent).
pub fn load(storage: &dyn Storage, start: DateTime<Utc>, officers: &[String]) -> Result<DemoLoaded, StorageError> {
    let plan = liaison_core::demo::plan(start, SEED);
    let operation_id = plan
        .summary
        .operation_id
        .ok_or_else(|| StorageError::Invalid("the demo has no operation".into()))?;
    let operation_name = plan
        .revisions
        .iter()
        .find_map(|r| match &r.record.body {
            Body::Operation(o) if r.record_id == operation_id => Some(o.name.clone()),
            _ => None,
        })
        .unwrap_or_default();
    for o in officers {
        OfficerId::new(o.as_str()).map_err(|e| StorageError::Invalid(format!("--officer {o:?}: {e}")))?;
    }
    let held = storage.operations()?.iter().any(|(id, _, _)| *id == operation_id);
    let revisions = if held {
        0
    } else {
        let own = own_revisions(&plan);
        storage.append_own(&own, "demo")?;
        own.len()
    };
    for o in officers {
        storage.assign(operation_id, o)?;
    }
    Ok(DemoLoaded {
        operation_id,
        operation_name,
        revisions,
        assigned: officers.to_vec(),
    })
}

/// The demo's sign-ins for the console: (username, display name, role, officer, password).
/// Invented, printed by `liaison-server demo`, for a demonstration server only.
pub const DEMO_STAFF: [(&str, &str, StaffRole, Option<&str>, &str); 4] = [
    (
        "it.admin",
        "Force IT (demo)",
        StaffRole::Admin,
        None,
        "demo admin passphrase",
    ),
    (
        "supt.grant",
        "Supt R. Grant (Gold, demo)",
        StaffRole::Gold,
        None,
        "demo gold passphrase",
    ),
    (
        "insp.hale",
        "Insp J. Hale (Bronze, demo)",
        StaffRole::Bronze,
        None,
        "demo bronze passphrase",
    ),
    (
        "ps.2817",
        "PS 2817 (PLT leader, demo)",
        StaffRole::Supervisor,
        Some(liaison_core::demo::TEAM_LEADER),
        "demo sergeant passphrase",
    ),
];

/// What [`load_people`] did about the demo's sign-ins, whose passwords are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoSignIns {
    /// Made now: the server had no staff accounts.
    Made,
    /// Made by an earlier run (the server's only staff accounts are the demo's).
    Held,
    /// Not made: the server has staff accounts of its own, and an account with a published
    /// password would be a way in.
    Refused,
}

/// The demo's officers in the directory (officers already there, perhaps edited in the
/// console since, are left as they are) and, on a server with no staff of its own, the demo's
/// sign-ins.
pub fn load_people(storage: &dyn Storage) -> Result<DemoSignIns, StorageError> {
    use crate::console::model::OfficerEntry;
    use liaison_core::demo::{OFFICERS, PCSO, TEAM_LEADER};
    let names = ["PC A. Shah", "PC L. Morgan", "PC D. Byrne", "PC K. Osei"];
    let mut people = vec![OfficerEntry {
        officer: TEAM_LEADER.into(),
        name: "PS M. Okafor".into(),
        rank: "PS".into(),
        role: "PLT leader".into(),
        team: "West Midlands PLT".into(),
        supervisor: None,
    }];
    for (o, n) in OFFICERS.iter().zip(names) {
        people.push(OfficerEntry {
            officer: (*o).into(),
            name: n.into(),
            rank: "PC".into(),
            role: "PLO".into(),
            team: "West Midlands PLT".into(),
            supervisor: Some(TEAM_LEADER.into()),
        });
    }
    people.push(OfficerEntry {
        officer: PCSO.into(),
        name: "PCSO T. Walsh".into(),
        rank: "PCSO".into(),
        role: "PCSO".into(),
        team: "Ladywood neighbourhood".into(),
        supervisor: Some(TEAM_LEADER.into()),
    });
    let listed = storage.officer_directory()?;
    for p in people.iter().filter(|p| !listed.iter().any(|l| l.officer == p.officer)) {
        storage.put_officer(p, "demo")?;
    }
    let held = storage.staff()?;
    let only_demo = held.iter().all(|s| DEMO_STAFF.iter().any(|d| d.0 == s.username));
    if !held.is_empty() {
        return Ok(if only_demo {
            DemoSignIns::Held
        } else {
            DemoSignIns::Refused
        });
    }
    for (username, name, role, officer, password) in DEMO_STAFF {
        let officer = officer
            .map(OfficerId::new)
            .transpose()
            .map_err(|e| StorageError::Invalid(e.to_string()))?;
        let password_hash = crate::console::password::hash(password).map_err(StorageError::Invalid)?;
        storage.add_staff(
            &StaffAccount {
                username: username.into(),
                display_name: name.into(),
                role,
                officer,
                password_hash,
            },
            "demo",
        )?;
    }
    Ok(DemoSignIns::Made)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::console::ConsoleStore;
    use crate::storage::sqlite::SqliteStorage;

    #[test]
    fn the_demo_sign_ins_are_made_only_on_a_server_without_staff_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path().join("force.db")).unwrap();
        assert_eq!(load_people(&storage).unwrap(), DemoSignIns::Made);
        assert_eq!(load_people(&storage).unwrap(), DemoSignIns::Held);
        assert_eq!(storage.staff().unwrap().len(), DEMO_STAFF.len());

        let real = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(real.path().join("force.db")).unwrap();
        storage
            .add_staff(
                &StaffAccount {
                    username: "it.lead".into(),
                    display_name: "Force IT".into(),
                    role: StaffRole::Admin,
                    officer: None,
                    password_hash: "x".into(),
                },
                "test",
            )
            .unwrap();
        assert_eq!(load_people(&storage).unwrap(), DemoSignIns::Refused);
        assert_eq!(
            storage.staff().unwrap().len(),
            1,
            "no account with a published password"
        );
    }

    #[test]
    fn the_demo_goes_into_the_servers_own_chain_once_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path().join("force.db")).unwrap();
        let officers = vec!["PS 2817".to_string(), "PC 4521".to_string()];
        let first = load(&storage, Utc::now(), &officers).unwrap();
        assert!(first.revisions > 150, "{first:?}");
        assert!(first.operation_name.contains("KESTREL"));
        let again = load(&storage, Utc::now(), &officers).unwrap();
        assert_eq!(
            (again.revisions, again.operation_id),
            (0, first.operation_id),
            "written once"
        );
        let ops = storage.operations().unwrap();
        let (_, _, assigned) = ops.iter().find(|(id, _, _)| *id == first.operation_id).unwrap();
        assert!(assigned.contains(&"PC 4521".to_string()), "{assigned:?}");
        let report = storage.verify().unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.revisions as usize, first.revisions);
        assert!(
            load(&storage, Utc::now(), &["  ".to_string()]).is_err(),
            "officer ids are checked"
        );
    }

    #[test]
    fn an_edit_that_does_not_follow_its_records_last_revision_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path().join("force.db")).unwrap();
        let plan = liaison_core::demo::plan(Utc::now(), SEED);
        let mut own = own_revisions(&plan);
        let edit = own.iter().position(|r| r.parent.is_some()).unwrap();
        own[edit].parent = Some(Uuid::now_v7());
        assert!(storage.append_own(&own, "demo").is_err());
        assert_eq!(storage.verify().unwrap().revisions, 0);
    }
}
