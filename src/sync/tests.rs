//! The sync client's local behaviour, without a server: priority lanes, the watermark,
//! quarantine, pulled revisions that cannot be stored, backoff. Behaviour against a real
//! server is tested in `server/tests/`.

use super::*;
use crate::records::*;
use crate::store::{Store, SyncDirection};
use chrono::{TimeZone, Utc};
use std::time::Duration;

fn officer() -> OfficerId {
    OfficerId::new("PC 4521").unwrap()
}

fn base(op: Option<RecordId>, body: Body) -> Record {
    Record {
        operation_id: op,
        occurred_at: Utc.with_ymd_and_hms(2026, 6, 6, 12, 0, 0).unwrap(),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body,
    }
}

fn operation() -> Record {
    let start = Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap();
    base(
        None,
        Body::Operation(Operation {
            name: "Op Sync".into(),
            event_kind: EventKind::March,
            starts_at: start,
            ends_at: start + chrono::Duration::hours(5),
            area: vec![],
            sectors: vec![],
            briefing: String::new(),
            command_structure: String::new(),
            groups_expected: vec![],
            team: vec![],
        }),
    )
}

fn note(op: RecordId, text: &str) -> Record {
    base(
        Some(op),
        Body::ContactNote(ContactNote {
            spoke_with: "Steward".into(),
            function: PltFunction::Sensing,
            summary: text.into(),
            mood: None,
            follow_up: None,
            monitored: vec![],
        }),
    )
}

fn rumour(op: RecordId) -> Record {
    base(
        Some(op),
        Body::RumourReport(RumourReport {
            content: "Counter-protesters heading to New Street".into(),
            heard_at: String::new(),
            source: RumourSource::Crowd,
            source_detail: String::new(),
            spread: RumourSpread::Local,
            risk: RumourRisk::High,
            status: RumourStatus::Reported,
            findings: String::new(),
            control_actions: vec![],
            verified_at: None,
        }),
    )
}

fn store_with_op() -> (tempfile::TempDir, Store, RecordId) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("d.db")).unwrap();
    let op = store.create(&officer(), operation()).unwrap().record_id;
    (dir, store, op)
}

fn quarantined(rev: &crate::Revision, reason: &str) -> crate::store::QuarantinedRevision {
    crate::store::QuarantinedRevision {
        revision_id: rev.id,
        device_seq: Some(rev.device_seq),
        direction: SyncDirection::Push,
        reason: reason.into(),
        message: "refused".into(),
        at: Utc::now(),
    }
}

#[test]
fn every_save_is_waiting_in_the_outbox_until_acknowledged() {
    let (_d, mut store, op) = store_with_op();
    store.create(&officer(), note(op, "one")).unwrap();
    assert_eq!(store.sync_status().unwrap().waiting, 2);
    assert_eq!(store.outbox(10).unwrap().len(), 2);
    store.record_push_outcome(2, &[1, 2], &[]).unwrap();
    assert_eq!(store.sync_status().unwrap().waiting, 0);
    assert!(store.outbox(10).unwrap().is_empty());
    assert_eq!(store.sync_acked_seq().unwrap(), 2);
}

#[test]
fn records_the_server_now_holds_are_logged_as_disclosed_by_the_enrolled_officer() {
    let (_d, mut store, op) = store_with_op();
    let saved = store.create(&officer(), note(op, "one")).unwrap();
    store
        .save_sync_enrollment("https://force.example:7878", "lzt1_token", "PC 4521")
        .unwrap();
    store.record_push_outcome(2, &[1, 2], &[]).unwrap();
    let entries = store.audit_entries(Some(saved.record_id)).unwrap();
    let disclosed: Vec<_> = entries
        .iter()
        .filter(|e| e.action == crate::AuditAction::Disclosure)
        .collect();
    assert_eq!(disclosed.len(), 1, "{entries:?}");
    assert_eq!(disclosed[0].officer.as_str(), "PC 4521");
    assert_eq!(disclosed[0].purpose, "sync");
    assert!(disclosed[0].detail.contains("https://force.example:7878"));
    assert!(!disclosed[0].detail.contains("lzt1_"), "the token is never logged");
    assert!(store.verify_audit_chain().unwrap().is_valid());
}

#[test]
fn escalations_and_rumours_lead_the_outbox_in_chain_order() {
    let (_d, mut store, op) = store_with_op();
    for i in 0..5 {
        store.create(&officer(), note(op, &format!("note {i}"))).unwrap();
    }
    let r1 = store.create(&officer(), rumour(op)).unwrap();
    store.create(&officer(), note(op, "late note")).unwrap();
    let r2 = store.create(&officer(), rumour(op)).unwrap();
    let batch = store.outbox(3).unwrap();
    let seqs: Vec<u64> = batch.iter().map(|r| r.device_seq).collect();
    // Seq 1 is the operation record, which leads (see the next test).
    assert_eq!(
        seqs,
        vec![1, r1.device_seq, r2.device_seq],
        "urgent first, then the rest in order"
    );
    let rest: Vec<u64> = store.outbox(10).unwrap()[3..].iter().map(|r| r.device_seq).collect();
    assert_eq!(rest, vec![2, 3, 4, 5, 6, 8], "the rest in chain order");
    assert_eq!(store.sync_status().unwrap().urgent_waiting, 2);
}

#[test]
fn revisions_held_out_of_order_leave_the_outbox_and_the_watermark_waits_for_the_gap() {
    let (_d, mut store, op) = store_with_op();
    for i in 0..4 {
        store.create(&officer(), note(op, &format!("n{i}"))).unwrap();
    }
    // The server holds 3 and 5 (sent first as urgent, say) but not yet 1, 2, 4.
    store.record_push_outcome(0, &[3, 5], &[]).unwrap();
    assert_eq!(store.sync_acked_seq().unwrap(), 0);
    let left: Vec<u64> = store.outbox(10).unwrap().iter().map(|r| r.device_seq).collect();
    assert_eq!(left, vec![1, 2, 4]);
    store.record_push_outcome(2, &[1, 2], &[]).unwrap();
    assert_eq!(
        store.sync_acked_seq().unwrap(),
        3,
        "advances over the held 3, stops at 4"
    );
    store.record_push_outcome(5, &[4], &[]).unwrap();
    assert_eq!(store.sync_acked_seq().unwrap(), 5);
    assert_eq!(store.sync_status().unwrap().waiting, 0);
}

#[test]
fn a_refused_revision_is_quarantined_with_its_reason_and_does_not_block_the_rest() {
    let (_d, mut store, op) = store_with_op();
    store.create(&officer(), note(op, "a")).unwrap();
    store.create(&officer(), note(op, "b")).unwrap();
    let batch = store.outbox(10).unwrap();
    store
        .record_push_outcome(1, &[1, 3], &[quarantined(&batch[1], "not_assigned")])
        .unwrap();
    let status = store.sync_status().unwrap();
    assert_eq!(status.waiting, 0, "the refused one is not retried");
    assert_eq!(
        store.sync_acked_seq().unwrap(),
        3,
        "the watermark passes the quarantined one"
    );
    assert_eq!(status.quarantined.len(), 1);
    assert_eq!(status.quarantined[0].reason, "not_assigned");
    assert_eq!(status.quarantined[0].device_seq, Some(2));
}

#[test]
fn a_pulled_revision_that_cannot_be_stored_is_quarantined_and_the_page_still_lands() {
    let (_d, mut colleague, op) = store_with_op();
    colleague.create(&officer(), note(op, "good")).unwrap();
    colleague.create(&officer(), note(op, "to be altered")).unwrap();
    let mut page = colleague.outbox(10).unwrap();
    if let Body::ContactNote(n) = &mut page[2].body.body {
        n.summary = "altered in transit".into();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut me = Store::open(dir.path().join("me.db")).unwrap();
    let stored = me.apply_pulled(&page, "0.3").unwrap();
    assert_eq!(stored, 2);
    assert_eq!(me.pull_cursor().unwrap().as_deref(), Some("0.3"));
    let q = me.sync_status().unwrap().quarantined;
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].direction, SyncDirection::Pull);
    assert_eq!(q[0].revision_id, page[2].id);
    // Pulling the same page again changes nothing.
    assert_eq!(me.apply_pulled(&page[..2], "0.3").unwrap(), 0);
}

#[test]
fn sync_attempts_are_remembered_with_their_error_and_cleared_by_a_success() {
    let (_d, mut store, _op) = store_with_op();
    store.record_sync_attempt(Some("no coverage")).unwrap();
    store.record_sync_attempt(Some("no coverage")).unwrap();
    let s = store.sync_status().unwrap();
    assert_eq!(s.consecutive_failures, 2);
    assert_eq!(s.last_error.as_deref(), Some("no coverage"));
    assert!(s.last_success_at.is_none());
    store.record_sync_attempt(None).unwrap();
    let s = store.sync_status().unwrap();
    assert_eq!(s.consecutive_failures, 0);
    assert!(s.last_error.is_none());
    assert!(s.last_success_at.is_some());
}

#[test]
fn sync_state_survives_closing_and_reopening_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    {
        let mut store = Store::open(&path).unwrap();
        let op = store.create(&officer(), operation()).unwrap().record_id;
        store.create(&officer(), note(op, "x")).unwrap();
        store
            .save_sync_enrollment("http://127.0.0.1:1", "tok", "PC 4521")
            .unwrap();
        store.record_push_outcome(1, &[1], &[]).unwrap();
        store.apply_pulled(&[], "3.17").unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.sync_acked_seq().unwrap(), 1);
    assert_eq!(store.sync_status().unwrap().waiting, 1);
    assert_eq!(store.pull_cursor().unwrap().as_deref(), Some("3.17"));
    assert_eq!(store.sync_credentials().unwrap().unwrap().token, "tok");
}

#[test]
fn backoff_doubles_from_the_base_up_to_the_cap_with_bounded_jitter() {
    let base = Duration::from_secs(5);
    let max = Duration::from_secs(600);
    assert_eq!(backoff_delay(0, base, max, 0.5), Duration::ZERO);
    assert_eq!(backoff_delay(1, base, max, 0.0), Duration::from_millis(2_500));
    assert_eq!(backoff_delay(1, base, max, 1.0), Duration::from_secs(5));
    assert_eq!(backoff_delay(3, base, max, 1.0), Duration::from_secs(20));
    assert_eq!(backoff_delay(40, base, max, 1.0), max, "capped, no overflow");
    assert_eq!(backoff_delay(40, base, max, 0.0), max / 2, "never a tight loop");
    let a = backoff_delay(4, base, max, 0.1);
    let b = backoff_delay(4, base, max, 0.9);
    assert!(a < b, "jitter spreads devices out");
}

#[test]
fn a_server_address_without_a_scheme_is_refused_with_a_clear_message() {
    let err = SyncClient::new("force.example", SyncOptions::default()).unwrap_err();
    assert!(err.to_string().contains("https://host"), "{err}");
    let loopback = SyncOptions {
        allow_plain_loopback: true,
        ..SyncOptions::default()
    };
    assert!(SyncClient::new("http://127.0.0.1:7878/", loopback).is_ok());
}

#[test]
fn a_device_that_is_not_enrolled_is_told_to_enter_its_enrolment_string() {
    let (_d, store, _op) = store_with_op();
    let store = std::sync::Mutex::new(store);
    let err = SyncClient::for_store(&store, SyncOptions::default()).unwrap_err();
    assert!(matches!(err, SyncError::NotEnrolled));
    assert!(err.to_string().contains("enrolment string"));
}

#[test]
fn every_demo_revision_keeps_its_hash_through_the_wire_encoding() {
    // Coordinates are computed floats; JSON must give back exactly the same f64, or the
    // server (and every colleague) would see an altered revision.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("demo.db")).unwrap();
    crate::demo::generate(&mut store, Utc::now(), 3).unwrap();
    let revisions = store.outbox(100_000).unwrap();
    assert!(revisions.len() > 100);
    let wire = protocol::encode(&protocol::PushRequest {
        device_id: store.device_id(),
        revisions: revisions.clone(),
        audit: Vec::new(),
    })
    .unwrap();
    let back: protocol::PushRequest = protocol::decode(Some("zstd"), &wire).unwrap();
    let altered: Vec<u64> = back
        .revisions
        .iter()
        .filter(|r| !r.hash_is_valid())
        .map(|r| r.device_seq)
        .collect();
    assert!(altered.is_empty(), "revisions whose hash broke in transit: {altered:?}");
    assert_eq!(back.revisions, revisions);
}

#[test]
fn an_operation_made_on_the_tablet_goes_before_the_urgent_records_that_belong_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("d.db")).unwrap();
    store.create(&officer(), note_without_operation()).unwrap();
    let op = store.create(&officer(), operation()).unwrap().record_id;
    store.create(&officer(), rumour(op)).unwrap();
    let kinds: Vec<RecordKind> = store.outbox(10).unwrap().iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        vec![RecordKind::Operation, RecordKind::RumourReport, RecordKind::Group],
        "the server must know the operation before it accepts the rumour"
    );
}

fn note_without_operation() -> Record {
    base(
        None,
        Body::Group(Group {
            name: "Trades Council".into(),
            group_kind: GroupKind::Participant,
            description: String::new(),
            contacts: vec![],
            website: String::new(),
        }),
    )
}

#[test]
fn the_status_strip_gets_a_stable_json_shape() {
    let (_d, store, _op) = store_with_op();
    let status = super::scheduler::status(&store).unwrap();
    let json = serde_json::to_value(&status).unwrap();
    let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        vec![
            "consecutive_failures",
            "enrolled",
            "erased_by_retention",
            "last_attempt_at",
            "last_error",
            "last_success_at",
            "officer",
            "progress",
            "quarantined",
            "revoked",
            "server_url",
            "urgent_waiting",
            "waiting"
        ]
    );
    assert_eq!(json["waiting"], 1);
    assert_eq!(json["enrolled"], false);
}

#[test]
fn every_sync_error_tells_the_officer_what_happens_next() {
    let cases: Vec<(SyncError, &str)> = vec![
        (
            SyncError::NotEnrolled,
            "enter the enrolment string from the force IT team",
        ),
        (SyncError::Revoked, "hand it in to be wiped"),
        (
            SyncError::Unauthorized("unknown token".into()),
            "enrol it again with a new enrolment string",
        ),
        (
            SyncError::EnrollmentRefused("used".into()),
            "Ask the force IT team for a new enrolment string",
        ),
        (SyncError::Unreachable("timed out".into()), "go when coverage returns"),
        (
            SyncError::Server {
                status: 500,
                message: "disk".into(),
            },
            "sync will try again shortly",
        ),
        (SyncError::BadResponse("eof".into()), "sync will try again shortly"),
        (SyncError::IncompleteAcknowledgement, "the batch will go again"),
        (SyncError::CursorStuck, "Tell the force IT team"),
        (SyncError::BadServerUrl("x".into()), "https://host"),
        (SyncError::PlainHttpRefused("http://x".into()), "unencrypted"),
        (
            SyncError::PlainHttpNotAllowed("http://127.0.0.1".into()),
            "LIAISON_ALLOW_PLAIN_LOOPBACK",
        ),
        (SyncError::NoForceCa, "LIAISON_SERVER_CA"),
        (SyncError::BadForceCa("empty".into()), "ask the force IT team"),
        (SyncError::UntrustedServer("unknown issuer".into()), "nothing was sent"),
        (
            SyncError::RateLimited {
                retry_after: std::time::Duration::from_secs(30),
            },
            "try again in 30 s",
        ),
    ];
    for (e, words) in cases {
        assert!(e.to_string().contains(words), "{e}");
    }
    assert!(SyncError::Unreachable(String::new()).is_transient());
    assert!(!SyncError::Revoked.is_transient());
    assert!(!SyncError::NotEnrolled.is_transient());
    let limited = SyncError::RateLimited {
        retry_after: std::time::Duration::from_secs(30),
    };
    assert!(limited.is_transient());
    assert_eq!(limited.retry_after(), Some(std::time::Duration::from_secs(30)));
    assert_eq!(SyncError::CursorStuck.retry_after(), None);
}

#[test]
fn a_server_that_lost_revisions_gets_them_offered_again_but_a_refused_one_is_no_loss() {
    let (_d, mut store, op) = store_with_op();
    for i in 0..4 {
        store.create(&officer(), note(op, &format!("n{i}"))).unwrap();
    }
    let batch = store.outbox(10).unwrap();
    // Seq 3 refused; the server's gap-free run therefore stops at 2.
    store
        .record_push_outcome(2, &[1, 2, 4, 5], &[quarantined(&batch[2], "not_assigned")])
        .unwrap();
    assert_eq!(store.sync_acked_seq().unwrap(), 5);
    assert!(!store.lower_sync_watermark(2).unwrap(), "the refusal is not a loss");
    assert_eq!(store.sync_status().unwrap().waiting, 0);
    // The server restored from a backup holding only seq 1.
    assert!(store.lower_sync_watermark(1).unwrap());
    let again: Vec<u64> = store.outbox(10).unwrap().iter().map(|r| r.device_seq).collect();
    assert_eq!(again, vec![2, 4, 5], "everything it lost, but not the refused one");
}

fn access() -> crate::audit::Access {
    crate::audit::Access {
        officer: officer(),
        purpose: "test".into(),
    }
}

#[test]
fn a_refused_edit_corrected_by_the_officer_goes_again_in_its_place() {
    let (_dir, mut store, op) = store_with_op();
    let saved = store.create(&officer(), note(op, "first")).unwrap();
    store
        .edit(&officer(), saved.record_id, note(op, "bad edit"), "typo")
        .unwrap();
    // An edit made on the refused one before the answer came (the server would refuse it too,
    // for want of its parent).
    store
        .edit(&officer(), saved.record_id, note(op, "bad edit, more"), "more")
        .unwrap();
    let batch = store.outbox(10).unwrap();
    assert_eq!(batch.len(), 4);
    // The server holds the operation and the note's first revision, and refuses the edit.
    store
        .record_push_outcome(2, &[1, 2], &[quarantined(&batch[2], "invalid")])
        .unwrap();
    assert_eq!(store.sync_status().unwrap().quarantined.len(), 1);
    let refused_rev = batch[2].id;

    // The officer corrects the record (the edit screen shows the refused content) and saves.
    let fixed = store
        .edit(
            &officer(),
            saved.record_id,
            note(op, "corrected"),
            "corrected after refusal",
        )
        .unwrap();
    let history = store.history(saved.record_id, &access()).unwrap();
    let correction = history.iter().find(|r| r.id == fixed.revision_id).unwrap();
    assert_eq!(
        correction.parent,
        Some(batch[1].id),
        "it follows what the server holds, not the refused edit"
    );
    let current = store.get(saved.record_id, &access()).unwrap();
    assert_eq!(current.revision_id, fixed.revision_id);
    assert_eq!(current.open_heads, 1, "the refused revisions are no longer heads here");
    // Sent in their place: the correction goes, the unsent edit on the refused one does not,
    // and the refusal is no longer shown as waiting for the officer.
    let out: Vec<_> = store.outbox(10).unwrap().iter().map(|r| r.id).collect();
    assert_eq!(out, vec![fixed.revision_id]);
    assert!(store.sync_status().unwrap().quarantined.is_empty());
    assert!(!out.contains(&refused_rev));
    // The refused revisions stay in the device's chain, as evidence of what was tried.
    assert_eq!(history.len(), 4);
    assert!(store.verify_chain().unwrap().is_valid());
    // Stored and derived state agree after a rebuild.
    store.rebuild().unwrap();
    let again = store.get(saved.record_id, &access()).unwrap();
    assert_eq!((again.revision_id, again.open_heads), (fixed.revision_id, 1));
}

#[test]
fn a_record_whose_first_revision_was_refused_is_corrected_as_a_new_first_revision() {
    let (_dir, mut store, op) = store_with_op();
    let saved = store.create(&officer(), note(op, "not assigned yet")).unwrap();
    let batch = store.outbox(10).unwrap();
    store
        .record_push_outcome(1, &[1], &[quarantined(&batch[1], "not_assigned")])
        .unwrap();
    let fixed = store
        .edit(
            &officer(),
            saved.record_id,
            note(op, "not assigned yet"),
            "assigned now: sent again",
        )
        .unwrap();
    let out = store.outbox(10).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!((out[0].id, out[0].parent), (fixed.revision_id, None));
    assert_eq!(out[0].record_id, saved.record_id);
    let current = store.get(saved.record_id, &access()).unwrap();
    assert_eq!((current.revision_id, current.open_heads), (fixed.revision_id, 1));
}
