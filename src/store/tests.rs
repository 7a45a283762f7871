use super::*;
use crate::audit::{Access, AuditAction};
use crate::records::*;
use chrono::{TimeZone, Utc};

fn officer(s: &str) -> OfficerId {
    OfficerId::new(s).unwrap()
}

fn access(purpose: &str) -> Access {
    Access {
        officer: officer("PC 1"),
        purpose: purpose.into(),
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    op: RecordId,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("device.db")).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap();
    let op = store
        .create(
            &officer("PS 1"),
            Record {
                operation_id: None,
                occurred_at: start,
                location: None,
                sector: None,
                links: vec![],
                tags: vec![],
                attachments: vec![],
                body: Body::Operation(Operation {
                    name: "Op Test".into(),
                    event_kind: EventKind::March,
                    starts_at: start,
                    ends_at: start + chrono::Duration::hours(5),
                    area: vec![],
                    sectors: vec![Sector {
                        name: "North".into(),
                        boundary: vec![
                            LatLon { lat: 52.0, lon: -2.0 },
                            LatLon { lat: 52.0, lon: -1.0 },
                            LatLon { lat: 53.0, lon: -1.0 },
                            LatLon { lat: 53.0, lon: -2.0 },
                        ],
                    }],
                    briefing: "Facilitate peaceful protest.".into(),
                    command_structure: String::new(),
                    groups_expected: vec![],
                    team: vec![],
                }),
            },
        )
        .unwrap()
        .record_id;
    Fixture { _dir: dir, store, op }
}

fn note(op: RecordId, summary: &str) -> Record {
    Record {
        operation_id: Some(op),
        occurred_at: Utc.with_ymd_and_hms(2026, 6, 6, 11, 0, 0).unwrap(),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::ContactNote(ContactNote {
            spoke_with: "Organiser".into(),
            function: PltFunction::Negotiation,
            summary: summary.into(),
            mood: None,
            follow_up: None,
            monitored: vec![],
        }),
    }
}

fn person(name: &str) -> Record {
    Record {
        operation_id: None,
        occurred_at: Utc::now(),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::Person(Person {
            name: name.into(),
            role: PersonRole::Organiser,
            phone: String::new(),
            email: String::new(),
            other_contact: String::new(),
            groups: vec![],
            notes: String::new(),
        }),
    }
}

fn raw(store: &Store) -> &rusqlite::Connection {
    &store.conn
}

#[test]
fn a_saved_note_reads_back_with_its_revision_in_the_chain() {
    let mut f = fixture();
    let saved = f.store.create(&officer("PC 1"), note(f.op, "Route agreed.")).unwrap();
    assert_eq!(saved.device_seq, 2);
    let cur = f.store.get(saved.record_id, &access("")).unwrap();
    assert_eq!(cur.record, note(f.op, "Route agreed."));
    assert_eq!(cur.revision_id, saved.revision_id);
    assert_eq!(cur.author, officer("PC 1"));
    let hist = f.store.history(saved.record_id, &access("")).unwrap();
    assert_eq!(hist.len(), 1);
    assert!(hist[0].hash_is_valid());
    assert_eq!(hist[0].device_id, f.store.device_id());
    assert!(f.store.verify_chain().unwrap().is_valid());
}

#[test]
fn an_edit_is_a_new_revision_with_its_reason_and_parent() {
    let mut f = fixture();
    let first = f.store.create(&officer("PC 1"), note(f.op, "Route agreed.")).unwrap();
    let second = f
        .store
        .edit(
            &officer("PS 1"),
            first.record_id,
            note(f.op, "Route agreed, except New Street."),
            "added the exception",
        )
        .unwrap();
    let hist = f.store.history(first.record_id, &access("")).unwrap();
    assert_eq!(hist.len(), 2);
    assert_eq!(hist[1].parent, Some(first.revision_id));
    assert_eq!(hist[1].reason.as_deref(), Some("added the exception"));
    assert_eq!(hist[1].author, officer("PS 1"));
    assert_eq!(hist[1].prev_hash, hist[0].hash);
    assert!(hist[1].hlc > hist[0].hlc);
    let cur = f.store.get(first.record_id, &access("")).unwrap();
    assert_eq!(cur.revision_id, second.revision_id);
    assert_eq!(cur.revision_count, 2);
    assert_eq!(cur.author, officer("PC 1"));
    assert_eq!(cur.updated_by, officer("PS 1"));
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    let mut f = fixture();
    let saved = f.store.create(&officer("PC 1"), note(f.op, "Route agreed.")).unwrap();
    let before = f.store.revision_count().unwrap();
    let audit_before = f.store.audit_entries(None).unwrap().len();

    assert!(matches!(
        f.store.edit(&officer("PC 1"), saved.record_id, note(f.op, "x"), "  "),
        Err(StoreError::ReasonRequired)
    ));
    assert!(matches!(
        f.store.edit(&officer("PC 1"), Uuid::now_v7(), note(f.op, "x"), "why"),
        Err(StoreError::RecordNotFound(_))
    ));
    assert!(matches!(
        f.store.create(&officer("PC 1"), note(f.op, "")),
        Err(StoreError::Validation(_))
    ));
    assert!(matches!(
        f.store
            .create(&officer("PC 1"), note(Uuid::now_v7(), "unknown operation")),
        Err(StoreError::Validation(ValidationError::Invalid { .. }))
    ));
    let mut bad_sector = note(f.op, "x");
    bad_sector.sector = Some("Nowhere".into());
    assert!(f.store.create(&officer("PC 1"), bad_sector).is_err());
    let mut located = note(f.op, "x");
    located.location = Some(Location {
        lat: f64::NAN,
        lon: 0.0,
        accuracy_m: None,
    });
    assert!(f.store.create(&officer("PC 1"), located).is_err());
    // A kind change is not an edit.
    assert!(f
        .store
        .edit(&officer("PC 1"), saved.record_id, person("A"), "why")
        .is_err());
    // Bulk import is all or nothing.
    assert!(f
        .store
        .import(&officer("PC 1"), vec![note(f.op, "ok"), note(f.op, "")])
        .is_err());

    assert_eq!(f.store.revision_count().unwrap(), before);
    assert_eq!(f.store.audit_entries(None).unwrap().len(), audit_before);
    assert_eq!(f.store.get(saved.record_id, &access("")).unwrap().revision_count, 1);
}

#[test]
fn revisions_and_the_audit_log_cannot_be_changed_in_place() {
    let mut f = fixture();
    f.store.create(&officer("PC 1"), note(f.op, "Route agreed.")).unwrap();
    for sql in [
        "UPDATE revisions SET body = '{}'",
        "DELETE FROM revisions",
        "UPDATE audit_log SET officer = 'x'",
        "DELETE FROM audit_log",
    ] {
        let e = raw(&f.store).execute(sql, []).unwrap_err();
        assert!(
            e.to_string().contains("immutable")
                || e.to_string().contains("never")
                || e.to_string().contains("append-only"),
            "{sql}: {e}"
        );
    }
}

fn tamper(store: &Store, sql: &str) {
    raw(store)
        .execute_batch(&format!(
            "PRAGMA foreign_keys = OFF; DROP TRIGGER revisions_are_immutable; DROP TRIGGER revisions_are_never_deleted; {sql}"
        ))
        .unwrap();
}

fn three_notes() -> Fixture {
    let mut f = fixture();
    for s in ["one", "two", "three"] {
        f.store.create(&officer("PC 1"), note(f.op, s)).unwrap();
    }
    assert!(f.store.verify_chain().unwrap().is_valid());
    f
}

#[test]
fn verify_chain_detects_an_altered_revision() {
    let f = three_notes();
    tamper(
        &f.store,
        "UPDATE revisions SET body = replace(body, 'two', 'TWO') WHERE device_seq = 3",
    );
    let report = f.store.verify_chain().unwrap();
    assert!(
        matches!(
            report.problems.as_slice(),
            [ChainProblem::Altered { device_seq: 3, .. }]
        ),
        "{report:?}"
    );
}

#[test]
fn verify_chain_detects_an_altered_reason_or_author() {
    let f = three_notes();
    tamper(&f.store, "UPDATE revisions SET author = 'PC 9' WHERE device_seq = 2");
    assert!(!f.store.verify_chain().unwrap().is_valid());
}

#[test]
fn verify_chain_detects_a_missing_revision() {
    let f = three_notes();
    tamper(&f.store, "DELETE FROM revisions WHERE device_seq = 3");
    let report = f.store.verify_chain().unwrap();
    assert!(
        report.problems.iter().any(|p| matches!(
            p,
            ChainProblem::Missing {
                expected_seq: 3,
                found_seq: 4,
                ..
            }
        )),
        "{report:?}"
    );
}

#[test]
fn verify_chain_detects_reordered_revisions() {
    let f = three_notes();
    tamper(
        &f.store,
        "UPDATE revisions SET device_seq = device_seq + 1000 WHERE device_seq IN (3, 4);
         UPDATE revisions SET device_seq = 4 WHERE device_seq = 1003;
         UPDATE revisions SET device_seq = 3 WHERE device_seq = 1004;",
    );
    let report = f.store.verify_chain().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(p, ChainProblem::Altered { .. } | ChainProblem::BrokenLink { .. })),
        "{report:?}"
    );
}

#[test]
fn a_located_record_is_placed_in_its_sector() {
    let mut f = fixture();
    let mut r = note(f.op, "in the north");
    r.location = Some(Location {
        lat: 52.5,
        lon: -1.5,
        accuracy_m: Some(5.0),
    });
    assert_eq!(
        f.store.create(&officer("PC 1"), r).unwrap().sector.as_deref(),
        Some("North")
    );
    let mut r = note(f.op, "outside");
    r.location = Some(Location {
        lat: 51.5,
        lon: -1.5,
        accuracy_m: Some(5.0),
    });
    assert_eq!(f.store.create(&officer("PC 1"), r).unwrap().sector, None);
}

#[test]
fn search_ranks_filters_and_snippets() {
    let mut f = fixture();
    let a = f
        .store
        .create(
            &officer("PC 1"),
            note(f.op, "The organiser agreed the route via New Street."),
        )
        .unwrap();
    f.store
        .create(&officer("PC 2"), note(f.op, "Crowd calm near the stage."))
        .unwrap();
    let hits = f
        .store
        .search(&SearchQuery {
            text: "route".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].record_id, a.record_id);
    assert!(
        hits[0]
            .snippet
            .iter()
            .any(|p| p.hit && p.text.eq_ignore_ascii_case("route")),
        "{:?}",
        hits[0].snippet
    );
    // Prefix match when asked for, stemming always.
    assert_eq!(
        f.store
            .search(&SearchQuery {
                text: "stree*".into(),
                ..Default::default()
            })
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        f.store
            .search(&SearchQuery {
                text: "agreeing rout*".into(),
                ..Default::default()
            })
            .unwrap()
            .len(),
        1
    );
    // Filters.
    let by = |author: &str| SearchQuery {
        text: "calm".into(),
        author: Some(officer(author)),
        ..Default::default()
    };
    assert_eq!(f.store.search(&by("PC 2")).unwrap().len(), 1);
    assert_eq!(f.store.search(&by("PC 1")).unwrap().len(), 0);
    let kind = SearchQuery {
        text: "route".into(),
        kind: Some(RecordKind::RumourReport),
        ..Default::default()
    };
    assert!(f.store.search(&kind).unwrap().is_empty());
    let other_op = SearchQuery {
        text: "route".into(),
        operation_id: Some(Uuid::now_v7()),
        ..Default::default()
    };
    assert!(f.store.search(&other_op).unwrap().is_empty());
    let late = SearchQuery {
        text: "route".into(),
        from: Some(Utc.with_ymd_and_hms(2026, 6, 6, 12, 0, 0).unwrap()),
        ..Default::default()
    };
    assert!(f.store.search(&late).unwrap().is_empty());
    let sector = SearchQuery {
        text: "route".into(),
        sector: Some("North".into()),
        ..Default::default()
    };
    assert!(f.store.search(&sector).unwrap().is_empty());
}

#[test]
fn search_follows_edits() {
    let mut f = fixture();
    let a = f
        .store
        .create(&officer("PC 1"), note(f.op, "Banner on the bridge."))
        .unwrap();
    f.store
        .edit(&officer("PC 1"), a.record_id, note(f.op, "Banner removed."), "update")
        .unwrap();
    let q = |t: &str| {
        f.store
            .search(&SearchQuery {
                text: t.into(),
                ..Default::default()
            })
            .unwrap()
            .len()
    };
    assert_eq!(q("bridge"), 0);
    assert_eq!(q("removed"), 1);
}

#[test]
fn reading_a_person_is_audited_and_needs_a_purpose() {
    let mut f = fixture();
    let p = f.store.create(&officer("PC 1"), person("Aisha Rahman")).unwrap();
    assert!(matches!(
        f.store.get(p.record_id, &access(" ")),
        Err(StoreError::PurposeRequired)
    ));
    f.store.get(p.record_id, &access("follow-up call")).unwrap();
    let entries = f.store.audit_entries(Some(p.record_id)).unwrap();
    let consultations: Vec<_> = entries
        .iter()
        .filter(|e| e.action == AuditAction::Consultation)
        .collect();
    assert_eq!(consultations.len(), 1);
    assert_eq!(consultations[0].purpose, "follow-up call");
    assert_eq!(consultations[0].officer, officer("PC 1"));
    // Reading a contact note is not a consultation of personal data.
    let n = f.store.create(&officer("PC 1"), note(f.op, "x")).unwrap();
    f.store.get(n.record_id, &access("")).unwrap();
    assert!(f
        .store
        .audit_entries(Some(n.record_id))
        .unwrap()
        .iter()
        .all(|e| e.action != AuditAction::Consultation));
}

#[test]
fn an_export_is_audited_as_a_disclosure() {
    let mut f = fixture();
    f.store.create(&officer("PC 1"), note(f.op, "x")).unwrap();
    assert!(matches!(
        f.store.export_operation(f.op, &access("")),
        Err(StoreError::PurposeRequired)
    ));
    let json = f.store.export_operation(f.op, &access("debrief")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["records"].as_array().unwrap().len(), 2);
    let e = f.store.audit_entries(Some(f.op)).unwrap();
    assert!(e
        .iter()
        .any(|e| e.action == AuditAction::Disclosure && e.purpose == "debrief"));
}

#[test]
fn list_pages_newest_first_without_gaps_or_repeats() {
    let mut f = fixture();
    let base = Utc.with_ymd_and_hms(2026, 6, 6, 11, 0, 0).unwrap();
    let records: Vec<Record> = (0..25)
        .map(|i| {
            let mut r = note(f.op, &format!("note {i}"));
            r.occurred_at = base + chrono::Duration::minutes(i / 2); // pairs share a time
            r
        })
        .collect();
    f.store.import(&officer("PC 1"), records).unwrap();
    let mut seen = Vec::new();
    let mut filter = ListFilter {
        operation_id: Some(f.op),
        kinds: vec![RecordKind::ContactNote],
        limit: 10,
        ..Default::default()
    };
    loop {
        let page = f.store.list(&filter).unwrap();
        if page.is_empty() {
            break;
        }
        let last = page.last().unwrap();
        filter.before = Some((last.occurred_at, last.record_id));
        seen.extend(page);
    }
    assert_eq!(seen.len(), 25);
    let mut ids: Vec<_> = seen.iter().map(|s| s.record_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 25);
    assert!(seen.windows(2).all(|w| w[0].occurred_at >= w[1].occurred_at));
}

#[test]
fn rebuild_rederives_the_same_state() {
    let mut f = fixture();
    let a = f.store.create(&officer("PC 1"), note(f.op, "first")).unwrap();
    f.store
        .edit(&officer("PC 1"), a.record_id, note(f.op, "second"), "fix")
        .unwrap();
    let before = f.store.list(&ListFilter::default()).unwrap();
    f.store.rebuild().unwrap();
    assert_eq!(f.store.list(&ListFilter::default()).unwrap(), before);
    assert_eq!(
        f.store
            .search(&SearchQuery {
                text: "second".into(),
                ..Default::default()
            })
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        f.store
            .search(&SearchQuery {
                text: "first".into(),
                ..Default::default()
            })
            .unwrap()
            .len(),
        0
    );
}

/// Revisions made on another device, as they would arrive by sync.
fn foreign_revisions(op_record: &Revision, n: usize) -> (tempfile::TempDir, Vec<Revision>) {
    let dir = tempfile::tempdir().unwrap();
    let mut other = Store::open(dir.path().join("other.db")).unwrap();
    other.receive(std::slice::from_ref(op_record)).unwrap();
    for i in 0..n {
        other
            .create(&officer("PC 7"), note(op_record.record_id, &format!("colleague {i}")))
            .unwrap();
    }
    let revs = other
        .conn
        .prepare(&format!(
            "SELECT {} FROM revisions WHERE device_id = ?1 ORDER BY device_seq",
            read::REVISION_COLUMNS
        ))
        .unwrap()
        .query_map([other.device_id()], read::revision_from_row)
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    (dir, revs)
}

#[test]
fn colleagues_revisions_are_received_idempotently() {
    let mut f = fixture();
    let op_rev = f.store.history(f.op, &access("")).unwrap().remove(0);
    let (_d, revs) = foreign_revisions(&op_rev, 3);
    assert_eq!(f.store.receive(&revs).unwrap(), 3);
    assert_eq!(f.store.receive(&revs).unwrap(), 0);
    assert_eq!(
        f.store
            .list(&ListFilter {
                kinds: vec![RecordKind::ContactNote],
                ..Default::default()
            })
            .unwrap()
            .len(),
        3
    );
    assert!(f.store.verify_chain().unwrap().is_valid());
}

#[test]
fn a_received_revision_that_does_not_match_its_hash_is_refused_whole() {
    let mut f = fixture();
    let op_rev = f.store.history(f.op, &access("")).unwrap().remove(0);
    let (_d, mut revs) = foreign_revisions(&op_rev, 3);
    if let Body::ContactNote(n) = &mut revs[2].body.body {
        n.summary = "altered in transit".into();
    }
    let before = f.store.revision_count().unwrap();
    assert!(matches!(f.store.receive(&revs), Err(StoreError::HashMismatch { .. })));
    assert_eq!(f.store.revision_count().unwrap(), before);
}

#[test]
fn concurrent_edits_keep_both_and_converge_on_one_winner() {
    let mut a = fixture();
    let r = a.store.create(&officer("PC 1"), note(a.op, "base")).unwrap();
    let history = |s: &Store| {
        let mut h = s
            .conn
            .prepare(&format!(
                "SELECT {} FROM revisions ORDER BY pos",
                read::REVISION_COLUMNS
            ))
            .unwrap()
            .query_map([], read::revision_from_row)
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        h.sort_by_key(|r| (r.device_id, r.device_seq));
        h
    };
    let dir = tempfile::tempdir().unwrap();
    let mut b = Store::open(dir.path().join("b.db")).unwrap();
    b.receive(&history(&a.store)).unwrap();
    a.store
        .edit(&officer("PC 1"), r.record_id, note(a.op, "edit on A"), "a")
        .unwrap();
    b.edit(&officer("PC 2"), r.record_id, note(a.op, "edit on B"), "b")
        .unwrap();
    let from_a = history(&a.store);
    let from_b = history(&b);
    a.store.receive(&from_b).unwrap();
    b.receive(&from_a).unwrap();
    let ca = a.store.get(r.record_id, &access("")).unwrap();
    let cb = b.get(r.record_id, &access("")).unwrap();
    assert_eq!(ca.revision_id, cb.revision_id, "both devices show the same winner");
    assert_eq!(ca.open_heads, 2, "the conflict is visible");
    assert_eq!(
        a.store.history(r.record_id, &access("")).unwrap().len(),
        3,
        "both edits are kept"
    );
    // Resolved on B by a merge naming both heads, keeping the loser's content.
    let heads = b.heads(r.record_id).unwrap();
    assert_eq!(heads.len(), 2);
    let keep = *heads.iter().find(|h| **h != cb.revision_id).unwrap();
    let kept_body = b
        .history(r.record_id, &access(""))
        .unwrap()
        .into_iter()
        .find(|v| v.id == keep)
        .unwrap()
        .body;
    // Naming a version that is not a head now, or the same one twice, is refused.
    let base = b.history(r.record_id, &access("")).unwrap()[0].id;
    assert!(matches!(
        b.merge(&officer("PC 2"), r.record_id, keep, base, "kept mine"),
        Err(StoreError::Validation(_))
    ));
    assert!(b.merge(&officer("PC 2"), r.record_id, keep, keep, "kept mine").is_err());
    let merged = b
        .merge(
            &officer("PC 2"),
            r.record_id,
            keep,
            cb.revision_id,
            "Kept the edit made on A",
        )
        .unwrap();
    a.store.receive(&history(&b)).unwrap();
    for s in [&a.store, &b] {
        let c = s.get(r.record_id, &access("")).unwrap();
        assert_eq!(c.open_heads, 1, "one head again");
        assert_eq!(c.revision_id, merged.revision_id);
        assert_eq!(c.record, kept_body);
        let report = s.verify_chain().unwrap();
        assert!(report.is_valid(), "{report:?}");
    }
    let merge = b.history(r.record_id, &access("")).unwrap().pop().unwrap();
    assert_eq!((merge.parent, merge.merges), (Some(keep), Some(cb.revision_id)));
    // The second parent is in the hash: changing it breaks the revision.
    let mut forged = merge.clone();
    forged.merges = Some(base);
    assert!(!forged.hash_is_valid());
    // Stored and derived state agree after a rebuild.
    b.rebuild().unwrap();
    assert_eq!(b.get(r.record_id, &access("")).unwrap().open_heads, 1);
}

#[test]
fn the_demo_operation_has_everything_the_screens_need() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("demo.db")).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 6, 6, 11, 0, 0).unwrap();
    let s = crate::demo::generate(&mut store, start, 7).unwrap();
    assert_eq!(s.contact_notes, 48);
    assert_eq!(s.tension_readings, 60);
    let op = s.operation_id.unwrap();
    let rumours = store
        .list(&ListFilter {
            operation_id: Some(op),
            kinds: vec![RecordKind::RumourReport],
            ..Default::default()
        })
        .unwrap();
    let mut stages = std::collections::HashSet::new();
    for r in &rumours {
        if let Body::RumourReport(b) = store.get(r.record_id, &access("")).unwrap().record.body {
            stages.insert(b.status);
        }
    }
    assert_eq!(
        stages.len(),
        RumourStatus::ALL.len(),
        "rumours at every stage: {stages:?}"
    );
    let negs = store
        .list(&ListFilter {
            kinds: vec![RecordKind::NegotiationOutcome],
            ..Default::default()
        })
        .unwrap();
    let mut outcomes = std::collections::HashSet::new();
    for n in &negs {
        if let Body::NegotiationOutcome(b) = store.get(n.record_id, &access("")).unwrap().record.body {
            outcomes.insert(b.outcome);
        }
    }
    assert_eq!(outcomes.len(), Outcome::ALL.len());
    let readings = store
        .list(&ListFilter {
            kinds: vec![RecordKind::TensionReading],
            limit: 500,
            ..Default::default()
        })
        .unwrap();
    let sectors: std::collections::HashSet<_> = readings.iter().filter_map(|r| r.sector.clone()).collect();
    assert_eq!(sectors.len(), 4, "readings placed in four sectors by location");
    let span = readings.first().unwrap().occurred_at - readings.last().unwrap().occurred_at;
    assert!(span >= chrono::Duration::hours(4), "{span}");
    assert!(store.verify_chain().unwrap().is_valid());
}

#[test]
fn saving_never_recompiles_the_cached_statements() {
    let mut f = fixture();
    for i in 0..20 {
        f.store
            .create(&officer("PC 1"), note(f.op, &format!("note {i}")))
            .unwrap();
    }
    let stmt = f
        .store
        .conn
        .prepare_cached(
            "INSERT INTO search_index (rowid, title, text) SELECT rowid, title, text FROM search_source WHERE rowid = ?1",
        )
        .unwrap();
    assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
}

#[test]
fn a_cut_audit_tail_the_server_had_acknowledged_is_reported() {
    let mut f = fixture();
    let p = f.store.create(&officer("PC 1"), person("Aisha Rahman")).unwrap();
    f.store.get(p.record_id, &access("call back")).unwrap();
    let last: i64 = raw(&f.store)
        .query_row("SELECT max(id) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    f.store.record_audit_ack(last).unwrap();
    assert!(f.store.verify_audit_chain().unwrap().is_valid());
    // Removing the newest entries leaves every remaining link intact: only the server's
    // acknowledgement shows that the chain went further.
    raw(&f.store)
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_is_append_only_d; DELETE FROM audit_log WHERE id >= {};",
            last - 1
        ))
        .unwrap();
    let report = f.store.verify_audit_chain().unwrap();
    assert!(report.broken.is_empty(), "{report:?}");
    assert_eq!(report.cut_tail, Some((last - 2, last)));
    assert!(!report.is_valid());
}

#[test]
fn the_audit_log_is_a_hash_chain_that_detects_tampering() {
    let mut f = fixture();
    let p = f.store.create(&officer("PC 1"), person("Aisha Rahman")).unwrap();
    f.store.get(p.record_id, &access("call back")).unwrap();
    f.store.get(p.record_id, &access("second call")).unwrap();
    let report = f.store.verify_audit_chain().unwrap();
    assert!(report.is_valid() && report.entries >= 4, "{report:?}");
    raw(&f.store)
        .execute_batch(
            "DROP TRIGGER audit_log_is_append_only_u; DROP TRIGGER audit_log_is_append_only_d;
             UPDATE audit_log SET purpose = 'nothing to see' WHERE purpose = 'call back';",
        )
        .unwrap();
    assert_eq!(f.store.verify_audit_chain().unwrap().broken.len(), 1);
    raw(&f.store)
        .execute_batch("DELETE FROM audit_log WHERE purpose = 'nothing to see';")
        .unwrap();
    assert!(
        !f.store.verify_audit_chain().unwrap().is_valid(),
        "a removed entry must break the chain"
    );
}

#[test]
fn the_audit_trail_of_a_person_or_an_operation_is_exported_and_the_export_logged() {
    let mut f = fixture();
    let p = f.store.create(&officer("PC 1"), person("Aisha Rahman")).unwrap();
    f.store.get(p.record_id, &access("call back")).unwrap();
    let n = f.store.create(&officer("PC 2"), note(f.op, "x")).unwrap();
    let trail = f
        .store
        .export_audit_trail(p.record_id, &access("subject access request"))
        .unwrap();
    assert_eq!(trail.len(), 2, "{trail:?}");
    assert!(trail.iter().all(|e| e.record_id == Some(p.record_id)));
    let op_trail = f.store.export_audit_trail(f.op, &access("debrief")).unwrap();
    assert!(op_trail.iter().any(|e| e.record_id == Some(n.record_id)));
    assert!(op_trail.iter().all(|e| e.record_id != Some(p.record_id)));
    // The export itself is a disclosure on the record.
    let again = f.store.audit_entries(Some(p.record_id)).unwrap();
    assert!(again
        .iter()
        .any(|e| e.action == AuditAction::Disclosure && e.purpose == "subject access request"));
    assert!(matches!(
        f.store.export_audit_trail(p.record_id, &access("")),
        Err(StoreError::PurposeRequired)
    ));
    assert!(f.store.verify_audit_chain().unwrap().is_valid());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Any sequence of creates and edits leaves a chain that verifies, and altering any one
        /// stored revision is detected.
        #[test]
        fn any_history_verifies_and_any_alteration_is_caught(
            ops in proptest::collection::vec((any::<bool>(), "[a-z ]{1,40}"), 1..25),
            victim in any::<prop::sample::Index>(),
        ) {
            let mut f = fixture();
            let mut ids: Vec<RecordId> = Vec::new();
            for (edit, text) in &ops {
                let text = if text.trim().is_empty() { "x".to_string() } else { text.clone() };
                if *edit && !ids.is_empty() {
                    let id = ids[ids.len() / 2];
                    f.store.edit(&officer("PC 1"), id, note(f.op, &text), "edit").unwrap();
                } else {
                    ids.push(f.store.create(&officer("PC 1"), note(f.op, &text)).unwrap().record_id);
                }
            }
            prop_assert!(f.store.verify_chain().unwrap().is_valid());
            let total = f.store.revision_count().unwrap() as usize;
            let seq = victim.index(total) + 1;
            tamper(&f.store, &format!("UPDATE revisions SET body = replace(body, '\"summary\":\"', '\"summary\":\"!') WHERE device_seq = {seq}; UPDATE revisions SET reason = 'changed' WHERE device_seq = {seq}"));
            prop_assert!(!f.store.verify_chain().unwrap().is_valid());
        }

        /// Devices that receive the same concurrent edits in any order show the same winner.
        #[test]
        fn concurrent_edits_converge_whatever_the_arrival_order(
            edits in proptest::collection::vec("[a-z]{1,12}", 2..5),
            order in any::<u64>(),
        ) {
            let mut origin = fixture();
            let base = origin.store.create(&officer("PC 1"), note(origin.op, "base")).unwrap();
            let common: Vec<Revision> = all_revisions(&origin.store);
            // Each "device" edits the base concurrently.
            let mut branch_revs: Vec<Revision> = Vec::new();
            let mut dirs = Vec::new();
            for (i, text) in edits.iter().enumerate() {
                let dir = tempfile::tempdir().unwrap();
                let mut d = Store::open(dir.path().join(format!("d{i}.db"))).unwrap();
                d.receive(&common).unwrap();
                d.edit(&officer("PC 2"), base.record_id, note(origin.op, text), "concurrent").unwrap();
                branch_revs.extend(all_revisions(&d).into_iter().filter(|r| r.device_id == d.device_id()));
                dirs.push(dir);
            }
            let mut rng = fastrand::Rng::with_seed(order);
            let mut winners = std::collections::HashSet::new();
            for _ in 0..3 {
                let dir = tempfile::tempdir().unwrap();
                let mut d = Store::open(dir.path().join("r.db")).unwrap();
                d.receive(&common).unwrap();
                let mut shuffled = branch_revs.clone();
                rng.shuffle(&mut shuffled);
                for r in &shuffled {
                    d.receive(std::slice::from_ref(r)).unwrap();
                }
                let cur = d.get(base.record_id, &access("")).unwrap();
                prop_assert_eq!(cur.open_heads as usize, edits.len());
                winners.insert(cur.revision_id);
            }
            prop_assert_eq!(winners.len(), 1);
        }
    }

    fn all_revisions(s: &Store) -> Vec<Revision> {
        let mut v = s
            .conn
            .prepare(&format!("SELECT {} FROM revisions", read::REVISION_COLUMNS))
            .unwrap()
            .query_map([], read::revision_from_row)
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        v.sort_by_key(|r| (r.device_id, r.device_seq));
        v
    }
}

#[test]
fn a_save_consumes_its_draft_in_the_same_transaction_and_a_refused_save_keeps_it() {
    let mut f = fixture();
    let pc = officer("PC 1");
    f.store
        .save_draft("capture:note", &pc, "{\"summary\":\"half typed\"}")
        .unwrap();
    // Refused (no summary): nothing saved, and the draft is still there to finish.
    let mut empty = note(f.op, "x");
    if let Body::ContactNote(n) = &mut empty.body {
        n.summary.clear();
    }
    let before = f.store.revision_count().unwrap();
    assert!(f.store.create_from_draft(&pc, empty, Some("capture:note")).is_err());
    assert_eq!(f.store.revision_count().unwrap(), before);
    assert!(
        f.store.draft("capture:note").unwrap().is_some(),
        "the draft survives a refused save"
    );
    // Saved: the record is there and the draft is gone, together.
    let saved = f
        .store
        .create_from_draft(&pc, note(f.op, "finished"), Some("capture:note"))
        .unwrap();
    assert!(f.store.draft("capture:note").unwrap().is_none());
    f.store.save_draft("edit:1", &pc, "{}").unwrap();
    f.store
        .edit_from_draft(
            &pc,
            saved.record_id,
            note(f.op, "finished, corrected"),
            "typo",
            Some("edit:1"),
        )
        .unwrap();
    assert!(f.store.draft("edit:1").unwrap().is_none());
    // A bad draft key refuses the whole save: the record is not written either.
    let before = f.store.revision_count().unwrap();
    assert!(f.store.create_from_draft(&pc, note(f.op, "again"), Some("  ")).is_err());
    assert_eq!(f.store.revision_count().unwrap(), before);
}

#[test]
fn an_enrolled_tablet_refuses_a_second_enrolment_string() {
    let mut f = fixture();
    let pending = crate::store::PendingEnrolment {
        server_url: "https://force.example:7878".into(),
        ca_pem: None,
        code: "ABCD-EFGH".into(),
    };
    f.store.save_pending_enrolment(&pending).unwrap();
    f.store
        .save_sync_enrollment("https://force.example:7878", "lzt1_token", "PC 1")
        .unwrap();
    let hostile = crate::store::PendingEnrolment {
        server_url: "https://attacker.example".into(),
        ca_pem: Some("-----BEGIN CERTIFICATE-----".into()),
        code: "WXYZ".into(),
    };
    assert!(matches!(
        f.store.save_pending_enrolment(&hostile),
        Err(StoreError::AlreadyEnrolled)
    ));
    let creds = f.store.sync_credentials().unwrap().unwrap();
    assert_eq!(
        creds.server_url, "https://force.example:7878",
        "still pointed at its own force"
    );
}
