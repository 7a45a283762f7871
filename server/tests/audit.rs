//! Audit and retention on the server (issue 5, parts 5 and 6): devices' audit chains arrive
//! with sync and are checked link by link; the server keeps its own chain of what it
//! collected and disclosed; the audit trail of a person or an operation combines both; review
//! dates are flagged from the retention policy and nothing is deleted.

mod common;

use common::*;
use liaison_core::records::*;
use liaison_core::sync::protocol::{self, PushRequest, PushResponse, RejectReason};
use liaison_core::{Access, ChainedAuditEntry};
use liaison_server::storage::{AuditSource, AuditSubject};
use std::process::Command;

fn token(d: &Device) -> String {
    d.store.lock().unwrap().sync_credentials().unwrap().unwrap().token
}

/// Sends a push with only audit entries, exactly as given.
async fn push_audit(url: &str, d: &Device, audit: Vec<ChainedAuditEntry>) -> PushResponse {
    let body = protocol::encode(&PushRequest {
        device_id: d.id(),
        revisions: vec![],
        audit,
    })
    .unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{url}{}", protocol::PUSH_PATH))
        .bearer_auth(token(d))
        .header("content-encoding", "zstd")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap()
}

fn person(op: uuid::Uuid, name: &str) -> Record {
    envelope(
        Some(op),
        Body::Person(Person {
            name: name.into(),
            role: PersonRole::Organiser,
            phone: "07700 900123".into(),
            email: String::new(),
            other_contact: String::new(),
            groups: vec![],
            notes: "Lead steward for the march".into(),
        }),
    )
}

fn consult(d: &Device, id: RecordId, purpose: &str) {
    d.store
        .lock()
        .unwrap()
        .get(
            id,
            &Access {
                officer: d.officer.clone(),
                purpose: purpose.into(),
            },
        )
        .unwrap();
}

fn admin(db: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_liaison-server"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_audit_entries_arrive_with_sync_and_their_chain_verifies_on_the_server() {
    let server = TestServer::start().await;
    let op = server.operation("Op Ledger", &["PC 4521"]);
    let d = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&d, op).await;
    let p = d.create(person(op, "Sam Organiser"));
    consult(&d, p, "confirm the meeting point");
    consult(&d, p, "follow-up call");
    let report = d.sync().await;
    assert!(report.audit_sent >= 3, "{report:?}");
    assert_eq!(report.audit_refused, None);

    let mine = d.store.lock().unwrap().audit_entries(None).unwrap();
    let acked = d.store.lock().unwrap().audit_acked_id().unwrap();
    assert_eq!(
        acked,
        mine.last().unwrap().id,
        "the device knows the server holds all of it"
    );
    assert!(d.store.lock().unwrap().audit_outbox(100).unwrap().is_empty());
    let check = server.storage.verify_audit().unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    assert_eq!(check.device_entries, mine.len() as u64);
    assert_eq!(check.devices, 1);

    // More entries later continue the same chain; a resend changes nothing.
    consult(&d, p, "second follow-up");
    d.sync().await;
    let again = d.store.lock().unwrap().audit_entries(None).unwrap();
    let check = server.storage.verify_audit().unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    assert_eq!(check.device_entries, again.len() as u64);
    let last = d.store.lock().unwrap().audit_acked_id().unwrap();
    assert_eq!(last, again.last().unwrap().id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_or_missing_device_audit_entry_is_refused_and_nothing_after_it_is_stored() {
    let server = TestServer::start().await;
    let op = server.operation("Op Ledger", &["PC 4521"]);
    let d = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&d, op).await;
    // The first sync sent nothing of the audit yet: this device had no entries then.
    let p = d.create(person(op, "Sam Organiser"));
    for purpose in ["one", "two", "three"] {
        consult(&d, p, purpose);
    }
    let entries = d.store.lock().unwrap().audit_outbox(100).unwrap();
    assert_eq!(entries.len(), 4);

    // Altered: a consultation's purpose rewritten after the fact.
    let mut altered = entries.clone();
    altered[1].purpose = "routine".into();
    let resp = push_audit(&server.url(), &d, altered).await;
    let ack = resp.audit.expect("the server answers for the audit entries");
    let refused = ack.refused.expect("refused");
    assert_eq!(
        (refused.id, refused.reason),
        (entries[1].id, RejectReason::HashMismatch)
    );
    assert!(refused.message.contains("altered"), "{}", refused.message);
    assert_eq!(
        (ack.acked_id, ack.stored),
        (entries[0].id, 1),
        "only the entry before it is stored"
    );

    // Removed: an entry left out of the chain (each entry is still self-consistent).
    let gap = vec![entries[2].clone(), entries[3].clone()];
    let resp = push_audit(&server.url(), &d, gap).await;
    let ack = resp.audit.unwrap();
    assert_eq!(ack.refused.unwrap().reason, RejectReason::BrokenChain);
    assert_eq!(ack.acked_id, entries[0].id);

    // A different copy of an entry the server holds.
    let mut forged = entries[0].clone();
    forged.detail = "nothing to see".into();
    forged.hash = forged.compute_hash();
    let ack = push_audit(&server.url(), &d, vec![forged]).await.audit.unwrap();
    assert_eq!(ack.refused.unwrap().reason, RejectReason::ConflictingCopy);

    let check = server.storage.verify_audit().unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    assert_eq!(check.device_entries, 1);

    // The genuine entries then go with a normal sync, with the disclosure that sync logged
    // when the server took the person's record.
    let report = d.sync().await;
    assert_eq!((report.audit_sent, report.audit_refused), (4, None));
    assert_eq!(server.storage.verify_audit().unwrap().device_entries, 5);

    // A push without audit entries (an older client) gets no `audit` in its answer.
    let body = protocol::encode(&PushRequest {
        device_id: d.id(),
        revisions: vec![],
        audit: vec![],
    })
    .unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}{}", server.url(), protocol::PUSH_PATH))
        .bearer_auth(token(&d))
        .header("content-encoding", "zstd")
        .body(body)
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert!(json.get("audit").is_none(), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_of_a_person_combines_device_consultations_and_server_disclosures() {
    let server = TestServer::start().await;
    let op = server.operation("Op Ledger", &["PC 4521", "PC 7788"]);
    let a = Device::enrolled("PC 4521", &server).await;
    let b = Device::enrolled("PC 7788", &server).await;
    sync_until_operation_known(&a, op).await;
    let p = a.create(person(op, "Sam Organiser"));
    a.sync().await;
    // The colleague receives the person (a disclosure by the server) and opens the record.
    b.sync().await;
    consult(&b, p, "call before the march sets off");
    b.sync().await;

    let trail = server
        .storage
        .audit_trail(AuditSubject::Record(p), "Force IT", "subject access request")
        .unwrap();
    assert!(trail.chains.problems.is_empty(), "{:?}", trail.chains.problems);
    let consultation = trail
        .entries
        .iter()
        .find(|e| e.source == AuditSource::Device && e.action == "consultation")
        .expect("the colleague's consultation");
    assert_eq!(consultation.device_id, Some(b.id()));
    assert_eq!(consultation.actor, "PC 7788");
    assert_eq!(consultation.purpose, "call before the march sets off");
    let disclosure = trail
        .entries
        .iter()
        .find(|e| e.source == AuditSource::Server && e.action == "disclosure")
        .expect("the server's disclosure to the colleague");
    assert_eq!(disclosure.device_id, Some(b.id()));
    assert_eq!(disclosure.operation_id, Some(op));
    assert!(disclosure.records.contains(&p));
    assert!(disclosure.detail.contains("sent to device"), "{}", disclosure.detail);
    assert!(trail
        .entries
        .iter()
        .any(|e| e.source == AuditSource::Server && e.action == "collection" && e.device_id == Some(a.id())));
    assert!(trail
        .entries
        .iter()
        .any(|e| e.source == AuditSource::Device && e.action == "collection" && e.device_id == Some(a.id())));
    assert!(trail.entries.windows(2).all(|w| w[0].at <= w[1].at), "oldest first");

    // The same from the command line, for the operation as a whole; the export is logged.
    let (ok, out, err) = admin(
        server.sqlite_path().as_path(),
        &["audit", "--operation", &op.to_string(), "--purpose", "debrief review"],
    );
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["subject"], serde_json::json!({"kind": "operation", "id": op}));
    let entries = json["entries"].as_array().unwrap();
    assert!(entries
        .iter()
        .any(|e| e["action"] == "consultation" && e["source"] == "device"));
    assert!(entries
        .iter()
        .any(|e| e["action"] == "enrollment" || e["action"] == "disclosure"));
    assert!(entries
        .iter()
        .any(|e| e["action"] == "disclosure" && e["device_id"] == serde_json::json!(b.id())));
    let (ok, out, _) = admin(server.sqlite_path().as_path(), &["audit", "--record", &p.to_string()]);
    assert!(ok);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "consultation" && e["purpose"] == "call before the march sets off"));
    let (ok, _, err) = admin(server.sqlite_path().as_path(), &["audit"]);
    assert!(!ok && err.contains("--record"), "{err}");

    // Enrollments, pulls, pushes and exports are all in the server's chain, which verifies.
    let (ok, out, _) = admin(server.sqlite_path().as_path(), &["verify"]);
    assert!(ok && out.contains("0 audit problems"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_flags_records_due_under_the_policy_and_deletes_nothing() {
    let server = TestServer::start().await;
    let op = server.operation("Op Ledger", &["PC 4521"]);
    let d = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&d, op).await;
    let note_id = d.create(note(op, "Spoke with the chief steward"));
    let esc = d.create(escalation(op));
    d.sync().await;
    let db = server.sqlite_path().as_path().to_path_buf();
    let before = server.storage.verify().unwrap().revisions;

    let (ok, out, err) = admin(&db, &["review", "--due"]);
    assert!(ok, "{err}");
    assert!(out.contains("0 records due for review"), "nothing is due today: {out}");

    // In seven years the note (6-year review) and the operation are due; the escalation
    // (10 years) is not.
    let (ok, out, err) = admin(&db, &["review", "--due", "--at", "2034-01-01"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&note_id.to_string()) && out.contains("contact_note"),
        "{out}"
    );
    assert!(out.contains(&op.to_string()), "{out}");
    assert!(!out.contains(&esc.to_string()), "{out}");
    assert!(out.contains("2 records due for review (2 newly flagged)"), "{out}");

    // Flagged for a reviewer: listed without --due, flagged once.
    let (ok, out, _) = admin(&db, &["review", "--due", "--at", "2034-01-01", "--json"]);
    assert!(ok);
    let items: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["newly_flagged"] == false), "{out}");
    let note_item = items
        .iter()
        .find(|i| i["record_id"] == serde_json::json!(note_id))
        .unwrap();
    assert_eq!(note_item["class"], "group_3");
    assert_eq!(note_item["operation_id"], serde_json::json!(op));
    let flags = server.storage.review_flags().unwrap();
    assert_eq!(flags.len(), 2);
    let (ok, out, _) = admin(&db, &["review"]);
    assert!(ok && out.contains("2 records flagged for review"), "{out}");

    // Nothing deleted, the flagging is in the server's audit chain.
    assert_eq!(server.storage.verify().unwrap().revisions, before);
    let trail = server
        .storage
        .audit_trail(AuditSubject::Record(note_id), "Force IT", "review")
        .unwrap();
    assert!(trail.entries.iter().any(|e| e.action == "review_flag"));
    assert!(server.storage.verify_audit().unwrap().problems.is_empty());

    // A bad policy file is refused with the line at fault.
    let bad = server.dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[kinds.contact_notes]\nclass = \"group_3\"\ndevice_days = 1\nreview_days = 1\n",
    )
    .unwrap();
    let (ok, _, err) = admin(&db, &["review", "--due", "--policy", bad.to_str().unwrap()]);
    assert!(!ok && err.contains("line 1") && err.contains("contact_notes"), "{err}");
    let (ok, _, err) = admin(&db, &["review", "--due", "--at", "next year"]);
    assert!(!ok && err.contains("YYYY-MM-DD"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_removes_old_synced_records_after_a_sync_and_the_server_keeps_them() {
    use liaison_core::sync::{Scheduler, SchedulerOptions};
    let server = TestServer::start().await;
    let op = server.operation("Op Ledger", &["PC 4521"]);
    let d = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&d, op).await;
    // Saved 200 days ago by this device's clock; a contact note stays 90 days once synced.
    let old = forge_own_at(
        &d,
        note(op, "Spoke with the steward in the spring"),
        chrono::Duration::days(-200),
    );
    let young = d.create(note(op, "Spoke with the steward today"));

    let options = SchedulerOptions {
        interval: std::time::Duration::from_secs(3_600),
        sync: quick_options(),
        ..Default::default()
    };
    let scheduler = Scheduler::start(&tokio::runtime::Handle::current(), d.store.clone(), options);
    let report = scheduler.attempt_after(0).await.result.unwrap().unwrap();
    assert_eq!(report.pushed, 2);
    assert_eq!(report.erased_by_retention, 1, "{report:?}");
    assert_eq!(scheduler.status().unwrap().stored.erased_by_retention, 1);
    scheduler.stop().await;

    assert!(!d.has_record(old.record_id), "gone from the tablet");
    assert!(d.has_record(young), "a young record stays");
    assert!(
        server.storage.current_revision(old.record_id).unwrap().is_some(),
        "the server keeps it"
    );
    // Both sides still agree on the whole chain, tombstones included, and both verify.
    assert_server_holds_exactly(server.storage.as_ref(), &d);
    // The erasure entry reaches the server with the next sync.
    d.sync().await;
    let trail = server
        .storage
        .audit_trail(AuditSubject::Record(old.record_id), "Force IT", "check")
        .unwrap();
    let erasure = trail
        .entries
        .iter()
        .find(|e| e.action == "erasure")
        .expect("the device's erasure entry");
    assert_eq!(erasure.purpose, "retention: group_3 device period elapsed");
}
