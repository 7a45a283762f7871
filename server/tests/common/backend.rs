//! Which storage backend a test runs on, and a throwaway database for it.
//!
//! Suites wrap their tests in [`each_backend!`](crate::each_backend), which makes a `sqlite`
//! and a `postgres` copy of each. The PostgreSQL copy finds the server from
//! `LIAISON_TEST_POSTGRES` (a URL or libpq `key=value` string) or the standard `PG*` variables
//! (as `pg_virtualenv` exports them), and gives every test a database of its own, dropped at
//! the end, so tests run in parallel. Without a reachable server it prints that it was
//! skipped; with `CI=true` it fails instead.

use liaison_server::storage::Storage;
use liaison_server::{PostgresStorage, SqliteStorage};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

tokio::task_local! {
    /// The backend of the running test (SQLite when unset).
    pub static BACKEND: Backend;
}

pub fn backend() -> Backend {
    BACKEND.try_with(|b| *b).unwrap_or(Backend::Sqlite)
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The PostgreSQL server for tests, as a connection string, if one is configured.
fn postgres_server() -> Option<String> {
    if let Some(url) = std::env::var("LIAISON_TEST_POSTGRES").ok().filter(|u| !u.is_empty()) {
        return Some(url);
    }
    let vars = [
        ("PGHOST", "host"),
        ("PGPORT", "port"),
        ("PGUSER", "user"),
        ("PGPASSWORD", "password"),
        ("PGDATABASE", "dbname"),
    ];
    if std::env::var("PGHOST").is_err() && std::env::var("PGPORT").is_err() {
        return None;
    }
    let quote = |v: String| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"));
    Some(
        vars.iter()
            .filter_map(|(var, key)| std::env::var(var).ok().map(|v| format!("{key}={}", quote(v))))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The same server, another database.
fn with_dbname(server: &str, name: &str) -> String {
    for scheme in ["postgres://", "postgresql://"] {
        if let Some(rest) = server.strip_prefix(scheme) {
            let (base, query) = rest.split_once('?').map_or((rest, ""), |(b, q)| (b, q));
            let authority = base.split_once('/').map_or(base, |(a, _)| a);
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            return format!("{scheme}{authority}/{name}{query}");
        }
    }
    format!("{server} dbname='{name}'")
}

/// Runs SQL on the server with the simple protocol (from any thread, inside a runtime or not)
/// and returns each row's columns as text.
pub fn simple_sql(conninfo: &str, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    let (conninfo, sql) = (conninfo.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async move {
            let mut config: tokio_postgres::Config = conninfo.parse().map_err(|e| format!("{e}"))?;
            config.connect_timeout(std::time::Duration::from_secs(5));
            let (client, connection) = config.connect(tokio_postgres::NoTls).await.map_err(|e| e.to_string())?;
            let driver = tokio::spawn(connection);
            let out = client.simple_query(&sql).await.map_err(|e| e.to_string())?;
            drop(client);
            let _ = driver.await;
            Ok(out
                .into_iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => {
                        Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                    }
                    _ => None,
                })
                .collect())
        })
    })
    .join()
    .unwrap()
}

/// Whether PostgreSQL tests can run; prints that `test` was skipped when not (fails in CI).
pub fn postgres_reachable(test: &str) -> bool {
    let why = match postgres_server() {
        None => "no PostgreSQL configured (set PGHOST/PGPORT… or LIAISON_TEST_POSTGRES)".to_string(),
        Some(server) => match simple_sql(&server, "SELECT 1") {
            Ok(_) => return true,
            Err(e) => format!("PostgreSQL not reachable: {e}"),
        },
    };
    assert!(
        !in_ci(),
        "{test} on PostgreSQL: {why} (CI=true: PostgreSQL tests must run)"
    );
    // Straight to stderr, past the test harness's capture, so the skip is seen.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped {test} on PostgreSQL: {why}");
    false
}

/// A database of its own for one test, dropped with it.
pub struct PgDatabase {
    server: String,
    pub name: String,
    /// How to reach it: pass to `PostgresStorage::open` or `--database`.
    pub url: String,
}

impl PgDatabase {
    pub fn create() -> PgDatabase {
        let server = postgres_server().expect("PostgreSQL is configured (checked by postgres_reachable)");
        let name = format!("liaison_test_{}", uuid::Uuid::now_v7().simple());
        simple_sql(&server, &format!("CREATE DATABASE {name}")).expect("a test database can be made");
        let url = with_dbname(&server, &name);
        PgDatabase { server, name, url }
    }

    /// Runs SQL in this database.
    pub fn sql(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        simple_sql(&self.url, sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Runs SQL in the server's maintenance database (to copy or drop this one).
    pub fn server_sql(&self, sql: &str) {
        simple_sql(&self.server, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// As [`Self::server_sql`], again for up to 10 s while other sessions still use this
    /// database (a killed server's connections end a moment after it).
    pub fn server_sql_when_alone(&self, sql: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let _ = simple_sql(
                &self.server,
                &format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
                    self.name
                ),
            );
            match simple_sql(&self.server, sql) {
                Ok(_) => return,
                Err(e) if std::time::Instant::now() < deadline && e.contains("accessed by other users") => {
                    std::thread::sleep(std::time::Duration::from_millis(100))
                }
                Err(e) => panic!("{sql}: {e}"),
            }
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = simple_sql(
            &self.server,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// The server database of one test, on the test's backend.
pub enum TestDatabase {
    Sqlite(tempfile::TempDir),
    Postgres(PgDatabase),
}

impl TestDatabase {
    pub fn new() -> TestDatabase {
        match backend() {
            Backend::Sqlite => TestDatabase::Sqlite(tempfile::tempdir().unwrap()),
            Backend::Postgres => TestDatabase::Postgres(PgDatabase::create()),
        }
    }

    pub fn open(&self) -> Arc<dyn Storage> {
        match self {
            TestDatabase::Sqlite(dir) => Arc::new(SqliteStorage::open(dir.path().join("server.db")).unwrap()),
            TestDatabase::Postgres(db) => Arc::new(PostgresStorage::open(&db.url).unwrap()),
        }
    }

    /// The command-line arguments that select this database.
    pub fn args(&self) -> Vec<String> {
        match self {
            TestDatabase::Sqlite(dir) => vec!["--db".into(), dir.path().join("server.db").display().to_string()],
            TestDatabase::Postgres(db) => vec!["--database".into(), db.url.clone()],
        }
    }

    /// The SQLite file, for the tests that read it; None on PostgreSQL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match self {
            TestDatabase::Sqlite(dir) => Some(dir.path().join("server.db")),
            TestDatabase::Postgres(_) => None,
        }
    }

    pub fn postgres(&self) -> Option<&PgDatabase> {
        match self {
            TestDatabase::Sqlite(_) => None,
            TestDatabase::Postgres(db) => Some(db),
        }
    }

    /// Every byte the server stored, as far as a reader of the database sees them (the SQLite
    /// file and its WAL; every row of every table, as text, on PostgreSQL).
    pub fn stored_bytes(&self) -> Vec<u8> {
        match self {
            TestDatabase::Sqlite(dir) => {
                let path = dir.path().join("server.db");
                let mut bytes = std::fs::read(&path).unwrap();
                bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
                bytes
            }
            TestDatabase::Postgres(db) => {
                let tables = db.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
                let mut out = String::new();
                for t in tables.into_iter().filter_map(|r| r.into_iter().next().flatten()) {
                    for row in db.sql(&format!("SELECT t::text FROM \"{t}\" t")) {
                        out.push_str(row[0].as_deref().unwrap_or(""));
                        out.push('\n');
                    }
                }
                out.into_bytes()
            }
        }
    }
}

/// Makes a `sqlite` and a `postgres` copy of each test (multi-threaded tokio tests), as
/// `<test>::sqlite` and `<test>::postgres`: one story, every backend. The PostgreSQL copy is
/// skipped, saying so, without a server (never in CI).
#[macro_export]
macro_rules! each_backend {
    ($($(#[$meta:meta])* async fn $name:ident() $body:block)*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    $crate::common::backend::BACKEND
                        .scope($crate::common::backend::Backend::Sqlite, async $body)
                        .await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if !$crate::common::backend::postgres_reachable(concat!(stringify!($name), "::postgres")) {
                        return;
                    }
                    $crate::common::backend::BACKEND
                        .scope($crate::common::backend::Backend::Postgres, async $body)
                        .await
                }
            }
        )*
    };
}
