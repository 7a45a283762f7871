//! The device's sync state, kept beside the revisions it describes: enrollment, the
//! acknowledgement watermark, revisions the server holds out of order, the pull cursor, the
//! quarantine and the last outcome. The sync client (`crate::sync`) calls these; it never
//! touches SQL itself.
//!
//! The outbox is derived, never copied: this device's own revisions above the watermark that
//! the server does not hold yet and that are not quarantined. A save therefore queues itself
//! in the same transaction that makes it durable.

use super::read::{revision_from_row, REVISION_COLUMNS};
use super::{Result, Store, StoreError};
use crate::audit::AuditAction;
use crate::evidence::{ChainEntry, Hash, Revision};
use crate::records::{OfficerId, RecordId, RecordKind};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use uuid::Uuid;

/// What the device needs to talk to its server, saved at enrollment.
#[derive(Clone, PartialEq)]
pub struct SyncCredentials {
    pub server_url: String,
    pub token: String,
    pub officer: String,
    /// The force CA named by the enrolment string (PEM): the only root the client trusts.
    /// None for a device enrolled over plain HTTP on loopback (tests) or by an older version.
    pub ca_pem: Option<Vec<u8>>,
}

/// An enrolment the officer has started but the server has not answered yet: what the
/// enrolment string said. Kept until the server's answer is saved, so that it can be retried
/// with the same code after a lost connection or a restart.
#[derive(Clone, PartialEq)]
pub struct PendingEnrolment {
    pub server_url: String,
    pub ca_pem: Option<Vec<u8>>,
    pub code: String,
}

/// Never prints the code (a secret until the server redeems it).
impl std::fmt::Debug for PendingEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingEnrolment")
            .field("server_url", &self.server_url)
            .field("ca_pem", &self.ca_pem.as_ref().map(Vec::len))
            .field("code", &"<redacted>")
            .finish()
    }
}

/// Never prints the token (a debug log or a panic message must not carry it).
impl std::fmt::Debug for SyncCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncCredentials")
            .field("server_url", &self.server_url)
            .field("token", &"<redacted>")
            .field("officer", &self.officer)
            .field("ca_pem", &self.ca_pem.as_ref().map(Vec::len))
            .finish()
    }
}

/// Which way a quarantined revision was travelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncDirection {
    /// One of this device's revisions that the server refused.
    Push,
    /// A colleague's revision this device could not store.
    Pull,
}

impl SyncDirection {
    fn as_str(self) -> &'static str {
        match self {
            Self::Push => "push",
            Self::Pull => "pull",
        }
    }
}

/// A revision set aside with the reason, shown to the officer and never retried by itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarantinedRevision {
    pub revision_id: Uuid,
    /// Set for this device's own revisions.
    pub device_seq: Option<u64>,
    pub direction: SyncDirection,
    /// A stable code (e.g. `not_assigned`).
    pub reason: String,
    pub message: String,
    pub at: DateTime<Utc>,
}

/// The stored part of the sync status (the client adds live progress).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSyncStatus {
    pub enrolled: bool,
    pub officer: Option<String>,
    pub server_url: Option<String>,
    /// Own revisions not yet on the server (and not quarantined).
    pub waiting: u64,
    /// Of those, escalations and rumours.
    pub urgent_waiting: u64,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The error of the last attempt; None once an attempt succeeds.
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    /// The server said this device was revoked.
    pub revoked: bool,
    pub quarantined: Vec<QuarantinedRevision>,
    /// Records the retention job has removed from this device (the server keeps them).
    pub erased_by_retention: u64,
}

fn urgent_kinds() -> String {
    let kinds: Vec<&str> = RecordKind::ALL
        .into_iter()
        .filter(|k| k.is_urgent())
        .map(|k| k.as_str())
        .collect();
    serde_json::Value::from(kinds).to_string()
}

fn time(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::from_timestamp_millis)
}

// Tombstones never go again: retention erased them only once the server held them (if the
// server later loses them, the device has nothing left to resend).
const OUTBOX_WHERE: &str =
    "v.device_id = ?1 AND v.erased_ms IS NULL AND v.device_seq > (SELECT acked_seq FROM sync_state)
    AND NOT EXISTS (SELECT 1 FROM sync_pushed p WHERE p.device_seq = v.device_seq)
    AND NOT EXISTS (SELECT 1 FROM sync_quarantine q WHERE q.revision_id = v.id)";

/// Logs the disclosure of each record whose revisions the server now holds: one audit entry
/// per record and push, naming the server, by the officer the device is enrolled for.
fn log_disclosure(tx: &rusqlite::Transaction<'_>, device_id: Uuid, held: &[u64]) -> Result<()> {
    if held.is_empty() {
        return Ok(());
    }
    let (officer, url): (Option<String>, Option<String>) =
        tx.query_row("SELECT officer, server_url FROM sync_state", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let officer = officer
        .and_then(|o| OfficerId::new(o).ok())
        .unwrap_or_else(|| OfficerId::new("this device").expect("a valid officer id"));
    let detail = format!("sent to the force server {}", url.unwrap_or_default());
    // The records behind the held revisions, in one query rather than one per revision.
    let seqs = format!("[{}]", held.iter().map(u64::to_string).collect::<Vec<_>>().join(","));
    let records: Vec<Uuid> = tx
        .prepare_cached(
            "SELECT DISTINCT record_id FROM revisions
             WHERE device_id = ?1 AND device_seq IN (SELECT value FROM json_each(?2))
             ORDER BY record_id",
        )?
        .query_map(params![device_id, seqs], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for record in records {
        super::audit::log(tx, &officer, AuditAction::Disclosure, Some(record), &detail, "sync")?;
    }
    Ok(())
}

impl Store {
    /// The saved enrollment, if this device has one.
    pub fn sync_credentials(&self) -> Result<Option<SyncCredentials>> {
        Ok(self
            .conn
            .query_row(
                "SELECT server_url, device_token, officer, force_ca_pem FROM sync_state
                 WHERE server_url IS NOT NULL AND device_token IS NOT NULL",
                [],
                |r| {
                    Ok(SyncCredentials {
                        server_url: r.get(0)?,
                        token: r.get(1)?,
                        officer: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        ca_pem: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Keeps what an enrolment string said (server, force CA, one-time code) until the server
    /// answers. Replaces an earlier pending enrolment. Refused once the device is enrolled: a
    /// second string (say, a hostile QR code) would otherwise send the device's token and its
    /// records to another server, pinned to another CA. An enrolled tablet changes hands only
    /// by being revoked and reset.
    pub fn save_pending_enrolment(&mut self, pending: &PendingEnrolment) -> Result<()> {
        let changed = self.conn.execute(
            "UPDATE sync_state SET server_url = ?1, force_ca_pem = ?2, enrolment_code = ?3
             WHERE device_token IS NULL",
            params![pending.server_url, pending.ca_pem, pending.code],
        )?;
        if changed == 0 {
            return Err(super::StoreError::AlreadyEnrolled);
        }
        Ok(())
    }

    /// The enrolment waiting for the server's answer, if any.
    pub fn pending_enrolment(&self) -> Result<Option<PendingEnrolment>> {
        Ok(self
            .conn
            .query_row(
                "SELECT server_url, force_ca_pem, enrolment_code FROM sync_state
                 WHERE server_url IS NOT NULL AND enrolment_code IS NOT NULL",
                [],
                |r| {
                    Ok(PendingEnrolment {
                        server_url: r.get(0)?,
                        ca_pem: r.get(1)?,
                        code: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Saves the token the server issued and the officer it enrolled this device for, and
    /// forgets the one-time code. A new enrollment starts pulling from the beginning
    /// (receiving is idempotent, so nothing is duplicated).
    pub fn save_sync_enrollment(&mut self, server_url: &str, token: &str, officer: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_state SET server_url = ?1, device_token = ?2, officer = ?3, revoked = 0, pull_cursor = NULL,
                    enrolment_code = NULL",
            params![server_url, token, officer],
        )?;
        Ok(())
    }

    /// The officer this device was enrolled for, once the server has answered.
    pub fn enrolled_officer(&self) -> Result<Option<OfficerId>> {
        let officer: Option<String> = self
            .conn
            .query_row(
                "SELECT officer FROM sync_state WHERE device_token IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(officer.and_then(|o| OfficerId::new(o).ok()))
    }

    /// Up to `limit` revisions waiting to go, in lanes, each in chain order: operation records
    /// first (everything else of an operation depends on it, and they are few), then
    /// escalations and rumours, then the rest.
    pub fn outbox(&self, limit: usize) -> Result<Vec<Revision>> {
        // The small lanes are read kind by kind through (device_id, kind, device_seq), the
        // rest through (device_id, device_seq); every query walks its index in order and stops
        // at the limit, so no batch sorts or scans the whole outbox.
        let mut out: Vec<Revision> = Vec::with_capacity(limit.min(10_000));
        let lanes: [Vec<RecordKind>; 2] = [
            vec![RecordKind::Operation],
            RecordKind::ALL.into_iter().filter(|k| k.is_urgent()).collect(),
        ];
        let by_kind = format!(
            "SELECT {REVISION_COLUMNS} FROM revisions v INDEXED BY revisions_outbox_lanes
             WHERE v.kind = ?2 AND {OUTBOX_WHERE}
             ORDER BY v.device_seq LIMIT ?3"
        );
        for lane in &lanes {
            let mut found = Vec::new();
            for kind in lane {
                if out.len() + found.len() >= limit {
                    break;
                }
                let mut stmt = self.conn.prepare_cached(&by_kind)?;
                let rows = stmt.query_map(
                    params![self.device_id, kind.as_str(), (limit - out.len()) as i64],
                    revision_from_row,
                )?;
                for r in rows {
                    found.push(r?);
                }
            }
            found.sort_by_key(|r| r.device_seq);
            found.truncate(limit - out.len());
            out.extend(found);
        }
        if out.len() < limit {
            let leading: Vec<&str> = lanes.iter().flatten().map(|k| k.as_str()).collect();
            let rest = format!(
                "SELECT {REVISION_COLUMNS} FROM revisions v
                 WHERE {OUTBOX_WHERE} AND v.kind NOT IN (SELECT value FROM json_each(?2))
                 ORDER BY v.device_seq LIMIT ?3"
            );
            let mut stmt = self.conn.prepare_cached(&rest)?;
            let rows = stmt.query_map(
                params![
                    self.device_id,
                    serde_json::Value::from(leading).to_string(),
                    (limit - out.len()) as i64
                ],
                revision_from_row,
            )?;
            for r in rows {
                out.push(r?);
            }
        }
        Ok(out)
    }

    /// Records what the server said about a push, in one transaction: the revisions it holds
    /// and those it refused (quarantined with the reason). The watermark then advances over
    /// every revision that is held or quarantined, so it never waits on a refused one.
    pub fn record_push_outcome(
        &mut self,
        server_acked_seq: u64,
        held: &[u64],
        refused: &[QuarantinedRevision],
    ) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            tx.execute(
                "UPDATE sync_state SET acked_seq = MAX(acked_seq, ?1)",
                [server_acked_seq as i64],
            )?;
            let floor: i64 = tx.query_row("SELECT acked_seq FROM sync_state", [], |r| r.get(0))?;
            // Held revisions under the watermark need no row of their own (the usual case:
            // the whole batch is acknowledged).
            let mut ins = tx.prepare_cached("INSERT OR IGNORE INTO sync_pushed (device_seq) VALUES (?1)")?;
            for seq in held.iter().map(|s| *s as i64).filter(|s| *s > floor) {
                ins.execute([seq])?;
            }
            quarantine(&tx, refused)?;
            // Advance over the run of held-or-quarantined revisions just above the watermark.
            let mut acked: i64 = tx.query_row("SELECT acked_seq FROM sync_state", [], |r| r.get(0))?;
            let mut next = tx.prepare_cached(
                "SELECT 1 FROM sync_pushed WHERE device_seq = ?1
                 UNION ALL SELECT 1 FROM sync_quarantine WHERE device_seq = ?1 AND direction = 'push'",
            )?;
            while next.exists([acked + 1])? {
                acked += 1;
            }
            tx.execute("UPDATE sync_state SET acked_seq = ?1", [acked])?;
            tx.execute("DELETE FROM sync_pushed WHERE device_seq <= ?1", [acked])?;
            log_disclosure(&tx, self.device_id, held)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The server holds less of this device's chain than the device was told (it lost data):
    /// lower the watermark to what it holds and forget what it said it held above it, so the
    /// outbox offers those revisions again. Quarantined ones stay quarantined. Returns whether
    /// anything changed.
    pub fn lower_sync_watermark(&mut self, server_acked_seq: u64) -> Result<bool> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let acked: i64 = tx.query_row("SELECT acked_seq FROM sync_state", [], |r| r.get(0))?;
        // The server's gap-free run legitimately stops below a revision it refused (it never
        // holds it), so compare with what it should hold: up to the first quarantined one.
        let first_refused: Option<i64> = tx.query_row(
            "SELECT MIN(device_seq) FROM sync_quarantine WHERE direction = 'push'",
            [],
            |r| r.get(0),
        )?;
        let expected = match first_refused {
            Some(q) if q - 1 < acked => q - 1,
            _ => acked,
        };
        if server_acked_seq as i64 >= expected {
            return Ok(false);
        }
        tx.execute("UPDATE sync_state SET acked_seq = ?1", [server_acked_seq as i64])?;
        tx.execute("DELETE FROM sync_pushed", [])?;
        tx.commit()?;
        Ok(true)
    }

    /// The exclusive cursor to pull after; None before the first pull.
    pub fn pull_cursor(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT pull_cursor FROM sync_state", [], |r| r.get(0))?)
    }

    /// Stores a page of colleagues' revisions, then moves the cursor past it. A revision that
    /// cannot be stored (altered, or a different copy of one held) is quarantined so that it
    /// never blocks the rest. If the app dies between the two steps the page is pulled again
    /// and receiving it again changes nothing.
    pub fn apply_pulled(&mut self, revisions: &[Revision], next_cursor: &str) -> Result<usize> {
        let stored = match self.receive(revisions) {
            Ok(n) => n,
            Err(_) => {
                let mut n = 0;
                let mut refused = Vec::new();
                for rev in revisions {
                    match self.receive(std::slice::from_ref(rev)) {
                        Ok(k) => n += k,
                        // Only a fault of the revision itself sets it aside; a fault of this
                        // device (disk full, database busy) stops here and the page is pulled
                        // again, so nothing is skipped.
                        Err(e) if !is_fault_of_the_revision(&e) => return Err(e),
                        Err(e) => refused.push(QuarantinedRevision {
                            revision_id: rev.id,
                            device_seq: None,
                            direction: SyncDirection::Pull,
                            reason: "not_stored".into(),
                            message: format!(
                                "a colleague's revision from device {} could not be stored: {e}. \
                                 Tell the force IT team; the rest of the sync carried on.",
                                rev.device_id
                            ),
                            at: Utc::now(),
                        }),
                    }
                }
                let tx = self.conn.transaction()?;
                quarantine(&tx, &refused)?;
                tx.commit()?;
                n
            }
        };
        self.conn
            .execute("UPDATE sync_state SET pull_cursor = ?1", [next_cursor])?;
        Ok(stored)
    }

    /// Notes the end of a sync attempt: success clears the error and the failure count.
    pub fn record_sync_attempt(&mut self, error: Option<&str>) -> Result<()> {
        let now = Utc::now().timestamp_millis();
        match error {
            None => self.conn.execute(
                "UPDATE sync_state SET last_attempt_ms = ?1, last_success_ms = ?1, last_error = NULL,
                        consecutive_failures = 0",
                [now],
            )?,
            Some(e) => self.conn.execute(
                "UPDATE sync_state SET last_attempt_ms = ?1, last_error = ?2,
                        consecutive_failures = consecutive_failures + 1",
                params![now, e],
            )?,
        };
        Ok(())
    }

    /// Notes that the server refused this device as revoked.
    pub fn record_sync_revoked(&mut self) -> Result<()> {
        self.conn.execute("UPDATE sync_state SET revoked = 1", [])?;
        Ok(())
    }

    /// Everything the status strip shows that outlives the app.
    pub fn sync_status(&self) -> Result<StoredSyncStatus> {
        let (waiting, urgent): (i64, i64) = self
            .conn
            .prepare_cached(&format!(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE v.kind IN (SELECT value FROM json_each(?2)))
             FROM revisions v WHERE {OUTBOX_WHERE}"
            ))?
            .query_row(params![self.device_id, urgent_kinds()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let mut status = self.conn.query_row(
            "SELECT server_url, device_token IS NOT NULL, officer, last_attempt_ms, last_success_ms, last_error,
                    consecutive_failures, revoked
             FROM sync_state",
            [],
            |r| {
                Ok(StoredSyncStatus {
                    server_url: r.get(0)?,
                    enrolled: r.get(1)?,
                    officer: r.get(2)?,
                    waiting: waiting as u64,
                    urgent_waiting: urgent as u64,
                    last_attempt_at: time(r.get(3)?),
                    last_success_at: time(r.get(4)?),
                    last_error: r.get(5)?,
                    consecutive_failures: r.get(6)?,
                    revoked: r.get(7)?,
                    quarantined: Vec::new(),
                    erased_by_retention: 0,
                })
            },
        )?;
        status.erased_by_retention = self.erased_record_count()?;
        status.quarantined = self.quarantined_where("1", None)?;
        Ok(status)
    }

    /// This device's revisions of a record that the server refused and the officer has not
    /// corrected yet: the record's screen says why, and the next edit is the correction.
    pub fn refusals(&self, record_id: RecordId) -> Result<Vec<QuarantinedRevision>> {
        self.quarantined_where(
            "q.direction = 'push' AND q.revision_id IN (SELECT id FROM revisions WHERE record_id = ?1)",
            Some(record_id),
        )
    }

    fn quarantined_where(&self, condition: &str, record_id: Option<RecordId>) -> Result<Vec<QuarantinedRevision>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT q.revision_id, q.device_seq, q.direction, q.reason, q.message, q.at_ms FROM sync_quarantine q
             WHERE q.resolved_by IS NULL AND {condition} ORDER BY q.at_ms, q.device_seq"
        ))?;
        let params: Vec<RecordId> = record_id.into_iter().collect();
        let found = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                let direction: String = r.get(2)?;
                Ok(QuarantinedRevision {
                    revision_id: r.get(0)?,
                    device_seq: r.get::<_, Option<i64>>(1)?.map(|s| s as u64),
                    direction: if direction == "pull" {
                        SyncDirection::Pull
                    } else {
                        SyncDirection::Push
                    },
                    reason: r.get(3)?,
                    message: r.get(4)?,
                    at: time(r.get(5)?).unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(found)
    }

    /// This device's own chain, in order: what the server must hold, for comparing both sides.
    pub fn own_chain(&self) -> Result<Vec<ChainEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT device_seq, id, hash FROM revisions WHERE device_id = ?1 ORDER BY device_seq")?;
        let rows = stmt.query_map([self.device_id], |r| {
            let h: Vec<u8> = r.get(2)?;
            Ok(ChainEntry {
                device_seq: r.get::<_, i64>(0)? as u64,
                revision_id: r.get(1)?,
                hash: Hash::from_slice(&h).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every own revision up to this sequence is on the server or quarantined.
    pub fn sync_acked_seq(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT acked_seq FROM sync_state", [], |r| r.get::<_, i64>(0))? as u64)
    }
}

fn is_fault_of_the_revision(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Validation(_) | StoreError::HashMismatch { .. } | StoreError::ConflictingCopy { .. }
    )
}

fn quarantine(tx: &rusqlite::Transaction<'_>, refused: &[QuarantinedRevision]) -> Result<()> {
    let mut q = tx.prepare_cached(
        "INSERT OR REPLACE INTO sync_quarantine (revision_id, device_seq, direction, reason, message, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for r in refused {
        q.execute(params![
            r.revision_id,
            r.device_seq.map(|s| s as i64),
            r.direction.as_str(),
            r.reason,
            r.message,
            r.at.timestamp_millis()
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_that_fails_for_a_reason_of_this_device_is_not_quarantined_and_is_pulled_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut colleague = Store::open(dir.path().join("colleague.db")).unwrap();
        crate::demo::generate(&mut colleague, Utc::now(), 5).unwrap();
        let page = colleague.outbox(5).unwrap();
        let mut me = Store::open(dir.path().join("me.db")).unwrap();
        // The device cannot write revisions (a stand-in for a full disk or a damaged file),
        // while the quarantine table still can: the revisions are not at fault.
        me.conn
            .execute_batch(
                "CREATE TEMP TRIGGER device_trouble BEFORE INSERT ON revisions
                 BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
            )
            .unwrap();
        assert!(me.apply_pulled(&page, "0.5").is_err());
        me.conn.execute_batch("DROP TRIGGER device_trouble").unwrap();
        assert!(me.sync_status().unwrap().quarantined.is_empty(), "nothing set aside");
        assert_eq!(me.pull_cursor().unwrap(), None, "the cursor did not move past the page");
        assert_eq!(me.apply_pulled(&page, "0.5").unwrap(), 5);
    }
}
