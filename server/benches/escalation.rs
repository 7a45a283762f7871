//! Escalation latency benchmark (issue 12): from the officer's save to the alert on a
//! supervisor's open alerts page, and from the supervisor's acknowledgement to the officer's
//! tablet holding it. Prints p50/p95/p99/max and the tablets' sync interval; asserts nothing
//! about timing.
//!
//!     cargo bench -p liaison-server --bench escalation
//!     BENCH_DEVICES=10 BENCH_ROUNDS=5 BENCH_SYNC_INTERVAL_MS=2000 cargo bench -p liaison-server --bench escalation
//!
//! A real server on 127.0.0.1 (SQLite on disk). [`DEVICES`] officers in the directory, all
//! with the same supervisor, each on an enrolled tablet (a real device store and sync
//! client); that supervisor signed in to the console with the alerts page open: it holds
//! `GET /console/api/alerts/events` open and, on every `alert` event, reads `GET /alerts`
//! again, as `ui/src/console/pages/Alerts.tsx` does. An alert is on the page when the first
//! such read that lists it returns.
//!
//! Each tablet runs a sync loop like the app's (`liaison_core::sync::Scheduler`): sync, then
//! wait out the interval unless woken sooner. Two passes of [`ROUNDS`] rounds each:
//!
//! 1. Every tablet's loop pulls every `BENCH_SYNC_INTERVAL_MS` (default 5 s). Each round,
//!    every tablet saves one escalation addressed to "my supervisor" (`Store::create`) and
//!    wakes its loop at once, as "Sync now" does. Save → alert is measured from the instant
//!    before the store write to the instant the page's read lists it. Once the page has the
//!    round's alerts, the supervisor acknowledges each (`POST /alerts/{id}/acknowledge`) at a
//!    random moment within one interval, so the acknowledgement falls anywhere in the tablet's
//!    cycle, as it would in service. Acknowledgement → tablet is measured from the instant the
//!    POST's answer returned to the end of the first sync after which the tablet's store holds
//!    the acknowledged revision (`Store::get`: `acknowledged` is set).
//! 2. The same with every loop pulling continuously (interval 0), acknowledgements spread over
//!    one second: what is left is the server's part (its write, the pull, the store write).
//!
//! The server (and its blocking pool), the tablets and the page each run on their own tokio
//! runtime. The device rate limit is raised for the benchmark: continuous pulling is far
//! above the 600 requests a minute a tablet is allowed in service.

use chrono::Utc;
use liaison_core::records::{Body, Escalation, EscalationKind, EscalationTo, OfficerId, Record};
use liaison_core::store::Store;
use liaison_core::sync::{SchedulerOptions, SyncClient, SyncOptions};
use liaison_core::Access;
use liaison_server::console::model::{OfficerEntry, StaffRole};
use liaison_server::console::{password, ConsoleOptions};
use liaison_server::limits::Limits;
use liaison_server::storage::console::StaffAccount;
use liaison_server::{ServeOptions, SqliteStorage, Storage};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use uuid::Uuid;

/// Tablets saving at once (`BENCH_DEVICES`).
const DEVICES: usize = 20;
/// Escalations each tablet saves in each pass, one a round (`BENCH_ROUNDS`).
const ROUNDS: usize = 10;
/// The tablets' sync interval in the first pass (`BENCH_SYNC_INTERVAL_MS`).
const SYNC_INTERVAL_MS: u64 = 5_000;
/// A round's alerts not all on the page by then, or acknowledgements not all on the tablets
/// by this long after the last was made, means something was lost.
const DEADLINE: Duration = Duration::from_secs(30);
const SUPERVISOR: &str = "PS 2817";
const SUPERVISOR_LOGIN: &str = "ps.2817";
const PASSWORD: &str = "a long benchmark passphrase";

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// The benchmark's server is plain HTTP on 127.0.0.1: it measures the escalation path, not TLS.
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
    format!("PCSO {}", 7000 + i)
}

/// Repeatable acknowledgement moments (SplitMix64).
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The signed-in supervisor: the session cookie and the CSRF token changes carry.
#[derive(Clone)]
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
            .body(json!({ "username": SUPERVISOR_LOGIN, "password": PASSWORD }).to_string())
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

    /// A session of its own connection pool, for the page's thread and runtime.
    fn on_new_client(&self) -> Session {
        Session {
            http: reqwest::Client::new(),
            ..self.clone()
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

/// An enrolled tablet and its sync loop's controls.
struct Tablet {
    _dir: tempfile::TempDir,
    store: Arc<Mutex<Store>>,
    officer: OfficerId,
    client: SyncClient,
    /// "Sync now": wakes the loop from its wait.
    wake: Notify,
    /// The loop's wait between syncs, in milliseconds (0: continuous).
    interval_ms: AtomicU64,
    stop: AtomicBool,
    /// Escalations acknowledged in the console that this tablet has not yet shown as such.
    watching: Mutex<Vec<Uuid>>,
    syncs: AtomicU64,
    failures: AtomicU64,
}

/// A fresh device store, enrolled with a code issued for `officer`, that has synced once.
async fn tablet(storage: &dyn Storage, url: &str, officer: &str, interval_ms: u64) -> Tablet {
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
        wake: Notify::new(),
        interval_ms: AtomicU64::new(interval_ms),
        stop: AtomicBool::new(false),
        watching: Mutex::new(Vec::new()),
        syncs: AtomicU64::new(0),
        failures: AtomicU64::new(0),
    }
}

/// When each acknowledged escalation was first held, acknowledged, by its officer's tablet.
type Shown = Arc<Mutex<HashMap<Uuid, Instant>>>;

/// The tablet's sync loop, as the app's scheduler runs it: sync, then wait out the interval
/// unless "Sync now" wakes it. After each sync, notes which watched escalations the store now
/// holds acknowledged.
async fn sync_loop(tablet: Arc<Tablet>, shown: Shown) {
    let access = Access {
        officer: tablet.officer.clone(),
        purpose: "escalation benchmark".into(),
    };
    while !tablet.stop.load(Ordering::SeqCst) {
        let outcome = tablet.client.sync(&tablet.store, &|_, _, _| {}).await;
        let at = Instant::now();
        tablet.syncs.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = outcome {
            if tablet.failures.fetch_add(1, Ordering::Relaxed) == 0 {
                eprintln!("{}: sync failed: {e}", tablet.officer);
            }
        }
        let arrived: Vec<Uuid> = {
            let store = tablet.store.lock().expect("store");
            let mut watching = tablet.watching.lock().expect("watching");
            let mut arrived = Vec::new();
            watching.retain(|id| {
                let current = store.get(*id, &access).expect("the escalation on its tablet");
                let acknowledged = matches!(&current.record.body, Body::Escalation(e) if e.acknowledged.is_some());
                if acknowledged {
                    arrived.push(*id);
                }
                !acknowledged
            });
            arrived
        };
        if !arrived.is_empty() {
            let mut shown = shown.lock().expect("shown");
            for id in arrived {
                shown.entry(id).or_insert(at);
            }
        }
        let wait = Duration::from_millis(tablet.interval_ms.load(Ordering::SeqCst));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = tablet.wake.notified() => {}
        }
    }
}

/// An escalation raised with no operation (neighbourhood mode), addressed to the officer's
/// supervisor.
fn raised(n: usize) -> Record {
    Record {
        operation_id: None,
        occurred_at: Utc::now(),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::Escalation(Escalation {
            category: EscalationKind::Safeguarding,
            summary: format!("Benchmark concern {n}: lone child outside the Co-op"),
            told: String::new(),
            told_at: Utc::now(),
            addressed_to: Some(EscalationTo::Supervisor),
            addressed_person: String::new(),
            escalated: vec![],
            acknowledged: None,
            decision: None,
            response: String::new(),
            response_at: None,
            responded_by: String::new(),
            monitored: vec![],
        }),
    }
}

/// The officer taps Save: the escalation is written to the store and the sync loop is woken
/// at once. Returns its record id and the instant before the write.
async fn save(tablet: Arc<Tablet>, n: usize) -> (usize, Uuid, Instant) {
    let t = tablet.clone();
    let (record_id, at) = tokio::task::spawn_blocking(move || {
        let at = Instant::now();
        let saved = t
            .store
            .lock()
            .expect("store")
            .create(&t.officer, raised(n))
            .expect("escalation saved");
        (saved.record_id, at)
    })
    .await
    .expect("save");
    tablet.wake.notify_one();
    (n, record_id, at)
}

/// What the page has shown: when each alert was first listed, and the revision it listed.
type Seen = Arc<Mutex<HashMap<Uuid, (Instant, String)>>>;

/// The alerts page: on a thread and runtime of its own, holds the event stream open and on
/// every `alert` event reads `/alerts` again (each read its own task, as the page's `load()`
/// is not awaited), noting when each alert is first listed. Returns once the stream answered.
fn open_page(session: Session, after: i64, seen: Seen) -> std::thread::JoinHandle<()> {
    let (ready, opened) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("page runtime");
        rt.block_on(async move {
            let session = session.on_new_client();
            let mut resp = session
                .http
                .get(format!("{}/console/api/alerts/events?after={after}", session.base))
                .header("cookie", &session.cookie)
                .send()
                .await
                .expect("alert stream");
            assert!(resp.status().is_success(), "alert stream: {}", resp.status());
            ready.send(()).expect("ready");
            let mut buf = String::new();
            while let Ok(Some(chunk)) = resp.chunk().await {
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
                        "alert" => {
                            let (session, seen) = (session.clone(), seen.clone());
                            tokio::spawn(async move {
                                let list = session.request(reqwest::Method::GET, "/alerts", None).await;
                                let at = Instant::now();
                                let mut seen = seen.lock().expect("seen");
                                for a in list["alerts"].as_array().expect("alerts") {
                                    let id = a["record_id"]
                                        .as_str()
                                        .and_then(|s| Uuid::parse_str(s).ok())
                                        .expect("record_id");
                                    let revision = a["revision"].as_str().expect("revision").to_string();
                                    seen.entry(id).or_insert((at, revision));
                                }
                            });
                        }
                        "reload" => panic!("the alerts page was told to reload: {data}"),
                        _ => {}
                    }
                }
            }
        });
    });
    opened.recv().expect("the alert stream opened");
    thread
}

/// A saved escalation on the page: its tablet, record id, when it was saved, when the page
/// listed it, and the revision the page listed.
type Listed = (usize, Uuid, Instant, Instant, String);

/// What one pass measured.
#[derive(Default)]
struct Pass {
    save_to_alert: Vec<Duration>,
    ack_to_tablet: Vec<Duration>,
    /// Acknowledgements the tablet held before the POST's answer reached the console.
    before_answer: usize,
    ack_posts: Vec<Duration>,
    /// Acknowledgement → tablet from when the POST was sent, never negative.
    ack_sent_to_tablet: Vec<Duration>,
    syncs: u64,
    took: Duration,
}

struct Bench {
    tablets: Vec<Arc<Tablet>>,
    supervisor: Session,
    seen: Seen,
    shown: Shown,
    rounds: usize,
    rng: Rng,
    saved: usize,
}

impl Bench {
    /// `rounds` rounds with every tablet's loop waiting `interval` between syncs, and the
    /// supervisor's acknowledgements spread over `spread`.
    async fn pass(&mut self, interval: Duration, spread: Duration) -> Pass {
        for t in &self.tablets {
            t.interval_ms.store(interval.as_millis() as u64, Ordering::SeqCst);
            t.wake.notify_one();
        }
        let syncs_before: u64 = self.tablets.iter().map(|t| t.syncs.load(Ordering::Relaxed)).sum();
        let mut out = Pass::default();
        let started = Instant::now();
        for round in 0..self.rounds {
            // Every officer saves an escalation at once; each tablet syncs straight away.
            let mut saving = tokio::task::JoinSet::new();
            for (i, t) in self.tablets.iter().enumerate() {
                saving.spawn(save(t.clone(), i));
                self.saved += 1;
            }
            let saved = saving.join_all().await;
            let deadline = Instant::now() + DEADLINE;
            let listed = loop {
                let listed: Option<Vec<Listed>> = {
                    let seen = self.seen.lock().expect("seen");
                    saved
                        .iter()
                        .map(|(i, id, at)| seen.get(id).map(|(on_page, rev)| (*i, *id, *at, *on_page, rev.clone())))
                        .collect()
                };
                if let Some(listed) = listed {
                    break listed;
                }
                assert!(
                    Instant::now() < deadline,
                    "round {round}: not every escalation reached the supervisor's page"
                );
                tokio::time::sleep(Duration::from_millis(2)).await;
            };
            out.save_to_alert.extend(
                listed
                    .iter()
                    .map(|(_, _, at, on_page, _)| on_page.saturating_duration_since(*at)),
            );

            // The supervisor acknowledges each, at a random moment within `spread`.
            let mut acking = tokio::task::JoinSet::new();
            for (i, id, _, _, revision) in listed {
                let tablet = self.tablets[i].clone();
                let supervisor = self.supervisor.clone();
                let after = spread.mul_f64(self.rng.unit());
                acking.spawn(async move {
                    tokio::time::sleep(after).await;
                    tablet.watching.lock().expect("watching").push(id);
                    let sent = Instant::now();
                    supervisor
                        .request(
                            reqwest::Method::POST,
                            &format!("/alerts/{id}/acknowledge"),
                            Some(json!({ "revision": revision })),
                        )
                        .await;
                    (id, sent, Instant::now())
                });
            }
            let acked = acking.join_all().await;
            let deadline = Instant::now() + interval + DEADLINE;
            loop {
                let missing = {
                    let shown = self.shown.lock().expect("shown");
                    acked.iter().filter(|(id, _, _)| !shown.contains_key(id)).count()
                };
                if missing == 0 {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "round {round}: {missing} acknowledgements never reached their tablets"
                );
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            let shown = self.shown.lock().expect("shown");
            for (id, sent, answered) in acked {
                let on_tablet = shown[&id];
                if on_tablet < answered {
                    out.before_answer += 1;
                }
                out.ack_to_tablet.push(on_tablet.saturating_duration_since(answered));
                out.ack_posts.push(answered - sent);
                out.ack_sent_to_tablet.push(on_tablet.saturating_duration_since(sent));
            }
        }
        out.took = started.elapsed();
        let syncs_after: u64 = self.tablets.iter().map(|t| t.syncs.load(Ordering::Relaxed)).sum();
        out.syncs = syncs_after - syncs_before;
        out
    }
}

fn main() {
    let devices = knob("BENCH_DEVICES", DEVICES);
    let rounds = knob("BENCH_ROUNDS", ROUNDS);
    let interval_ms = std::env::var("BENCH_SYNC_INTERVAL_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(SYNC_INTERVAL_MS);
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
    let plenty = NonZeroU32::new(1_000_000).expect("non-zero");
    let serve_options = ServeOptions {
        limits: Limits {
            device_per_minute: plenty,
            device_burst: plenty,
            ..Limits::default()
        },
        console: ConsoleOptions {
            assets: None,
            // Nothing is sent up the chain while the benchmark runs.
            escalate_after: Duration::from_secs(24 * 3600),
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
    rt.block_on(run(storage, url, devices, rounds, Duration::from_millis(interval_ms)));
    drop(rt);
    server_rt.shutdown_background();
}

fn row(what: &str, interval: &str, xs: &[Duration]) {
    println!(
        "| {what:<40} | {interval:<24} | {:>4} | {:>9.1} | {:>9.1} | {:>9.1} | {:>9.1} |",
        xs.len(),
        ms(percentile(xs.to_vec(), 0.50)),
        ms(percentile(xs.to_vec(), 0.95)),
        ms(percentile(xs.to_vec(), 0.99)),
        ms(xs.iter().max().copied().unwrap_or_default()),
    );
}

async fn run(storage: Arc<dyn Storage>, url: String, devices: usize, rounds: usize, interval: Duration) {
    let setup = Instant::now();
    storage
        .put_officer(
            &OfficerEntry {
                officer: SUPERVISOR.into(),
                name: format!("{SUPERVISOR} (benchmark)"),
                rank: "PS".into(),
                role: "NHT sergeant".into(),
                team: "Ladywood NHT".into(),
                supervisor: None,
            },
            "bench",
        )
        .expect("supervisor");
    storage
        .add_staff(
            &StaffAccount {
                username: SUPERVISOR_LOGIN.into(),
                display_name: "PS 2817 (benchmark)".into(),
                role: StaffRole::Supervisor,
                officer: Some(OfficerId::new(SUPERVISOR).expect("officer id")),
                password_hash: password::hash(PASSWORD).expect("hash"),
            },
            "bench",
        )
        .expect("supervisor's console account");
    let officers: Vec<String> = (0..devices).map(officer_id).collect();
    for o in &officers {
        storage
            .put_officer(
                &OfficerEntry {
                    officer: o.clone(),
                    name: format!("{o} (benchmark)"),
                    rank: "PCSO".into(),
                    role: "PCSO".into(),
                    team: "Ladywood NHT".into(),
                    supervisor: Some(SUPERVISOR.into()),
                },
                "bench",
            )
            .expect("officer");
    }
    let supervisor = Session::sign_in(&url).await;

    let mut joining = tokio::task::JoinSet::new();
    for o in &officers {
        let (storage, url, o) = (storage.clone(), url.clone(), o.clone());
        let ms = interval.as_millis() as u64;
        joining.spawn(async move { Arc::new(tablet(storage.as_ref(), &url, &o, ms).await) });
    }
    let tablets: Vec<Arc<Tablet>> = joining.join_all().await;
    let shown: Shown = Arc::default();
    let loops: Vec<_> = tablets
        .iter()
        .map(|t| tokio::spawn(sync_loop(t.clone(), shown.clone())))
        .collect();

    // The page opens where the list it has drawn ends, as the console's alerts page does.
    let list = supervisor.request(reqwest::Method::GET, "/alerts", None).await;
    let position = list["position"].as_i64().expect("alerts position");
    let seen: Seen = Arc::default();
    let _page = open_page(supervisor.clone(), position, seen.clone());

    let app_interval = SchedulerOptions::default().interval;
    println!(
        "escalation benchmark: server on {url}, SQLite on disk; {devices} tablets enrolled and synced, \
         their supervisor's alerts page open (setup {:.1} s); {rounds} rounds a pass, one escalation per tablet a round",
        setup.elapsed().as_secs_f64()
    );
    println!(
        "  save → alert: the tablet syncs right after the save (its sync loop woken, as \"Sync now\" does); \
         the app's scheduler (liaison_core::sync::Scheduler) syncs every {} s by default, on \"Sync now\" and \
         when coverage returns, and in this tree does not itself sync on a save: without that, add up to {} s",
        app_interval.as_secs(),
        app_interval.as_secs()
    );
    println!(
        "  ack → tablet: from the acknowledge POST's answer to the end of the tablet's first sync that brings it; \
         acknowledgements at random moments within max(interval, 1 s) of the round's alerts arriving"
    );

    let mut bench = Bench {
        tablets: tablets.clone(),
        supervisor,
        seen,
        shown,
        rounds,
        rng: Rng(0x5EED_1212),
        saved: 0,
    };
    let second = Duration::from_secs(1);
    let timed = bench.pass(interval, interval.max(second)).await;
    let continuous = bench.pass(Duration::ZERO, second).await;

    let interval_label = format!("{:.1} s", interval.as_secs_f64());
    println!();
    println!(
        "{devices} tablets, {rounds} rounds a pass, tablets' sync interval {interval_label} \
         (the app's default: {} s); milliseconds",
        app_interval.as_secs()
    );
    println!(
        "| {:<40} | {:<24} | {:>4} | {:>9} | {:>9} | {:>9} | {:>9} |",
        "path", "tablet sync", "n", "p50", "p95", "p99", "max"
    );
    println!(
        "|{:-<42}|{:-<26}|{:-<6}|{:-<11}|{:-<11}|{:-<11}|{:-<11}|",
        "", "", "", "", "", "", ""
    );
    row(
        "save → alert on the supervisor's page",
        &format!("on save; pull {interval_label}"),
        &timed.save_to_alert,
    );
    row(
        "acknowledge → the officer's tablet",
        &format!("every {interval_label}"),
        &timed.ack_to_tablet,
    );
    row(
        "save → alert on the supervisor's page",
        "on save; pull continuous",
        &continuous.save_to_alert,
    );
    row(
        "acknowledge → the officer's tablet",
        "continuous (0)",
        &continuous.ack_to_tablet,
    );
    println!();
    for (name, p) in [("interval pass", &timed), ("continuous pass", &continuous)] {
        println!(
            "  {name}: {:.1} s, {} syncs ({:.0}/s across the tablets), acknowledge POST answered in p50 {:.1} ms / p95 {:.1} ms; \
             {} of {} acknowledgements were on the tablet before the POST's answer (counted as 0 ms); \
             from the POST sent: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
            p.took.as_secs_f64(),
            p.syncs,
            p.syncs as f64 / p.took.as_secs_f64(),
            ms(percentile(p.ack_posts.clone(), 0.50)),
            ms(percentile(p.ack_posts.clone(), 0.95)),
            p.before_answer,
            p.ack_to_tablet.len(),
            ms(percentile(p.ack_sent_to_tablet.clone(), 0.50)),
            ms(percentile(p.ack_sent_to_tablet.clone(), 0.95)),
            ms(p.ack_sent_to_tablet.iter().max().copied().unwrap_or_default()),
        );
    }
    let failures: u64 = tablets.iter().map(|t| t.failures.load(Ordering::Relaxed)).sum();
    println!(
        "  {} escalations saved, every one alerted and its acknowledgement on its tablet; {failures} failed syncs",
        bench.saved
    );

    for t in &tablets {
        t.stop.store(true, Ordering::SeqCst);
        t.wake.notify_one();
    }
    for l in loops {
        let _ = l.await;
    }
}
