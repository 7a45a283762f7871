//! Audit log rows: written in the same transaction as the act they record, each hash-chained
//! to the one before.

use super::{Result, Store};
use crate::audit::{entry_hash, AuditAction, AuditEntry, ChainedAuditEntry};
use crate::evidence::{AuditProblem, AuditWalk, Hash};
use crate::records::OfficerId;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use uuid::Uuid;

/// What `verify_audit_chain` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditChainReport {
    pub entries: u64,
    /// Entries whose hash does not match their content or whose link is broken.
    pub broken: Vec<i64>,
    /// Entries from before the chain existed.
    pub unchained: u64,
    /// Set when the chain ends before the entry the force server acknowledged holding: the
    /// tail was cut off here (the last id held, the id acknowledged).
    pub cut_tail: Option<(i64, i64)>,
}

impl AuditChainReport {
    pub fn is_valid(&self) -> bool {
        self.broken.is_empty() && self.cut_tail.is_none()
    }
}

pub(super) fn log(
    conn: &Connection,
    officer: &OfficerId,
    action: AuditAction,
    record_id: Option<Uuid>,
    detail: &str,
    purpose: &str,
) -> Result<()> {
    // Reading the chain's head and appending must be one step; callers that are not already
    // in a transaction (reads that are audited) get one here.
    let tx = if conn.is_autocommit() {
        Some(rusqlite::Transaction::new_unchecked(
            conn,
            TransactionBehavior::Immediate,
        )?)
    } else {
        None
    };
    let last: Option<(i64, Option<Vec<u8>>)> = conn
        .prepare_cached("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (id, prev) = match last {
        Some((id, h)) => (id + 1, h.and_then(|h| Hash::from_slice(&h)).unwrap_or(Hash::GENESIS)),
        None => (1, Hash::GENESIS),
    };
    let at_ms = chrono::Utc::now().timestamp_millis();
    let hash = entry_hash(
        &prev,
        id,
        at_ms,
        officer.as_str(),
        action.as_str(),
        record_id,
        detail,
        purpose,
    );
    conn.prepare_cached(
        "INSERT INTO audit_log (id, at_ms, officer, action, record_id, detail, purpose, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        id,
        at_ms,
        officer.as_str(),
        action.as_str(),
        record_id,
        detail,
        purpose,
        prev.0.as_slice(),
        hash.0.as_slice()
    ])?;
    if let Some(tx) = tx {
        tx.commit()?;
    }
    Ok(())
}

impl Store {
    /// Recomputes every audit entry's hash and link.
    pub fn verify_audit_chain(&self) -> Result<AuditChainReport> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at_ms, officer, action, record_id, detail, purpose, prev_hash, hash FROM audit_log ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut report = AuditChainReport {
            entries: 0,
            broken: Vec::new(),
            unchained: 0,
            cut_tail: None,
        };
        let mut walk = AuditWalk::new();
        let mut last_id = 0i64;
        while let Some(r) = rows.next()? {
            report.entries += 1;
            let id: i64 = r.get(0)?;
            last_id = id;
            let stored_prev: Option<Vec<u8>> = r.get(7)?;
            let stored: Option<Vec<u8>> = r.get(8)?;
            let (Some(stored_prev), Some(stored)) = (stored_prev, stored) else {
                report.unchained += 1;
                continue;
            };
            let computed = entry_hash(
                &Hash::from_slice(&stored_prev).unwrap_or_default(),
                id,
                r.get(1)?,
                &r.get::<_, String>(2)?,
                &r.get::<_, String>(3)?,
                r.get(4)?,
                &r.get::<_, String>(5)?,
                &r.get::<_, String>(6)?,
            );
            // A stored hash of the wrong length compares unequal to any real one.
            let unreadable = Hash([0xff; 32]);
            walk.push(
                id,
                Hash::from_slice(&stored_prev).unwrap_or(unreadable),
                Hash::from_slice(&stored).unwrap_or(unreadable),
                computed,
            );
        }
        report.broken = walk.finish().into_iter().map(AuditProblem::id).collect();
        drop(rows);
        // The server's acknowledgement is the other copy of how far the chain went.
        let acked = self.audit_acked_id()?;
        if last_id < acked {
            report.cut_tail = Some((last_id, acked));
        }
        Ok(report)
    }

    /// The audit trail of one person (every entry about that record) or one operation (every
    /// entry about the operation or any of its records), oldest first. The export is itself
    /// logged as a disclosure, with its purpose.
    pub fn export_audit_trail(&self, subject: Uuid, access: &crate::audit::Access) -> Result<Vec<AuditEntry>> {
        if access.purpose.trim().is_empty() {
            return Err(super::StoreError::PurposeRequired);
        }
        let exists: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM records WHERE record_id = ?1)",
            [subject],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(super::StoreError::RecordNotFound(subject));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at_ms, officer, action, record_id, detail, purpose FROM audit_log
             WHERE record_id = ?1 OR record_id IN (SELECT record_id FROM records WHERE operation_id = ?1)
             ORDER BY id",
        )?;
        let entries = stmt
            .query_map([subject], entry_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        log(
            &self.conn,
            &access.officer,
            AuditAction::Disclosure,
            Some(subject),
            &format!("export of {} audit entries", entries.len()),
            access.purpose.trim(),
        )?;
        Ok(entries)
    }

    /// The audit trail, oldest first; only the entries about `record_id` when given.
    pub fn audit_entries(&self, record_id: Option<Uuid>) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at_ms, officer, action, record_id, detail, purpose FROM audit_log
             WHERE ?1 IS NULL OR record_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([record_id], entry_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Store {
    /// Up to `limit` chained audit entries the force server does not hold yet, oldest first.
    /// Entries from before the chain existed (no hash) never leave the device.
    pub fn audit_outbox(&self, limit: usize) -> Result<Vec<ChainedAuditEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at_ms, officer, action, record_id, detail, purpose, prev_hash, hash FROM audit_log
             WHERE id > (SELECT audit_acked_id FROM sync_state) AND hash IS NOT NULL
             ORDER BY id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            let e = entry_from_row(r)?;
            let hash = |i: usize| -> rusqlite::Result<Hash> {
                let b: Vec<u8> = r.get(i)?;
                Hash::from_slice(&b).ok_or(rusqlite::Error::InvalidColumnType(
                    i,
                    "hash".into(),
                    rusqlite::types::Type::Blob,
                ))
            };
            Ok(ChainedAuditEntry {
                id: e.id,
                at: e.at,
                officer: e.officer,
                action: e.action,
                record_id: e.record_id,
                detail: e.detail,
                purpose: e.purpose,
                prev_hash: hash(7)?,
                hash: hash(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The server holds this device's audit entries up to `acked_id`. Never moves back.
    pub fn record_audit_ack(&mut self, acked_id: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_state SET audit_acked_id = MAX(audit_acked_id, ?1)",
            [acked_id],
        )?;
        Ok(())
    }

    /// Audit entries up to this id are on the force server.
    pub fn audit_acked_id(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT audit_acked_id FROM sync_state", [], |r| r.get(0))?)
    }
}

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    let action: String = r.get(3)?;
    let officer: String = r.get(2)?;
    Ok(AuditEntry {
        id: r.get(0)?,
        at: chrono::DateTime::from_timestamp_millis(r.get(1)?).unwrap_or_default(),
        officer: OfficerId::new(officer)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?,
        action: AuditAction::parse(&action).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, action.clone().into())
        })?,
        record_id: r.get(4)?,
        detail: r.get(5)?,
        purpose: r.get(6)?,
    })
}
