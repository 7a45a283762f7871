//! Intelligence quality assurance as a round trip over a real server on 127.0.0.1: a contact
//! note submitted as intelligence on a tablet (a new, linked record; the note unchanged), in
//! the officer's supervisor's queue in the console (and nobody else's but command's), graded
//! and accepted, or returned with feedback, edited and resubmitted on the tablet and accepted;
//! the outcome on the officer's tablet at its next pull; the refusals (grading one's own
//! submission, a stale revision, a second review, a missing grading or feedback, force IT and
//! a supervisor of other officers) writing nothing; and a review whose pull answer is lost
//! arriving once. SQLite and PostgreSQL.

mod common;

use common::console::{add_staff, put_officer, sign_in, Session};
use common::proxy::Proxy;
use common::{Device, TestServer};
use liaison_core::records::*;
use liaison_core::{service, Access};
use liaison_server::console::model::StaffRole;
use liaison_server::console::ConsoleOptions;
use liaison_server::ServeOptions;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const PCSO: &str = "PCSO 7001";
const SERGEANT: &str = "PS 2817";
const INSPECTOR: &str = "Insp 500";

async fn server() -> TestServer {
    let server = TestServer::start_with(ServeOptions {
        console: ConsoleOptions {
            assets: None,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    put_officer(&server, INSPECTOR, "Insp", "Bronze", None);
    put_officer(&server, SERGEANT, "PS", "PLT leader", Some(INSPECTOR));
    put_officer(&server, PCSO, "PCSO", "PCSO", Some(SERGEANT));
    add_staff(&server, "ps.2817", StaffRole::Supervisor, Some(SERGEANT));
    add_staff(&server, "ps.other", StaffRole::Supervisor, Some("PS 9999"));
    add_staff(&server, "insp.hale", StaffRole::Bronze, Some(INSPECTOR));
    add_staff(&server, "it.admin", StaffRole::Admin, None);
    server
}

fn contact_note() -> Record {
    Record {
        operation_id: None,
        occurred_at: chrono::Utc::now(),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::ContactNote(ContactNote {
            spoke_with: "Steward at the mosque".into(),
            function: PltFunction::Sensing,
            summary: "A white van has parked up outside at 2am twice this week".into(),
            mood: None,
            follow_up: None,
            monitored: vec![],
        }),
    }
}

/// On the tablet: a contact note, then that note submitted as intelligence, edited by the
/// officer, with a reason. Returns (note, submission).
fn submit_from_note(d: &Device) -> (RecordId, RecordId) {
    let note = d.create(contact_note());
    let mut s = d.store.lock().unwrap();
    let mut draft = service::intelligence_draft_from_note(&s, &d.officer, note).unwrap();
    draft.summary = "White van at the mosque at 02:00, twice".into();
    draft.urgent = true;
    let saved =
        service::submit_note_as_intelligence(&mut s, &d.officer, note, draft, "Possible hostile reconnaissance")
            .unwrap();
    (note, saved.record_id)
}

fn access(d: &Device) -> Access {
    Access {
        officer: d.officer.clone(),
        purpose: "test".into(),
    }
}

fn on_tablet(d: &Device, id: RecordId) -> (IntelligenceSubmission, u32) {
    let s = d.store.lock().unwrap();
    let current = s.get(id, &access(d)).unwrap();
    let revisions = s.history(id, &access(d)).unwrap().len() as u32;
    match current.record.body {
        Body::IntelligenceSubmission(i) => (i, revisions),
        other => panic!("not a submission: {other:?}"),
    }
}

async fn queue(who: &Session) -> Value {
    let (status, body) = who.get("/intelligence").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn find(list: &Value, id: RecordId) -> Option<&Value> {
    list["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["record_id"] == id.to_string())
}

fn item(list: &Value, id: RecordId) -> &Value {
    find(list, id).unwrap_or_else(|| panic!("no submission {id} in {list}"))
}

fn held(server: &TestServer, id: RecordId) -> usize {
    server
        .storage
        .kind_log(RecordKind::IntelligenceSubmission, 0, 1000)
        .unwrap()
        .iter()
        .filter(|l| l.revision.record_id == id)
        .count()
}

fn grading() -> Value {
    json!({ "source": "untested", "assessment": "known_indirectly_corroborated", "handling": "conditions",
            "conditions": "Not to be shared outside the force without the FIB's approval" })
}

async fn review(who: &Session, id: RecordId, body: Value) -> (StatusCode, Value) {
    who.request("POST", &format!("/intelligence/{id}/review"), Some(body))
        .await
}

each_backend! {
    async fn a_note_submitted_as_intelligence_reaches_the_supervisor_is_graded_and_the_tablet_shows_it() {
        let server = server().await;
        let tablet = Device::enrolled(PCSO, &server).await;
        let (note, id) = submit_from_note(&tablet);
        tablet.sync().await;

        // The officer's own sergeant and command see it; another sergeant and force IT do not.
        let sergeant = sign_in(&server, "ps.2817").await;
        let list = queue(&sergeant).await;
        let s = item(&list, id);
        assert_eq!(s["officer"], PCSO);
        assert_eq!(s["may_review"], true);
        assert_eq!(s["from_note"], note.to_string());
        assert_eq!(s["submission"]["reason_from_note"], "Possible hostile reconnaissance");
        assert!(find(&list, note).is_none(), "the contact note is not intelligence");
        let other = sign_in(&server, "ps.other").await;
        assert!(find(&queue(&other).await, id).is_none());
        assert_eq!(review(&other, id, json!({ "revision": s["revision"], "outcome": "accepted",
            "grading": grading() })).await.0, StatusCode::NOT_FOUND);
        let inspector = sign_in(&server, "insp.hale").await;
        assert!(find(&queue(&inspector).await, id).is_some());
        let admin = sign_in(&server, "it.admin").await;
        assert_eq!(admin.get("/intelligence").await.0, StatusCode::FORBIDDEN);
        assert_eq!(review(&admin, id, json!({ "revision": s["revision"], "outcome": "accepted",
            "grading": grading() })).await.0, StatusCode::FORBIDDEN);

        // Missing grading, missing conditions of code C: refused beside the field, nothing written.
        let rev = s["revision"].clone();
        let (status, body) = review(&sergeant, id, json!({ "revision": rev, "outcome": "accepted" })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["fields"][0]["field"], "grading");
        let mut no_conditions = grading();
        no_conditions["conditions"] = json!(" ");
        let (status, body) = review(&sergeant, id, json!({ "revision": rev, "outcome": "accepted",
            "grading": no_conditions })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["fields"][0]["field"], "grading.conditions");
        // A stale revision: refused.
        let (status, body) = review(&sergeant, id, json!({ "revision": Uuid::now_v7(), "outcome": "accepted",
            "grading": grading() })).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(held(&server, id), 1, "nothing written by the refusals");

        // Graded and accepted.
        let (status, body) = review(&sergeant, id, json!({ "revision": rev, "outcome": "accepted",
            "grading": grading(), "feedback": "Good, timely submission" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let reviewed = item(&body, id);
        assert_eq!(reviewed["may_review"], false);
        assert_eq!(reviewed["submission"]["review"]["outcome"], "accepted");

        // A second review, of the new revision or of the one first read: refused, nothing written.
        for r in [reviewed["revision"].clone(), rev] {
            let (status, body) = review(&inspector, id, json!({ "revision": r, "outcome": "returned",
                "feedback": "again" })).await;
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
            assert!(body["message"].as_str().unwrap().contains("already reviewed"), "{body}");
        }
        assert_eq!(held(&server, id), 2);

        // On the officer's tablet at its next pull: the outcome, the grading, by whom.
        tablet.sync().await;
        let (i, revisions) = on_tablet(&tablet, id);
        assert_eq!(revisions, 2, "submitted, reviewed");
        let r = i.review.expect("the review reached the tablet");
        assert_eq!(r.outcome, ReviewOutcome::Accepted);
        assert_eq!(r.by, "ps.2817");
        assert_eq!(r.reviewed_by, "ps.2817 (test) (supervisor)");
        let g = r.grading.unwrap();
        assert_eq!(g.code(), "2/B/C");
        assert!(g.conditions.starts_with("Not to be shared"));
        // The contact note is as it was: one revision, still a contact note.
        let s = tablet.store.lock().unwrap();
        let n = s.get(note, &access(&tablet)).unwrap();
        assert_eq!((n.kind, n.revision_count), (RecordKind::ContactNote, 1));
        drop(s);
        // Changing what was graded on the tablet is refused there.
        let mut changed = tablet.store.lock().unwrap().get(id, &access(&tablet)).unwrap().record;
        if let Body::IntelligenceSubmission(i) = &mut changed.body {
            i.detail.push_str(" and a third night");
        }
        let refused = service::edit_record(&mut tablet.store.lock().unwrap(), &tablet.officer, id, changed, "add", None);
        assert!(refused.is_err(), "an accepted submission stays as graded");
    }

    async fn a_returned_submission_is_edited_and_resubmitted_on_the_tablet_and_then_accepted() {
        let server = server().await;
        let tablet = Device::enrolled(PCSO, &server).await;
        let (_, id) = submit_from_note(&tablet);
        tablet.sync().await;
        let sergeant = sign_in(&server, "ps.2817").await;
        let rev = item(&queue(&sergeant).await, id)["revision"].clone();
        // A return needs its feedback.
        let (status, body) = review(&sergeant, id, json!({ "revision": rev, "outcome": "returned", "feedback": "  " })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["fields"][0]["field"], "feedback");
        let (status, body) = review(&sergeant, id, json!({ "revision": rev, "outcome": "returned",
            "feedback": "Which nights exactly? Did anyone note the plate?" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        tablet.sync().await;
        let (i, _) = on_tablet(&tablet, id);
        let r = i.review.clone().expect("returned, on the tablet");
        assert_eq!(r.outcome, ReviewOutcome::Returned);
        assert!(r.feedback.starts_with("Which nights"));

        // The officer edits it: that resubmits it (the review cleared, the return kept in the chain).
        let mut record = tablet.store.lock().unwrap().get(id, &access(&tablet)).unwrap().record;
        if let Body::IntelligenceSubmission(i) = &mut record.body {
            i.detail = "Tuesday 24th and Thursday 26th, about 02:00; plate began KX71".into();
        }
        service::edit_record(&mut tablet.store.lock().unwrap(), &tablet.officer, id, record, "answered the feedback", None)
            .unwrap();
        let (i, revisions) = on_tablet(&tablet, id);
        assert!(i.review.is_none());
        assert_eq!(revisions, 3, "submitted, returned, resubmitted");
        assert_eq!(tablet.sync().await.quarantined, 0);

        // Back in the queue, waiting; the review of the returned revision is now stale.
        let list = queue(&sergeant).await;
        let s = item(&list, id);
        assert_eq!(s["may_review"], true);
        let (status, _) = review(&sergeant, id, json!({ "revision": rev, "outcome": "accepted", "grading": grading() })).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, body) = review(&sergeant, id, json!({ "revision": s["revision"], "outcome": "accepted",
            "grading": { "source": "reliable", "assessment": "known_directly", "handling": "lawful" } })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        tablet.sync().await;
        let (i, revisions) = on_tablet(&tablet, id);
        assert_eq!(revisions, 4);
        assert_eq!(i.review.unwrap().grading.unwrap().code(), "1/A/P");
        common::assert_server_holds_exactly(server.storage.as_ref(), &tablet);
    }

    async fn nobody_grades_their_own_submission_and_nothing_is_written() {
        let server = server().await;
        // The inspector carries a tablet too; as Bronze they see every submission, their own too.
        let tablet = Device::enrolled(INSPECTOR, &server).await;
        let (_, id) = submit_from_note(&tablet);
        tablet.sync().await;
        let inspector = sign_in(&server, "insp.hale").await;
        let list = queue(&inspector).await;
        let s = item(&list, id);
        assert_eq!((s["own"].clone(), s["may_review"].clone()), (json!(true), json!(false)));
        let (status, body) = review(&inspector, id, json!({ "revision": s["revision"], "outcome": "accepted",
            "grading": grading() })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["message"].as_str().unwrap().contains("your own submission"), "{body}");
        assert_eq!(held(&server, id), 1);
    }

    async fn a_review_written_on_a_tablet_is_refused_by_the_server_and_nothing_is_held() {
        let server = server().await;
        let tablet = Device::enrolled(PCSO, &server).await;
        // A tampered tablet: its store takes the record (only the tablet's service refuses it).
        let mut forged = contact_note();
        forged.body = Body::IntelligenceSubmission(IntelligenceSubmission {
            summary: "Graded by myself".into(),
            detail: "Self-graded 1/A/P".into(),
            source: SourceKind::OfficerObservation,
            urgent: false,
            reference: String::new(),
            reason_from_note: String::new(),
            review: Some(IntelReview {
                outcome: ReviewOutcome::Accepted,
                feedback: String::new(),
                grading: Some(IntelGrading {
                    source: SourceEvaluation::Reliable,
                    assessment: IntelAssessment::KnownDirectly,
                    handling: HandlingCode::Lawful,
                    conditions: String::new(),
                }),
                by: "ps.2817".into(),
                reviewed_by: "ps.2817 (supervisor)".into(),
                at: chrono::Utc::now(),
            }),
        });
        let id = tablet.create(forged);
        let report = tablet.sync().await;
        assert_eq!(report.quarantined, 1, "{report:?}");
        assert_eq!(held(&server, id), 0);
        let sergeant = sign_in(&server, "ps.2817").await;
        assert!(find(&queue(&sergeant).await, id).is_none());
    }

    async fn a_review_whose_pull_answer_is_lost_arrives_once_at_the_next_pull() {
        let server = server().await;
        let tablet = Device::enrolled(PCSO, &server).await;
        let (_, id) = submit_from_note(&tablet);
        // The submission's push answer lost: sent again, held once, queued once.
        let proxy = Proxy::start(server.addr).await;
        proxy.set(|f| f.lose_responses = 1);
        let via_proxy = || tablet.client_via(&proxy.url(), common::quick_options());
        assert!(via_proxy().sync(&tablet.store, &|_, _, _| {}).await.is_err());
        via_proxy().sync(&tablet.store, &|_, _, _| {}).await.unwrap();
        assert_eq!(held(&server, id), 1);
        let sergeant = sign_in(&server, "ps.2817").await;
        let list = queue(&sergeant).await;
        assert_eq!(list["submissions"].as_array().unwrap().len(), 1);
        let (status, _) = review(&sergeant, id, json!({ "revision": item(&list, id)["revision"],
            "outcome": "accepted", "grading": grading() })).await;
        assert_eq!(status, StatusCode::OK);

        // The server answers the pull with the review, and the answer never reaches the tablet.
        proxy.set(|f| f.lose_responses = 1);
        assert!(via_proxy().sync(&tablet.store, &|_, _, _| {}).await.is_err());
        assert_eq!(proxy.get(|f| f.responses_lost), 2);
        let (i, revisions) = on_tablet(&tablet, id);
        assert!(i.review.is_none() && revisions == 1, "nothing half-applied");
        // Again: it arrives, once.
        via_proxy().sync(&tablet.store, &|_, _, _| {}).await.unwrap();
        via_proxy().sync(&tablet.store, &|_, _, _| {}).await.unwrap();
        let (i, revisions) = on_tablet(&tablet, id);
        assert_eq!(revisions, 2);
        assert_eq!(i.review.unwrap().outcome, ReviewOutcome::Accepted);
        assert_eq!(held(&server, id), 2);
        common::assert_server_holds_exactly(server.storage.as_ref(), &tablet);
    }
}
