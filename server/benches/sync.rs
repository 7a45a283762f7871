//! Sync benchmark: a real server on 127.0.0.1 (SQLite on disk, WAL, synchronous=FULL) and
//! real device stores. Prints figures; targets are checked by reading them, not asserted.
//!
//!     cargo bench -p liaison-server --bench sync
//!
//! 1. full push of 10,000 demo-like revisions from one device: records/s end to end
//!    (including the server's durable commit of every batch), bytes on the wire per record
//!    against the revisions' JSON, batch latency;
//! 2. incremental push of 100 new revisions;
//! 3. 50 devices, each with its operation already synced, record 100 revisions each and
//!    push at once to one server: records/s, p99 batch latency, nothing lost.
//! 4. PostgreSQL beside SQLite, when one is reachable (the `PG*` variables, as `pg_virtualenv`
//!    exports them, or `LIAISON_TEST_POSTGRES`): full push of 10,000 and incremental push of
//!    100 on each, taking turns; disk per revision on each; 200 devices at once across two
//!    `serve` processes on one PostgreSQL database.
//!
//! Beside 1, and in the same run so the machine's noise hits both alike: a BASELINE, the
//! same revisions posted in the same batches (the same zstd `PushRequest` bodies) over HTTP
//! on 127.0.0.1 to a bare axum handler that decodes them and inserts every revision into a
//! plain SQLite table (WAL, synchronous=FULL, one transaction per batch, no checks). Baseline
//! and Liaison take turns, [`ROUNDS`] full pushes each on fresh databases, and the full push is
//! printed as a fraction of the baseline's records/s. Then the cost of each stage of Liaison's
//! push per record (decode, the judge's examine, storage push, the rest), so a shortfall
//! points at the stage that causes it.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::CONTENT_ENCODING;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use liaison_core::records::{OfficerId, Record, RecordKind};
use liaison_core::store::Store;
use liaison_core::sync::protocol::{self, PushRequest};
use liaison_core::sync::{SyncClient, SyncOptions, SyncReport};
use liaison_core::Revision;
use liaison_server::storage::{DeviceAuth, Storage};
use liaison_server::{auth, judge, SqliteStorage};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const FULL: usize = 10_000;
/// Full pushes of Liaison, each between two of the baseline's (so ROUNDS + 1 of those).
const ROUNDS: usize = 5;
const DEVICES: usize = 50;
const PER_DEVICE: usize = 100;

/// The benchmark's server is plain HTTP on 127.0.0.1: it measures sync, not TLS.
fn options() -> SyncOptions {
    SyncOptions {
        allow_plain_loopback: true,
        ..SyncOptions::default()
    }
}

fn percentile(mut xs: Vec<Duration>, p: f64) -> Duration {
    if xs.is_empty() {
        return Duration::ZERO;
    }
    xs.sort();
    let i = ((xs.len() as f64 - 1.0) * p).round() as usize;
    xs[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Demo records (every kind the demo operation has), to be copied into a device, and the demo
/// operation's revisions in the order they were made, to be recorded again on each device.
fn demo_records(dir: &std::path::Path) -> (Vec<Record>, Vec<Revision>) {
    let mut demo = Store::open(dir.join("demo.db")).expect("demo store");
    liaison_core::demo::generate(&mut demo, Utc::now(), 1).expect("demo data");
    let mut revs = demo.outbox(1_000_000).expect("demo revisions");
    revs.sort_by_key(|r| r.device_seq);
    let records = revs
        .iter()
        .filter(|r| r.kind != RecordKind::Operation && r.parent.is_none())
        .map(|r| r.body.clone())
        .collect();
    (records, revs)
}

/// Records the demo operation on `store` again, every revision (edits included) by `officer`:
/// the demo is written by five officers, and the server takes from a device only its own
/// officer's records (anything else would be refused, and the benchmark would time refusals).
/// Returns the operation's id on this device.
fn record_demo(store: &mut Store, officer: &OfficerId, demo: &[Revision]) -> Uuid {
    let mut ids: HashMap<Uuid, Uuid> = HashMap::new();
    for r in demo {
        let mut body = r.body.clone();
        body.operation_id = body
            .operation_id
            .map(|op| *ids.get(&op).expect("the operation is made before its records"));
        body.links = body.links.iter().map(|l| *ids.get(l).unwrap_or(l)).collect();
        match r.parent {
            None => {
                let saved = store.create(officer, body).expect("demo record");
                ids.insert(r.record_id, saved.record_id);
            }
            Some(_) => {
                let id = *ids.get(&r.record_id).expect("an edit follows its record");
                let reason = r.reason.as_deref().unwrap_or("demo edit");
                store.edit(officer, id, body, reason).expect("demo edit");
            }
        }
    }
    demo.iter()
        .find(|r| r.kind == RecordKind::Operation)
        .map(|r| ids[&r.record_id])
        .expect("the demo has an operation")
}

/// A device store holding the demo operation plus copies of demo records up to `n` revisions,
/// every one recorded by the officer it is enrolled for (not enrolled yet).
fn device_store(dir: &std::path::Path, name: &str, (templates, demo): (&[Record], &[Revision]), n: usize) -> Store {
    let officer = OfficerId::new("PS 2817").expect("officer");
    let mut store = Store::open(dir.join(format!("{name}.db"))).expect("device store");
    let op = record_demo(&mut store, &officer, demo);
    let have = store.revision_count().expect("count") as usize;
    let records: Vec<Record> = templates
        .iter()
        .cycle()
        .take(n.saturating_sub(have))
        .map(|r| {
            let mut r = r.clone();
            if r.operation_id.is_some() {
                r.operation_id = Some(op);
            }
            r
        })
        .collect();
    store.import(&officer, records).expect("import");
    store
}

/// [`device_store`], enrolled with the server at `url`.
async fn device(
    dir: &std::path::Path,
    name: &str,
    storage: &dyn Storage,
    url: &str,
    demo: (&[Record], &[Revision]),
    n: usize,
) -> Arc<Mutex<Store>> {
    let store = device_store(dir, name, demo, n);
    let code = liaison_server::auth::new_enrollment_code();
    storage
        .add_enrollment_code(
            &liaison_server::auth::hash_secret(&liaison_server::auth::normalise_code(&code)),
            "PS 2817",
            Utc::now() + chrono::Duration::hours(1),
        )
        .expect("code");
    let store = Arc::new(Mutex::new(store));
    SyncClient::new(url, options())
        .expect("client")
        .enroll(&store, &code)
        .await
        .expect("enroll");
    store
}

async fn push(store: &Arc<Mutex<Store>>, options: SyncOptions) -> (SyncReport, Duration) {
    let client = SyncClient::for_store(store, options).expect("client");
    let mut report = SyncReport::default();
    let start = Instant::now();
    client.push(store, &mut report, &|_, _, _| {}).await.expect("push");
    (report, start.elapsed())
}

fn check_exactly_once(storage: &dyn Storage, store: &Arc<Mutex<Store>>) -> bool {
    let s = store.lock().expect("store");
    let ours = s.own_chain().expect("chain");
    let theirs = storage.device_chain(s.device_id()).expect("server chain");
    if ours != theirs {
        eprintln!(
            "device {} / server {} / report waiting {}",
            ours.len(),
            theirs.len(),
            s.sync_status().expect("status").waiting
        );
    }
    ours == theirs && s.sync_status().expect("status").waiting == 0
}

/// A force server of its own (an empty database), for one full push.
async fn server(dir: &std::path::Path, name: &str) -> (Arc<SqliteStorage>, String) {
    let storage = Arc::new(SqliteStorage::open(dir.join(format!("{name}.db"))).expect("server db"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let s: Arc<dyn Storage> = storage.clone();
    tokio::spawn(async move { liaison_server::serve(listener, s, std::future::pending()).await });
    (storage, url)
}

/// The device's outbox cut as the client cuts it: the outbox's order is total (lane, then
/// device_seq) and the client takes `batch_size` from its head after each acknowledgement,
/// so its batches are these chunks.
fn batches(revisions: &[Revision]) -> Vec<Vec<Revision>> {
    revisions
        .chunks(options().batch_size)
        .map(<[Revision]>::to_vec)
        .collect()
}

fn request(device_id: Uuid, batch: &[Revision]) -> PushRequest {
    PushRequest {
        device_id,
        revisions: batch.to_vec(),
        audit: vec![],
    }
}

/// The baseline's server: decode, insert, commit, nothing else. Time spent decoding and
/// inserting is summed so the baseline's own split can be printed beside Liaison's.
#[derive(Clone)]
struct Bare {
    db: Arc<Mutex<rusqlite::Connection>>,
    decode_ns: Arc<AtomicU64>,
    insert_ns: Arc<AtomicU64>,
}

const BARE_SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE revisions (
    id BLOB, record_id BLOB, parent BLOB, kind TEXT, author TEXT, device_id BLOB, device_seq INTEGER,
    recorded_ms INTEGER, hlc INTEGER, reason TEXT, body TEXT, prev_hash BLOB, hash BLOB, received_ms INTEGER
);";

impl Bare {
    fn open(path: &std::path::Path) -> Bare {
        let db = rusqlite::Connection::open(path).expect("bare db");
        db.execute_batch(BARE_SCHEMA).expect("bare schema");
        Bare {
            db: Arc::new(Mutex::new(db)),
            decode_ns: Arc::default(),
            insert_ns: Arc::default(),
        }
    }

    /// One transaction per batch; the body is stored as canonical JSON text, as the server
    /// stores it.
    fn insert(&self, revisions: &[Revision], received_ms: i64) -> rusqlite::Result<usize> {
        let mut db = self.db.lock().expect("bare db");
        let tx = db.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO revisions (id, record_id, parent, kind, author, device_id, device_seq, recorded_ms, hlc,
                                        reason, body, prev_hash, hash, received_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?;
            for r in revisions {
                stmt.execute(rusqlite::params![
                    r.id,
                    r.record_id,
                    r.parent,
                    r.kind.as_str(),
                    r.author.as_str(),
                    r.device_id,
                    r.device_seq as i64,
                    r.recorded_at.timestamp_millis(),
                    r.hlc.pack(),
                    r.reason,
                    liaison_core::store::canonical_body(&r.body),
                    r.prev_hash.0.as_slice(),
                    r.hash.0.as_slice(),
                    received_ms,
                ])?;
            }
        }
        tx.commit()?;
        Ok(revisions.len())
    }

    fn count(&self) -> usize {
        let db = self.db.lock().expect("bare db");
        db.query_row("SELECT count(*) FROM revisions", [], |r| r.get::<_, i64>(0))
            .expect("count") as usize
    }
}

async fn bare_push(
    State(bare): State<Bare>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, (StatusCode, String)> {
    let received_ms = Utc::now().timestamp_millis();
    let encoding = headers
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // On a blocking thread, as the server does its storage work.
    tokio::task::spawn_blocking(move || {
        let t = Instant::now();
        let req: PushRequest =
            protocol::decode(encoding.as_deref(), &body).map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))?;
        let decoded = t.elapsed();
        let stored = bare
            .insert(&req.revisions, received_ms)
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        bare.decode_ns.fetch_add(decoded.as_nanos() as u64, Ordering::Relaxed);
        bare.insert_ns
            .fetch_add((t.elapsed() - decoded).as_nanos() as u64, Ordering::Relaxed);
        Ok(Json(serde_json::json!({ "stored": stored })))
    })
    .await
    .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
}

/// What one baseline run measured.
struct BareRun {
    took: Duration,
    decode: Duration,
    insert: Duration,
}

/// Posts the batches, encoded as the client encodes them, one after the other (the client
/// waits for each answer too) to a fresh bare server and database.
async fn bare_run(dir: &std::path::Path, name: &str, device_id: Uuid, batches: &[Vec<Revision>]) -> BareRun {
    let bare = Bare::open(&dir.join(format!("{name}.db")));
    let app = axum::Router::new()
        .route(protocol::PUSH_PATH, axum::routing::post(bare_push))
        .layer(DefaultBodyLimit::max(protocol::MAX_BODY_BYTES))
        .with_state(bare.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}{}", listener.local_addr().expect("addr"), protocol::PUSH_PATH);
    // TCP_NODELAY, as the force server sets it.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let client = reqwest::Client::new();
    let start = Instant::now();
    for batch in batches {
        let body = protocol::encode(&request(device_id, batch)).expect("encode");
        let resp = client
            .post(&url)
            .header("content-type", "application/json")
            .header(CONTENT_ENCODING.as_str(), protocol::ZSTD)
            .body(body)
            .send()
            .await
            .expect("bare push");
        assert!(resp.status().is_success(), "bare push: {}", resp.status());
        let ack: serde_json::Value = serde_json::from_slice(&resp.bytes().await.expect("ack")).expect("ack json");
        assert_eq!(ack["stored"].as_u64(), Some(batch.len() as u64));
    }
    let took = start.elapsed();
    // The idle keep-alive connection goes first, so the graceful shutdown has none to wait for.
    drop(client);
    let _ = stop.send(());
    served.await.expect("bare server").expect("bare serve");
    let n: usize = batches.iter().map(Vec::len).sum();
    assert_eq!(bare.count(), n, "the baseline stored every revision");
    BareRun {
        took,
        decode: Duration::from_nanos(bare.decode_ns.load(Ordering::Relaxed)),
        insert: Duration::from_nanos(bare.insert_ns.load(Ordering::Relaxed)),
    }
}

/// Liaison's push stage by stage, one thread, on a fresh server database.
struct Stages {
    decode: Duration,
    examine: Duration,
    /// `SqliteStorage::push`, which runs examine itself before its write transaction.
    push: Duration,
    client: Client,
    /// [`Bare::insert`] alone, and into a table with the server's indexes on `revisions`.
    bare_insert: Duration,
    bare_indexed: Duration,
}

/// A device enrolled through the storage API, as the API's token check returns it.
fn enrolled(storage: &SqliteStorage, device_id: Uuid) -> DeviceAuth {
    let code_hash = auth::hash_secret(&auth::normalise_code(&auth::new_enrollment_code()));
    storage
        .add_enrollment_code(&code_hash, "PS 2817", Utc::now() + chrono::Duration::hours(1))
        .expect("code");
    let token = auth::new_token();
    storage
        .redeem_enrollment_code(&code_hash, device_id, &token)
        .expect("redeem");
    storage.token_holder(&auth::hash_secret(&token)).expect("token holder")
}

fn stages(dir: &std::path::Path, name: &str, device_id: Uuid, batches: &[Vec<Revision>], spare: &mut Store) -> Stages {
    let bodies: Vec<Vec<u8>> = batches
        .iter()
        .map(|b| protocol::encode(&request(device_id, b)).expect("encode"))
        .collect();
    let t = Instant::now();
    let decoded: Vec<PushRequest> = bodies
        .iter()
        .map(|b| protocol::decode(Some(protocol::ZSTD), b).expect("decode"))
        .collect();
    let decode = t.elapsed();

    let storage = SqliteStorage::open(dir.join(format!("{name}.db"))).expect("stage db");
    let device = enrolled(&storage, device_id);
    let received_at = Utc::now();
    let t = Instant::now();
    for req in &decoded {
        for r in &req.revisions {
            judge::examine(&device, r, received_at).expect("examined");
        }
    }
    let examine = t.elapsed();

    let t = Instant::now();
    for req in &decoded {
        let resp = storage.push(&device, &req.revisions, Utc::now()).expect("storage push");
        assert!(resp.rejected.is_empty(), "{:?}", resp.rejected.first());
        assert_eq!(resp.stored as usize, req.revisions.len());
    }
    let push = t.elapsed();

    let client = client_side(spare);

    let bare_insert = bare_alone(&dir.join(format!("{name}-bare.db")), &decoded, "");
    let bare_indexed = bare_alone(&dir.join(format!("{name}-indexed.db")), &decoded, SERVER_INDEXES);
    Stages {
        decode,
        examine,
        push,
        client,
        bare_insert,
        bare_indexed,
    }
}

/// The uniqueness and lookup indexes the server's `revisions` table carries.
const SERVER_INDEXES: &str = "
CREATE UNIQUE INDEX bare_id ON revisions (id);
CREATE UNIQUE INDEX bare_chain ON revisions (device_id, device_seq);
CREATE INDEX bare_record ON revisions (record_id);";

fn bare_alone(path: &std::path::Path, decoded: &[PushRequest], indexes: &str) -> Duration {
    let bare = Bare::open(path);
    bare.db
        .lock()
        .expect("bare db")
        .execute_batch(indexes)
        .expect("indexes");
    let t = Instant::now();
    for req in decoded {
        bare.insert(&req.revisions, Utc::now().timestamp_millis())
            .expect("bare insert");
    }
    t.elapsed()
}

/// The client's own work in a full push, without a server: what `SyncClient::push` does
/// around each request (read the outbox, encode the batch, record the acknowledgement, which
/// also logs the disclosure), with the answer a server gives when it holds every revision.
fn client_side(store: &mut Store) -> Client {
    let device_id = store.device_id();
    let mut c = Client::default();
    let t = Instant::now();
    store.sync_status().expect("status");
    c.outbox += t.elapsed();
    let mut held_seqs = std::collections::BTreeSet::new();
    let mut acked = 0;
    loop {
        let t = Instant::now();
        let batch = store.outbox(options().batch_size).expect("outbox");
        c.outbox += t.elapsed();
        if batch.is_empty() {
            break;
        }
        let t = Instant::now();
        std::hint::black_box(protocol::encode(&request(device_id, &batch)).expect("encode"));
        c.encode += t.elapsed();
        let held: Vec<u64> = batch.iter().map(|r| r.device_seq).collect();
        held_seqs.extend(held.iter().copied());
        while held_seqs.contains(&(acked + 1)) {
            acked += 1;
        }
        let t = Instant::now();
        store.record_push_outcome(acked, &held, &[]).expect("acknowledged");
        c.acks += t.elapsed();
    }
    c
}

/// [`client_side`], part by part.
#[derive(Default, Clone, Copy)]
struct Client {
    /// The outbox read of each batch, and the status read at the start of a push.
    outbox: Duration,
    encode: Duration,
    /// `Store::record_push_outcome`: the acknowledgement and the disclosure log, committed.
    acks: Duration,
}

impl Client {
    fn total(&self) -> Duration {
        self.outbox + self.encode + self.acks
    }
}

fn us_per(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = Arc::new(SqliteStorage::open(dir.path().join("server.db")).expect("server db"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let s: Arc<dyn Storage> = storage.clone();
    tokio::spawn(async move { liaison_server::serve(listener, s, std::future::pending()).await });

    let (templates, demo) = demo_records(dir.path());
    println!(
        "sync benchmark: server on {url}, SQLite WAL synchronous=FULL on disk; demo operation = {} revisions",
        demo.len()
    );

    // 0. Compression on the demo operation alone (no repeated bodies).
    {
        let mut demo = Store::open(dir.path().join("demo-ratio.db")).expect("store");
        liaison_core::demo::generate(&mut demo, Utc::now(), 2).expect("demo");
        let revs = demo.outbox(1_000_000).expect("outbox");
        let json: usize = revs.iter().map(|r| serde_json::to_vec(r).expect("json").len()).sum();
        let wire = liaison_core::sync::protocol::encode(&liaison_core::sync::protocol::PushRequest {
            device_id: demo.device_id(),
            revisions: revs.clone(),
            audit: vec![],
        })
        .expect("encode")
        .len();
        println!(
            "\ncompression, the {} distinct demo revisions in one batch: {:.0} bytes per record vs {:.0} of JSON = {:.2}x",
            revs.len(),
            wire as f64 / revs.len() as f64,
            json as f64 / revs.len() as f64,
            wire as f64 / json as f64
        );
    }

    // 1. Full push of 10,000 (the demo's records copied over and over).
    let a = device(dir.path(), "full", storage.as_ref(), &url, (&templates, &demo), FULL).await;
    let revisions = a.lock().expect("store").outbox(1_000_000).expect("outbox");
    let json_bytes: usize = revisions
        .iter()
        .map(|r| serde_json::to_vec(r).expect("json").len())
        .sum();
    let n = revisions.len();
    // The other rounds' devices, each with its own empty server, made now so that the
    // rounds follow each other closely.
    let mut others = Vec::new();
    for i in 1..ROUNDS {
        let (st, u) = server(dir.path(), &format!("server{i}")).await;
        let d = device(
            dir.path(),
            &format!("full{i}"),
            st.as_ref(),
            &u,
            (&templates, &demo),
            FULL,
        )
        .await;
        let revs = d.lock().expect("store").outbox(1_000_000).expect("outbox");
        others.push((st, d, revs));
    }
    // For the client's side alone, one device per round (a push empties its outbox).
    let mut spares: Vec<Store> = (0..ROUNDS)
        .map(|i| device_store(dir.path(), &format!("spare{i}"), (&templates, &demo), FULL))
        .collect();
    {
        // Where the time goes, per record, in one thread (no network, no server).
        let t = Instant::now();
        let read = a.lock().expect("store").outbox(1_000).expect("outbox");
        let t_read = t.elapsed();
        let req = liaison_core::sync::protocol::PushRequest {
            device_id: read[0].device_id,
            revisions: read,
            audit: vec![],
        };
        let t = Instant::now();
        let wire = liaison_core::sync::protocol::encode(&req).expect("encode");
        let t_encode = t.elapsed();
        let t = Instant::now();
        let back: liaison_core::sync::protocol::PushRequest =
            liaison_core::sync::protocol::decode(Some("zstd"), &wire).expect("decode");
        let t_decode = t.elapsed();
        let t = Instant::now();
        for r in &back.revisions {
            r.body.validate().expect("valid");
            let body = liaison_core::store::canonical_body(&r.body);
            assert_eq!(r.compute_hash(&body), r.hash);
        }
        let t_check = t.elapsed();
        let per = |d: Duration| d.as_secs_f64() * 1e6 / back.revisions.len() as f64;
        println!(
            "\nper record, one thread: outbox read {:.1} µs, encode+zstd {:.1} µs, decode {:.1} µs, validate+canonical+hash {:.1} µs",
            per(t_read),
            per(t_encode),
            per(t_decode),
            per(t_check)
        );
    }
    let device_a = a.lock().expect("store").device_id();
    let mut bare_runs = vec![bare_run(dir.path(), "bare0", device_a, &batches(&revisions)).await];
    let (report, took) = push(&a, options()).await;
    assert_eq!(
        report.push_batches as usize,
        batches(&revisions).len(),
        "the baseline posts the client's batches"
    );
    let mut liaison_runs = vec![took];
    let mut stage_runs = vec![stages(
        dir.path(),
        "stages0",
        device_a,
        &batches(&revisions),
        &mut spares[0],
    )];
    if report.quarantined > 0 {
        let q = a.lock().expect("store").sync_status().expect("status").quarantined;
        println!("  {} quarantined, e.g. {:?}", q.len(), q.first());
    }
    let wire = report.bytes_sent + report.bytes_received;
    println!("\nfull push of {n} revisions (batches of {}):", options().batch_size);
    println!(
        "  {:.0} records/s end to end ({:.1} ms)",
        n as f64 / took.as_secs_f64(),
        ms(took)
    );
    println!(
        "  bytes on the wire: {:.0} per record sent ({:.0} incl. answers) vs {:.0} of JSON = {:.2}x ({:.2}x)",
        report.bytes_sent as f64 / n as f64,
        wire as f64 / n as f64,
        json_bytes as f64 / n as f64,
        report.bytes_sent as f64 / json_bytes as f64,
        wire as f64 / json_bytes as f64
    );
    println!(
        "  batch latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(percentile(report.batch_latencies.clone(), 0.5)),
        ms(percentile(report.batch_latencies.clone(), 0.99)),
        ms(percentile(report.batch_latencies.clone(), 1.0))
    );
    println!(
        "  exactly once on the server: {}",
        check_exactly_once(storage.as_ref(), &a)
    );

    // 1b. The other rounds, alternating with the baseline, and the comparison.
    for (i, (st, d, revs)) in others.iter().enumerate() {
        let id = d.lock().expect("store").device_id();
        bare_runs.push(bare_run(dir.path(), &format!("bare{}", i + 1), id, &batches(revs)).await);
        let (report, took) = push(d, options()).await;
        assert_eq!(report.pushed as usize, revs.len(), "{report:?}");
        assert!(
            check_exactly_once(st.as_ref(), d),
            "round {} stored exactly once",
            i + 1
        );
        liaison_runs.push(took);
        stage_runs.push(stages(
            dir.path(),
            &format!("stages{}", i + 1),
            id,
            &batches(revs),
            &mut spares[i + 1],
        ));
    }
    {
        let (_, d, revs) = others.last().expect("a last round");
        let id = d.lock().expect("store").device_id();
        bare_runs.push(bare_run(dir.path(), &format!("bare{ROUNDS}"), id, &batches(revs)).await);
    }
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "\nfull push of {n} against a BASELINE: the same batches (the same zstd PushRequest bodies) posted over HTTP \
         to a bare axum handler that decodes them and inserts every revision into a plain SQLite table (WAL, \
         synchronous=FULL, one transaction per batch, no checks); {ROUNDS} rounds, each Liaison push between two \
         baseline runs, every run on fresh databases:"
    );
    let mut ratios = Vec::new();
    for (i, l) in liaison_runs.iter().enumerate() {
        let (before, after) = (rate(bare_runs[i].took), rate(bare_runs[i + 1].took));
        let ratio = rate(*l) / ((before + after) / 2.0);
        ratios.push(ratio);
        println!(
            "  round {}: baseline {before:.0} records/s, Liaison {:.0} records/s, baseline {after:.0} records/s: \
             {ratio:.2}x",
            i + 1,
            rate(*l)
        );
    }
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    let bare_took = percentile(bare_runs.iter().map(|r| r.took).collect(), 0.5);
    let liaison_took = percentile(liaison_runs.clone(), 0.5);
    let bare_decode = percentile(bare_runs.iter().map(|r| r.decode).collect(), 0.5);
    let bare_insert = percentile(bare_runs.iter().map(|r| r.insert).collect(), 0.5);
    println!(
        "  medians: baseline {:.0} records/s ({:.1} µs per record: decode {:.1}, insert+commit {:.1}, the rest HTTP \
         and client encode), Liaison {:.0} records/s ({:.1} µs per record)",
        rate(bare_took),
        us_per(bare_took, n),
        us_per(bare_decode, n),
        us_per(bare_insert, n),
        rate(liaison_took),
        us_per(liaison_took, n)
    );
    println!(
        "full push: {ratio:.2}x of a bare axum+SQLite insert of the same batches (aim ≥ 0.5x; median of the {ROUNDS} \
         rounds' ratios)"
    );
    let median = |f: fn(&Stages) -> Duration| percentile(stage_runs.iter().map(f).collect(), 0.5);
    let (decode, examine, push_all) = (
        us_per(median(|s| s.decode), n),
        us_per(median(|s| s.examine), n),
        us_per(median(|s| s.push), n),
    );
    let client =
        |f: fn(&Client) -> Duration| us_per(percentile(stage_runs.iter().map(|s| f(&s.client)).collect(), 0.5), n);
    let total = us_per(liaison_took, n);
    let remainder = total - decode - push_all;
    println!(
        "where Liaison's full push spends its time, µs per record (each stage alone in one thread, median of {ROUNDS}):"
    );
    let row = |what: &str, us: f64, note: &str| println!("{}", format!("  {what:<56} {us:>6.1}  {note}").trim_end());
    row("decode (protocol::decode of the batch bodies)", decode, "");
    row("judge examine (validate, canonical body, hash)", examine, "");
    row(
        "storage push (lookups, judge decide, inserts, commit)",
        push_all - examine,
        &format!("SqliteStorage::push {push_all:.1} minus examine"),
    );
    row(
        "remainder (HTTP, client side, encode)",
        remainder,
        "total minus the above",
    );
    row(
        "  of which the client alone",
        client(Client::total),
        &format!(
            "measured without a server: outbox read {:.1}, encode {:.1}, recording acks {:.1}",
            client(|c| c.outbox),
            client(|c| c.encode),
            client(|c| c.acks)
        ),
    );
    let (bare_alone_us, bare_indexed_us) = (
        us_per(median(|s| s.bare_insert), n),
        us_per(median(|s| s.bare_indexed), n),
    );
    row(
        "  of which HTTP and the server's request handling",
        remainder - client(Client::total),
        &format!(
            "remainder minus the client; it also takes in how much slower work runs inside an HTTP run than alone \
             (the baseline's insert+commit: {:.1} in its HTTP runs, {bare_alone_us:.1} alone)",
            us_per(bare_insert, n)
        ),
    );
    row("total (median full push)", total, "");
    let encode = client(|c| c.encode);
    let (liaison_sum, bare_sum) = (
        decode + push_all + client(Client::total),
        decode + bare_alone_us + encode,
    );
    println!(
        "  the baseline's stages alone, one thread: decode {decode:.1} (the same), insert+commit {bare_alone_us:.1} \
         ({bare_indexed_us:.1} with the server's three indexes on revisions: UNIQUE id, UNIQUE (device_id, \
         device_seq), record_id), client encode {encode:.1}"
    );
    println!(
        "  stages alone, summed: Liaison {liaison_sum:.1} µs per record (decode, storage push, client), baseline \
         {bare_sum:.1} (decode, insert+commit, encode) = {:.2}x, beside the {ratio:.2}x end to end",
        bare_sum / liaison_sum
    );

    // 2. Incremental push of 100, several times.
    let officer = OfficerId::new("PS 2817").expect("officer");
    let mut times = Vec::new();
    let mut bytes = 0;
    for round in 0..7 {
        let records: Vec<Record> = templates.iter().cycle().skip(round * 100).take(100).cloned().collect();
        let op = revisions
            .iter()
            .find(|r| r.kind == RecordKind::Operation)
            .map(|r| r.record_id);
        let records = records
            .into_iter()
            .map(|mut r| {
                if r.operation_id.is_some() {
                    r.operation_id = op;
                }
                r
            })
            .collect();
        a.lock().expect("store").import(&officer, records).expect("import");
        let (report, took) = push(&a, options()).await;
        assert_eq!(report.pushed, 100, "{report:?}");
        times.push(took);
        bytes = report.bytes_sent;
    }
    println!("\nincremental push of 100 (7 rounds):");
    println!(
        "  median {:.1} ms, best {:.1} ms, worst {:.1} ms; {} bytes sent",
        ms(percentile(times.clone(), 0.5)),
        ms(percentile(times.clone(), 0.0)),
        ms(percentile(times, 1.0)),
        bytes
    );
    println!(
        "  exactly once on the server: {}",
        check_exactly_once(storage.as_ref(), &a)
    );

    // 3. 50 devices at once.
    let mut stores = Vec::new();
    for i in 0..DEVICES {
        // Each device holds its demo operation, already synced; then its officer records
        // PER_DEVICE new revisions, and all 50 sync at once.
        let s = device(
            dir.path(),
            &format!("d{i}"),
            storage.as_ref(),
            &url,
            (&templates, &demo),
            0,
        )
        .await;
        push(&s, options()).await;
        let fresh: Vec<Record> = {
            let st = s.lock().expect("store");
            let op = st
                .list(&liaison_core::store::ListFilter {
                    kinds: vec![RecordKind::Operation],
                    limit: 1,
                    ..Default::default()
                })
                .expect("list")[0]
                .record_id;
            templates
                .iter()
                .cycle()
                .skip(i * 7)
                .take(PER_DEVICE)
                .cloned()
                .map(|mut r| {
                    if r.operation_id.is_some() {
                        r.operation_id = Some(op);
                    }
                    r
                })
                .collect()
        };
        s.lock().expect("store").import(&officer, fresh).expect("import");
        stores.push(s);
    }
    let total: usize = stores
        .iter()
        .map(|s| s.lock().expect("store").sync_status().expect("status").waiting as usize)
        .sum();
    let options = options();
    let start = Instant::now();
    let tasks: Vec<_> = stores
        .iter()
        .map(|s| {
            let s = s.clone();
            let o = options.clone();
            tokio::spawn(async move { push(&s, o).await })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        let (report, _) = t.await.expect("task");
        latencies.extend(report.batch_latencies);
    }
    let took = start.elapsed();
    let all_there = stores.iter().all(|s| check_exactly_once(storage.as_ref(), s));
    println!(
        "\n{DEVICES} devices pushing at once ({total} revisions, batches of {}):",
        options.batch_size
    );
    println!(
        "  {:.0} records/s overall ({:.1} ms)",
        total as f64 / took.as_secs_f64(),
        ms(took)
    );
    println!(
        "  batch latency: p50 {:.1} ms, p99 {:.1} ms ({} batches)",
        ms(percentile(latencies.clone(), 0.5)),
        ms(percentile(latencies.clone(), 0.99)),
        latencies.len()
    );
    println!("  nothing lost, nothing twice: {all_there}");
    println!(
        "  server chains verify: {}",
        storage.verify().expect("verify").problems.is_empty()
    );

    postgres_beside_sqlite(dir.path(), &templates, &demo).await;
}

// ---- 4. PostgreSQL beside SQLite ----

/// The PostgreSQL server to measure on, as a connection string, if one is configured.
fn postgres_server() -> Option<String> {
    if let Some(url) = std::env::var("LIAISON_TEST_POSTGRES").ok().filter(|u| !u.is_empty()) {
        return Some(url);
    }
    std::env::var("PGHOST").or_else(|_| std::env::var("PGPORT")).ok()?;
    let quote = |v: String| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"));
    Some(
        [
            ("PGHOST", "host"),
            ("PGPORT", "port"),
            ("PGUSER", "user"),
            ("PGPASSWORD", "password"),
            ("PGDATABASE", "dbname"),
        ]
        .iter()
        .filter_map(|(var, key)| std::env::var(var).ok().map(|v| format!("{key}={}", quote(v))))
        .collect::<Vec<_>>()
        .join(" "),
    )
}

/// One statement on the server (its own connection), first column of each row as text.
async fn pg_sql(conninfo: &str, sql: &str) -> Vec<Option<String>> {
    let (client, connection) = conninfo
        .parse::<tokio_postgres::Config>()
        .expect("conninfo")
        .connect(tokio_postgres::NoTls)
        .await
        .expect("connect to PostgreSQL");
    let driver = tokio::spawn(connection);
    let rows = client.simple_query(sql).await.expect("sql");
    drop(client);
    let _ = driver.await;
    rows.into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).map(str::to_string)),
            _ => None,
        })
        .collect()
}

/// A fresh database on the server for one measurement; returns its connection string.
async fn pg_database(server: &str, made: &mut Vec<String>) -> String {
    let name = format!("liaison_bench_{}", Uuid::now_v7().simple());
    pg_sql(server, &format!("CREATE DATABASE {name}")).await;
    made.push(name.clone());
    format!("{server} dbname='{name}'")
}

/// Everything a database holds on disk (tables with their indexes and TOAST).
async fn pg_bytes(db: &str) -> u64 {
    pg_sql(db, "VACUUM").await;
    pg_sql(
        db,
        "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r'",
    )
    .await[0]
        .as_deref()
        .expect("size")
        .parse()
        .expect("size")
}

/// The SQLite file with its WAL folded in.
fn sqlite_bytes(path: &std::path::Path) -> u64 {
    let c = rusqlite::Connection::open(path).expect("open");
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    std::fs::metadata(path).expect("size").len()
}

/// An in-process server on a fresh PostgreSQL database.
async fn pg_server(db: &str) -> (Arc<dyn Storage>, String) {
    let db = db.to_string();
    let storage: Arc<dyn Storage> =
        tokio::task::spawn_blocking(move || Arc::new(liaison_server::PostgresStorage::open(&db).expect("open")) as _)
            .await
            .expect("open");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let s = storage.clone();
    tokio::spawn(async move { liaison_server::serve(listener, s, std::future::pending()).await });
    (storage, url)
}

/// The real binary serving the database `db`; returns the child and its address.
fn serve_process(db: &str) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_liaison-server"))
        .args([
            "--database",
            db,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--plain-http-loopback",
        ])
        // Two hundred tablets enrol from one address here; a force's would come from many.
        .args(["--enroll-rate", "10000", "--enroll-burst", "10000"])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn liaison-server");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening on")
        .to_string();
    (child, format!("http://{addr}"))
}

/// `n` copies of demo records (from the `skip`th on), in the device's own demo operation.
fn fresh_records(store: &Arc<Mutex<Store>>, templates: &[Record], skip: usize, n: usize) -> Vec<Record> {
    let st = store.lock().expect("store");
    let op = st
        .list(&liaison_core::store::ListFilter {
            kinds: vec![RecordKind::Operation],
            limit: 1,
            ..Default::default()
        })
        .expect("list")[0]
        .record_id;
    templates
        .iter()
        .cycle()
        .skip(skip)
        .take(n)
        .cloned()
        .map(|mut r| {
            if r.operation_id.is_some() {
                r.operation_id = Some(op);
            }
            r
        })
        .collect()
}

async fn postgres_beside_sqlite(dir: &std::path::Path, templates: &[Record], demo: &[Revision]) {
    let Some(pg) = postgres_server() else {
        println!(
            "
PostgreSQL: skipped (no PGHOST/PGPORT or LIAISON_TEST_POSTGRES; run under `pg_virtualenv -t`)"
        );
        return;
    };
    let mut made = Vec::new();
    let version = pg_sql(&pg, "SHOW server_version").await[0].clone().unwrap_or_default();
    println!(
        "
PostgreSQL {version} beside SQLite (same machine, server in this process, taking turns):"
    );
    const TURNS: usize = 3;
    let mut full: [Vec<Duration>; 2] = Default::default();
    let mut incremental: [Vec<Duration>; 2] = Default::default();
    let mut per_revision = [0u64; 2];
    let mut exact = true;
    let officer = OfficerId::new("PS 2817").expect("officer");
    for turn in 0..TURNS {
        for (b, backend) in ["sqlite", "postgres"].iter().enumerate() {
            let name = format!("side-{backend}-{turn}");
            let pg_db = if b == 1 {
                Some(pg_database(&pg, &mut made).await)
            } else {
                None
            };
            let (storage, url) = match &pg_db {
                Some(db) => pg_server(db).await,
                None => {
                    let (s, u) = server(dir, &name).await;
                    (s as Arc<dyn Storage>, u)
                }
            };
            let d = device(
                dir,
                &format!("{name}-tablet"),
                storage.as_ref(),
                &url,
                (templates, demo),
                FULL,
            )
            .await;
            let (_, took) = push(&d, options()).await;
            full[b].push(took);
            // Incremental pushes of 100 on the same server.
            for round in 0..3 {
                let fresh = fresh_records(&d, templates, round * 11, 100);
                d.lock().expect("store").import(&officer, fresh).expect("import");
                let (_, took) = push(&d, options()).await;
                incremental[b].push(took);
            }
            exact &= check_exactly_once(storage.as_ref(), &d);
            let revisions = storage.verify().expect("verify").revisions;
            let bytes = match &pg_db {
                Some(db) => pg_bytes(db).await,
                None => sqlite_bytes(&dir.join(format!("{name}.db"))),
            };
            per_revision[b] = bytes / revisions.max(1);
        }
    }
    let rate = |d: Duration| FULL as f64 / d.as_secs_f64();
    let (sq, pq) = (percentile(full[0].clone(), 0.5), percentile(full[1].clone(), 0.5));
    println!(
        "  full push of {FULL} (median of {TURNS}): SQLite {:.0} records/s, PostgreSQL {:.0} records/s = {:.2}x (aim >= 0.5x)",
        rate(sq),
        rate(pq),
        rate(pq) / rate(sq)
    );
    println!(
        "  incremental push of 100 (median of {}): SQLite {:.1} ms, PostgreSQL {:.1} ms",
        incremental[0].len(),
        ms(percentile(incremental[0].clone(), 0.5)),
        ms(percentile(incremental[1].clone(), 0.5))
    );
    println!(
        "  disk per revision (everything, indexes and audit logs included): SQLite {} bytes, PostgreSQL {} bytes",
        per_revision[0], per_revision[1]
    );
    println!("  nothing lost, nothing twice: {exact}");

    // 200 devices across two serve processes on one PostgreSQL database.
    const MANY: usize = 200;
    let db = pg_database(&pg, &mut made).await;
    let admin = {
        let db = db.clone();
        tokio::task::spawn_blocking(move || Arc::new(liaison_server::PostgresStorage::open(&db).expect("open")))
            .await
            .expect("open")
    };
    let (mut one, url_one) = serve_process(&db);
    let (mut two, url_two) = serve_process(&db);
    let mut stores = Vec::new();
    for i in 0..MANY {
        let url = if i % 2 == 0 { &url_one } else { &url_two };
        let s = device(dir, &format!("many{i}"), admin.as_ref(), url, (templates, demo), 0).await;
        push(&s, options()).await;
        let fresh = fresh_records(&s, templates, i * 7, PER_DEVICE);
        s.lock().expect("store").import(&officer, fresh).expect("import");
        stores.push(s);
    }
    let total = MANY * PER_DEVICE;
    let start = Instant::now();
    let tasks: Vec<_> = stores
        .iter()
        .map(|s| {
            let (s, o) = (s.clone(), options());
            tokio::spawn(async move { push(&s, o).await })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("task").0.batch_latencies);
    }
    let took = start.elapsed();
    let all_there = stores.iter().all(|s| check_exactly_once(admin.as_ref(), s));
    println!(
        "
{MANY} devices pushing at once across two serve processes on one PostgreSQL ({total} revisions, batches of {}):",
        options().batch_size
    );
    println!(
        "  {:.0} records/s overall ({:.1} ms)",
        total as f64 / took.as_secs_f64(),
        ms(took)
    );
    println!(
        "  batch latency: p50 {:.1} ms, p99 {:.1} ms ({} batches; aim p99 <= 250 ms)",
        ms(percentile(latencies.clone(), 0.5)),
        ms(percentile(latencies.clone(), 0.99)),
        latencies.len()
    );
    println!("  nothing lost, nothing twice: {all_there}");
    println!(
        "  server chains verify: {}",
        admin.verify().expect("verify").problems.is_empty()
    );
    let _ = one.kill();
    let _ = two.kill();
    let _ = (one.wait(), two.wait());
    drop(admin);
    for name in made {
        pg_sql(&pg, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    }
}
