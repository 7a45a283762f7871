//! Open exports benchmark (issue 13): the CSV export of an operation of 100,000 records, as
//! the console's button and `liaison-server export` make it, with the disclosure logged.
//! Prints the time of each run and the median; asserts nothing about timing (the aim is
//! ≤ 2 s in release).
//!
//!     cargo bench -p liaison-server --bench exports
//!     BENCH_RECORDS=20000 BENCH_RUNS=5 cargo bench -p liaison-server --bench exports
//!
//! SQLite on disk, as the embedded server keeps it. The operation holds contact notes,
//! tension readings and rumours placed in four sectors (every one located, so every row gets
//! its British National Grid reference), one in twenty edited once. The records are written
//! through the server's own chain (`append_own`) before the clock starts. GeoJSON and JSON
//! (full history) are timed once each for comparison.

use chrono::{Duration, TimeZone, Utc};
use liaison_core::records::*;
use liaison_server::export::{self, Format, Subject};
use liaison_server::storage::console::{ConsoleStore, OwnRevision};
use liaison_server::SqliteStorage;
use std::time::Instant;
use uuid::Uuid;

/// Records in the operation (`BENCH_RECORDS`).
const RECORDS: usize = 100_000;
/// Timed CSV exports (`BENCH_RUNS`).
const RUNS: usize = 3;
/// Records written per transaction while filling the database.
const BATCH: usize = 5_000;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn officer(s: &str) -> OfficerId {
    OfficerId::new(s).unwrap()
}

fn own(record_id: Uuid, parent: Option<Uuid>, author: &str, record: Record, reason: Option<&str>) -> OwnRevision {
    OwnRevision {
        id: Uuid::now_v7(),
        record_id,
        parent,
        merges: None,
        author: officer(author),
        reason: reason.map(str::to_string),
        record,
        owner: None,
    }
}

fn main() {
    let records = env("BENCH_RECORDS", RECORDS);
    let runs = env("BENCH_RUNS", RUNS).max(1);
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path().join("bench.db")).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap();

    // The operation: the demo's area and sectors.
    let plan = liaison_core::demo::plan(start, 1);
    let op_id = plan.summary.operation_id.unwrap();
    let op_record = plan
        .revisions
        .iter()
        .find(|r| r.record_id == op_id)
        .unwrap()
        .record
        .clone();
    storage
        .append_own(&[own(op_id, None, "PS 2817", op_record, None)], "bench")
        .unwrap();

    let filling = Instant::now();
    // A small xorshift: the same positions every run, and no dependency for it.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut jitter = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let officers = liaison_core::demo::OFFICERS;
    let mut made = 0;
    let mut edits = 0;
    while made < records {
        let n = BATCH.min(records - made);
        let mut batch = Vec::with_capacity(n + n / 20);
        let mut later = Vec::new();
        for i in made..made + n {
            let sector = i % 4;
            let (name, (lat, lon)) = liaison_core::demo::SECTORS[sector];
            let body = match i % 10 {
                0..=5 => Body::ContactNote(ContactNote {
                    spoke_with: format!("Steward {}", i % 97),
                    function: PltFunction::ALL[i % PltFunction::ALL.len()],
                    summary: format!("Routine engagement {i}: crowd steady, route confirmed, no concerns raised."),
                    mood: Some(Mood::ALL[i % 3]),
                    follow_up: (i % 7 == 0).then(|| "Check back before the rally.".to_string()),
                    monitored: vec![],
                }),
                6..=8 => Body::TensionReading(TensionReading {
                    mood: Mood::ALL[i % 5],
                    crowd_estimate: Some(200 + (i % 1500) as u32),
                    note: String::new(),
                }),
                _ => Body::RumourReport(RumourReport {
                    content: format!("Rumour {i}: the route has changed"),
                    heard_at: name.into(),
                    source: RumourSource::Crowd,
                    source_detail: String::new(),
                    spread: RumourSpread::Local,
                    risk: RumourRisk::Medium,
                    status: RumourStatus::Reported,
                    findings: String::new(),
                    control_actions: vec![],
                    verified_at: None,
                }),
            };
            let record = Record {
                operation_id: Some(op_id),
                occurred_at: start + Duration::seconds(i as i64),
                location: Some(Location {
                    lat: ((lat + jitter() * 0.0006) * 1e6).round() / 1e6,
                    lon: ((lon + jitter() * 0.0006) * 1e6).round() / 1e6,
                    accuracy_m: Some(5.0),
                }),
                sector: Some(name.into()),
                links: vec![],
                tags: vec![],
                attachments: vec![],
                body,
            };
            let id = Uuid::now_v7();
            let first = own(id, None, officers[i % 4], record.clone(), None);
            if i % 20 == 0 {
                let mut edited = record;
                edited.tags = vec!["reviewed".into()];
                later.push(own(
                    id,
                    Some(first.id),
                    "PS 2817",
                    edited,
                    Some("reviewed by the PLT leader"),
                ));
            }
            batch.push(first);
        }
        edits += later.len();
        batch.extend(later);
        storage.append_own(&batch, "bench").unwrap();
        made += n;
    }
    println!(
        "filled: {records} records ({} revisions with {edits} edits) in {:.1} s",
        records + edits + 1,
        filling.elapsed().as_secs_f64()
    );

    let mut times = Vec::new();
    let mut bytes = 0;
    for run in 1..=runs {
        let t = Instant::now();
        let e = export::export(
            &storage,
            Subject::Operation(op_id),
            Format::Csv,
            "bench",
            "benchmark",
            Utc::now(),
        )
        .unwrap();
        let took = t.elapsed().as_secs_f64();
        assert_eq!(e.records, records + 1, "every record and the operation");
        bytes = e.bytes.len();
        println!("CSV export run {run}: {:.3} s", took);
        times.push(took);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "CSV export of {} records ({:.1} MB): median {:.3} s, best {:.3} s (aim: ≤ 2 s in release)",
        records + 1,
        bytes as f64 / 1e6,
        times[times.len() / 2],
        times[0]
    );
    for format in [Format::GeoJson, Format::Json] {
        let t = Instant::now();
        let e = export::export(
            &storage,
            Subject::Operation(op_id),
            format,
            "bench",
            "benchmark",
            Utc::now(),
        )
        .unwrap();
        println!(
            "{} export: {:.3} s ({:.1} MB, {} revisions)",
            format.as_str(),
            t.elapsed().as_secs_f64(),
            e.bytes.len() as f64 / 1e6,
            e.revisions
        );
    }
}
