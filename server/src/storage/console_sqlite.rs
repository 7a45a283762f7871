//! [`ConsoleStore`] on the embedded SQLite database (schema version 5).

use super::audit_sqlite::{self, action, ServerEntry};
use super::console::{
    describe_own, heads_after, more_than_one, ConsoleStore, Contact, Credentials, Logged, NamingRevision, OwnChain,
    OwnRevision, StaffAccount, StaffChange, StoredSession,
};
use super::sqlite::{
    bind_record, revision_from_row, store_revision, SqliteStorage, AFTER_REVISION, IS_HEAD, REVISION_COLUMNS,
};
use super::{Result, RevocationReason, StorageError};
use crate::console::model::{DeviceView, OfficerEntry, ReviewDecision, ReviewDecisionView, Staff, StaffRole};
use crate::visibility::Scope;
use chrono::{DateTime, Utc};
use liaison_core::evidence::{Hash, Hlc, Revision};
use liaison_core::records::{Body, RecordKind};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// Version 5: the console. Staff and their sessions (by the hash of the cookie), the directory
/// of officers (in `officers`, which already keeps their assignment version), each tablet's
/// last contact, and review decisions.
/// Version 8: the debrief notes of operations (issue 13).
pub(super) const SCHEMA_V8: &str = "
CREATE TABLE debriefs (
    operation_id  BLOB PRIMARY KEY,
    notes         TEXT NOT NULL,      -- liaison_core::report::DebriefNotes as JSON
    by_staff      TEXT NOT NULL,
    at_ms         INTEGER NOT NULL
);
";

pub(super) const SCHEMA_V5: &str = "
CREATE TABLE staff (
    username        TEXT PRIMARY KEY COLLATE NOCASE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'gold', 'silver', 'bronze', 'supervisor', 'officer')),
    officer         TEXT,
    password_hash   TEXT NOT NULL,
    created_ms      INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER,
    disabled        INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE console_sessions (
    token_hash   BLOB PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES staff (username),
    created_ms   INTEGER NOT NULL,
    expires_ms   INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL
);
ALTER TABLE officers ADD COLUMN listed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE officers ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE officers ADD COLUMN rank TEXT NOT NULL DEFAULT '';
ALTER TABLE officers ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE officers ADD COLUMN team TEXT NOT NULL DEFAULT '';
ALTER TABLE officers ADD COLUMN supervisor TEXT;
ALTER TABLE devices ADD COLUMN last_contact_ms INTEGER;
ALTER TABLE devices ADD COLUMN app_version TEXT;
ALTER TABLE devices ADD COLUMN waiting INTEGER;
CREATE TABLE review_decisions (
    record_id BLOB    NOT NULL,
    review_ms INTEGER NOT NULL,
    decision  TEXT    NOT NULL CHECK (decision IN ('retain', 'erase', 'extend')),
    rationale TEXT    NOT NULL,
    by_staff  TEXT    NOT NULL,
    at_ms     INTEGER NOT NULL,
    PRIMARY KEY (record_id, review_ms)
);
CREATE INDEX revisions_by_scope ON revisions (scope_operation, pos);
-- The team of each operation's current revision, to know whom an edit takes off it.
CREATE TABLE operations_team (
    operation_id BLOB PRIMARY KEY REFERENCES operations (id),
    team         TEXT NOT NULL
);
";

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

const STAFF_COLUMNS: &str = "username, display_name, role, officer, created_ms, locked_until_ms, disabled";

fn staff_from_row(r: &Row<'_>) -> rusqlite::Result<Staff> {
    let role: String = r.get(2)?;
    Ok(Staff {
        username: r.get(0)?,
        display_name: r.get(1)?,
        role: StaffRole::parse(&role).ok_or(rusqlite::Error::InvalidColumnType(
            2,
            "role".into(),
            rusqlite::types::Type::Text,
        ))?,
        officer: r.get(3)?,
        created_at: at(r.get(4)?),
        locked_until: r.get::<_, Option<i64>>(5)?.map(at),
        disabled: r.get(6)?,
    })
}

fn log(
    tx: &Transaction<'_>,
    actor: &str,
    what: &str,
    operation: Option<Uuid>,
    detail: String,
    purpose: &str,
) -> Result<()> {
    audit_sqlite::log(
        tx,
        ServerEntry {
            actor,
            action: what,
            device_id: None,
            operation_id: operation,
            records: vec![],
            detail,
            purpose,
        },
    )?;
    Ok(())
}

/// Appends to the server's own chain inside `tx` (see [`ConsoleStore::append_own`]).
pub(crate) fn append_own_in(tx: &Transaction<'_>, revisions: &[OwnRevision], actor: &str) -> Result<Vec<Revision>> {
    let now = Utc::now();
    let now = at(ms(now));
    let device_id: Uuid = tx.query_row("SELECT device_id FROM server_identity", [], |r| r.get(0))?;
    let head: Option<(i64, Vec<u8>, i64)> = tx
        .query_row(
            "SELECT device_seq, hash, hlc FROM revisions WHERE device_id = ?1 ORDER BY device_seq DESC LIMIT 1",
            [device_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let head = head.map(|(s, h, c)| (s as u64, Hash::from_slice(&h).unwrap_or_default(), Hlc::unpack(c)));
    let mut chain = OwnChain::after(device_id, head, now);
    // A record's heads as the chain grows in this transaction.
    let mut current: HashMap<Uuid, Vec<(Uuid, Hlc)>> = HashMap::new();
    let mut out = Vec::with_capacity(revisions.len());
    for own in revisions {
        let mut heads = match current.remove(&own.record_id) {
            Some(h) => h,
            None => heads_in(tx, own.record_id)?,
        };
        let (rev, body) = chain.next(own, &heads)?;
        let scope = Scope::of(&rev);
        store_revision(tx, &rev, &body, scope, ms(now), false)?;
        if rev.parent.is_none() {
            bind_record(tx, &rev, scope, own.bound_to())?;
        }
        if let Body::Operation(op) = &rev.body.body {
            set_operation(tx, rev.record_id, &op.name, &op.team, now)?;
        }
        log(
            tx,
            actor,
            action::COLLECTION,
            scope.operation(),
            describe_own(&rev, actor),
            "console",
        )?;
        heads_after(&mut heads, &rev);
        current.insert(own.record_id, heads);
        out.push(rev);
    }
    Ok(out)
}

/// The operation's row and its assigned officers follow its record: the team as edited is
/// assigned; an officer taken off the team (and so off the previous revision's team) is no
/// longer assigned. Officers assigned from the command line stay.
fn set_operation(
    tx: &Transaction<'_>,
    id: Uuid,
    name: &str,
    team: &[liaison_core::records::TeamMember],
    now: DateTime<Utc>,
) -> Result<()> {
    let previous: Option<String> = tx
        .query_row("SELECT team FROM operations_team WHERE operation_id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    tx.execute(
        "INSERT INTO operations (id, name, created_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET name = ?2",
        params![id, name, ms(now)],
    )?;
    let before: BTreeSet<String> = previous
        .map(|t| serde_json::from_str(&t).unwrap_or_default())
        .unwrap_or_default();
    let after: BTreeSet<String> = team.iter().map(|m| m.officer.as_str().to_string()).collect();
    for officer in after.difference(&before) {
        super::sqlite::assign_in(tx, id, officer)?;
    }
    for officer in before.difference(&after) {
        let n = tx.execute(
            "DELETE FROM assignments WHERE operation_id = ?1 AND officer = ?2",
            params![id, officer],
        )?;
        if n > 0 {
            super::sqlite::bump_assignment_version(tx, officer)?;
        }
    }
    tx.execute(
        "INSERT INTO operations_team (operation_id, team) VALUES (?1, ?2)
         ON CONFLICT (operation_id) DO UPDATE SET team = ?2",
        params![id, serde_json::to_string(&after).unwrap_or_default()],
    )?;
    Ok(())
}

/// A record's heads and their clocks (none when the record is not held).
fn heads_in(c: &Connection, record_id: Uuid) -> Result<Vec<(Uuid, Hlc)>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT v.id, v.hlc FROM revisions v WHERE v.record_id = ?1 AND {IS_HEAD}"
    ))?;
    let heads = stmt
        .query_map([record_id], |r| Ok((r.get(0)?, Hlc::unpack(r.get(1)?))))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(heads)
}

/// A revision with its log position and receipt time, from a query's columns
/// `{REVISION_COLUMNS}, pos, received_ms`.
fn logged_from_row(r: &Row<'_>) -> rusqlite::Result<Logged> {
    Ok(Logged {
        revision: revision_from_row(r)?,
        position: r.get(AFTER_REVISION)?,
        received_at: at(r.get(AFTER_REVISION + 1)?),
    })
}

impl ConsoleStore for SqliteStorage {
    fn add_staff(&self, account: &StaffAccount, actor: &str) -> Result<Staff> {
        self.write(|tx| {
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM staff WHERE username = ?1)",
                [&account.username],
                |r| r.get(0),
            )?;
            if taken {
                return Err(StorageError::Conflict(format!(
                    "the username {} is taken",
                    account.username
                )));
            }
            tx.execute(
                "INSERT INTO staff (username, display_name, role, officer, password_hash, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    account.username,
                    account.display_name,
                    account.role.as_str(),
                    account.officer.as_ref().map(|o| o.as_str()),
                    account.password_hash,
                    ms(Utc::now())
                ],
            )?;
            log(
                tx,
                actor,
                action::STAFF,
                None,
                format!(
                    "staff account {} ({}) created with role {}",
                    account.username,
                    account.display_name,
                    account.role.as_str()
                ),
                "console",
            )?;
            Ok(tx.query_row(
                &format!("SELECT {STAFF_COLUMNS} FROM staff WHERE username = ?1"),
                [&account.username],
                staff_from_row,
            )?)
        })
    }

    fn update_staff(&self, username: &str, change: &StaffChange, actor: &str) -> Result<Staff> {
        self.write(|tx| {
            let before = tx
                .query_row(
                    &format!("SELECT {STAFF_COLUMNS} FROM staff WHERE username = ?1"),
                    [username],
                    staff_from_row,
                )
                .optional()?
                .ok_or_else(|| StorageError::Invalid(format!("no staff account {username}")))?;
            tx.execute(
                "UPDATE staff SET display_name = ?2, role = ?3, officer = ?4, disabled = ?5,
                                  password_hash = COALESCE(?6, password_hash),
                                  failed_attempts = CASE WHEN ?6 IS NULL THEN failed_attempts ELSE 0 END,
                                  locked_until_ms = CASE WHEN ?6 IS NULL THEN locked_until_ms ELSE NULL END
                 WHERE username = ?1",
                params![
                    before.username,
                    change.display_name,
                    change.role.as_str(),
                    change.officer.as_ref().map(|o| o.as_str()),
                    change.disabled,
                    change.password_hash
                ],
            )?;
            let ends_sessions = change.disabled || change.password_hash.is_some();
            if ends_sessions {
                tx.execute("DELETE FROM console_sessions WHERE username = ?1", [&before.username])?;
            }
            log(
                tx,
                actor,
                action::STAFF,
                None,
                super::console::describe_change(&before, change),
                "console",
            )?;
            Ok(tx.query_row(
                &format!("SELECT {STAFF_COLUMNS} FROM staff WHERE username = ?1"),
                [&before.username],
                staff_from_row,
            )?)
        })
    }

    fn staff(&self) -> Result<Vec<Staff>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!("SELECT {STAFF_COLUMNS} FROM staff ORDER BY username"))?;
            let rows = stmt.query_map([], staff_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {STAFF_COLUMNS}, password_hash, failed_attempts FROM staff WHERE username = ?1"),
                [username],
                |r| {
                    Ok(Credentials {
                        staff: staff_from_row(r)?,
                        password_hash: r.get(7)?,
                        failed_attempts: r.get(8)?,
                    })
                },
            )
            .optional()?)
        })
    }

    fn sign_in_failed(&self, username: &str, lock_until: Option<DateTime<Utc>>) -> Result<u32> {
        self.write(|tx| {
            let count: Option<u32> = tx
                .query_row(
                    // A lock that has run out starts the count again: five more in a row lock.
                    "UPDATE staff SET
                        failed_attempts = CASE WHEN locked_until_ms <= ?3 THEN 1 ELSE failed_attempts + 1 END,
                        locked_until_ms = CASE WHEN ?2 IS NOT NULL THEN ?2
                                               WHEN locked_until_ms <= ?3 THEN NULL
                                               ELSE locked_until_ms END
                     WHERE username = ?1 RETURNING failed_attempts",
                    params![username, lock_until.map(ms), ms(Utc::now())],
                    |r| r.get(0),
                )
                .optional()?;
            let detail = match (count, lock_until) {
                (None, _) => format!("sign-in refused: no account {username:?}"),
                (Some(n), Some(until)) => format!("wrong password for {username} ({n} in a row): locked until {until}"),
                (Some(n), None) => format!("wrong password for {username} ({n} in a row)"),
            };
            log(tx, username, action::SIGN_IN_FAILED, None, detail, "console")?;
            Ok(count.unwrap_or(0))
        })
    }

    fn sign_in(&self, username: &str, session_hash: &[u8], expires_at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            let now = ms(Utc::now());
            tx.execute(
                "UPDATE staff SET failed_attempts = 0, locked_until_ms = NULL WHERE username = ?1",
                [username],
            )?;
            tx.execute(
                "INSERT INTO console_sessions (token_hash, username, created_ms, expires_ms, last_seen_ms)
                 SELECT ?1, username, ?2, ?3, ?2 FROM staff WHERE username = ?4",
                params![session_hash, now, ms(expires_at), username],
            )?;
            // Sessions that ended long ago are of no use to anyone.
            tx.execute("DELETE FROM console_sessions WHERE expires_ms < ?1", [now - 86_400_000])?;
            log(
                tx,
                username,
                action::SIGN_IN,
                None,
                format!("{username} signed in"),
                "console",
            )
        })
    }

    fn session(&self, session_hash: &[u8]) -> Result<Option<StoredSession>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!(
                    "SELECT {}, s.created_ms, s.expires_ms, s.last_seen_ms FROM console_sessions s
                     JOIN staff t ON t.username = s.username WHERE s.token_hash = ?1",
                    STAFF_COLUMNS
                        .split(", ")
                        .map(|c| format!("t.{c}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                [session_hash],
                |r| {
                    Ok(StoredSession {
                        staff: staff_from_row(r)?,
                        created_at: at(r.get(7)?),
                        expires_at: at(r.get(8)?),
                        last_seen: at(r.get(9)?),
                    })
                },
            )
            .optional()?)
        })
    }

    fn touch_session(&self, session_hash: &[u8], when: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE console_sessions SET last_seen_ms = ?2 WHERE token_hash = ?1",
                params![session_hash, ms(when)],
            )?;
            Ok(())
        })
    }

    fn end_session(&self, session_hash: &[u8], actor: Option<&str>) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM console_sessions WHERE token_hash = ?1", [session_hash])?;
            if let Some(actor) = actor {
                log(
                    tx,
                    actor,
                    action::SIGN_OUT,
                    None,
                    format!("{actor} signed out"),
                    "console",
                )?;
            }
            Ok(())
        })
    }

    fn put_officer(&self, e: &OfficerEntry, actor: &str) -> Result<()> {
        self.write(|tx| {
            let before: Option<(String, Option<String>)> = tx
                .query_row(
                    "SELECT team, supervisor FROM officers WHERE officer = ?1 AND listed",
                    [&e.officer],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (before, supervisor_before) = before.unzip();
            tx.execute(
                "INSERT INTO officers (officer, listed, name, rank, role, team, supervisor)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (officer) DO UPDATE SET listed = 1, name = ?2, rank = ?3, role = ?4, team = ?5,
                                                     supervisor = ?6",
                params![e.officer, e.name, e.rank, e.role, e.team, e.supervisor],
            )?;
            // Who sees whose neighbourhood work follows the team: joining one sends the
            // devices of the officer and of the team they join back to the start of their pull
            // (the old team keeps what it has).
            // A new supervisor's tablet receives the officer's escalations from the start.
            if let Some(s) = e
                .supervisor
                .as_ref()
                .filter(|s| supervisor_before.flatten().as_ref() != Some(*s))
            {
                super::sqlite::bump_assignment_version(tx, s)?;
            }
            if before.as_deref() != Some(e.team.as_str()) {
                let touched: Vec<String> = tx
                    .prepare("SELECT officer FROM officers WHERE listed AND team <> '' AND team = ?1")?
                    .query_map(params![e.team], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for officer in touched.iter().chain(std::iter::once(&e.officer)) {
                    super::sqlite::bump_assignment_version(tx, officer)?;
                }
            }
            log(
                tx,
                actor,
                action::DIRECTORY,
                None,
                format!(
                    "officer {} ({}, {} {}, team {:?}) put in the directory",
                    e.officer, e.name, e.rank, e.role, e.team
                ),
                "console",
            )
        })
    }

    fn officer_directory(&self) -> Result<Vec<OfficerEntry>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT officer, name, rank, role, team, supervisor FROM officers WHERE listed = 1 ORDER BY officer",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(OfficerEntry {
                    officer: r.get(0)?,
                    name: r.get(1)?,
                    rank: r.get(2)?,
                    role: r.get(3)?,
                    team: r.get(4)?,
                    supervisor: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn append_own(&self, revisions: &[OwnRevision], actor: &str) -> Result<Vec<Revision>> {
        self.write(|tx| append_own_in(tx, revisions, actor))
    }

    fn operation_log(&self, operation: Uuid, after: i64, limit: u32) -> Result<Vec<Logged>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {REVISION_COLUMNS}, pos, received_ms FROM revisions
                 WHERE scope = 'operation' AND scope_operation = ?1 AND pos > ?2 ORDER BY pos LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![operation, after, limit], logged_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn log_position(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_row("SELECT COALESCE(MAX(pos), 0) FROM revisions", [], |r| r.get(0))?))
    }

    fn hand_over(&self, from: &str, to: &str, actor: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO handovers (from_officer, to_officer, by_staff, at_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (from_officer, to_officer) DO UPDATE SET by_staff = ?3, at_ms = ?4",
                params![from, to, actor, Utc::now().timestamp_millis()],
            )?;
            super::sqlite::bump_assignment_version(tx, to)?;
            log(
                tx,
                actor,
                action::DIRECTORY,
                None,
                format!("officer {to} named successor of {from}: sees their neighbourhood and liaison work"),
                "console",
            )
        })
    }

    fn disclose(&self, actor: &str, operation: Option<Uuid>, detail: &str, purpose: &str) -> Result<()> {
        self.write(|tx| log(tx, actor, action::DISCLOSURE, operation, detail.to_string(), purpose))
    }

    fn debrief_notes(&self, operation: Uuid) -> Result<Option<liaison_core::report::DebriefNotes>> {
        self.read(|c| {
            let json: Option<String> = c
                .prepare_cached("SELECT notes FROM debriefs WHERE operation_id = ?1")?
                .query_row([operation], |r| r.get(0))
                .optional()?;
            json.map(|j| serde_json::from_str(&j).map_err(|e| StorageError::Corrupt(e.to_string())))
                .transpose()
        })
    }

    fn put_debrief_notes(
        &self,
        operation: Uuid,
        notes: &liaison_core::report::DebriefNotes,
        actor: &str,
        what: &str,
    ) -> Result<()> {
        let json = serde_json::to_string(notes).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO debriefs (operation_id, notes, by_staff, at_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (operation_id) DO UPDATE SET notes = ?2, by_staff = ?3, at_ms = ?4",
                params![operation, json, actor, Utc::now().timestamp_millis()],
            )?;
            log(tx, actor, action::DEBRIEF, Some(operation), what.to_string(), "console")
        })
    }

    fn handovers(&self) -> Result<Vec<crate::console::model::Handover>> {
        self.read(|c| {
            let mut stmt =
                c.prepare("SELECT from_officer, to_officer, by_staff, at_ms FROM handovers ORDER BY at_ms DESC")?;
            let rows = stmt.query_map([], |r| {
                Ok(crate::console::model::Handover {
                    from: r.get(0)?,
                    to: r.get(1)?,
                    by: r.get(2)?,
                    at: at(r.get(3)?),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn record_author(&self, record: Uuid) -> Result<Option<String>> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT author FROM record_bindings WHERE record_id = ?1")?
                    .query_row([record], |r| r.get(0))
                    .optional()?,
            )
        })
    }

    fn revisions_naming(&self, sha256: &str) -> Result<Vec<NamingRevision>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {REVISION_COLUMNS}, scope, scope_operation,
                        (SELECT b.author FROM record_bindings b WHERE b.record_id = revisions.record_id)
                   FROM revisions
                  WHERE pos IN (SELECT pos FROM revision_media WHERE sha256 = ?1)
                  ORDER BY pos"
            ))?;
            let rows = stmt.query_map([sha256], |r| {
                Ok((
                    revision_from_row(r)?,
                    r.get::<_, String>(AFTER_REVISION)?,
                    r.get::<_, Option<Uuid>>(AFTER_REVISION + 1)?,
                    r.get::<_, Option<String>>(AFTER_REVISION + 2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (revision, name, operation, bound_to) = row?;
                let scope = Scope::from_parts(&name, operation)
                    .ok_or_else(|| StorageError::Corrupt(format!("a stored revision has scope {name}")))?;
                let bound_to = bound_to.unwrap_or_else(|| revision.author.to_string());
                out.push(NamingRevision {
                    revision,
                    scope,
                    bound_to,
                });
            }
            Ok(out)
        })
    }

    fn kind_log(&self, kind: RecordKind, after: i64, limit: u32) -> Result<Vec<Logged>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {REVISION_COLUMNS}, pos, received_ms FROM revisions
                 WHERE kind = ?1 AND pos > ?2 ORDER BY pos LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![kind.as_str(), after, limit], logged_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn open_heads(&self) -> Result<Vec<Logged>> {
        self.read(|c| {
            // A record with two heads has a revision two others name as parent (their paths
            // back to its first revision meet there): only those records are looked at.
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {REVISION_COLUMNS}, pos, received_ms FROM revisions v
                 WHERE v.record_id IN (SELECT record_id FROM revisions WHERE parent_id IS NOT NULL
                                       GROUP BY record_id, parent_id HAVING count(*) > 1)
                   AND {IS_HEAD}
                 ORDER BY v.pos"
            ))?;
            let heads: Vec<Logged> = stmt.query_map([], logged_from_row)?.collect::<rusqlite::Result<_>>()?;
            Ok(more_than_one(heads))
        })
    }

    fn record_heads(&self, record: Uuid) -> Result<Vec<Logged>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {REVISION_COLUMNS}, pos, received_ms FROM revisions v
                 WHERE v.record_id = ?1 AND {IS_HEAD} ORDER BY v.pos"
            ))?;
            let rows = stmt.query_map([record], logged_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn devices(&self) -> Result<Vec<DeviceView>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT device_id, officer, enrolled_ms, last_contact_ms, waiting, app_version, revoked_ms, revoked_reason
                 FROM devices ORDER BY officer, enrolled_ms",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(DeviceView {
                    device_id: r.get(0)?,
                    officer: r.get(1)?,
                    enrolled_at: at(r.get(2)?),
                    last_contact: r.get::<_, Option<i64>>(3)?.map(at),
                    waiting: r.get(4)?,
                    app_version: r.get(5)?,
                    revoked_at: r.get::<_, Option<i64>>(6)?.map(at),
                    revoked_reason: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn note_contact(&self, device_id: Uuid, contact: &Contact) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE devices SET last_contact_ms = ?2, app_version = COALESCE(?3, app_version),
                                    waiting = COALESCE(?4, waiting)
                 WHERE device_id = ?1",
                params![device_id, ms(contact.at), contact.app_version, contact.waiting],
            )?;
            Ok(())
        })
    }

    fn revoke_device_by(&self, device_id: Uuid, reason: RevocationReason, actor: &str) -> Result<()> {
        self.write(|tx| super::sqlite::revoke_in(tx, device_id, reason, actor))
    }

    fn decide_review(&self, record_id: Uuid, decision: &ReviewDecision, actor: &str) -> Result<ReviewDecisionView> {
        self.write(|tx| {
            let review_ms: Option<i64> = tx
                .query_row(
                    "SELECT MAX(review_ms) FROM review_flags WHERE record_id = ?1",
                    [record_id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let review_ms = review_ms.ok_or_else(|| {
                StorageError::Invalid(format!("record {record_id} is not flagged for review"))
            })?;
            let now = Utc::now();
            tx.execute(
                "INSERT INTO review_decisions (record_id, review_ms, decision, rationale, by_staff, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (record_id, review_ms) DO UPDATE SET decision = ?3, rationale = ?4, by_staff = ?5, at_ms = ?6",
                params![record_id, review_ms, decision.decision, decision.rationale, actor, ms(now)],
            )?;
            audit_sqlite::log(
                tx,
                ServerEntry {
                    actor,
                    action: action::REVIEW_DECISION,
                    device_id: None,
                    operation_id: None,
                    records: vec![record_id],
                    detail: format!("review of record {record_id}: {} ({})", decision.decision, decision.rationale),
                    purpose: "retention review",
                },
            )?;
            Ok(ReviewDecisionView {
                decision: decision.decision.clone(),
                rationale: decision.rationale.clone(),
                by: actor.to_string(),
                at: at(ms(now)),
            })
        })
    }

    fn review_decisions(&self) -> Result<Vec<(Uuid, ReviewDecisionView)>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT d.record_id, d.decision, d.rationale, d.by_staff, d.at_ms FROM review_decisions d
                 WHERE d.review_ms = (SELECT MAX(review_ms) FROM review_flags f WHERE f.record_id = d.record_id)",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    ReviewDecisionView {
                        decision: r.get(1)?,
                        rationale: r.get(2)?,
                        by: r.get(3)?,
                        at: at(r.get(4)?),
                    },
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn log_console(&self, actor: &str, what: &str, operation: Option<Uuid>, detail: &str, purpose: &str) -> Result<()> {
        self.write(|tx| log(tx, actor, what, operation, detail.to_string(), purpose))
    }
}
