//! Transport security: TLS with the force CA, pinning on the device, plain HTTP only on this
//! machine and only when asked for.

mod common;

use common::*;
use liaison_core::sync::{SyncClient, SyncError, SyncOptions};
use liaison_server::limits::Limits;
use liaison_server::{ServeError, ServeOptions};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colleagues_enrol_push_and_pull_over_tls_with_the_force_ca() {
    let (server, ca) = TestServer::start_tls(Limits::default()).await;
    assert!(server.url().starts_with("https://127.0.0.1:"));
    let op = server.operation("Op Chamberlain", &["PC 4521", "PC 1190"]);
    let a = Device::new("PC 4521");
    a.enroll_with(&server.url(), &server.code("PC 4521"), tls_options(&ca))
        .await;
    let b = Device::new("PC 1190");
    // localhost is in the certificate too.
    let by_name = server.url().replace("127.0.0.1", "localhost");
    b.enroll_with(&by_name, &server.code("PC 1190"), tls_options(&ca)).await;

    let sync = |d: &Device| {
        let client = d.client(tls_options(&ca));
        let store = d.store.clone();
        async move { client.sync(&store, &|_, _, _| {}).await.unwrap() }
    };
    sync(&a).await;
    let id = a.create(note(op, "Stewards will hold the line at the junction"));
    let report = sync(&a).await;
    assert!(report.pushed >= 1, "{report:?}");
    assert_server_holds_exactly(server.storage.as_ref(), &a);
    let report = sync(&b).await;
    assert!(report.pulled >= 2, "the operation and the note: {report:?}");
    assert!(b.has_record(id), "the colleague's note arrived over TLS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_pinned_to_another_ca_refuses_the_server_and_sends_nothing() {
    let (server, ca) = TestServer::start_tls(Limits::default()).await;
    let other = tempfile::tempdir().unwrap();
    let issued = liaison_server::tls::init(other.path(), &["127.0.0.1".into()], false).unwrap();
    let other_ca = std::fs::read(issued.ca_cert).unwrap();
    let d = Device::new("PC 4521");
    let code = server.code("PC 4521");
    let err = SyncClient::new(&server.url(), tls_options(&other_ca))
        .unwrap()
        .enroll(&d.store, &code)
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::UntrustedServer(_)), "{err}");
    assert!(err.to_string().contains("force CA"), "{err}");
    // The code was never seen by the server: it still works for the right device.
    d.enroll_with(&server.url(), &code, tls_options(&ca)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_without_a_pinned_ca_trusts_no_built_in_root() {
    let (server, _ca) = TestServer::start_tls(Limits::default()).await;
    let err = SyncClient::new(&server.url(), quick_options()).unwrap_err();
    assert!(matches!(err, SyncError::NoForceCa), "{err}");
    assert!(err.to_string().contains("force CA"), "{err}");
    let garbage = SyncOptions {
        ca_pem: Some(b"not a certificate".to_vec()),
        ..quick_options()
    };
    let err = SyncClient::new(&server.url(), garbage).unwrap_err();
    assert!(matches!(err, SyncError::BadForceCa(_)), "{err}");
}

#[test]
fn plain_http_to_another_machine_is_refused_even_when_loopback_is_allowed() {
    for url in [
        "http://10.20.30.40:7878",
        "http://force.example",
        "http://127.0.0.1.nip.io:7878",
    ] {
        let err = SyncClient::new(url, quick_options()).unwrap_err();
        assert!(matches!(err, SyncError::PlainHttpRefused(_)), "{url}: {err}");
        assert!(err.to_string().contains("unencrypted"), "{err}");
    }
}

#[test]
fn plain_http_on_loopback_needs_the_explicit_flag() {
    for url in ["http://127.0.0.1:7878", "http://localhost:7878", "http://[::1]:7878"] {
        let err = SyncClient::new(url, SyncOptions::default()).unwrap_err();
        assert!(matches!(err, SyncError::PlainHttpNotAllowed(_)), "{url}: {err}");
        assert!(err.to_string().contains("LIAISON_ALLOW_PLAIN_LOOPBACK"), "{err}");
        assert!(SyncClient::new(url, quick_options()).is_ok(), "{url} with the flag");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_refuses_plain_http_on_a_non_loopback_address() {
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(liaison_server::SqliteStorage::open(dir.path().join("s.db")).unwrap());
    let err = liaison_server::serve_with(listener, storage, ServeOptions::default(), std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(err, ServeError::PlainHttpNotLoopback(_)), "{err}");
    assert!(err.to_string().contains("--tls-cert"), "{err}");
}

fn server_cli(args: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_liaison-server"))
        .arg("--db")
        .arg(dir.path().join("force.db"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn serve_without_tls_or_the_loopback_flag_is_refused_with_what_to_do() {
    let (ok, _, err) = server_cli(&["serve", "--listen", "127.0.0.1:0"]);
    assert!(!ok && err.contains("--tls-cert") && err.contains("tls init"), "{err}");
    let (ok, _, err) = server_cli(&["serve", "--listen", "0.0.0.0:0", "--plain-http-loopback"]);
    assert!(!ok && err.contains("refusing to serve plain HTTP"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_init_and_serve_from_the_command_line_and_a_device_syncs_over_it() {
    let pki = tempfile::tempdir().unwrap();
    let dir = pki.path().to_str().unwrap();
    let (ok, out, err) = server_cli(&[
        "tls",
        "init",
        "--dir",
        dir,
        "--host",
        "127.0.0.1",
        "--host",
        "localhost",
    ]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("ca.pem"), "{out}");
    let (ok, _, err) = server_cli(&["tls", "init", "--dir", dir, "--host", "127.0.0.1"]);
    assert!(
        !ok && err.contains("already exists"),
        "an existing CA is never replaced: {err}"
    );

    let db_dir = tempfile::tempdir().unwrap();
    let db = db_dir.path().join("force.db");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_liaison-server"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(pki.path().join("server.pem"))
        .arg("--tls-key")
        .arg(pki.path().join("server.key"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    let addr = line.trim().strip_prefix("listening on ").unwrap().to_string();
    let ca = std::fs::read(pki.path().join("ca.pem")).unwrap();
    let code = issue_code(&liaison_server::SqliteStorage::open(&db).unwrap(), "PC 4521");
    let d = Device::new("PC 4521");
    d.enroll_with(&format!("https://{addr}"), &code, tls_options(&ca)).await;
    d.client(tls_options(&ca)).sync(&d.store, &|_, _, _| {}).await.unwrap();
    let _ = child.kill();
    let _ = child.wait();
}
