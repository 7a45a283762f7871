//! The PostgreSQL side of audit and retention on the server: the same chains and checks as
//! `audit_sqlite` (whose pure parts, the entry hash, the sync entries and the per-entry check,
//! both use), inside [`super::postgres::PostgresStorage`]'s transactions.

use super::audit_sqlite::{
    action, audit_step, describe, hash_of, server_entry_hash, sync_entries, time, AuditStep, ServerEntry,
};
use super::postgres::{advisory_lock, execute, get, lock, query, query_one, query_opt};
use super::{
    AuditChainReport, AuditSource, AuditSubject, AuditTrailEntry, DeviceAuth, Result, ReviewItem, StorageError,
};
use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use liaison_core::audit::ChainedAuditEntry;
use liaison_core::evidence::{AuditWalk, Hash};
use liaison_core::records::RecordKind;
use liaison_core::retention::RetentionPolicy;
use liaison_core::sync::protocol::AuditAck;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Appends to the server's audit log inside the caller's transaction, under the audit lock:
/// entries from every process form one chain with gap-free ids.
pub(super) async fn log(tx: &Transaction<'_>, e: ServerEntry<'_>) -> Result<i64> {
    advisory_lock(tx, lock::AUDIT_LOG).await?;
    let last = query_opt(tx, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", &[]).await?;
    let (id, prev) = match last {
        Some(r) => (get::<i64>(&r, 0)? + 1, hash_of(&get::<Vec<u8>>(&r, 1)?)),
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
    execute(
        tx,
        "INSERT INTO audit_log (id, at_ms, actor, action, device_id, operation_id, detail, purpose, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &id,
            &at_ms,
            &e.actor,
            &e.action,
            &e.device_id,
            &e.operation_id,
            &e.detail,
            &e.purpose,
            &prev.0.as_slice(),
            &hash.0.as_slice(),
        ],
    )
    .await?;
    if !records.is_empty() {
        execute(
            tx,
            "INSERT INTO audit_log_records (entry_id, record_id) SELECT $1, unnest($2::uuid[])",
            &[&id, &records],
        )
        .await?;
    }
    Ok(id)
}

/// Logs revisions collected from (push) or disclosed to (pull) a device.
pub(super) async fn log_sync(
    tx: &Transaction<'_>,
    device: &DeviceAuth,
    action: &str,
    by_operation: BTreeMap<Option<Uuid>, Vec<Uuid>>,
) -> Result<()> {
    for entry in sync_entries(device, action, by_operation) {
        log(tx, entry).await?;
    }
    Ok(())
}

/// Stores a device's audit entries, each checked against the chain the server holds. The
/// caller holds the device's row lock.
pub(super) async fn push_audit(
    tx: &Transaction<'_>,
    device: &DeviceAuth,
    entries: &[ChainedAuditEntry],
    received_ms: i64,
) -> Result<AuditAck> {
    let mut head: Option<(i64, Hash)> = query_opt(
        tx,
        "SELECT id, hash FROM device_audit WHERE device_id = $1 ORDER BY id DESC LIMIT 1",
        &[&device.device_id],
    )
    .await?
    .map(|r| Ok::<_, StorageError>((get(&r, 0)?, hash_of(&get::<Vec<u8>>(&r, 1)?))))
    .transpose()?;
    let mut sorted: Vec<&ChainedAuditEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.id);
    let mut stored = 0u32;
    let mut refused = None;
    for e in sorted {
        let held: Option<Option<Vec<u8>>> = match head {
            Some((h, _)) if e.id <= h => Some(
                query_opt(
                    tx,
                    "SELECT hash FROM device_audit WHERE device_id = $1 AND id = $2",
                    &[&device.device_id, &e.id],
                )
                .await?
                .map(|r| get(&r, 0))
                .transpose()?,
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
        execute(
            tx,
            "INSERT INTO device_audit (device_id, id, at_ms, officer, action, record_id, detail, purpose,
                                       prev_hash, hash, received_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &device.device_id,
                &e.id,
                &e.at.timestamp_millis(),
                &e.officer.as_str(),
                &e.action.as_str(),
                &e.record_id,
                &e.detail,
                &e.purpose,
                &e.prev_hash.0.as_slice(),
                &e.hash.0.as_slice(),
                &received_ms,
            ],
        )
        .await?;
        head = Some((e.id, e.hash));
        stored += 1;
    }
    let acked_id = head.map(|(id, _)| id).unwrap_or(0);
    execute(
        tx,
        "UPDATE devices SET audit_acked_id = $2, audit_acked_hash = $3 WHERE device_id = $1",
        &[&device.device_id, &acked_id, &head.map(|(_, h)| h.0.to_vec())],
    )
    .await?;
    if let Some(r) = &refused {
        tracing::warn!(device = %device.device_id, entry = r.id, reason = r.reason.as_str(), "device audit entry refused");
    }
    Ok(AuditAck {
        acked_id,
        stored,
        refused,
    })
}

/// Flags the records due for review at `at`.
pub(super) async fn flag_reviews_due(
    tx: &Transaction<'_>,
    policy: &RetentionPolicy,
    at: DateTime<Utc>,
    actor: &str,
) -> Result<Vec<ReviewItem>> {
    let latest = query(
        tx,
        // max() of a uuid does not exist in PostgreSQL: a record's operation is the same in
        // every revision (its binding), so any of them is the one.
        "SELECT record_id, min(kind), (array_agg(scope_operation) FILTER (WHERE scope_operation IS NOT NULL))[1],
                max(recorded_ms)
         FROM revisions GROUP BY record_id",
        &[],
    )
    .await?;
    let now_ms = Utc::now().timestamp_millis();
    let mut due = Vec::new();
    let mut newly = Vec::new();
    for row in &latest {
        let record_id: Uuid = get(row, 0)?;
        let operation_id: Option<Uuid> = get(row, 2)?;
        let last_ms: i64 = get(row, 3)?;
        let Ok(kind) = RecordKind::parse(get::<&str>(row, 1)?) else {
            continue;
        };
        let rule = policy.rule(kind);
        let last_change = time(last_ms);
        let review_date = rule.review_date(last_change);
        if review_date > at {
            continue;
        }
        let inserted = execute(
            tx,
            "INSERT INTO review_flags (record_id, review_ms, kind, class, operation_id, last_change_ms, flagged_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            &[
                &record_id,
                &review_date.timestamp_millis(),
                &kind.as_str(),
                &rule.class.as_str(),
                &operation_id,
                &last_ms,
                &now_ms,
            ],
        )
        .await?;
        let flagged_ms: i64 = get(
            &query_one(
                tx,
                "SELECT flagged_ms FROM review_flags WHERE record_id = $1 AND review_ms = $2",
                &[&record_id, &review_date.timestamp_millis()],
            )
            .await?,
            0,
        )?;
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
        )
        .await?;
    }
    due.sort_by_key(|i| (i.review_date, i.record_id));
    Ok(due)
}

pub(super) async fn review_flags(tx: &Transaction<'_>) -> Result<Vec<ReviewItem>> {
    query(
        tx,
        "SELECT record_id, kind, class, operation_id, last_change_ms, review_ms, flagged_ms FROM review_flags
         ORDER BY review_ms, record_id",
        &[],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(ReviewItem {
            record_id: get(r, 0)?,
            kind: get(r, 1)?,
            class: get(r, 2)?,
            operation_id: get(r, 3)?,
            last_change: time(get(r, 4)?),
            review_date: time(get(r, 5)?),
            flagged_at: time(get(r, 6)?),
            newly_flagged: false,
        })
    })
    .collect()
}

async fn records_of_entry(tx: &Transaction<'_>, entry: i64) -> Result<Vec<Uuid>> {
    query(
        tx,
        "SELECT record_id FROM audit_log_records WHERE entry_id = $1 ORDER BY record_id",
        &[&entry],
    )
    .await?
    .iter()
    .map(|r| get(r, 0))
    .collect()
}

/// The audit trail of a subject; the export is logged as a disclosure.
pub(super) async fn audit_trail(
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
    let records: Vec<Uuid> = match subject {
        AuditSubject::Record(id) => vec![id],
        AuditSubject::Operation(op) => {
            let mut ids: Vec<Uuid> = query(
                tx,
                "SELECT DISTINCT record_id FROM revisions WHERE scope_operation = $1",
                &[&op],
            )
            .await?
            .iter()
            .map(|r| get(r, 0))
            .collect::<Result<_>>()?;
            if !ids.contains(&op) {
                ids.push(op);
            }
            ids
        }
    };
    let mut entries = Vec::new();
    for r in query(
        tx,
        "SELECT device_id, id, at_ms, officer, action, record_id, detail, purpose, hash FROM device_audit
         WHERE record_id = ANY($1) ORDER BY at_ms, device_id, id",
        &[&records],
    )
    .await?
    {
        entries.push(AuditTrailEntry {
            source: AuditSource::Device,
            device_id: get(&r, 0)?,
            id: get(&r, 1)?,
            at: time(get(&r, 2)?),
            actor: get(&r, 3)?,
            action: get(&r, 4)?,
            operation_id: None,
            records: get::<Option<Uuid>>(&r, 5)?.into_iter().collect(),
            detail: get(&r, 6)?,
            purpose: get(&r, 7)?,
            hash: hex::encode(get::<Vec<u8>>(&r, 8)?),
        });
    }
    let op = match subject {
        AuditSubject::Operation(op) => Some(op),
        AuditSubject::Record(_) => None,
    };
    for r in query(
        tx,
        "SELECT id, at_ms, actor, action, device_id, operation_id, detail, purpose, hash FROM audit_log
         WHERE ($2::uuid IS NOT NULL AND operation_id = $2)
            OR id IN (SELECT entry_id FROM audit_log_records WHERE record_id = ANY($1))
         ORDER BY id",
        &[&records, &op],
    )
    .await?
    {
        let id: i64 = get(&r, 0)?;
        entries.push(AuditTrailEntry {
            source: AuditSource::Server,
            device_id: get(&r, 4)?,
            id,
            at: time(get(&r, 1)?),
            actor: get(&r, 2)?,
            action: get(&r, 3)?,
            operation_id: get(&r, 5)?,
            records: records_of_entry(tx, id).await?,
            detail: get(&r, 6)?,
            purpose: get(&r, 7)?,
            hash: hex::encode(get::<Vec<u8>>(&r, 8)?),
        });
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
    )
    .await?;
    Ok(entries)
}

/// Checks the server's audit chain and each device's.
pub(super) async fn verify_audit(tx: &Transaction<'_>) -> Result<AuditChainReport> {
    let mut report = AuditChainReport {
        server_entries: 0,
        device_entries: 0,
        devices: 0,
        problems: Vec::new(),
    };
    {
        let rows = query(
            tx,
            "SELECT l.id, l.at_ms, l.actor, l.action, l.device_id, l.operation_id, l.detail, l.purpose, l.prev_hash,
                    l.hash, ARRAY(SELECT record_id FROM audit_log_records r WHERE r.entry_id = l.id ORDER BY record_id)
             FROM audit_log l ORDER BY l.id",
            &[],
        )
        .await?;
        let mut walk = AuditWalk::new();
        for r in &rows {
            report.server_entries += 1;
            let id: i64 = get(r, 0)?;
            let stored_prev = hash_of(&get::<Vec<u8>>(r, 8)?);
            let records: Vec<Uuid> = get(r, 10)?;
            let computed = server_entry_hash(
                &stored_prev,
                id,
                get(r, 1)?,
                get::<&str>(r, 2)?,
                get::<&str>(r, 3)?,
                get(r, 4)?,
                get(r, 5)?,
                &records,
                get::<&str>(r, 6)?,
                get::<&str>(r, 7)?,
            );
            walk.push(id, stored_prev, hash_of(&get::<Vec<u8>>(r, 9)?), computed);
        }
        report
            .problems
            .extend(walk.finish().into_iter().map(|p| describe("server audit entry", p)));
    }
    let rows = query(
        tx,
        "SELECT device_id, id, at_ms, officer, action, record_id, detail, purpose, prev_hash, hash
         FROM device_audit ORDER BY device_id, id",
        &[],
    )
    .await?;
    let mut walk: Option<(Uuid, AuditWalk)> = None;
    let finish = |walk: Option<(Uuid, AuditWalk)>, problems: &mut Vec<String>| {
        if let Some((device, w)) = walk {
            let what = format!("device {device} audit entry");
            problems.extend(w.finish().into_iter().map(|p| describe(&what, p)));
        }
    };
    for r in &rows {
        report.device_entries += 1;
        let device: Uuid = get(r, 0)?;
        if walk.as_ref().is_none_or(|(d, _)| *d != device) {
            finish(walk.take(), &mut report.problems);
            report.devices += 1;
            walk = Some((device, AuditWalk::new()));
        }
        let id: i64 = get(r, 1)?;
        let stored_prev = hash_of(&get::<Vec<u8>>(r, 8)?);
        let computed = liaison_core::audit::entry_hash(
            &stored_prev,
            id,
            get(r, 2)?,
            get::<&str>(r, 3)?,
            get::<&str>(r, 4)?,
            get(r, 5)?,
            get::<&str>(r, 6)?,
            get::<&str>(r, 7)?,
        );
        if let Some((_, w)) = walk.as_mut() {
            w.push(id, stored_prev, hash_of(&get::<Vec<u8>>(r, 9)?), computed);
        }
    }
    finish(walk, &mut report.problems);
    // The tail: every device's chain must still reach the head the server acknowledged to it.
    for r in query(
        tx,
        "SELECT d.device_id, d.audit_acked_id, d.audit_acked_hash, a.hash,
                (SELECT max(id) FROM device_audit m WHERE m.device_id = d.device_id)
         FROM devices d LEFT JOIN device_audit a ON a.device_id = d.device_id AND a.id = d.audit_acked_id
         WHERE d.audit_acked_id > 0",
        &[],
    )
    .await?
    {
        let device: Uuid = get(&r, 0)?;
        let acked: i64 = get(&r, 1)?;
        let acked_hash: Option<Vec<u8>> = get(&r, 2)?;
        let held_hash: Option<Vec<u8>> = get(&r, 3)?;
        let top: Option<i64> = get(&r, 4)?;
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
