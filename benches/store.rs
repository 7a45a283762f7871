//! Store benchmark: prints save latency (durable, FTS and audit on), bulk import rate, search
//! latency over 100,000 notes for a rare, a medium and a very common word, and file size per
//! note. Run with `cargo bench --bench store` (release build).
//!
//! Targets (issue 2): save p50 ≤ 0.5 ms, p99 ≤ 3 ms, p99.9 ≤ 25 ms; import ≥ 7,000 notes/s;
//! any one-word search, top 20 with snippets, ≤ 50 ms; ≤ 1 KB on disk per note.

use chrono::{Duration, TimeZone, Utc};
use liaison_core::records::*;
use liaison_core::store::SearchQuery;
use liaison_core::Store;
use std::time::Instant;

const SENTENCES: &[&str] = &[
    "Spoke with the organiser about the route past the council house",
    "stewards in orange vests are keeping the march together",
    "the crowd near the stage is good humoured with families and children",
    "a small group shouting at passing marchers near the station entrance",
    "explained where the counter protest can stand lawfully",
    "organiser asked about the noise limit for the rally",
    "passed on the condition about the sound system after three",
    "two people argued with a shop owner about a banner on his window",
    "community leader offered to speak to younger marchers",
    "chanting but no trouble, flags and placards, drums at the front",
    "the trades bloc wants a short stop for speeches",
    "someone handing out leaflets about a second march next week",
];

fn text(rng: &mut fastrand::Rng, i: usize) -> String {
    let mut s = String::new();
    let n = 3 + rng.usize(0..3);
    for _ in 0..n {
        if !s.is_empty() {
            s.push_str(". ");
        }
        s.push_str(SENTENCES[rng.usize(0..SENTENCES.len())]);
    }
    // Controlled frequencies for the search figures.
    if i % 1000 == 7 {
        s.push_str(". kestrel seen on the roof");
    }
    if i % 20 == 3 {
        s.push_str(". pushing at the barrier");
    }
    if !i.is_multiple_of(5) {
        s.push_str(". mood of the crowd settled");
    }
    s.push('.');
    s
}

fn note(op: RecordId, rng: &mut fastrand::Rng, i: usize) -> Record {
    let start = Utc.with_ymd_and_hms(2026, 6, 6, 11, 0, 0).unwrap();
    Record {
        operation_id: Some(op),
        occurred_at: start + Duration::seconds(i as i64),
        location: Some(Location {
            lat: 52.478 + rng.f64() * 0.003,
            lon: -1.915 + rng.f64() * 0.02,
            accuracy_m: Some(8.0),
        }),
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::ContactNote(ContactNote {
            spoke_with: ["Organiser", "Steward", "Member of the public", "Spokesperson"][i % 4].into(),
            function: PltFunction::ALL[i % 5],
            summary: text(rng, i),
            mood: Some(Mood::ALL[i % 5]),
            follow_up: None,
            monitored: vec![],
        }),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would pass nothing useful. Either way run.
    let dir = tempfile::tempdir().expect("tempdir");
    // BENCH_DB keeps the database for inspection; BENCH_NOTES shrinks the run.
    let path = std::env::var("BENCH_DB")
        .map(Into::into)
        .unwrap_or_else(|_| dir.path().join("bench.db"));
    let target: usize = std::env::var("BENCH_NOTES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let mut store = Store::open(&path).expect("open");
    let officer = OfficerId::new("PC 4521").unwrap();
    let demo = liaison_core::demo::generate(&mut store, Utc::now(), 1).expect("demo");
    let op = demo.operation_id.unwrap();
    let mut rng = fastrand::Rng::with_seed(42);

    // 1. Single saves, durable (WAL, synchronous=FULL), FTS and audit on.
    let saves = 5_000.min(target / 2);
    let mut lat = Vec::with_capacity(saves);
    for i in 0..saves {
        let r = note(op, &mut rng, i);
        let t = Instant::now();
        store.create(&officer, r).expect("save");
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    lat.sort_by(f64::total_cmp);
    println!(
        "save (durable, FTS, audit), {saves} notes: p50 {:.3} ms  p99 {:.3} ms  p99.9 {:.3} ms  max {:.3} ms",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 0.999),
        lat[lat.len() - 1]
    );

    // 2. Bulk import to 100,000 notes, in batches of 1,000 (one transaction each).
    let batch = 1_000;
    let t = Instant::now();
    let mut i = saves;
    while i < target {
        let n = batch.min(target - i);
        let records: Vec<Record> = (i..i + n).map(|j| note(op, &mut rng, j)).collect();
        store.import(&officer, records).expect("import");
        i += n;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "bulk import: {} notes in {:.2} s = {:.0} notes/s (batches of {batch}, FTS on)",
        target - saves,
        secs,
        (target - saves) as f64 / secs
    );

    // 3. Search over 100,000 notes, top 20 with snippets.
    for (label, word) in [
        ("rare (0.1%)", "kestrel"),
        ("medium (5%)", "barrier"),
        ("very common (80%)", "settled"),
        ("in every note", "the"),
    ] {
        let q = SearchQuery {
            text: word.into(),
            limit: 20,
            ..Default::default()
        };
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..30 {
            let t = Instant::now();
            hits = store.search(&q).expect("search").len();
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "search {label:>18} `{word}`: p50 {:.2} ms  max {:.2} ms  ({hits} hits shown)",
            percentile(&times, 0.5),
            times[times.len() - 1]
        );
    }
    let filtered = SearchQuery {
        text: "settled".into(),
        operation_id: Some(op),
        kind: Some(RecordKind::ContactNote),
        limit: 20,
        ..Default::default()
    };
    let t = Instant::now();
    let n = store.search(&filtered).expect("search").len();
    println!(
        "search very common word with operation+kind filter: {:.2} ms ({n} hits)",
        t.elapsed().as_secs_f64() * 1e3
    );

    // 4. Size on disk per note, after a checkpoint folds the WAL into the file.
    drop(store);
    let conn = rusqlite::Connection::open(&path).expect("reopen");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    let revisions: i64 = conn
        .query_row("SELECT COUNT(*) FROM revisions", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "file size: {:.1} MB for {revisions} revisions = {:.0} bytes per note (indexes and FTS included)",
        size as f64 / 1e6,
        size as f64 / revisions as f64
    );
}
