//! Audit log rows: written in the same transaction as the act they record.

use super::{Result, Store};
use crate::audit::{AuditAction, AuditEntry};
use crate::records::OfficerId;
use rusqlite::{params, Connection};
use uuid::Uuid;

pub(super) fn log(
    conn: &Connection,
    officer: &OfficerId,
    action: AuditAction,
    record_id: Option<Uuid>,
    detail: &str,
    purpose: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at_ms, officer, action, record_id, detail, purpose) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        chrono::Utc::now().timestamp_millis(),
        officer.as_str(),
        action.as_str(),
        record_id,
        detail,
        purpose
    ])?;
    Ok(())
}

impl Store {
    /// The audit trail, oldest first; only the entries about `record_id` when given.
    pub fn audit_entries(&self, record_id: Option<Uuid>) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at_ms, officer, action, record_id, detail, purpose FROM audit_log
             WHERE ?1 IS NULL OR record_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([record_id], |r| {
            let action: String = r.get(3)?;
            let officer: String = r.get(2)?;
            Ok(AuditEntry {
                id: r.get(0)?,
                at: chrono::DateTime::from_timestamp_millis(r.get(1)?).unwrap_or_default(),
                officer: OfficerId::new(officer).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
                })?,
                action: AuditAction::parse(&action).ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, action.clone().into())
                })?,
                record_id: r.get(4)?,
                detail: r.get(5)?,
                purpose: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
