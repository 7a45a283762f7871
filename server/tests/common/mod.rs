//! Shared helpers for the server's tests: a real server on 127.0.0.1 (in this process, or
//! the real binary as a child process), devices with real stores, record builders, and the
//! check that both sides agree.

#![allow(dead_code)]

pub mod backend;
pub mod console;
pub mod proxy;

#[allow(unused_imports)]
pub use backend::{Backend, PgDatabase, TestDatabase};

use chrono::{TimeZone, Utc};
use liaison_core::records::*;
use liaison_core::store::Store;
use liaison_core::sync::{SyncClient, SyncOptions, SyncReport};
use liaison_server::storage::{NewOperation, Storage};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

pub fn officer(s: &str) -> OfficerId {
    OfficerId::new(s).unwrap()
}

/// A server running in this process on 127.0.0.1, over real TCP, on the test's backend
/// ([`backend::backend`]).
pub struct TestServer {
    /// A scratch directory for the test's files.
    pub dir: tempfile::TempDir,
    pub storage: Arc<dyn Storage>,
    pub database: TestDatabase,
    pub addr: SocketAddr,
    scheme: &'static str,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    /// Plain HTTP on 127.0.0.1, default limits.
    pub async fn start() -> TestServer {
        TestServer::start_with(liaison_server::ServeOptions::default()).await
    }

    /// Over TLS with a force CA and server certificate made by `tls init`; also returns the
    /// CA's PEM for the devices to pin.
    pub async fn start_tls(limits: liaison_server::limits::Limits) -> (TestServer, Vec<u8>) {
        let pki = tempfile::tempdir().unwrap();
        let issued = liaison_server::tls::init(pki.path(), &["127.0.0.1".into(), "localhost".into()], false).unwrap();
        let tls = liaison_server::tls::server_config(&issued.server_cert, &issued.server_key).unwrap();
        let server = TestServer::start_with(liaison_server::ServeOptions {
            tls: Some(tls),
            limits,
            ..Default::default()
        })
        .await;
        (server, std::fs::read(&issued.ca_cert).unwrap())
    }

    pub async fn start_with(options: liaison_server::ServeOptions) -> TestServer {
        let scheme = if options.tls.is_some() { "https" } else { "http" };
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::new();
        let storage = database.open();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let s = storage.clone();
        tokio::spawn(async move {
            liaison_server::serve_with(listener, s, options, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestServer {
            dir,
            storage,
            database,
            addr,
            scheme,
            stop: Some(tx),
        }
    }

    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// The SQLite file, for tests that read it (only on SQLite).
    pub fn sqlite_path(&self) -> PathBuf {
        self.database.sqlite_path().expect("this test reads the SQLite file")
    }

    pub fn operation(&self, name: &str, officers: &[&str]) -> Uuid {
        let op = create_operation(self.storage.as_ref(), name);
        for o in officers {
            self.storage.assign(op, o).unwrap();
        }
        op
    }

    pub fn code(&self, officer: &str) -> String {
        issue_code(self.storage.as_ref(), officer)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

pub fn create_operation(storage: &dyn Storage, name: &str) -> Uuid {
    let start = Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap();
    storage
        .create_operation(&NewOperation {
            name: name.into(),
            event_kind: EventKind::March,
            starts_at: start,
            ends_at: start + chrono::Duration::hours(6),
            briefing: "Facilitate peaceful protest.".into(),
            created_by: officer("Force IT"),
        })
        .unwrap()
}

pub fn issue_code(storage: &dyn Storage, officer: &str) -> String {
    let code = liaison_server::auth::new_enrollment_code();
    storage
        .add_enrollment_code(
            &liaison_server::auth::hash_secret(&liaison_server::auth::normalise_code(&code)),
            officer,
            Utc::now() + chrono::Duration::hours(1),
        )
        .unwrap();
    code
}

/// A tablet: a real store on disk and a sync client.
pub struct Device {
    pub dir: tempfile::TempDir,
    pub store: Arc<Mutex<Store>>,
    pub officer: OfficerId,
}

/// Options pinning the given force CA (no plain HTTP).
pub fn tls_options(ca_pem: &[u8]) -> SyncOptions {
    SyncOptions {
        ca_pem: Some(ca_pem.to_vec()),
        allow_plain_loopback: false,
        ..quick_options()
    }
}

pub fn quick_options() -> SyncOptions {
    SyncOptions {
        batch_size: 100,
        pull_page: 100,
        timeout: std::time::Duration::from_secs(5),
        connect_timeout: std::time::Duration::from_secs(2),
        ca_pem: None,
        // The in-process test server is plain HTTP on 127.0.0.1 (TLS has its own tests).
        allow_plain_loopback: true,
    }
}

impl Device {
    pub fn new(officer_id: &str) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("device.db")).unwrap();
        Device {
            dir,
            store: Arc::new(Mutex::new(store)),
            officer: officer(officer_id),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("device.db")
    }

    pub fn id(&self) -> Uuid {
        self.store.lock().unwrap().device_id()
    }

    pub async fn enroll(&self, url: &str, code: &str) {
        self.enroll_with(url, code, quick_options()).await;
    }

    pub async fn enroll_with(&self, url: &str, code: &str, options: SyncOptions) {
        let client = SyncClient::new(url, options).unwrap();
        client.enroll(&self.store, code).await.unwrap();
    }

    /// Enrolls with a server running the given operations.
    pub async fn enrolled(officer_id: &str, server: &TestServer) -> Device {
        let d = Device::new(officer_id);
        d.enroll(&server.url(), &server.code(officer_id)).await;
        d
    }

    pub fn client(&self, options: SyncOptions) -> SyncClient {
        SyncClient::for_store(&self.store, options).unwrap()
    }

    /// A client for another address (a proxy in front of the server).
    pub fn client_via(&self, url: &str, options: SyncOptions) -> SyncClient {
        SyncClient::new(url, options).unwrap()
    }

    pub async fn sync(&self) -> SyncReport {
        self.client(quick_options())
            .sync(&self.store, &|_, _, _| {})
            .await
            .unwrap()
    }

    pub fn create(&self, record: Record) -> RecordId {
        self.store
            .lock()
            .unwrap()
            .create(&self.officer, record)
            .unwrap()
            .record_id
    }

    pub fn edit(&self, id: RecordId, record: Record, reason: &str) {
        self.store
            .lock()
            .unwrap()
            .edit(&self.officer, id, record, reason)
            .unwrap();
    }

    pub fn waiting(&self) -> u64 {
        self.store.lock().unwrap().sync_status().unwrap().waiting
    }

    pub fn kinds_listed(&self, op: Option<Uuid>) -> Vec<(RecordId, RecordKind)> {
        let s = self.store.lock().unwrap();
        s.list(&liaison_core::store::ListFilter {
            operation_id: op,
            limit: 500,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| (r.record_id, r.kind))
        .collect()
    }

    pub fn has_record(&self, id: RecordId) -> bool {
        let s = self.store.lock().unwrap();
        s.get(
            id,
            &liaison_core::Access {
                officer: officer("PC 1"),
                purpose: "test".into(),
            },
        )
        .is_ok()
    }
}

/// Every revision of the device is on the server exactly once, with the same id and hash at
/// the same place, and both sides' chains verify. (The server's UNIQUE constraints make
/// "more than once" impossible; equality of the two lists makes "missing" visible.)
pub fn assert_server_holds_exactly(storage: &dyn Storage, device: &Device) {
    let (ours, report) = {
        let s = device.store.lock().unwrap();
        (s.own_chain().unwrap(), s.verify_chain().unwrap())
    };
    assert!(report.is_valid(), "device chain: {:?}", report.problems);
    let theirs = storage.device_chain(device.id()).unwrap();
    assert_eq!(theirs.len(), ours.len(), "server and device disagree on the count");
    assert_eq!(theirs, ours, "server and device disagree on ids or hashes");
    let server = storage.verify().unwrap();
    assert!(server.problems.is_empty(), "server chain: {:?}", server.problems);
    assert_eq!(device.waiting(), 0, "nothing left in the outbox");
    assert_eq!(
        device.store.lock().unwrap().sync_acked_seq().unwrap(),
        ours.len() as u64,
        "the device knows all of it is acknowledged"
    );
}

/// The real server binary as a child process on 127.0.0.1.
pub struct ServerProcess {
    pub child: Child,
    pub addr: SocketAddr,
}

impl ServerProcess {
    pub fn spawn(db: &Path, listen: &str) -> ServerProcess {
        ServerProcess::spawn_with(&["--db".into(), db.display().to_string()], listen)
    }

    /// The real binary on the database the arguments select (`TestDatabase::args`).
    pub fn spawn_with(database: &[String], listen: &str) -> ServerProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_liaison-server"))
            .args(database)
            .args(["serve", "--listen", listen, "--plain-http-loopback"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line.trim().strip_prefix("listening on ").unwrap().parse().unwrap();
        ServerProcess { child, addr }
    }

    /// SIGKILL: no shutdown, no flush, nothing.
    pub fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- records ----

pub fn at(h: u32, m: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 6, h, m, 0).unwrap()
}

pub fn envelope(op: Option<Uuid>, body: Body) -> Record {
    Record {
        operation_id: op,
        occurred_at: at(12, 0),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body,
    }
}

pub fn note(op: Uuid, text: &str) -> Record {
    envelope(
        Some(op),
        Body::ContactNote(ContactNote {
            spoke_with: "Chief steward, Birmingham Trades Council".into(),
            function: PltFunction::Communication,
            summary: text.into(),
            mood: Some(Mood::Calm),
            follow_up: None,
            monitored: vec![],
        }),
    )
}

pub fn rumour(op: Uuid, status: RumourStatus, findings: &str) -> Record {
    envelope(
        Some(op),
        Body::RumourReport(RumourReport {
            content: "Counter-protesters are gathering at New Street station".into(),
            heard_at: "Queue at the Bull Ring entrance".into(),
            source: RumourSource::Crowd,
            source_detail: String::new(),
            spread: RumourSpread::Local,
            risk: RumourRisk::High,
            status,
            findings: findings.into(),
            control_actions: vec![],
            verified_at: None,
        }),
    )
}

pub fn escalation(op: Uuid) -> Record {
    envelope(
        Some(op),
        Body::Escalation(Escalation {
            category: EscalationKind::Safeguarding,
            summary: "Lost child near the stage, aged about 7".into(),
            told: "Bronze".into(),
            told_at: at(12, 5),
            addressed_to: None,
            addressed_person: String::new(),
            escalated: vec![],
            acknowledged: None,
            decision: None,
            response: String::new(),
            response_at: None,
            responded_by: String::new(),
            monitored: vec![],
        }),
    )
}

pub fn group(name: &str) -> Record {
    envelope(
        None,
        Body::Group(Group {
            name: name.into(),
            group_kind: GroupKind::Participant,
            description: "Community group".into(),
            contacts: vec![],
            website: String::new(),
        }),
    )
}

pub fn person(name: &str) -> Record {
    envelope(
        None,
        Body::Person(Person {
            name: name.into(),
            role: PersonRole::Organiser,
            phone: "07700 900123".into(),
            email: String::new(),
            other_contact: String::new(),
            groups: vec![],
            notes: String::new(),
        }),
    )
}

pub fn tasking(title: &str) -> Record {
    envelope(
        None,
        Body::Tasking(Tasking {
            title: title.into(),
            incident_type: IncidentType::ReassurancePatrol,
            briefing_ref: String::new(),
            details: String::new(),
            due: None,
            status: TaskStatus::Open,
            result: String::new(),
            assigned_to: None,
            override_reason: String::new(),
        }),
    )
}

/// Pulls the operation record to the device (it must be there before records attach to it).
pub async fn sync_until_operation_known(device: &Device, op: Uuid) {
    device.sync().await;
    assert!(device.has_record(op), "the operation reached the device");
}

/// Appends a revision to the device's own chain as a tampered or outdated app would, without
/// the device's own checks (here: a record of an operation the device does not hold).
pub fn forge_own(d: &Device, record: Record) -> liaison_core::Revision {
    forge_own_at(d, record, chrono::Duration::zero())
}

/// As [`forge_own`], on a device whose clock is `skew` off.
pub fn forge_own_at(d: &Device, record: Record, skew: chrono::Duration) -> liaison_core::Revision {
    forge_with(d, record, |rev| {
        rev.recorded_at =
            chrono::DateTime::from_timestamp_millis((chrono::Utc::now() + skew).timestamp_millis()).unwrap();
        rev.hlc.ms = rev.recorded_at.timestamp_millis();
    })
}

/// As [`forge_own`], with the revision changed by `change` before it is hashed and chained
/// (another author, record id, parent, clock…), as a hostile app would.
pub fn forge_with(
    d: &Device,
    record: Record,
    change: impl FnOnce(&mut liaison_core::Revision),
) -> liaison_core::Revision {
    let mut s = d.store.lock().unwrap();
    let chain = s.own_chain().unwrap();
    let (last_seq, last_hash) = chain
        .last()
        .map(|e| (e.device_seq, e.hash))
        .unwrap_or((0, liaison_core::store::Hash::GENESIS));
    let mut rev = liaison_core::Revision {
        id: uuid::Uuid::now_v7(),
        record_id: uuid::Uuid::now_v7(),
        parent: None,
        merges: None,
        kind: record.kind(),
        author: d.officer.clone(),
        device_id: s.device_id(),
        device_seq: last_seq + 1,
        recorded_at: chrono::DateTime::from_timestamp_millis(chrono::Utc::now().timestamp_millis()).unwrap(),
        hlc: liaison_core::store::Hlc {
            ms: chrono::Utc::now().timestamp_millis(),
            counter: 0,
        },
        reason: None,
        body: record,
        prev_hash: last_hash,
        hash: liaison_core::store::Hash::GENESIS,
    };
    change(&mut rev);
    rev.hash = rev.compute_hash(&liaison_core::store::canonical_body(&rev.body));
    s.receive(std::slice::from_ref(&rev)).unwrap();
    rev
}

/// `pdftotext -layout` of `pdf`; under CI a missing poppler-utils fails the test.
#[allow(dead_code)]
pub fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => {
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(e) => {
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true"),
                "pdftotext is missing under CI: {e}"
            );
            eprintln!("pdftotext not installed: the PDF's text is not checked");
            None
        }
    }
}
