//! Input limits on the server: request rates per device and per address (429 with
//! Retry-After, honoured by the scheduler), batch size, and every record's field lengths.

mod common;

use common::*;
use liaison_core::records::validate::TEXT_MAX;
use liaison_core::records::Body;
use liaison_core::store::canonical_body;
use liaison_core::sync::protocol::{self, ErrorBody, ErrorCode, PushRequest, PushResponse, RejectReason};
use liaison_core::sync::{Scheduler, SchedulerOptions, SyncError};
use liaison_server::limits::Limits;
use liaison_server::ServeOptions;
use std::num::NonZeroU32;
use std::time::Duration;

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

async fn server_with(limits: Limits) -> TestServer {
    TestServer::start_with(ServeOptions {
        tls: None,
        limits,
        ..Default::default()
    })
    .await
}

fn token(d: &Device) -> String {
    d.store.lock().unwrap().sync_credentials().unwrap().unwrap().token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_over_its_rate_gets_429_with_retry_after_and_other_devices_do_not() {
    let server = server_with(Limits {
        device_per_minute: nz(1),
        device_burst: nz(3),
        ..Limits::default()
    })
    .await;
    let a = Device::enrolled("PC 4521", &server).await;
    let b = Device::enrolled("PC 1190", &server).await;
    for _ in 0..3 {
        a.sync().await; // nothing to push: one pull each
    }
    let err = a
        .client(quick_options())
        .sync(&a.store, &|_, _, _| {})
        .await
        .unwrap_err();
    let SyncError::RateLimited { retry_after } = err else {
        panic!("{err}")
    };
    assert!(
        retry_after >= Duration::from_secs(1) && retry_after <= Duration::from_secs(60),
        "{retry_after:?}"
    );
    assert!(SyncError::RateLimited { retry_after }.is_transient());

    let resp = reqwest::Client::new()
        .get(format!("{}{}", server.url(), protocol::PULL_PATH))
        .bearer_auth(token(&a))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    let secs: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&secs), "{secs}");
    let e: ErrorBody = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(e.code, ErrorCode::RateLimited);
    assert!(e.message.contains("try again"), "{}", e.message);

    b.sync().await; // its own bucket
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_enrollment_codes_from_one_address_is_slowed_down() {
    let server = server_with(Limits {
        enroll_per_minute: nz(1),
        enroll_burst: nz(2),
        ..Limits::default()
    })
    .await;
    let d = Device::new("PC 4521");
    let client = d.client_via(&server.url(), quick_options());
    for _ in 0..2 {
        let err = client.enroll(&d.store, "AAAA-BBBB-CCCC-DDDD").await.unwrap_err();
        assert!(matches!(err, SyncError::EnrollmentRefused(_)), "{err}");
    }
    // Even the right code waits now: the limit is checked before any code is looked at.
    let err = client.enroll(&d.store, &server.code("PC 4521")).await.unwrap_err();
    assert!(matches!(err, SyncError::RateLimited { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_waits_out_retry_after_instead_of_its_short_backoff() {
    let server = server_with(Limits {
        device_per_minute: nz(1),
        device_burst: nz(1),
        ..Limits::default()
    })
    .await;
    let d = Device::enrolled("PC 4521", &server).await;
    let options = SchedulerOptions {
        interval: Duration::from_secs(3_600),
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(20),
        sync: quick_options(),
        ..Default::default()
    };
    let scheduler = Scheduler::start(&tokio::runtime::Handle::current(), d.store.clone(), options);
    assert!(scheduler.attempt_after(0).await.result.unwrap().is_ok());
    scheduler.trigger_now();
    let second = scheduler.attempt_after(1).await;
    assert!(second.result.unwrap().unwrap_err().contains("busy"));
    // The backoff alone would retry within 20 ms; the server asked for about a minute.
    let third = tokio::time::timeout(Duration::from_millis(1_500), scheduler.attempt_after(2)).await;
    assert!(third.is_err(), "retried before Retry-After");
    scheduler.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_over_the_batch_limit_is_refused_whole_with_413() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let d = Device::enrolled("PC 4521", &server).await;
    d.sync().await;
    d.create(note(op, "one"));
    let rev = d.store.lock().unwrap().outbox(1).unwrap().remove(0);
    let body = protocol::encode(&PushRequest {
        device_id: d.id(),
        revisions: vec![rev; protocol::MAX_PUSH_REVISIONS + 1],
        audit: vec![],
    })
    .unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}{}", server.url(), protocol::PUSH_PATH))
        .bearer_auth(token(&d))
        .header("content-encoding", "zstd")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    let e: ErrorBody = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(e.code, ErrorCode::TooLarge);
    assert!(e.message.contains("smaller batches"), "{}", e.message);
    assert!(
        server.storage.device_chain(d.id()).unwrap().is_empty(),
        "nothing stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlong_field_is_refused_by_the_records_validation_even_with_a_correct_hash() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let d = Device::enrolled("PC 4521", &server).await;
    d.sync().await;
    d.create(note(op, "short"));
    let mut rev = d.store.lock().unwrap().outbox(1).unwrap().remove(0);
    let Body::ContactNote(n) = &mut rev.body.body else {
        panic!("a contact note")
    };
    n.summary = "x".repeat(TEXT_MAX + 1);
    // A device that skipped its own validation: the hash is right, the record is not.
    rev.hash = rev.compute_hash(&canonical_body(&rev.body));
    let body = serde_json::to_vec(&PushRequest {
        device_id: d.id(),
        revisions: vec![rev.clone()],
        audit: vec![],
    })
    .unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}{}", server.url(), protocol::PUSH_PATH))
        .bearer_auth(token(&d))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let r: PushResponse = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert!(r.held.is_empty());
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(r.rejected[0].reason, RejectReason::Invalid);
    assert!(r.rejected[0].message.contains("not valid"), "{}", r.rejected[0].message);
    assert!(server.storage.device_chain(d.id()).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_over_the_cap_is_closed_at_once_and_one_is_served_again_when_a_place_frees() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = server_with(Limits {
        max_connections: nz(2),
        ..Limits::default()
    })
    .await;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        protocol::OPENAPI_PATH
    );
    async fn answer(addr: std::net::SocketAddr, request: &str) -> String {
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        // A closed connection may refuse the write or answer the read with nothing.
        let _ = c.write_all(request.as_bytes()).await;
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), c.read_to_end(&mut out)).await;
        String::from_utf8_lossy(&out).to_string()
    }
    // Two connections that say nothing hold both places.
    let held_a = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let _held_b = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        answer(server.addr, &request).await,
        "",
        "a third is closed without an answer"
    );
    drop(held_a);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        answer(server.addr, &request).await.starts_with("HTTP/1.1 200"),
        "a freed place serves again"
    );
}
