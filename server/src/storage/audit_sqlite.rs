//! The SQLite side of audit and retention on the server (schema version 2): devices' audit
//! chains stored as they were made, the server's own hash-chained audit log of what it
//! collected and disclosed, and review flags. [`super::sqlite::SqliteStorage`] calls these
//! inside its transactions, so an act and its audit entry commit together.

use super::{
    AuditChainReport, AuditSource, AuditSubject, AuditTrailEntry, DeviceAuth, Result, ReviewItem, StorageError,
};
use chrono::{DateTime, Utc};
use liaison_core::audit::ChainedAuditEntry;
use liaison_core::evidence::{AuditProblem, AuditWalk, FieldHasher, Hash};
use liaison_core::records::RecordKind;
use liaison_core::retention::RetentionPolicy;
use liaison_core::sync::protocol::{AuditAck, AuditRefusal, RejectReason};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use std::collections::BTreeMap;
use uuid::Uuid;

/// Schema version 2: audit and retention.
pub(super) const SCHEMA_V2: &str = "
-- Each device's audit log, entry for entry as the device chained it (liaison_core::audit).
CREATE TABLE device_audit (
    device_id   BLOB    NOT NULL,
    id          INTEGER NOT NULL,
    at_ms       INTEGER NOT NULL,
    officer     TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    record_id   BLOB,
    detail      TEXT    NOT NULL,
    purpose     TEXT    NOT NULL,
    prev_hash   BLOB    NOT NULL,
    hash        BLOB    NOT NULL,
    received_ms INTEGER NOT NULL,
    PRIMARY KEY (device_id, id)
);
CREATE INDEX device_audit_by_record ON device_audit (record_id);
CREATE TRIGGER device_audit_is_immutable BEFORE UPDATE ON device_audit
BEGIN SELECT RAISE(ABORT, 'device audit entries are immutable'); END;
CREATE TRIGGER device_audit_is_never_deleted BEFORE DELETE ON device_audit
BEGIN SELECT RAISE(ABORT, 'device audit entries are never deleted'); END;
ALTER TABLE devices ADD COLUMN audit_acked_id INTEGER NOT NULL DEFAULT 0;

-- The server's own audit log, hash-chained like a device's; the records an entry is about are
-- in audit_log_records and covered by the entry's hash.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at_ms        INTEGER NOT NULL,
    actor        TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    device_id    BLOB,
    operation_id BLOB,
    detail       TEXT    NOT NULL,
    purpose      TEXT    NOT NULL,
    prev_hash    BLOB    NOT NULL,
    hash         BLOB    NOT NULL
);
CREATE INDEX audit_log_by_operation ON audit_log (operation_id);
CREATE TABLE audit_log_records (
    entry_id  INTEGER NOT NULL REFERENCES audit_log (id),
    record_id BLOB    NOT NULL,
    PRIMARY KEY (entry_id, record_id)
) WITHOUT ROWID;
CREATE INDEX audit_log_records_by_record ON audit_log_records (record_id);
CREATE TRIGGER audit_log_is_immutable BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_is_never_deleted BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_records_are_immutable BEFORE UPDATE ON audit_log_records
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_records_are_never_deleted BEFORE DELETE ON audit_log_records
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Records due for review under the retention policy, for a reviewer. One row per record and
-- review date: a record changed since it was flagged gets a later date and a new flag.
CREATE TABLE review_flags (
    record_id      BLOB    NOT NULL,
    review_ms      INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    class          TEXT    NOT NULL,
    operation_id   BLOB,
    last_change_ms INTEGER NOT NULL,
    flagged_ms     INTEGER NOT NULL,
    PRIMARY KEY (record_id, review_ms)
);
";

/// Server audit actions beside the s.62 ones (collection, disclosure).
pub(super) mod action {
    pub const COLLECTION: &str = "collection";
    pub const DISCLOSURE: &str = "disclosure";
    pub const ENROLLMENT: &str = "enrollment";
    pub const REVOCATION: &str = "revocation";
    pub const REVIEW_FLAG: &str = "review_flag";
    pub const REVIEW_DECISION: &str = "review_decision";
    pub const STAFF: &str = "staff";
    pub const DIRECTORY: &str = "directory";
    pub const SIGN_IN: &str = "sign_in";
    pub const SIGN_IN_FAILED: &str = "sign_in_failed";
    pub const SIGN_OUT: &str = "sign_out";
    /// The debrief of an operation: its notes entered or signed off.
    pub const DEBRIEF: &str = "debrief";
}

/// The hash of one server audit entry: content, the records it names (sorted) and the
/// previous entry's hash.
#[allow(clippy::too_many_arguments)]
pub(super) fn server_entry_hash(
    prev: &Hash,
    id: i64,
    at_ms: i64,
    actor: &str,
    action: &str,
    device_id: Option<Uuid>,
    operation_id: Option<Uuid>,
    records: &[Uuid],
    detail: &str,
    purpose: &str,
) -> Hash {
    let mut h = FieldHasher::new(b"liaison-server-audit-v1");
    h.field(&prev.0)
        .field(&id.to_le_bytes())
        .field(&at_ms.to_le_bytes())
        .field(actor.as_bytes())
        .field(action.as_bytes())
        .field(device_id.as_ref().map(|d| d.as_bytes().as_slice()).unwrap_or(&[]))
        .field(operation_id.as_ref().map(|d| d.as_bytes().as_slice()).unwrap_or(&[]))
        .field(&(records.len() as u64).to_le_bytes());
    for r in records {
        h.field(r.as_bytes());
    }
    h.field(detail.as_bytes()).field(purpose.as_bytes());
    h.finish()
}

/// One entry for the server's log.
pub(super) struct ServerEntry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub device_id: Option<Uuid>,
    pub operation_id: Option<Uuid>,
    pub records: Vec<Uuid>,
    pub detail: String,
    pub purpose: &'a str,
}

/// Appends to the server's audit log inside the caller's transaction.
pub(super) fn log(tx: &Transaction<'_>, e: ServerEntry<'_>) -> Result<i64> {
    let last: Option<(i64, Vec<u8>)> = tx
        .prepare_cached("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (id, prev) = match last {
        Some((id, h)) => (id + 1, Hash::from_slice(&h).unwrap_or_default()),
        None => (1, Hash::GENESIS),
    };
    let mut records = e.records;
    records.sort();
    records.dedup();
    let at_ms = Utc::now().timestamp_millis();
    let hash = server_entry_hash(
        &prev,
        id,
        at_ms,
        e.actor,
        e.action,
        e.device_id,
        e.operation_id,
        &records,
        &e.detail,
        e.purpose,
    );
    tx.prepare_cached(
        "INSERT INTO audit_log (id, at_ms, actor, action, device_id, operation_id, detail, purpose, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        id,
        at_ms,
        e.actor,
        e.action,
        e.device_id,
        e.operation_id,
        e.detail,
        e.purpose,
        prev.0.as_slice(),
        hash.0.as_slice()
    ])?;
    let mut link = tx.prepare_cached("INSERT INTO audit_log_records (entry_id, record_id) VALUES (?1, ?2)")?;
    for r in &records {
        link.execute(params![id, r])?;
    }
    Ok(id)
}

/// Logs revisions collected from (push) or disclosed to (pull) a device: one entry per
/// operation (None: revisions outside any operation), naming every record.
pub(super) fn log_sync(
    tx: &Transaction<'_>,
    device: &DeviceAuth,
    action: &str,
    by_operation: BTreeMap<Option<Uuid>, Vec<Uuid>>,
) -> Result<()> {
    for entry in sync_entries(device, action, by_operation) {
        log(tx, entry)?;
    }
    Ok(())
}

/// The server's entries for revisions collected from (push) or disclosed to (pull) a device:
/// one per operation (None: revisions outside any operation), naming every record.
pub(super) fn sync_entries<'a>(
    device: &'a DeviceAuth,
    action: &'a str,
    by_operation: BTreeMap<Option<Uuid>, Vec<Uuid>>,
) -> Vec<ServerEntry<'a>> {
    let mut entries = Vec::new();
    for (operation_id, records) in by_operation {
        let revisions = records.len();
        let mut distinct = records.clone();
        distinct.sort();
        distinct.dedup();
        let (detail, purpose) = if action == action::COLLECTION {
            (
                format!(
                    "{revisions} revisions of {} records received from device {} of {}",
                    distinct.len(),
                    device.device_id,
                    device.officer
                ),
                "sync push",
            )
        } else {
            (
                format!(
                    "{revisions} revisions of {} records sent to device {} of {}",
                    distinct.len(),
                    device.device_id,
                    device.officer
                ),
                "sync pull",
            )
        };
        entries.push(ServerEntry {
            actor: &device.officer,
            action,
            device_id: Some(device.device_id),
            operation_id,
            records: distinct,
            detail,
            purpose,
        });
    }
    entries
}

/// A stored hash. One of the wrong length (a damaged row) reads as a value no real hash has,
/// so every check against it fails closed: never as the genesis hash, which would make a
/// damaged head look like the start of a chain.
pub(super) fn hash_of(b: &[u8]) -> Hash {
    Hash::from_slice(b).unwrap_or(Hash([0xff; 32]))
}

/// What to do with one audit entry a device sent.
pub(super) enum AuditStep {
    /// The same entry is held already.
    Held,
    /// Refused: nothing from here on is stored.
    Refuse(AuditRefusal),
    Store,
}

/// The check of one audit entry against the device's chain as held: `head` is the last entry
/// held (its id and hash) and `held`, asked only for an entry at or below the head, the hash
/// held under its id (`Some(None)`: none).
pub(super) fn audit_step(
    device: &DeviceAuth,
    e: &ChainedAuditEntry,
    head: Option<(i64, Hash)>,
    held: Option<Option<&[u8]>>,
) -> AuditStep {
    let refuse = |reason: RejectReason, message: String| {
        AuditStep::Refuse(AuditRefusal {
            id: e.id,
            reason,
            message,
        })
    };
    if let Some((head_id, _)) = head.filter(|(h, _)| e.id <= *h) {
        return match held.flatten() {
            Some(h) if h == e.hash.0 => AuditStep::Held,
            Some(_) => refuse(
                RejectReason::ConflictingCopy,
                format!(
                    "the server already holds a different audit entry {} of this device",
                    e.id
                ),
            ),
            None => refuse(
                RejectReason::BrokenChain,
                format!(
                    "audit entry {} is before the start of this device's chain (at {head_id})",
                    e.id
                ),
            ),
        };
    }
    if let Err(r) = crate::judge::examine_audit(device, e) {
        return refuse(r.reason, r.message);
    }
    if !e.hash_is_valid() {
        return refuse(
            RejectReason::HashMismatch,
            format!(
                "audit entry {} does not match its hash: the device's audit log was altered",
                e.id
            ),
        );
    }
    let linked = match head {
        Some((id, h)) => e.id == id + 1 && e.prev_hash == h,
        None => e.prev_hash == Hash::GENESIS,
    };
    if !linked {
        return refuse(
            RejectReason::BrokenChain,
            format!(
                "audit entry {} does not link to the entry before it: entries were removed or reordered",
                e.id
            ),
        );
    }
    AuditStep::Store
}

/// Stores a device's audit entries, each checked against the chain the server holds.
pub(super) fn push_audit(
    tx: &Transaction<'_>,
    device: &DeviceAuth,
    entries: &[ChainedAuditEntry],
    received_ms: i64,
) -> Result<AuditAck> {
    let mut head: Option<(i64, Hash)> = tx
        .prepare_cached("SELECT id, hash FROM device_audit WHERE device_id = ?1 ORDER BY id DESC LIMIT 1")?
        .query_row([device.device_id], |r| {
            Ok((r.get(0)?, hash_of(&r.get::<_, Vec<u8>>(1)?)))
        })
        .optional()?;
    let mut sorted: Vec<&ChainedAuditEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.id);
    let mut stored = 0u32;
    let mut refused = None;
    for e in sorted {
        let held = match head {
            Some((h, _)) if e.id <= h => Some(
                tx.prepare_cached("SELECT hash FROM device_audit WHERE device_id = ?1 AND id = ?2")?
                    .query_row(params![device.device_id, e.id], |r| r.get::<_, Vec<u8>>(0))
                    .optional()?,
            ),
            _ => None,
        };
        match audit_step(device, e, head, held.as_ref().map(Option::as_deref)) {
            AuditStep::Held => continue,
            AuditStep::Refuse(r) => {
                refused = Some(r);
                break;
            }
            AuditStep::Store => {}
        }
        tx.prepare_cached(
            "INSERT INTO device_audit (device_id, id, at_ms, officer, action, record_id, detail, purpose,
                                       prev_hash, hash, received_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            device.device_id,
            e.id,
            e.at.timestamp_millis(),
            e.officer.as_str(),
            e.action.as_str(),
            e.record_id,
            e.detail,
            e.purpose,
            e.prev_hash.0.as_slice(),
            e.hash.0.as_slice(),
            received_ms
        ])?;
        head = Some((e.id, e.hash));
        stored += 1;
    }
    let acked_id = head.map(|(id, _)| id).unwrap_or(0);
    tx.prepare_cached("UPDATE devices SET audit_acked_id = ?2, audit_acked_hash = ?3 WHERE device_id = ?1")?
        .execute(params![device.device_id, acked_id, head.map(|(_, h)| h.0.to_vec())])?;
    if let Some(r) = &refused {
        tracing::warn!(device = %device.device_id, entry = r.id, reason = r.reason.as_str(), "device audit entry refused");
    }
    Ok(AuditAck {
        acked_id,
        stored,
        refused,
    })
}

pub(super) fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Flags the records due for review at `at`.
pub(super) fn flag_reviews_due(
    tx: &Transaction<'_>,
    policy: &RetentionPolicy,
    at: DateTime<Utc>,
    actor: &str,
) -> Result<Vec<ReviewItem>> {
    let latest: Vec<(Uuid, String, Option<Uuid>, i64)> = {
        let mut stmt = tx.prepare(
            "SELECT record_id, kind, MAX(scope_operation), MAX(recorded_ms) FROM revisions GROUP BY record_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let now_ms = Utc::now().timestamp_millis();
    let mut due = Vec::new();
    let mut newly = Vec::new();
    for (record_id, kind, operation_id, last_ms) in latest {
        let Ok(kind) = RecordKind::parse(&kind) else { continue };
        let rule = policy.rule(kind);
        let last_change = time(last_ms);
        let review_date = rule.review_date(last_change);
        if review_date > at {
            continue;
        }
        let inserted = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO review_flags (record_id, review_ms, kind, class, operation_id, last_change_ms, flagged_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                record_id,
                review_date.timestamp_millis(),
                kind.as_str(),
                rule.class.as_str(),
                operation_id,
                last_ms,
                now_ms
            ])?;
        let flagged_ms: i64 = tx
            .prepare_cached("SELECT flagged_ms FROM review_flags WHERE record_id = ?1 AND review_ms = ?2")?
            .query_row(params![record_id, review_date.timestamp_millis()], |r| r.get(0))?;
        if inserted > 0 {
            newly.push(record_id);
        }
        due.push(ReviewItem {
            record_id,
            kind: kind.as_str().into(),
            class: rule.class.as_str().into(),
            operation_id,
            last_change,
            review_date,
            flagged_at: time(flagged_ms),
            newly_flagged: inserted > 0,
        });
    }
    if !newly.is_empty() {
        log(
            tx,
            ServerEntry {
                actor,
                action: action::REVIEW_FLAG,
                device_id: None,
                operation_id: None,
                detail: format!(
                    "{} records flagged for review (review date on or before {})",
                    newly.len(),
                    at.to_rfc3339()
                ),
                records: newly,
                purpose: "retention review under the force's retention policy",
            },
        )?;
    }
    due.sort_by_key(|i| (i.review_date, i.record_id));
    Ok(due)
}

pub(super) fn review_flags(c: &Connection) -> Result<Vec<ReviewItem>> {
    let mut stmt = c.prepare(
        "SELECT record_id, kind, class, operation_id, last_change_ms, review_ms, flagged_ms FROM review_flags
         ORDER BY review_ms, record_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ReviewItem {
            record_id: r.get(0)?,
            kind: r.get(1)?,
            class: r.get(2)?,
            operation_id: r.get(3)?,
            last_change: time(r.get(4)?),
            review_date: time(r.get(5)?),
            flagged_at: time(r.get(6)?),
            newly_flagged: false,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The records a subject covers: the record itself, or the operation and its records.
fn subject_records(c: &Connection, subject: AuditSubject) -> Result<Vec<Uuid>> {
    Ok(match subject {
        AuditSubject::Record(id) => vec![id],
        AuditSubject::Operation(op) => {
            let mut stmt =
                c.prepare("SELECT ?1 UNION SELECT DISTINCT record_id FROM revisions WHERE scope_operation = ?1")?;
            let rows = stmt.query_map([op], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        }
    })
}

fn records_of_entry(c: &Connection, entry: i64) -> rusqlite::Result<Vec<Uuid>> {
    let mut stmt =
        c.prepare_cached("SELECT record_id FROM audit_log_records WHERE entry_id = ?1 ORDER BY record_id")?;
    let rows = stmt.query_map([entry], |r| r.get(0))?;
    rows.collect()
}

/// The audit trail of a subject; the export is logged as a disclosure.
pub(super) fn audit_trail(
    tx: &Transaction<'_>,
    subject: AuditSubject,
    actor: &str,
    purpose: &str,
) -> Result<Vec<AuditTrailEntry>> {
    let purpose = purpose.trim();
    if purpose.is_empty() {
        return Err(StorageError::Invalid(
            "say why the audit trail is exported: the export is itself logged".into(),
        ));
    }
    let records = subject_records(tx, subject)?;
    let list =
        serde_json::Value::from(records.iter().map(|r| hex::encode(r.as_bytes())).collect::<Vec<_>>()).to_string();
    let mut entries = Vec::new();
    {
        let mut stmt = tx.prepare(
            "SELECT device_id, id, at_ms, officer, action, record_id, detail, purpose, hash FROM device_audit
             WHERE record_id IN (SELECT unhex(value) FROM json_each(?1)) ORDER BY at_ms, device_id, id",
        )?;
        let rows = stmt.query_map([&list], |r| {
            Ok(AuditTrailEntry {
                source: AuditSource::Device,
                device_id: r.get(0)?,
                id: r.get(1)?,
                at: time(r.get(2)?),
                actor: r.get(3)?,
                action: r.get(4)?,
                operation_id: None,
                records: r.get::<_, Option<Uuid>>(5)?.into_iter().collect(),
                detail: r.get(6)?,
                purpose: r.get(7)?,
                hash: hex::encode(r.get::<_, Vec<u8>>(8)?),
            })
        })?;
        for e in rows {
            entries.push(e?);
        }
    }
    {
        let op = match subject {
            AuditSubject::Operation(op) => Some(op),
            AuditSubject::Record(_) => None,
        };
        let mut stmt = tx.prepare(
            "SELECT id, at_ms, actor, action, device_id, operation_id, detail, purpose, hash FROM audit_log
             WHERE (?2 IS NOT NULL AND operation_id = ?2)
                OR id IN (SELECT entry_id FROM audit_log_records WHERE record_id IN (SELECT unhex(value) FROM json_each(?1)))
             ORDER BY id",
        )?;
        let rows = stmt.query_map(params![&list, op], |r| {
            let id: i64 = r.get(0)?;
            Ok(AuditTrailEntry {
                source: AuditSource::Server,
                device_id: r.get(4)?,
                id,
                at: time(r.get(1)?),
                actor: r.get(2)?,
                action: r.get(3)?,
                operation_id: r.get(5)?,
                records: records_of_entry(tx, id)?,
                detail: r.get(6)?,
                purpose: r.get(7)?,
                hash: hex::encode(r.get::<_, Vec<u8>>(8)?),
            })
        })?;
        for e in rows {
            entries.push(e?);
        }
    }
    entries.sort_by_key(|e| e.at);
    let (op, subject_record) = match subject {
        AuditSubject::Operation(op) => (Some(op), op),
        AuditSubject::Record(r) => (None, r),
    };
    log(
        tx,
        ServerEntry {
            actor,
            action: action::DISCLOSURE,
            device_id: None,
            operation_id: op,
            records: vec![subject_record],
            detail: format!("audit trail export of {} entries", entries.len()),
            purpose,
        },
    )?;
    Ok(entries)
}

/// Checks the server's audit chain and each device's.
pub(super) fn describe(what: &str, p: AuditProblem) -> String {
    match p {
        AuditProblem::Altered(id) => format!("{what} {id}: altered"),
        AuditProblem::BrokenLink(id) => format!("{what} {id}: broken link"),
    }
}

pub(super) fn verify_audit(c: &Connection) -> Result<AuditChainReport> {
    let mut report = AuditChainReport {
        server_entries: 0,
        device_entries: 0,
        devices: 0,
        problems: Vec::new(),
    };
    {
        let mut stmt = c.prepare(
            "SELECT id, at_ms, actor, action, device_id, operation_id, detail, purpose, prev_hash, hash
             FROM audit_log ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut walk = AuditWalk::new();
        while let Some(r) = rows.next()? {
            report.server_entries += 1;
            let id: i64 = r.get(0)?;
            let stored_prev = hash_of(&r.get::<_, Vec<u8>>(8)?);
            let computed = server_entry_hash(
                &stored_prev,
                id,
                r.get(1)?,
                &r.get::<_, String>(2)?,
                &r.get::<_, String>(3)?,
                r.get(4)?,
                r.get(5)?,
                &records_of_entry(c, id)?,
                &r.get::<_, String>(6)?,
                &r.get::<_, String>(7)?,
            );
            walk.push(id, stored_prev, hash_of(&r.get::<_, Vec<u8>>(9)?), computed);
        }
        report
            .problems
            .extend(walk.finish().into_iter().map(|p| describe("server audit entry", p)));
    }
    let mut stmt = c.prepare(
        "SELECT device_id, id, at_ms, officer, action, record_id, detail, purpose, prev_hash, hash
         FROM device_audit ORDER BY device_id, id",
    )?;
    let mut rows = stmt.query([])?;
    let mut walk: Option<(Uuid, AuditWalk)> = None;
    let finish = |walk: Option<(Uuid, AuditWalk)>, problems: &mut Vec<String>| {
        if let Some((device, w)) = walk {
            let what = format!("device {device} audit entry");
            problems.extend(w.finish().into_iter().map(|p| describe(&what, p)));
        }
    };
    while let Some(r) = rows.next()? {
        report.device_entries += 1;
        let device: Uuid = r.get(0)?;
        if walk.as_ref().is_none_or(|(d, _)| *d != device) {
            finish(walk.take(), &mut report.problems);
            report.devices += 1;
            walk = Some((device, AuditWalk::new()));
        }
        let id: i64 = r.get(1)?;
        let stored_prev = hash_of(&r.get::<_, Vec<u8>>(8)?);
        let computed = liaison_core::audit::entry_hash(
            &stored_prev,
            id,
            r.get(2)?,
            &r.get::<_, String>(3)?,
            &r.get::<_, String>(4)?,
            r.get(5)?,
            &r.get::<_, String>(6)?,
            &r.get::<_, String>(7)?,
        );
        if let Some((_, w)) = walk.as_mut() {
            w.push(id, stored_prev, hash_of(&r.get::<_, Vec<u8>>(9)?), computed);
        }
    }
    finish(walk, &mut report.problems);
    drop(rows);
    // The tail: every device's chain must still reach the head the server acknowledged to it
    // (the device keeps that acknowledgement too), with the same hash.
    let mut stmt = c.prepare(
        "SELECT d.device_id, d.audit_acked_id, d.audit_acked_hash, a.hash,
                (SELECT max(id) FROM device_audit m WHERE m.device_id = d.device_id)
         FROM devices d LEFT JOIN device_audit a ON a.device_id = d.device_id AND a.id = d.audit_acked_id
         WHERE d.audit_acked_id > 0",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let device: Uuid = r.get(0)?;
        let acked: i64 = r.get(1)?;
        let acked_hash: Option<Vec<u8>> = r.get(2)?;
        let held_hash: Option<Vec<u8>> = r.get(3)?;
        let top: Option<i64> = r.get(4)?;
        match held_hash {
            None => report.problems.push(format!(
                "device {device} audit chain: ends at entry {} but the server acknowledged entry {acked}: its tail was \
                 removed",
                top.unwrap_or(0)
            )),
            Some(h) if acked_hash.as_ref().is_some_and(|a| *a != h) => report.problems.push(format!(
                "device {device} audit entry {acked}: not the entry the server acknowledged: the tail was replaced"
            )),
            Some(_) => {}
        }
    }
    Ok(report)
}
