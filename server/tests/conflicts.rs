//! Conflicts over a real server on 127.0.0.1 (issue 12, item 6): two tablets on the same
//! operation edit the same record while apart, and both sync; the console shows the record
//! with both versions side by side; a merge made there reaches both tablets by the ordinary
//! pull, after which each has one head and the same current revision, and the server's chain
//! verifies. A second merge of the resolved record is refused with nothing written; a
//! tablet's merge naming a revision of another record is refused; a merge made on a tablet
//! reaches the other tablet and the console, and neither a lost push answer nor a lost pull
//! answer (through the fault proxy) loses or doubles it; an officer's own work in conflict is
//! shown to their supervisor and commanders only. SQLite and PostgreSQL.

mod common;

use common::console::{add_staff, put_officer, sign_in, Session};
use common::proxy::Proxy;
use common::{note, Device, TestServer};
use liaison_core::records::*;
use liaison_core::store::CurrentRecord;
use liaison_core::Access;
use liaison_server::console::model::StaffRole;
use liaison_server::console::ConsoleOptions;
use liaison_server::ServeOptions;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const PC_A: &str = "PC 1101";
const PC_B: &str = "PC 1102";
const SERGEANT: &str = "PS 2817";

async fn server() -> TestServer {
    let server = TestServer::start_with(ServeOptions {
        console: ConsoleOptions {
            assets: None,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    put_officer(&server, SERGEANT, "PS", "PLT leader", None);
    put_officer(&server, PC_A, "PC", "PLO", Some(SERGEANT));
    put_officer(&server, PC_B, "PC", "PLO", Some(SERGEANT));
    add_staff(&server, "ps.2817", StaffRole::Supervisor, Some(SERGEANT));
    add_staff(&server, "ps.other", StaffRole::Supervisor, Some("PS 9999"));
    add_staff(&server, "insp.hale", StaffRole::Bronze, None);
    add_staff(&server, "it.admin", StaffRole::Admin, None);
    server
}

fn current(d: &Device, id: RecordId) -> CurrentRecord {
    let access = Access {
        officer: d.officer.clone(),
        purpose: "test".into(),
    };
    d.store.lock().unwrap().get(id, &access).unwrap()
}

fn summary_of(r: &CurrentRecord) -> String {
    match &r.record.body {
        Body::ContactNote(n) => n.summary.clone(),
        Body::Tasking(t) => t.result.clone(),
        other => panic!("not a note or a task: {other:?}"),
    }
}

async fn conflicts(who: &Session) -> Value {
    let (status, body) = who.get("/conflicts").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn conflict_of(list: &Value, id: RecordId) -> Option<&Value> {
    list["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["record_id"] == id.to_string())
}

fn field<'a>(conflict: &'a Value, name: &str) -> &'a Value {
    conflict["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == name)
        .unwrap_or_else(|| panic!("no field {name} in {conflict}"))
}

/// The version of a conflict made by `author`.
fn version_by<'a>(conflict: &'a Value, author: &str) -> &'a Value {
    conflict["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["author"] == author)
        .unwrap_or_else(|| panic!("no version by {author} in {conflict}"))
}

/// Edits `id` on both tablets while they are apart, then syncs both (twice round, so each
/// has the other's version): the record has two heads everywhere.
async fn edit_apart(a: &Device, b: &Device, id: RecordId, on_a: Record, on_b: Record) {
    a.edit(id, on_a, "steward spoken to again");
    b.edit(id, on_b, "correction from the briefing");
    a.sync().await;
    b.sync().await;
    a.sync().await;
}

each_backend! {
    async fn a_record_edited_on_two_tablets_is_shown_side_by_side_and_a_console_merge_gives_it_one_head_everywhere() {
        let server = server().await;
        let op = server.operation("Op Lantern", &[PC_A, PC_B]);
        let a = Device::enrolled(PC_A, &server).await;
        let b = Device::enrolled(PC_B, &server).await;
        common::sync_until_operation_known(&a, op).await;
        common::sync_until_operation_known(&b, op).await;
        let id = a.create(note(op, "Chief steward: march to start at noon"));
        a.sync().await;
        b.sync().await;
        assert!(b.has_record(id));

        // Apart (no sync in between), each tablet edits the revision it has.
        edit_apart(
            &a,
            &b,
            id,
            note(op, "Chief steward: march to start at 12:30, route unchanged"),
            note(op, "Chief steward: march to start at noon, route via Broad Street"),
        )
        .await;
        for d in [&a, &b] {
            assert_eq!(current(d, id).open_heads, 2, "{} holds both versions", d.officer);
        }
        assert_eq!(server.storage.current_revision(id).unwrap().unwrap().1, 2);

        // The console: both versions side by side, field by field, the difference marked.
        let bronze = sign_in(&server, "insp.hale").await;
        let list = conflicts(&bronze).await;
        let c = conflict_of(&list, id).unwrap_or_else(|| panic!("no conflict for {id} in {list}")).clone();
        assert_eq!(c["kind"], "contact_note");
        assert_eq!(c["operation"], op.to_string());
        assert_eq!(c["operation_name"], "Op Lantern");
        assert_eq!(c["versions"].as_array().unwrap().len(), 2);
        let (va, vb) = (version_by(&c, PC_A).clone(), version_by(&c, PC_B).clone());
        assert_eq!(va["device_id"], a.id().to_string());
        assert_eq!(vb["device_id"], b.id().to_string());
        assert_eq!(va["author_name"], format!("{PC_A} name"));
        assert_eq!(va["reason"], "steward spoken to again");
        assert_eq!(vb["reason"], "correction from the briefing");
        assert!(va["recorded_at"].is_string() && va["received_at"].is_string());
        assert_eq!(
            c["versions"].as_array().unwrap().iter().filter(|v| v["shown"] == true).count(),
            1,
            "tablets show one of them until it is resolved"
        );
        let summary = field(&c, "body.summary");
        assert_eq!(summary["label"], "Summary");
        assert_eq!(summary["differs"], true);
        let values: Vec<&str> = summary["values"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert!(values.contains(&"Chief steward: march to start at 12:30, route unchanged"), "{values:?}");
        assert!(values.contains(&"Chief steward: march to start at noon, route via Broad Street"), "{values:?}");
        assert_eq!(field(&c, "body.spoke_with")["differs"], false);

        // Force IT is refused the page; any supervisor sees an operation's records.
        let admin = sign_in(&server, "it.admin").await;
        assert_eq!(admin.get("/conflicts").await.0, StatusCode::FORBIDDEN);
        let sergeant = sign_in(&server, "ps.2817").await;
        assert!(conflict_of(&conflicts(&sergeant).await, id).is_some());

        // A merge needs its reason, and two different versions; nothing is written.
        let before = server.storage.log_position().unwrap();
        let keep = va["revision"].as_str().unwrap().to_string();
        let other = vb["revision"].as_str().unwrap().to_string();
        let path = format!("/conflicts/{id}/merge");
        let (status, body) = sergeant
            .request("POST", &path, Some(json!({ "keep": keep, "other": other, "reason": "  " })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["fields"][0]["field"], "reason");
        let (status, _) = sergeant
            .request("POST", &path, Some(json!({ "keep": keep, "other": keep, "reason": "x" })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(server.storage.log_position().unwrap(), before, "nothing written");

        // The sergeant keeps PC A's version.
        let (status, body) = sergeant
            .request(
                "POST",
                &path,
                Some(json!({ "keep": keep, "other": other, "reason": "the steward confirmed 12:30 by phone" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(conflict_of(&body, id).is_none(), "resolved: {body}");
        assert!(conflict_of(&conflicts(&bronze).await, id).is_none());
        let heads = server.storage.record_heads(id).unwrap();
        assert_eq!(heads.len(), 1);
        let merge = heads[0].revision.clone();
        assert_eq!(merge.parent.map(|p| p.to_string()), Some(keep.clone()));
        assert_eq!(merge.merges.map(|m| m.to_string()), Some(other.clone()));
        assert_eq!(merge.author.as_str(), SERGEANT);
        assert_eq!(
            merge.reason.as_deref(),
            Some("Kept PC 1101's version: the steward confirmed 12:30 by phone")
        );
        assert_eq!(server.storage.current_revision(id).unwrap(), Some((merge.id, 1)));

        // Both tablets receive it by the ordinary pull: one head, the same current revision,
        // PC A's content.
        a.sync().await;
        b.sync().await;
        for d in [&a, &b] {
            let r = current(d, id);
            assert_eq!(r.open_heads, 1, "{} has one head", d.officer);
            assert_eq!(r.revision_id, merge.id, "{} shows the merge", d.officer);
            assert_eq!(summary_of(&r), "Chief steward: march to start at 12:30, route unchanged");
        }
        common::assert_server_holds_exactly(server.storage.as_ref(), &a);
        common::assert_server_holds_exactly(server.storage.as_ref(), &b);

        // The same merge again (a second person, a stale page): refused, nothing written.
        let before = server.storage.log_position().unwrap();
        let (status, body) = bronze
            .request("POST", &path, Some(json!({ "keep": keep, "other": other, "reason": "also 12:30" })))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "conflict");
        assert!(body["message"].as_str().unwrap().contains("nothing was written"), "{body}");
        assert_eq!(server.storage.log_position().unwrap(), before, "nothing written");
        assert_eq!(server.storage.record_heads(id).unwrap().len(), 1);
        // A record that does not exist is not found.
        let (status, _) = bronze
            .request(
                "POST",
                &format!("/conflicts/{}/merge", Uuid::now_v7()),
                Some(json!({ "keep": keep, "other": other, "reason": "x" })),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // A tablet's merge naming a revision of another record is refused by the server.
        let elsewhere = b.create(note(op, "Counter-protest expected at the station"));
        b.sync().await;
        let other_record = current(&b, elsewhere).revision_id;
        let forged = common::forge_with(&b, note(op, "Chief steward: spliced"), |rev| {
            rev.record_id = id;
            rev.parent = Some(merge.id);
            rev.merges = Some(other_record);
            rev.reason = Some("merged".into());
        });
        assert_eq!(b.sync().await.quarantined, 1);
        let status = b.store.lock().unwrap().sync_status().unwrap();
        let q = status.quarantined.iter().find(|q| q.revision_id == forged.id).expect("the forged merge is quarantined");
        assert_eq!(q.reason, "unknown_parent");
        assert!(q.message.contains("a merge names two versions"), "{}", q.message);
        assert_eq!(server.storage.received_at(forged.id).unwrap(), None);
        assert_eq!(server.storage.record_heads(id).unwrap()[0].revision.id, merge.id);
        assert!(server.storage.verify().unwrap().problems.is_empty());
    }

    async fn a_merge_made_on_a_tablet_reaches_the_other_tablet_and_the_console() {
        let server = server().await;
        let op = server.operation("Op Lantern", &[PC_A, PC_B]);
        let a = Device::enrolled(PC_A, &server).await;
        let b = Device::enrolled(PC_B, &server).await;
        common::sync_until_operation_known(&a, op).await;
        common::sync_until_operation_known(&b, op).await;
        let id = a.create(note(op, "Stewards at the gates: 4"));
        a.sync().await;
        b.sync().await;
        edit_apart(
            &a,
            &b,
            id,
            note(op, "Stewards at the gates: 6"),
            note(op, "Stewards at the gates: 5"),
        )
        .await;
        let sergeant = sign_in(&server, "ps.2817").await;
        let c = conflict_of(&conflicts(&sergeant).await, id).expect("listed").clone();
        let theirs: Uuid = version_by(&c, PC_B)["revision"].as_str().unwrap().parse().unwrap();
        let mine: Uuid = version_by(&c, PC_A)["revision"].as_str().unwrap().parse().unwrap();

        // PC A resolves it on their tablet, keeping PC B's count.
        let heads = a.store.lock().unwrap().heads(id).unwrap();
        assert_eq!(heads.len(), 2);
        let saved = a
            .store
            .lock()
            .unwrap()
            .merge(&a.officer, id, theirs, mine, "PC 1102 counted them at the gate")
            .unwrap();
        assert_eq!(current(&a, id).open_heads, 1);
        assert_eq!(a.sync().await.quarantined, 0);
        assert!(conflict_of(&conflicts(&sergeant).await, id).is_none(), "no conflict listed afterwards");
        assert_eq!(server.storage.current_revision(id).unwrap(), Some((saved.revision_id, 1)));
        b.sync().await;
        for d in [&a, &b] {
            let r = current(d, id);
            assert_eq!(r.open_heads, 1, "{}", d.officer);
            assert_eq!(r.revision_id, saved.revision_id, "{}", d.officer);
            assert_eq!(summary_of(&r), "Stewards at the gates: 5");
        }
        common::assert_server_holds_exactly(server.storage.as_ref(), &a);
        common::assert_server_holds_exactly(server.storage.as_ref(), &b);

        // A tablet that merged before its own edit went (it had received the other version
        // first): the edit and the merge that names it go in one batch, and both are taken.
        let id = a.create(note(op, "Crowd at the fountain: 200"));
        a.sync().await;
        b.sync().await;
        a.edit(id, note(op, "Crowd at the fountain: 250"), "counted again");
        b.edit(id, note(op, "Crowd at the fountain: 300"), "counted from the steps");
        b.sync().await;
        let from_b = server.storage.record_heads(id).unwrap().remove(0).revision;
        assert_eq!(from_b.device_id, b.id());
        a.store.lock().unwrap().receive(std::slice::from_ref(&from_b)).unwrap();
        let mine = *a
            .store
            .lock()
            .unwrap()
            .heads(id)
            .unwrap()
            .iter()
            .find(|h| **h != from_b.id)
            .expect("the tablet's own edit is a head");
        let saved = a
            .store
            .lock()
            .unwrap()
            .merge(&a.officer, id, from_b.id, mine, "the steps give the better view")
            .unwrap();
        let report = a.sync().await;
        assert_eq!((report.pushed, report.quarantined), (2, 0), "{report:?}");
        assert_eq!(server.storage.current_revision(id).unwrap(), Some((saved.revision_id, 1)));
        b.sync().await;
        assert_eq!(current(&b, id).revision_id, saved.revision_id);
        assert_eq!(current(&b, id).open_heads, 1);
        assert!(conflict_of(&conflicts(&sergeant).await, id).is_none());
        common::assert_server_holds_exactly(server.storage.as_ref(), &a);
    }

    async fn a_merge_whose_push_answer_or_pull_answer_is_lost_is_held_once_and_arrives_once() {
        let server = server().await;
        let op = server.operation("Op Lantern", &[PC_A, PC_B]);
        let a = Device::enrolled(PC_A, &server).await;
        let b = Device::enrolled(PC_B, &server).await;
        common::sync_until_operation_known(&a, op).await;
        common::sync_until_operation_known(&b, op).await;
        let id = a.create(note(op, "Coaches parked on Bridge Street: 3"));
        a.sync().await;
        b.sync().await;
        edit_apart(
            &a,
            &b,
            id,
            note(op, "Coaches parked on Bridge Street: 4"),
            note(op, "Coaches parked on Bridge Street: 5"),
        )
        .await;
        let heads = a.store.lock().unwrap().heads(id).unwrap();
        assert_eq!(heads.len(), 2);
        let saved = a
            .store
            .lock()
            .unwrap()
            .merge(&a.officer, id, heads[0], heads[1], "counted with the driver")
            .unwrap();

        // First worst moment: the server stores the merge and its answer to the push is lost.
        // The tablet sends it again: held once.
        let proxy = Proxy::start(server.addr).await;
        proxy.set(|f| f.lose_responses = 1);
        let via = |d: &Device| d.client_via(&proxy.url(), common::quick_options());
        assert!(via(&a).sync(&a.store, &|_, _, _| {}).await.is_err());
        let report = via(&a).sync(&a.store, &|_, _, _| {}).await.unwrap();
        assert_eq!((report.already_held, report.quarantined), (1, 0), "{report:?}");
        assert_eq!(server.storage.current_revision(id).unwrap(), Some((saved.revision_id, 1)));
        common::assert_server_holds_exactly(server.storage.as_ref(), &a);

        // Second worst moment: the pull that carries the merge to the other tablet is answered
        // and the answer never arrives. Nothing is half-applied; the next pull brings it once.
        proxy.set(|f| f.lose_responses = 1);
        assert!(via(&b).sync(&b.store, &|_, _, _| {}).await.is_err());
        assert_eq!(current(&b, id).open_heads, 2, "nothing half-applied");
        via(&b).sync(&b.store, &|_, _, _| {}).await.unwrap();
        let r = current(&b, id);
        assert_eq!((r.open_heads, r.revision_id, r.revision_count), (1, saved.revision_id, 4));
        // Once more changes nothing.
        via(&b).sync(&b.store, &|_, _, _| {}).await.unwrap();
        assert_eq!(current(&b, id).revision_count, 4);
        assert!(server.storage.verify().unwrap().problems.is_empty());
    }

    async fn an_officers_own_work_in_conflict_is_shown_to_their_supervisor_and_commanders_only() {
        let server = server().await;
        // One officer, two tablets (a spare taken out while the first was charging).
        let first = Device::enrolled(PC_A, &server).await;
        let spare = Device::enrolled(PC_A, &server).await;
        let id = first.create(common::tasking("Reassurance patrol, Park Road"));
        first.sync().await;
        spare.sync().await;
        assert!(spare.has_record(id));
        let done = |result: &str| {
            let mut r = common::tasking("Reassurance patrol, Park Road");
            if let Body::Tasking(t) = &mut r.body {
                t.status = TaskStatus::Done;
                t.result = result.into();
            }
            r
        };
        edit_apart(&first, &spare, id, done("Spoke to 3 shopkeepers"), done("Spoke to 4 shopkeepers")).await;

        let sergeant = sign_in(&server, "ps.2817").await;
        let c = conflict_of(&conflicts(&sergeant).await, id).expect("their supervisor sees it").clone();
        assert_eq!(c["officer"], PC_A);
        assert!(c["operation"].is_null());
        assert_eq!(field(&c, "body.result")["differs"], true);
        let bronze = sign_in(&server, "insp.hale").await;
        assert!(conflict_of(&conflicts(&bronze).await, id).is_some(), "a commander sees it");
        let stranger = sign_in(&server, "ps.other").await;
        assert!(conflict_of(&conflicts(&stranger).await, id).is_none(), "another team's sergeant does not");
        let keep = c["versions"][1]["revision"].clone();
        let other = c["versions"][0]["revision"].clone();
        let (status, _) = stranger
            .request(
                "POST",
                &format!("/conflicts/{id}/merge"),
                Some(json!({ "keep": keep, "other": other, "reason": "not mine to say" })),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "as if it did not exist");

        // Their supervisor resolves it; the officer's tablets both receive it.
        let (status, body) = sergeant
            .request(
                "POST",
                &format!("/conflicts/{id}/merge"),
                Some(json!({ "keep": keep, "other": other, "reason": "the later count" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        first.sync().await;
        spare.sync().await;
        assert_eq!(current(&first, id).revision_id, current(&spare, id).revision_id);
        for d in [&first, &spare] {
            assert_eq!(current(d, id).open_heads, 1);
        }
        assert!(server.storage.verify().unwrap().problems.is_empty());
    }
}
