//! Abstractions (PCSO policy 1.3) as a round trip over a real server on 127.0.0.1: requested on
//! the PCSO's tablet, authorised or refused in the console by their supervisor, and the
//! decision back on the tablet; requested in the console for a PCSO, reaching their tablet;
//! refused with nothing written: one's own abstraction, a decision made twice, a refusal
//! without its reason, an officer the supervisor does not supervise; repeated and prolonged
//! abstractions flagged; the monthly rate per team. SQLite and PostgreSQL.

mod common;

use chrono::{Duration, Utc};
use common::console::{add_staff, put_officer, sign_in};
use common::{Device, TestServer};
use liaison_core::records::*;
use liaison_core::Access;
use liaison_server::console::model::StaffRole;
use liaison_server::console::ConsoleOptions;
use liaison_server::ServeOptions;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PCSO: &str = "PCSO 7001";
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
    put_officer(&server, PCSO, "PCSO", "PCSO", Some(SERGEANT));
    put_officer(&server, "PCSO 7002", "PCSO", "PCSO", Some("PS 9999"));
    add_staff(&server, "ps.2817", StaffRole::Supervisor, Some(SERGEANT));
    add_staff(&server, "ps.9999", StaffRole::Supervisor, Some("PS 9999"));
    // A sergeant who is themselves abstracted, signed in as a supervisor.
    add_staff(&server, "pcso.7001", StaffRole::Supervisor, Some(PCSO));
    server
}

fn requested(hours: i64, days_ago: i64) -> Record {
    let start = Utc::now() - Duration::days(days_ago);
    Record {
        operation_id: None,
        occurred_at: start,
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::Abstraction(Abstraction {
            from_duty: "Neighbourhood patrol, Ladywood".into(),
            to_duty: "Cordon at Victoria Square".into(),
            authorised_by: String::new(),
            reason: "Visible presence needed at the rally".into(),
            starts_at: start,
            ends_at: Some(start + Duration::hours(hours)),
            decision: None,
        }),
    }
}

fn item(board: &Value, id: RecordId) -> &Value {
    board["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["record_id"] == id.to_string())
        .unwrap_or_else(|| panic!("no abstraction {id} in {board}"))
}

fn on_tablet(d: &Device, id: RecordId) -> Abstraction {
    let access = Access {
        officer: d.officer.clone(),
        purpose: "test".into(),
    };
    match d.store.lock().unwrap().get(id, &access).unwrap().record.body {
        Body::Abstraction(a) => a,
        other => panic!("not an abstraction: {other:?}"),
    }
}

each_backend! {
    async fn a_pcsos_request_is_decided_by_their_supervisor_and_the_decision_reaches_the_tablet() {
        let server = server().await;
        let tablet = Device::enrolled(PCSO, &server).await;
        let id = tablet.create(requested(4, 1));
        tablet.sync().await;

        let sergeant = sign_in(&server, "ps.2817").await;
        let (status, board) = sergeant.get("/abstractions").await;
        assert_eq!(status, StatusCode::OK, "{board}");
        let it = item(&board, id).clone();
        assert_eq!(it["may_decide"], true);
        assert_eq!(it["hours"], 4.0);
        let revision = it["revision"].clone();

        // Another team's sergeant does not see it, and cannot decide it.
        let other = sign_in(&server, "ps.9999").await;
        let (_, theirs) = other.get("/abstractions").await;
        assert!(theirs["items"].as_array().unwrap().is_empty(), "{theirs}");
        let (status, _) = other
            .request("POST", &format!("/abstractions/{id}/decision"), Some(json!({ "revision": revision, "outcome": "authorised" })))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The abstracted officer cannot authorise their own.
        let own = sign_in(&server, "pcso.7001").await;
        let (status, body) = own
            .request("POST", &format!("/abstractions/{id}/decision"), Some(json!({ "revision": revision, "outcome": "authorised" })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["message"].as_str().unwrap().contains("your own abstraction"));
        // A refusal needs its reason.
        let (status, _) = sergeant
            .request("POST", &format!("/abstractions/{id}/decision"), Some(json!({ "revision": revision, "outcome": "refused" })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // None of that wrote anything.
        let (_, board) = sergeant.get("/abstractions").await;
        assert_eq!(item(&board, id)["revision"], revision);

        let (status, board) = sergeant
            .request("POST", &format!("/abstractions/{id}/decision"), Some(json!({ "revision": revision, "outcome": "authorised" })))
            .await;
        assert_eq!(status, StatusCode::OK, "{board}");
        assert_eq!(item(&board, id)["abstraction"]["decision"]["outcome"], "authorised");
        // Decided once: a second decision is refused.
        let now = item(&board, id)["revision"].clone();
        let (status, body) = sergeant
            .request("POST", &format!("/abstractions/{id}/decision"), Some(json!({ "revision": now, "outcome": "refused", "note": "changed my mind" })))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["message"].as_str().unwrap().starts_with("already authorised"));

        tablet.sync().await;
        let a = on_tablet(&tablet, id);
        let d = a.decision.expect("the decision on the tablet");
        assert_eq!((d.outcome, d.by.as_str()), (AbstractionOutcome::Authorised, "ps.2817"));
        assert_eq!(a.authorised_by, "ps.2817 (test) (supervisor)");
    }

    async fn a_supervisors_request_reaches_the_pcso_and_repeated_or_prolonged_ones_are_flagged_with_the_rate() {
        let server = server().await;
        let tablet = Device::enrolled(PCSO, &server).await;
        for (hours, days_ago) in [(3, 20), (4, 10)] {
            tablet.create(requested(hours, days_ago));
        }
        tablet.sync().await;
        let sergeant = sign_in(&server, "ps.2817").await;
        let start = Utc::now() - Duration::days(2);
        let (status, board) = sergeant
            .request(
                "POST",
                "/abstractions",
                Some(json!({
                    "officer": PCSO,
                    "to_duty": "Football match cordon",
                    "reason": "Mutual aid request",
                    "starts_at": start,
                    "ends_at": start + Duration::hours(10),
                })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{board}");
        let third = board["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["abstraction"]["to_duty"] == "Football match cordon")
            .unwrap()
            .clone();
        let flags: Vec<&str> = third["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        assert_eq!(flags.len(), 2, "{flags:?}");
        assert!(flags[0].starts_with("prolonged: 10.0 h"));
        assert!(flags[1].starts_with("repeated: 3 abstractions"));
        // The rate: 17 h over this month's and last month's contracted hours, by month started.
        let total: f64 = board["monthly"].as_array().unwrap().iter().map(|m| m["hours"].as_f64().unwrap()).sum();
        assert_eq!(total, 17.0);
        assert!(board["monthly"].as_array().unwrap().iter().all(|m| m["team"] == "Ladywood NHT" && m["officers"] == 3));
        // Not one of this sergeant's officers: refused, nothing written.
        let (status, _) = sergeant
            .request(
                "POST",
                "/abstractions",
                Some(json!({ "officer": "PCSO 7002", "to_duty": "x", "reason": "y", "starts_at": start, "ends_at": null })),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // The request made in the console is the PCSO's: their tablet pulls it.
        tablet.sync().await;
        let id: RecordId = third["record_id"].as_str().unwrap().parse().unwrap();
        let a = on_tablet(&tablet, id);
        assert_eq!(a.to_duty, "Football match cordon");
        assert!(a.decision.is_none());
    }
}

each_backend! {
    async fn a_decision_whose_pull_answer_is_lost_arrives_once_and_a_lost_push_answer_stores_the_request_once() {
        use common::proxy::Proxy;
        let server = server().await;
        let tablet = Device::enrolled(PCSO, &server).await;
        let id = tablet.create(requested(4, 1));
        let proxy = Proxy::start(server.addr).await;
        let via_proxy = || tablet.client_via(&proxy.url(), common::quick_options());

        // The request is stored and the answer to its push is lost: sent again, held once.
        proxy.set(|f| f.lose_responses = 1);
        assert!(via_proxy().sync(&tablet.store, &|_, _, _| {}).await.is_err());
        let report = via_proxy().sync(&tablet.store, &|_, _, _| {}).await.unwrap();
        assert_eq!(report.already_held, 1, "{report:?}");
        let held = server.storage.kind_log(RecordKind::Abstraction, 0, 100).unwrap();
        assert_eq!(held.iter().filter(|l| l.revision.record_id == id).count(), 1);

        // Authorised; the pull carrying the decision loses its answer: nothing half-applied,
        // then it arrives once.
        let sergeant = sign_in(&server, "ps.2817").await;
        let (_, board) = sergeant.get("/abstractions").await;
        let revision = item(&board, id)["revision"].clone();
        let (status, _) = sergeant
            .request("POST", &format!("/abstractions/{id}/decision"), Some(json!({ "revision": revision, "outcome": "authorised" })))
            .await;
        assert_eq!(status, StatusCode::OK);
        proxy.set(|f| f.lose_responses = 1);
        assert!(via_proxy().sync(&tablet.store, &|_, _, _| {}).await.is_err());
        assert!(on_tablet(&tablet, id).decision.is_none(), "nothing half-applied");
        via_proxy().sync(&tablet.store, &|_, _, _| {}).await.unwrap();
        assert_eq!(on_tablet(&tablet, id).decision.unwrap().outcome, AbstractionOutcome::Authorised);
        let held = server.storage.kind_log(RecordKind::Abstraction, 0, 100).unwrap();
        assert_eq!(held.iter().filter(|l| l.revision.record_id == id).count(), 2);
        common::assert_server_holds_exactly(server.storage.as_ref(), &tablet);
    }
}
