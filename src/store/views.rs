//! Reads the app's screens need beyond `list`/`get`: the current bodies of many records of a
//! kind at once (rumour board, negotiation tracker, tension chart), the officer's last sector,
//! the count of revisions made on this device, and capture drafts.
//!
//! Records holding personal data are never read in bulk here: those go through
//! [`Store::get`], which logs the consultation with its purpose.

use super::read::{body, kind, ms_to_time, officer};
use super::{CurrentRecord, Result, Store, StoreError};
use crate::records::{OfficerId, RecordId, RecordKind, ValidationError};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// The longest draft key and content accepted (a form's state, not a document).
const DRAFT_KEY_MAX: usize = 200;
const DRAFT_CONTENT_MAX: usize = 64 * 1024;

/// What an officer typed into a capture form and has not saved yet.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Draft {
    pub key: String,
    pub officer: OfficerId,
    pub saved_at: DateTime<Utc>,
    /// The form's state as JSON; the store does not interpret it.
    pub content: String,
}

impl Store {
    /// The current state of every record of `kinds` (in `operation_id` when given), newest
    /// first, at most `limit` (capped at 2,000). Refuses kinds holding personal data.
    pub fn current_records(
        &self,
        operation_id: Option<RecordId>,
        kinds: &[RecordKind],
        limit: u32,
    ) -> Result<Vec<CurrentRecord>> {
        if kinds.iter().any(|k| k.is_personal()) {
            return Err(StoreError::PurposeRequired);
        }
        let kinds = serde_json::to_string(&kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>())
            .map_err(|e| ValidationError::Malformed { message: e.to_string() })?;
        let limit = limit.clamp(1, 2_000);
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.record_id, r.kind, v.id, v.body, r.author, v.author, r.updated_ms, r.revision_count, r.open_heads
             FROM records r JOIN revisions v ON v.pos = r.head_pos
             WHERE (?1 IS NULL OR r.operation_id = ?1)
               AND r.kind IN (SELECT value FROM json_each(?2))
             ORDER BY r.occurred_ms DESC, r.record_id DESC
             LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![operation_id, kinds, limit], |r| {
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
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The sector of the officer's most recent record in the operation: where they probably
    /// still are, to pre-fill the next capture when the platform gives no position.
    pub fn last_sector(&self, officer: &OfficerId, operation_id: RecordId) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT sector FROM records WHERE author = ?1 AND operation_id = ?2 AND sector IS NOT NULL
                 ORDER BY updated_ms DESC LIMIT 1",
            )?
            .query_row(params![officer.as_str(), operation_id], |r| r.get(0))
            .optional()?)
    }

    /// The operation the officer recorded something in most recently.
    pub fn latest_operation_of(&self, officer: &OfficerId) -> Result<Option<RecordId>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT operation_id FROM records WHERE author = ?1 AND operation_id IS NOT NULL
                 ORDER BY updated_ms DESC LIMIT 1",
            )?
            .query_row([officer.as_str()], |r| r.get(0))
            .optional()?)
    }

    /// Saves (replacing) the draft under `key`. Durable like a save.
    pub fn save_draft(&self, key: &str, officer: &OfficerId, content: &str) -> Result<Draft> {
        check_draft_key(key)?;
        let len = content.chars().count();
        if len > DRAFT_CONTENT_MAX {
            return Err(ValidationError::TooLong {
                field: "content".into(),
                max: DRAFT_CONTENT_MAX,
                len,
            }
            .into());
        }
        let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap_or_default();
        self.conn
            .prepare_cached(
                "INSERT INTO drafts (key, officer, saved_ms, content) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (key) DO UPDATE SET officer = excluded.officer, saved_ms = excluded.saved_ms,
                                                 content = excluded.content",
            )?
            .execute(params![key, officer.as_str(), now.timestamp_millis(), content])?;
        Ok(Draft {
            key: key.to_string(),
            officer: officer.clone(),
            saved_at: now,
            content: content.to_string(),
        })
    }

    /// The draft under `key`, if any.
    pub fn draft(&self, key: &str) -> Result<Option<Draft>> {
        check_draft_key(key)?;
        Ok(self
            .conn
            .prepare_cached("SELECT key, officer, saved_ms, content FROM drafts WHERE key = ?1")?
            .query_row([key], |r| {
                Ok(Draft {
                    key: r.get(0)?,
                    officer: officer(r, 1)?,
                    saved_at: ms_to_time(r.get(2)?),
                    content: r.get(3)?,
                })
            })
            .optional()?)
    }

    /// Deletes the draft under `key`; true when there was one.
    pub fn discard_draft(&self, key: &str) -> Result<bool> {
        discard_draft_in(&self.conn, key)
    }
}

/// Deletes a draft inside the caller's transaction (a save that consumes its draft).
pub(super) fn discard_draft_in(conn: &rusqlite::Connection, key: &str) -> Result<bool> {
    check_draft_key(key)?;
    Ok(conn
        .prepare_cached("DELETE FROM drafts WHERE key = ?1")?
        .execute([key])?
        > 0)
}

fn check_draft_key(key: &str) -> Result<()> {
    if key.trim().is_empty() {
        return Err(ValidationError::Required { field: "key".into() }.into());
    }
    if key.chars().count() > DRAFT_KEY_MAX {
        return Err(ValidationError::TooLong {
            field: "key".into(),
            max: DRAFT_KEY_MAX,
            len: key.chars().count(),
        }
        .into());
    }
    Ok(())
}
