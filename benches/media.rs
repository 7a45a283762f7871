//! Media benchmark (issue 16): how fast the tablet keeps a photo (strip, encrypt, hash, write,
//! fsync), how fast it reads one back (decrypt and check), and a note's save time on an
//! encrypted store with and without 500 MB of media beside it, in the same run. Prints
//! figures; asserts nothing about timing.
//!
//!     cargo bench --bench media
//!     BENCH_MEDIA_MB=100 cargo bench --bench media
//!
//! The aim (issue 16): a 20 MB photo must not slow a note's save or bloat the database's page
//! cache: the photos are files of their own, never pages of the database.

use chrono::Utc;
use liaison_core::crypto::DbKey;
use liaison_core::records::*;
use liaison_core::service::{attach, NewAttachment};
use liaison_core::Store;
use std::time::Instant;

fn photo(mb: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
    b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    b.extend_from_slice(&[0xFF, 0xDA, 0, 2]);
    b.extend((0..mb * 1024 * 1024).map(|_| rng.u8(..)));
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

fn note(i: usize) -> Record {
    serde_json::from_value(serde_json::json!({
        "occurred_at": Utc::now(), "links": [], "tags": [],
        "body": {"kind": "contact_note", "spoke_with": format!("Steward {i}"), "function": "sensing",
                 "summary": "Crowd in good humour near the stage; spoke about the route"}
    }))
    .unwrap()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Median and p99 of `n` note saves, in ms.
fn saves(store: &mut Store, n: usize) -> (f64, f64) {
    let officer = OfficerId::new("PC 4521").unwrap();
    let mut t: Vec<f64> = (0..n)
        .map(|i| {
            let start = Instant::now();
            store.create(&officer, note(i)).unwrap();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (percentile(&t, 0.5), percentile(&t, 0.99))
}

fn main() {
    let media_mb: usize = std::env::var("BENCH_MEDIA_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::from_bytes_for_tests([7; 32]);
    let mut store = Store::open_encrypted(dir.path().join("device.db"), &key).unwrap();

    let (p50, p99) = saves(&mut store, 300);
    println!("note save, no media on the tablet: p50 {p50:.2} ms, p99 {p99:.2} ms (300 saves)");

    let photos = media_mb.div_ceil(20);
    let new = NewAttachment {
        kind: AttachmentKind::Photo,
        keep_location: false,
        caption: String::new(),
    };
    let mut kept = Vec::new();
    let mut spent = 0.0;
    for i in 0..photos {
        let bytes = photo(20, i as u64);
        let start = Instant::now();
        kept.push(attach(&store, &new, &bytes, None).unwrap().attachment);
        spent += start.elapsed().as_secs_f64();
    }
    let mb = (photos * 20) as f64;
    println!(
        "keep a 20 MB photo (strip, SHA-256, encrypt, write, fsync): {:.0} ms each, {:.0} MB/s ({photos} photos)",
        spent * 1000.0 / photos as f64,
        mb / spent
    );
    let start = Instant::now();
    let back = store.media().get(&kept[0].sha256).unwrap();
    let read = start.elapsed().as_secs_f64();
    println!(
        "read a 20 MB photo back (decrypt, check its SHA-256): {:.0} ms, {:.0} MB/s",
        read * 1000.0,
        back.len() as f64 / 1_048_576.0 / read
    );
    let (files, bytes) = store.media().usage().unwrap();
    let db = std::fs::metadata(store.path()).map(|m| m.len()).unwrap_or(0);
    println!(
        "on disk: {files} media files, {:.0} MB beside a {:.1} MB database",
        bytes as f64 / 1_048_576.0,
        db as f64 / 1_048_576.0
    );

    let (m50, m99) = saves(&mut store, 300);
    println!(
        "note save, {mb:.0} MB of media on the tablet: p50 {m50:.2} ms, p99 {m99:.2} ms (300 saves); p50 ratio to none {:.2}x",
        m50 / p50
    );
}
