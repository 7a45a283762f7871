//! The device retention job: a record past its device retention period whose every revision
//! the force server holds leaves the tablet. Its current state and search text go; its
//! revisions stay in the chain as tombstones (body and reason erased, links and hashes kept),
//! so `verify_chain` still proves nothing else was removed or altered. Each erasure is logged
//! in the same transaction, and the schema refuses a tombstone without that entry (V5).
//!
//! Never removed: a record with any revision of this device that the server has not
//! acknowledged or that it refused (quarantined), whatever its age.

use super::audit::log;
use super::write::unindex;
use super::{Result, Store};
use crate::audit::AuditAction;
use crate::records::{OfficerId, RecordKind};
use crate::retention::{RetentionPolicy, RETENTION_ACTOR};
use chrono::{DateTime, Utc};
use rusqlite::{params, TransactionBehavior};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// What one run of the retention job did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    /// Records removed from this device.
    pub erased_records: u64,
    /// Their revisions, now tombstones.
    pub erased_revisions: u64,
    /// Records past their device period kept because something of theirs is not on the
    /// server (waiting to sync, or refused by it).
    pub kept_unsynced: u64,
    /// Operations past their period kept because records of them are still on the device.
    pub kept_in_use: u64,
    /// Records removed, by kind.
    pub by_kind: BTreeMap<String, u64>,
    /// Attached files removed with them, and their size on disk.
    pub erased_media_files: u64,
    pub erased_media_bytes: u64,
}

struct Candidate {
    rowid: i64,
    record_id: Uuid,
    kind: RecordKind,
    last_change_ms: i64,
}

impl Store {
    /// Removes from this device every record past its device retention period (its last
    /// change plus the `device_days` of its kind, at or before `now`) that is fully synced.
    /// One transaction: it all happens, with its audit entries, or none of it does.
    pub fn apply_retention(&mut self, policy: &RetentionPolicy, now: DateTime<Utc>) -> Result<RetentionReport> {
        let device_id = self.device_id;
        let actor = OfficerId::new(RETENTION_ACTOR)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut report = RetentionReport::default();
        let mut candidates: Vec<Candidate> = {
            let mut stmt = tx.prepare(
                "SELECT r.rowid, r.record_id, r.kind,
                        (SELECT MAX(v.recorded_ms) FROM revisions v WHERE v.record_id = r.record_id)
                 FROM records r",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Uuid>(1)?,
                    super::read::kind(r, 2)?,
                    r.get::<_, Option<i64>>(3)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (rowid, record_id, kind, last) = row?;
                let last_change_ms = last.unwrap_or(i64::MAX);
                let expiry = DateTime::from_timestamp_millis(last_change_ms)
                    .map(|t| policy.rule(kind).device_expiry(t))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC);
                if expiry <= now {
                    out.push(Candidate {
                        rowid,
                        record_id,
                        kind,
                        last_change_ms,
                    });
                }
            }
            out
        };
        // Operations last, so one whose records all go in this run can go with them.
        candidates.sort_by_key(|c| (c.kind == RecordKind::Operation, c.last_change_ms));
        let now_ms = now.timestamp_millis();
        let mut erased_operations = Vec::new();
        for c in candidates {
            let unsynced: bool = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM revisions v WHERE v.record_id = ?1 AND (
                        EXISTS (SELECT 1 FROM sync_quarantine q WHERE q.revision_id = v.id AND q.resolved_by IS NULL)
                        OR (v.device_id = ?2
                            AND v.device_seq > (SELECT acked_seq FROM sync_state)
                            AND NOT EXISTS (SELECT 1 FROM sync_pushed p WHERE p.device_seq = v.device_seq))))",
                )?
                .query_row(params![c.record_id, device_id], |r| r.get(0))?;
            if unsynced {
                report.kept_unsynced += 1;
                continue;
            }
            if c.kind == RecordKind::Operation {
                let in_use: bool = tx
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM records WHERE operation_id = ?1 AND record_id != ?1)",
                    )?
                    .query_row([c.record_id], |r| r.get(0))?;
                if in_use {
                    report.kept_in_use += 1;
                    continue;
                }
                erased_operations.push(c.record_id);
            }
            let rule = policy.rule(c.kind);
            let revisions: i64 = tx
                .prepare_cached("SELECT COUNT(*) FROM revisions WHERE record_id = ?1 AND erased_ms IS NULL")?
                .query_row([c.record_id], |r| r.get(0))?;
            // The entry first: the schema refuses a tombstone without it.
            log(
                &tx,
                &actor,
                AuditAction::Erasure,
                Some(c.record_id),
                &format!(
                    "{}: {revisions} revisions erased from this device, last changed {}; the force server keeps them",
                    c.kind,
                    DateTime::from_timestamp_millis(c.last_change_ms)
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_default()
                ),
                &format!("retention: {} device period elapsed", rule.class),
            )?;
            // The index needs the exact text it holds, read through the record's head.
            unindex(&tx, c.rowid)?;
            tx.prepare_cached("DELETE FROM records WHERE rowid = ?1")?
                .execute([c.rowid])?;
            let n = tx
                .prepare_cached(
                    "UPDATE revisions SET body = '', reason = NULL, erased_ms = ?2
                     WHERE record_id = ?1 AND erased_ms IS NULL",
                )?
                .execute(params![c.record_id, now_ms])?;
            report.erased_records += 1;
            report.erased_revisions += n as u64;
            *report.by_kind.entry(c.kind.as_str().to_string()).or_default() += 1;
        }
        tx.commit()?;
        for op in erased_operations {
            self.sectors.remove(&op);
        }
        if report.erased_records > 0 {
            // An erased record's photos and audio go with it (a file another record still
            // names stays).
            let (files, bytes) = self.sweep_media()?;
            report.erased_media_files = files;
            report.erased_media_bytes = bytes;
            // FTS5 keeps a deleted row's words in older index segments until they are merged:
            // merge them now, so the erased text is gone from the index too (secure_delete
            // zeroes the pages that frees).
            self.conn
                .execute("INSERT INTO search_index(search_index) VALUES ('optimize')", [])?;
            tracing::info!(
                erased = report.erased_records,
                kept_unsynced = report.kept_unsynced,
                "retention removed synced records past their device period"
            );
        }
        Ok(report)
    }

    /// When and why a record was erased from this device, if it was.
    pub fn erasure_of(&self, record_id: Uuid) -> Result<Option<(DateTime<Utc>, String)>> {
        use rusqlite::OptionalExtension;
        let erased_ms: Option<i64> = self
            .conn
            .prepare_cached("SELECT MAX(erased_ms) FROM revisions WHERE record_id = ?1 AND erased_ms IS NOT NULL")?
            .query_row([record_id], |r| r.get(0))?;
        let Some(ms) = erased_ms else { return Ok(None) };
        let why: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT purpose FROM audit_log WHERE record_id = ?1 AND action = 'erasure' ORDER BY id DESC LIMIT 1",
            )?
            .query_row([record_id], |r| r.get(0))
            .optional()?;
        Ok(Some((
            DateTime::from_timestamp_millis(ms).unwrap_or_default(),
            why.unwrap_or_else(|| "retention".into()),
        )))
    }

    /// Records erased from this device by retention (for the status strip).
    pub fn erased_record_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(DISTINCT record_id) FROM revisions WHERE erased_ms IS NOT NULL",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Access;
    use crate::records::*;
    use crate::store::{QuarantinedRevision, SearchQuery, StoreError, SyncDirection};
    use chrono::{Duration, TimeZone};

    fn officer() -> OfficerId {
        OfficerId::new("PC 4521").unwrap()
    }

    fn access() -> Access {
        Access {
            officer: officer(),
            purpose: "follow-up".into(),
        }
    }

    fn operation() -> Record {
        let start = Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap();
        Record {
            operation_id: None,
            occurred_at: start,
            location: None,
            sector: None,
            links: vec![],
            tags: vec![],
            attachments: vec![],
            body: Body::Operation(Operation {
                name: "Op Retain".into(),
                event_kind: EventKind::March,
                starts_at: start,
                ends_at: start + Duration::hours(5),
                area: vec![],
                sectors: vec![],
                briefing: "Facilitate peaceful protest.".into(),
                command_structure: String::new(),
                groups_expected: vec![],
                team: vec![],
            }),
        }
    }

    fn note(op: RecordId, summary: &str) -> Record {
        Record {
            operation_id: Some(op),
            occurred_at: Utc.with_ymd_and_hms(2026, 6, 6, 11, 0, 0).unwrap(),
            location: None,
            sector: None,
            links: vec![],
            tags: vec![],
            attachments: vec![],
            body: Body::ContactNote(ContactNote {
                spoke_with: "Organiser".into(),
                function: PltFunction::Negotiation,
                summary: summary.into(),
                mood: None,
                follow_up: None,
                monitored: vec![],
            }),
        }
    }

    /// The server acknowledged every revision this device has made so far.
    fn all_acked(store: &mut Store) {
        let top = store.own_chain().unwrap().last().map(|e| e.device_seq).unwrap_or(0);
        store.record_push_outcome(top, &[], &[]).unwrap();
    }

    fn hits(store: &Store, text: &str) -> usize {
        store
            .search(&SearchQuery {
                text: text.into(),
                ..Default::default()
            })
            .unwrap()
            .len()
    }

    fn policy() -> &'static RetentionPolicy {
        RetentionPolicy::embedded()
    }

    #[test]
    fn an_erased_records_photos_leave_the_device_with_it_once_the_server_has_them_and_nothing_else_goes() {
        use crate::records::{Attachment, AttachmentKind, MediaType};
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("device.db")).unwrap();
        let op = store.create(&officer(), operation()).unwrap().record_id;
        let a = store.media().put(b"\xFF\xD8\xFF leaflet, front").unwrap();
        let b = store.media().put(b"\xFF\xD8\xFF leaflet, back").unwrap();
        let orphan = store
            .media()
            .put(b"\xFF\xD8\xFF attached, then the draft discarded")
            .unwrap();
        let attached = |k: &crate::media::vault::Kept| Attachment {
            sha256: k.sha256.clone(),
            kind: AttachmentKind::Photo,
            media_type: MediaType::Jpeg,
            size: k.size,
            thumbnail: None,
            location_kept: false,
            caption: String::new(),
        };
        let mut first = note(op, "Leaflets handed out at the gate");
        first.attachments = vec![attached(&a), attached(&b)];
        store.create(&officer(), first).unwrap();
        all_acked(&mut store);
        // The server has the front and the back of the leaflet.
        store.mark_media_sent(&a.sha256).unwrap();
        store.mark_media_sent(&b.sha256).unwrap();
        // A later note names the back of the leaflet too, and is not on the server yet.
        let mut second = note(op, "The same leaflet again");
        second.attachments = vec![attached(&b)];
        store.create(&officer(), second).unwrap();

        let report = store
            .apply_retention(policy(), Utc::now() + Duration::days(91))
            .unwrap();
        assert_eq!(report.erased_records, 1, "{report:?}");
        assert!(!store.media().has(&a.sha256), "the erased note's own photo is gone");
        assert!(store.media().has(&b.sha256), "a photo another record names stays");
        assert!(
            store.media().has(&orphan.sha256),
            "a photo no record names and the server never had stays (a draft may hold it)"
        );
        assert_eq!(report.erased_media_files, 1);
        assert_eq!(store.media().get(&b.sha256).unwrap(), b"\xFF\xD8\xFF leaflet, back");
    }

    #[test]
    fn a_synced_record_past_its_device_period_leaves_the_device_and_the_chain_still_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("device.db")).unwrap();
        let op = store.create(&officer(), operation()).unwrap().record_id;
        let n = store
            .create(&officer(), note(op, "Lost wallet by the fountain"))
            .unwrap()
            .record_id;
        store
            .edit(
                &officer(),
                n,
                note(op, "Lost wallet by the fountain, handed in"),
                "outcome",
            )
            .unwrap();
        all_acked(&mut store);
        assert_eq!(hits(&store, "fountain"), 1);

        // Young: nothing goes.
        let young = store.apply_retention(policy(), Utc::now()).unwrap();
        assert_eq!(young.erased_records, 0);
        assert!(store.get(n, &access()).is_ok());

        let later = Utc::now() + Duration::days(91);
        let report = store.apply_retention(policy(), later).unwrap();
        assert_eq!(report.erased_records, 2, "the note, then its operation: {report:?}");
        assert_eq!(report.erased_revisions, 3);
        assert_eq!(report.by_kind.get("contact_note"), Some(&1));

        let chain = store.verify_chain().unwrap();
        assert!(chain.is_valid(), "{:?}", chain.problems);
        assert_eq!((chain.revisions, chain.erased), (3, 3));
        assert_eq!(hits(&store, "fountain"), 0, "search no longer finds it");
        match store.get(n, &access()) {
            Err(StoreError::Erased { record, why, .. }) => {
                assert_eq!(record, n);
                assert_eq!(why, "retention: group_3 device period elapsed");
            }
            other => panic!("expected Erased, got {other:?}"),
        }
        assert!(matches!(store.history(n, &access()), Err(StoreError::Erased { .. })));
        let err = store.get(n, &access()).unwrap_err().to_string();
        assert!(
            err.contains("erased from this device") && err.contains("force server keeps it"),
            "{err}"
        );

        let entries = store.audit_entries(Some(n)).unwrap();
        let erasure = entries
            .iter()
            .find(|e| e.action == AuditAction::Erasure)
            .expect("erasure logged");
        assert_eq!(erasure.officer.as_str(), RETENTION_ACTOR);
        assert_eq!(erasure.purpose, "retention: group_3 device period elapsed");
        assert!(
            erasure.detail.starts_with("contact_note: 2 revisions erased"),
            "{}",
            erasure.detail
        );
        assert!(store.verify_audit_chain().unwrap().is_valid());
        assert_eq!(store.sync_status().unwrap().erased_by_retention, 2);

        // Nothing of the text is left in the database.
        let bodies: i64 = store
            .conn
            .query_row("SELECT COUNT(*) FROM revisions WHERE body LIKE '%fountain%'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(bodies, 0);
        // Nor in the file's bytes: secure_delete zeroed the freed pages and the FTS index
        // segments holding the words were merged away.
        store.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        for suffix in ["", "-wal"] {
            let path = dir.path().join(format!("device.db{suffix}"));
            if let Ok(bytes) = std::fs::read(&path) {
                assert!(
                    !bytes.windows(8).any(|w| w == b"fountain"),
                    "erased text still in {}",
                    path.display()
                );
            }
        }

        // Derived state rebuilt from the evidence stays without it; a second run does nothing.
        store.rebuild().unwrap();
        assert!(matches!(store.get(n, &access()), Err(StoreError::Erased { .. })));
        assert!(store.verify_chain().unwrap().is_valid());
        assert_eq!(store.apply_retention(policy(), later).unwrap().erased_records, 0);
        // The outbox does not offer tombstones.
        assert!(store.outbox(100).unwrap().is_empty());
    }

    #[test]
    fn unsynced_or_refused_records_are_never_removed_whatever_their_age() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("device.db")).unwrap();
        let op = store.create(&officer(), operation()).unwrap().record_id;
        let synced = store.create(&officer(), note(op, "synced note")).unwrap().record_id;
        let edited = store.create(&officer(), note(op, "edited note")).unwrap().record_id;
        all_acked(&mut store);
        let waiting = store.create(&officer(), note(op, "waiting note")).unwrap().record_id;
        let refused = store.create(&officer(), note(op, "refused note")).unwrap();
        // The server refused this one: the watermark passes over it, yet it is not there.
        let seq = refused.device_seq;
        store
            .record_push_outcome(
                seq - 2,
                &[],
                &[QuarantinedRevision {
                    revision_id: refused.revision_id,
                    device_seq: Some(seq),
                    direction: SyncDirection::Push,
                    reason: "not_assigned".into(),
                    message: "no".into(),
                    at: Utc::now(),
                }],
            )
            .unwrap();
        // An edit of a synced note, not yet on the server, keeps the whole record.
        store
            .edit(&officer(), edited, note(op, "edited note, later"), "more")
            .unwrap();

        let report = store
            .apply_retention(policy(), Utc::now() + Duration::days(365))
            .unwrap();
        assert_eq!(report.erased_records, 1, "{report:?}");
        assert_eq!(report.kept_unsynced, 3, "{report:?}");
        assert_eq!(report.kept_in_use, 1, "the operation its notes still need: {report:?}");
        assert!(matches!(store.get(synced, &access()), Err(StoreError::Erased { .. })));
        for id in [waiting, refused.record_id, edited, op] {
            assert!(store.get(id, &access()).is_ok(), "{id} kept");
        }
        assert!(store.verify_chain().unwrap().is_valid());
    }

    #[test]
    fn a_revision_cannot_be_tombstoned_outside_the_retention_job() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("device.db")).unwrap();
        let op = store.create(&officer(), operation()).unwrap().record_id;
        let n = store.create(&officer(), note(op, "keep me")).unwrap().record_id;
        // Still current, and no erasure logged: refused.
        let err = store
            .conn
            .execute(
                "UPDATE revisions SET body = '', reason = NULL, erased_ms = 1 WHERE record_id = ?1",
                [n],
            )
            .unwrap_err();
        assert!(err.to_string().contains("immutable"), "{err}");
        // A tombstone cannot change anything the chain links by, nor be revived.
        all_acked(&mut store);
        store
            .apply_retention(policy(), Utc::now() + Duration::days(91))
            .unwrap();
        for sql in [
            "UPDATE revisions SET body = '{}', erased_ms = NULL WHERE record_id = ?1",
            "UPDATE revisions SET hash = prev_hash WHERE record_id = ?1",
        ] {
            assert!(store.conn.execute(sql, [n]).is_err(), "{sql}");
        }
    }
}
