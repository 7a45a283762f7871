//! Reading current state and history. Reading a record that holds personal data writes a
//! consultation entry to the audit log first; no purpose, no read.

use super::audit::log;
use super::{Result, Store, StoreError};
use crate::audit::{Access, AuditAction};
use crate::evidence::{Hash, Hlc, Revision};
use crate::records::{OfficerId, Record, RecordId, RecordKind};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row};
use serde::Serialize;
use uuid::Uuid;

/// A record as it stands now, derived from its revisions.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CurrentRecord {
    pub record_id: RecordId,
    pub kind: RecordKind,
    pub revision_id: Uuid,
    pub record: Record,
    /// Who created it.
    pub author: OfficerId,
    /// Who made the current revision.
    pub updated_by: OfficerId,
    pub updated_at: DateTime<Utc>,
    pub revision_count: u32,
    /// More than one: concurrent edits on different devices are not yet resolved.
    pub open_heads: u32,
}

/// One line of a list or timeline.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RecordSummary {
    pub record_id: RecordId,
    pub kind: RecordKind,
    pub title: String,
    pub operation_id: Option<RecordId>,
    pub author: OfficerId,
    pub occurred_at: DateTime<Utc>,
    /// When and by whom the current revision was made: for a directory entry, when it was
    /// last confirmed (an edit, or a confirmation that it is still current).
    pub updated_at: DateTime<Utc>,
    pub updated_by: OfficerId,
    pub sector: Option<String>,
    pub revision_count: u32,
    pub open_heads: u32,
}

/// What to list. Newest first; `before` continues a page from the last summary of the
/// previous one (keyset paging, so page 50 costs what page 1 does).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    pub operation_id: Option<RecordId>,
    pub kinds: Vec<RecordKind>,
    pub sector: Option<String>,
    pub author: Option<OfficerId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub before: Option<(DateTime<Utc>, RecordId)>,
    pub limit: u32,
}

pub(super) fn ms_to_time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub(super) fn officer(r: &Row<'_>, i: usize) -> rusqlite::Result<OfficerId> {
    let s: String = r.get(i)?;
    OfficerId::new(s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

pub(super) fn kind(r: &Row<'_>, i: usize) -> rusqlite::Result<RecordKind> {
    let s: String = r.get(i)?;
    RecordKind::parse(&s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

pub(super) fn body(r: &Row<'_>, i: usize) -> rusqlite::Result<Record> {
    let s: String = r.get(i)?;
    serde_json::from_str(&s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

fn hash(r: &Row<'_>, i: usize) -> rusqlite::Result<Hash> {
    let b: Vec<u8> = r.get(i)?;
    Hash::from_slice(&b).ok_or(rusqlite::Error::InvalidColumnType(
        i,
        "hash".into(),
        rusqlite::types::Type::Blob,
    ))
}

pub(super) const REVISION_COLUMNS: &str =
    "id, record_id, parent_id, kind, author, device_id, device_seq, recorded_ms, hlc, reason, body, prev_hash, hash, merge_id";

pub(super) fn revision_from_row(r: &Row<'_>) -> rusqlite::Result<Revision> {
    Ok(Revision {
        id: r.get(0)?,
        record_id: r.get(1)?,
        parent: r.get(2)?,
        merges: r.get(13)?,
        kind: kind(r, 3)?,
        author: officer(r, 4)?,
        device_id: r.get(5)?,
        device_seq: r.get::<_, i64>(6)? as u64,
        recorded_at: ms_to_time(r.get(7)?),
        hlc: Hlc::unpack(r.get(8)?),
        reason: r.get(9)?,
        body: body(r, 10)?,
        prev_hash: hash(r, 11)?,
        hash: hash(r, 12)?,
    })
}

impl Store {
    /// The current content of a record, for the core's own use (a confirmation that repeats
    /// it): nothing is shown to anyone, so nothing is logged as a consultation.
    pub(crate) fn current_body(&self, record_id: RecordId) -> Result<Record> {
        let body: String = self
            .conn
            .prepare_cached(
                "SELECT v.body FROM records r JOIN revisions v ON v.pos = r.head_pos WHERE r.record_id = ?1",
            )?
            .query_row([record_id], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::RecordNotFound(record_id))?;
        serde_json::from_str(&body).map_err(|e| crate::records::decode_error(&e).into())
    }

    /// Reads one record. For personal data (people, referrals, intelligence) the access is
    /// logged with its purpose before anything is returned.
    pub fn get(&self, record_id: RecordId, access: &Access) -> Result<CurrentRecord> {
        let current = self
            .conn
            .prepare_cached(
                "SELECT r.record_id, r.kind, v.id, v.body, r.author, v.author, r.updated_ms, r.revision_count, r.open_heads
                 FROM records r JOIN revisions v ON v.pos = r.head_pos WHERE r.record_id = ?1",
            )?
            .query_row([record_id], |r| {
                Ok(CurrentRecord {
                    record_id: r.get(0)?,
                    kind: kind(r, 1)?,
                    revision_id: r.get(2)?,
                    record: body(r, 3)?,
                    author: officer(r, 4)?,
                    updated_by: officer(r, 5)?,
                    updated_at: ms_to_time(r.get(6)?),
                    revision_count: r.get(7)?,
                    open_heads: r.get(8)?,
                })
            })
            .optional()?;
        let Some(current) = current else {
            return Err(self.not_found(record_id));
        };
        self.consult(current.kind, record_id, access, "read")?;
        Ok(current)
    }

    /// Every revision of a record, oldest first: who changed what, when and why.
    pub fn history(&self, record_id: RecordId, access: &Access) -> Result<Vec<Revision>> {
        let revs: Vec<Revision> = self
            .conn
            .prepare_cached(&format!(
                "SELECT {REVISION_COLUMNS} FROM revisions WHERE record_id = ?1 AND erased_ms IS NULL ORDER BY hlc, id"
            ))?
            .query_map([record_id], revision_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        let Some(first) = revs.first() else {
            return Err(self.not_found(record_id));
        };
        self.consult(first.kind, record_id, access, "history")?;
        Ok(revs)
    }

    /// Not here: erased by retention (say when and why), or never here.
    fn not_found(&self, record_id: RecordId) -> StoreError {
        match self.erasure_of(record_id) {
            Ok(Some((at, why))) => StoreError::Erased {
                record: record_id,
                at,
                why,
            },
            Ok(None) => StoreError::RecordNotFound(record_id),
            Err(e) => e,
        }
    }

    fn consult(&self, kind: RecordKind, record_id: RecordId, access: &Access, what: &str) -> Result<()> {
        if kind.is_personal() {
            if access.purpose.trim().is_empty() {
                return Err(StoreError::PurposeRequired);
            }
            log(
                &self.conn,
                &access.officer,
                AuditAction::Consultation,
                Some(record_id),
                what,
                access.purpose.trim(),
            )?;
        }
        Ok(())
    }

    /// Records matching the filter, newest first. The SQL names only the filters in use, so
    /// SQLite can walk the matching index in order and stop after one page.
    pub fn list(&self, f: &ListFilter) -> Result<Vec<RecordSummary>> {
        let mut sql = String::from(
            "SELECT record_id, kind, title, operation_id, author, occurred_ms, updated_ms, sector, revision_count, open_heads,
                    (SELECT v.author FROM revisions v WHERE v.pos = records.head_pos)
             FROM records WHERE 1",
        );
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, v: Box<dyn rusqlite::ToSql>| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(op) = f.operation_id {
            arg(&mut sql, " AND operation_id = ?", Box::new(op));
        }
        match f.kinds.as_slice() {
            [] => {}
            [k] => arg(&mut sql, " AND kind = ?", Box::new(k.as_str())),
            ks => {
                let list =
                    serde_json::to_string(&ks.iter().map(|k| k.as_str()).collect::<Vec<_>>()).unwrap_or_default();
                arg(
                    &mut sql,
                    " AND kind IN (SELECT value FROM json_each(?))",
                    Box::new(list),
                );
            }
        }
        if let Some(s) = &f.sector {
            arg(&mut sql, " AND sector = ?", Box::new(s.clone()));
        }
        if let Some(a) = &f.author {
            arg(&mut sql, " AND author = ?", Box::new(a.as_str().to_string()));
        }
        if let Some(t) = f.from {
            arg(&mut sql, " AND occurred_ms >= ?", Box::new(t.timestamp_millis()));
        }
        if let Some(t) = f.to {
            arg(&mut sql, " AND occurred_ms < ?", Box::new(t.timestamp_millis()));
        }
        if let Some((t, id)) = f.before {
            let ms = t.timestamp_millis();
            arg(&mut sql, " AND (occurred_ms < ?", Box::new(ms));
            arg(&mut sql, " OR (occurred_ms = ?", Box::new(ms));
            arg(&mut sql, " AND record_id < ?))", Box::new(id));
        }
        let limit = if f.limit == 0 { 50 } else { f.limit.min(500) };
        arg(
            &mut sql,
            " ORDER BY occurred_ms DESC, record_id DESC LIMIT ?",
            Box::new(limit),
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), summary_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The current revision of the operation and of every record of it, for a report made from
    /// them, with the disclosure logged with its purpose (the report leaves the store).
    pub fn operation_revisions(&self, operation_id: RecordId, access: &Access) -> Result<Vec<Revision>> {
        if access.purpose.trim().is_empty() {
            return Err(StoreError::PurposeRequired);
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {REVISION_COLUMNS} FROM revisions
             WHERE pos IN (SELECT head_pos FROM records WHERE record_id = ?1 OR operation_id = ?1)"
        ))?;
        let revisions = stmt
            .query_map([operation_id], revision_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if !revisions.iter().any(|r| r.record_id == operation_id) {
            return Err(StoreError::RecordNotFound(operation_id));
        }
        log(
            &self.conn,
            &access.officer,
            AuditAction::Disclosure,
            Some(operation_id),
            &format!("report made from {} records", revisions.len()),
            access.purpose.trim(),
        )?;
        Ok(revisions)
    }

    /// Exports an operation's records (current state) as JSON, an open format, and logs the
    /// disclosure with its purpose.
    pub fn export_operation(&self, operation_id: RecordId, access: &Access) -> Result<String> {
        if access.purpose.trim().is_empty() {
            return Err(StoreError::PurposeRequired);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.body FROM records r JOIN revisions v ON v.pos = r.head_pos
             WHERE r.record_id = ?1 OR r.operation_id = ?1 ORDER BY r.occurred_ms",
        )?;
        let records: Vec<serde_json::Value> = stmt
            .query_map([operation_id], |r| r.get::<_, String>(0))?
            .map(|s| s.map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::Null)))
            .collect::<rusqlite::Result<_>>()?;
        if records.is_empty() {
            return Err(StoreError::RecordNotFound(operation_id));
        }
        log(
            &self.conn,
            &access.officer,
            AuditAction::Disclosure,
            Some(operation_id),
            &format!("export of {} records as JSON", records.len()),
            access.purpose.trim(),
        )?;
        Ok(serde_json::json!({ "operation_id": operation_id, "records": records }).to_string())
    }

    /// Counts of revisions on this device, for status displays.
    pub fn revision_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM revisions", [], |r| r.get::<_, i64>(0))? as u64)
    }
}

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<RecordSummary> {
    Ok(RecordSummary {
        record_id: r.get(0)?,
        kind: kind(r, 1)?,
        title: r.get(2)?,
        operation_id: r.get(3)?,
        author: officer(r, 4)?,
        occurred_at: ms_to_time(r.get(5)?),
        updated_at: ms_to_time(r.get(6)?),
        sector: r.get(7)?,
        revision_count: r.get(8)?,
        open_heads: r.get(9)?,
        updated_by: officer(r, 10)?,
    })
}
