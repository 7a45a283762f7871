//! Lock benchmark: Argon2id unlock time with the default parameters, and save latency with
//! encryption on versus off in the same run. `cargo bench --bench crypto`.
//!
//! Targets (issue 5): unlock (Argon2id + open) ≤ 1 s; an encrypted save ≤ 1.5× a plain one.

use chrono::Utc;
use liaison_core::crypto::{LockSettings, Vault};
use liaison_core::records::*;
use liaison_core::Store;
use std::time::Instant;

fn note(op: RecordId, i: usize) -> Record {
    Record {
        operation_id: Some(op),
        occurred_at: Utc::now(),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        body: Body::ContactNote(ContactNote {
            spoke_with: "Steward".into(),
            function: PltFunction::Sensing,
            summary: format!("note {i}: crowd calm near the stage, stewards in place, route agreed with the organiser"),
            mood: Some(Mood::Calm),
            follow_up: None,
        }),
    }
}

fn saves(store: &mut Store, n: usize) -> Vec<f64> {
    let op = liaison_core::demo::generate(store, Utc::now(), 1)
        .unwrap()
        .operation_id
        .unwrap();
    let officer = OfficerId::new("PC 1").unwrap();
    let mut lat: Vec<f64> = (0..n)
        .map(|i| {
            let r = note(op, i);
            let t = Instant::now();
            store.create(&officer, r).unwrap();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    lat.sort_by(f64::total_cmp);
    lat
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let settings = LockSettings::default();
    println!(
        "Argon2id parameters: {} MiB, {} iterations, {} lane(s)",
        settings.kdf.memory_kib / 1024,
        settings.kdf.iterations,
        settings.kdf.parallelism
    );
    let path = dir.path().join("enc.db");
    let mut v = Vault::new(&path, settings);
    let t = Instant::now();
    v.set_up("246810").unwrap();
    println!(
        "set up (key made, wrapped, database created): {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    v.lock();
    let mut unlocks: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            v.unlock("246810").unwrap();
            v.store().unwrap().lock().unwrap().revision_count().unwrap();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            v.lock();
            ms
        })
        .collect();
    unlocks.sort_by(f64::total_cmp);
    println!(
        "unlock (Argon2id + open + first read): median {:.0} ms, max {:.0} ms",
        unlocks[2], unlocks[4]
    );

    let n = 3000;
    v.unlock("246810").unwrap();
    let enc = saves(&mut v.store().unwrap().lock().unwrap(), n);
    let mut plain_store = Store::open(dir.path().join("plain.db")).unwrap();
    let plain = saves(&mut plain_store, n);
    let p = |v: &[f64], q: f64| v[((v.len() - 1) as f64 * q) as usize];
    println!(
        "save, plain:     p50 {:.3} ms  p99 {:.3} ms",
        p(&plain, 0.5),
        p(&plain, 0.99)
    );
    println!(
        "save, encrypted: p50 {:.3} ms  p99 {:.3} ms",
        p(&enc, 0.5),
        p(&enc, 0.99)
    );
    println!(
        "encrypted / plain: p50 {:.2}x  p99 {:.2}x",
        p(&enc, 0.5) / p(&plain, 0.5),
        p(&enc, 0.99) / p(&plain, 0.99)
    );
}
