//! Debrief report benchmark (issue 13): the time to make an operation's debrief PDF on the
//! server, from reading its log to the finished file (what the console's "Download" and the
//! CLI do), and the process's peak memory while making it. Prints figures; asserts nothing
//! about timing.
//!
//!     cargo bench -p liaison-server --bench debrief
//!     BENCH_RECORDS=2000 BENCH_ROUNDS=3 cargo bench -p liaison-server --bench debrief
//!     BENCH_TEMPLATE=my.typ BENCH_OUT=/tmp cargo bench -p liaison-server --bench debrief
//!
//! Two operations on a SQLite server on disk: the demo operation (`liaison-server demo`, about
//! 120 records), and one of `BENCH_RECORDS` records (default 10,000: contact notes, tension
//! readings, rumours, negotiations and escalations, located in its sectors), written to the
//! server's chain in batches before timing. Each is made `BENCH_ROUNDS` times (default 5);
//! the peak resident memory (VmHWM) is reset before each operation's runs (`clear_refs`) and
//! read after them. Targets (issue 13): the demo ≤ 2 s, 10,000 records ≤ 10 s and ≤ 300 MB.
//! `BENCH_TEMPLATE` times a force's edited template (and prints the memory before typesetting);
//! `BENCH_OUT` keeps each operation's last report there.

use chrono::{Duration, Utc};
use liaison_core::records::*;
use liaison_core::report::pdf::debrief_pdf;
use liaison_server::console::debrief::{build, report_pdf};
use liaison_server::storage::console::OwnRevision;
use liaison_server::storage::Storage;
use liaison_server::SqliteStorage;
use std::time::Instant;
use uuid::Uuid;

const MOODS: [&str; 4] = ["calm", "good_natured", "uneasy", "tense"];

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn square(lat: f64, lon: f64, d: f64) -> Vec<LatLon> {
    vec![
        LatLon { lat, lon },
        LatLon { lat, lon: lon + d },
        LatLon {
            lat: lat + d,
            lon: lon + d,
        },
        LatLon { lat: lat + d, lon },
    ]
}

/// An operation of `n` records in the server's own chain.
fn big_operation(storage: &dyn Storage, n: usize) -> Uuid {
    let start = Utc::now() - Duration::hours(8);
    let officer = OfficerId::new("PS 2817").unwrap();
    let sectors: Vec<Sector> = (0..4)
        .map(|i| Sector {
            name: format!("Sector {}", i + 1),
            boundary: square(52.47 + 0.01 * i as f64, -1.91, 0.01),
        })
        .collect();
    let op = Uuid::now_v7();
    let envelope = |body: Body, i: usize| Record {
        operation_id: Some(op),
        occurred_at: start + Duration::seconds((i as i64 * 7) % (8 * 3600)),
        location: Some(Location {
            lat: 52.47 + 0.04 * ((i * 37) % 100) as f64 / 100.0,
            lon: -1.91 + 0.01 * ((i * 53) % 100) as f64 / 100.0,
            accuracy_m: Some(10.0),
        }),
        sector: Some(format!("Sector {}", i % 4 + 1)),
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body,
    };
    let operation = Record {
        operation_id: None,
        occurred_at: start,
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::Operation(Operation {
            name: format!("Operation BENCH ({n} records)"),
            event_kind: EventKind::March,
            starts_at: start,
            ends_at: start + Duration::hours(8),
            area: square(52.46, -1.92, 0.06),
            sectors,
            briefing: "Information: a large march.\nIntention: facilitate peaceful protest.".into(),
            command_structure: "Gold: Supt Grant; Silver: CI Patel; Bronze: Insp Hale".into(),
            groups_expected: vec![],
            team: vec![TeamMember {
                officer: officer.clone(),
                role: "PLT leader".into(),
            }],
        }),
    };
    let own = |record: Record, id: Uuid| OwnRevision {
        id: Uuid::now_v7(),
        record_id: id,
        parent: None,
        merges: None,
        author: officer.clone(),
        reason: None,
        record,
        owner: None,
    };
    storage.append_own(&[own(operation, op)], "bench").unwrap();
    let mut batch = Vec::new();
    for i in 0..n {
        let body = match i % 10 {
            0..=4 => {
                let mut v = serde_json::json!({
                    "kind": "contact_note", "spoke_with": format!("Steward {i}"), "function": "sensing",
                    "summary": format!("Crowd in good humour near the stage; spoke about the route and the timing ({i})")
                });
                v["mood"] = serde_json::json!("calm");
                serde_json::from_value(v).unwrap()
            }
            5..=7 => serde_json::from_value(serde_json::json!({
                "kind": "tension_reading", "mood": MOODS[i % 4], "note": ""
            }))
            .unwrap(),
            8 => serde_json::from_value(serde_json::json!({
                "kind": "rumour_report", "content": format!("Rumour {i}: the route has changed"), "source": "crowd",
                "spread": "local", "risk": "medium", "status": "reported"
            }))
            .unwrap(),
            _ => serde_json::from_value(serde_json::json!({
                "kind": "negotiation_outcome", "parties": format!("Organiser {i}"), "subject": "route",
                "police_position": "Keep to the agreed route", "other_position": "A detour",
                "outcome": "agreed", "agreed": "The agreed route"
            }))
            .unwrap(),
        };
        batch.push(own(envelope(body, i), Uuid::now_v7()));
        if batch.len() == 500 {
            storage.append_own(&batch, "bench").unwrap();
            batch.clear();
        }
    }
    if !batch.is_empty() {
        storage.append_own(&batch, "bench").unwrap();
    }
    op
}

fn run(storage: &dyn Storage, op: Uuid, rounds: usize, what: &str) {
    reset_peak();
    let mut times = Vec::new();
    let mut size = 0;
    let mut records = 0;
    // BENCH_TEMPLATE=path: time a force's edited template instead of the shipped one.
    let template = std::env::var("BENCH_TEMPLATE")
        .ok()
        .map(|p| std::fs::read_to_string(p).unwrap());
    let mut data_peak = 0.0;
    for _ in 0..rounds {
        let t = Instant::now();
        let (d, pdf) = match &template {
            None => report_pdf(storage, op, "bench", "benchmark", Utc::now()).unwrap(),
            Some(template) => {
                let d = build(storage, op, "bench", Utc::now()).unwrap();
                data_peak = peak_mib();
                let pdf = debrief_pdf(&d, template).unwrap();
                (d, pdf)
            }
        };
        times.push(t.elapsed().as_secs_f64());
        size = pdf.len();
        // BENCH_OUT=dir: keep the last report of each operation, to look at.
        if let Ok(dir) = std::env::var("BENCH_OUT") {
            std::fs::write(format!("{dir}/debrief-{}.pdf", d.records), &pdf).unwrap();
        }
        records = d.records;
    }
    if template.is_some() {
        println!("  (peak memory after reading the records, before typesetting: {data_peak:.0} MiB)");
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{what}: {records} records, PDF {:.0} KiB; median {:.2} s, min {:.2} s, max {:.2} s over {rounds} runs; peak memory {:.0} MiB",
        size as f64 / 1024.0,
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        peak_mib()
    );
}

fn main() {
    let n = env("BENCH_RECORDS", 10_000);
    let rounds = env("BENCH_ROUNDS", 5).max(1);
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path().join("force.db")).unwrap();
    let officers: Vec<String> = liaison_core::demo::team().iter().map(|s| s.to_string()).collect();
    let demo = liaison_server::demo::load(&storage, Utc::now() - Duration::hours(8), &officers).unwrap();
    let t = Instant::now();
    let big = big_operation(&storage, n);
    println!("setup: {n} records written in {:.1} s", t.elapsed().as_secs_f64());
    // The first report loads the fonts once for the process (as a server's first report does).
    run(&storage, demo.operation_id, rounds, "demo operation (target ≤ 2 s)");
    run(
        &storage,
        big,
        rounds.min(3),
        &format!("{n}-record operation (target ≤ 10 s, ≤ 300 MB)"),
    );
}
