//! A save the caller was told succeeded survives `kill -9` of the process at any moment.
//!
//! The test binary re-runs itself as a child that writes notes as fast as it can and prints an
//! acknowledgement after each save returns; the parent kills it (SIGKILL) mid-stream, reopens
//! the file and checks that every acknowledged note is there, intact, and the chain verifies.

use chrono::Utc;
use liaison_core::records::*;
use liaison_core::store::ListFilter;
use liaison_core::{Access, Store};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const CHILD_ENV: &str = "LIAISON_DURABILITY_CHILD_DB";

fn officer() -> OfficerId {
    OfficerId::new("PC 4521").unwrap()
}

fn note(op: RecordId, i: u64) -> Record {
    Record {
        operation_id: Some(op),
        occurred_at: Utc::now(),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::ContactNote(ContactNote {
            spoke_with: "Steward".into(),
            function: PltFunction::Sensing,
            summary: format!("acknowledged note number {i}, crowd calm"),
            mood: Some(Mood::Calm),
            follow_up: None,
            monitored: vec![],
        }),
    }
}

/// Runs only as the child: writes until killed.
#[test]
fn child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else { return };
    let mut store = Store::open(&path).unwrap();
    let start = Utc::now();
    let summary = liaison_core::demo::generate(&mut store, start, 1).unwrap();
    let op = summary.operation_id.unwrap();
    println!("OP {op}");
    let mut i = 0u64;
    loop {
        let saved = store.create(&officer(), note(op, i)).unwrap();
        // Printed only after create returned: this is the acknowledgement the officer sees.
        println!("ACK {} {}", saved.record_id, i);
        i += 1;
        // Every few notes, an edit too, so edits are also caught mid-write.
        if i.is_multiple_of(5) {
            let mut r = note(op, i);
            if let Body::ContactNote(n) = &mut r.body {
                n.summary = format!("edited note {i}");
            }
            let e = store.edit(&officer(), saved.record_id, r, "corrected").unwrap();
            println!("EDIT {} {}", e.record_id, e.revision_id);
        }
    }
}

#[test]
fn acknowledged_notes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    for (round, kill_after) in [40usize, 157, 311].into_iter().enumerate() {
        let path = dir.path().join(format!("device-{round}.db"));
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut acked = Vec::new();
        let mut edits = Vec::new();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        while acked.len() < kill_after {
            let line = lines.next().expect("child ended early").unwrap();
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.first() {
                Some(&"ACK") => acked.push((
                    parts[1].parse::<uuid::Uuid>().unwrap(),
                    parts[2].parse::<u64>().unwrap(),
                )),
                Some(&"EDIT") => edits.push((
                    parts[1].parse::<uuid::Uuid>().unwrap(),
                    parts[2].parse::<uuid::Uuid>().unwrap(),
                )),
                _ => {}
            }
        }
        child.kill().unwrap(); // SIGKILL: no destructors, no flush, no checkpoint
        child.wait().unwrap();

        let store = Store::open(&path).unwrap();
        let access = Access {
            officer: officer(),
            purpose: "test".into(),
        };
        for (id, i) in &acked {
            let cur = store
                .get(*id, &access)
                .unwrap_or_else(|e| panic!("acknowledged note {i} lost: {e}"));
            let Body::ContactNote(n) = cur.record.body else {
                panic!("wrong kind")
            };
            assert!(
                n.summary.contains(&format!("number {i},")) || n.summary == format!("edited note {}", i + 1),
                "{}",
                n.summary
            );
        }
        for (id, rev) in &edits {
            let hist = store.history(*id, &access).unwrap();
            assert!(hist.iter().any(|r| r.id == *rev), "acknowledged edit {rev} lost");
        }
        let report = store.verify_chain().unwrap();
        assert!(report.is_valid(), "chain broken after kill -9: {report:?}");
        let notes = store
            .list(&ListFilter {
                kinds: vec![RecordKind::ContactNote],
                limit: 500,
                ..Default::default()
            })
            .unwrap();
        assert!(notes.len() >= acked.len());
    }
}
