//! Sync under a hostile network and a crashing server, against the real server on
//! 127.0.0.1. After each fault: every revision is on the server exactly once, both chains
//! verify, and both sides agree on counts and hashes.

mod common;

use common::proxy::Proxy;
use common::*;
use liaison_core::records::*;
use liaison_core::sync::protocol::{self, PushRequest, PushResponse};
use liaison_core::sync::{SyncError, SyncOptions};
use std::time::Duration;

/// A copy of a stopped server's database: its files (SQLite), or a database made from it as a
/// template (PostgreSQL).
enum Backup {
    Sqlite(tempfile::TempDir),
    Postgres(String),
}

impl Backup {
    fn files(base: &std::path::Path) -> [std::path::PathBuf; 3] {
        ["", "-wal", "-shm"].map(|ext| std::path::PathBuf::from(format!("{}{ext}", base.display())))
    }

    fn take(database: &TestDatabase) -> Backup {
        match database.postgres() {
            None => {
                let dir = tempfile::tempdir().unwrap();
                let db = database.sqlite_path().unwrap();
                for (from, to) in Backup::files(&db)
                    .iter()
                    .zip(Backup::files(&dir.path().join("backup.db")).iter())
                {
                    if from.exists() {
                        std::fs::copy(from, to).unwrap();
                    }
                }
                Backup::Sqlite(dir)
            }
            Some(pg) => {
                let name = format!("{}_backup", pg.name);
                pg.server_sql_when_alone(&format!("CREATE DATABASE {name} TEMPLATE {}", pg.name));
                Backup::Postgres(name)
            }
        }
    }

    fn restore(&self, database: &TestDatabase) {
        match (self, database.postgres()) {
            (Backup::Sqlite(dir), None) => {
                let db = database.sqlite_path().unwrap();
                for (from, to) in Backup::files(&dir.path().join("backup.db"))
                    .iter()
                    .zip(Backup::files(&db).iter())
                {
                    let _ = std::fs::remove_file(to);
                    if from.exists() {
                        std::fs::copy(from, to).unwrap();
                    }
                }
            }
            (Backup::Postgres(name), Some(pg)) => {
                pg.server_sql(&format!("DROP DATABASE {} WITH (FORCE)", pg.name));
                pg.server_sql(&format!("CREATE DATABASE {} TEMPLATE {name}", pg.name));
                pg.server_sql(&format!("DROP DATABASE {name}"));
            }
            _ => unreachable!("a backup is restored to its own kind of database"),
        }
    }
}

fn options(batch: usize) -> SyncOptions {
    SyncOptions {
        batch_size: batch,
        pull_page: 100,
        timeout: Duration::from_millis(1_500),
        connect_timeout: Duration::from_millis(1_000),
        ca_pem: None,
        allow_plain_loopback: true,
    }
}

async fn sync_via(d: &Device, url: &str, batch: usize) -> Result<liaison_core::sync::SyncReport, SyncError> {
    d.client_via(url, options(batch)).sync(&d.store, &|_, _, _| {}).await
}

async fn device_with_notes(server: &TestServer, op: uuid::Uuid, n: usize) -> Device {
    let d = Device::enrolled("PC 4521", server).await;
    sync_until_operation_known(&d, op).await;
    let records: Vec<Record> = (0..n)
        .map(|i| note(op, &format!("Sensing note {i}: crowd calm")))
        .collect();
    d.store.lock().unwrap().import(&d.officer, records).unwrap();
    d
}

each_backend! {
async fn refused_stalled_and_cut_connections_lose_nothing_and_duplicate_nothing() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let d = device_with_notes(&server, op, 450).await;
    let proxy = Proxy::start(server.addr).await;

    proxy.set(|f| f.refuse = true);
    let err = sync_via(&d, &proxy.url(), 100).await.unwrap_err();
    assert!(matches!(err, SyncError::Unreachable(_)), "{err}");
    let status = d.store.lock().unwrap().sync_status().unwrap();
    assert_eq!(
        status.waiting, 450,
        "everything still waiting, and the officer can see it"
    );
    assert!(status.last_error.unwrap().contains("could not be reached"));

    proxy.set(|f| {
        f.refuse = false;
        f.cut_requests = 2;
    });
    // The first batch is cut mid-body: the server never stores a partial batch.
    assert!(sync_via(&d, &proxy.url(), 100).await.is_err());
    assert!(proxy.get(|f| f.requests_cut) >= 1);
    let held_after_cut = server.storage.device_chain(d.id()).unwrap().len();
    assert_eq!(held_after_cut % 100, 0, "a batch is stored whole or not at all");

    // Cut again, but this time the server's HTTP-level 400 for the truncated body gets back.
    // It is a transport failure, not a verdict on the revisions: nothing is quarantined.
    proxy.set(|f| {
        f.cut_requests = 1;
        f.answer_cut_requests = true;
    });
    let err = sync_via(&d, &proxy.url(), 1).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(d.store.lock().unwrap().sync_status().unwrap().quarantined.is_empty());

    proxy.set(|f| {
        f.cut_requests = 0;
        f.stall = true;
    });
    let err = sync_via(&d, &proxy.url(), 100).await.unwrap_err();
    assert!(
        matches!(err, SyncError::Unreachable(_)),
        "a stalled link times out: {err}"
    );

    proxy.set(|f| f.stall = false);
    sync_via(&d, &proxy.url(), 100).await.unwrap();
    assert_server_holds_exactly(server.storage.as_ref(), &d);
}
}

each_backend! {
async fn a_batch_stored_but_whose_answer_was_lost_is_acknowledged_on_retry_not_stored_twice() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let d = device_with_notes(&server, op, 250).await;
    let proxy = Proxy::start(server.addr).await;
    proxy.set(|f| f.lose_responses = 1);
    assert!(sync_via(&d, &proxy.url(), 100).await.is_err());
    assert_eq!(proxy.get(|f| f.responses_lost), 1);
    assert_eq!(
        server.storage.device_chain(d.id()).unwrap().len(),
        100,
        "the server stored the batch"
    );
    assert_eq!(d.waiting(), 250, "the device never heard, so it still waits");
    let report = sync_via(&d, &proxy.url(), 100).await.unwrap();
    assert_eq!(report.already_held, 100, "re-sent once, recognised as held");
    assert_eq!(report.pushed, 150);
    assert_server_holds_exactly(server.storage.as_ref(), &d);
}
}

each_backend! {
async fn a_sync_cut_off_after_its_first_batch_has_delivered_the_escalations_and_rumours() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let d = device_with_notes(&server, op, 40).await;
    let mut urgent = vec![
        d.create(rumour(op, RumourStatus::Reported, "")),
        d.create(escalation(op)),
    ];
    d.create(note(op, "routine"));
    urgent.push(d.create(escalation(op)));
    let proxy = Proxy::start(server.addr).await;
    proxy.set(|f| f.refuse_after_responses = Some(1));
    assert!(sync_via(&d, &proxy.url(), 10).await.is_err());
    let held = server.storage.device_chain(d.id()).unwrap();
    assert_eq!(held.len(), 10, "only the first batch got through");
    for record in urgent {
        let revs = d
            .store
            .lock()
            .unwrap()
            .history(
                record,
                &liaison_core::Access {
                    officer: officer("PC 4521"),
                    purpose: "test".into(),
                },
            )
            .unwrap();
        assert!(
            held.iter().any(|e| e.revision_id == revs[0].id),
            "urgent record {record} was in the first batch"
        );
    }
    proxy.set(|f| f.refuse_after_responses = None);
    sync_via(&d, &proxy.url(), 10).await.unwrap();
    assert_server_holds_exactly(server.storage.as_ref(), &d);
}
}

each_backend! {
async fn duplicate_and_reordered_pushes_store_each_revision_once_and_ack_only_a_gap_free_run() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let d = device_with_notes(&server, op, 30).await;
    let all = d.store.lock().unwrap().outbox(1_000).unwrap();
    let token = d.store.lock().unwrap().sync_credentials().unwrap().unwrap().token;
    let push = |revs: Vec<liaison_core::Revision>| {
        let url = format!("{}{}", server.url(), protocol::PUSH_PATH);
        let token = token.clone();
        let device_id = d.id();
        async move {
            let body = protocol::encode(&PushRequest {
                device_id,
                revisions: revs,
                audit: vec![],
            })
            .unwrap();
            let resp = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .header("content-encoding", "zstd")
                .body(body)
                .send()
                .await
                .unwrap();
            serde_json::from_slice::<PushResponse>(&resp.bytes().await.unwrap()).unwrap()
        }
    };
    let (first, second, third) = (all[..10].to_vec(), all[10..20].to_vec(), all[20..].to_vec());
    let r = push(third.clone()).await;
    assert_eq!(
        (r.acked_seq, r.stored),
        (0, 10),
        "held, but not acknowledged across the gap"
    );
    let mut reversed = second.clone();
    reversed.reverse();
    let r = push(reversed).await;
    assert_eq!((r.acked_seq, r.stored), (0, 10));
    // The same batch twice at once.
    let (x, y) = tokio::join!(push(first.clone()), push(first.clone()));
    assert_eq!(x.stored + y.stored, 10, "stored once between the two");
    assert_eq!(x.acked_seq.max(y.acked_seq), 30);
    let r = push(second).await;
    assert_eq!((r.acked_seq, r.stored, r.held.len()), (30, 0, 10));
    // The device never heard any of it: its own sync finds everything held.
    let report = d.sync().await;
    assert_eq!((report.pushed, report.already_held), (0, 30));
    assert_server_holds_exactly(server.storage.as_ref(), &d);
}
}

each_backend! {
async fn a_device_clock_minutes_ahead_is_stored_with_the_servers_receipt_time_and_loses_no_causality() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521", "PC 1190"]);
    let fast = Device::enrolled("PC 4521", &server).await;
    let b = Device::enrolled("PC 1190", &server).await;
    sync_until_operation_known(&fast, op).await;
    sync_until_operation_known(&b, op).await;
    // Just inside what the server accepts (the judge's MAX_CLOCK_AHEAD is five minutes).
    let skew = chrono::Duration::minutes(4);
    let rev = forge_own_at(&fast, rumour(op, RumourStatus::Reported, ""), skew);
    fast.sync().await;
    let received = server.storage.received_at(rev.id).unwrap().unwrap();
    assert!(
        received < rev.recorded_at - chrono::Duration::minutes(3),
        "receipt time is the server's clock, not the device's"
    );
    b.sync().await;
    // B, with a correct clock, edits the rumour after seeing it: its edit must win, although
    // its wall clock is four minutes behind the original.
    b.edit(
        rev.record_id,
        rumour(op, RumourStatus::Refuted, "CCTV shows no group"),
        "refuted",
    );
    b.sync().await;
    fast.sync().await;
    let access = liaison_core::Access {
        officer: officer("PC 4521"),
        purpose: "test".into(),
    };
    let on_fast = fast.store.lock().unwrap().get(rev.record_id, &access).unwrap();
    let on_b = b.store.lock().unwrap().get(rev.record_id, &access).unwrap();
    assert!(matches!(&on_fast.record.body, Body::RumourReport(r) if r.status == RumourStatus::Refuted));
    assert_eq!(on_fast.revision_id, on_b.revision_id);
    assert_eq!(on_fast.open_heads, 1, "a later edit, not a conflict");
    assert_eq!(
        server.storage.current_revision(rev.record_id).unwrap().unwrap(),
        (on_b.revision_id, 1)
    );
    assert_server_holds_exactly(server.storage.as_ref(), &fast);
    assert_server_holds_exactly(server.storage.as_ref(), &b);
}
}

each_backend! {
async fn kill_9_of_the_server_mid_batch_loses_no_acknowledged_revision_and_sync_resumes() {
    let database = TestDatabase::new();
    let (op, code) = {
        let admin = database.open();
        let op = create_operation(admin.as_ref(), "Op Chamberlain");
        admin.assign(op, "PC 4521").unwrap();
        (op, issue_code(admin.as_ref(), "PC 4521"))
    };
    let mut server = ServerProcess::spawn_with(&database.args(), "127.0.0.1:0");
    let url = format!("http://{}", server.addr);
    let d = Device::new("PC 4521");
    d.enroll(&url, &code).await;
    d.client(quick_options()).sync(&d.store, &|_, _, _| {}).await.unwrap();
    assert!(d.has_record(op));
    let records: Vec<Record> = (0..4_000).map(|i| note(op, &format!("Sensing note {i}"))).collect();
    d.store.lock().unwrap().import(&d.officer, records).unwrap();

    let store = d.store.clone();
    let client = d.client(options(50));
    let sync = tokio::spawn(async move { client.sync(&store, &|_, _, _| {}).await });
    // Kill as soon as the server has committed something: the device is mid-stream.
    let watcher = database.open();
    let device_id = d.id();
    loop {
        if !watcher.device_chain(device_id).unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill_9();
    let outcome = sync.await.unwrap();
    assert!(outcome.is_err(), "the sync noticed the server died");
    let acked = d.store.lock().unwrap().sync_acked_seq().unwrap();
    let after_crash = database.open();
    let held = after_crash.device_chain(device_id).unwrap();
    assert!(
        held.len() as u64 >= acked,
        "every acknowledged revision survived the crash"
    );
    let own = d.store.lock().unwrap().own_chain().unwrap();
    assert_eq!(&held[..acked as usize], &own[..acked as usize]);
    assert!(after_crash.verify().unwrap().problems.is_empty());
    assert!(acked < 4_000, "the kill landed mid-stream (acked {acked})");

    let _restarted = ServerProcess::spawn_with(&database.args(), &server.addr.to_string());
    let report = d.client(options(500)).sync(&d.store, &|_, _, _| {}).await.unwrap();
    assert!(report.already_held <= 50, "at most the batch in flight is sent twice");
    assert_server_holds_exactly(after_crash.as_ref(), &d);
}
}

each_backend! {
async fn an_answer_that_does_not_account_for_every_revision_sent_marks_nothing_as_sent() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let d = device_with_notes(&server, op, 30).await;
    let proxy = Proxy::start(server.addr).await;
    proxy.set(|f| f.forge_push_answers = 1);
    let err = sync_via(&d, &proxy.url(), 10).await.unwrap_err();
    assert!(matches!(err, SyncError::IncompleteAcknowledgement), "{err}");
    assert_eq!(d.waiting(), 30, "nothing marked as sent on a doubtful answer");
    let report = sync_via(&d, &proxy.url(), 10).await.unwrap();
    assert_eq!((report.already_held, report.pushed), (10, 20));
    assert_server_holds_exactly(server.storage.as_ref(), &d);
}
}

each_backend! {
async fn a_server_restored_from_an_old_backup_gets_the_lost_revisions_again_at_the_next_sync() {
    let database = TestDatabase::new();
    let (op, code) = {
        let admin = database.open();
        let op = create_operation(admin.as_ref(), "Op Chamberlain");
        admin.assign(op, "PC 4521").unwrap();
        (op, issue_code(admin.as_ref(), "PC 4521"))
    };
    let mut server = ServerProcess::spawn_with(&database.args(), "127.0.0.1:0");
    let addr = server.addr.to_string();
    let d = Device::new("PC 4521");
    d.enroll(&format!("http://{addr}"), &code).await;
    sync_until_operation_known(&d, op).await;
    for i in 0..10 {
        d.create(note(op, &format!("before the backup {i}")));
    }
    d.sync().await;
    server.kill_9();
    let backup = Backup::take(&database);
    let mut server = ServerProcess::spawn_with(&database.args(), &addr);
    for i in 0..10 {
        d.create(note(op, &format!("after the backup {i}")));
    }
    assert_eq!(d.sync().await.pushed, 10);
    server.kill_9();
    // The force restores last night's backup: the last ten are gone from the server.
    backup.restore(&database);
    let _server = ServerProcess::spawn_with(&database.args(), &addr);
    assert_eq!(database.open().device_chain(d.id()).unwrap().len(), 10);
    let report = d.sync().await;
    assert_eq!(report.pushed, 10, "the device noticed and sent them again");
    assert_server_holds_exactly(database.open().as_ref(), &d);
}
}
