//! Escalations as a round trip over a real server on 127.0.0.1: raised on a tablet (in
//! neighbourhood mode, with no operation), alerted to the officer's supervisor in the console,
//! acknowledged and answered there, and back on the officer's tablet at its next pull; sent up
//! the chain when nobody acknowledges in time; the refusals (acknowledging twice, a stale
//! revision, an answer with no rationale, a role that may not act) writing nothing; and the
//! escalation and its acknowledgement each crossing once when an answer is lost on the way.
//! SQLite and PostgreSQL.

mod common;

use common::console::{add_staff, put_officer, sign_in, Session};
use common::proxy::Proxy;
use common::{Device, TestServer};
use liaison_core::records::*;
use liaison_core::Access;
use liaison_server::console::model::StaffRole;
use liaison_server::console::ConsoleOptions;
use liaison_server::ServeOptions;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

const PCSO: &str = "PCSO 7001";
const SERGEANT: &str = "PS 2817";

async fn server(escalate_after: Duration) -> TestServer {
    let server = TestServer::start_with(ServeOptions {
        console: ConsoleOptions {
            assets: None,
            escalate_after,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    put_officer(&server, SERGEANT, "PS", "PLT leader", None);
    put_officer(&server, PCSO, "PCSO", "PCSO", Some(SERGEANT));
    add_staff(&server, "ps.2817", StaffRole::Supervisor, Some(SERGEANT));
    add_staff(&server, "ps.other", StaffRole::Supervisor, Some("PS 9999"));
    add_staff(&server, "insp.hale", StaffRole::Bronze, None);
    add_staff(&server, "it.admin", StaffRole::Admin, None);
    server
}

/// An escalation raised with no operation, addressed to the officer's supervisor.
fn raised(summary: &str) -> Record {
    Record {
        operation_id: None,
        occurred_at: chrono::Utc::now(),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::Escalation(Escalation {
            category: EscalationKind::Safeguarding,
            summary: summary.into(),
            told: String::new(),
            told_at: chrono::Utc::now(),
            addressed_to: Some(EscalationTo::Supervisor),
            addressed_person: String::new(),
            escalated: vec![],
            acknowledged: None,
            decision: None,
            response: String::new(),
            response_at: None,
            responded_by: String::new(),
            monitored: vec![],
        }),
    }
}

fn on_tablet(d: &Device, id: RecordId) -> (Escalation, u32) {
    let s = d.store.lock().unwrap();
    let access = Access {
        officer: d.officer.clone(),
        purpose: "test".into(),
    };
    let current = s.get(id, &access).unwrap();
    let revisions = s.history(id, &access).unwrap().len() as u32;
    match current.record.body {
        Body::Escalation(e) => (e, revisions),
        other => panic!("not an escalation: {other:?}"),
    }
}

async fn alerts(who: &Session) -> Value {
    let (status, body) = who.get("/alerts").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn alert(list: &Value, id: RecordId) -> &Value {
    list["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["record_id"] == id.to_string())
        .unwrap_or_else(|| panic!("no alert for {id} in {list}"))
}

each_backend! {
    async fn an_escalation_from_neighbourhood_mode_is_acknowledged_and_answered_and_the_tablet_shows_it() {
        let server = server(Duration::from_secs(3600)).await;
        let tablet = Device::enrolled(PCSO, &server).await;
        let id = tablet.create(raised("Lone child, about 8, outside the Co-op"));
        tablet.sync().await;

        // The officer's own sergeant sees it as theirs; another team's sergeant does not see it
        // at all; the Bronze sees it, not as theirs; force IT is refused the page.
        let sergeant = sign_in(&server, "ps.2817").await;
        let list = alerts(&sergeant).await;
        let a = alert(&list, id);
        assert_eq!(a["for_me"], true);
        assert_eq!(a["may_act"], true);
        assert_eq!(a["addressee"], "supervisor");
        assert_eq!(a["officer"], PCSO);
        assert_eq!(a["officer_name"], format!("{PCSO} name"));
        assert!(a["waiting_s"].as_i64().is_some());
        let stranger = sign_in(&server, "ps.other").await;
        assert!(alerts(&stranger).await["alerts"].as_array().unwrap().is_empty());
        let other = sign_in(&server, "insp.hale").await;
        assert_eq!(alert(&alerts(&other).await, id)["for_me"], false);
        let admin = sign_in(&server, "it.admin").await;
        assert_eq!(admin.get("/alerts").await.0, StatusCode::FORBIDDEN);

        // A stale revision is refused, and nothing is written.
        let seen = a["revision"].as_str().unwrap().to_string();
        let (status, body) = sergeant
            .request("POST", &format!("/alerts/{id}/acknowledge"), Some(json!({ "revision": Uuid::now_v7() })))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(alert(&alerts(&sergeant).await, id)["revision"], seen.as_str());

        // Acknowledged once; a second acknowledgement (with the new revision or the old) is
        // refused and writes nothing.
        let (status, body) = sergeant
            .request("POST", &format!("/alerts/{id}/acknowledge"), Some(json!({ "revision": seen })))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let acked = alert(&body, id).clone();
        assert_eq!(acked["escalation"]["acknowledged"]["by"], "ps.2817");
        assert!(acked["time_to_acknowledge_s"].as_i64().unwrap() >= 0);
        let now_rev = acked["revision"].as_str().unwrap().to_string();
        for rev in [&now_rev, &seen] {
            let (status, body) = other
                .request("POST", &format!("/alerts/{id}/acknowledge"), Some(json!({ "revision": rev })))
                .await;
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
        }
        let (status, body) = other
            .request("POST", &format!("/alerts/{id}/acknowledge"), Some(json!({ "revision": now_rev })))
            .await;
        assert!(body["message"].as_str().unwrap().contains("already acknowledged by"), "{status} {body}");
        assert_eq!(alert(&alerts(&sergeant).await, id)["revision"], now_rev.as_str());

        // An answer needs its rationale.
        let (status, _) = sergeant
            .request(
                "POST",
                &format!("/alerts/{id}/response"),
                Some(json!({ "revision": now_rev, "decision": "resources_sent", "rationale": "  " })),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, body) = sergeant
            .request(
                "POST",
                &format!("/alerts/{id}/response"),
                Some(json!({
                    "revision": now_rev,
                    "decision": "resources_sent",
                    "rationale": "PCSO 7002 sent to stay with the child; parents found at 14:20"
                })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(alert(&body, id)["may_act"], false);

        // The officer's sergeant carries a tablet too: the escalation is on it (to read);
        // another team's sergeant's tablet does not get it.
        let sergeants_tablet = Device::enrolled(SERGEANT, &server).await;
        sergeants_tablet.sync().await;
        assert!(sergeants_tablet.has_record(id), "the supervisor's own tablet has the alert");
        let strangers_tablet = Device::enrolled("PS 9999", &server).await;
        strangers_tablet.sync().await;
        assert!(!strangers_tablet.has_record(id));

        // Back on the officer's tablet at its next pull: who acknowledged, when, and the answer.
        tablet.sync().await;
        let (e, revisions) = on_tablet(&tablet, id);
        assert_eq!(revisions, 3, "raised, acknowledged, answered");
        let ack = e.acknowledged.expect("acknowledged on the tablet");
        assert_eq!(ack.by, "ps.2817");
        assert_eq!(ack.name, "ps.2817 (test) (supervisor)");
        assert_eq!(e.decision, Some(EscalationDecision::ResourcesSent));
        assert!(e.response.starts_with("PCSO 7002 sent"));

        // The officer may still add to their own record; dropping the acknowledgement is refused
        // on the tablet itself.
        let current = on_tablet(&tablet, id).0;
        let mut edited = raised("Lone child, about 8, outside the Co-op");
        edited.body = Body::Escalation(Escalation {
            told: "Also told the store manager".into(),
            ..current.clone()
});
        tablet.edit(id, edited.clone(), "added who else was told");
        assert_eq!(tablet.sync().await.quarantined, 0);
        let (e, _) = on_tablet(&tablet, id);
        assert_eq!(e.told, "Also told the store manager");
        assert!(e.acknowledged.is_some());
        edited.body = Body::Escalation(Escalation {
            acknowledged: None,
            decision: None,
            ..e
});
        let refused = tablet.store.lock().unwrap().edit(&tablet.officer, id, edited, "drop it");
        assert!(refused.is_err(), "an edit that drops the acknowledgement is refused");
    }

    async fn an_unacknowledged_escalation_goes_up_the_chain_and_the_step_is_recorded() {
        let server = server(Duration::from_secs(1)).await;
        let tablet = Device::enrolled(PCSO, &server).await;
        let id = tablet.create(raised("Group gathering with masks near the mosque"));
        tablet.sync().await;
        let inspector = sign_in(&server, "insp.hale").await;
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let stepped = loop {
            let list = alerts(&inspector).await;
            let a = alert(&list, id).clone();
            if a["addressee"] == "duty_inspector" {
                break a;
            }
            assert!(std::time::Instant::now() < deadline, "not sent up in time: {a}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(stepped["for_me"], true, "the Bronze is the on-duty inspector's role");
        let step = &stepped["escalation"]["escalated"][0];
        assert_eq!(step["to"], "duty_inspector");
        assert!(step["reason"].as_str().unwrap().contains("Not acknowledged by My supervisor"));
        // Once with the inspector, the officer's own sergeant may no longer act on it.
        let sergeant = sign_in(&server, "ps.2817").await;
        let list = alerts(&sergeant).await;
        assert!(list["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["record_id"] != id.to_string() || a["may_act"] == false));
        // The step reaches the tablet, and so does the inspector's acknowledgement.
        let (status, body) = inspector
            .request(
                "POST",
                &format!("/alerts/{id}/acknowledge"),
                Some(json!({ "revision": alert(&alerts(&inspector).await, id)["revision"] })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        tablet.sync().await;
        let (e, _) = on_tablet(&tablet, id);
        assert!(!e.escalated.is_empty());
        assert_eq!(e.escalated[0].to, EscalationTo::DutyInspector);
        assert_eq!(e.acknowledged.unwrap().by, "insp.hale");
    }

    async fn a_tablet_can_neither_forge_an_acknowledgement_nor_hide_one_with_an_offline_edit() {
        let server = server(Duration::from_secs(3600)).await;
        let tablet = Device::enrolled(PCSO, &server).await;
        let sergeant = sign_in(&server, "ps.2817").await;

        // Forged on the tablet (a script in the webview could): the server refuses it.
        let id = tablet.create(raised("Threats to the shop keeper"));
        tablet.sync().await;
        let mut forged = raised("Threats to the shop keeper");
        if let Body::Escalation(e) = &mut forged.body {
            e.acknowledged = Some(Acknowledgement {
                by: "insp.hale".into(),
                name: "Insp Hale (Bronze)".into(),
                at: chrono::Utc::now(),
            });
        }
        tablet.edit(id, forged, "forged");
        assert_eq!(tablet.sync().await.quarantined, 1);
        let a = alert(&alerts(&sergeant).await, id).clone();
        assert!(a["escalation"]["acknowledged"].is_null(), "{a}");

        // Acknowledged in the console while the tablet, offline, edits the revision it had:
        // the edit is sent back (it would have forked the record and could hide the
        // acknowledgement), and the acknowledgement stands.
        let id = tablet.create(raised("Lone child by the fountain"));
        tablet.sync().await;
        let rev = alert(&alerts(&sergeant).await, id)["revision"].clone();
        let (status, _) = sergeant
            .request("POST", &format!("/alerts/{id}/acknowledge"), Some(json!({ "revision": rev })))
            .await;
        assert_eq!(status, StatusCode::OK);
        let mut offline = raised("Lone child by the fountain, now with a steward");
        if let Body::Escalation(e) = &mut offline.body {
            e.told = "The steward".into();
        }
        tablet.edit(id, offline, "more detail");
        assert_eq!(tablet.sync().await.quarantined, 1);
        let a = alert(&alerts(&sergeant).await, id).clone();
        assert_eq!(a["escalation"]["acknowledged"]["by"], "ps.2817", "{a}");
    }

    async fn an_acknowledgement_whose_pull_answer_is_lost_arrives_once_at_the_next_pull() {
        let server = server(Duration::from_secs(3600)).await;
        let tablet = Device::enrolled(PCSO, &server).await;
        let id = tablet.create(raised("Threats made to the shop keeper"));
        // First worst moment: the server stores the escalation and its answer to the push is
        // lost. The tablet sends it again; the server holds it once, and alerts once.
        let proxy = Proxy::start(server.addr).await;
        proxy.set(|f| f.lose_responses = 1);
        let via_proxy = || tablet.client_via(&proxy.url(), common::quick_options());
        assert!(via_proxy().sync(&tablet.store, &|_, _, _| {}).await.is_err());
        let report = via_proxy().sync(&tablet.store, &|_, _, _| {}).await.unwrap();
        assert_eq!(report.already_held, 1, "{report:?}");
        let held = server.storage.kind_log(RecordKind::Escalation, 0, 100).unwrap();
        assert_eq!(held.iter().filter(|l| l.revision.record_id == id).count(), 1);
        let sergeant = sign_in(&server, "ps.2817").await;
        let rev = alert(&alerts(&sergeant).await, id)["revision"].clone();
        let (status, _) = sergeant
            .request("POST", &format!("/alerts/{id}/acknowledge"), Some(json!({ "revision": rev })))
            .await;
        assert_eq!(status, StatusCode::OK);

        // Second worst moment: the server has answered the pull with the acknowledgement, and
        // the answer never reaches the tablet.
        proxy.set(|f| f.lose_responses = 1);
        let lost = via_proxy().sync(&tablet.store, &|_, _, _| {}).await;
        assert!(lost.is_err());
        assert_eq!(proxy.get(|f| f.responses_lost), 2);
        let (e, revisions) = on_tablet(&tablet, id);
        assert!(e.acknowledged.is_none() && revisions == 1, "nothing half-applied");
        // Again, through the same proxy: it arrives, once.
        via_proxy().sync(&tablet.store, &|_, _, _| {}).await.unwrap();
        let (e, revisions) = on_tablet(&tablet, id);
        assert_eq!(revisions, 2);
        assert_eq!(e.acknowledged.unwrap().by, "ps.2817");
        common::assert_server_holds_exactly(server.storage.as_ref(), &tablet);
    }
}
