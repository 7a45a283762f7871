//! The on-device store: SQLite through rusqlite, schema from `migrations/`, revisions as
//! evidence, current state derived from them, FTS5 search and the audit log.
//!
//! Invariants kept here and nowhere else:
//! - a revision row is never updated or deleted (triggers refuse it);
//! - a revision's `device_seq`, `prev_hash` and `hlc` are assigned inside the same
//!   `BEGIN IMMEDIATE` transaction as its insert, so two writers can never share a number;
//! - the one exception: retention may turn a synced record's revisions into tombstones (body
//!   erased, chain links kept) after logging the erasure (`retention.rs`, schema V5);
//! - `records` and `search_index` are derived and can be rebuilt from `revisions` ([`Store::rebuild`]);
//! - a call that returns an error has written nothing;
//! - a save that returned `Ok` is on disk (WAL, `synchronous = FULL`): it survives the process
//!   being killed and the power being cut.
//!
//! No other module contains SQL.

mod audit;
pub use audit::AuditChainReport;
mod read;
mod retention;
mod search;
mod sync;
mod verify;
mod views;
mod write;

pub use crate::retention::RETENTION_ACTOR;
pub use read::{CurrentRecord, ListFilter, RecordSummary};
pub use retention::RetentionReport;
// The evidence types, re-exported where the store's callers have always found them.
pub use crate::evidence::{
    canonical_body, ChainEntry, ChainProblem, ChainReport, ChainWalk, FieldHasher, Hash, Hlc, Revision,
};
pub use search::{SearchHit, SearchQuery, SnippetPart};
pub use sync::{PendingEnrolment, QuarantinedRevision, StoredSyncStatus, SyncCredentials, SyncDirection};
pub use views::Draft;
pub use write::Saved;

use crate::geo::SectorMap;
use crate::records::{RecordId, ValidationError};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use uuid::Uuid;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Everything the store can refuse. The message tells the officer (or the force IT team) what
/// happened and what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("no record {0} on this device")]
    RecordNotFound(RecordId),
    #[error(
        "record {record} was erased from this device on {at} ({why}); the force server keeps it: ask the force \
         IT team for it"
    )]
    Erased {
        record: RecordId,
        at: chrono::DateTime<chrono::Utc>,
        why: String,
    },
    #[error("an edit needs a reason: say why the record is being changed")]
    ReasonRequired,
    #[error("say why you are opening this record: it holds personal data and every access is logged")]
    PurposeRequired,
    #[error("revision {revision} does not match its hash: it was altered after it was made, and was not stored")]
    HashMismatch { revision: Uuid },
    #[error("revision {revision} is already stored with different content; the new copy was refused")]
    ConflictingCopy { revision: Uuid },
    #[error(
        "this database was written by a newer version of Liaison (schema {found}, this app knows up to {supported}); \
         update the app. The file has not been changed."
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("{path} is not a Liaison database (or is damaged): {detail}. The file has not been changed.")]
    NotADatabase { path: PathBuf, detail: String },
    #[error("the database schema could not be brought up to date: {0}")]
    Migration(String),
    #[error("the device database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "this tablet is already enrolled with its force: a new enrolment string is refused. To give the tablet to \
         another officer or force, IT revokes it and it is reset"
    )]
    AlreadyEnrolled,
    #[error("{path} cannot be made private to this app ({detail}); nothing was opened")]
    NotPrivate { path: PathBuf, detail: String },
    #[error("the tablet's media files: {0}")]
    Media(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Attached files waiting to go to the force server, for the status strip.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct MediaWaiting {
    #[ts(type = "number")]
    pub photos: u64,
    #[ts(type = "number")]
    pub screenshots: u64,
    #[ts(type = "number")]
    pub audio_notes: u64,
    /// Their bytes, thumbnails included.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// The highest schema version this build knows.
pub fn supported_schema_version() -> i64 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// The device's database.
pub struct Store {
    conn: Connection,
    device_id: Uuid,
    path: PathBuf,
    /// Sector maps of operations, so placing a record in a sector does not re-read the operation.
    sectors: HashMap<RecordId, Arc<SectorMap>>,
    /// The attached files, encrypted beside the database (`<db>.media/`).
    media: crate::media::vault::MediaVault,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, applying any pending migrations.
    /// A database from a newer app, or a file that is not a Liaison database, is refused and
    /// left byte-for-byte as it was.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Self::open_with(path.as_ref(), None)
    }

    /// Opens (creating if needed) the SQLCipher-encrypted database at `path` with its key.
    /// A wrong key is reported as [`StoreError::NotADatabase`]: SQLCipher cannot tell a wrong
    /// key from a damaged file, and neither can anyone without the key.
    pub fn open_encrypted(path: impl AsRef<Path>, key: &crate::crypto::DbKey) -> Result<Store> {
        Self::open_with(path.as_ref(), Some(key))
    }

    fn open_with(path: &Path, key: Option<&crate::crypto::DbKey>) -> Result<Store> {
        let path = path.to_path_buf();
        if path.exists() && std::fs::metadata(&path).map(|m| m.len() > 0).unwrap_or(false) {
            check_schema_read_only(&path, key)?;
        }
        // Owner-only before SQLite opens it: SQLite gives the WAL and shared-memory files the
        // database's mode. Existing ones from before are narrowed.
        let private = |p: &Path, e: std::io::Error| StoreError::NotPrivate {
            path: p.to_path_buf(),
            detail: e.to_string(),
        };
        crate::files::owner_only(&path).map_err(|e| private(&path, e))?;
        for suffix in ["-wal", "-shm"] {
            let mut side = path.clone().into_os_string();
            side.push(suffix);
            let side = PathBuf::from(side);
            crate::files::narrow(&side).map_err(|e| private(&side, e))?;
        }
        let mut conn = Connection::open(&path)?;
        apply_key(&conn, key).map_err(|e| not_a_database(&path, e))?;
        configure(&conn).map_err(|e| not_a_database(&path, e))?;
        embedded::migrations::runner()
            .run(&mut conn)
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        let device_id = load_or_create_device(&conn)?;
        // A store opened without a key (tests, the demo generator) keeps its media under a
        // fixed key: as readable as its database.
        let plain = crate::crypto::DbKey::from_bytes_for_tests([0; 32]);
        let media = crate::media::vault::MediaVault::new(crate::media::vault::dir_beside(&path), key.unwrap_or(&plain));
        Ok(Store {
            conn,
            device_id,
            path,
            sectors: HashMap::new(),
            media,
        })
    }

    /// The attached files of this store's records.
    pub fn media(&self) -> &crate::media::vault::MediaVault {
        &self.media
    }

    /// Each record whose revision body `sql` (selecting `body`) returns, in its order; a body
    /// that does not read as a record is skipped. `f` returns false to stop.
    fn each_record(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        mut f: impl FnMut(crate::records::Record) -> Result<bool>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params)?;
        while let Some(row) = rows.next()? {
            let body: String = row.get(0)?;
            let Ok(record) = serde_json::from_str::<crate::records::Record>(&body) else {
                continue;
            };
            if !f(record)? {
                break;
            }
        }
        Ok(())
    }

    /// Every file named by a revision this device holds (an attachment or its thumbnail).
    pub fn media_named(&self) -> Result<std::collections::BTreeSet<String>> {
        let mut named = std::collections::BTreeSet::new();
        self.each_record(
            r#"SELECT body FROM revisions WHERE body LIKE '%"attachments":%'"#,
            [],
            |record| {
                for a in &record.attachments {
                    named.extend(a.files().map(|(name, _)| name.to_string()));
                }
                Ok(true)
            },
        )?;
        Ok(named)
    }

    /// Thumbnails named by revisions on this tablet (a colleague's photos, pulled) that it
    /// does not hold, with their sizes: what the sync fetches after the pull.
    pub fn thumbnails_wanted(&self) -> Result<Vec<(String, u64)>> {
        let mut wanted: Vec<(String, u64)> = Vec::new();
        self.each_record(
            r#"SELECT body FROM revisions WHERE erased_ms IS NULL AND body LIKE '%"thumbnail":%' ORDER BY hlc DESC"#,
            [],
            |record| {
                for t in record.attachments.iter().filter_map(|a| a.thumbnail.as_ref()) {
                    if !self.media.has(&t.sha256) && !wanted.iter().any(|(n, _)| n == &t.sha256) {
                        wanted.push((t.sha256.clone(), t.size));
                    }
                }
                Ok(true)
            },
        )?;
        Ok(wanted)
    }

    /// The size a revision on this tablet gives the file `sha256` (an attachment or its
    /// thumbnail), if one names it: a file may be fetched only if a record here names it.
    pub fn media_size_named(&self, sha256: &str) -> Result<Option<u64>> {
        if !crate::records::attachment::is_sha256_hex(sha256) {
            return Ok(None);
        }
        let mut size = None;
        self.each_record(
            "SELECT body FROM revisions WHERE erased_ms IS NULL AND instr(body, ?1) > 0",
            [sha256],
            |record| {
                size = record
                    .attachments
                    .iter()
                    .flat_map(|a| a.files())
                    .find_map(|(name, size)| (name == sha256).then_some(size));
                Ok(size.is_none())
            },
        )?;
        Ok(size)
    }

    /// Files named by this device's own revisions that the server has acknowledged, kept
    /// here, and not yet confirmed whole on the server: what the sync uploads, in the order
    /// the records were saved, with the sizes the records give them.
    pub fn media_waiting(&self) -> Result<Vec<(String, u64)>> {
        let mut waiting: Vec<(String, u64)> = Vec::new();
        for a in self.attachments_unsent(true)? {
            for (name, size) in a.files() {
                if !waiting.iter().any(|(n, _)| n == name) {
                    waiting.push((name.to_string(), size));
                }
            }
        }
        Ok(waiting)
    }

    /// What the status strip says waits to go: this device's attachments (acknowledged
    /// records or not) whose file the server has not confirmed, by kind, and their bytes
    /// (thumbnails included).
    pub fn media_waiting_summary(&self) -> Result<MediaWaiting> {
        let mut m = MediaWaiting::default();
        let mut seen = std::collections::HashSet::new();
        for a in self.attachments_unsent(false)? {
            if !seen.insert(a.sha256.clone()) {
                continue;
            }
            match a.kind {
                crate::records::AttachmentKind::Photo => m.photos += 1,
                crate::records::AttachmentKind::Screenshot => m.screenshots += 1,
                crate::records::AttachmentKind::Audio => m.audio_notes += 1,
            }
            m.bytes += a.files().map(|(_, size)| size).sum::<u64>();
        }
        Ok(m)
    }

    /// Attachments of this device's own revisions (only those the server acknowledged, if
    /// `acked_only`) with a file kept here that the server has not confirmed whole.
    fn attachments_unsent(&self, acked_only: bool) -> Result<Vec<crate::records::Attachment>> {
        let mut stmt = self.conn.prepare_cached(
            r#"SELECT body FROM revisions
               WHERE device_id = ?1 AND erased_ms IS NULL
                 AND (?2 = 0 OR device_seq <= (SELECT acked_seq FROM sync_state))
                 AND body LIKE '%"attachments":%'
               ORDER BY device_seq"#,
        )?;
        let mut sent = self.conn.prepare_cached("SELECT 1 FROM media_sent WHERE sha256 = ?1")?;
        let mut out = Vec::new();
        let mut rows = stmt.query(rusqlite::params![self.device_id, acked_only])?;
        while let Some(row) = rows.next()? {
            let body: String = row.get(0)?;
            let Ok(record) = serde_json::from_str::<crate::records::Record>(&body) else {
                continue;
            };
            for a in record.attachments {
                let mut unsent = false;
                for (name, _) in a.files() {
                    if !sent.exists([name])? && self.media.has(name) {
                        unsent = true;
                    }
                }
                if unsent {
                    out.push(a);
                }
            }
        }
        Ok(out)
    }

    /// The server confirmed it holds `sha256` whole.
    pub fn mark_media_sent(&self, sha256: &str) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO media_sent (sha256, sent_ms) VALUES (?1, ?2)",
            rusqlite::params![sha256, chrono::Utc::now().timestamp_millis()],
        )?;
        Ok(())
    }

    /// Removes every kept file that no revision names any more (a record erased by
    /// retention) and that the force server has confirmed holding whole: nothing leaves this
    /// tablet before the server has it, and a file a draft holds (not yet named by any
    /// revision, and never sent) stays. Returns files and bytes removed.
    pub fn sweep_media(&self) -> Result<(u64, u64)> {
        let named = self.media_named()?;
        let mut stmt = self.conn.prepare("SELECT sha256 FROM media_sent")?;
        let sent = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let (mut files, mut bytes) = (0, 0);
        for sha in sent.iter().filter(|s| !named.contains(*s)) {
            let size = self.media.size_on_disk(sha);
            if self.media.remove(sha).map_err(|e| StoreError::Media(e.to_string()))? {
                files += 1;
                bytes += size.unwrap_or(0);
            }
        }
        Ok((files, bytes))
    }

    /// This device's id: the name of its hash chain.
    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT MAX(version) FROM refinery_schema_history", [], |r| r.get(0))?)
    }
}

/// Gives SQLCipher the raw 256-bit key (no KDF of its own: the key is already random). Must be
/// the first statement on the connection.
fn apply_key(conn: &Connection, key: Option<&crate::crypto::DbKey>) -> rusqlite::Result<()> {
    if let Some(key) = key {
        // SQLCipher wipes every block SQLite frees (page cache included), so closing the
        // database at the lock leaves no record text in the process's freed memory.
        conn.execute_batch("PRAGMA cipher_memory_security = ON;")?;
        let literal = key.sqlcipher_literal();
        let sql = zeroize::Zeroizing::new(format!("PRAGMA key = \"{}\";", literal.as_str()));
        conn.execute_batch(&sql)?;
        // SQLCipher only checks the key on first read.
        conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
    }
    Ok(())
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // WAL: readers never block the writer, and a commit is one sequential append.
    // synchronous=FULL: each commit fsyncs the WAL, so "saved" means on disk even if the
    // tablet loses power a millisecond later. NORMAL would be faster and lose the last
    // commits on power loss: not acceptable for a pocket notebook.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidQuery);
    }
    // Query planner stability: a plan never depends on bound values, so cached statements are
    // never re-prepared when a parameter changes (without it the FTS insert through the
    // search_source view was re-compiled on every save, a third of the save's CPU).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(64);
    // secure_delete: content SQLite frees (a draft discarded, a body erased by retention, an
    // FTS segment merged) is overwritten with zeros, not left in free pages for the next
    // person with the passcode to find.
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA secure_delete = ON;",
    )?;
    Ok(())
}

fn not_a_database(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::NotADatabase {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// Looks at an existing file without writing to it: refuses a newer schema or a foreign file.
fn check_schema_read_only(path: &Path, key: Option<&crate::crypto::DbKey>) -> Result<()> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| not_a_database(path, e))?;
    apply_key(&conn, key).map_err(|e| not_a_database(path, e))?;
    let has_history: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| not_a_database(path, e))?;
    if !has_history {
        let tables: i64 = conn
            .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| not_a_database(path, e))?;
        if tables > 0 {
            return Err(StoreError::NotADatabase {
                path: path.to_path_buf(),
                detail: "it holds tables but no Liaison schema history".into(),
            });
        }
        return Ok(());
    }
    let found: Option<i64> = conn.query_row("SELECT MAX(version) FROM refinery_schema_history", [], |r| r.get(0))?;
    let supported = supported_schema_version();
    match found {
        Some(found) if found > supported => Err(StoreError::SchemaTooNew { found, supported }),
        _ => Ok(()),
    }
}

fn load_or_create_device(conn: &Connection) -> Result<Uuid> {
    let existing: Option<Uuid> = conn
        .query_row("SELECT device_id FROM device_identity WHERE singleton = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = Uuid::now_v7();
    conn.execute(
        "INSERT INTO device_identity (singleton, device_id, created_ms, hlc) VALUES (1, ?1, ?2, 0)",
        rusqlite::params![id, chrono::Utc::now().timestamp_millis()],
    )?;
    Ok(id)
}

#[cfg(test)]
mod tests;
