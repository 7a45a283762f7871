//! Several server processes on one PostgreSQL database (a force-wide deployment): devices
//! talk to either, even alternately, and one process dies by SIGKILL mid-run. The real binary,
//! the real database, real device stores. PostgreSQL only: an SQLite file has one server.

mod common;

use common::*;
use liaison_core::sync::protocol::{self, PushRequest, PushResponse};
use liaison_core::sync::SyncOptions;
use liaison_core::Revision;
use liaison_server::storage::Storage;
use liaison_server::PostgresStorage;
use std::time::Duration;

fn options() -> SyncOptions {
    SyncOptions {
        batch_size: 10,
        pull_page: 100,
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(2),
        ca_pem: None,
        allow_plain_loopback: true,
    }
}

fn token(d: &Device) -> String {
    d.store.lock().unwrap().sync_credentials().unwrap().unwrap().token
}

async fn push(url: &str, token: &str, device_id: uuid::Uuid, revisions: Vec<Revision>) -> PushResponse {
    let body = protocol::encode(&PushRequest {
        device_id,
        revisions,
        audit: vec![],
    })
    .unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{url}{}", protocol::PUSH_PATH))
        .bearer_auth(token)
        .header("content-encoding", "zstd")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap()
}

fn two_servers(database: &TestDatabase) -> (ServerProcess, ServerProcess) {
    (
        ServerProcess::spawn_with(&database.args(), "127.0.0.1:0"),
        ServerProcess::spawn_with(&database.args(), "127.0.0.1:0"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_devices_batches_raced_through_two_processes_are_stored_once_in_chain_order() {
    if !common::backend::postgres_reachable("one_devices_batches_raced_through_two_processes") {
        return;
    }
    let database = TestDatabase::Postgres(PgDatabase::create());
    let admin = database.open();
    let op = create_operation(admin.as_ref(), "Op Chamberlain");
    admin.assign(op, "PC 4521").unwrap();
    let code = issue_code(admin.as_ref(), "PC 4521");
    let (a, b) = two_servers(&database);
    let urls = [format!("http://{}", a.addr), format!("http://{}", b.addr)];
    let d = Device::new("PC 4521");
    d.enroll(&urls[0], &code).await;
    sync_until_operation_known(&d, op).await;
    let records = (0..200).map(|i| note(op, &format!("Sensing note {i}"))).collect();
    d.store.lock().unwrap().import(&d.officer, records).unwrap();
    let revisions = d.store.lock().unwrap().outbox(1_000).unwrap();
    let token = token(&d);
    // Twenty batches of ten, each sent at once to both processes, all in flight together and
    // in no particular order: the two processes must serialise the device's chain between
    // them (its row lock), store each revision once and acknowledge only a gap-free run.
    let mut sends = Vec::new();
    for batch in revisions.chunks(10).rev() {
        for url in &urls {
            let (url, token, batch, id) = (url.clone(), token.clone(), batch.to_vec(), d.id());
            sends.push(tokio::spawn(async move { push(&url, &token, id, batch).await }));
        }
    }
    let mut stored = 0;
    for s in sends {
        stored += s.await.unwrap().stored;
    }
    assert_eq!(
        stored, 200,
        "every revision stored exactly once between the two processes"
    );
    // The acknowledged head went only forward: the last push to commit saw all the others.
    let acked = database
        .postgres()
        .unwrap()
        .sql(&format!("SELECT acked_seq FROM devices WHERE device_id = '{}'", d.id()));
    assert_eq!(
        acked[0][0].as_deref(),
        Some(revisions.last().unwrap().device_seq.to_string().as_str())
    );
    let last = push(&urls[1], &token, d.id(), revisions[..1].to_vec()).await;
    assert_eq!(last.acked_seq, revisions.last().unwrap().device_seq);
    let chain = admin.device_chain(d.id()).unwrap();
    assert_eq!(chain.len() as u64, revisions.last().unwrap().device_seq);
    assert!(
        chain.iter().zip(1..).all(|(e, seq)| e.device_seq == seq),
        "gap-free, in order"
    );
    assert!(admin.verify().unwrap().problems.is_empty());
    assert!(
        admin.verify_audit().unwrap().problems.is_empty(),
        "one audit chain from both"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_devices_across_two_processes_lose_nothing_when_one_is_killed_and_restarted() {
    if !common::backend::postgres_reachable("fifty_devices_across_two_processes") {
        return;
    }
    let database = TestDatabase::Postgres(PgDatabase::create());
    let admin: std::sync::Arc<dyn Storage> = database.open();
    // Ten operations of five officers each: colleagues pull each other's notes too.
    let mut codes = Vec::new();
    let mut ops = Vec::new();
    for o in 0..10 {
        let op = create_operation(admin.as_ref(), &format!("Op {o}"));
        ops.push(op);
        for m in 0..5 {
            let officer = format!("PC {:04}", o * 5 + m);
            admin.assign(op, &officer).unwrap();
            codes.push((op, officer.clone(), issue_code(admin.as_ref(), &officer)));
        }
    }
    let (mut a, b) = two_servers(&database);
    let urls = [format!("http://{}", a.addr), format!("http://{}", b.addr)];
    let mut devices = Vec::new();
    for (i, (op, officer, code)) in codes.iter().enumerate() {
        let d = Device::new(officer);
        d.enroll(&urls[i % 2], code).await;
        sync_until_operation_known(&d, *op).await;
        let records = (0..40).map(|n| note(*op, &format!("note {n} of {officer}"))).collect();
        d.store.lock().unwrap().import(&d.officer, records).unwrap();
        devices.push(std::sync::Arc::new(d));
    }
    // Each device syncs until it has nothing left: even ones always to process A, odd ones to
    // B, and every fifth alternates between them. A failed attempt (A is dead) is retried.
    let mut runs = Vec::new();
    for (i, d) in devices.iter().enumerate() {
        let (d, urls) = (d.clone(), urls.clone());
        runs.push(tokio::spawn(async move {
            for attempt in 0.. {
                let url = if i % 5 == 0 { &urls[attempt % 2] } else { &urls[i % 2] };
                let outcome = d.client_via(url, options()).sync(&d.store, &|_, _, _| {}).await;
                if outcome.is_ok() && d.waiting() == 0 {
                    return attempt;
                }
                assert!(attempt < 300, "device {i} never finished: {outcome:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            unreachable!()
        }));
    }
    // SIGKILL process A once a quarter of everything is stored, then start it again on its port.
    let pg = database.postgres().unwrap();
    let count = || -> i64 {
        pg.sql("SELECT count(*) FROM revisions")[0][0]
            .as_deref()
            .unwrap()
            .parse()
            .unwrap()
    };
    while count() < 10 + 500 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.kill_9();
    let at_kill = count();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _a = ServerProcess::spawn_with(&database.args(), &a.addr.to_string());
    let mut retried = 0;
    for r in runs {
        retried += r.await.unwrap();
    }
    assert!(at_kill < 10 + 50 * 40, "the kill landed mid-run ({at_kill} stored)");
    assert!(retried > 0, "some devices had to try again");
    for d in &devices {
        assert_server_holds_exactly(admin.as_ref(), d);
    }
    let report = admin.verify().unwrap();
    assert_eq!(report.revisions, 10 + 50 * 40, "every revision once");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(admin.verify_audit().unwrap().problems.is_empty());
    // And a second opening of the database (a third process) sees the same.
    drop(admin);
    let third = PostgresStorage::open(&pg.url).unwrap();
    assert_eq!(third.verify().unwrap().revisions, 10 + 50 * 40);
}

#[test]
fn serve_on_an_unreachable_postgres_says_so_and_exits_without_a_panic() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_liaison-server"))
        .args(["--database", "postgres://liaison:s3cret@127.0.0.1:1/force", "serve"])
        .args(["--listen", "127.0.0.1:0", "--plain-http-loopback"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("127.0.0.1:1/force cannot be reached") && err.contains("refused"),
        "{err}"
    );
    assert!(!err.contains("panicked") && !err.contains("s3cret"), "{err}");
    assert!(out.stdout.is_empty(), "never said it was listening");
}
