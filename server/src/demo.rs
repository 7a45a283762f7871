//! The demonstration operation on a demonstration server (`liaison-server demo`): the core's
//! invented march ([`liaison_core::demo::plan`]) written into the server's own hash chain,
//! each revision authored by the demo officer who "made" it, and the demo team assigned to the
//! operation. A demo tablet enrolled for one of them receives it by the ordinary pull; no
//! tablet ever writes demonstration data into its own evidence.
//!
//! Its people are invented and its directory entries reach every device of the server: run it
//! on a demonstration server only.
//!
//! The write itself ([`append_own_chain`]) is a stand-in, kept apart so that it can be replaced
//! by a `Storage` method that appends officer-authored revisions to the server's own chain
//! (the console needs the same); until then it writes the SQLite backend's tables directly,
//! in one transaction, through the backend's own insert.

use crate::storage::{sqlite::SqliteStorage, Storage, StorageError};
use crate::visibility::Scope;
use chrono::{DateTime, Utc};
use liaison_core::evidence::{canonical_body, Hash, Hlc, Revision};
use liaison_core::records::{Body, Record};
use liaison_core::OfficerId;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The seed of the demonstration data: the same records (and record ids) on every server.
pub const SEED: u64 = 1;

/// One revision for the server's own chain, authored by a named officer: a new record
/// (`parent` None) or a new revision of one already in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnRevision {
    /// Made by the caller, like a device makes its revisions' ids.
    pub id: Uuid,
    pub record_id: Uuid,
    pub parent: Option<Uuid>,
    pub author: OfficerId,
    pub reason: Option<String>,
    pub record: Record,
}

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
                author: r.author.clone(),
                reason: r.reason.clone(),
                record: r.record.clone(),
            }
        })
        .collect()
}

/// Writes the demonstration operation (starting at `start`) unless the server holds it
/// already, and assigns `officers` to it (again: assigning is idempotent).
pub fn load(storage: &SqliteStorage, start: DateTime<Utc>, officers: &[String]) -> Result<DemoLoaded, StorageError> {
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
        append_own_chain(storage, &own, Utc::now())?;
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

/// Appends `revisions` to the server's own chain, in order, in one transaction: each gets the
/// chain's next sequence number, the previous hash and a tick of the chain's clock, and is
/// stored with the visibility the API would give it; an operation's first revision also
/// creates the operation. Returns the revisions as stored.
///
/// Stand-in for a `Storage` method (see the module doc): it checks what the judge would check
/// of a device's revision that applies here (a valid record, an edit whose parent is the
/// record's revision before it in this chain), nothing more.
pub fn append_own_chain(
    storage: &SqliteStorage,
    revisions: &[OwnRevision],
    now: DateTime<Utc>,
) -> Result<Vec<Revision>, StorageError> {
    let mut conn = rusqlite::Connection::open(storage.path())?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA synchronous = FULL")?;
    let now = DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let device_id: Uuid = tx.query_row("SELECT device_id FROM server_identity", [], |r| r.get(0))?;
    let head: Option<(i64, Vec<u8>, i64)> = tx
        .query_row(
            "SELECT device_seq, hash, hlc FROM revisions WHERE device_id = ?1 ORDER BY device_seq DESC LIMIT 1",
            [device_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (mut seq, mut prev, mut hlc) = match head {
        Some((s, h, c)) => (s as u64, Hash::from_slice(&h).unwrap_or_default(), Hlc::unpack(c)),
        None => (0, Hash::GENESIS, Hlc::default()),
    };
    let mut last: HashMap<Uuid, Uuid> = HashMap::new();
    let mut out = Vec::with_capacity(revisions.len());
    for own in revisions {
        own.record
            .validate()
            .map_err(|e| StorageError::Invalid(format!("revision {}: {e}", own.id)))?;
        if own.parent != last.get(&own.record_id).copied() {
            return Err(StorageError::Invalid(format!(
                "revision {} of record {} does not follow the record's revision before it",
                own.id, own.record_id
            )));
        }
        seq += 1;
        hlc = hlc.tick(now.timestamp_millis());
        let mut rev = Revision {
            id: own.id,
            record_id: own.record_id,
            parent: own.parent,
            kind: own.record.body.kind(),
            author: own.author.clone(),
            device_id,
            device_seq: seq,
            recorded_at: now,
            hlc,
            reason: own.reason.clone(),
            body: own.record.clone(),
            prev_hash: prev,
            hash: Hash::GENESIS,
        };
        let body = canonical_body(&rev.body);
        rev.hash = rev.compute_hash(&body);
        prev = rev.hash;
        // The backend's own insert: the revision, and the record's binding at its first.
        let binds = rev.parent.is_none();
        crate::storage::sqlite::store_revision(&tx, &rev, &body, Scope::of(&rev), now.timestamp_millis(), binds)?;
        if let (Body::Operation(op), None) = (&rev.body.body, rev.parent) {
            tx.execute(
                "INSERT INTO operations (id, name, created_ms) VALUES (?1, ?2, ?3)",
                params![rev.record_id, op.name, now.timestamp_millis()],
            )?;
        }
        last.insert(own.record_id, own.id);
        out.push(rev);
    }
    tx.commit()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(append_own_chain(&storage, &own, Utc::now()).is_err());
        assert_eq!(storage.verify().unwrap().revisions, 0);
    }
}
