//! The debrief of an operation (issue 13, item 1) over a real server on 127.0.0.1: notes and
//! recommendations entered in the console, refused with nothing written when incomplete,
//! signed off by a commander (not by a sergeant) over the records' SHA-256, which a later
//! record is seen to change; the report as PDF only with a purpose, logged as a disclosure,
//! read back by `pdftotext`; force IT and strangers refused. And the golden test: the demo
//! operation's report made twice by the CLI with a fixed clock is the same file, with every
//! section and the demo's figures in it. SQLite and PostgreSQL.

mod common;

use common::console::{add_staff, sign_in, Session};
use common::{note, pdftotext, Device, TestServer};
use liaison_server::console::model::StaffRole;
use liaison_server::console::ConsoleOptions;
use liaison_server::storage::AuditSubject;
use liaison_server::ServeOptions;
use reqwest::StatusCode;
use serde_json::json;
use std::process::Command;
use uuid::Uuid;

use liaison_core::report::pdf::DEBRIEF_SECTIONS as SECTIONS;

async fn server() -> (TestServer, Uuid) {
    let server = TestServer::start_with(ServeOptions {
        console: ConsoleOptions {
            assets: None,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let start = chrono::Utc::now() - chrono::Duration::hours(8);
    let officers: Vec<String> = liaison_core::demo::team().iter().map(|s| s.to_string()).collect();
    let loaded = liaison_server::demo::load(server.storage.as_ref(), start, &officers).unwrap();
    add_staff(&server, "insp.hale", StaffRole::Bronze, None);
    add_staff(&server, "ps.2817", StaffRole::Supervisor, Some("PS 2817"));
    add_staff(&server, "it.admin", StaffRole::Admin, None);
    (server, loaded.operation_id)
}

async fn pdf(who: &Session, op: Uuid, purpose: &str) -> (StatusCode, Vec<u8>) {
    let resp = who
        .http
        .get(format!(
            "{}/console/api/operations/{op}/debrief.pdf?purpose={}",
            who.base,
            purpose.replace(' ', "%20")
        ))
        .header("cookie", &who.cookie)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    if status == StatusCode::OK {
        assert_eq!(resp.headers()["content-type"], "application/pdf");
        assert!(resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"));
    }
    (status, resp.bytes().await.unwrap().to_vec())
}

fn disclosures(server: &TestServer, op: Uuid, purpose: &str) -> usize {
    let trail = server
        .storage
        .audit_trail(
            AuditSubject::Operation(op),
            "test",
            "checking the debrief's disclosures",
        )
        .unwrap();
    let v = serde_json::to_value(&trail).unwrap();
    v.to_string().matches(&format!("\"purpose\":\"{purpose}\"")).count()
}

each_backend! {
async fn a_debrief_is_entered_signed_off_by_a_commander_and_made_as_a_pdf_only_with_a_purpose() {
    let (server, op) = server().await;
    let bronze = sign_in(&server, "insp.hale").await;
    let sergeant = sign_in(&server, "ps.2817").await;
    let admin = sign_in(&server, "it.admin").await;

    let (status, view) = sergeant.get(&format!("/operations/{op}/debrief")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["notes"]["went_well"], "");
    assert!(view["notes"]["signed_off"].is_null());
    let records = view["records"].as_u64().unwrap();
    assert!(records > 100, "{view}");
    let digest = view["records_sha256"].as_str().unwrap().to_string();
    assert_eq!(digest.len(), 64);

    // An incomplete recommendation is refused beside its field, and nothing is kept.
    let incomplete = json!({
        "went_well": "Early engagement with the organiser",
        "even_better_if": "",
        "recommendations": [{ "issue": "Radio dead spot", "recommendation": "Survey it", "owner": " ", "priority": "high" }]
    });
    let (status, body) = sergeant.request("PUT", &format!("/operations/{op}/debrief"), Some(incomplete)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("recommendations[0].owner"), "{body}");
    assert_eq!(sergeant.get(&format!("/operations/{op}/debrief")).await.1["notes"]["went_well"], "");

    // The PLT leader enters the notes.
    let notes = json!({
        "went_well": "Early engagement with the organiser; rumours refuted within 20 minutes",
        "even_better_if": "Sector 3 had no PLT cover between 00:00 and 01:00",
        "recommendations": [{
            "issue": "Radio dead spot on New Street",
            "recommendation": "Survey coverage before the next march on this route",
            "owner": "Insp J. Hale",
            "priority": "high"
        }]
    });
    let (status, body) = sergeant.request("PUT", &format!("/operations/{op}/debrief"), Some(notes)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Only a commander signs it off.
    let (status, _) = sergeant.request("POST", &format!("/operations/{op}/debrief/sign-off"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, signed) = bronze.request("POST", &format!("/operations/{op}/debrief/sign-off"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_eq!(signed["notes"]["signed_off"]["by"], "insp.hale");
    assert_eq!(signed["notes"]["signed_off"]["records_sha256"], digest.as_str());
    assert_eq!(signed["changed_since_sign_off"], false);

    // The report needs a purpose: without one, nothing is made and nothing is logged.
    let before = disclosures(&server, op, "debrief meeting 2 December");
    let (status, _) = pdf(&bronze, op, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, bytes) = pdf(&bronze, op, "debrief meeting 2 December").await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(disclosures(&server, op, "debrief meeting 2 December"), before + 1, "the report is a logged disclosure");
    if let Some(text) = pdftotext(&bytes) {
        for s in SECTIONS {
            assert!(text.contains(s), "no “{s}” in the report");
        }
        assert!(text.contains("Radio dead spot on New Street"));
        assert!(text.contains("Insp J. Hale"));
        assert!(text.contains(&digest), "the digest signed off is printed");
        assert!(text.contains("insp.hale"), "the sign-off is printed");
    }

    // Force IT does not read the operation's records here; an unknown operation is not found.
    assert_eq!(pdf(&admin, op, "curiosity").await.0, StatusCode::FORBIDDEN);
    assert_eq!(admin.get(&format!("/operations/{op}/debrief")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        bronze.get(&format!("/operations/{}/debrief", Uuid::now_v7())).await.0,
        StatusCode::NOT_FOUND
    );

    // A record that reaches the server after sign-off changes the digest, and the page says so.
    let device = Device::enrolled("PC 4521", &server).await;
    common::sync_until_operation_known(&device, op).await;
    device.create(note(op, "Late note: stewards thanked the PLT"));
    device.sync().await;
    let (_, after) = bronze.get(&format!("/operations/{op}/debrief")).await;
    assert_eq!(after["changed_since_sign_off"], true, "{after}");
    assert_ne!(after["records_sha256"], digest.as_str());

    // A change of the notes after sign-off withdraws it.
    let (status, changed) = bronze
        .request(
            "PUT",
            &format!("/operations/{op}/debrief"),
            Some(json!({ "went_well": "Changed", "even_better_if": "", "recommendations": [] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(changed["notes"]["signed_off"].is_null());
}
}

/// The golden test: the demo operation's debrief made twice by the CLI with a fixed clock is
/// the same file; its text holds every section and the demo's figures. With `UPDATE_DOCS=1`,
/// its pages are written to docs/debrief/ as pictures (pdftoppm).
#[test]
fn the_demo_operations_debrief_made_twice_with_a_fixed_clock_is_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("force.db");
    let bin = env!("CARGO_BIN_EXE_liaison-server");
    let run = |args: &[&str]| {
        let out = Command::new(bin).arg("--db").arg(&db).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["demo"]);
    let list = run(&["operation", "list"]);
    let op = list.split_whitespace().next().unwrap().to_string();
    let (a, b) = (dir.path().join("a.pdf"), dir.path().join("b.pdf"));
    for out in [&a, &b] {
        let said = run(&[
            "debrief",
            "--operation",
            &op,
            "--out",
            out.to_str().unwrap(),
            "--purpose",
            "golden test",
            "--at",
            "2026-06-06T18:00:00Z",
        ]);
        assert!(said.contains("SHA-256"), "{said}");
    }
    let (a, b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(a.starts_with(b"%PDF-"));
    assert_eq!(a, b, "the same records and clock make the same bytes");

    // The figures the demo holds, counted from the server's own records.
    let storage = liaison_server::SqliteStorage::open(&db).unwrap();
    let op_id: Uuid = op.parse().unwrap();
    let log = liaison_server::console::live::operation_log(&storage, op_id).unwrap();
    let current = liaison_server::console::live::current(log);
    let count = |kind: liaison_core::records::RecordKind| current.iter().filter(|l| l.revision.kind == kind).count();
    use liaison_core::records::RecordKind::*;
    let Some(text) = pdftotext(&a) else { return };
    for s in SECTIONS {
        assert!(text.contains(s), "no “{s}” in the report");
    }
    for (figure, n) in [
        ("rumours;", count(RumourReport)),
        ("negotiations;", count(NegotiationOutcome)),
        ("escalations;", count(Escalation)),
        ("intelligence submissions were made", count(IntelligenceSubmission)),
    ] {
        let expected = format!("{n} {figure}");
        assert!(text.contains(&expected), "no “{expected}” in the report:\n{text}");
    }
    assert!(
        text.contains("Made Sat 6 Jun 2026 18:00 UTC"),
        "the fixed clock is the one printed"
    );
    assert!(text.contains("median time to verify"));
    assert!(text.contains("median time to acknowledge"));

    if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/debrief");
        std::fs::create_dir_all(&docs).unwrap();
        let pdf = docs.join("demo-debrief.pdf");
        std::fs::write(&pdf, &a).unwrap();
        let status = Command::new("pdftoppm")
            .args(["-r", "70", "-png"])
            .arg(&pdf)
            .arg(docs.join("page"))
            .status()
            .unwrap();
        assert!(status.success());
    }
}
