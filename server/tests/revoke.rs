//! The revocation rule: a lost or stolen device is refused everything; a retired one may make
//! a final push of what it recorded up to its revocation, and is refused the rest. Every
//! refusal says "revoked", so the device knows to wipe.

mod common;

use common::*;
use liaison_core::sync::protocol::{self, ErrorBody, ErrorCode, PushRequest};
use liaison_core::sync::{SyncClient, SyncError};
use liaison_server::storage::{RevocationReason, StorageError};
use std::time::Duration;

fn token(d: &Device) -> String {
    d.store.lock().unwrap().sync_credentials().unwrap().unwrap().token
}

async fn sync_err(d: &Device) -> SyncError {
    d.client(quick_options())
        .sync(&d.store, &|_, _, _| {})
        .await
        .unwrap_err()
}

async fn raw_push(server: &TestServer, d: &Device) -> (u16, ErrorBody) {
    let revisions = d.store.lock().unwrap().outbox(100).unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}{}", server.url(), protocol::PUSH_PATH))
        .bearer_auth(token(d))
        .body(
            serde_json::to_vec(&PushRequest {
                device_id: d.id(),
                revisions,
                audit: vec![],
            })
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap())
}

async fn reenrol(server: &TestServer, d: &Device) -> SyncError {
    SyncClient::new(&server.url(), quick_options())
        .unwrap()
        .enroll(&d.store, &server.code("PC 4521"))
        .await
        .unwrap_err()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_or_stolen_device_is_refused_everything_and_told_it_is_revoked() {
    for reason in [RevocationReason::Lost, RevocationReason::Stolen] {
        let server = TestServer::start().await;
        let op = server.operation("Op Chamberlain", &["PC 4521"]);
        let d = Device::enrolled("PC 4521", &server).await;
        d.sync().await;
        d.create(note(op, "recorded before it went missing"));
        server.storage.revoke_device(d.id(), reason).unwrap();

        let err = sync_err(&d).await;
        assert!(matches!(err, SyncError::Revoked), "{reason}: {err}");
        assert!(d.store.lock().unwrap().sync_status().unwrap().revoked);
        assert!(
            server.storage.device_chain(d.id()).unwrap().is_empty(),
            "{reason}: nothing taken"
        );
        let (status, e) = raw_push(&server, &d).await;
        assert_eq!((status, e.code), (401, ErrorCode::Revoked), "{reason}");
        assert!(
            e.message.contains(reason.as_str()) && e.message.contains("wiped"),
            "{}",
            e.message
        );
        assert!(matches!(reenrol(&server, &d).await, SyncError::Revoked), "{reason}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retired_device_delivers_what_it_recorded_before_revocation_then_is_refused() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let d = Device::enrolled("PC 4521", &server).await;
    d.sync().await;
    let before = d.create(note(op, "recorded before the tablet was handed in"));
    tokio::time::sleep(Duration::from_millis(20)).await;
    server.storage.revoke_device(d.id(), RevocationReason::Retired).unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    d.create(note(op, "recorded after the revocation"));

    // The final push goes through; the pull after it is refused, and the device learns it.
    let err = sync_err(&d).await;
    assert!(matches!(err, SyncError::Revoked), "{err}");
    let status = d.store.lock().unwrap().sync_status().unwrap();
    assert!(status.revoked);
    assert_eq!(status.waiting, 0, "nothing left that the server would take");
    assert_eq!(status.quarantined.len(), 1, "{:?}", status.quarantined);
    assert_eq!(status.quarantined[0].reason, "revoked");
    assert!(
        status.quarantined[0].message.contains("wiped"),
        "{}",
        status.quarantined[0].message
    );

    let held = server.storage.device_chain(d.id()).unwrap();
    assert_eq!(held.len(), 1, "only the revision recorded before the revocation");
    let (held_id, _) = server.storage.current_revision(before).unwrap().unwrap();
    assert_eq!(held[0].revision_id, held_id);
    assert!(server.storage.verify().unwrap().problems.is_empty());

    // Pull and enrollment are refused with Revoked.
    let resp = reqwest::Client::new()
        .get(format!("{}{}", server.url(), protocol::PULL_PATH))
        .bearer_auth(token(&d))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let e: ErrorBody = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(e.code, ErrorCode::Revoked);
    assert!(matches!(reenrol(&server, &d).await, SyncError::Revoked));

    // Reported stolen afterwards: the stricter rule wins, and it never loosens again.
    server.storage.revoke_device(d.id(), RevocationReason::Stolen).unwrap();
    server.storage.revoke_device(d.id(), RevocationReason::Retired).unwrap();
    let (status, e) = raw_push(&server, &d).await;
    assert_eq!((status, e.code), (401, ErrorCode::Revoked));
    assert!(matches!(
        server
            .storage
            .authenticate(&liaison_server::auth::hash_secret(&token(&d))),
        Err(StorageError::Revoked {
            reason: RevocationReason::Stolen,
            ..
        })
    ));
}

#[test]
fn revoke_needs_a_reason_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_liaison-server"))
        .arg("--db")
        .arg(dir.path().join("force.db"))
        .args([
            "revoke",
            "--device",
            &uuid::Uuid::now_v7().to_string(),
            "--reason",
            "misplaced",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("lost, stolen or retired"), "{err}");
}
