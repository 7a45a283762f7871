//! The sync guarantees against a real server on 127.0.0.1: enrollment and refusal,
//! idempotent push, chain checks, cursor pull, visibility, conflicts, priority.

mod common;

use common::*;
use liaison_core::records::*;
use liaison_core::sync::protocol::{self, ErrorBody, ErrorCode, PushRequest, PushResponse, RejectReason};
use liaison_core::sync::{SyncClient, SyncError, SyncOptions};
use liaison_core::Revision;
use liaison_server::storage::RevocationReason;

/// Sends a push exactly as given (for duplicates, reordering and forgeries).
async fn raw_push(url: &str, token: &str, device_id: uuid::Uuid, revisions: Vec<Revision>) -> (u16, Vec<u8>) {
    let body = protocol::encode(&PushRequest {
        device_id,
        revisions,
        audit: vec![],
    })
    .unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{url}{}", protocol::PUSH_PATH))
        .bearer_auth(token)
        .header("content-encoding", "zstd")
        .body(body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

fn push_response(bytes: &[u8]) -> PushResponse {
    serde_json::from_slice(bytes).unwrap()
}

fn token(d: &Device) -> String {
    d.store.lock().unwrap().sync_credentials().unwrap().unwrap().token
}

fn outbox(d: &Device) -> Vec<Revision> {
    d.store.lock().unwrap().outbox(100_000).unwrap()
}

each_backend! {
async fn an_enrollment_code_works_once_and_the_server_keeps_only_hashes() {
    let server = TestServer::start().await;
    let code = server.code("PC 4521");
    let a = Device::new("PC 4521");
    let client = SyncClient::new(&server.url(), quick_options()).unwrap();
    let enrolled = client.enroll(&a.store, &code.to_lowercase()).await.unwrap();
    assert_eq!(enrolled.officer, "PC 4521");
    assert_eq!(enrolled.device_id, a.id());
    let b = Device::new("PC 4521");
    let err = client.enroll(&b.store, &code).await.unwrap_err();
    assert!(matches!(err, SyncError::EnrollmentRefused(_)), "{err}");
    assert!(err.to_string().contains("new enrolment string"), "{err}");
    let stored = server.database.stored_bytes();
    let hay = String::from_utf8_lossy(&stored);
    assert!(hay.contains("PC 4521"), "the dump holds the enrolment");
    assert!(!hay.contains(&enrolled.token), "the token is not stored in clear");
    assert!(!hay.contains(&code), "the code is not stored in clear");
}
}

each_backend! {
async fn missing_unknown_and_revoked_tokens_get_401_with_a_clear_body() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let pull = format!("{}{}", server.url(), protocol::PULL_PATH);
    let check = |status: u16, body: Vec<u8>, code: ErrorCode, words: &str| {
        assert_eq!(status, 401);
        let e: ErrorBody = serde_json::from_slice(&body).unwrap();
        assert_eq!(e.code, code);
        assert!(e.message.contains(words), "{}", e.message);
    };
    let r = http.get(&pull).send().await.unwrap();
    check(
        r.status().as_u16(),
        r.bytes().await.unwrap().to_vec(),
        ErrorCode::MissingToken,
        "enrol",
    );
    let r = http.get(&pull).bearer_auth("lzt1_nonsense").send().await.unwrap();
    check(
        r.status().as_u16(),
        r.bytes().await.unwrap().to_vec(),
        ErrorCode::UnknownToken,
        "not known",
    );

    let d = Device::enrolled("PC 4521", &server).await;
    d.sync().await;
    server.storage.revoke_device(d.id(), RevocationReason::Lost).unwrap();
    let r = http.get(&pull).bearer_auth(token(&d)).send().await.unwrap();
    check(
        r.status().as_u16(),
        r.bytes().await.unwrap().to_vec(),
        ErrorCode::Revoked,
        "wiped",
    );
    let err = d
        .client(quick_options())
        .sync(&d.store, &|_, _, _| {})
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Revoked));
    let status = d.store.lock().unwrap().sync_status().unwrap();
    assert!(status.revoked, "the device knows it was revoked");
    assert!(status.last_error.unwrap().contains("revoked"));
}
}

each_backend! {
async fn colleagues_on_one_operation_see_each_others_records_after_both_sync() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521", "PC 1190"]);
    let a = Device::enrolled("PC 4521", &server).await;
    let b = Device::enrolled("PC 1190", &server).await;
    sync_until_operation_known(&a, op).await;
    sync_until_operation_known(&b, op).await;
    let n = a.create(note(op, "Organisers confirm route via Broad Street"));
    let r = a.create(rumour(op, RumourStatus::Reported, ""));
    let report = a.sync().await;
    assert_eq!(report.pushed, 2);
    let report = b.sync().await;
    assert_eq!(report.pulled, 2);
    assert!(b.has_record(n) && b.has_record(r));
    let listed = b.kinds_listed(Some(op));
    assert!(listed.contains(&(r, RecordKind::RumourReport)), "on B's rumour board");
    assert_server_holds_exactly(server.storage.as_ref(), &a);
    // Syncing again moves nothing.
    let again = b.sync().await;
    assert_eq!((again.pushed, again.pulled), (0, 0));
}
}

each_backend! {
async fn a_device_may_not_write_or_read_an_operation_its_officer_is_not_assigned_to() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let other = server.operation("Op Elsewhere", &["PC 9999"]);
    let a = Device::enrolled("PC 4521", &server).await;
    let outsider = Device::enrolled("PC 9999", &server).await;
    sync_until_operation_known(&a, op).await;
    sync_until_operation_known(&outsider, other).await;
    assert!(!outsider.has_record(op), "the operation itself is not handed out");
    a.create(note(op, "Organiser's mobile number is in the notes"));
    a.sync().await;
    outsider.sync().await;
    assert!(
        outsider.kinds_listed(Some(op)).is_empty(),
        "nothing of the operation reached the outsider"
    );

    let forged = forge_own(&outsider, note(op, "written into someone else's operation"));
    let (status, body) = raw_push(&server.url(), &token(&outsider), outsider.id(), vec![forged.clone()]).await;
    assert_eq!(status, 200);
    let resp = push_response(&body);
    assert_eq!(resp.rejected.len(), 1);
    assert_eq!(resp.rejected[0].reason, RejectReason::NotAssigned);
    assert!(
        resp.rejected[0].message.contains("not assigned"),
        "{}",
        resp.rejected[0].message
    );
    assert!(server.storage.received_at(forged.id).unwrap().is_none(), "not stored");
    a.sync().await;
    assert!(
        !a.has_record(forged.record_id),
        "and never handed to the operation's members"
    );
}
}

each_backend! {
async fn a_revision_the_server_refuses_is_quarantined_and_shown_while_the_rest_go() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let not_mine = server.operation("Op Elsewhere", &["PC 9999"]);
    let a = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&a, op).await;
    a.create(note(op, "before"));
    let bad = forge_own(&a, note(not_mine, "to an operation PC 4521 is not on"));
    a.create(note(op, "after"));
    let report = a.sync().await;
    assert_eq!((report.pushed, report.quarantined), (2, 1));
    let status = a.store.lock().unwrap().sync_status().unwrap();
    assert_eq!(status.waiting, 0, "the outbox drained past the refused revision");
    assert!(status.last_error.is_none());
    assert_eq!(status.quarantined.len(), 1);
    assert_eq!(status.quarantined[0].revision_id, bad.id);
    assert_eq!(status.quarantined[0].reason, "not_assigned");
    assert!(status.quarantined[0].message.contains("not assigned"));
    // Not retried: the next sync sends nothing.
    let again = a.sync().await;
    assert_eq!((again.push_batches, again.quarantined), (0, 0));
    let held = server.storage.device_chain(a.id()).unwrap();
    assert_eq!(held.len(), 2, "the notes before and after it are on the server");
    assert!(held.iter().all(|e| e.revision_id != bad.id));
    assert!(server.storage.verify().unwrap().problems.is_empty());
}
}

each_backend! {
async fn the_same_batch_twice_is_stored_once_and_a_different_body_under_a_held_id_is_refused() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let a = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&a, op).await;
    for i in 0..10 {
        a.create(note(op, &format!("note {i}")));
    }
    let batch = outbox(&a);
    let (s1, b1) = raw_push(&server.url(), &token(&a), a.id(), batch.clone()).await;
    let (s2, b2) = raw_push(&server.url(), &token(&a), a.id(), batch.clone()).await;
    assert_eq!((s1, s2), (200, 200));
    let (r1, r2) = (push_response(&b1), push_response(&b2));
    assert_eq!((r1.stored, r2.stored), (10, 0));
    assert_eq!(r1.acked_seq, 10);
    assert_eq!(r2.acked_seq, 10);
    assert_eq!(r2.held.len(), 10, "a retried batch is acknowledged again");

    let mut altered = batch[3].clone();
    if let Body::ContactNote(n) = &mut altered.body.body {
        n.summary = "rewritten after the fact".into();
    }
    altered.hash = altered.compute_hash(&liaison_core::store::canonical_body(&altered.body));
    let (_, b3) = raw_push(&server.url(), &token(&a), a.id(), vec![altered]).await;
    let r3 = push_response(&b3);
    assert_eq!(r3.rejected.len(), 1);
    assert_eq!(r3.rejected[0].reason, RejectReason::ConflictingCopy);
    // The device's own sync finds everything held and marks it.
    let report = a.sync().await;
    assert_eq!((report.pushed, report.already_held), (0, 10));
    assert_server_holds_exactly(server.storage.as_ref(), &a);
}
}

each_backend! {
async fn an_altered_a_forked_a_broken_and_a_foreign_revision_are_each_refused_by_name() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let a = Device::enrolled("PC 4521", &server).await;
    let b = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&a, op).await;
    sync_until_operation_known(&b, op).await;
    for i in 0..3 {
        a.create(note(op, &format!("note {i}")));
    }
    b.create(note(op, "from the other tablet"));
    let revs = outbox(&a);
    let url = server.url();
    let t = token(&a);

    let mut altered = revs[0].clone();
    if let Body::ContactNote(n) = &mut altered.body.body {
        n.summary = "changed without rehashing".into();
    }
    let mut fork = revs[0].clone();
    fork.id = uuid::Uuid::now_v7();
    fork.hash = fork.compute_hash(&liaison_core::store::canonical_body(&fork.body));
    let mut broken = revs[2].clone();
    broken.prev_hash = liaison_core::store::Hash([9; 32]);
    broken.hash = broken.compute_hash(&liaison_core::store::canonical_body(&broken.body));
    let foreign = outbox(&b).remove(0);

    let (_, body) = raw_push(&url, &t, a.id(), vec![altered]).await;
    assert_eq!(push_response(&body).rejected[0].reason, RejectReason::HashMismatch);
    let (_, body) = raw_push(&url, &t, a.id(), vec![revs[0].clone(), revs[1].clone()]).await;
    assert_eq!(push_response(&body).acked_seq, 2);
    let (_, body) = raw_push(&url, &t, a.id(), vec![fork]).await;
    assert_eq!(push_response(&body).rejected[0].reason, RejectReason::Fork);
    let (_, body) = raw_push(&url, &t, a.id(), vec![broken]).await;
    assert_eq!(push_response(&body).rejected[0].reason, RejectReason::BrokenChain);
    let (_, body) = raw_push(&url, &t, a.id(), vec![foreign.clone()]).await;
    assert_eq!(push_response(&body).rejected[0].reason, RejectReason::ForeignDevice);
    // Claiming to be the other device with this device's token is refused outright.
    let (status, body) = raw_push(&url, &t, b.id(), vec![foreign]).await;
    assert_eq!(status, 401);
    let e: ErrorBody = serde_json::from_slice(&body).unwrap();
    assert!(e.message.contains("its own code"), "{}", e.message);
    assert!(server.storage.device_chain(b.id()).unwrap().is_empty());
    a.sync().await;
    assert_server_holds_exactly(server.storage.as_ref(), &a);
}
}

async fn pull_everything_with_page(total: usize, page: u32) {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521", "PC 1190"]);
    let a = Device::enrolled("PC 4521", &server).await;
    let b = Device::enrolled("PC 1190", &server).await;
    sync_until_operation_known(&a, op).await;
    // Everything but the operation: `total` notes.
    for i in 0..total {
        a.create(note(op, &format!("note {i}")));
    }
    a.sync().await;
    let options = SyncOptions {
        pull_page: page,
        ..quick_options()
    };
    let report = b.client(options).sync(&b.store, &|_, _, _| {}).await.unwrap();
    // +1: the operation record itself, made on the server's chain.
    assert_eq!(report.pulled as usize, total + 1, "every revision exactly once");
    let expected_pages = (total + 1).div_ceil(page as usize).max(1);
    assert_eq!(
        report.pull_pages as usize, expected_pages,
        "no extra page, none missing"
    );
    assert_eq!(b.kinds_listed(Some(op)).len(), total);
    let again = b.sync().await;
    assert_eq!(again.pulled, 0);
}

each_backend! {
async fn pull_at_an_exact_multiple_of_the_page_size_misses_nothing_and_repeats_nothing() {
    pull_everything_with_page(19, 10).await; // 20 revisions, page 10
    pull_everything_with_page(9, 10).await; // exactly one page
}
}

each_backend! {
async fn pull_one_past_a_page_multiple_gets_the_last_revision() {
    pull_everything_with_page(20, 10).await; // 21 revisions
    pull_everything_with_page(0, 1).await; // only the operation
}
}

each_backend! {
async fn directory_entries_reach_every_device_and_neighbourhood_work_only_its_authors() {
    let server = TestServer::start().await;
    let a = Device::enrolled("PC 4521", &server).await;
    let a2 = Device::enrolled("PC 4521", &server).await;
    let b = Device::enrolled("PCSO 7781", &server).await;
    let g = a.create(group("Birmingham LGBT Forum"));
    let t = a.create(tasking("Reassurance patrol, Hurst Street"));
    a.sync().await;
    a2.sync().await;
    b.sync().await;
    assert!(b.has_record(g), "the directory is shared with the force");
    assert!(!b.has_record(t), "another officer's neighbourhood work is not");
    assert!(
        a2.has_record(t) && a2.has_record(g),
        "the author's other tablet gets both"
    );
}
}

each_backend! {
async fn an_officer_assigned_later_receives_the_operations_earlier_records() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let a = Device::enrolled("PC 4521", &server).await;
    let b = Device::enrolled("PC 1190", &server).await;
    sync_until_operation_known(&a, op).await;
    let n = a.create(note(op, "early note"));
    a.sync().await;
    b.sync().await;
    assert!(!b.has_record(n));
    server.storage.assign(op, "PC 1190").unwrap();
    b.sync().await;
    assert!(
        b.has_record(op) && b.has_record(n),
        "the cursor restarted for the new assignment"
    );
}
}

each_backend! {
async fn concurrent_edits_of_a_rumour_are_both_kept_and_every_side_agrees_on_the_winner() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521", "PC 1190"]);
    let a = Device::enrolled("PC 4521", &server).await;
    let b = Device::enrolled("PC 1190", &server).await;
    sync_until_operation_known(&a, op).await;
    let r = a.create(rumour(op, RumourStatus::Reported, ""));
    a.sync().await;
    b.sync().await;
    // Both edit offline.
    a.edit(
        r,
        rumour(op, RumourStatus::BeingChecked, "Checking with BTP"),
        "checking",
    );
    b.edit(r, rumour(op, RumourStatus::Refuted, "CCTV shows no group"), "refuted");
    a.sync().await;
    b.sync().await;
    a.sync().await;
    let access = liaison_core::Access {
        officer: officer("PC 4521"),
        purpose: "test".into(),
    };
    let ca = a.store.lock().unwrap().get(r, &access).unwrap();
    let cb = b.store.lock().unwrap().get(r, &access).unwrap();
    let (server_winner, server_heads) = server.storage.current_revision(r).unwrap().unwrap();
    assert_eq!(ca.revision_id, cb.revision_id, "both devices show the same winner");
    assert_eq!(ca.revision_id, server_winner, "and the server agrees");
    assert_eq!(
        (ca.open_heads, cb.open_heads, server_heads),
        (2, 2, 2),
        "the conflict is visible everywhere"
    );
    assert_eq!(
        a.store.lock().unwrap().history(r, &access).unwrap().len(),
        3,
        "both edits kept"
    );
    assert_eq!(b.store.lock().unwrap().history(r, &access).unwrap().len(), 3);
    assert_server_holds_exactly(server.storage.as_ref(), &a);
    assert_server_holds_exactly(server.storage.as_ref(), &b);
}
}

each_backend! {
async fn an_operation_made_on_a_tablet_is_registered_with_its_maker_as_member() {
    let server = TestServer::start().await;
    let a = Device::enrolled("PS 2817", &server).await;
    let start = at(10, 0);
    let op = a.create(envelope(
        None,
        Body::Operation(Operation {
            name: "Op Tablet".into(),
            event_kind: EventKind::Protest,
            starts_at: start,
            ends_at: start + chrono::Duration::hours(4),
            area: vec![],
            sectors: vec![],
            briefing: String::new(),
            command_structure: String::new(),
            groups_expected: vec![],
            team: vec![],
        }),
    ));
    a.create(note(op, "first note"));
    let report = a.sync().await;
    assert_eq!((report.pushed, report.quarantined), (2, 0));
    let ops = server.storage.operations().unwrap();
    assert!(ops
        .iter()
        .any(|(id, name, officers)| *id == op && name == "Op Tablet" && officers == &["PS 2817"]));
}
}

each_backend! {
async fn the_openapi_description_is_served_and_names_every_endpoint() {
    let server = TestServer::start().await;
    let bytes = reqwest::get(format!("{}{}", server.url(), protocol::OPENAPI_PATH))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    for path in [protocol::ENROLL_PATH, protocol::PUSH_PATH, protocol::PULL_PATH] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["PushResponse"].is_object());
    let params = doc["paths"][protocol::PULL_PATH]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(
        params.iter().all(|p| p["in"] == "query" && p["required"] == false),
        "{params:?}"
    );
}
}

each_backend! {
async fn malformed_unknown_field_oversize_and_bad_cursor_requests_get_a_clear_error_and_change_nothing() {
    let server = TestServer::start().await;
    let d = Device::enrolled("PC 4521", &server).await;
    let t = token(&d);
    let http = reqwest::Client::new();
    let push_url = format!("{}{}", server.url(), protocol::PUSH_PATH);
    let send = |body: Vec<u8>, encoding: Option<&'static str>| {
        let mut req = http.post(&push_url).bearer_auth(&t).body(body);
        if let Some(e) = encoding {
            req = req.header("content-encoding", e);
        }
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let e: ErrorBody = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
            (status, e)
        }
    };
    let (status, e) = send(br#"{"device_id": "#.to_vec(), None).await;
    assert_eq!((status, e.code), (400, ErrorCode::BadRequest));
    assert!(e.message.contains("not valid JSON"), "{}", e.message);
    let unknown = format!(r#"{{"device_id":"{}","revisions":[],"sneaky":1}}"#, d.id());
    let (status, e) = send(unknown.into_bytes(), None).await;
    assert_eq!((status, e.code), (400, ErrorCode::BadRequest));
    assert!(e.message.contains("unknown field"), "{}", e.message);
    let (status, e) = send(b"not zstd at all".to_vec(), Some("zstd")).await;
    assert_eq!((status, e.code), (400, ErrorCode::BadRequest));
    let bomb = zstd_bomb();
    let (status, e) = send(bomb, Some("zstd")).await;
    assert_eq!((status, e.code), (413, ErrorCode::TooLarge));
    let (status, e) = send(b"{}".to_vec(), Some("br")).await;
    assert_eq!((status, e.code), (400, ErrorCode::BadRequest));
    assert!(e.message.contains("zstd"), "{}", e.message);

    let resp = http
        .get(format!("{}{}?after=forged", server.url(), protocol::PULL_PATH))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let e: ErrorBody = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert!(e.message.contains("pull from the start"), "{}", e.message);
    assert_eq!(server.storage.verify().unwrap().revisions, 0, "nothing was stored");
}
}

fn zstd_bomb() -> Vec<u8> {
    let mut json = br#"{"device_id":"00000000-0000-0000-0000-000000000000","revisions":[], "x":""#.to_vec();
    json.extend(std::iter::repeat_n(b' ', protocol::MAX_BODY_BYTES));
    json.extend(br#""}"#);
    // Small on the wire, too big once unpacked.
    zstd::bulk::compress(&json, 3).unwrap()
}

each_backend! {
async fn a_revision_the_server_refused_is_corrected_on_the_tablet_and_sent_again_in_its_place() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521", "PC 1190"]);
    let later = server.operation("Op Later", &["PS 2817"]);
    let a = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&a, op).await;
    let access = liaison_core::Access {
        officer: officer("PC 4521"),
        purpose: "test".into(),
    };

    // An edit the server refuses (it moves the note to another operation, as an outdated or
    // tampered app could).
    let id = a.create(note(op, "Route agreed"));
    a.sync().await;
    let first = a.store.lock().unwrap().get(id, &access).unwrap().revision_id;
    let refused = forge_with(&a, note(later, "Route agreed"), |rev| {
        rev.record_id = id;
        rev.parent = Some(first);
        rev.reason = Some("typo".into());
    });
    let report = a.sync().await;
    assert_eq!(report.quarantined, 1);
    let refusals = a.store.lock().unwrap().refusals(id).unwrap();
    assert_eq!(refusals.len(), 1);
    assert_eq!((refusals[0].revision_id, refusals[0].reason.as_str()), (refused.id, "record_bound"));

    // Corrected on the tablet by an ordinary edit; it goes in the refused one's place.
    a.edit(id, note(op, "Route agreed via Broad Street"), "corrected after the server refused it");
    let report = a.sync().await;
    assert_eq!((report.pushed, report.quarantined), (1, 0));
    let status = a.store.lock().unwrap().sync_status().unwrap();
    assert!(status.quarantined.is_empty(), "no refusal left to show");
    assert_eq!(status.waiting, 0);
    assert!(a.store.lock().unwrap().refusals(id).unwrap().is_empty());
    let held = server.storage.device_chain(a.id()).unwrap();
    assert!(held.iter().all(|e| e.revision_id != refused.id));
    assert!(server.storage.verify().unwrap().problems.is_empty());
    // A colleague receives the corrected record: one version, following what the server held.
    let b = Device::enrolled("PC 1190", &server).await;
    sync_until_operation_known(&b, op).await;
    b.sync().await;
    let b_access = liaison_core::Access {
        officer: officer("PC 1190"),
        purpose: "test".into(),
    };
    let current = b.store.lock().unwrap().get(id, &b_access).unwrap();
    assert_eq!(current.open_heads, 1);
    let Body::ContactNote(n) = &current.record.body else { panic!("a note") };
    assert_eq!(n.summary, "Route agreed via Broad Street");
    let history = b.store.lock().unwrap().history(id, &b_access).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].parent, Some(first));

    // A record refused whole (its officer was not on the operation yet), sent again once
    // they are: the correction is its new first revision.
    let whole = forge_own(&a, note(later, "Leaflets at the library"));
    assert_eq!(a.sync().await.quarantined, 1);
    server.storage.assign(later, "PC 4521").unwrap();
    sync_until_operation_known(&a, later).await;
    a.edit(whole.record_id, note(later, "Leaflets at the library"), "assigned now: sent again");
    let report = a.sync().await;
    assert_eq!((report.pushed, report.quarantined), (1, 0));
    let current = a.store.lock().unwrap().get(whole.record_id, &access).unwrap();
    assert_eq!(current.open_heads, 1);
    assert!(server.storage.received_at(current.revision_id).unwrap().is_some());
    assert!(server.storage.received_at(whole.id).unwrap().is_none());
    assert!(a.store.lock().unwrap().sync_status().unwrap().quarantined.is_empty());
    assert!(server.storage.verify().unwrap().problems.is_empty());
}
}
