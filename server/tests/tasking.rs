//! Tasking from the briefing over a real server (docs/supervision-tasking.md): a supervisor
//! tasks a PCSO in the console, the PCSO's tablet pulls the task, sets it done with a result
//! and syncs, and the console's list shows the result. The deployment check of policy 2.8.3
//! refuses an unsuited task for a PCSO without an override and an override for a non-PCSO,
//! with nothing written; an officer's account may not task anyone. Every story runs on SQLite
//! and on PostgreSQL.

mod common;

use common::console::{add_staff, put_officer, sign_in};
use common::{Device, TestServer};
use liaison_core::records::*;
use liaison_server::console::model::{StaffRole, TaskingBoard, TaskingView};
use liaison_server::console::ConsoleOptions;
use liaison_server::ServeOptions;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn console_server() -> TestServer {
    TestServer::start_with(ServeOptions {
        console: ConsoleOptions {
            assets: None,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
}

/// A sergeant (PS 100) over a PCSO (PCSO 7781) and a PC (PC 4521), each with an account.
async fn team() -> TestServer {
    let server = console_server().await;
    put_officer(&server, "PS 100", "PS", "Neighbourhood sergeant", None);
    put_officer(&server, "PCSO 7781", "PCSO", "PCSO", Some("PS 100"));
    put_officer(&server, "PC 4521", "PC", "PLO", Some("PS 100"));
    add_staff(&server, "ps.100", StaffRole::Supervisor, Some("PS 100"));
    add_staff(&server, "pcso.7781", StaffRole::Officer, Some("PCSO 7781"));
    server
}

fn task(officer: &str, incident: &str, override_reason: &str) -> Value {
    json!({
        "officer": officer,
        "title": "Visit the Soho Road shops after last night's disorder",
        "incident_type": incident,
        "briefing_ref": "Briefing 30/11 item 4",
        "details": "Reassure shopkeepers; note any CCTV.",
        "due": "2026-12-01T16:00:00Z",
        "override_reason": override_reason
    })
}

fn taskings_held(server: &TestServer) -> usize {
    server.storage.kind_log(RecordKind::Tasking, 0, 1_000).unwrap().len()
}

each_backend! {
async fn a_task_given_in_the_console_reaches_the_pcso_and_its_result_comes_back() {
    let server = team().await;
    let pcso = Device::enrolled("PCSO 7781", &server).await;
    let colleague = Device::enrolled("PC 4521", &server).await;
    let sergeant = sign_in(&server, "ps.100").await;

    let (status, body) = sergeant
        .request("POST", "/taskings", Some(task("PCSO 7781", "reassurance_patrol", "")))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let given: TaskingView = serde_json::from_value(body).unwrap();
    assert_eq!(given.given_by, "PS 100", "authored by the signed-in person's officer id");
    assert_eq!(given.tasking.assigned_to, Some(common::officer("PCSO 7781")));
    assert_eq!(given.tasking.status, TaskStatus::Open);
    assert!(given.assignee_is_pcso);
    assert_eq!(given.check, DeploymentCheck::Suitable);

    // The PCSO's tablet pulls it; so does their team-mate's, to read (continuity: the team
    // carries on each other's neighbourhood work); another team's officer's does not.
    server
        .storage
        .put_officer(
            &liaison_server::console::model::OfficerEntry {
                officer: "PC 9001".into(),
                name: "PC 9001 name".into(),
                rank: "PC".into(),
                role: "PLO".into(),
                team: "Aston NHT".into(),
                supervisor: None,
            },
            "test",
        )
        .unwrap();
    let elsewhere = Device::enrolled("PC 9001", &server).await;
    pcso.sync().await;
    colleague.sync().await;
    elsewhere.sync().await;
    assert!(pcso.has_record(given.record_id), "the PCSO's tablet has the task");
    assert!(colleague.has_record(given.record_id), "a team-mate's tablet has it to read");
    assert!(!elsewhere.has_record(given.record_id), "another team's tablet does not");
    let on_tablet = pcso
        .store
        .lock()
        .unwrap()
        .get(
            given.record_id,
            &liaison_core::Access {
                officer: common::officer("PCSO 7781"),
                purpose: "test".into(),
            },
        )
        .unwrap();
    assert_eq!(on_tablet.author.as_str(), "PS 100", "the tablet shows who gave it");

    // Done, with the result, on the tablet; back by the ordinary sync.
    let mut record = on_tablet.record.clone();
    let Body::Tasking(t) = &mut record.body else { panic!("{:?}", record.body) };
    t.status = TaskStatus::Done;
    t.result = "Spoke to six shopkeepers; two CCTV systems noted.".into();
    pcso.edit(given.record_id, record, "Task done");
    let report = pcso.sync().await;
    assert_eq!(pcso.waiting(), 0, "{report:?}");

    let (status, board) = sergeant.get("/taskings").await;
    assert_eq!(status, StatusCode::OK, "{board}");
    let board: TaskingBoard = serde_json::from_value(board).unwrap();
    assert_eq!(board.incident_types.len(), IncidentType::ALL.len());
    let list = board.taskings;
    assert_eq!(list.len(), 1);
    let back = &list[0];
    assert_eq!(back.record_id, given.record_id);
    assert_eq!(back.tasking.status, TaskStatus::Done);
    assert_eq!(back.tasking.result, "Spoke to six shopkeepers; two CCTV systems noted.");
    assert_eq!(back.updated_by, "PCSO 7781");
    assert_eq!(back.given_by, "PS 100");
    common::assert_server_holds_exactly(server.storage.as_ref(), &pcso);
    assert!(server.storage.verify().unwrap().problems.is_empty());

    // The task is the PCSO's: a colleague's tablet may not write it.
    let id = given.record_id;
    common::forge_with(&colleague, common::tasking("Taken over"), |rev| rev.record_id = id);
    let report = colleague.sync().await;
    assert_eq!((report.pushed, report.quarantined), (0, 1), "{report:?}");
    let (_, board) = sergeant.get("/taskings").await;
    assert_eq!(board["taskings"][0]["tasking"]["status"], "done", "{board}");
}
}

each_backend! {
async fn an_unsuited_task_for_a_pcso_needs_an_override_and_records_it() {
    let server = team().await;
    let sergeant = sign_in(&server, "ps.100").await;

    let (status, body) = sergeant
        .request("POST", "/taskings", Some(task("PCSO 7781", "domestic_abuse", "")))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "invalid");
    assert_eq!(body["fields"][0]["field"], "body.override_reason", "{body}");
    let message = body["fields"][0]["message"].as_str().unwrap();
    assert!(message.contains("2.8.3") && message.contains("Domestic & Personal Risk"), "{message}");
    assert_eq!(taskings_held(&server), 0, "a refusal writes nothing");

    let reason = "Scene secured by PC 4521; PCSO known to the family, to support after the event";
    let (status, body) = sergeant
        .request("POST", "/taskings", Some(task("PCSO 7781", "domestic_abuse", reason)))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let given: TaskingView = serde_json::from_value(body).unwrap();
    assert_eq!(given.tasking.override_reason, reason);
    assert!(matches!(given.check, DeploymentCheck::UnsuitedAsFirstResponse { .. }));

    // The override travels with the record to the tablet.
    let pcso = Device::enrolled("PCSO 7781", &server).await;
    pcso.sync().await;
    let on_tablet = pcso
        .store
        .lock()
        .unwrap()
        .get(
            given.record_id,
            &liaison_core::Access {
                officer: common::officer("PCSO 7781"),
                purpose: "test".into(),
            },
        )
        .unwrap();
    match on_tablet.record.body {
        Body::Tasking(t) => assert_eq!(t.override_reason, reason),
        other => panic!("{other:?}"),
    }
}
}

each_backend! {
async fn a_pcso_only_rule_for_a_non_pcso_an_unknown_officer_and_an_officers_account_are_refused() {
    let server = team().await;
    let sergeant = sign_in(&server, "ps.100").await;

    // A warranted officer may be sent first: an override of the PCSO policy is refused.
    let (status, body) = sergeant
        .request("POST", "/taskings", Some(task("PC 4521", "knife_crime", "because")))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["fields"][0]["field"], "body.override_reason", "{body}");
    assert!(body["message"].as_str().unwrap().contains("not a PCSO"), "{body}");
    // Without one, the same task is theirs to take.
    let (status, body) = sergeant
        .request("POST", "/taskings", Some(task("PC 4521", "knife_crime", "")))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(taskings_held(&server), 1);

    let (status, body) = sergeant
        .request("POST", "/taskings", Some(task("PC 9999", "reassurance_patrol", "")))
        .await;
    assert_eq!((status, body["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("officer")), "{body}");
    let mut blank = task("PCSO 7781", "reassurance_patrol", "");
    blank["title"] = json!("  ");
    let (status, body) = sergeant.request("POST", "/taskings", Some(blank)).await;
    assert_eq!((status, body["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("body.title")), "{body}");

    let officer = sign_in(&server, "pcso.7781").await;
    for (method, body) in [("GET", None), ("POST", Some(task("PCSO 7781", "reassurance_patrol", "")))] {
        let (status, answer) = officer.request(method, "/taskings", body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method}: {answer}");
        assert_eq!(answer["code"], "forbidden");
    }
    assert_eq!(taskings_held(&server), 1, "nothing more was written");
}
}

async fn sync_via(d: &Device, url: &str) -> Result<liaison_core::sync::SyncReport, liaison_core::sync::SyncError> {
    d.client_via(url, common::quick_options())
        .sync(&d.store, &|_, _, _| {})
        .await
}

/// How many revisions of `record` the tablet holds.
fn revisions_on(d: &Device, record: RecordId) -> usize {
    d.store
        .lock()
        .unwrap()
        .history(
            record,
            &liaison_core::Access {
                officer: d.officer.clone(),
                purpose: "test".into(),
            },
        )
        .map(|h| h.len())
        .unwrap_or(0)
}

each_backend! {
async fn a_task_and_its_result_survive_a_lost_answer_and_a_cut_request_at_each_step_once_each() {
    let server = team().await;
    let pcso = Device::enrolled("PCSO 7781", &server).await;
    let sergeant = sign_in(&server, "ps.100").await;
    let proxy = common::proxy::Proxy::start(server.addr).await;
    let (status, body) = sergeant
        .request("POST", "/taskings", Some(task("PCSO 7781", "victim_visit", "")))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let given: TaskingView = serde_json::from_value(body).unwrap();

    // The answers that carry the task to the tablet are lost: it pulls it again, once.
    proxy.set(|f| f.lose_responses = 3);
    for _ in 0..3 {
        assert!(sync_via(&pcso, &proxy.url()).await.is_err());
    }
    assert_eq!(proxy.get(|f| f.responses_lost), 3);
    assert!(!pcso.has_record(given.record_id), "no answer carrying the task arrived");
    sync_via(&pcso, &proxy.url()).await.unwrap();
    assert_eq!(revisions_on(&pcso, given.record_id), 1, "the task is on the tablet once");

    let result = |pcso: &Device| {
        let current = pcso
            .store
            .lock()
            .unwrap()
            .get(
                given.record_id,
                &liaison_core::Access {
                    officer: pcso.officer.clone(),
                    purpose: "test".into(),
                },
            )
            .unwrap();
        let mut record = current.record;
        let Body::Tasking(t) = &mut record.body else { panic!("{:?}", record.body) };
        t.status = TaskStatus::Done;
        t.result = "Victim seen; crime prevention advice given.".into();
        record
    };
    pcso.edit(given.record_id, result(&pcso), "Task done");

    // The push of the result is cut half way: nothing of it is stored.
    proxy.set(|f| f.cut_requests = 1);
    assert!(sync_via(&pcso, &proxy.url()).await.is_err());
    assert_eq!(pcso.waiting(), 1, "the result still waits on the tablet");
    // The server stores it but its answer is lost: the retry is recognised, not stored twice.
    proxy.set(|f| f.lose_responses = 1);
    assert!(sync_via(&pcso, &proxy.url()).await.is_err());
    let report = sync_via(&pcso, &proxy.url()).await.unwrap();
    assert_eq!(pcso.waiting(), 0, "{report:?}");
    common::assert_server_holds_exactly(server.storage.as_ref(), &pcso);

    let held: Vec<_> = server
        .storage
        .kind_log(RecordKind::Tasking, 0, 1_000)
        .unwrap()
        .into_iter()
        .filter(|l| l.revision.record_id == given.record_id)
        .collect();
    assert_eq!(held.len(), 2, "the task and its result, once each");
    let (_, board) = sergeant.get("/taskings").await;
    let board: TaskingBoard = serde_json::from_value(board).unwrap();
    assert_eq!(board.taskings.len(), 1);
    assert_eq!(board.taskings[0].tasking.status, TaskStatus::Done);
    assert!(server.storage.verify().unwrap().problems.is_empty());
}
}
