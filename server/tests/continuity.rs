//! Continuity (issue 12, item 5) over a real server on 127.0.0.1: an officer's neighbourhood
//! and liaison work (referrals, taskings, contact notes outside an operation) reaches their
//! team's tablets and, after a handover recorded in the console, their successor's; their
//! intelligence submissions and escalations never do; a team-mate can read but not write it;
//! an officer who joins the team receives what was recorded before. SQLite and PostgreSQL.

mod common;

use common::console::{add_staff, put_officer, sign_in};
use common::proxy::Proxy;
use common::{Device, TestServer};
use liaison_core::records::*;
use liaison_server::console::model::{OfficerEntry, StaffRole};
use liaison_server::console::ConsoleOptions;
use liaison_server::ServeOptions;
use reqwest::StatusCode;
use serde_json::json;

const AUTHOR: &str = "PCSO 7001";
const TEAM_MATE: &str = "PCSO 7002";
const OTHER_TEAM: &str = "PCSO 8001";

fn record(body: serde_json::Value) -> Record {
    serde_json::from_value(json!({ "occurred_at": "2026-11-30T10:00:00Z", "body": body })).unwrap()
}

fn work() -> Vec<(RecordKind, Record)> {
    vec![
        (
            RecordKind::Referral,
            record(
                json!({ "kind": "referral", "person": "Victim of abuse at the bus stop", "agency_name": "Hate Crime Support",
                "reason": "Wants advice about reporting", "consent": true }),
            ),
        ),
        (
            RecordKind::Tasking,
            record(
                json!({ "kind": "tasking", "title": "Visit the Old Mill", "incident_type": "hate_crime_support", "status": "open" }),
            ),
        ),
        (
            RecordKind::ContactNote,
            record(
                json!({ "kind": "contact_note", "spoke_with": "Mosque chair", "function": "communication",
                "summary": "Worried about the march route" }),
            ),
        ),
        (
            RecordKind::IntelligenceSubmission,
            record(
                json!({ "kind": "intelligence_submission", "summary": "Van seen twice", "detail": "White van, partial plate",
                "source": "officer_observation" }),
            ),
        ),
    ]
}

fn other_team(server: &TestServer, officer: &str) {
    server
        .storage
        .put_officer(
            &OfficerEntry {
                officer: officer.into(),
                name: format!("{officer} name"),
                rank: "PCSO".into(),
                role: "PCSO".into(),
                team: "Aston NHT".into(),
                supervisor: None,
            },
            "test",
        )
        .unwrap();
}

fn holds(d: &Device) -> Vec<RecordKind> {
    let mut kinds: Vec<RecordKind> = d.kinds_listed(None).into_iter().map(|(_, k)| k).collect();
    kinds.sort();
    kinds
}

each_backend! {
    async fn neighbourhood_work_reaches_the_team_and_a_named_successor_and_intelligence_never_does() {
        let server = TestServer::start_with(ServeOptions {
            console: ConsoleOptions { assets: None, ..Default::default() },
            ..Default::default()
        })
        .await;
        put_officer(&server, AUTHOR, "PCSO", "PCSO", Some("PS 2817"));
        put_officer(&server, TEAM_MATE, "PCSO", "PCSO", None);
        other_team(&server, OTHER_TEAM);
        add_staff(&server, "ps.2817", StaffRole::Supervisor, Some("PS 2817"));

        let author = Device::enrolled(AUTHOR, &server).await;
        let mut ids = Vec::new();
        for (kind, r) in work() {
            ids.push((kind, author.create(r)));
        }
        author.sync().await;

        let mate = Device::enrolled(TEAM_MATE, &server).await;
        let stranger = Device::enrolled(OTHER_TEAM, &server).await;
        mate.sync().await;
        stranger.sync().await;
        let shared = vec![RecordKind::ContactNote, RecordKind::Tasking, RecordKind::Referral];
        let mut expected = shared.clone();
        expected.sort();
        assert_eq!(holds(&mate), expected, "the team sees the work, not the intelligence");
        assert!(holds(&stranger).is_empty(), "another team sees nothing");

        // A team-mate may read but not write it: the server refuses the edit.
        let (_, referral) = ids[0];
        let mut edited = work().remove(0).1;
        if let Body::Referral(r) = &mut edited.body {
            r.outcome = "Closed by someone else".into();
        }
        mate.edit(referral, edited, "taking over");
        assert_eq!(mate.sync().await.quarantined, 1);

        // A sergeant who is not the author's supervisor cannot open their work to anyone.
        add_staff(&server, "ps.9999", StaffRole::Supervisor, Some("PS 9999"));
        let stranger_sergeant = sign_in(&server, "ps.9999").await;
        let (status, body) = stranger_sergeant
            .request("POST", "/handovers", Some(json!({ "from": AUTHOR, "to": OTHER_TEAM })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        stranger.sync().await;
        assert!(holds(&stranger).is_empty(), "nothing written by the refused handover");

        // The author moves on: their supervisor names the other team's PCSO successor.
        let sergeant = sign_in(&server, "ps.2817").await;
        let (status, body) = sergeant
            .request("POST", "/handovers", Some(json!({ "from": AUTHOR, "to": AUTHOR })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = sergeant
            .request("POST", "/handovers", Some(json!({ "from": AUTHOR, "to": "PCSO 9999" })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = sergeant
            .request("POST", "/handovers", Some(json!({ "from": AUTHOR, "to": OTHER_TEAM })))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body[0]["to"], OTHER_TEAM);
        assert_eq!(body[0]["by"], "ps.2817");
        // The worst moment: the successor's pull that carries the inherited work is answered
        // and the answer is lost. Nothing is half-applied; the next pull brings it, once.
        let proxy = Proxy::start(server.addr).await;
        proxy.set(|f| f.lose_responses = 1);
        let via = || stranger.client_via(&proxy.url(), common::quick_options());
        assert!(via().sync(&stranger.store, &|_, _, _| {}).await.is_err());
        assert!(holds(&stranger).is_empty(), "nothing half-applied");
        let report = via().sync(&stranger.store, &|_, _, _| {}).await.unwrap();
        assert_eq!(report.pulled, 3, "{report:?}");
        assert_eq!(holds(&stranger), expected, "the successor inherits the work, not the intelligence");
        let report = via().sync(&stranger.store, &|_, _, _| {}).await.unwrap();
        assert_eq!(report.pulled, 0, "nothing comes twice: {report:?}");

        // An officer who joins the team later receives what was recorded before they joined.
        let joiner = "PCSO 7003";
        other_team(&server, joiner);
        let late = Device::enrolled(joiner, &server).await;
        late.sync().await;
        assert!(holds(&late).is_empty());
        put_officer(&server, joiner, "PCSO", "PCSO", None);
        late.sync().await;
        assert_eq!(holds(&late), expected);
    }
}
