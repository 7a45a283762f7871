//! PostgreSQL storage, for a force-wide deployment: several server processes on one database
//! the force's DBAs already run. It gathers what the judge needs and inserts what the judge
//! accepts, exactly as the SQLite backend does (`held_for` there is the model); no rule is
//! decided here.
//!
//! Concurrency across processes, each piece a lock inside the transaction it protects:
//! - a device's pushes: its `devices` row is locked (`SELECT … FOR UPDATE`) first, so two
//!   processes cannot interleave one device's chain or its acknowledged head; the server's own
//!   chain (operations made from the command line or the console) likewise by its
//!   `server_identity` row;
//! - the pull position: revisions are inserted under a transaction-scoped advisory lock
//!   (`REVISION_ORDER`), so a position is never committed after a higher one and an exclusive
//!   cursor can never step over a revision still to commit;
//! - the server's audit chain: appended under another (`AUDIT_LOG`), so its ids stay gap-free.
//!
//! Locks are always taken in that order (device row, revision order, audit log), so they
//! cannot deadlock. A transaction that loses a race (a unique key taken meanwhile, a
//! serialization failure, a deadlock, a connection lost before commit) is run again whole,
//! a few times; nothing is half-written because nothing commits until the end.
//!
//! The [`Storage`] trait is synchronous (the API calls it from `spawn_blocking`). The async
//! client runs on a small runtime this storage owns; a call blocks the calling thread, never
//! a worker of that runtime.

use super::audit_postgres as audit;
use super::audit_sqlite::{action, ServerEntry};
use super::sqlite::{hash_or_zero, operation_revision, revocation, wire_size_bound, AFTER_REVISION, IS_HEAD};
use super::{
    AuditChainReport, AuditSubject, AuditTrail, DeviceAuth, NewOperation, Result, ReviewItem, RevocationReason,
    ServerChainReport, Storage, StorageError,
};
use crate::judge::{self, Binding, Held, Membership, Standing, Verdict};
use crate::visibility::Scope;
use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Transaction};
use liaison_core::audit::ChainedAuditEntry;
use liaison_core::evidence::ChainEntry;
use liaison_core::evidence::{ChainWalk, Hash, Hlc};
use liaison_core::records::{Record, RecordKind};
use liaison_core::retention::RetentionPolicy;
use liaison_core::sync::protocol::{
    AuditAck, EnrollResponse, PullResponse, PushResponse, Rejection, MAX_PULL_BYTES, MAX_PULL_LIMIT,
};
use liaison_core::{OfficerId, Revision};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::time::Duration;
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{NoTls, Row};
use uuid::Uuid;

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

/// The newest schema version this server knows (the highest `migrations/postgres/V*` file).
pub const SCHEMA_VERSION: i64 = 6;

/// Transaction-scoped advisory locks (`pg_advisory_xact_lock`), and the session lock held while
/// migrating. The keys spell "LIAISON" and a number, to stay clear of other applications'.
pub(super) mod lock {
    pub const REVISION_ORDER: i64 = 0x4c49_4149_534f_4e01;
    pub const AUDIT_LOG: i64 = 0x4c49_4149_534f_4e02;
    pub const MIGRATION: i64 = 0x4c49_4149_534f_4e03;
}

/// A PostgreSQL failure, as the admin reads it, and whether running the transaction again may
/// succeed.
#[derive(Debug, Clone)]
pub struct Failure {
    message: String,
    retry: bool,
    /// The connection died (a restart, a failover, an administrator's cut): the pool's idle
    /// connections are likely dead too.
    connection_lost: bool,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A failure for the admin, not worth retrying.
pub(super) fn failure(message: impl Into<String>) -> StorageError {
    StorageError::Postgres(Failure {
        message: message.into(),
        retry: false,
        connection_lost: false,
    })
}

/// An error and its causes, `a: b: c` (tokio-postgres says "error connecting to server" and
/// keeps the reason, "Connection refused", in its source).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out = format!("{out}: {text}");
        }
        source = cause.source();
    }
    out
}

/// A database error inside a transaction. Lost races and a connection lost before commit may
/// be retried; anything else is for the admin.
pub(super) fn pg(e: tokio_postgres::Error) -> StorageError {
    use tokio_postgres::error::SqlState;
    let connection_lost = e.is_closed()
        || e.code().is_some_and(|c| {
            // Class 08 (connection exception), and the server shutting down or starting up.
            c.code().starts_with("08")
                || *c == SqlState::ADMIN_SHUTDOWN
                || *c == SqlState::CRASH_SHUTDOWN
                || *c == SqlState::CANNOT_CONNECT_NOW
        });
    let retry = connection_lost
        || e.code().is_some_and(|c| {
            *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED
                || *c == SqlState::UNIQUE_VIOLATION
        });
    let detail = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => with_causes(&e),
    };
    StorageError::Postgres(Failure {
        message: format!(
            "failed ({detail}). Check that PostgreSQL is running and reachable from this server and that its role may \
             use the database; the server log has the details"
        ),
        retry,
        connection_lost,
    })
}

fn pool_error(e: deadpool_postgres::PoolError) -> StorageError {
    match e {
        // A new connection refused: during a restart or failover, worth a few more tries.
        deadpool_postgres::PoolError::Backend(e) => match pg(e) {
            StorageError::Postgres(mut f) => {
                f.retry = true;
                f.connection_lost = true;
                StorageError::Postgres(f)
            }
            other => other,
        },
        other => StorageError::Postgres(Failure {
            message: format!(
                "cannot give a connection ({other}). Check that PostgreSQL is running and accepts this server's \
                 connections (max_connections, pg_hba.conf)"
            ),
            retry: false,
            connection_lost: false,
        }),
    }
}

pub(super) fn get<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> Result<T> {
    row.try_get(i).map_err(pg)
}

pub(super) async fn query(tx: &Transaction<'_>, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
    let st = tx.prepare_cached(sql).await.map_err(pg)?;
    tx.query(&st, params).await.map_err(pg)
}

pub(super) async fn query_opt(tx: &Transaction<'_>, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
    let st = tx.prepare_cached(sql).await.map_err(pg)?;
    tx.query_opt(&st, params).await.map_err(pg)
}

pub(super) async fn query_one(tx: &Transaction<'_>, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row> {
    let st = tx.prepare_cached(sql).await.map_err(pg)?;
    tx.query_one(&st, params).await.map_err(pg)
}

pub(super) async fn execute(tx: &Transaction<'_>, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
    let st = tx.prepare_cached(sql).await.map_err(pg)?;
    tx.execute(&st, params).await.map_err(pg)
}

pub(super) async fn advisory_lock(tx: &Transaction<'_>, key: i64) -> Result<()> {
    execute(tx, "SELECT pg_advisory_xact_lock($1)", &[&key]).await?;
    Ok(())
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Where the database is, for messages: host, port and name, never the password.
fn describe(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{host}:{port}/{}",
        config.get_dbname().unwrap_or("(the user's database)")
    )
}

/// The PostgreSQL storage.
pub struct PostgresStorage {
    pool: Pool,
    /// Drives the client's connections. Taken out on drop and shut down in the background, so
    /// dropping the storage inside another runtime is safe.
    rt: Option<tokio::runtime::Runtime>,
    target: String,
}

impl Drop for PostgresStorage {
    fn drop(&mut self) {
        self.pool.close();
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl PostgresStorage {
    /// Connects to the database at `url` (`postgres://user[:password]@host[:port]/database`,
    /// or libpq's `key=value` form), brings its schema up to date (refusing a newer one), and
    /// keeps a pool of connections.
    pub fn open(url: &str) -> Result<PostgresStorage> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| {
            failure(format!(
                "address cannot be read ({e}): give --database postgres://USER@HOST:PORT/DATABASE"
            ))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let target = describe(&config);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("liaison-postgres")
            .enable_all()
            .build()
            .map_err(|e| failure(format!("client could not start: {e}")))?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(30)))
            .create_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(|e| failure(format!("connection pool could not be made: {e}")))?;
        let storage = PostgresStorage {
            pool,
            rt: Some(rt),
            target,
        };
        storage.run(|| storage.migrate(config))?;
        Ok(storage)
    }

    /// Where the database is (host:port/name), for logs.
    pub fn target(&self) -> &str {
        &self.target
    }

    async fn migrate(&self, config: tokio_postgres::Config) -> Result<()> {
        let unreachable = |e: tokio_postgres::Error| {
            failure(format!(
                "at {} cannot be reached ({}). Check --database, that PostgreSQL is running there, and that it \
                 accepts this server's connections (listen_addresses, pg_hba.conf, the role's password)",
                self.target,
                with_causes(&e)
            ))
        };
        let (mut client, connection) = config.connect(NoTls).await.map_err(unreachable)?;
        let driver = tokio::spawn(connection);
        // One process migrates at a time; the others wait, then find nothing to do.
        client
            .execute("SELECT pg_advisory_lock($1)", &[&lock::MIGRATION])
            .await
            .map_err(pg)?;
        let outcome = async {
            // (A query naming a table that does not exist fails as a whole: ask first.)
            let has_history: bool = client
                .query_one("SELECT to_regclass('refinery_schema_history') IS NOT NULL", &[])
                .await
                .map_err(pg)?
                .try_get(0)
                .map_err(pg)?;
            let found: Option<i64> = if has_history {
                client
                    .query_one("SELECT max(version)::bigint FROM refinery_schema_history", &[])
                    .await
                    .map_err(pg)?
                    .try_get(0)
                    .map_err(pg)?
            } else {
                None
            };
            if let Some(found) = found.filter(|v| *v > SCHEMA_VERSION) {
                return Err(StorageError::SchemaTooNew {
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            embedded::migrations::runner()
                .run_async(&mut client)
                .await
                .map_err(|e| failure(format!("at {} could not be migrated: {e}", self.target)))?;
            client
                .execute(
                    "INSERT INTO server_identity (singleton, device_id) VALUES (1, $1) ON CONFLICT DO NOTHING",
                    &[&Uuid::now_v7()],
                )
                .await
                .map_err(pg)?;
            Ok(())
        }
        .await;
        let _ = client
            .execute("SELECT pg_advisory_unlock($1)", &[&lock::MIGRATION])
            .await;
        drop(client);
        let _ = driver.await;
        outcome
    }

    /// Runs async work to completion on this storage's runtime, from a synchronous caller.
    pub(super) fn run<T: Send, F: Future<Output = T>>(&self, work: impl FnOnce() -> F + Send) -> T {
        let handle = self
            .rt
            .as_ref()
            .expect("the runtime lives as long as the storage")
            .handle();
        if tokio::runtime::Handle::try_current().is_ok() {
            // Called from a thread of some runtime (an async test, a blocking-pool thread):
            // block_on is refused there, so the work is driven from a thread of its own.
            std::thread::scope(|s| {
                s.spawn(|| handle.block_on(work()))
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))
            })
        } else {
            handle.block_on(work())
        }
    }

    /// Runs `once` again (a few times, after a short pause) while it fails in a way another try
    /// may not: a lost race, or a lost connection (then the pool's idle connections, likely
    /// dead too, are dropped so the next try connects afresh).
    async fn again<T>(&self, once: impl AsyncFn() -> Result<T>) -> Result<T> {
        let mut attempt = 0u32;
        loop {
            match once().await {
                Err(StorageError::Postgres(f)) if f.retry && attempt < 6 => {
                    attempt += 1;
                    tracing::debug!(attempt, error = %f, "PostgreSQL transaction failed: run again");
                    if f.connection_lost {
                        self.pool.retain(|_, _| false);
                    }
                    tokio::time::sleep(Duration::from_millis(5 << attempt)).await;
                }
                other => return other,
            }
        }
    }

    /// One read: a read-only transaction on one snapshot.
    pub(super) async fn read<T>(&self, f: impl AsyncFn(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.again(async || {
            let mut client = self.pool.get().await.map_err(pool_error)?;
            let tx = client
                .build_transaction()
                .read_only(true)
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .start()
                .await
                .map_err(pg)?;
            let out = f(&tx).await?;
            tx.commit().await.map_err(pg)?;
            Ok(out)
        })
        .await
    }

    /// One write transaction, run again when it lost a race or its connection before commit.
    pub(super) async fn write<T>(&self, f: impl AsyncFn(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.again(async || {
            let mut client = self.pool.get().await.map_err(pool_error)?;
            let tx = client.transaction().await.map_err(pg)?;
            let out = f(&tx).await?;
            // A commit whose answer was lost may have happened: never run again. (The
            // device's retry finds the revisions held.)
            tx.commit().await.map_err(|e| match pg(e) {
                StorageError::Postgres(mut f) => {
                    f.retry = false;
                    StorageError::Postgres(f)
                }
                other => other,
            })?;
            Ok(out)
        })
        .await
    }
}

/// A revision's columns, as [`revision_from_row`] reads them (the SQLite backend's order); a
/// query's further columns start at `AFTER_REVISION`.
pub(super) const REVISION_COLUMNS: &str = super::sqlite::REVISION_COLUMNS;

fn bad_row(column: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(format!("a stored revision's {column} cannot be read: {e}"))
}

pub(super) fn revision_from_row(r: &Row) -> Result<Revision> {
    let kind: String = get(r, 3)?;
    let author: String = get(r, 4)?;
    let body: String = get(r, 10)?;
    let hash = |i: usize, name: &str| -> Result<Hash> {
        Hash::from_slice(&get::<Vec<u8>>(r, i)?).ok_or_else(|| bad_row(name, "not 32 bytes"))
    };
    Ok(Revision {
        id: get(r, 0)?,
        record_id: get(r, 1)?,
        parent: get(r, 2)?,
        merges: get(r, 13)?,
        kind: RecordKind::parse(&kind).map_err(|e| bad_row("kind", e))?,
        author: OfficerId::new(author).map_err(|e| bad_row("author", e))?,
        device_id: get(r, 5)?,
        device_seq: get::<i64>(r, 6)? as u64,
        recorded_at: DateTime::from_timestamp_millis(get(r, 7)?).unwrap_or_default(),
        hlc: Hlc::unpack(get(r, 8)?),
        reason: get(r, 9)?,
        body: serde_json::from_str::<Record>(&body).map_err(|e| bad_row("body", e))?,
        prev_hash: hash(11, "prev_hash")?,
        hash: hash(12, "hash")?,
    })
}

async fn insert_revision(
    tx: &Transaction<'_>,
    rev: &Revision,
    body: &str,
    scope: Scope,
    received_ms: i64,
) -> Result<()> {
    execute(
        tx,
        "INSERT INTO revisions (id, record_id, parent_id, merge_id, kind, author, device_id, device_seq, recorded_ms,
                                hlc, reason, body, prev_hash, hash, scope, scope_operation, received_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        &[
            &rev.id,
            &rev.record_id,
            &rev.parent,
            &rev.merges,
            &rev.kind.as_str(),
            &rev.author.as_str(),
            &rev.device_id,
            &(rev.device_seq as i64),
            &rev.recorded_at.timestamp_millis(),
            &rev.hlc.pack(),
            &rev.reason,
            &body,
            &rev.prev_hash.0.as_slice(),
            &rev.hash.0.as_slice(),
            &scope.as_str(),
            &scope.operation(),
            &received_ms,
        ],
    )
    .await?;
    Ok(())
}

/// Stores a revision the judge accepted (or the server made), and binds its record when it
/// is the record's first.
async fn store_revision(
    tx: &Transaction<'_>,
    rev: &Revision,
    body: &str,
    scope: Scope,
    received_ms: i64,
    binds: bool,
) -> Result<()> {
    insert_revision(tx, rev, body, scope, received_ms).await?;
    if binds {
        bind_record(tx, rev, scope, &rev.author).await?;
    }
    Ok(())
}

/// Binds a record by its first revision: its kind, its scope and the officer it belongs to
/// (its author, or the officer the console gave it to).
pub(super) async fn bind_record(tx: &Transaction<'_>, rev: &Revision, scope: Scope, owner: &OfficerId) -> Result<()> {
    execute(
        tx,
        "INSERT INTO record_bindings (record_id, kind, scope, scope_operation, author) VALUES ($1, $2, $3, $4, $5)",
        &[
            &rev.record_id,
            &rev.kind.as_str(),
            &scope.as_str(),
            &scope.operation(),
            &owner.as_str(),
        ],
    )
    .await?;
    Ok(())
}

/// An officer's assignments changed: their devices' pull cursors start again.
pub(super) async fn bump_assignment_version(tx: &Transaction<'_>, officer: &str) -> Result<()> {
    execute(
        tx,
        "INSERT INTO officers (officer, assignment_version) VALUES ($1, 1)
         ON CONFLICT (officer) DO UPDATE SET assignment_version = officers.assignment_version + 1",
        &[&officer],
    )
    .await?;
    Ok(())
}

pub(super) async fn assign_in(tx: &Transaction<'_>, operation: Uuid, officer: &str) -> Result<()> {
    let inserted = execute(
        tx,
        "INSERT INTO assignments (operation_id, officer) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&operation, &officer],
    )
    .await?;
    if inserted > 0 {
        bump_assignment_version(tx, officer).await?;
    }
    Ok(())
}

/// What the server holds that bears on a batch, for the judge: the SQLite backend's
/// per-revision lookups (`held_for` there), asked for the whole batch at once (one round trip
/// instead of one per revision) and kept up to date with what this batch stores, so each
/// revision is judged against exactly what a revision-by-revision lookup would find.
#[derive(Default)]
struct HeldInBatch {
    /// By revision id: its hash and record (for the same-id check and a parent's record).
    by_id: HashMap<Uuid, (Hash, Uuid)>,
    /// By place in a device's chain: its prev_hash and hash.
    by_seq: HashMap<(Uuid, i64), (Hash, Hash)>,
    bindings: HashMap<Uuid, Binding>,
    memberships: HashMap<Uuid, Membership>,
    /// Stored earlier in this batch, for the supervisor's-part rule: the content of
    /// revisions of such kinds, and the revisions they follow (as parent or as merged).
    batch_bodies: HashMap<Uuid, liaison_core::records::Record>,
    batch_children: std::collections::HashSet<Uuid>,
}

impl HeldInBatch {
    async fn gather(tx: &Transaction<'_>, revisions: &[&Revision]) -> Result<HeldInBatch> {
        let mut ids: Vec<Uuid> = revisions.iter().map(|r| r.id).collect();
        ids.extend(revisions.iter().flat_map(|r| [r.parent, r.merges]).flatten());
        let (mut devices, mut seqs) = (Vec::new(), Vec::new());
        for r in revisions {
            for s in [r.device_seq as i64 - 1, r.device_seq as i64, r.device_seq as i64 + 1] {
                devices.push(r.device_id);
                seqs.push(s);
            }
        }
        let records: Vec<Uuid> = revisions.iter().map(|r| r.record_id).collect();
        let (by_id, by_seq, bindings) = tokio::try_join!(
            async {
                query(
                    tx,
                    "SELECT id, hash, record_id FROM revisions WHERE id = ANY($1)",
                    &[&ids],
                )
                .await
            },
            async {
                query(
                    tx,
                    "SELECT device_id, device_seq, prev_hash, hash FROM revisions
                     WHERE (device_id, device_seq) IN (SELECT * FROM unnest($1::uuid[], $2::bigint[]))",
                    &[&devices, &seqs],
                )
                .await
            },
            async {
                query(
                    tx,
                    "SELECT record_id, kind, scope, scope_operation, author FROM record_bindings
                     WHERE record_id = ANY($1)",
                    &[&records],
                )
                .await
            },
        )?;
        let mut held = HeldInBatch::default();
        for r in &by_id {
            held.by_id
                .insert(get(r, 0)?, (hash_or_zero(&get::<Vec<u8>>(r, 1)?), get(r, 2)?));
        }
        for r in &by_seq {
            held.by_seq.insert(
                (get(r, 0)?, get(r, 1)?),
                (
                    hash_or_zero(&get::<Vec<u8>>(r, 2)?),
                    hash_or_zero(&get::<Vec<u8>>(r, 3)?),
                ),
            );
        }
        for r in &bindings {
            let kind: String = get(r, 1)?;
            let name: String = get(r, 2)?;
            let kind = RecordKind::parse(&kind).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let scope = Scope::from_parts(&name, get(r, 3)?)
                .ok_or_else(|| StorageError::Corrupt(format!("a stored record binding has scope {name}")))?;
            held.bindings.insert(
                get(r, 0)?,
                Binding {
                    kind,
                    scope,
                    author: get(r, 4)?,
                },
            );
        }
        Ok(held)
    }

    /// What is held for one revision, as the judge takes it.
    async fn for_revision(
        &mut self,
        tx: &Transaction<'_>,
        device: &DeviceAuth,
        rev: &Revision,
        scope: Scope,
    ) -> Result<Held> {
        let mut held = Held {
            same_id: self.by_id.get(&rev.id).map(|(h, _)| *h),
            ..Held::default()
        };
        if held.same_id.is_some() {
            // The judge decides on that alone.
            return Ok(held);
        }
        let seq = rev.device_seq as i64;
        held.same_seq = self.by_seq.get(&(rev.device_id, seq)).map(|(_, h)| *h);
        held.before = self.by_seq.get(&(rev.device_id, seq - 1)).map(|(_, h)| *h);
        held.after = self.by_seq.get(&(rev.device_id, seq + 1)).map(|(p, _)| *p);
        held.binding = self.bindings.get(&rev.record_id).cloned();
        held.parent_record = rev.parent.and_then(|p| self.by_id.get(&p)).map(|(_, r)| *r);
        held.merge_record = rev.merges.and_then(|m| self.by_id.get(&m)).map(|(_, r)| *r);
        if let (Some(parent), true) = (rev.parent, rev.kind.has_supervisors_part()) {
            if let Some(body) = self.batch_bodies.get(&parent) {
                held.parent_body = Some(body.clone());
                held.parent_superseded = self.batch_children.contains(&parent);
            } else if let Some(r) = query_opt(
                tx,
                "SELECT body, EXISTS (SELECT 1 FROM revisions c WHERE c.parent_id = $1 OR c.merge_id = $1)
                 FROM revisions WHERE id = $1",
                &[&parent],
            )
            .await?
            {
                let body: String = get(&r, 0)?;
                held.parent_body = Some(serde_json::from_str(&body).map_err(|e| StorageError::Corrupt(e.to_string()))?);
                held.parent_superseded = get::<bool>(&r, 1)? || self.batch_children.contains(&parent);
            }
        }
        if let Some(op) = scope.operation() {
            held.membership = match self.memberships.get(&op) {
                Some(m) => *m,
                None => {
                    let r = query_one(
                        tx,
                        "SELECT EXISTS (SELECT 1 FROM operations WHERE id = $1),
                                EXISTS (SELECT 1 FROM assignments WHERE operation_id = $1 AND officer = $2)",
                        &[&op, &device.officer],
                    )
                    .await?;
                    let m = match (get::<bool>(&r, 0)?, get::<bool>(&r, 1)?) {
                        (false, _) => Membership::UnknownOperation,
                        (true, true) => Membership::Assigned,
                        (true, false) => Membership::NotAssigned,
                    };
                    self.memberships.insert(op, m);
                    m
                }
            };
        }
        Ok(held)
    }

    /// A revision this batch stores, as later revisions of the batch must see it.
    fn stored(&mut self, rev: &Revision, scope: Scope, binds: bool) {
        if rev.kind.has_supervisors_part() {
            self.batch_bodies.insert(rev.id, rev.body.clone());
        }
        self.batch_children
            .extend([rev.parent, rev.merges].into_iter().flatten());
        self.by_id.insert(rev.id, (rev.hash, rev.record_id));
        self.by_seq
            .insert((rev.device_id, rev.device_seq as i64), (rev.prev_hash, rev.hash));
        if binds {
            self.bindings.insert(rev.record_id, Binding::of(rev, scope));
        }
    }
}

/// Inserts the revisions a push stores (and the record bindings they make) in one statement
/// each, in the given order, which is their pull order.
pub(super) async fn insert_batch(
    tx: &Transaction<'_>,
    batch: &[(&Revision, &str, Scope, bool)],
    received_ms: i64,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = batch.iter().map(|b| b.0.id).collect();
    let records: Vec<Uuid> = batch.iter().map(|b| b.0.record_id).collect();
    let parents: Vec<Option<Uuid>> = batch.iter().map(|b| b.0.parent).collect();
    let merges: Vec<Option<Uuid>> = batch.iter().map(|b| b.0.merges).collect();
    let kinds: Vec<&str> = batch.iter().map(|b| b.0.kind.as_str()).collect();
    let authors: Vec<&str> = batch.iter().map(|b| b.0.author.as_str()).collect();
    let devices: Vec<Uuid> = batch.iter().map(|b| b.0.device_id).collect();
    let seqs: Vec<i64> = batch.iter().map(|b| b.0.device_seq as i64).collect();
    let recorded: Vec<i64> = batch.iter().map(|b| b.0.recorded_at.timestamp_millis()).collect();
    let hlcs: Vec<i64> = batch.iter().map(|b| b.0.hlc.pack()).collect();
    let reasons: Vec<Option<&str>> = batch.iter().map(|b| b.0.reason.as_deref()).collect();
    let bodies: Vec<&str> = batch.iter().map(|b| b.1).collect();
    let prevs: Vec<&[u8]> = batch.iter().map(|b| b.0.prev_hash.0.as_slice()).collect();
    let hashes: Vec<&[u8]> = batch.iter().map(|b| b.0.hash.0.as_slice()).collect();
    let scopes: Vec<&str> = batch.iter().map(|b| b.2.as_str()).collect();
    let scope_ops: Vec<Option<Uuid>> = batch.iter().map(|b| b.2.operation()).collect();
    execute(
        tx,
        "INSERT INTO revisions (id, record_id, parent_id, kind, author, device_id, device_seq, recorded_ms, hlc,
                                reason, body, prev_hash, hash, scope, scope_operation, merge_id, received_ms)
         SELECT id, record_id, parent_id, kind, author, device_id, device_seq, recorded_ms, hlc,
                reason, body, prev_hash, hash, scope, scope_operation, merge_id, $17
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::bigint[],
                     $8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::bytea[], $13::bytea[], $14::text[],
                     $15::uuid[], $16::uuid[])
              WITH ORDINALITY AS r (id, record_id, parent_id, kind, author, device_id, device_seq, recorded_ms, hlc,
                                    reason, body, prev_hash, hash, scope, scope_operation, merge_id, n)
         ORDER BY n",
        &[
            &ids,
            &records,
            &parents,
            &kinds,
            &authors,
            &devices,
            &seqs,
            &recorded,
            &hlcs,
            &reasons,
            &bodies,
            &prevs,
            &hashes,
            &scopes,
            &scope_ops,
            &merges,
            &received_ms,
        ],
    )
    .await?;
    let binding: Vec<&(&Revision, &str, Scope, bool)> = batch.iter().filter(|b| b.3).collect();
    if !binding.is_empty() {
        let records: Vec<Uuid> = binding.iter().map(|b| b.0.record_id).collect();
        let kinds: Vec<&str> = binding.iter().map(|b| b.0.kind.as_str()).collect();
        let scopes: Vec<&str> = binding.iter().map(|b| b.2.as_str()).collect();
        let scope_ops: Vec<Option<Uuid>> = binding.iter().map(|b| b.2.operation()).collect();
        let authors: Vec<&str> = binding.iter().map(|b| b.0.author.as_str()).collect();
        execute(
            tx,
            "INSERT INTO record_bindings (record_id, kind, scope, scope_operation, author)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[])",
            &[&records, &kinds, &scopes, &scope_ops, &authors],
        )
        .await?;
    }
    Ok(())
}

/// The device's standing as stored, read with its row locked for the rest of the transaction:
/// no other process can push for this device until this one commits.
async fn standing_of(tx: &Transaction<'_>, device_id: Uuid) -> Result<(Standing, i64)> {
    let row = query_opt(
        tx,
        "SELECT revoked_ms, revoked_reason, final_push_ms, acked_seq FROM devices WHERE device_id = $1 FOR UPDATE",
        &[&device_id],
    )
    .await?
    .ok_or(StorageError::UnknownToken)?;
    let revoked_ms: Option<i64> = get(&row, 0)?;
    let reason: Option<String> = get(&row, 1)?;
    let final_ms: Option<i64> = get(&row, 2)?;
    Ok((
        Standing {
            revoked: revoked_ms.map(|at| revocation(at, reason.as_deref())),
            final_push_began: final_ms.and_then(DateTime::from_timestamp_millis),
        },
        get(&row, 3)?,
    ))
}

/// Revokes a device inside `tx`, logged as `actor`'s act: the first revocation time stands;
/// the reason may only get stricter.
pub(super) async fn revoke_in(
    tx: &Transaction<'_>,
    device_id: Uuid,
    reason: RevocationReason,
    actor: &str,
) -> Result<()> {
    let n = execute(
        tx,
        "UPDATE devices SET
            revoked_reason = CASE WHEN revoked_ms IS NULL OR revoked_reason = 'retired' THEN $3
                                  ELSE revoked_reason END,
            revoked_ms = COALESCE(revoked_ms, $2)
         WHERE device_id = $1",
        &[&device_id, &now_ms(), &reason.as_str()],
    )
    .await?;
    if n == 0 {
        return Err(StorageError::UnknownDevice(device_id));
    }
    audit::log(
        tx,
        ServerEntry {
            actor,
            action: action::REVOCATION,
            device_id: Some(device_id),
            operation_id: None,
            records: vec![],
            detail: format!("device {device_id} revoked ({}): told to wipe itself", reason.as_str()),
            purpose: "revocation",
        },
    )
    .await?;
    Ok(())
}

async fn server_chain_id(tx: &Transaction<'_>) -> Result<Uuid> {
    get(&query_one(tx, "SELECT device_id FROM server_identity", &[]).await?, 0)
}

impl Storage for PostgresStorage {
    fn create_operation(&self, op: &NewOperation) -> Result<Uuid> {
        self.run(|| {
            self.write(async |tx| {
                // The server's own chain, one link at a time across processes.
                let device_id: Uuid = get(
                    &query_one(tx, "SELECT device_id FROM server_identity FOR UPDATE", &[]).await?,
                    0,
                )?;
                advisory_lock(tx, lock::REVISION_ORDER).await?;
                let head = query_opt(
                    tx,
                    "SELECT device_seq, hash, hlc FROM revisions WHERE device_id = $1 ORDER BY device_seq DESC LIMIT 1",
                    &[&device_id],
                )
                .await?
                .map(|r| -> Result<_> {
                    Ok((
                        get::<i64>(&r, 0)? as u64,
                        Hash::from_slice(&get::<Vec<u8>>(&r, 1)?).unwrap_or_default(),
                        Hlc::unpack(get(&r, 2)?),
                    ))
                })
                .transpose()?;
                let (rev, body) = operation_revision(op, device_id, head)?;
                let now = rev.recorded_at.timestamp_millis();
                execute(
                    tx,
                    "INSERT INTO operations (id, name, created_ms) VALUES ($1, $2, $3)",
                    &[&rev.id, &op.name, &now],
                )
                .await?;
                store_revision(tx, &rev, &body, Scope::Operation(rev.id), now, true).await?;
                Ok(rev.id)
            })
        })
    }

    fn assign(&self, operation: Uuid, officer: &str) -> Result<()> {
        let officer = OfficerId::new(officer).map_err(|e| StorageError::Invalid(e.to_string()))?;
        self.run(|| {
            self.write(async |tx| {
                let exists: bool = get(
                    &query_one(
                        tx,
                        "SELECT EXISTS (SELECT 1 FROM operations WHERE id = $1)",
                        &[&operation],
                    )
                    .await?,
                    0,
                )?;
                if !exists {
                    return Err(StorageError::UnknownOperation(operation));
                }
                assign_in(tx, operation, officer.as_str()).await
            })
        })
    }

    fn operations(&self) -> Result<Vec<(Uuid, String, Vec<String>)>> {
        self.run(|| {
            self.read(async |tx| {
                let rows = query(
                    tx,
                    "SELECT o.id, o.name,
                            ARRAY(SELECT officer FROM assignments a WHERE a.operation_id = o.id ORDER BY officer)
                     FROM operations o ORDER BY o.created_ms, o.id",
                    &[],
                )
                .await?;
                rows.iter().map(|r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?))).collect()
            })
        })
    }

    fn add_enrollment_code(&self, code_hash: &[u8], officer: &str, expires: DateTime<Utc>) -> Result<()> {
        let officer = OfficerId::new(officer).map_err(|e| StorageError::Invalid(e.to_string()))?;
        self.run(|| {
            self.write(async |tx| {
                execute(
                    tx,
                    "INSERT INTO enrollment_codes (code_hash, officer, issued_ms, expires_ms) VALUES ($1, $2, $3, $4)",
                    &[&code_hash, &officer.as_str(), &now_ms(), &expires.timestamp_millis()],
                )
                .await?;
                Ok(())
            })
        })
    }

    fn redeem_enrollment_code(&self, code_hash: &[u8], device_id: Uuid, token: &str) -> Result<EnrollResponse> {
        let token_hash = crate::auth::hash_secret(token);
        self.run(|| {
            self.write(async |tx| {
                let now = now_ms();
                let code = query_opt(
                    tx,
                    "SELECT officer, expires_ms, used_ms, used_by FROM enrollment_codes WHERE code_hash = $1 FOR UPDATE",
                    &[&code_hash],
                )
                .await?;
                let code = match code {
                    Some(r) => Some((
                        get::<String>(&r, 0)?,
                        get::<i64>(&r, 1)?,
                        get::<Option<i64>>(&r, 2)?,
                        get::<Option<Uuid>>(&r, 3)?,
                    )),
                    None => None,
                };
                let (officer, _, used_ms, used_by) = code
                    .filter(|(_, expires, _, _)| *expires > now)
                    .ok_or(StorageError::BadEnrollmentCode)?;
                // The same code from the same device soon after (the judge's rule): the answer
                // was lost on the way back. A fresh token replaces the one never received.
                let used = used_ms.and_then(DateTime::from_timestamp_millis).zip(used_by);
                let retry = match judge::redemption(used, device_id, Utc::now()) {
                    judge::Redemption::First => false,
                    judge::Redemption::Retry => true,
                    judge::Redemption::Spent => return Err(StorageError::BadEnrollmentCode),
                };
                if device_id == server_chain_id(tx).await? {
                    return Err(StorageError::DeviceTaken(device_id));
                }
                let held = query_opt(
                    tx,
                    "SELECT revoked_ms FROM devices WHERE device_id = $1 FOR UPDATE",
                    &[&device_id],
                )
                .await?;
                match held.map(|r| get::<Option<i64>>(&r, 0)).transpose()? {
                    Some(Some(_)) => return Err(StorageError::DeviceRevoked(device_id)),
                    Some(None) if !retry => return Err(StorageError::DeviceTaken(device_id)),
                    _ => {}
                }
                execute(
                    tx,
                    "UPDATE enrollment_codes SET used_ms = coalesce(used_ms, $2), used_by = $3 WHERE code_hash = $1",
                    &[&code_hash, &now, &device_id],
                )
                .await?;
                execute(
                    tx,
                    "INSERT INTO devices (device_id, officer, token_hash, enrolled_ms) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (device_id) DO UPDATE SET token_hash = $3",
                    &[&device_id, &officer, &token_hash, &now],
                )
                .await?;
                let detail = if retry {
                    format!(
                        "device {device_id} asked again with its code (the answer was lost): its token was replaced"
                    )
                } else {
                    format!("device {device_id} enrolled for {officer} with a one-time code")
                };
                audit::log(
                    tx,
                    ServerEntry {
                        actor: &officer,
                        action: action::ENROLLMENT,
                        device_id: Some(device_id),
                        operation_id: None,
                        records: vec![],
                        detail,
                        purpose: "enrollment",
                    },
                )
                .await?;
                Ok(EnrollResponse {
                    token: token.to_string(),
                    officer,
                    device_id,
                })
            })
        })
    }

    fn revoke_device(&self, device_id: Uuid, reason: RevocationReason) -> Result<()> {
        self.run(|| self.write(async |tx| revoke_in(tx, device_id, reason, "admin").await))
    }

    fn token_holder(&self, token_hash: &[u8]) -> Result<DeviceAuth> {
        self.run(|| {
            self.read(async |tx| {
                let row = query_opt(
                    tx,
                    "SELECT device_id, officer, revoked_ms, revoked_reason FROM devices WHERE token_hash = $1",
                    &[&token_hash],
                )
                .await?
                .ok_or(StorageError::UnknownToken)?;
                let revoked_ms: Option<i64> = get(&row, 2)?;
                let reason: Option<String> = get(&row, 3)?;
                Ok(DeviceAuth {
                    device_id: get(&row, 0)?,
                    officer: get(&row, 1)?,
                    revoked: revoked_ms.map(|at| revocation(at, reason.as_deref())),
                })
            })
        })
    }

    fn push(&self, device: &DeviceAuth, revisions: &[Revision], received_at: DateTime<Utc>) -> Result<PushResponse> {
        let received_ms = received_at.timestamp_millis();
        // The checks of each revision alone run before any lock, in parallel across pushes.
        let examined_on_arrival: Vec<_> = revisions
            .iter()
            .map(|r| judge::examine(device, r, received_at))
            .collect();
        self.run(|| {
            self.write(async |tx| {
                let (standing, mut acked) = standing_of(tx, device.device_id).await?;
                let final_push =
                    judge::standing(&standing, received_at).map_err(|judge::StandingRefusal::Revoked(r)| {
                        StorageError::Revoked {
                            at: r.at,
                            reason: r.reason,
                        }
                    })?;
                if let (Some(began), None) = (final_push, standing.final_push_began) {
                    execute(
                        tx,
                        "UPDATE devices SET final_push_ms = $2 WHERE device_id = $1",
                        &[&device.device_id, &began.timestamp_millis()],
                    )
                    .await?;
                }
                let re_examined;
                let examined = if standing.revoked != device.revoked {
                    // Revoked while this push was on its way: judged as the device now stands.
                    let now = DeviceAuth {
                        revoked: standing.revoked,
                        ..device.clone()
                    };
                    re_examined = revisions
                        .iter()
                        .map(|r| judge::examine(&now, r, received_at))
                        .collect::<Vec<_>>();
                    &re_examined
                } else {
                    &examined_on_arrival
                };
                let mut held = Vec::with_capacity(revisions.len());
                let mut rejected = Vec::new();
                let mut stored = 0u32;
                let mut collected: BTreeMap<Option<Uuid>, Vec<Uuid>> = BTreeMap::new();
                let judged: Vec<&Revision> = revisions
                    .iter()
                    .zip(examined)
                    .filter(|(_, e)| e.is_ok())
                    .map(|(r, _)| r)
                    .collect();
                let mut known = HeldInBatch::gather(tx, &judged).await?;
                let mut to_insert = Vec::new();
                for (rev, examined) in revisions.iter().zip(examined) {
                    let verdict = match examined {
                        Ok(ex) => {
                            let h = known.for_revision(tx, device, rev, ex.scope).await?;
                            judge::decide(rev, ex, &h)
                        }
                        Err(refusal) => Verdict::Refuse(refusal.clone()),
                    };
                    match verdict {
                        Verdict::Store {
                            registers_operation,
                            binds,
                        } => {
                            let Ok(ex) = examined else {
                                unreachable!("only an examined revision is stored")
                            };
                            if registers_operation {
                                // A new operation made on a tablet: its maker is its first member.
                                execute(
                                    tx,
                                    "INSERT INTO operations (id, name, created_ms) VALUES ($1, $2, $3)",
                                    &[&rev.record_id, &rev.body.body.title(), &received_ms],
                                )
                                .await?;
                                assign_in(tx, rev.record_id, &device.officer).await?;
                                known.memberships.insert(rev.record_id, Membership::Assigned);
                            }
                            known.stored(rev, ex.scope, binds);
                            to_insert.push((rev, ex.body.as_str(), ex.scope, binds));
                            held.push(rev.device_seq);
                            stored += 1;
                            collected.entry(ex.scope.operation()).or_default().push(rev.record_id);
                        }
                        Verdict::AlreadyHeld => held.push(rev.device_seq),
                        Verdict::Refuse(r) => rejected.push(Rejection {
                            revision_id: rev.id,
                            device_seq: rev.device_seq,
                            reason: r.reason,
                            message: r.message,
                        }),
                    }
                }
                if !to_insert.is_empty() {
                    // Positions in commit order: see the module doc.
                    advisory_lock(tx, lock::REVISION_ORDER).await?;
                    insert_batch(tx, &to_insert, received_ms).await?;
                }
                // The acknowledgement: the top of the gap-free run from 1.
                for row in query(
                    tx,
                    "SELECT device_seq FROM revisions WHERE device_id = $1 AND device_seq > $2 ORDER BY device_seq",
                    &[&device.device_id, &acked],
                )
                .await?
                {
                    let s: i64 = get(&row, 0)?;
                    if s != acked + 1 {
                        break;
                    }
                    acked = s;
                }
                execute(
                    tx,
                    "UPDATE devices SET acked_seq = $2 WHERE device_id = $1",
                    &[&device.device_id, &acked],
                )
                .await?;
                audit::log_sync(tx, device, action::COLLECTION, collected).await?;
                Ok(PushResponse {
                    acked_seq: acked as u64,
                    held,
                    stored,
                    rejected,
                    audit: None,
                })
            })
        })
    }

    fn pull(&self, device: &DeviceAuth, after: Option<&str>, limit: u32) -> Result<PullResponse> {
        let limit = limit.clamp(1, MAX_PULL_LIMIT);
        self.run(|| async {
            let (page, disclosed) = self
                .read(async |tx| {
                    let version: i64 = match query_opt(
                        tx,
                        "SELECT assignment_version FROM officers WHERE officer = $1",
                        &[&device.officer],
                    )
                    .await?
                    {
                        Some(r) => get(&r, 0)?,
                        None => 0,
                    };
                    // `<assignment version>.<position>`, as the SQLite backend: a change of the
                    // officer's assignments starts the device again from the beginning.
                    let after_pos = match after {
                        None | Some("") => 0,
                        Some(cur) => {
                            let (v, p) = cur
                                .split_once('.')
                                .and_then(|(v, p)| Some((v.parse::<i64>().ok()?, p.parse::<i64>().ok()?)))
                                .ok_or_else(|| StorageError::BadCursor(cur.chars().take(64).collect()))?;
                            if v == version {
                                p
                            } else {
                                0
                            }
                        }
                    };
                    let visible = crate::visibility::visible_sql("", "$3");
                    let rows = query(
                        tx,
                        &format!(
                            "SELECT {REVISION_COLUMNS}, pos, scope_operation FROM revisions
                             WHERE pos > $1 AND device_id != $2
                               AND {visible}
                             ORDER BY pos LIMIT $4"
                        ),
                        &[&after_pos, &device.device_id, &device.officer, &(i64::from(limit) + 1)],
                    )
                    .await?;
                    let mut revisions = Vec::new();
                    let mut disclosed: BTreeMap<Option<Uuid>, Vec<Uuid>> = BTreeMap::new();
                    let mut last = after_pos;
                    let mut more = false;
                    let mut bytes = 0usize;
                    let mut consumed = 0usize;
                    for row in &rows {
                        if revisions.len() == limit as usize {
                            more = true;
                            break;
                        }
                        consumed += 1;
                        let pos: i64 = get(row, AFTER_REVISION)?;
                        let rev = match revision_from_row(row) {
                            Ok(rev) => rev,
                            Err(e) => {
                                // One unreadable row must not stop every device's sync.
                                tracing::error!(pos, error = %e, "a stored revision cannot be read; skipped in pull (see verify)");
                                last = pos;
                                continue;
                            }
                        };
                        let size = wire_size_bound(&rev, get::<&str>(row, 10)?.len());
                        if !revisions.is_empty() && bytes + size > MAX_PULL_BYTES {
                            more = true;
                            break;
                        }
                        bytes += size;
                        disclosed
                            .entry(get(row, AFTER_REVISION + 1)?)
                            .or_default()
                            .push(rev.record_id);
                        revisions.push(rev);
                        last = pos;
                    }
                    // Rows skipped as unreadable used up the look-ahead row: more may be waiting.
                    more |= consumed > limit as usize;
                    let acked: i64 = match query_opt(
                        tx,
                        "SELECT acked_seq FROM devices WHERE device_id = $1",
                        &[&device.device_id],
                    )
                    .await?
                    {
                        Some(r) => get(&r, 0)?,
                        None => 0,
                    };
                    Ok((
                        PullResponse {
                            revisions,
                            next_cursor: format!("{version}.{last}"),
                            more,
                            acked_seq: acked as u64,
                        },
                        disclosed,
                    ))
                })
                .await?;
            // No disclosure without its entry: if the log cannot be written, the page is not sent.
            if !disclosed.is_empty() {
                self.write(async |tx| audit::log_sync(tx, device, action::DISCLOSURE, disclosed.clone()).await)
                    .await?;
            }
            Ok(page)
        })
    }

    fn device_chain(&self, device_id: Uuid) -> Result<Vec<ChainEntry>> {
        self.run(|| {
            self.read(async |tx| {
                query(
                    tx,
                    "SELECT device_seq, id, hash FROM revisions WHERE device_id = $1 ORDER BY device_seq",
                    &[&device_id],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(ChainEntry {
                        device_seq: get::<i64>(r, 0)? as u64,
                        revision_id: get(r, 1)?,
                        hash: Hash::from_slice(&get::<Vec<u8>>(r, 2)?)
                            .ok_or_else(|| bad_row("hash", "not 32 bytes"))?,
                    })
                })
                .collect()
            })
        })
    }

    fn media_sent_by(&self, device_id: Uuid) -> Result<Vec<(String, u64)>> {
        self.run(|| {
            self.read(async |tx| {
                let rows = query(
                    tx,
                    "SELECT m.sha256, MIN(m.size) FROM revision_media m JOIN revisions r ON r.pos = m.pos
                      WHERE r.device_id = $1 GROUP BY m.sha256 ORDER BY MIN(r.device_seq), m.sha256",
                    &[&device_id],
                )
                .await?;
                rows.iter()
                    .map(|r| Ok((get::<String>(r, 0)?, get::<i64>(r, 1)? as u64)))
                    .collect()
            })
        })
    }

    fn media_named_by(&self, device_id: Uuid, sha256: &str) -> Result<Option<u64>> {
        self.run(|| {
            self.read(async |tx| {
                let row = query_one(
                    tx,
                    "SELECT MIN(m.size) FROM revision_media m JOIN revisions r ON r.pos = m.pos
                      WHERE m.sha256 = $1 AND r.device_id = $2",
                    &[&sha256, &device_id],
                )
                .await?;
                Ok(get::<Option<i64>>(&row, 0)?.map(|s| s as u64))
            })
        })
    }

    fn media_visible_to(&self, device: &DeviceAuth, sha256: &str) -> Result<Option<u64>> {
        self.run(|| {
            self.read(async |tx| {
                let visible = crate::visibility::visible_sql("r.", "$3");
                let row = query_one(
                    tx,
                    &format!(
                        "SELECT MIN(m.size) FROM revision_media m JOIN revisions r ON r.pos = m.pos
                          WHERE m.sha256 = $1
                            AND (r.device_id = $2 OR {visible})"
                    ),
                    &[&sha256, &device.device_id, &device.officer],
                )
                .await?;
                Ok(get::<Option<i64>>(&row, 0)?.map(|s| s as u64))
            })
        })
    }

    fn received_at(&self, revision_id: Uuid) -> Result<Option<DateTime<Utc>>> {
        self.run(|| {
            self.read(async |tx| {
                let ms: Option<i64> = query_opt(tx, "SELECT received_ms FROM revisions WHERE id = $1", &[&revision_id])
                    .await?
                    .map(|r| get(&r, 0))
                    .transpose()?;
                Ok(ms.and_then(DateTime::from_timestamp_millis))
            })
        })
    }

    fn verify(&self) -> Result<ServerChainReport> {
        self.run(|| {
            self.read(async |tx| {
                // Read in pages by chain order, so a large database is not held in memory whole.
                let mut walk = ChainWalk::new(None);
                let mut from: (Uuid, i64) = (Uuid::nil(), 0);
                loop {
                    let rows = query(
                        tx,
                        &format!(
                            "SELECT {REVISION_COLUMNS}, pos FROM revisions WHERE (device_id, device_seq) > ($1, $2)
                             ORDER BY device_id, device_seq LIMIT 5000"
                        ),
                        &[&from.0, &from.1],
                    )
                    .await?;
                    let Some(last) = rows.last() else { break };
                    from = (get(last, 5)?, get(last, 6)?);
                    for row in &rows {
                        match revision_from_row(row) {
                            Ok(rev) => walk.push(&rev, get::<&str>(row, 10)?),
                            // The server's own position, as pull logs it when it skips the row.
                            Err(e) => walk.unreadable(get(row, AFTER_REVISION)?, e.to_string()),
                        }
                    }
                }
                let report = walk.finish();
                Ok(ServerChainReport {
                    devices: report.devices as u64,
                    revisions: report.revisions,
                    problems: report.problems.iter().map(ToString::to_string).collect(),
                })
            })
        })
    }

    fn current_revision(&self, record_id: Uuid) -> Result<Option<(Uuid, u32)>> {
        self.run(|| {
            self.read(async |tx| {
                let heads = query(
                    tx,
                    &format!("SELECT v.id, v.hlc FROM revisions v WHERE v.record_id = $1 AND {IS_HEAD}"),
                    &[&record_id],
                )
                .await?
                .iter()
                .map(|r| Ok((get::<Uuid>(r, 0)?, Hlc::unpack(get(r, 1)?))))
                .collect::<Result<Vec<_>>>()?;
                // The rule every device applies (evidence::winner).
                let won = liaison_core::evidence::winner(heads.iter().map(|(id, hlc)| (*hlc, id)));
                Ok(won.map(|w| (*w, heads.len() as u32)))
            })
        })
    }

    fn push_audit(
        &self,
        device: &DeviceAuth,
        entries: &[ChainedAuditEntry],
        received_at: DateTime<Utc>,
    ) -> Result<AuditAck> {
        self.run(|| {
            self.write(async |tx| {
                // The device's row lock orders its audit pushes across processes too.
                query_opt(
                    tx,
                    "SELECT 1 FROM devices WHERE device_id = $1 FOR UPDATE",
                    &[&device.device_id],
                )
                .await?;
                audit::push_audit(tx, device, entries, received_at.timestamp_millis()).await
            })
        })
    }

    fn flag_reviews_due(&self, policy: &RetentionPolicy, at: DateTime<Utc>, actor: &str) -> Result<Vec<ReviewItem>> {
        self.run(|| self.write(async |tx| audit::flag_reviews_due(tx, policy, at, actor).await))
    }

    fn review_flags(&self) -> Result<Vec<ReviewItem>> {
        self.run(|| self.read(async |tx| audit::review_flags(tx).await))
    }

    fn audit_trail(&self, subject: AuditSubject, actor: &str, purpose: &str) -> Result<AuditTrail> {
        self.run(|| async {
            let chains = self.read(async |tx| audit::verify_audit(tx).await).await?;
            let entries = self
                .write(async |tx| audit::audit_trail(tx, subject, actor, purpose).await)
                .await?;
            Ok(AuditTrail {
                subject,
                exported_at: Utc::now(),
                chains,
                entries,
            })
        })
    }

    fn verify_audit(&self) -> Result<AuditChainReport> {
        self.run(|| self.read(async |tx| audit::verify_audit(tx).await))
    }
}
