//! [`ConsoleStore`] on PostgreSQL (migration `V2__console.sql`): the same behaviour as the
//! SQLite backend (`console_sqlite`, the model), inside [`PostgresStorage`]'s transactions and
//! under its locks. A username is one account whatever its case: it is looked up by
//! `lower(username)`, which a unique index keeps unique.
//!
//! The server's own chain is appended as `create_operation` does: its `server_identity` row is
//! locked first (one link at a time across processes), the revisions are inserted under the
//! revision-order lock (so pull positions commit in order) and logged under the audit lock.
//! An operation's team becomes its assignments before the revision-order lock is taken, as a
//! push assigns a tablet's new operation before it: the lock order stays the one
//! `postgres.rs` documents, and the records' heads are read again under the lock so a
//! device's edit committed meanwhile still makes this one stale (and a merge whose versions
//! are no longer both heads is refused).

use super::audit_postgres as audit;
use super::audit_sqlite::{action, time, ServerEntry};
use super::console::{
    describe_own, heads_after, more_than_one, stale, ConsoleStore, Contact, Credentials, Logged, NamingRevision,
    OwnChain, OwnRevision, StaffAccount, StaffChange, StoredSession,
};
use super::postgres::{
    advisory_lock, assign_in, bind_record, bump_assignment_version, execute, get, insert_batch, lock, query, query_one,
    query_opt, revision_from_row, revoke_in, PostgresStorage, REVISION_COLUMNS,
};
use super::sqlite::{AFTER_REVISION, IS_HEAD};
use super::{Result, RevocationReason, StorageError};
use crate::console::model::{DeviceView, OfficerEntry, ReviewDecision, ReviewDecisionView, Staff, StaffRole};
use crate::visibility::Scope;
use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use liaison_core::evidence::{Hash, Hlc, Revision};
use liaison_core::records::{Body, RecordKind, TeamMember};
use std::collections::{BTreeSet, HashMap};
use tokio_postgres::Row;
use uuid::Uuid;

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

const STAFF_COLUMNS: &str = "username, display_name, role, officer, created_ms, locked_until_ms, disabled";

/// The same columns of `staff` as `t` (joined with the sessions).
const STAFF_COLUMNS_T: &str =
    "t.username, t.display_name, t.role, t.officer, t.created_ms, t.locked_until_ms, t.disabled";

fn staff_from_row(r: &Row) -> Result<Staff> {
    let role: &str = get(r, 2)?;
    Ok(Staff {
        username: get(r, 0)?,
        display_name: get(r, 1)?,
        role: StaffRole::parse(role)
            .ok_or_else(|| StorageError::Corrupt(format!("a stored staff account has the role {role:?}")))?,
        officer: get(r, 3)?,
        created_at: time(get(r, 4)?),
        locked_until: get::<Option<i64>>(r, 5)?.map(time),
        disabled: get(r, 6)?,
    })
}

/// A count kept in a BIGINT, as the model's u32 (never negative; saturating, never failing).
fn count(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

async fn log(
    tx: &Transaction<'_>,
    actor: &str,
    what: &str,
    operation: Option<Uuid>,
    detail: String,
    purpose: &str,
) -> Result<()> {
    audit::log(
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
    )
    .await?;
    Ok(())
}

/// Each record's heads and their clocks, in id order (a record not held is absent).
async fn heads_of(tx: &Transaction<'_>, records: &[Uuid]) -> Result<HashMap<Uuid, Vec<(Uuid, Hlc)>>> {
    let rows = query(
        tx,
        &format!("SELECT v.record_id, v.id, v.hlc FROM revisions v WHERE v.record_id = ANY($1) AND {IS_HEAD}"),
        &[&records],
    )
    .await?;
    let mut heads: HashMap<Uuid, Vec<(Uuid, Hlc)>> = HashMap::new();
    for r in &rows {
        heads
            .entry(get(r, 0)?)
            .or_default()
            .push((get(r, 1)?, Hlc::unpack(get(r, 2)?)));
    }
    for h in heads.values_mut() {
        h.sort_by_key(|(id, _)| *id);
    }
    Ok(heads)
}

/// A revision with its log position and receipt time, from a query's columns
/// `{REVISION_COLUMNS}, pos, received_ms`.
fn logged_from_row(r: &Row) -> Result<Logged> {
    Ok(Logged {
        revision: revision_from_row(r)?,
        position: get(r, AFTER_REVISION)?,
        received_at: time(get(r, AFTER_REVISION + 1)?),
    })
}

/// Appends to the server's own chain inside `tx` (see [`ConsoleStore::append_own`]).
async fn append_own_in(tx: &Transaction<'_>, revisions: &[OwnRevision], actor: &str) -> Result<Vec<Revision>> {
    let now = time(ms(Utc::now()));
    // The server's own chain, one link at a time across processes (as create_operation).
    let device_id: Uuid = get(
        &query_one(tx, "SELECT device_id FROM server_identity FOR UPDATE", &[]).await?,
        0,
    )?;
    let head = query_opt(
        tx,
        "SELECT device_seq, hash, hlc FROM revisions WHERE device_id = $1 ORDER BY device_seq DESC LIMIT 1",
        &[&device_id],
    )
    .await?;
    let head = head
        .map(|r| {
            Ok::<_, StorageError>((
                get::<i64>(&r, 0)? as u64,
                Hash::from_slice(&get::<Vec<u8>>(&r, 1)?).unwrap_or_default(),
                Hlc::unpack(get(&r, 2)?),
            ))
        })
        .transpose()?;
    let mut chain = OwnChain::after(device_id, head, now);
    let mut records: Vec<Uuid> = revisions.iter().map(|r| r.record_id).collect();
    records.sort();
    records.dedup();
    // The records' heads as held before this batch, and as the chain grows in it.
    let read = heads_of(tx, &records).await?;
    let mut current: HashMap<Uuid, Vec<(Uuid, Hlc)>> = HashMap::new();
    let mut made: Vec<(Revision, String, Scope)> = Vec::with_capacity(revisions.len());
    for own in revisions {
        let mut heads = match current.remove(&own.record_id) {
            Some(h) => h,
            None => read.get(&own.record_id).cloned().unwrap_or_default(),
        };
        let (rev, body) = chain.next(own, &heads)?;
        if let Body::Operation(op) = &rev.body.body {
            set_operation(tx, rev.record_id, &op.name, &op.team, ms(now)).await?;
        }
        heads_after(&mut heads, &rev);
        current.insert(own.record_id, heads);
        let scope = Scope::of(&rev);
        made.push((rev, body, scope));
    }
    // Positions in commit order (see postgres.rs). Under this lock no push can store a
    // revision until this transaction ends: a record a device changed since it was read
    // above makes the edit stale, as it would have been had the device been first.
    advisory_lock(tx, lock::REVISION_ORDER).await?;
    let again = heads_of(tx, &records).await?;
    if let Some(record) = records.iter().find(|r| read.get(r) != again.get(r)) {
        return Err(stale(*record));
    }
    // Bound one by one below: a new record is bound to its owner, who may not be its author.
    let batch: Vec<(&Revision, &str, Scope, bool)> = made
        .iter()
        .map(|(rev, body, scope)| (rev, body.as_str(), *scope, false))
        .collect();
    insert_batch(tx, &batch, ms(now)).await?;
    for ((rev, _, scope), own) in made.iter().zip(revisions) {
        if rev.parent.is_none() {
            bind_record(tx, rev, *scope, own.bound_to()).await?;
        }
    }
    for (rev, _, scope) in &made {
        log(
            tx,
            actor,
            action::COLLECTION,
            scope.operation(),
            describe_own(rev, actor),
            "console",
        )
        .await?;
    }
    Ok(made.into_iter().map(|(rev, _, _)| rev).collect())
}

/// The operation's row and its assigned officers follow its record: the team as edited is
/// assigned; an officer taken off the team (and so off the previous revision's team) is no
/// longer assigned. Officers assigned from the command line stay.
async fn set_operation(tx: &Transaction<'_>, id: Uuid, name: &str, team: &[TeamMember], now_ms: i64) -> Result<()> {
    let previous: Option<Vec<String>> =
        query_opt(tx, "SELECT team FROM operations_team WHERE operation_id = $1", &[&id])
            .await?
            .map(|r| get(&r, 0))
            .transpose()?;
    execute(
        tx,
        "INSERT INTO operations (id, name, created_ms) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
        &[&id, &name, &now_ms],
    )
    .await?;
    let before: BTreeSet<String> = previous.unwrap_or_default().into_iter().collect();
    let after: BTreeSet<String> = team.iter().map(|m| m.officer.as_str().to_string()).collect();
    for officer in after.difference(&before) {
        assign_in(tx, id, officer).await?;
    }
    for officer in before.difference(&after) {
        let n = execute(
            tx,
            "DELETE FROM assignments WHERE operation_id = $1 AND officer = $2",
            &[&id, &officer],
        )
        .await?;
        if n > 0 {
            bump_assignment_version(tx, officer).await?;
        }
    }
    let team: Vec<&str> = after.iter().map(String::as_str).collect();
    execute(
        tx,
        "INSERT INTO operations_team (operation_id, team) VALUES ($1, $2)
         ON CONFLICT (operation_id) DO UPDATE SET team = EXCLUDED.team",
        &[&id, &team],
    )
    .await?;
    Ok(())
}

impl ConsoleStore for PostgresStorage {
    fn add_staff(&self, account: &StaffAccount, actor: &str) -> Result<Staff> {
        self.run(|| {
            self.write(async |tx| {
                // (Two processes adding the same name at once: the loser's insert breaks the
                // unique index, the transaction is run again and finds the name taken.)
                let taken: bool = get(
                    &query_one(
                        tx,
                        "SELECT EXISTS (SELECT 1 FROM staff WHERE lower(username) = lower($1))",
                        &[&account.username],
                    )
                    .await?,
                    0,
                )?;
                if taken {
                    return Err(StorageError::Conflict(format!(
                        "the username {} is taken",
                        account.username
                    )));
                }
                execute(
                    tx,
                    "INSERT INTO staff (username, display_name, role, officer, password_hash, created_ms)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &account.username,
                        &account.display_name,
                        &account.role.as_str(),
                        &account.officer.as_ref().map(|o| o.as_str()),
                        &account.password_hash,
                        &ms(Utc::now()),
                    ],
                )
                .await?;
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
                )
                .await?;
                staff_from_row(
                    &query_one(
                        tx,
                        &format!("SELECT {STAFF_COLUMNS} FROM staff WHERE username = $1"),
                        &[&account.username],
                    )
                    .await?,
                )
            })
        })
    }

    fn update_staff(&self, username: &str, change: &StaffChange, actor: &str) -> Result<Staff> {
        self.run(|| {
            self.write(async |tx| {
                let before = query_opt(
                    tx,
                    &format!("SELECT {STAFF_COLUMNS} FROM staff WHERE lower(username) = lower($1) FOR UPDATE"),
                    &[&username],
                )
                .await?
                .map(|r| staff_from_row(&r))
                .transpose()?
                .ok_or_else(|| StorageError::Invalid(format!("no staff account {username}")))?;
                execute(
                    tx,
                    "UPDATE staff SET display_name = $2, role = $3, officer = $4, disabled = $5,
                                      password_hash = COALESCE($6, password_hash),
                                      failed_attempts = CASE WHEN $6::TEXT IS NULL THEN failed_attempts ELSE 0 END,
                                      locked_until_ms = CASE WHEN $6::TEXT IS NULL THEN locked_until_ms ELSE NULL END
                     WHERE username = $1",
                    &[
                        &before.username,
                        &change.display_name,
                        &change.role.as_str(),
                        &change.officer.as_ref().map(|o| o.as_str()),
                        &change.disabled,
                        &change.password_hash,
                    ],
                )
                .await?;
                if change.disabled || change.password_hash.is_some() {
                    execute(
                        tx,
                        "DELETE FROM console_sessions WHERE username = $1",
                        &[&before.username],
                    )
                    .await?;
                }
                log(
                    tx,
                    actor,
                    action::STAFF,
                    None,
                    super::console::describe_change(&before, change),
                    "console",
                )
                .await?;
                staff_from_row(
                    &query_one(
                        tx,
                        &format!("SELECT {STAFF_COLUMNS} FROM staff WHERE username = $1"),
                        &[&before.username],
                    )
                    .await?,
                )
            })
        })
    }

    fn staff(&self) -> Result<Vec<Staff>> {
        self.run(|| {
            self.read(async |tx| {
                query(
                    tx,
                    // SQLite's NOCASE order.
                    &format!("SELECT {STAFF_COLUMNS} FROM staff ORDER BY lower(username) COLLATE \"C\""),
                    &[],
                )
                .await?
                .iter()
                .map(staff_from_row)
                .collect()
            })
        })
    }

    fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        self.run(|| {
            self.read(async |tx| {
                query_opt(
                    tx,
                    &format!(
                        "SELECT {STAFF_COLUMNS}, password_hash, failed_attempts FROM staff
                         WHERE lower(username) = lower($1)"
                    ),
                    &[&username],
                )
                .await?
                .map(|r| {
                    Ok(Credentials {
                        staff: staff_from_row(&r)?,
                        password_hash: get(&r, 7)?,
                        failed_attempts: count(get(&r, 8)?),
                    })
                })
                .transpose()
            })
        })
    }

    fn sign_in_failed(&self, username: &str, lock_until: Option<DateTime<Utc>>) -> Result<u32> {
        self.run(|| {
            self.write(async |tx| {
                let count: Option<u32> = query_opt(
                    tx,
                    // A lock that has run out starts the count again: five more in a row lock.
                    "UPDATE staff SET
                        failed_attempts = CASE WHEN locked_until_ms <= $3 THEN 1 ELSE failed_attempts + 1 END,
                        locked_until_ms = CASE WHEN $2::BIGINT IS NOT NULL THEN $2
                                               WHEN locked_until_ms <= $3 THEN NULL
                                               ELSE locked_until_ms END
                     WHERE lower(username) = lower($1) RETURNING failed_attempts",
                    &[&username, &lock_until.map(ms), &ms(Utc::now())],
                )
                .await?
                .map(|r| get(&r, 0).map(count))
                .transpose()?;
                let detail = match (count, lock_until) {
                    (None, _) => format!("sign-in refused: no account {username:?}"),
                    (Some(n), Some(until)) => {
                        format!("wrong password for {username} ({n} in a row): locked until {until}")
                    }
                    (Some(n), None) => format!("wrong password for {username} ({n} in a row)"),
                };
                log(tx, username, action::SIGN_IN_FAILED, None, detail, "console").await?;
                Ok(count.unwrap_or(0))
            })
        })
    }

    fn sign_in(&self, username: &str, session_hash: &[u8], expires_at: DateTime<Utc>) -> Result<()> {
        self.run(|| {
            self.write(async |tx| {
                let now = ms(Utc::now());
                execute(
                    tx,
                    "UPDATE staff SET failed_attempts = 0, locked_until_ms = NULL WHERE lower(username) = lower($1)",
                    &[&username],
                )
                .await?;
                execute(
                    tx,
                    "INSERT INTO console_sessions (token_hash, username, created_ms, expires_ms, last_seen_ms)
                     SELECT $1, username, $2, $3, $2 FROM staff WHERE lower(username) = lower($4)",
                    &[&session_hash, &now, &ms(expires_at), &username],
                )
                .await?;
                // Sessions that ended long ago are of no use to anyone.
                execute(
                    tx,
                    "DELETE FROM console_sessions WHERE expires_ms < $1",
                    &[&(now - 86_400_000)],
                )
                .await?;
                log(
                    tx,
                    username,
                    action::SIGN_IN,
                    None,
                    format!("{username} signed in"),
                    "console",
                )
                .await
            })
        })
    }

    fn session(&self, session_hash: &[u8]) -> Result<Option<StoredSession>> {
        self.run(|| {
            self.read(async |tx| {
                query_opt(
                    tx,
                    &format!(
                        "SELECT {STAFF_COLUMNS_T}, s.created_ms, s.expires_ms, s.last_seen_ms FROM console_sessions s
                         JOIN staff t ON t.username = s.username WHERE s.token_hash = $1"
                    ),
                    &[&session_hash],
                )
                .await?
                .map(|r| {
                    Ok(StoredSession {
                        staff: staff_from_row(&r)?,
                        created_at: time(get(&r, 7)?),
                        expires_at: time(get(&r, 8)?),
                        last_seen: time(get(&r, 9)?),
                    })
                })
                .transpose()
            })
        })
    }

    fn touch_session(&self, session_hash: &[u8], when: DateTime<Utc>) -> Result<()> {
        self.run(|| {
            self.write(async |tx| {
                execute(
                    tx,
                    "UPDATE console_sessions SET last_seen_ms = $2 WHERE token_hash = $1",
                    &[&session_hash, &ms(when)],
                )
                .await?;
                Ok(())
            })
        })
    }

    fn end_session(&self, session_hash: &[u8], actor: Option<&str>) -> Result<()> {
        self.run(|| {
            self.write(async |tx| {
                execute(
                    tx,
                    "DELETE FROM console_sessions WHERE token_hash = $1",
                    &[&session_hash],
                )
                .await?;
                if let Some(actor) = actor {
                    log(
                        tx,
                        actor,
                        action::SIGN_OUT,
                        None,
                        format!("{actor} signed out"),
                        "console",
                    )
                    .await?;
                }
                Ok(())
            })
        })
    }

    fn put_officer(&self, e: &OfficerEntry, actor: &str) -> Result<()> {
        self.run(|| {
            self.write(async |tx| {
                let before: Option<(String, Option<String>)> = query_opt(
                    tx,
                    "SELECT team, supervisor FROM officers WHERE officer = $1 AND listed FOR UPDATE",
                    &[&e.officer],
                )
                .await?
                .map(|r| Ok::<_, StorageError>((get(&r, 0)?, get(&r, 1)?)))
                .transpose()?;
                let (before, supervisor_before) = before.unzip();
                execute(
                    tx,
                    "INSERT INTO officers (officer, listed, name, rank, role, team, supervisor)
                     VALUES ($1, true, $2, $3, $4, $5, $6)
                     ON CONFLICT (officer) DO UPDATE SET listed = true, name = EXCLUDED.name, rank = EXCLUDED.rank,
                                                         role = EXCLUDED.role, team = EXCLUDED.team,
                                                         supervisor = EXCLUDED.supervisor",
                    &[&e.officer, &e.name, &e.rank, &e.role, &e.team, &e.supervisor],
                )
                .await?;
                // Who sees whose neighbourhood work follows the team: joining one sends the
                // devices of the officer and of the team they join back to the start of their
                // pull (the old team keeps what it has).
                // A new supervisor's tablet receives the officer's escalations from the start.
                if let Some(s) = e
                    .supervisor
                    .as_ref()
                    .filter(|s| supervisor_before.flatten().as_ref() != Some(*s))
                {
                    bump_assignment_version(tx, s).await?;
                }
                if before.as_deref() != Some(e.team.as_str()) {
                    let touched = query(
                        tx,
                        "SELECT officer FROM officers WHERE listed AND team <> '' AND team = $1",
                        &[&e.team],
                    )
                    .await?;
                    let mut officers: Vec<String> = touched.iter().map(|r| get(r, 0)).collect::<Result<_>>()?;
                    officers.push(e.officer.clone());
                    for officer in &officers {
                        bump_assignment_version(tx, officer).await?;
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
                .await
            })
        })
    }

    fn officer_directory(&self) -> Result<Vec<OfficerEntry>> {
        self.run(|| {
            self.read(async |tx| {
                query(
                    tx,
                    "SELECT officer, name, rank, role, team, supervisor FROM officers WHERE listed
                     ORDER BY officer COLLATE \"C\"",
                    &[],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(OfficerEntry {
                        officer: get(r, 0)?,
                        name: get(r, 1)?,
                        rank: get(r, 2)?,
                        role: get(r, 3)?,
                        team: get(r, 4)?,
                        supervisor: get(r, 5)?,
                    })
                })
                .collect()
            })
        })
    }

    fn append_own(&self, revisions: &[OwnRevision], actor: &str) -> Result<Vec<Revision>> {
        self.run(|| self.write(async |tx| append_own_in(tx, revisions, actor).await))
    }

    fn operation_log(&self, operation: Uuid, after: i64, limit: u32) -> Result<Vec<Logged>> {
        self.run(|| {
            self.read(async |tx| {
                query(
                    tx,
                    &format!(
                        "SELECT {REVISION_COLUMNS}, pos, received_ms FROM revisions
                         WHERE scope = 'operation' AND scope_operation = $1 AND pos > $2 ORDER BY pos LIMIT $3"
                    ),
                    &[&operation, &after, &i64::from(limit)],
                )
                .await?
                .iter()
                .map(logged_from_row)
                .collect()
            })
        })
    }

    fn hand_over(&self, from: &str, to: &str, actor: &str) -> Result<()> {
        self.run(|| {
            self.write(async |tx| {
                execute(
                    tx,
                    "INSERT INTO handovers (from_officer, to_officer, by_staff, at_ms) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (from_officer, to_officer) DO UPDATE SET by_staff = EXCLUDED.by_staff,
                                                                         at_ms = EXCLUDED.at_ms",
                    &[&from, &to, &actor, &Utc::now().timestamp_millis()],
                )
                .await?;
                bump_assignment_version(tx, to).await?;
                log(
                    tx,
                    actor,
                    action::DIRECTORY,
                    None,
                    format!("officer {to} named successor of {from}: sees their neighbourhood and liaison work"),
                    "console",
                )
                .await
            })
        })
    }

    fn disclose(&self, actor: &str, operation: Option<Uuid>, detail: &str, purpose: &str) -> Result<()> {
        self.run(|| {
            self.write(async |tx| log(tx, actor, action::DISCLOSURE, operation, detail.to_string(), purpose).await)
        })
    }

    fn debrief_notes(&self, operation: Uuid) -> Result<Option<liaison_core::report::DebriefNotes>> {
        self.run(|| {
            self.read(async |tx| {
                let row = query_opt(tx, "SELECT notes FROM debriefs WHERE operation_id = $1", &[&operation]).await?;
                row.map(|r| {
                    let json: String = get(&r, 0)?;
                    serde_json::from_str(&json).map_err(|e| StorageError::Corrupt(e.to_string()))
                })
                .transpose()
            })
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
        self.run(|| {
            self.write(async |tx| {
                execute(
                    tx,
                    "INSERT INTO debriefs (operation_id, notes, by_staff, at_ms) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (operation_id) DO UPDATE SET notes = EXCLUDED.notes, by_staff = EXCLUDED.by_staff,
                                                              at_ms = EXCLUDED.at_ms",
                    &[&operation, &json, &actor, &Utc::now().timestamp_millis()],
                )
                .await?;
                log(tx, actor, action::DEBRIEF, Some(operation), what.to_string(), "console").await
            })
        })
    }

    fn handovers(&self) -> Result<Vec<crate::console::model::Handover>> {
        self.run(|| {
            self.read(async |tx| {
                query(
                    tx,
                    "SELECT from_officer, to_officer, by_staff, at_ms FROM handovers ORDER BY at_ms DESC",
                    &[],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(crate::console::model::Handover {
                        from: get(r, 0)?,
                        to: get(r, 1)?,
                        by: get(r, 2)?,
                        at: time(get(r, 3)?),
                    })
                })
                .collect()
            })
        })
    }

    fn record_author(&self, record: Uuid) -> Result<Option<String>> {
        self.run(|| {
            self.read(async |tx| {
                query_opt(
                    tx,
                    "SELECT author FROM record_bindings WHERE record_id = $1",
                    &[&record],
                )
                .await?
                .map(|r| get(&r, 0))
                .transpose()
            })
        })
    }

    fn revisions_naming(&self, sha256: &str) -> Result<Vec<NamingRevision>> {
        self.run(|| {
            self.read(async |tx| {
                let rows = query(
                    tx,
                    &format!(
                        "SELECT {REVISION_COLUMNS}, scope, scope_operation,
                                (SELECT b.author FROM record_bindings b WHERE b.record_id = revisions.record_id)
                           FROM revisions
                          WHERE pos IN (SELECT pos FROM revision_media WHERE sha256 = $1)
                          ORDER BY pos"
                    ),
                    &[&sha256],
                )
                .await?;
                rows.iter()
                    .map(|r| {
                        let revision = revision_from_row(r)?;
                        let name: String = get(r, AFTER_REVISION)?;
                        let scope = Scope::from_parts(&name, get(r, AFTER_REVISION + 1)?)
                            .ok_or_else(|| StorageError::Corrupt(format!("a stored revision has scope {name}")))?;
                        let bound_to = get::<Option<String>>(r, AFTER_REVISION + 2)?
                            .unwrap_or_else(|| revision.author.to_string());
                        Ok(NamingRevision {
                            revision,
                            scope,
                            bound_to,
                        })
                    })
                    .collect()
            })
        })
    }

    fn kind_log(&self, kind: RecordKind, after: i64, limit: u32) -> Result<Vec<Logged>> {
        self.run(|| {
            self.read(async |tx| {
                query(
                    tx,
                    &format!(
                        "SELECT {REVISION_COLUMNS}, pos, received_ms FROM revisions
                         WHERE kind = $1 AND pos > $2 ORDER BY pos LIMIT $3"
                    ),
                    &[&kind.as_str(), &after, &i64::from(limit)],
                )
                .await?
                .iter()
                .map(logged_from_row)
                .collect()
            })
        })
    }

    fn open_heads(&self) -> Result<Vec<Logged>> {
        self.run(|| {
            self.read(async |tx| {
                // A record with two heads has a revision two others name as parent (their paths
                // back to its first revision meet there): only those records are looked at.
                let heads = query(
                    tx,
                    &format!(
                        "SELECT {REVISION_COLUMNS}, pos, received_ms FROM revisions v
                         WHERE v.record_id IN (SELECT record_id FROM revisions WHERE parent_id IS NOT NULL
                                               GROUP BY record_id, parent_id HAVING count(*) > 1)
                           AND {IS_HEAD}
                         ORDER BY v.pos"
                    ),
                    &[],
                )
                .await?
                .iter()
                .map(logged_from_row)
                .collect::<Result<Vec<_>>>()?;
                Ok(more_than_one(heads))
            })
        })
    }

    fn record_heads(&self, record: Uuid) -> Result<Vec<Logged>> {
        self.run(|| {
            self.read(async |tx| {
                query(
                    tx,
                    &format!(
                        "SELECT {REVISION_COLUMNS}, pos, received_ms FROM revisions v
                         WHERE v.record_id = $1 AND {IS_HEAD} ORDER BY v.pos"
                    ),
                    &[&record],
                )
                .await?
                .iter()
                .map(logged_from_row)
                .collect()
            })
        })
    }

    fn log_position(&self) -> Result<i64> {
        self.run(|| {
            self.read(async |tx| {
                get(
                    &query_one(tx, "SELECT COALESCE(max(pos), 0)::bigint FROM revisions", &[]).await?,
                    0,
                )
            })
        })
    }

    fn devices(&self) -> Result<Vec<DeviceView>> {
        self.run(|| {
            self.read(async |tx| {
                query(
                    tx,
                    "SELECT device_id, officer, enrolled_ms, last_contact_ms, waiting, app_version, revoked_ms,
                            revoked_reason
                     FROM devices ORDER BY officer COLLATE \"C\", enrolled_ms",
                    &[],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(DeviceView {
                        device_id: get(r, 0)?,
                        officer: get(r, 1)?,
                        enrolled_at: time(get(r, 2)?),
                        last_contact: get::<Option<i64>>(r, 3)?.map(time),
                        waiting: get::<Option<i64>>(r, 4)?.map(count),
                        app_version: get(r, 5)?,
                        revoked_at: get::<Option<i64>>(r, 6)?.map(time),
                        revoked_reason: get(r, 7)?,
                    })
                })
                .collect()
            })
        })
    }

    fn note_contact(&self, device_id: Uuid, contact: &Contact) -> Result<()> {
        // Only this row, under no other lock: it runs after the sync it notes has committed.
        self.run(|| {
            self.write(async |tx| {
                execute(
                    tx,
                    "UPDATE devices SET last_contact_ms = $2, app_version = COALESCE($3, app_version),
                                        waiting = COALESCE($4, waiting)
                     WHERE device_id = $1",
                    &[
                        &device_id,
                        &ms(contact.at),
                        &contact.app_version,
                        &contact.waiting.map(i64::from),
                    ],
                )
                .await?;
                Ok(())
            })
        })
    }

    fn revoke_device_by(&self, device_id: Uuid, reason: RevocationReason, actor: &str) -> Result<()> {
        self.run(|| self.write(async |tx| revoke_in(tx, device_id, reason, actor).await))
    }

    fn decide_review(&self, record_id: Uuid, decision: &ReviewDecision, actor: &str) -> Result<ReviewDecisionView> {
        self.run(|| {
            self.write(async |tx| {
                let review_ms: Option<i64> = get(
                    &query_one(
                        tx,
                        "SELECT max(review_ms) FROM review_flags WHERE record_id = $1",
                        &[&record_id],
                    )
                    .await?,
                    0,
                )?;
                let review_ms = review_ms
                    .ok_or_else(|| StorageError::Invalid(format!("record {record_id} is not flagged for review")))?;
                let now = time(ms(Utc::now()));
                execute(
                    tx,
                    "INSERT INTO review_decisions (record_id, review_ms, decision, rationale, by_staff, at_ms)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (record_id, review_ms) DO UPDATE SET decision = EXCLUDED.decision,
                         rationale = EXCLUDED.rationale, by_staff = EXCLUDED.by_staff, at_ms = EXCLUDED.at_ms",
                    &[
                        &record_id,
                        &review_ms,
                        &decision.decision,
                        &decision.rationale,
                        &actor,
                        &ms(now),
                    ],
                )
                .await?;
                audit::log(
                    tx,
                    ServerEntry {
                        actor,
                        action: action::REVIEW_DECISION,
                        device_id: None,
                        operation_id: None,
                        records: vec![record_id],
                        detail: format!(
                            "review of record {record_id}: {} ({})",
                            decision.decision, decision.rationale
                        ),
                        purpose: "retention review",
                    },
                )
                .await?;
                Ok(ReviewDecisionView {
                    decision: decision.decision.clone(),
                    rationale: decision.rationale.clone(),
                    by: actor.to_string(),
                    at: now,
                })
            })
        })
    }

    fn review_decisions(&self) -> Result<Vec<(Uuid, ReviewDecisionView)>> {
        self.run(|| {
            self.read(async |tx| {
                query(
                    tx,
                    "SELECT d.record_id, d.decision, d.rationale, d.by_staff, d.at_ms FROM review_decisions d
                     WHERE d.review_ms = (SELECT max(review_ms) FROM review_flags f WHERE f.record_id = d.record_id)",
                    &[],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        get(r, 0)?,
                        ReviewDecisionView {
                            decision: get(r, 1)?,
                            rationale: get(r, 2)?,
                            by: get(r, 3)?,
                            at: time(get(r, 4)?),
                        },
                    ))
                })
                .collect()
            })
        })
    }

    fn log_console(&self, actor: &str, what: &str, operation: Option<Uuid>, detail: &str, purpose: &str) -> Result<()> {
        self.run(|| self.write(async |tx| log(tx, actor, what, operation, detail.to_string(), purpose).await))
    }
}
