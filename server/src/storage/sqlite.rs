//! The embedded default: one SQLite file, zero setup. WAL mode with `synchronous = FULL`:
//! a batch the server acknowledged is on disk before the acknowledgement leaves, so a crash
//! or power cut after it can lose nothing a device was told is stored (the device would
//! otherwise forget it as sent). One writer connection behind a mutex (SQLite has one writer
//! anyway; a batch is one transaction), and a few reader connections for pulls and
//! authentication, which WAL lets run beside the writer.

use super::audit_sqlite::{self, action, ServerEntry};
use super::{
    AuditChainReport, AuditSubject, AuditTrail, DeviceAuth, NewOperation, Result, ReviewItem, Revocation,
    RevocationReason, ServerChainReport, Storage, StorageError,
};
use crate::judge::{self, Binding, Held, Membership, Standing, Verdict};
use crate::visibility::Scope;
use chrono::{DateTime, Utc};
use liaison_core::audit::ChainedAuditEntry;
use liaison_core::evidence::ChainEntry;
use liaison_core::evidence::{canonical_body, ChainWalk, Hash, Hlc};
use liaison_core::records::{Body, Operation, Record, RecordKind};
use liaison_core::retention::RetentionPolicy;
use liaison_core::sync::protocol::AuditAck;
use liaison_core::sync::protocol::{
    EnrollResponse, PullResponse, PushResponse, Rejection, MAX_PULL_BYTES, MAX_PULL_LIMIT,
};
use liaison_core::{OfficerId, Revision};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use uuid::Uuid;

const SCHEMA_VERSION: i64 = 9;

const SCHEMA: &str = "
CREATE TABLE server_identity (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id  BLOB NOT NULL          -- the name of the server's own chain (operations it creates)
);
CREATE TABLE revisions (
    pos             INTEGER PRIMARY KEY,     -- server order: the pull cursor counts these
    id              BLOB    NOT NULL UNIQUE,
    record_id       BLOB    NOT NULL,
    parent_id       BLOB,
    kind            TEXT    NOT NULL,
    author          TEXT    NOT NULL,
    device_id       BLOB    NOT NULL,
    device_seq      INTEGER NOT NULL,
    recorded_ms     INTEGER NOT NULL,        -- the device's clock
    hlc             INTEGER NOT NULL,
    reason          TEXT,
    body            TEXT    NOT NULL,        -- canonical JSON, exactly the hashed bytes
    prev_hash       BLOB    NOT NULL,
    hash            BLOB    NOT NULL,
    scope           TEXT    NOT NULL CHECK (scope IN ('operation', 'force', 'author')),
    scope_operation BLOB,
    received_ms     INTEGER NOT NULL,        -- the server's clock, on receipt
    UNIQUE (device_id, device_seq)
);
CREATE INDEX revisions_by_record ON revisions (record_id);
CREATE TRIGGER revisions_are_immutable BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are immutable'); END;
CREATE TRIGGER revisions_are_never_deleted BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are never deleted'); END;

CREATE TABLE devices (
    device_id   BLOB PRIMARY KEY,
    officer     TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    enrolled_ms INTEGER NOT NULL,
    revoked_ms  INTEGER,
    acked_seq   INTEGER NOT NULL DEFAULT 0   -- every revision 1..=acked_seq of this device is held
);
CREATE TABLE enrollment_codes (
    code_hash  BLOB PRIMARY KEY,
    officer    TEXT NOT NULL,
    issued_ms  INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_ms    INTEGER,
    used_by    BLOB
);
CREATE TABLE operations (
    id         BLOB PRIMARY KEY,
    name       TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE TABLE assignments (
    operation_id BLOB NOT NULL REFERENCES operations (id),
    officer      TEXT NOT NULL,
    PRIMARY KEY (operation_id, officer)
);
-- Bumped when an officer's assignments change, so their devices' pull cursors restart and
-- they receive the earlier records of a newly assigned operation.
CREATE TABLE officers (
    officer            TEXT PRIMARY KEY,
    assignment_version INTEGER NOT NULL DEFAULT 0
);
";

/// Version 4: what the judge needs held. A record id is bound by its first revision (filled
/// from the revisions held before, first by server order); a retired device's final push is
/// remembered once begun; each device's acknowledged audit head is kept, so a chain cut short
/// on the server is found by `verify`.
/// Version 6: an author-only record reaches its author's devices whoever wrote the revision
/// (a supervisor's acknowledgement of an escalation, made in the console, must reach the
/// officer who raised it), so pull finds such records by their binding's author; the
/// console's alerts read revisions by kind; and handovers name an officer's successor, who
/// (with the officer's team) sees their neighbourhood and liaison work.
const SCHEMA_V6: &str = "
CREATE INDEX record_bindings_author ON record_bindings (author, record_id) WHERE scope = 'author';
CREATE INDEX revisions_kind ON revisions (kind, pos);
CREATE INDEX revisions_parent ON revisions (parent_id) WHERE parent_id IS NOT NULL;
UPDATE officers SET assignment_version = assignment_version + 1;
CREATE TABLE handovers (
    from_officer TEXT NOT NULL,
    to_officer   TEXT NOT NULL,
    by_staff     TEXT NOT NULL,
    at_ms        INTEGER NOT NULL,
    PRIMARY KEY (from_officer, to_officer)
);
CREATE INDEX handovers_to ON handovers (to_officer);
CREATE INDEX officers_team ON officers (team);
";

/// Version 7: merges (issue 12). A merge revision names, beside its parent (the head kept),
/// the other head it resolves: a head is then a revision no other revision of its record names
/// as parent or as merged, and the index finds the revisions merged.
const SCHEMA_V7: &str = "
ALTER TABLE revisions ADD COLUMN merge_id BLOB;
CREATE INDEX revisions_merge ON revisions (merge_id) WHERE merge_id IS NOT NULL;
";

/// Which stored revisions name which file (an attachment or its thumbnail, issue 16), kept by
/// the database itself as revisions arrive: what a device may upload, and which colleagues may
/// fetch a file (those who may see a revision naming it), found without reading every body.
pub(super) const SCHEMA_V9: &str = "
CREATE TABLE revision_media (
    sha256  TEXT    NOT NULL,
    pos     INTEGER NOT NULL,
    size    INTEGER NOT NULL,
    PRIMARY KEY (sha256, pos)
) WITHOUT ROWID;
CREATE INDEX revision_media_by_pos ON revision_media (pos);
CREATE TRIGGER revisions_name_media AFTER INSERT ON revisions
WHEN json_type(NEW.body, '$.attachments') = 'array'
BEGIN
    INSERT OR IGNORE INTO revision_media (sha256, pos, size)
        SELECT json_extract(a.value, '$.sha256'), NEW.pos, json_extract(a.value, '$.size')
          FROM json_each(NEW.body, '$.attachments') a
        UNION ALL
        SELECT json_extract(a.value, '$.thumbnail.sha256'), NEW.pos, json_extract(a.value, '$.thumbnail.size')
          FROM json_each(NEW.body, '$.attachments') a
         WHERE json_extract(a.value, '$.thumbnail.sha256') IS NOT NULL;
END;
INSERT OR IGNORE INTO revision_media (sha256, pos, size)
    SELECT json_extract(a.value, '$.sha256'), r.pos, json_extract(a.value, '$.size')
      FROM revisions r, json_each(r.body, '$.attachments') a
     WHERE json_type(r.body, '$.attachments') = 'array'
    UNION ALL
    SELECT json_extract(a.value, '$.thumbnail.sha256'), r.pos, json_extract(a.value, '$.thumbnail.size')
      FROM revisions r, json_each(r.body, '$.attachments') a
     WHERE json_type(r.body, '$.attachments') = 'array'
       AND json_extract(a.value, '$.thumbnail.sha256') IS NOT NULL;
";

const SCHEMA_V4: &str = "
CREATE TABLE record_bindings (
    record_id       BLOB PRIMARY KEY,
    kind            TEXT NOT NULL,
    scope           TEXT NOT NULL CHECK (scope IN ('operation', 'force', 'author')),
    scope_operation BLOB,
    author          TEXT NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO record_bindings (record_id, kind, scope, scope_operation, author)
    SELECT record_id, kind, scope, scope_operation, author FROM revisions ORDER BY pos;
CREATE TRIGGER record_bindings_are_immutable BEFORE UPDATE ON record_bindings
BEGIN SELECT RAISE(ABORT, 'record bindings are immutable'); END;
ALTER TABLE devices ADD COLUMN final_push_ms INTEGER;
-- The hash of the audit entry at audit_acked_id (v2): with it, verify finds a cut tail.
ALTER TABLE devices ADD COLUMN audit_acked_hash BLOB;
";

/// The embedded SQLite storage.
pub struct SqliteStorage {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;",
    )
}

/// The database holds every officer's records and every device's token hash: it is made
/// readable by its owner only (SQLite gives its WAL and shared-memory files the database's
/// mode), and an existing one readable by others is narrowed, with a warning.
fn owner_only(path: &Path) -> Result<()> {
    liaison_core::files::owner_only(path).map_err(|e| {
        StorageError::Corrupt(format!(
            "the server database {} cannot be made private: {e}",
            path.display()
        ))
    })
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SqliteStorage {
    /// Opens (creating if needed) the server database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStorage> {
        let path = path.as_ref().to_path_buf();
        owner_only(&path)?;
        let mut conn = Connection::open(&path)?;
        configure(&conn)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StorageError::SchemaTooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if version < SCHEMA_VERSION {
            // Each version's statements in order, in one transaction: an older database is
            // brought up to date whole or not at all.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if version == 0 {
                tx.execute_batch(SCHEMA)?;
                tx.execute(
                    "INSERT INTO server_identity (singleton, device_id) VALUES (1, ?1)",
                    [Uuid::now_v7()],
                )?;
            }
            if version < 2 {
                tx.execute_batch(audit_sqlite::SCHEMA_V2)?;
            }
            if version < 3 {
                // Why a device was revoked (it decides whether a retired device's final push is
                // taken). A device revoked before this has none, and is treated as lost: the
                // strict reading.
                tx.execute_batch(
                    "ALTER TABLE devices ADD COLUMN revoked_reason TEXT \
                     CHECK (revoked_reason IN ('lost', 'stolen', 'retired'));",
                )?;
            }
            if version < 4 {
                tx.execute_batch(SCHEMA_V4)?;
            }
            if version < 5 {
                tx.execute_batch(super::console_sqlite::SCHEMA_V5)?;
            }
            if version < 6 {
                tx.execute_batch(SCHEMA_V6)?;
            }
            if version < 7 {
                tx.execute_batch(SCHEMA_V7)?;
            }
            if version < 8 {
                tx.execute_batch(super::console_sqlite::SCHEMA_V8)?;
            }
            if version < 9 {
                tx.execute_batch(SCHEMA_V9)?;
            }
            tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
            tx.commit()?;
        }
        Ok(SqliteStorage {
            path,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a reader connection (opened on demand, returned to the pool after).
    pub(super) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = match lock(&self.readers).pop() {
            Some(c) => c,
            None => {
                let c = Connection::open(&self.path)?;
                configure(&c)?;
                c
            }
        };
        let out = f(&conn);
        let mut pool = lock(&self.readers);
        if pool.len() < 8 {
            pool.push(conn);
        }
        out
    }

    pub(super) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// A revision's columns, as [`revision_from_row`] reads them; a query's further columns start
/// at [`AFTER_REVISION`].
pub(super) const REVISION_COLUMNS: &str =
    "id, record_id, parent_id, kind, author, device_id, device_seq, recorded_ms, hlc, reason, body, prev_hash, hash, \
     merge_id";
/// The index of the first column after [`REVISION_COLUMNS`].
pub(super) const AFTER_REVISION: usize = 14;

/// The condition that the revision `v` is a head of its record: no revision of the record
/// names it as its parent or as merged (`c` is taken). The same text on both backends.
pub(super) const IS_HEAD: &str = "NOT EXISTS (SELECT 1 FROM revisions c
                   WHERE c.record_id = v.record_id AND (c.parent_id = v.id OR c.merge_id = v.id))";

fn hash_col(r: &Row<'_>, i: usize) -> rusqlite::Result<Hash> {
    let b: Vec<u8> = r.get(i)?;
    Hash::from_slice(&b).ok_or(rusqlite::Error::InvalidColumnType(
        i,
        "hash".into(),
        rusqlite::types::Type::Blob,
    ))
}

fn conversion(i: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

pub(super) fn revision_from_row(r: &Row<'_>) -> rusqlite::Result<Revision> {
    let kind: String = r.get(3)?;
    let author: String = r.get(4)?;
    let body: String = r.get(10)?;
    Ok(Revision {
        id: r.get(0)?,
        record_id: r.get(1)?,
        parent: r.get(2)?,
        merges: r.get(13)?,
        kind: RecordKind::parse(&kind).map_err(|e| conversion(3, e))?,
        author: OfficerId::new(author).map_err(|e| conversion(4, e))?,
        device_id: r.get(5)?,
        device_seq: r.get::<_, i64>(6)? as u64,
        recorded_at: DateTime::from_timestamp_millis(r.get(7)?).unwrap_or_default(),
        hlc: Hlc::unpack(r.get(8)?),
        reason: r.get(9)?,
        body: serde_json::from_str::<Record>(&body).map_err(|e| conversion(10, e))?,
        prev_hash: hash_col(r, 11)?,
        hash: hash_col(r, 12)?,
    })
}

/// An upper bound of a revision's size in a pull page's JSON: the body as stored (the wire
/// form has the same length), the free texts as if every character were escaped, and the
/// fixed fields.
pub(super) fn wire_size_bound(rev: &Revision, body_len: usize) -> usize {
    let texts = rev.reason.as_deref().map_or(0, str::len) + rev.author.as_str().len();
    body_len + 6 * texts + 1_024
}

fn insert_revision(tx: &Transaction<'_>, rev: &Revision, body: &str, scope: Scope, received_ms: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO revisions (id, record_id, parent_id, merge_id, kind, author, device_id, device_seq, recorded_ms,
                                hlc, reason, body, prev_hash, hash, scope, scope_operation, received_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        rev.id,
        rev.record_id,
        rev.parent,
        rev.merges,
        rev.kind.as_str(),
        rev.author.as_str(),
        rev.device_id,
        rev.device_seq as i64,
        rev.recorded_at.timestamp_millis(),
        rev.hlc.pack(),
        rev.reason,
        body,
        rev.prev_hash.0.as_slice(),
        rev.hash.0.as_slice(),
        scope.as_str(),
        scope.operation(),
        received_ms,
    ])?;
    Ok(())
}

pub(super) fn bump_assignment_version(tx: &Transaction<'_>, officer: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO officers (officer, assignment_version) VALUES (?1, 1)
         ON CONFLICT (officer) DO UPDATE SET assignment_version = assignment_version + 1",
    )?
    .execute([officer])?;
    Ok(())
}

pub(super) fn assign_in(tx: &Transaction<'_>, operation: Uuid, officer: &str) -> Result<()> {
    let inserted = tx
        .prepare_cached("INSERT OR IGNORE INTO assignments (operation_id, officer) VALUES (?1, ?2)")?
        .execute(params![operation, officer])?;
    if inserted > 0 {
        bump_assignment_version(tx, officer)?;
    }
    Ok(())
}

/// Gathers what the server holds that bears on one revision, for the judge.
fn held_for(
    tx: &Transaction<'_>,
    device: &DeviceAuth,
    rev: &Revision,
    scope: Scope,
    memberships: &mut HashMap<Uuid, Membership>,
) -> Result<Held> {
    let same_id: Option<Vec<u8>> = tx
        .prepare_cached("SELECT hash FROM revisions WHERE id = ?1")?
        .query_row([rev.id], |r| r.get(0))
        .optional()?;
    let mut held = Held {
        same_id: same_id.as_deref().map(hash_or_zero),
        ..Held::default()
    };
    if held.same_id.is_some() {
        // The judge decides on that alone.
        return Ok(held);
    }
    let seq = rev.device_seq as i64;
    {
        let mut stmt = tx.prepare_cached(
            "SELECT device_seq, prev_hash, hash FROM revisions
             WHERE device_id = ?1 AND device_seq BETWEEN ?2 - 1 AND ?2 + 1",
        )?;
        let mut rows = stmt.query(params![rev.device_id, seq])?;
        while let Some(r) = rows.next()? {
            let s: i64 = r.get(0)?;
            let (prev, hash) = (
                hash_or_zero(&r.get::<_, Vec<u8>>(1)?),
                hash_or_zero(&r.get::<_, Vec<u8>>(2)?),
            );
            match s - seq {
                0 => held.same_seq = Some(hash),
                -1 => held.before = Some(hash),
                _ => held.after = Some(prev),
            }
        }
    }
    held.binding = tx
        .prepare_cached("SELECT kind, scope, scope_operation, author FROM record_bindings WHERE record_id = ?1")?
        .query_row([rev.record_id], |r| {
            let kind: String = r.get(0)?;
            let scope: String = r.get(1)?;
            Ok((kind, scope, r.get::<_, Option<Uuid>>(2)?, r.get::<_, String>(3)?))
        })
        .optional()?
        .map(|(kind, name, op, author)| {
            let kind = RecordKind::parse(&kind).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let scope = Scope::from_parts(&name, op)
                .ok_or_else(|| StorageError::Corrupt(format!("a stored record binding has scope {name}")))?;
            Ok::<_, StorageError>(Binding { kind, scope, author })
        })
        .transpose()?;
    if let (Some(parent), true) = (rev.parent, rev.kind.has_supervisors_part()) {
        let row: Option<(String, bool)> = tx
            .prepare_cached(
                "SELECT body, EXISTS (SELECT 1 FROM revisions c WHERE c.parent_id = ?1 OR c.merge_id = ?1)
                 FROM revisions WHERE id = ?1",
            )?
            .query_row([parent], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((body, superseded)) = row {
            held.parent_body = Some(serde_json::from_str(&body).map_err(|e| StorageError::Corrupt(e.to_string()))?);
            held.parent_superseded = superseded;
        }
    }
    if let Some(parent) = rev.parent {
        held.parent_record = tx
            .prepare_cached("SELECT record_id FROM revisions WHERE id = ?1")?
            .query_row([parent], |r| r.get(0))
            .optional()?;
    }
    if let Some(merged) = rev.merges {
        held.merge_record = tx
            .prepare_cached("SELECT record_id FROM revisions WHERE id = ?1")?
            .query_row([merged], |r| r.get(0))
            .optional()?;
    }
    if let Some(op) = scope.operation() {
        held.membership = match memberships.get(&op) {
            Some(m) => *m,
            None => {
                let (exists, assigned): (bool, bool) = tx
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM operations WHERE id = ?1),
                                EXISTS (SELECT 1 FROM assignments WHERE operation_id = ?1 AND officer = ?2)",
                    )?
                    .query_row(params![op, device.officer], |r| Ok((r.get(0)?, r.get(1)?)))?;
                let m = match (exists, assigned) {
                    (false, _) => Membership::UnknownOperation,
                    (true, true) => Membership::Assigned,
                    (true, false) => Membership::NotAssigned,
                };
                memberships.insert(op, m);
                m
            }
        };
    }
    Ok(held)
}

pub(super) fn hash_or_zero(b: &[u8]) -> Hash {
    // A stored hash is always 32 bytes (the column is only written from a `Hash`); anything
    // else compares unequal to every real hash, so the judge refuses rather than accepts.
    Hash::from_slice(b).unwrap_or(Hash([0xff; 32]))
}

/// Stores a revision the judge accepted (or the server made), and binds its record when it
/// is the record's first.
pub(crate) fn store_revision(
    tx: &Transaction<'_>,
    rev: &Revision,
    body: &str,
    scope: Scope,
    received_ms: i64,
    binds: bool,
) -> Result<()> {
    insert_revision(tx, rev, body, scope, received_ms)?;
    if binds {
        bind_record(tx, rev, scope, &rev.author)?;
    }
    Ok(())
}

/// Binds a record by its first revision: its kind, its scope and the officer it belongs to
/// (its author, or the officer the console gave it to).
pub(crate) fn bind_record(tx: &Transaction<'_>, rev: &Revision, scope: Scope, owner: &OfficerId) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO record_bindings (record_id, kind, scope, scope_operation, author) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        rev.record_id,
        rev.kind.as_str(),
        scope.as_str(),
        scope.operation(),
        owner.as_str()
    ])?;
    Ok(())
}

/// The device's standing as stored, read inside the write transaction so a revocation made
/// while a push was on its way is applied to it.
fn standing_of(tx: &Transaction<'_>, device_id: Uuid) -> Result<(Standing, i64)> {
    type Row = (Option<i64>, Option<String>, Option<i64>, i64);
    let row: Option<Row> = tx
        .prepare_cached(
            "SELECT revoked_ms, revoked_reason, final_push_ms, acked_seq FROM devices WHERE device_id = ?1",
        )?
        .query_row([device_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let (revoked_ms, reason, final_ms, acked) = row.ok_or(StorageError::UnknownToken)?;
    Ok((
        Standing {
            revoked: revoked_ms.map(|at| revocation(at, reason.as_deref())),
            final_push_began: final_ms.and_then(DateTime::from_timestamp_millis),
        },
        acked,
    ))
}

pub(super) fn revocation(at_ms: i64, reason: Option<&str>) -> Revocation {
    Revocation {
        at: DateTime::from_timestamp_millis(at_ms).unwrap_or_default(),
        // A device revoked before reasons were kept has none: the strict reading, lost.
        reason: reason
            .and_then(RevocationReason::parse)
            .unwrap_or(RevocationReason::Lost),
    }
}

/// The revision that creates an operation on the server's own chain (`device_id`), after its
/// head (seq, hash, clock) if it has one. Both backends make it here, so both chains hash alike.
pub(super) fn operation_revision(
    op: &NewOperation,
    device_id: Uuid,
    head: Option<(u64, Hash, Hlc)>,
) -> Result<(Revision, String)> {
    let record = Record {
        operation_id: None,
        occurred_at: op.starts_at,
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::Operation(Operation {
            name: op.name.clone(),
            event_kind: op.event_kind,
            starts_at: op.starts_at,
            ends_at: op.ends_at,
            area: vec![],
            sectors: vec![],
            briefing: op.briefing.clone(),
            command_structure: String::new(),
            groups_expected: vec![],
            team: vec![],
        }),
    };
    record.validate().map_err(|e| StorageError::Invalid(e.to_string()))?;
    let (seq, prev, hlc) = head.unwrap_or((0, Hash::GENESIS, Hlc::default()));
    let now = Utc::now();
    let now = DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now);
    let id = Uuid::now_v7();
    let mut rev = Revision {
        id,
        record_id: id,
        parent: None,
        merges: None,
        kind: RecordKind::Operation,
        author: op.created_by.clone(),
        device_id,
        device_seq: seq + 1,
        recorded_at: now,
        hlc: hlc.tick(now.timestamp_millis()),
        reason: None,
        body: record,
        prev_hash: prev,
        hash: Hash::GENESIS,
    };
    let body = canonical_body(&rev.body);
    rev.hash = rev.compute_hash(&body);
    Ok((rev, body))
}

/// Revokes a device in `tx`, logged as `actor`'s act (see [`Storage::revoke_device`]).
pub(super) fn revoke_in(tx: &Transaction<'_>, device_id: Uuid, reason: RevocationReason, actor: &str) -> Result<()> {
    // The first revocation time stands; the reason may only get stricter (a device
    // revoked before reasons were kept has none, which reads as lost, and stays so).
    let n = tx.execute(
        "UPDATE devices SET
                    revoked_reason = CASE WHEN revoked_ms IS NULL OR revoked_reason = 'retired' THEN ?3
                                          ELSE revoked_reason END,
                    revoked_ms = COALESCE(revoked_ms, ?2)
                 WHERE device_id = ?1",
        params![device_id, now_ms(), reason.as_str()],
    )?;
    if n == 0 {
        return Err(StorageError::UnknownDevice(device_id));
    }
    audit_sqlite::log(
        tx,
        ServerEntry {
            actor,
            action: action::REVOCATION,
            device_id: Some(device_id),
            operation_id: None,
            records: vec![],
            detail: format!("device {device_id} revoked ({}): told to wipe itself", reason.as_str()),
            purpose: "revocation",
        },
    )?;
    Ok(())
}

impl Storage for SqliteStorage {
    fn create_operation(&self, op: &NewOperation) -> Result<Uuid> {
        self.write(|tx| {
            let device_id: Uuid = tx.query_row("SELECT device_id FROM server_identity", [], |r| r.get(0))?;
            let head: Option<(i64, Vec<u8>, i64)> = tx
                .query_row(
                    "SELECT device_seq, hash, hlc FROM revisions WHERE device_id = ?1 ORDER BY device_seq DESC LIMIT 1",
                    [device_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let head = head.map(|(s, h, c)| (s as u64, Hash::from_slice(&h).unwrap_or_default(), Hlc::unpack(c)));
            let (rev, body) = operation_revision(op, device_id, head)?;
            let (id, now) = (rev.id, rev.recorded_at);
            tx.execute(
                "INSERT INTO operations (id, name, created_ms) VALUES (?1, ?2, ?3)",
                params![id, op.name, now.timestamp_millis()],
            )?;
            store_revision(tx, &rev, &body, Scope::Operation(id), now.timestamp_millis(), true)?;
            Ok(id)
        })
    }

    fn assign(&self, operation: Uuid, officer: &str) -> Result<()> {
        let officer = OfficerId::new(officer).map_err(|e| StorageError::Invalid(e.to_string()))?;
        self.write(|tx| {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM operations WHERE id = ?1)",
                [operation],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(StorageError::UnknownOperation(operation));
            }
            assign_in(tx, operation, officer.as_str())
        })
    }

    fn operations(&self) -> Result<Vec<(Uuid, String, Vec<String>)>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT o.id, o.name, (SELECT json_group_array(officer) FROM assignments a WHERE a.operation_id = o.id)
                 FROM operations o ORDER BY o.created_ms",
            )?;
            let rows = stmt.query_map([], |r| {
                let officers: String = r.get(2)?;
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    serde_json::from_str(&officers).unwrap_or_default(),
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn add_enrollment_code(&self, code_hash: &[u8], officer: &str, expires: DateTime<Utc>) -> Result<()> {
        let officer = OfficerId::new(officer).map_err(|e| StorageError::Invalid(e.to_string()))?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO enrollment_codes (code_hash, officer, issued_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)",
                params![code_hash, officer.as_str(), now_ms(), expires.timestamp_millis()],
            )?;
            Ok(())
        })
    }

    fn redeem_enrollment_code(&self, code_hash: &[u8], device_id: Uuid, token: &str) -> Result<EnrollResponse> {
        let token_hash = crate::auth::hash_secret(token);
        self.write(|tx| {
            let now = now_ms();
            let code: Option<(String, i64, Option<i64>, Option<Uuid>)> = tx
                .query_row(
                    "SELECT officer, expires_ms, used_ms, used_by FROM enrollment_codes WHERE code_hash = ?1",
                    [code_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let (officer, _, used_ms, used_by) = code
                .filter(|(_, expires, _, _)| *expires > now)
                .ok_or(StorageError::BadEnrollmentCode)?;
            // The same code from the same device within its life: the answer was lost on the
            // way back. A fresh token replaces the one never received.
            let used = used_ms.and_then(DateTime::from_timestamp_millis).zip(used_by);
            let retry = match judge::redemption(used, device_id, Utc::now()) {
                judge::Redemption::First => false,
                judge::Redemption::Retry => true,
                judge::Redemption::Spent => return Err(StorageError::BadEnrollmentCode),
            };
            let server_chain: Uuid = tx.query_row("SELECT device_id FROM server_identity", [], |r| r.get(0))?;
            if device_id == server_chain {
                return Err(StorageError::DeviceTaken(device_id));
            }
            let held: Option<(String, Option<i64>)> = tx
                .query_row(
                    "SELECT officer, revoked_ms FROM devices WHERE device_id = ?1",
                    [device_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match held {
                Some((_, Some(_))) => return Err(StorageError::DeviceRevoked(device_id)),
                Some(_) if !retry => return Err(StorageError::DeviceTaken(device_id)),
                _ => {}
            }
            tx.execute(
                "UPDATE enrollment_codes SET used_ms = coalesce(used_ms, ?2), used_by = ?3 WHERE code_hash = ?1",
                params![code_hash, now, device_id],
            )?;
            tx.execute(
                "INSERT INTO devices (device_id, officer, token_hash, enrolled_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (device_id) DO UPDATE SET token_hash = ?3",
                params![device_id, officer, token_hash, now],
            )?;
            let detail = if retry {
                format!("device {device_id} asked again with its code (the answer was lost): its token was replaced")
            } else {
                format!("device {device_id} enrolled for {officer} with a one-time code")
            };
            audit_sqlite::log(
                tx,
                ServerEntry {
                    actor: &officer,
                    action: action::ENROLLMENT,
                    device_id: Some(device_id),
                    operation_id: None,
                    records: vec![],
                    detail,
                    purpose: "enrollment",
                },
            )?;
            Ok(EnrollResponse {
                token: token.to_string(),
                officer,
                device_id,
            })
        })
    }

    fn revoke_device(&self, device_id: Uuid, reason: RevocationReason) -> Result<()> {
        self.write(|tx| revoke_in(tx, device_id, reason, "admin"))
    }

    fn token_holder(&self, token_hash: &[u8]) -> Result<DeviceAuth> {
        self.read(|c| {
            let row: Option<(Uuid, String, Option<i64>, Option<String>)> = c
                .prepare_cached(
                    "SELECT device_id, officer, revoked_ms, revoked_reason FROM devices WHERE token_hash = ?1",
                )?
                .query_row([token_hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            let (device_id, officer, revoked_ms, reason) = row.ok_or(StorageError::UnknownToken)?;
            Ok(DeviceAuth {
                device_id,
                officer,
                revoked: revoked_ms.map(|at| revocation(at, reason.as_deref())),
            })
        })
    }

    fn push(&self, device: &DeviceAuth, revisions: &[Revision], received_at: DateTime<Utc>) -> Result<PushResponse> {
        let received_ms = received_at.timestamp_millis();
        // The checks of each revision alone run before the writer lock: concurrent pushes
        // hash in parallel, and the lock covers only lookups and inserts.
        let mut examined: Vec<_> = revisions
            .iter()
            .map(|r| judge::examine(device, r, received_at))
            .collect();
        self.write(|tx| {
            let (standing, mut acked) = standing_of(tx, device.device_id)?;
            let final_push =
                judge::standing(&standing, received_at).map_err(|judge::StandingRefusal::Revoked(r)| {
                    StorageError::Revoked {
                        at: r.at,
                        reason: r.reason,
                    }
                })?;
            if let (Some(began), None) = (final_push, standing.final_push_began) {
                tx.prepare_cached("UPDATE devices SET final_push_ms = ?2 WHERE device_id = ?1")?
                    .execute(params![device.device_id, began.timestamp_millis()])?;
            }
            if standing.revoked != device.revoked {
                // Revoked while this push was on its way: judged as the device now stands.
                let now = DeviceAuth {
                    revoked: standing.revoked,
                    ..device.clone()
                };
                examined = revisions.iter().map(|r| judge::examine(&now, r, received_at)).collect();
            }
            let mut held = Vec::with_capacity(revisions.len());
            let mut rejected = Vec::new();
            let mut stored = 0u32;
            let mut memberships = HashMap::new();
            let mut collected: BTreeMap<Option<Uuid>, Vec<Uuid>> = BTreeMap::new();
            for (rev, examined) in revisions.iter().zip(&examined) {
                let verdict = match examined {
                    Ok(ex) => {
                        let h = held_for(tx, device, rev, ex.scope, &mut memberships)?;
                        judge::decide(rev, ex, &h)
                    }
                    Err(refusal) => Verdict::Refuse(refusal.clone()),
                };
                match verdict {
                    Verdict::Store {
                        registers_operation,
                        binds,
                    } => {
                        let Ok(ex) = examined else {
                            unreachable!("only an examined revision is stored")
                        };
                        if registers_operation {
                            // A new operation made on a tablet: its maker is its first member.
                            tx.prepare_cached("INSERT INTO operations (id, name, created_ms) VALUES (?1, ?2, ?3)")?
                                .execute(params![rev.record_id, rev.body.body.title(), received_ms])?;
                            assign_in(tx, rev.record_id, &device.officer)?;
                            memberships.insert(rev.record_id, Membership::Assigned);
                        }
                        store_revision(tx, rev, &ex.body, ex.scope, received_ms, binds)?;
                        held.push(rev.device_seq);
                        stored += 1;
                        collected.entry(ex.scope.operation()).or_default().push(rev.record_id);
                    }
                    Verdict::AlreadyHeld => held.push(rev.device_seq),
                    Verdict::Refuse(r) => rejected.push(Rejection {
                        revision_id: rev.id,
                        device_seq: rev.device_seq,
                        reason: r.reason,
                        message: r.message,
                    }),
                }
            }
            // The acknowledgement: the top of the gap-free run from 1.
            {
                let mut stmt = tx.prepare_cached(
                    "SELECT device_seq FROM revisions WHERE device_id = ?1 AND device_seq > ?2 ORDER BY device_seq",
                )?;
                let mut rows = stmt.query(params![device.device_id, acked])?;
                while let Some(row) = rows.next()? {
                    let s: i64 = row.get(0)?;
                    if s != acked + 1 {
                        break;
                    }
                    acked = s;
                }
            }
            tx.prepare_cached("UPDATE devices SET acked_seq = ?2 WHERE device_id = ?1")?
                .execute(params![device.device_id, acked])?;
            audit_sqlite::log_sync(tx, device, action::COLLECTION, collected)?;
            Ok(PushResponse {
                acked_seq: acked as u64,
                held,
                stored,
                rejected,
                audit: None,
            })
        })
    }

    fn pull(&self, device: &DeviceAuth, after: Option<&str>, limit: u32) -> Result<PullResponse> {
        let limit = limit.clamp(1, MAX_PULL_LIMIT);
        let mut disclosed: BTreeMap<Option<Uuid>, Vec<Uuid>> = BTreeMap::new();
        let page = self.read(|c| {
            let version: i64 = c
                .prepare_cached("SELECT assignment_version FROM officers WHERE officer = ?1")?
                .query_row([&device.officer], |r| r.get(0))
                .optional()?
                .unwrap_or(0);
            // The cursor is `<assignment version>.<position>`. When the officer's assignments
            // changed since it was issued, the device starts again from the beginning so it
            // receives earlier records of a newly assigned operation (receiving is idempotent).
            let after_pos = match after {
                None | Some("") => 0,
                Some(cur) => {
                    let (v, p) = cur
                        .split_once('.')
                        .and_then(|(v, p)| Some((v.parse::<i64>().ok()?, p.parse::<i64>().ok()?)))
                        .ok_or_else(|| StorageError::BadCursor(cur.chars().take(64).collect()))?;
                    if v == version {
                        p
                    } else {
                        0
                    }
                }
            };
            let visible = crate::visibility::visible_sql("", "?3");
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {REVISION_COLUMNS}, pos, scope_operation FROM revisions
                 WHERE pos > ?1 AND device_id != ?2
                   AND {visible}
                 ORDER BY pos LIMIT ?4"
            ))?;
            let mut rows = stmt.query(params![
                after_pos,
                device.device_id,
                device.officer,
                i64::from(limit) + 1
            ])?;
            let mut revisions = Vec::new();
            let mut last = after_pos;
            let mut more = false;
            let mut bytes = 0usize;
            let mut consumed = 0usize;
            while let Some(row) = rows.next()? {
                if revisions.len() == limit as usize {
                    more = true;
                    break;
                }
                consumed += 1;
                let pos: i64 = row.get(AFTER_REVISION)?;
                let rev = match revision_from_row(row) {
                    Ok(rev) => rev,
                    Err(e) => {
                        // One unreadable row must not stop every device's sync: it is skipped
                        // here, logged, and reported by `verify`.
                        tracing::error!(pos, error = %e, "a stored revision cannot be read; skipped in pull (see verify)");
                        last = pos;
                        continue;
                    }
                };
                let size = wire_size_bound(&rev, row.get_ref(10)?.as_bytes().map_or(0, <[u8]>::len));
                if !revisions.is_empty() && bytes + size > MAX_PULL_BYTES {
                    more = true;
                    break;
                }
                bytes += size;
                disclosed
                    .entry(row.get(AFTER_REVISION + 1)?)
                    .or_default()
                    .push(rev.record_id);
                revisions.push(rev);
                last = pos;
            }
            drop(rows);
            // Rows skipped as unreadable used up the look-ahead row: more may be waiting.
            more |= consumed > limit as usize;
            let acked: i64 = c
                .prepare_cached("SELECT acked_seq FROM devices WHERE device_id = ?1")?
                .query_row([device.device_id], |r| r.get(0))
                .optional()?
                .unwrap_or(0);
            Ok(PullResponse {
                revisions,
                next_cursor: format!("{version}.{last}"),
                more,
                acked_seq: acked as u64,
            })
        })?;
        // No disclosure without its entry: if the log cannot be written, the page is not sent.
        if !disclosed.is_empty() {
            self.write(|tx| audit_sqlite::log_sync(tx, device, action::DISCLOSURE, disclosed))?;
        }
        Ok(page)
    }

    fn device_chain(&self, device_id: Uuid) -> Result<Vec<ChainEntry>> {
        self.read(|c| {
            let mut stmt =
                c.prepare("SELECT device_seq, id, hash FROM revisions WHERE device_id = ?1 ORDER BY device_seq")?;
            let rows = stmt.query_map([device_id], |r| {
                Ok(ChainEntry {
                    device_seq: r.get::<_, i64>(0)? as u64,
                    revision_id: r.get(1)?,
                    hash: hash_col(r, 2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn media_sent_by(&self, device_id: Uuid) -> Result<Vec<(String, u64)>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT m.sha256, MIN(m.size) FROM revision_media m JOIN revisions r ON r.pos = m.pos
                  WHERE r.device_id = ?1 GROUP BY m.sha256 ORDER BY MIN(r.device_seq), m.sha256",
            )?;
            let rows = stmt.query_map([device_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn media_named_by(&self, device_id: Uuid, sha256: &str) -> Result<Option<u64>> {
        self.read(|c| {
            let size: Option<i64> = c
                .prepare_cached(
                    "SELECT MIN(m.size) FROM revision_media m JOIN revisions r ON r.pos = m.pos
                      WHERE m.sha256 = ?1 AND r.device_id = ?2",
                )?
                .query_row(params![sha256, device_id], |r| r.get(0))?;
            Ok(size.map(|s| s as u64))
        })
    }

    fn media_visible_to(&self, device: &DeviceAuth, sha256: &str) -> Result<Option<u64>> {
        self.read(|c| {
            let visible = crate::visibility::visible_sql("r.", "?3");
            let size: Option<i64> = c
                .prepare_cached(&format!(
                    "SELECT MIN(m.size) FROM revision_media m JOIN revisions r ON r.pos = m.pos
                      WHERE m.sha256 = ?1
                        AND (r.device_id = ?2 OR {visible})"
                ))?
                .query_row(params![sha256, device.device_id, device.officer], |r| r.get(0))?;
            Ok(size.map(|s| s as u64))
        })
    }

    fn received_at(&self, revision_id: Uuid) -> Result<Option<DateTime<Utc>>> {
        self.read(|c| {
            let ms: Option<i64> = c
                .query_row("SELECT received_ms FROM revisions WHERE id = ?1", [revision_id], |r| {
                    r.get(0)
                })
                .optional()?;
            Ok(ms.and_then(DateTime::from_timestamp_millis))
        })
    }

    fn verify(&self) -> Result<ServerChainReport> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {REVISION_COLUMNS}, pos FROM revisions ORDER BY device_id, device_seq"
            ))?;
            let mut rows = stmt.query([])?;
            // The same walk the device uses; the server has no chain that must be gap-free.
            let mut walk = ChainWalk::new(None);
            while let Some(row) = rows.next()? {
                match revision_from_row(row) {
                    Ok(rev) => walk.push(&rev, &row.get::<_, String>(10)?),
                    // The server's own position, as pull logs it when it skips the row.
                    Err(e) => walk.unreadable(row.get(AFTER_REVISION)?, e.to_string()),
                }
            }
            let report = walk.finish();
            Ok(ServerChainReport {
                devices: report.devices as u64,
                revisions: report.revisions,
                problems: report.problems.iter().map(ToString::to_string).collect(),
            })
        })
    }

    fn current_revision(&self, record_id: Uuid) -> Result<Option<(Uuid, u32)>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT v.id, v.hlc FROM revisions v WHERE v.record_id = ?1 AND {IS_HEAD}"
            ))?;
            let heads: Vec<(Uuid, Hlc)> = stmt
                .query_map([record_id], |r| Ok((r.get(0)?, Hlc::unpack(r.get(1)?))))?
                .collect::<rusqlite::Result<_>>()?;
            // The rule every device applies (evidence::winner).
            let won = liaison_core::evidence::winner(heads.iter().map(|(id, hlc)| (*hlc, id)));
            Ok(won.map(|w| (*w, heads.len() as u32)))
        })
    }

    fn push_audit(
        &self,
        device: &DeviceAuth,
        entries: &[ChainedAuditEntry],
        received_at: DateTime<Utc>,
    ) -> Result<AuditAck> {
        self.write(|tx| audit_sqlite::push_audit(tx, device, entries, received_at.timestamp_millis()))
    }

    fn flag_reviews_due(&self, policy: &RetentionPolicy, at: DateTime<Utc>, actor: &str) -> Result<Vec<ReviewItem>> {
        self.write(|tx| audit_sqlite::flag_reviews_due(tx, policy, at, actor))
    }

    fn review_flags(&self) -> Result<Vec<ReviewItem>> {
        self.read(audit_sqlite::review_flags)
    }

    fn audit_trail(&self, subject: AuditSubject, actor: &str, purpose: &str) -> Result<AuditTrail> {
        let chains = self.read(audit_sqlite::verify_audit)?;
        let entries = self.write(|tx| audit_sqlite::audit_trail(tx, subject, actor, purpose))?;
        Ok(AuditTrail {
            subject,
            exported_at: Utc::now(),
            chains,
            entries,
        })
    }

    fn verify_audit(&self) -> Result<AuditChainReport> {
        self.read(audit_sqlite::verify_audit)
    }
}
