//! Media upload benchmark (issue 16): how fast a tablet's sync client sends a file's bytes to
//! the force server over loopback (256 KiB chunks, each hashed and appended durably at the
//! server's acknowledged offset, the whole checked against its name at the end), as a ratio of
//! a bare HTTP PUT of the same bytes to a bare axum handler that writes them to a file and
//! syncs it, in the same run. Prints figures; asserts nothing about timing.
//!
//!     cargo bench -p liaison-server --bench media
//!     BENCH_MEDIA_MB=10 BENCH_ROUNDS=5 cargo bench -p liaison-server --bench media
//!
//! Files of `BENCH_MEDIA_MB` MiB (default 20, a large phone photo; at most 24, under the
//! photo limit). Aim (issue 16): ≥ 0.8x the bare PUT.

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use chrono::Utc;
use liaison_core::records::*;
use liaison_core::sync::{SyncClient, SyncOptions, SyncReport};
use liaison_core::Store;
use liaison_server::media::FsMediaStore;
use liaison_server::storage::Storage;
use liaison_server::{ServeOptions, SqliteStorage};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn options() -> SyncOptions {
    SyncOptions {
        allow_plain_loopback: true,
        timeout: std::time::Duration::from_secs(120),
        ..Default::default()
    }
}

/// `mb` MiB that do not compress (xorshift), starting as a JPEG.
fn file(mb: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
    b.extend((0..mb * 1024 * 1024).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }));
    b
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

/// A bare PUT endpoint: the body written to a file and synced.
async fn bare_put(axum::extract::State(dir): axum::extract::State<Arc<std::path::PathBuf>>, body: Bytes) -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let path = dir.join(format!("put-{}", N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(&body).unwrap();
    f.sync_all().unwrap();
    body.len().to_string()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mb = env("BENCH_MEDIA_MB", 20).min(24);
    let rounds = env("BENCH_ROUNDS", 5).max(1);
    let dir = tempfile::tempdir().unwrap();

    // The force server, with its media beside its database.
    let storage = Arc::new(SqliteStorage::open(dir.path().join("force.db")).unwrap());
    let media = Arc::new(FsMediaStore::open(dir.path().join("force.db.media")).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let s: Arc<dyn Storage> = storage.clone();
    let served = ServeOptions {
        media: Some(media),
        ..Default::default()
    };
    tokio::spawn(async move { liaison_server::serve_with(listener, s, served, std::future::pending()).await });

    // A bare PUT server.
    let put_dir = Arc::new(dir.path().join("bare"));
    std::fs::create_dir_all(put_dir.as_ref()).unwrap();
    let app = axum::Router::new()
        .route("/put", axum::routing::put(bare_put))
        .layer(DefaultBodyLimit::disable())
        .with_state(put_dir);
    let bare = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bare_url = format!("http://{}/put", bare.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(bare, app).await });

    // A tablet, enrolled.
    let store = Arc::new(Mutex::new(Store::open(dir.path().join("device.db")).unwrap()));
    let code = liaison_server::auth::new_enrollment_code();
    storage
        .add_enrollment_code(
            &liaison_server::auth::hash_secret(&liaison_server::auth::normalise_code(&code)),
            "PC 4521",
            Utc::now() + chrono::Duration::hours(1),
        )
        .unwrap();
    SyncClient::new(&url, options())
        .unwrap()
        .enroll(&store, &code)
        .await
        .unwrap();
    let client = SyncClient::for_store(&store, options()).unwrap();
    let officer = OfficerId::new("PC 4521").unwrap();
    let http = reqwest::Client::new();

    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let bytes = file(mb, round as u64);
        let sha256 = hex::encode(Sha256::digest(&bytes));
        // The record first, then the file on the tablet (so the sync sends the record alone).
        let mut note: Record = serde_json::from_value(serde_json::json!({
            "occurred_at": Utc::now(), "links": [], "tags": [],
            "body": {"kind": "contact_note", "spoke_with": "Organiser", "function": "communication",
                     "summary": "Photographed the revised route"}
        }))
        .unwrap();
        note.attachments = vec![Attachment {
            sha256: sha256.clone(),
            kind: AttachmentKind::Photo,
            media_type: MediaType::Jpeg,
            size: bytes.len() as u64,
            thumbnail: None,
            location_kept: false,
            caption: String::new(),
        }];
        store.lock().unwrap().create(&officer, note).unwrap();
        client.sync(&store, &|_, _, _| {}).await.unwrap();
        store.lock().unwrap().media().put(&bytes).unwrap();

        let start = Instant::now();
        let mut report = SyncReport::default();
        client.upload_media(&store, &mut report, &|_, _, _| {}).await.unwrap();
        ours.push(mb as f64 / start.elapsed().as_secs_f64());
        assert_eq!(report.media_sent, 1, "{report:?}");

        let start = Instant::now();
        let answer = http.put(&bare_url).body(bytes.clone()).send().await.unwrap();
        assert!(answer.status().is_success());
        theirs.push(mb as f64 / start.elapsed().as_secs_f64());
    }
    let (o, t) = (median(ours), median(theirs));
    println!(
        "media upload over loopback, {mb} MB files, median of {rounds}: Liaison {o:.0} MB/s (256 KiB chunks, each hashed and synced, the whole checked), bare PUT {t:.0} MB/s; ratio {:.2}x (aim >= 0.8x)",
        o / t
    );
}
