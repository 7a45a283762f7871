//! The admin command line, run as the real binary.

mod common;

use common::*;
use liaison_server::storage::Storage;
use liaison_server::SqliteStorage;
use std::process::Command;

fn admin(db: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_liaison-server"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_creates_an_operation_assigns_officers_issues_a_code_and_revokes_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("force.db");
    let (ok, id, _) = admin(
        &db,
        &["operation", "create", "--name", "Op Chamberlain", "--kind", "march"],
    );
    assert!(ok);
    let op: uuid::Uuid = id.parse().unwrap();
    let (ok, _, _) = admin(
        &db,
        &["operation", "assign", "--operation", &id, "--officer", "PC 4521"],
    );
    assert!(ok);
    let (ok, list, _) = admin(&db, &["operation", "list"]);
    assert!(
        ok && list.contains("Op Chamberlain") && list.contains("PC 4521"),
        "{list}"
    );
    let (ok, _, err) = admin(&db, &["operation", "create", "--name", "Op X", "--kind", "rave"]);
    assert!(
        !ok && err.contains("not an event kind") && err.contains("march"),
        "{err}"
    );
    let (ok, _, err) = admin(
        &db,
        &[
            "operation",
            "assign",
            "--operation",
            &uuid::Uuid::now_v7().to_string(),
            "--officer",
            "PC 1",
        ],
    );
    assert!(!ok && err.contains("operation list"), "{err}");
    let (ok, code, _) = admin(&db, &["enroll-code", "--officer", "PC 4521"]);
    assert!(ok && code.len() == 19, "{code}");

    let server = ServerProcess::spawn(&db, "127.0.0.1:0");
    let url = format!("http://{}", server.addr);
    let d = Device::new("PC 4521");
    d.enroll(&url, &code).await;
    d.client(quick_options()).sync(&d.store, &|_, _, _| {}).await.unwrap();
    assert!(d.has_record(op), "the operation reached the assigned officer's device");

    let (ok, out, _) = admin(&db, &["revoke", "--device", &d.id().to_string(), "--reason", "lost"]);
    assert!(ok, "{out}");
    let err = d
        .client(quick_options())
        .sync(&d.store, &|_, _, _| {})
        .await
        .unwrap_err();
    assert!(matches!(err, liaison_core::sync::SyncError::Revoked), "{err}");
    let (ok, out, _) = admin(&db, &["verify"]);
    assert!(ok && out.contains("0 problems"), "{out}");
    assert!(SqliteStorage::open(&db).unwrap().verify().unwrap().problems.is_empty());
}

#[cfg(unix)]
#[test]
fn the_server_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::spawn(&dir.path().join("force.db"), "127.0.0.1:0");
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "exited with {exit:?}");
}
