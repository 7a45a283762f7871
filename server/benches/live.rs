//! Live-picture benchmark: how long after a tablet's push is acknowledged does the record
//! reach a commander's open live page? A real server on 127.0.0.1 (SQLite on disk), one
//! operation set up through the console API by a signed-in commander, [`DEVICES`] enrolled
//! tablets (real device stores) on its team, and one subscriber holding the operation's event
//! stream open (`GET /console/api/operations/{id}/events`). Prints figures; the target
//! (p95 ≤ 1 s) is checked by reading them, not asserted.
//!
//!     cargo bench -p liaison-server --bench live
//!     BENCH_DEVICES=10 BENCH_ROUNDS=5 cargo bench -p liaison-server --bench live
//!
//! Each round, every tablet records one tension reading in the operation and pushes it, all at
//! once; the instant each push returns (the server's acknowledgement reached the tablet) is
//! kept per record id, and so is the instant the subscriber reads the `record` event carrying
//! that record id. The next round starts when the subscriber has every record of this one.
//!
//! The server (and its blocking pool), the tablets and the subscriber each run on their own
//! tokio runtime, so a tablet's SQLite write never holds up the thread that would read the
//! event, nor the server's. The stream is woken by the push itself, so an event can reach the
//! page before the push's answer reaches the tablet: such a record counts as 0 ms and how many
//! did so is printed.

use chrono::Utc;
use liaison_core::records::{Body, Mood, OfficerId, Record, TensionReading};
use liaison_core::store::Store;
use liaison_core::sync::{SyncClient, SyncOptions, SyncReport};
use liaison_server::console::model::{OfficerEntry, StaffRole};
use liaison_server::console::{password, ConsoleOptions};
use liaison_server::storage::console::StaffAccount;
use liaison_server::{ServeOptions, SqliteStorage, Storage};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Tablets pushing at once (`BENCH_DEVICES`).
const DEVICES: usize = 50;
/// Readings each tablet records and pushes, one a round (`BENCH_ROUNDS`).
const ROUNDS: usize = 20;
/// A round's records not all on the page by then means the stream lost them.
const ROUND_DEADLINE: Duration = Duration::from_secs(30);
const COMMANDER: &str = "supt.grant";
const PASSWORD: &str = "a long benchmark passphrase";

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// The benchmark's server is plain HTTP on 127.0.0.1: it measures the live path, not TLS.
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

fn officer_id(i: usize) -> String {
    format!("PC {}", 1000 + i)
}

fn square(lat: f64, lon: f64, d: f64) -> Value {
    json!([
        { "lat": lat, "lon": lon },
        { "lat": lat, "lon": lon + d },
        { "lat": lat + d, "lon": lon + d },
        { "lat": lat + d, "lon": lon }
    ])
}

/// The operation as the console's editor sends it, with `team` on it.
fn operation_body(team: &[String]) -> Value {
    json!({
        "parent": null,
        "reason": null,
        "operation": {
            "name": "Op LIVE BENCH",
            "event_kind": "march",
            "starts_at": "2026-12-05T10:00:00Z",
            "ends_at": "2026-12-05T16:00:00Z",
            "area": square(52.470, -1.910, 0.03),
            "sectors": [
                { "name": "Sector 1: Assembly", "boundary": square(52.470, -1.910, 0.01) },
                { "name": "Sector 2: Route", "boundary": square(52.480, -1.900, 0.01) }
            ],
            "briefing": "Information: a march of about 2,000.\nIntention: facilitate peaceful protest.",
            "command_structure": "Gold: Supt Grant; Silver: CI Patel; Bronze: Insp Hale",
            "team": team.iter().map(|o| json!({ "officer": o, "role": "PLO" })).collect::<Vec<_>>()
        }
    })
}

/// A signed-in commander: the session cookie and the CSRF token changes carry.
struct Session {
    base: String,
    cookie: String,
    csrf: String,
    http: reqwest::Client,
}

impl Session {
    async fn sign_in(base: &str) -> Session {
        let http = reqwest::Client::new();
        let resp = http
            .post(format!("{base}/console/api/session"))
            .header("content-type", "application/json")
            .body(json!({ "username": COMMANDER, "password": PASSWORD }).to_string())
            .send()
            .await
            .expect("sign in");
        assert!(resp.status().is_success(), "sign in: {}", resp.status());
        let cookie = resp
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_string();
        let body: Value = serde_json::from_str(&resp.text().await.expect("sign-in answer")).expect("sign-in json");
        Session {
            base: base.to_string(),
            cookie,
            csrf: body["csrf"].as_str().expect("csrf token").to_string(),
            http,
        }
    }

    async fn request(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}/console/api{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let resp = req.send().await.expect("console request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).expect("console answer")
    }
}

/// An enrolled tablet of the operation's team.
struct Tablet {
    _dir: tempfile::TempDir,
    store: Arc<Mutex<Store>>,
    officer: OfficerId,
    client: SyncClient,
}

/// A fresh device store, enrolled with a code issued for `officer`, that has synced once and
/// so holds the operation.
async fn tablet(storage: &dyn Storage, url: &str, officer: &str) -> Tablet {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Mutex::new(
        Store::open(dir.path().join("device.db")).expect("device store"),
    ));
    let code = liaison_server::auth::new_enrollment_code();
    storage
        .add_enrollment_code(
            &liaison_server::auth::hash_secret(&liaison_server::auth::normalise_code(&code)),
            officer,
            Utc::now() + chrono::Duration::hours(1),
        )
        .expect("code");
    SyncClient::new(url, options())
        .expect("client")
        .enroll(&store, &code)
        .await
        .expect("enroll");
    let client = SyncClient::for_store(&store, options()).expect("client");
    client.sync(&store, &|_, _, _| {}).await.expect("first sync");
    Tablet {
        _dir: dir,
        store,
        officer: OfficerId::new(officer).expect("officer"),
        client,
    }
}

fn reading(operation: Uuid, n: usize) -> Record {
    Record {
        operation_id: Some(operation),
        occurred_at: Utc::now(),
        location: None,
        sector: Some("Sector 2: Route".into()),
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::TensionReading(TensionReading {
            mood: [Mood::Calm, Mood::Uneasy, Mood::Tense][n % 3],
            crowd_estimate: Some(300 + n as u32),
            note: String::new(),
        }),
    }
}

/// One round on one tablet: record a reading, push it. Returns its record id, when the push
/// started and when its answer came back.
async fn record_and_push(tablet: Arc<Tablet>, operation: Uuid, n: usize) -> (Uuid, Instant, Instant) {
    let t = tablet.clone();
    let record_id = tokio::task::spawn_blocking(move || {
        t.store
            .lock()
            .expect("store")
            .create(&t.officer, reading(operation, n))
            .expect("reading")
            .record_id
    })
    .await
    .expect("record");
    let mut report = SyncReport::default();
    let start = Instant::now();
    tablet
        .client
        .push(&tablet.store, &mut report, &|_, _, _| {})
        .await
        .expect("push");
    (record_id, start, Instant::now())
}

/// When the page read each record's event (the first time it did).
type Seen = Arc<Mutex<HashMap<Uuid, Instant>>>;

/// The live page: holds the event stream open on a thread and runtime of its own and notes
/// the instant each `record` event is read. Returns once the stream answered 200.
fn subscribe(url: String, cookie: String, seen: Seen) -> std::thread::JoinHandle<()> {
    let (ready, opened) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("subscriber runtime");
        rt.block_on(async move {
            let mut resp = reqwest::Client::new()
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .expect("event stream");
            assert!(resp.status().is_success(), "event stream: {}", resp.status());
            ready.send(()).expect("ready");
            let mut buf = String::new();
            while let Ok(Some(chunk)) = resp.chunk().await {
                let at = Instant::now();
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let block: String = buf.drain(..end + 2).collect();
                    let (mut kind, mut data) = (String::new(), String::new());
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("event:") {
                            kind = v.trim().into();
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.trim());
                        }
                    }
                    match kind.as_str() {
                        "record" => {
                            let live: Value = serde_json::from_str(&data).expect("a LiveRecord");
                            let id = live["record_id"]
                                .as_str()
                                .and_then(|s| Uuid::parse_str(s).ok())
                                .expect("record_id");
                            seen.lock().expect("seen").entry(id).or_insert(at);
                        }
                        "reload" => panic!("the page was told to reload: {data}"),
                        _ => {}
                    }
                }
            }
        });
    });
    opened.recv().expect("the event stream opened");
    thread
}

fn main() {
    let devices = knob("BENCH_DEVICES", DEVICES);
    let rounds = knob("BENCH_ROUNDS", ROUNDS);
    let dir = tempfile::tempdir().expect("tempdir");
    let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(dir.path().join("server.db")).expect("server db"));

    // The server on a runtime of its own, as it would be in its own process.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime");
    let listener = server_rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let serve_options = ServeOptions {
        console: ConsoleOptions {
            assets: None,
            ..Default::default()
        },
        ..Default::default()
    };
    server_rt.spawn(liaison_server::serve_with(
        listener,
        storage.clone(),
        serve_options,
        std::future::pending(),
    ));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tablets runtime");
    rt.block_on(run(storage, url, devices, rounds));
    drop(rt);
    server_rt.shutdown_background();
}

async fn run(storage: Arc<dyn Storage>, url: String, devices: usize, rounds: usize) {
    let setup = Instant::now();
    storage
        .add_staff(
            &StaffAccount {
                username: COMMANDER.into(),
                display_name: "Supt Grant (benchmark)".into(),
                role: StaffRole::Gold,
                officer: None,
                password_hash: password::hash(PASSWORD).expect("hash"),
            },
            "bench",
        )
        .expect("commander");
    let team: Vec<String> = (0..devices).map(officer_id).collect();
    for o in &team {
        storage
            .put_officer(
                &OfficerEntry {
                    officer: o.clone(),
                    name: format!("{o} (benchmark)"),
                    rank: "PC".into(),
                    role: "PLO".into(),
                    team: "PLT".into(),
                    supervisor: None,
                },
                "bench",
            )
            .expect("officer");
    }
    let commander = Session::sign_in(&url).await;
    let created = commander
        .request(reqwest::Method::POST, "/operations", Some(operation_body(&team)))
        .await;
    let operation = Uuid::parse_str(created["id"].as_str().expect("operation id")).expect("uuid");

    let mut joining = tokio::task::JoinSet::new();
    for o in &team {
        let (storage, url, o) = (storage.clone(), url.clone(), o.clone());
        joining.spawn(async move { Arc::new(tablet(storage.as_ref(), &url, &o).await) });
    }
    let tablets: Vec<Arc<Tablet>> = joining.join_all().await;

    // The page opens where the picture it has drawn ends, as the console's live page does.
    let picture = commander
        .request(reqwest::Method::GET, &format!("/operations/{operation}/picture"), None)
        .await;
    let position = picture["position"].as_i64().expect("picture position");
    let seen: Seen = Arc::default();
    let _page = subscribe(
        format!("{url}/console/api/operations/{operation}/events?after={position}"),
        commander.cookie.clone(),
        seen.clone(),
    );
    println!(
        "live benchmark: server on {url}, SQLite on disk; {devices} tablets enrolled and synced, \
         one live page open (setup {:.1} s); {rounds} rounds of one tension reading per tablet, pushed at once",
        setup.elapsed().as_secs_f64()
    );

    // (record id, push started, push acknowledged)
    let mut pushes: Vec<(Uuid, Instant, Instant)> = Vec::with_capacity(devices * rounds);
    let run = Instant::now();
    for round in 0..rounds {
        let mut pushing = tokio::task::JoinSet::new();
        for (i, t) in tablets.iter().enumerate() {
            pushing.spawn(record_and_push(t.clone(), operation, round * devices + i));
        }
        let pushed = pushing.join_all().await;
        let deadline = Instant::now() + ROUND_DEADLINE;
        loop {
            let missing = {
                let seen = seen.lock().expect("seen");
                pushed.iter().filter(|(id, _, _)| !seen.contains_key(id)).count()
            };
            if missing == 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "round {round}: {missing} of {devices} records never reached the live page"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        pushes.extend(pushed);
    }
    let took = run.elapsed();

    let seen = seen.lock().expect("seen").clone();
    let mut before_ack = 0;
    let latencies: Vec<Duration> = pushes
        .iter()
        .map(|(id, _, acked)| {
            let at = seen[id];
            if at < *acked {
                before_ack += 1;
            }
            at.saturating_duration_since(*acked)
        })
        .collect();
    // The same arrivals from when the tablet started its push: never negative, and what a
    // commander waits for after the tablet has a connection.
    let from_push: Vec<Duration> = pushes.iter().map(|(id, sent, _)| seen[id] - *sent).collect();
    let round_trips: Vec<Duration> = pushes.iter().map(|(_, sent, acked)| *acked - *sent).collect();
    let n = latencies.len();
    let max = latencies.iter().max().copied().unwrap_or_default();
    println!(
        "live event after push ack, {devices} devices: n={n}, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, \
         max {:.1} ms (aim p95 ≤ 1 s)",
        ms(percentile(latencies.clone(), 0.50)),
        ms(percentile(latencies.clone(), 0.95)),
        ms(percentile(latencies, 0.99)),
        ms(max),
    );
    println!(
        "  {before_ack} of {n} events reached the page before the push's answer reached the tablet (counted as 0 ms)"
    );
    println!(
        "  live event after push started, {devices} devices: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(percentile(from_push.clone(), 0.50)),
        ms(percentile(from_push.clone(), 0.95)),
        ms(percentile(from_push.clone(), 0.99)),
        ms(from_push.iter().max().copied().unwrap_or_default()),
    );
    println!(
        "  push round trip (record pushed to acknowledged), {devices} at once: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        ms(percentile(round_trips.clone(), 0.50)),
        ms(percentile(round_trips.clone(), 0.95)),
        ms(percentile(round_trips, 0.99)),
    );
    println!(
        "  {n} records in {:.1} s ({:.0} records/s), every one on the live page",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );
}
