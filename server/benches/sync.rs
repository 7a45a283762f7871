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

use chrono::Utc;
use liaison_core::records::{OfficerId, Record, RecordKind};
use liaison_core::store::Store;
use liaison_core::sync::{SyncClient, SyncOptions, SyncReport};
use liaison_server::storage::Storage;
use liaison_server::SqliteStorage;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FULL: usize = 10_000;
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

/// Demo records (every kind the demo operation has), to be copied into a device.
fn demo_records(dir: &std::path::Path) -> (Vec<Record>, usize) {
    let mut demo = Store::open(dir.join("demo.db")).expect("demo store");
    liaison_core::demo::generate(&mut demo, Utc::now(), 1).expect("demo data");
    let revs = demo.outbox(1_000_000).expect("demo revisions");
    let n = revs.len();
    let records = revs
        .into_iter()
        .filter(|r| r.kind != RecordKind::Operation && r.parent.is_none())
        .map(|r| r.body)
        .collect();
    (records, n)
}

/// A device holding the demo operation plus `n` copies of demo records, enrolled.
async fn device(
    dir: &std::path::Path,
    name: &str,
    storage: &dyn Storage,
    url: &str,
    templates: &[Record],
    n: usize,
) -> Arc<Mutex<Store>> {
    let officer = OfficerId::new("PS 2817").expect("officer");
    let mut store = Store::open(dir.join(format!("{name}.db"))).expect("device store");
    liaison_core::demo::generate(&mut store, Utc::now(), 1).expect("demo");
    let op = store
        .list(&liaison_core::store::ListFilter {
            kinds: vec![RecordKind::Operation],
            limit: 1,
            ..Default::default()
        })
        .expect("list")[0]
        .record_id;
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

    let (templates, demo_revisions) = demo_records(dir.path());
    println!("sync benchmark: server on {url}, SQLite WAL synchronous=FULL on disk; demo operation = {demo_revisions} revisions");

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
    let a = device(dir.path(), "full", storage.as_ref(), &url, &templates, FULL).await;
    let revisions = a.lock().expect("store").outbox(1_000_000).expect("outbox");
    let json_bytes: usize = revisions
        .iter()
        .map(|r| serde_json::to_vec(r).expect("json").len())
        .sum();
    let n = revisions.len();
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
    let (report, took) = push(&a, options()).await;
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
        let s = device(dir.path(), &format!("d{i}"), storage.as_ref(), &url, &templates, 0).await;
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
}
