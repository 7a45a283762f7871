//! Writing revisions: create, edit, bulk import, and receiving colleagues' revisions; and
//! keeping the derived current state (`records`, `search_index`) in step in the same transaction.

use super::audit::log;
use super::{Result, Store, StoreError};
use crate::audit::AuditAction;
use crate::evidence::{canonical_body, Hash, Hlc, Revision};
use crate::geo::SectorMap;
use crate::records::{Body, OfficerId, Record, RecordId, RecordKind, ValidationError};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use std::sync::Arc;
use uuid::Uuid;

/// What a successful save tells the caller. Once returned, the revision is on disk.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Saved {
    pub record_id: RecordId,
    pub revision_id: Uuid,
    #[ts(type = "number")]
    pub device_seq: u64,
    #[ts(type = "string")]
    pub hash: Hash,
    /// The sector the record was placed in (given, or found from its location).
    pub sector: Option<String>,
}

/// The device chain's head and clock, read once per transaction.
struct ChainHead {
    seq: u64,
    hash: Hash,
    hlc: Hlc,
}

const REASON_MAX: usize = 1_000;

impl Store {
    /// Saves a new record as its first revision.
    pub fn create(&mut self, author: &OfficerId, record: Record) -> Result<Saved> {
        self.create_from_draft(author, record, None)
    }

    /// As [`Store::create`], and discards the capture draft under `draft` in the same
    /// transaction: the record saved and its draft gone, or neither.
    pub fn create_from_draft(&mut self, author: &OfficerId, mut record: Record, draft: Option<&str>) -> Result<Saved> {
        record.normalise();
        record.validate()?;
        self.place_in_sector(&mut record)?;
        let device_id = self.device_id;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut head = read_head(&tx, device_id)?;
        let rev = append(&tx, &mut head, device_id, author, Uuid::now_v7(), None, None, record)?;
        save_clock(&tx, head.hlc)?;
        if let Some(key) = draft {
            super::views::discard_draft_in(&tx, key)?;
        }
        log(
            &tx,
            author,
            AuditAction::Collection,
            Some(rev.record_id),
            rev.kind.as_str(),
            "recorded",
        )?;
        tx.commit()?;
        Ok(self.after_write(rev))
    }

    /// Makes a new intelligence submission from a contact note, in one transaction: the
    /// submission (linked to the note) and two audit entries, its collection and, on the note,
    /// that it was submitted as intelligence and why. The note itself is not changed: engagement
    /// becomes intelligence only by this separate, recorded act.
    pub fn create_intelligence_from_note(
        &mut self,
        author: &OfficerId,
        note_id: RecordId,
        mut record: Record,
        reason: &str,
    ) -> Result<Saved> {
        let reason = check_reason(reason)?;
        if record.kind() != RecordKind::IntelligenceSubmission {
            return Err(ValidationError::Invalid {
                field: "kind".into(),
                reason: "only an intelligence submission can be made from a contact note".into(),
            }
            .into());
        }
        if !record.links.contains(&note_id) {
            record.links.push(note_id);
        }
        record.normalise();
        record.validate()?;
        self.place_in_sector(&mut record)?;
        let device_id = self.device_id;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let note_kind: String = tx
            .query_row("SELECT kind FROM records WHERE record_id = ?1", [note_id], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::RecordNotFound(note_id))?;
        if note_kind != RecordKind::ContactNote.as_str() {
            return Err(ValidationError::Invalid {
                field: "links".into(),
                reason: format!("{note_id} is a {note_kind}, not a contact note"),
            }
            .into());
        }
        let mut head = read_head(&tx, device_id)?;
        let rev = append(&tx, &mut head, device_id, author, Uuid::now_v7(), None, None, record)?;
        save_clock(&tx, head.hlc)?;
        log(
            &tx,
            author,
            AuditAction::Collection,
            Some(rev.record_id),
            &format!("intelligence_submission made from contact note {note_id}"),
            &reason,
        )?;
        log(
            &tx,
            author,
            AuditAction::Combination,
            Some(note_id),
            &format!("submitted as intelligence {}", rev.record_id),
            &reason,
        )?;
        tx.commit()?;
        Ok(self.after_write(rev))
    }

    /// Saves an edit as a new revision whose parent is the record's current revision. The
    /// reason is required and kept with the revision.
    pub fn edit(&mut self, author: &OfficerId, record_id: RecordId, record: Record, reason: &str) -> Result<Saved> {
        self.edit_from_draft(author, record_id, record, reason, None)
    }

    /// As [`Store::edit`], and discards the capture draft under `draft` in the same
    /// transaction.
    pub fn edit_from_draft(
        &mut self,
        author: &OfficerId,
        record_id: RecordId,
        mut record: Record,
        reason: &str,
        draft: Option<&str>,
    ) -> Result<Saved> {
        let reason = check_reason(reason)?;
        record.normalise();
        record.validate()?;
        self.place_in_sector(&mut record)?;
        let device_id = self.device_id;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (parent, refused) = edit_parent(&tx, record_id)?;
        if let Some((_, previous)) = &parent {
            record.validate_edit(previous)?;
        }
        let id = Uuid::now_v7();
        // A correction: the refused revisions (and any edits made on them, which the server
        // would refuse for want of their parent) are set aside as resolved by this one, so it
        // is the record's head here and goes in their place.
        for (refused_id, seq) in &refused {
            tx.prepare_cached(
                "INSERT INTO sync_quarantine (revision_id, device_seq, direction, reason, message, at_ms, resolved_by)
                 VALUES (?1, ?2, 'push', 'corrected', 'replaced by a correction before it was sent', ?3, ?4)
                 ON CONFLICT (revision_id) DO UPDATE SET resolved_by = excluded.resolved_by",
            )?
            .execute(params![refused_id, seq, Utc::now().timestamp_millis(), id])?;
        }
        let mut head = read_head(&tx, device_id)?;
        let links = Links {
            parent: parent.map(|(p, _)| p),
            merges: None,
        };
        let rev = append_as(
            &tx,
            &mut head,
            device_id,
            author,
            id,
            record_id,
            links,
            Some(reason),
            record,
        )?;
        save_clock(&tx, head.hlc)?;
        if let Some(key) = draft {
            super::views::discard_draft_in(&tx, key)?;
        }
        let what = match refused.len() {
            0 => rev.kind.as_str().to_string(),
            n => format!("{}, correcting {n} revision(s) the force server refused", rev.kind),
        };
        log(
            &tx,
            author,
            AuditAction::Alteration,
            Some(record_id),
            &what,
            &rev.reason.clone().unwrap_or_default(),
        )?;
        tx.commit()?;
        Ok(self.after_write(rev))
    }

    /// Resolves concurrent edits of a record: a merge revision whose parent is the head kept
    /// (`keep`, whose content it carries) and which names the other head (`other`) as merged,
    /// so that the record has one head again on every device that receives it. Both must be
    /// current heads. Records with a supervisor's part never fork (the server refuses a
    /// tablet's edit of a revision already followed), so they are not merged here.
    pub fn merge(
        &mut self,
        author: &OfficerId,
        record_id: RecordId,
        keep: Uuid,
        other: Uuid,
        reason: &str,
    ) -> Result<Saved> {
        let reason = check_reason(reason)?;
        let device_id = self.device_id;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let heads = heads_in(&tx, record_id)?;
        if heads.is_empty() {
            return Err(StoreError::RecordNotFound(record_id));
        }
        if keep == other || !heads.contains(&keep) || !heads.contains(&other) {
            return Err(ValidationError::Invalid {
                field: "heads".into(),
                reason: "the two versions must be different versions the record has now; open it again, another \
                         device may have resolved it"
                    .into(),
            }
            .into());
        }
        let body: String = tx
            .prepare_cached("SELECT body FROM revisions WHERE id = ?1")?
            .query_row([keep], |r| r.get(0))?;
        let record: Record = serde_json::from_str(&body).map_err(|e| crate::records::decode_error(&e))?;
        if record.kind().has_supervisors_part() {
            return Err(ValidationError::Invalid {
                field: "heads".into(),
                reason: format!("a {} is not merged on a tablet", record.kind()),
            }
            .into());
        }
        let mut head = read_head(&tx, device_id)?;
        let links = Links {
            parent: Some(keep),
            merges: Some(other),
        };
        let rev = append_as(
            &tx,
            &mut head,
            device_id,
            author,
            Uuid::now_v7(),
            record_id,
            links,
            Some(reason),
            record,
        )?;
        save_clock(&tx, head.hlc)?;
        log(
            &tx,
            author,
            AuditAction::Alteration,
            Some(record_id),
            &format!(
                "{}: concurrent edits merged, keeping revision {keep} over {other}",
                rev.kind
            ),
            &rev.reason.clone().unwrap_or_default(),
        )?;
        tx.commit()?;
        Ok(self.after_write(rev))
    }

    /// The record's current heads: one, or more while concurrent edits are unresolved.
    pub fn heads(&self, record_id: RecordId) -> Result<Vec<Uuid>> {
        let tx = self.conn.unchecked_transaction()?;
        heads_in(&tx, record_id)
    }

    /// Imports many new records in one transaction (all or nothing). Every record is checked
    /// before anything is written; the first bad one is reported by its position.
    pub fn import(&mut self, author: &OfficerId, records: Vec<Record>) -> Result<Vec<Saved>> {
        let mut records = records;
        for (i, r) in records.iter_mut().enumerate() {
            r.normalise();
            r.validate().map_err(|e| ValidationError::Invalid {
                field: format!("records[{i}]"),
                reason: e.to_string(),
            })?;
            self.place_in_sector(r)?;
        }
        let device_id = self.device_id;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut head = read_head(&tx, device_id)?;
        let mut revs = Vec::with_capacity(records.len());
        for r in records {
            revs.push(append(
                &tx,
                &mut head,
                device_id,
                author,
                Uuid::now_v7(),
                None,
                None,
                r,
            )?);
        }
        save_clock(&tx, head.hlc)?;
        log(
            &tx,
            author,
            AuditAction::Collection,
            None,
            &format!("{} records imported", revs.len()),
            "import",
        )?;
        tx.commit()?;
        Ok(revs.into_iter().map(|r| self.after_write(r)).collect())
    }

    /// Stores revisions made on other devices (colleagues' records arriving by sync).
    /// Each must match its hash; one already held must be identical. Idempotent: receiving the
    /// same revisions twice changes nothing. All or nothing.
    pub fn receive(&mut self, revisions: &[Revision]) -> Result<usize> {
        for rev in revisions {
            rev.body.validate()?;
            if rev.body.kind() != rev.kind {
                return Err(ValidationError::Invalid {
                    field: "kind".into(),
                    reason: format!("says {} but the body is a {}", rev.kind, rev.body.kind()),
                }
                .into());
            }
            if !rev.hash_is_valid() {
                return Err(StoreError::HashMismatch { revision: rev.id });
            }
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut hlc: Hlc = Hlc::unpack(tx.query_row("SELECT hlc FROM device_identity", [], |r| r.get(0))?);
        let mut stored = 0;
        for rev in revisions {
            let existing: Option<Vec<u8>> = tx
                .query_row("SELECT hash FROM revisions WHERE id = ?1", [rev.id], |r| r.get(0))
                .optional()?;
            if let Some(h) = existing {
                if h != rev.hash.0 {
                    return Err(StoreError::ConflictingCopy { revision: rev.id });
                }
                continue;
            }
            let body = canonical_body(&rev.body);
            let pos = insert_revision(&tx, rev, &body)?;
            apply_to_state(&tx, pos, rev)?;
            hlc = hlc.max(rev.hlc);
            stored += 1;
        }
        save_clock(&tx, hlc)?;
        tx.commit()?;
        for rev in revisions {
            if rev.kind == RecordKind::Operation {
                self.sectors.remove(&rev.record_id);
            }
        }
        Ok(stored)
    }

    fn after_write(&mut self, rev: Revision) -> Saved {
        if rev.kind == RecordKind::Operation {
            self.sectors.remove(&rev.record_id);
        }
        Saved {
            record_id: rev.record_id,
            revision_id: rev.id,
            device_seq: rev.device_seq,
            hash: rev.hash,
            sector: rev.body.sector.clone(),
        }
    }

    /// Fills `record.sector` from its location when the operation has sectors; checks that the
    /// operation exists on this device.
    fn place_in_sector(&mut self, record: &mut Record) -> Result<()> {
        let Some(op_id) = record.operation_id else {
            return Ok(());
        };
        let map = match self.sectors.get(&op_id) {
            Some(m) => m.clone(),
            None => {
                let body: Option<String> = self
                    .conn
                    .prepare_cached(
                        "SELECT v.body FROM records r JOIN revisions v ON v.pos = r.head_pos
                         WHERE r.record_id = ?1 AND r.kind = 'operation'",
                    )?
                    .query_row([op_id], |r| r.get(0))
                    .optional()?;
                let body = body.ok_or_else(|| ValidationError::Invalid {
                    field: "operation_id".into(),
                    reason: "is not an operation on this device".into(),
                })?;
                let op: Record = serde_json::from_str(&body).map_err(|e| crate::records::decode_error(&e))?;
                let Body::Operation(op) = op.body else {
                    return Err(StoreError::Migration("operation body of another kind".into()));
                };
                let m = Arc::new(SectorMap::new(&op));
                self.sectors.insert(op_id, m.clone());
                m
            }
        };
        match (&record.sector, &record.location) {
            (None, Some(loc)) => record.sector = map.sector_of(loc.lat, loc.lon).map(str::to_string),
            (Some(s), _) if !map.is_empty() && !map.has(s) => {
                return Err(ValidationError::Invalid {
                    field: "sector".into(),
                    reason: format!("`{s}` is not a sector of this operation"),
                }
                .into())
            }
            _ => {}
        }
        Ok(())
    }
}

fn check_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::ReasonRequired);
    }
    let len = reason.chars().count();
    if len > REASON_MAX {
        return Err(ValidationError::TooLong {
            field: "reason".into(),
            max: REASON_MAX,
            len,
        }
        .into());
    }
    Ok(reason.to_string())
}

fn read_head(tx: &Transaction<'_>, device_id: Uuid) -> Result<ChainHead> {
    let hlc = Hlc::unpack(tx.query_row("SELECT hlc FROM device_identity", [], |r| r.get(0))?);
    let last: Option<(i64, Vec<u8>)> = tx
        .prepare_cached("SELECT device_seq, hash FROM revisions WHERE device_id = ?1 ORDER BY device_seq DESC LIMIT 1")?
        .query_row([device_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, hash) = match last {
        Some((seq, h)) => (seq as u64, Hash::from_slice(&h).unwrap_or(Hash::GENESIS)),
        None => (0, Hash::GENESIS),
    };
    Ok(ChainHead { seq, hash, hlc })
}

fn save_clock(tx: &Transaction<'_>, hlc: Hlc) -> Result<()> {
    tx.prepare_cached("UPDATE device_identity SET hlc = MAX(hlc, ?1)")?
        .execute([hlc.pack()])?;
    Ok(())
}

fn now_ms() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

/// Appends one revision to this device's chain and updates the derived state.
#[allow(clippy::too_many_arguments)]
fn append(
    tx: &Transaction<'_>,
    head: &mut ChainHead,
    device_id: Uuid,
    author: &OfficerId,
    record_id: RecordId,
    parent: Option<Uuid>,
    reason: Option<String>,
    record: Record,
) -> Result<Revision> {
    let id = Uuid::now_v7();
    let links = Links { parent, merges: None };
    append_as(tx, head, device_id, author, id, record_id, links, reason, record)
}

/// What a new revision follows: the revision it edits and, for a merge, the other head.
#[derive(Debug, Clone, Copy)]
struct Links {
    parent: Option<Uuid>,
    merges: Option<Uuid>,
}

/// [`append`] with the revision's id chosen by the caller and, for a merge, a second parent.
#[allow(clippy::too_many_arguments)]
fn append_as(
    tx: &Transaction<'_>,
    head: &mut ChainHead,
    device_id: Uuid,
    author: &OfficerId,
    id: Uuid,
    record_id: RecordId,
    links: Links,
    reason: Option<String>,
    record: Record,
) -> Result<Revision> {
    let recorded_at = now_ms();
    let hlc = head.hlc.tick(recorded_at.timestamp_millis());
    let mut rev = Revision {
        id,
        record_id,
        parent: links.parent,
        merges: links.merges,
        kind: record.kind(),
        author: author.clone(),
        device_id,
        device_seq: head.seq + 1,
        recorded_at,
        hlc,
        reason,
        body: record,
        prev_hash: head.hash,
        hash: Hash::GENESIS,
    };
    let body = canonical_body(&rev.body);
    rev.hash = rev.compute_hash(&body);
    let pos = insert_revision(tx, &rev, &body)?;
    apply_to_state(tx, pos, &rev)?;
    head.seq = rev.device_seq;
    head.hash = rev.hash;
    head.hlc = hlc;
    Ok(rev)
}

fn insert_revision(tx: &Transaction<'_>, rev: &Revision, body: &str) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO revisions (id, record_id, parent_id, kind, author, device_id, device_seq,
                                recorded_ms, hlc, reason, body, prev_hash, hash, merge_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        rev.id,
        rev.record_id,
        rev.parent,
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
        rev.merges,
    ])?;
    Ok(tx.last_insert_rowid())
}

fn heads_in(tx: &Transaction<'_>, record_id: RecordId) -> Result<Vec<Uuid>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT v.id FROM revisions v WHERE v.record_id = ?1 AND {HEAD}"
    ))?;
    let heads = stmt
        .query_map([record_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<Uuid>>>()?;
    Ok(heads)
}

/// The revision an edit of `record_id` follows, with its content, and the revisions it
/// corrects. Usually that is the current revision and nothing. When this device's own
/// revisions of the record were refused by the server (and not yet corrected), the edit is a
/// correction: it follows the current revision as if those (and any edits made on top of
/// them) did not exist, which is the revision the server holds (None when even the record's
/// first revision was refused), and corrects them.
#[allow(clippy::type_complexity)]
fn edit_parent(tx: &Transaction<'_>, record_id: RecordId) -> Result<(Option<(Uuid, Record)>, Vec<(Uuid, i64)>)> {
    let mut stmt = tx.prepare_cached(
        "SELECT v.id, v.parent_id, v.merge_id, v.hlc, v.device_seq,
                EXISTS (SELECT 1 FROM sync_quarantine q
                        WHERE q.revision_id = v.id AND q.direction = 'push' AND q.resolved_by IS NULL),
                EXISTS (SELECT 1 FROM sync_quarantine q WHERE q.revision_id = v.id AND q.resolved_by IS NOT NULL)
         FROM revisions v WHERE v.record_id = ?1 AND v.erased_ms IS NULL ORDER BY v.pos",
    )?;
    struct Row {
        id: Uuid,
        parent: Option<Uuid>,
        merges: Option<Uuid>,
        hlc: Hlc,
        seq: i64,
        refused: bool,
        resolved: bool,
    }
    let rows: Vec<Row> = stmt
        .query_map([record_id], |r| {
            Ok(Row {
                id: r.get(0)?,
                parent: r.get(1)?,
                merges: r.get(2)?,
                hlc: Hlc::unpack(r.get(3)?),
                seq: r.get(4)?,
                refused: r.get(5)?,
                resolved: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() {
        return Err(StoreError::RecordNotFound(record_id));
    }
    // Refused, and everything made on a refused one (rows are in storage order, so a
    // revision's parents come before it).
    let mut tainted: Vec<Uuid> = Vec::new();
    for r in &rows {
        let on_refused = [r.parent, r.merges].iter().flatten().any(|p| tainted.contains(p));
        if (r.refused || on_refused) && !r.resolved {
            tainted.push(r.id);
        }
    }
    let live = |r: &&Row| !r.resolved && !tainted.contains(&r.id);
    let heads: Vec<&Row> = rows
        .iter()
        .filter(live)
        .filter(|v| {
            !rows
                .iter()
                .filter(live)
                .any(|c| c.parent == Some(v.id) || c.merges == Some(v.id))
        })
        .collect();
    let parent = crate::evidence::winner(heads.iter().map(|r| (r.hlc, &r.id))).copied();
    let parent = match parent {
        Some(p) => {
            let body: String = tx
                .prepare_cached("SELECT body FROM revisions WHERE id = ?1")?
                .query_row([p], |r| r.get(0))?;
            Some((
                p,
                serde_json::from_str(&body).map_err(|e| crate::records::decode_error(&e))?,
            ))
        }
        None => None,
    };
    let corrected = rows
        .iter()
        .filter(|r| tainted.contains(&r.id))
        .map(|r| (r.id, r.seq))
        .collect();
    Ok((parent, corrected))
}

/// The condition on a revision `v` of a record for it to be one of the record's heads.
pub(super) const HEAD: &str = "v.erased_ms IS NULL
    AND NOT EXISTS (SELECT 1 FROM revisions c
                    WHERE c.record_id = v.record_id AND (c.parent_id = v.id OR c.merge_id = v.id))
    AND NOT EXISTS (SELECT 1 FROM sync_quarantine q WHERE q.revision_id = v.id AND q.resolved_by IS NOT NULL)";

/// Brings `records` and `search_index` up to date with a newly stored revision.
///
/// The current revision of a record is the winner among its heads (revisions no other
/// revision names as parent or as merged): the highest hybrid logical clock, then the highest
/// revision id. Every device applies the same rule to the same revisions, so all converge on
/// one winner. A refused revision of this device that the officer has since corrected is not
/// a head here (it never reached the server, so no other device counts it either).
pub(super) fn apply_to_state(tx: &Transaction<'_>, pos: i64, rev: &Revision) -> Result<()> {
    let current: Option<(i64, Uuid)> = tx
        .prepare_cached(
            "SELECT r.rowid, v.id FROM records r JOIN revisions v ON v.pos = r.head_pos WHERE r.record_id = ?1",
        )?
        .query_row([rev.record_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((rowid, head_id)) = current else {
        tx.prepare_cached(
            "INSERT INTO records (record_id, kind, operation_id, head_pos, title, author, occurred_ms,
                                  updated_ms, sector, revision_count, open_heads)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, 1)",
        )?
        .execute(params![
            rev.record_id,
            rev.kind.as_str(),
            rev.body.operation_id,
            pos,
            rev.body.body.title(),
            rev.author.as_str(),
            rev.body.occurred_at.timestamp_millis(),
            rev.recorded_at.timestamp_millis(),
            rev.body.sector,
        ])?;
        let rowid = tx.last_insert_rowid();
        index(tx, rowid)?;
        return Ok(());
    };

    // Fast path: an edit of the current revision (every local edit but a merge or correction).
    let (winner_pos, open_heads) = if rev.parent == Some(head_id) && rev.merges.is_none() {
        let open: i64 = tx
            .prepare_cached("SELECT open_heads FROM records WHERE rowid = ?1")?
            .query_row([rowid], |r| r.get(0))?;
        (pos, open)
    } else {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT v.pos, v.hlc, v.id FROM revisions v WHERE v.record_id = ?1 AND {HEAD}"
        ))?;
        let heads: Vec<(i64, Hlc, Uuid)> = stmt
            .query_map([rev.record_id], |r| Ok((r.get(0)?, Hlc::unpack(r.get(1)?), r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        // The rule every device and the server apply (evidence::winner).
        let won = crate::evidence::winner(heads.iter().map(|(_, hlc, id)| (*hlc, id)));
        let winner_pos = heads
            .iter()
            .find(|(_, _, id)| Some(id) == won)
            .map_or(pos, |(p, _, _)| *p);
        (winner_pos, heads.len().max(1) as i64)
    };
    let (title, occurred_ms, sector, operation_id, updated_ms): (String, i64, Option<String>, Option<Uuid>, i64) =
        if winner_pos == pos {
            (
                rev.body.body.title(),
                rev.body.occurred_at.timestamp_millis(),
                rev.body.sector.clone(),
                rev.body.operation_id,
                rev.recorded_at.timestamp_millis(),
            )
        } else {
            let (body, recorded): (String, i64) = tx
                .prepare_cached("SELECT body, recorded_ms FROM revisions WHERE pos = ?1")?
                .query_row([winner_pos], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let rec: Record = serde_json::from_str(&body).map_err(|e| crate::records::decode_error(&e))?;
            (
                rec.body.title(),
                rec.occurred_at.timestamp_millis(),
                rec.sector,
                rec.operation_id,
                recorded,
            )
        };
    unindex(tx, rowid)?;
    tx.prepare_cached(
        "UPDATE records SET head_pos = ?2, title = ?3, occurred_ms = ?4, sector = ?5, operation_id = ?6,
                updated_ms = ?7, revision_count = revision_count + 1, open_heads = ?8
         WHERE rowid = ?1",
    )?
    .execute(params![
        rowid,
        winner_pos,
        title,
        occurred_ms,
        sector,
        operation_id,
        updated_ms,
        open_heads
    ])?;
    index(tx, rowid)?;
    Ok(())
}

fn index(tx: &Transaction<'_>, rowid: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO search_index (rowid, title, text) SELECT rowid, title, text FROM search_source WHERE rowid = ?1",
    )?
    .execute([rowid])?;
    Ok(())
}

/// Removes a record's current text from the index. With an external-content FTS table the
/// exact indexed values must be given back, so they are read from the same view, before the
/// record's head moves.
pub(super) fn unindex(tx: &Transaction<'_>, rowid: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO search_index (search_index, rowid, title, text)
         SELECT 'delete', rowid, title, text FROM search_source WHERE rowid = ?1",
    )?
    .execute([rowid])?;
    Ok(())
}
