//! The force console against a real server on 127.0.0.1: the role matrix (every route as
//! every role), sessions that end, CSRF, lockout and the sign-in rate, forms refused whole with
//! nothing written, an operation set up in the console reaching an assigned tablet through a
//! real sync and verifying in the server's chain, and the live event stream with its replay
//! rule. Every story runs on SQLite and on PostgreSQL.

mod common;

use common::console::{add_staff, PASSWORD};
use common::{Device, TestServer};
use liaison_core::records::*;
use liaison_server::console::matrix::{Route, ROUTES};
use liaison_server::console::model::{OperationView, StaffRole};
use liaison_server::console::ConsoleOptions;
use liaison_server::ServeOptions;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

/// A signed-in person: their cookie and CSRF token.
struct Session {
    base: String,
    cookie: String,
    csrf: String,
    http: reqwest::Client,
}

impl Session {
    async fn request(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.request_with(method, path, body, Some(&self.csrf)).await
    }

    async fn request_with(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        csrf: Option<&str>,
    ) -> (StatusCode, Value) {
        let url = format!("{}/console/api{path}", self.base);
        let mut req = self
            .http
            .request(method.parse().unwrap(), url)
            .header("cookie", &self.cookie);
        if let Some(c) = csrf {
            req = req.header("x-csrf-token", c);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.request("GET", path, None).await
    }
}

async fn sign_in_as(base: &str, username: &str, password: &str) -> Result<Session, (StatusCode, Value)> {
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{base}/console/api/session"))
        .header("content-type", "application/json")
        .body(json!({ "username": username, "password": password }).to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
    let body: Value = serde_json::from_str(&resp.text().await.unwrap_or_default()).unwrap_or(Value::Null);
    match (status, cookie) {
        (StatusCode::OK, Some(cookie)) => Ok(Session {
            base: base.to_string(),
            cookie,
            csrf: body["csrf"].as_str().unwrap().to_string(),
            http,
        }),
        _ => Err((status, body)),
    }
}

fn put_officer(server: &TestServer, officer: &str) {
    server
        .storage
        .put_officer(
            &liaison_server::console::model::OfficerEntry {
                officer: officer.into(),
                name: format!("{officer} name"),
                rank: "PC".into(),
                role: "PLO".into(),
                team: "PLT".into(),
                supervisor: None,
            },
            "test",
        )
        .unwrap();
}

fn square(lat: f64, lon: f64, d: f64) -> Value {
    json!([
        { "lat": lat, "lon": lon },
        { "lat": lat, "lon": lon + d },
        { "lat": lat + d, "lon": lon + d },
        { "lat": lat + d, "lon": lon }
    ])
}

/// An operation with three sectors and a team, as the console's editor sends it.
fn operation_body(name: &str, team: &[&str]) -> Value {
    json!({
        "parent": null,
        "reason": null,
        "operation": {
            "name": name,
            "event_kind": "march",
            "starts_at": "2026-12-05T10:00:00Z",
            "ends_at": "2026-12-05T16:00:00Z",
            "area": square(52.470, -1.910, 0.03),
            "sectors": [
                { "name": "Sector 1: Assembly", "boundary": square(52.470, -1.910, 0.01) },
                { "name": "Sector 2: Route", "boundary": square(52.480, -1.900, 0.01) },
                { "name": "Sector 3: Rally", "boundary": square(52.490, -1.890, 0.009) }
            ],
            "briefing": "Information: a march of about 2,000.\nIntention: facilitate peaceful protest.",
            "command_structure": "Gold: Supt Grant; Silver: CI Patel; Bronze: Insp Hale",
            "team": team.iter().map(|o| json!({ "officer": o, "role": "PLO" })).collect::<Vec<_>>()
        }
    })
}

async fn console_server(options: ConsoleOptions) -> TestServer {
    TestServer::start_with(ServeOptions {
        console: options,
        ..Default::default()
    })
    .await
}

fn quick_console() -> ConsoleOptions {
    ConsoleOptions {
        assets: None,
        enrolment: Some(liaison_server::console::EnrolmentTarget {
            server_url: "http://127.0.0.1:9".into(),
            ca_der: None,
        }),
        ..Default::default()
    }
}

each_backend! {
async fn every_route_answers_every_role_as_the_matrix_says() {
    let server = console_server(quick_console()).await;
    for o in ["PC 4521", "PC 1190"] {
        put_officer(&server, o);
    }
    for role in StaffRole::ALL {
        let officer = (role == StaffRole::Officer).then_some("PC 4521");
        add_staff(&server, role.as_str(), role, officer);
    }
    let admin = sign_in_as(&server.url(), "admin", PASSWORD).await.unwrap();
    let (status, op) = admin
        .request("POST", "/operations", Some(operation_body("Op MATRIX", &["PC 4521"])))
        .await;
    assert_eq!(status, StatusCode::OK, "{op}");
    let op: OperationView = serde_json::from_value(op).unwrap();
    let device = Device::enrolled("PC 4521", &server).await;
    // A photo a record of the operation names, not sent yet: every role sees the operation (the
    // officer is on it), so the media route answers each of them "not on the server yet".
    common::sync_until_operation_known(&device, op.id).await;
    let photo = "ab".repeat(32);
    let mut named = common::note(op.id, "Placard photographed at the gate");
    named.attachments = vec![Attachment {
        sha256: photo.clone(),
        kind: AttachmentKind::Photo,
        media_type: MediaType::Jpeg,
        size: 1_000,
        thumbnail: None,
        location_kept: false,
        caption: String::new(),
    }];
    device.create(named);
    device.sync().await;
    assert_eq!(device.waiting(), 0, "the note naming the photo is on the server");

    for role in StaffRole::ALL {
        let session = sign_in_as(&server.url(), role.as_str(), PASSWORD).await.unwrap();
        // Signing out last: it ends the session the other cells use.
        let mut rules: Vec<_> = ROUTES.iter().collect();
        rules.sort_by_key(|r| r.route == Route::SignOut);
        for rule in rules {
            let path = rule
                .path
                .replace("{officer}", "PC 1190")
                .replace("{username}", "gold")
                .replace("{record}", &Uuid::now_v7().to_string())
                .replace("{sha256}", &photo)
                .replace(
                    "{id}",
                    &if rule.path.starts_with("/devices") {
                        device.id()
                    } else {
                        op.id
                    }
                    .to_string(),
                );
            let path = match rule.route {
                Route::AuditExport => format!("{path}?kind=operation&id={}&purpose=matrix%20test", op.id),
                Route::OperationExport | Route::DirectoryExport => format!("{path}?format=csv&purpose=matrix%20test"),
                Route::StatisticsExport => format!("{path}?purpose=matrix%20test"),
                _ => path,
            };
            let body = match rule.route {
                Route::OfficerPut => Some(json!({ "officer": "PC 1190", "name": "PC L. Morgan", "rank": "PC",
                    "role": "PLO", "team": "PLT", "supervisor": null })),
                Route::DeviceRevoke => Some(json!({ "reason": "retired" })),
                Route::StaffUpdate => Some(json!({ "display_name": "gold (test)", "role": "gold",
                    "officer": null, "disabled": false })),
                Route::OperationEdit => Some(json!({ "parent": op.revision, "reason": "matrix",
                    "operation": op.operation })),
                Route::TaskingCreate => Some(json!({ "officer": "PC 1190", "title": "Matrix task",
                    "incident_type": "reassurance_patrol" })),
                Route::IntelligenceReview => Some(json!({ "revision": Uuid::now_v7(), "outcome": "returned",
                    "feedback": "matrix" })),
                Route::ConflictResolve => Some(json!({ "keep": Uuid::now_v7(), "other": Uuid::now_v7(),
                    "reason": "matrix" })),
                _ if rule.method != "GET" && rule.method != "DELETE" => Some(json!({})),
                _ => None,
            };
            let (status, answer) = if matches!(rule.route, Route::Events | Route::AlertEvents) {
                // The stream never ends: its status is the answer.
                let resp = session
                    .http
                    .get(format!("{}/console/api{path}", server.url()))
                    .header("cookie", &session.cookie)
                    .send()
                    .await
                    .unwrap();
                match resp.status() {
                    StatusCode::OK => (StatusCode::OK, Value::Null),
                    refused => (refused, serde_json::from_str(&resp.text().await.unwrap_or_default()).unwrap_or(Value::Null)),
                }
            } else {
                session.request(rule.method, &path, body).await
            };
            let allowed = rule.allowed.contains(&role);
            if allowed {
                assert_ne!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} {} as {role:?}: {answer}",
                    rule.method,
                    rule.path
                );
                assert_ne!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{} {} as {role:?}: {answer}",
                    rule.method,
                    rule.path
                );
                assert!(
                    !status.is_server_error(),
                    "{} {} as {role:?} failed: {status} {answer}",
                    rule.method,
                    rule.path
                );
                if rule.own_operations_only && rule.method == "GET" {
                    // The officer is on this operation: they see it as everyone else does.
                    assert_eq!(
                        status,
                        StatusCode::OK,
                        "{} {} as {role:?}: {answer}",
                        rule.method,
                        rule.path
                    );
                }
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} {} as {role:?}: {answer}",
                    rule.method,
                    rule.path
                );
                assert_eq!(answer["code"], "forbidden", "{answer}");
            }
        }
    }
    // An officer not on an operation does not learn it exists.
    add_staff(&server, "pc1190", StaffRole::Officer, Some("PC 1190"));
    let other = sign_in_as(&server.url(), "pc1190", PASSWORD).await.unwrap();
    for tail in ["", "/picture", "/events"] {
        let (status, body) = other.get(&format!("/operations/{}{tail}", op.id)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "/operations/{{id}}{tail}: {body}");
    }
    let (_, list) = other.get("/operations").await;
    assert_eq!(list, json!([]));
}
}

each_backend! {
async fn a_session_ends_when_idle_when_old_and_when_signed_out() {
    let server = console_server(ConsoleOptions {
        idle: Duration::from_millis(1500),
        ..quick_console()
    })
    .await;
    add_staff(&server, "idle.admin", StaffRole::Admin, None);
    let s = sign_in_as(&server.url(), "idle.admin", PASSWORD).await.unwrap();
    assert_eq!(s.get("/session").await.0, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let (status, body) = s.get("/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("session has ended"),
        "{body}"
    );
    assert_eq!(
        s.get("/session").await.0,
        StatusCode::UNAUTHORIZED,
        "an ended session stays ended"
    );

    let server = console_server(ConsoleOptions {
        max_age: Duration::from_secs(1),
        ..quick_console()
    })
    .await;
    add_staff(&server, "old.admin", StaffRole::Admin, None);
    let s = sign_in_as(&server.url(), "old.admin", PASSWORD).await.unwrap();
    assert_eq!(s.get("/staff").await.0, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(s.get("/staff").await.0, StatusCode::UNAUTHORIZED);

    let s = sign_in_as(&server.url(), "old.admin", PASSWORD).await.unwrap();
    assert_eq!(s.request("DELETE", "/session", None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(s.get("/session").await.0, StatusCode::UNAUTHORIZED, "signed out");
    let unknown = Session {
        base: server.url(),
        cookie: "liaison_console=lzc1_forged".into(),
        csrf: String::new(),
        http: reqwest::Client::new(),
    };
    let (status, body) = unknown.get("/session").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
}
}

each_backend! {
async fn a_change_without_its_csrf_token_or_with_a_stale_one_is_refused_and_nothing_is_written() {
    let server = console_server(quick_console()).await;
    add_staff(&server, "csrf.admin", StaffRole::Admin, None);
    let s = sign_in_as(&server.url(), "csrf.admin", PASSWORD).await.unwrap();
    let old = sign_in_as(&server.url(), "csrf.admin", PASSWORD).await.unwrap();
    let new_staff = json!({ "username": "ps.new", "display_name": "PS New", "role": "supervisor",
        "officer": null, "password": "another long passphrase" });
    for csrf in [None, Some(old.csrf.as_str()), Some("0000")] {
        let (status, body) = s.request_with("POST", "/staff", Some(new_staff.clone()), csrf).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("csrf")),
            "{csrf:?}: {body}"
        );
    }
    assert_eq!(server.storage.staff().unwrap().len(), 1, "nothing written");
    let (status, body) = s.request("POST", "/staff", Some(new_staff)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(server.storage.staff().unwrap().len(), 2);

    // Signing in has no token yet: a plain form another site could post (text/plain, shaped
    // as JSON) signs no one in.
    let resp = reqwest::Client::new()
        .post(format!("{}/console/api/session", server.url()))
        .header("content-type", "text/plain")
        .body(format!(r#"{{"username":"csrf.admin","password":"{PASSWORD}","x":"="}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.headers().get("set-cookie").is_none(), "no session for a cross-site form");
}
}

each_backend! {
async fn wrong_passwords_lock_the_account_and_an_address_guessing_is_slowed() {
    let server = console_server(ConsoleOptions {
        lockout_after: 3,
        sign_ins_per_minute: 30,
        ..quick_console()
    })
    .await;
    add_staff(&server, "lock.me", StaffRole::Bronze, None);
    let logged_before = server.storage.verify_audit().unwrap().server_entries;
    for n in 1..=3 {
        let (status, body) = sign_in_as(&server.url(), "lock.me", "wrong passphrase!")
            .await
            .err()
            .unwrap();
        let expect = if n < 3 { "unauthenticated" } else { "locked" };
        assert_eq!(body["code"], expect, "attempt {n}: {status} {body}");
    }
    let (_, body) = sign_in_as(&server.url(), "lock.me", PASSWORD).await.err().unwrap();
    assert_eq!(
        body["code"], "locked",
        "the right password does not open a locked account: {body}"
    );
    // An unknown name is refused like a wrong password, and logged.
    let (_, body) = sign_in_as(&server.url(), "nobody.here", PASSWORD).await.err().unwrap();
    assert_eq!(body["code"], "unauthenticated");
    let trail = server.storage.verify_audit().unwrap();
    assert!(trail.problems.is_empty(), "{:?}", trail.problems);
    assert_eq!(
        trail.server_entries - logged_before,
        5,
        "every failed sign-in is in the audit chain: three wrong, one while locked, one unknown"
    );

    // A lock that has run out starts the count again: one wrong password then does not lock.
    let server = console_server(ConsoleOptions {
        lockout_after: 2,
        lockout_for: Duration::from_secs(1),
        sign_ins_per_minute: 30,
        ..quick_console()
    })
    .await;
    add_staff(&server, "lock.again", StaffRole::Bronze, None);
    for _ in 0..2 {
        let _ = sign_in_as(&server.url(), "lock.again", "wrong passphrase!").await;
    }
    let (_, body) = sign_in_as(&server.url(), "lock.again", PASSWORD).await.err().unwrap();
    assert_eq!(body["code"], "locked", "{body}");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (_, body) = sign_in_as(&server.url(), "lock.again", "wrong passphrase!").await.err().unwrap();
    assert_eq!(body["code"], "unauthenticated", "one wrong password after the lock ran out: {body}");
    let (_, body) = sign_in_as(&server.url(), "lock.again", "wrong passphrase!").await.err().unwrap();
    assert_eq!(body["code"], "locked", "two in a row lock again: {body}");

    let server = console_server(ConsoleOptions {
        sign_ins_per_minute: 4,
        ..quick_console()
    })
    .await;
    add_staff(&server, "rate.me", StaffRole::Bronze, None);
    let mut codes = Vec::new();
    for _ in 0..6 {
        let r = sign_in_as(&server.url(), "rate.me", "wrong passphrase!")
            .await
            .err()
            .unwrap();
        codes.push(r.0);
    }
    assert_eq!(codes[5], StatusCode::TOO_MANY_REQUESTS, "{codes:?}");
    let (status, _) = sign_in_as(&server.url(), "rate.me", PASSWORD).await.err().unwrap();
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "refused before the password is looked at"
    );
}
}

each_backend! {
async fn forms_are_refused_whole_with_each_problem_beside_its_field() {
    let server = console_server(quick_console()).await;
    add_staff(&server, "form.admin", StaffRole::Admin, None);
    put_officer(&server, "PC 4521");
    let s = sign_in_as(&server.url(), "form.admin", PASSWORD).await.unwrap();
    let (status, body) = s
        .request(
            "POST",
            "/staff",
            Some(json!({ "username": "X", "display_name": "", "role": "officer",
            "officer": null, "password": "short" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "display_name", "password", "officer"], "{body}");
    // A username that reads as an officer's id would misattribute what its holder edits.
    put_officer(&server, "4521");
    let (status, body) = s
        .request("POST", "/staff", Some(json!({ "username": "4521", "display_name": "Not PC 4521",
            "role": "bronze", "officer": null, "password": "a long enough passphrase" })))
        .await;
    assert_eq!((status, body["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("username")), "{body}");

    let position = server.storage.log_position().unwrap();
    let mut bad = operation_body("", &["PC 9999"]);
    // A bow tie: its edges cross.
    bad["operation"]["sectors"][0]["boundary"] = json!([
        { "lat": 52.47, "lon": -1.91 }, { "lat": 52.48, "lon": -1.90 },
        { "lat": 52.47, "lon": -1.90 }, { "lat": 52.48, "lon": -1.91 }
    ]);
    let (status, body) = s.request("POST", "/operations", Some(bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"body.name"), "{body}");
    assert!(fields.iter().any(|f| f.starts_with("body.sectors[0]")), "{body}");
    let mut unknown_officer = operation_body("Op TEAM", &["PC 9999"]);
    unknown_officer["parent"] = Value::Null;
    let (status, body) = s.request("POST", "/operations", Some(unknown_officer)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["fields"][0]["field"], "body.team[0].officer", "{body}");
    assert_eq!(server.storage.log_position().unwrap(), position, "nothing written");
    assert_eq!(
        s.get(&format!("/operations/{}", Uuid::now_v7())).await.0,
        StatusCode::NOT_FOUND,
        "a forged operation id"
    );
    assert_eq!(s.get("/operations/not-an-id").await.0, StatusCode::NOT_FOUND);
    let (status, body) = s.get("/audit?kind=operation&id=not-an-id&purpose=a%20test").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["fields"].as_array().unwrap().len(), 1, "only the id is wrong: {body}");
    assert_eq!(body["fields"][0]["field"], "id", "{body}");
}
}

each_backend! {
async fn an_operation_set_up_in_the_console_reaches_an_assigned_tablet_and_verifies() {
    let server = console_server(quick_console()).await;
    add_staff(&server, "insp.hale", StaffRole::Bronze, None);
    put_officer(&server, "PC 4521");
    put_officer(&server, "PC 1190");
    let device = Device::enrolled("PC 4521", &server).await;
    let outsider = Device::enrolled("PC 1190", &server).await;
    let s = sign_in_as(&server.url(), "insp.hale", PASSWORD).await.unwrap();
    let (status, body) = s
        .request("POST", "/operations", Some(operation_body("Op HERON", &["PC 4521"])))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let op: OperationView = serde_json::from_value(body).unwrap();
    assert_eq!(op.edited_by, "insp.hale");

    device.sync().await;
    outsider.sync().await;
    let on_tablet = |d: &Device| {
        d.store
            .lock()
            .unwrap()
            .get(
                op.id,
                &liaison_core::Access {
                    officer: common::officer("PC 1"),
                    purpose: "test".into(),
                },
            )
            .ok()
    };
    let got = on_tablet(&device).expect("the assigned tablet has the operation");
    match &got.record.body {
        Body::Operation(o) => assert_eq!(o.sectors.len(), 3),
        other => panic!("{other:?}"),
    }
    assert!(
        on_tablet(&outsider).is_none(),
        "an officer not on the team does not receive it"
    );

    // An edit from the current revision reaches the tablet; one from a stale copy is refused.
    let mut edited = op.operation.clone();
    edited.sectors.truncate(2);
    edited.team.push(TeamMember {
        officer: common::officer("PC 1190"),
        role: "PLO".into(),
    });
    let edit = json!({ "parent": op.revision, "reason": "sector 3 closed", "operation": edited });
    let (status, body) = s
        .request("PUT", &format!("/operations/{}", op.id), Some(edit.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s.request("PUT", &format!("/operations/{}", op.id), Some(edit)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict")),
        "{body}"
    );
    device.sync().await;
    outsider.sync().await;
    for d in [&device, &outsider] {
        match on_tablet(d).expect("on the team now").record.body {
            Body::Operation(o) => assert_eq!(o.sectors.len(), 2),
            other => panic!("{other:?}"),
        }
    }
    let report = server.storage.verify().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let audit = server.storage.verify_audit().unwrap();
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    let trail = server
        .storage
        .audit_trail(liaison_server::storage::AuditSubject::Operation(op.id), "test", "test")
        .unwrap();
    assert!(
        trail
            .entries
            .iter()
            .any(|e| e.actor == "insp.hale" && e.detail.contains("edited")),
        "the edit is in the audit chain under its author"
    );
}
}

/// Reads server-sent events from a response until `n` events of kind `record` or `reload`.
async fn read_events(resp: &mut reqwest::Response, n: usize) -> Vec<(String, String, String)> {
    let mut events = Vec::new();
    let mut buf = String::new();
    while events.len() < n {
        let chunk = tokio::time::timeout(Duration::from_secs(10), resp.chunk())
            .await
            .expect("an event within 10 s")
            .unwrap()
            .expect("the stream stays open");
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut id, mut kind, mut data) = (String::new(), String::new(), String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().into();
                } else if let Some(v) = line.strip_prefix("event:") {
                    kind = v.trim().into();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim());
                }
            }
            if !kind.is_empty() {
                events.push((id, kind, data));
            }
        }
    }
    events
}

each_backend! {
async fn the_live_stream_sends_a_push_at_once_replays_after_last_event_id_and_tells_a_laggard_to_reload() {
    let server = console_server(ConsoleOptions {
        replay_max: 3,
        ..quick_console()
    })
    .await;
    add_staff(&server, "gold", StaffRole::Gold, None);
    put_officer(&server, "PC 4521");
    let s = sign_in_as(&server.url(), "gold", PASSWORD).await.unwrap();
    let (_, body) = s
        .request("POST", "/operations", Some(operation_body("Op LIVE", &["PC 4521"])))
        .await;
    let op: OperationView = serde_json::from_value(body).unwrap();
    let (_, picture) = s.get(&format!("/operations/{}/picture", op.id)).await;
    let start = picture["position"].as_i64().unwrap();
    let open = |last: Option<String>| {
        let mut req = s
            .http
            .get(format!(
                "{}/console/api/operations/{}/events?after={start}",
                server.url(),
                op.id
            ))
            .header("cookie", &s.cookie);
        if let Some(l) = last {
            req = req.header("last-event-id", l);
        }
        req.send()
    };
    let mut stream = open(None).await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);

    let device = Device::enrolled("PC 4521", &server).await;
    // The tablet has the operation (by the ordinary pull) before recording in it.
    device.sync().await;
    let reading = |mood| Record {
        operation_id: Some(op.id),
        occurred_at: chrono::Utc::now(),
        location: None,
        sector: Some("Sector 2: Route".into()),
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::TensionReading(TensionReading {
            mood,
            crowd_estimate: Some(300),
            note: String::new(),
        }),
    };
    device.create(reading(Mood::Uneasy));
    device.create(reading(Mood::Tense));
    device.sync().await;
    let events = read_events(&mut stream, 2).await;
    assert!(events.iter().all(|(_, k, _)| k == "record"), "{events:?}");
    assert!(events[1].2.contains("\"mood\":\"tense\""), "{events:?}");
    let first_id = events[0].0.clone();
    drop(stream);

    // Reconnecting after the first: the second is replayed, from the database.
    let mut again = open(Some(first_id.clone())).await.unwrap();
    let replayed = read_events(&mut again, 1).await;
    assert_eq!(replayed[0].0, events[1].0, "{replayed:?}");
    drop(again);

    // Four behind with a replay limit of three: told to reload, not left silently behind.
    for _ in 0..3 {
        device.create(reading(Mood::Calm));
    }
    device.sync().await;
    let mut late = open(Some(first_id)).await.unwrap();
    let told = read_events(&mut late, 1).await;
    assert_eq!(told[0].1, "reload", "{told:?}");
}
}

each_backend! {
async fn an_open_live_stream_ends_when_its_session_ends_or_its_officer_leaves_the_team() {
    let server = console_server(quick_console()).await;
    add_staff(&server, "gold", StaffRole::Gold, None);
    put_officer(&server, "PC 4521");
    put_officer(&server, "PC 1190");
    add_staff(&server, "pc4521", StaffRole::Officer, Some("PC 4521"));
    let gold = sign_in_as(&server.url(), "gold", PASSWORD).await.unwrap();
    let (status, body) = gold
        .request("POST", "/operations", Some(operation_body("Op WATCH", &["PC 4521"])))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let op: OperationView = serde_json::from_value(body).unwrap();
    let watch = |s: &Session| {
        s.http
            .get(format!("{}/console/api/operations/{}/events", server.url(), op.id))
            .header("cookie", &s.cookie)
            .send()
    };

    // The officer on the team watches; taken off it, their open stream is told to reload,
    // and the reload finds nothing.
    let officer = sign_in_as(&server.url(), "pc4521", PASSWORD).await.unwrap();
    let mut watching = watch(&officer).await.unwrap();
    assert_eq!(watching.status(), StatusCode::OK);
    let mut edited = op.operation.clone();
    edited.team = vec![TeamMember {
        officer: common::officer("PC 1190"),
        role: "PLO".into(),
    }];
    let edit = json!({ "parent": op.revision, "reason": "re-tasked", "operation": edited });
    let (status, body) = gold.request("PUT", &format!("/operations/{}", op.id), Some(edit)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let told = read_events(&mut watching, 1).await;
    assert_eq!(told[0].1, "reload", "{told:?}");
    assert!(told[0].2.contains("no longer open to you"), "{told:?}");
    assert_eq!(
        officer.get(&format!("/operations/{}/picture", op.id)).await.0,
        StatusCode::NOT_FOUND
    );

    // A commander's open stream ends when they sign out.
    let mut watching = watch(&gold).await.unwrap();
    assert_eq!(watching.status(), StatusCode::OK);
    assert_eq!(gold.request("DELETE", "/session", None).await.0, StatusCode::NO_CONTENT);
    let told = read_events(&mut watching, 1).await;
    assert_eq!(told[0].1, "reload", "{told:?}");
    assert!(told[0].2.contains("session has ended"), "{told:?}");
}
}

each_backend! {
async fn a_record_due_for_review_gets_a_decision_that_is_kept_and_logged() {
    let server = console_server(quick_console()).await;
    add_staff(&server, "records.admin", StaffRole::Admin, None);
    let op = server.operation("Op REVIEW", &["PC 4521"]);
    let device = Device::enrolled("PC 4521", &server).await;
    device.sync().await;
    let note = device.create(Record {
        operation_id: Some(op),
        occurred_at: chrono::Utc::now(),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::TensionReading(TensionReading {
            mood: Mood::Calm,
            crowd_estimate: None,
            note: String::new(),
        }),
    });
    device.sync().await;
    // Ten years on, everything is due.
    let later = chrono::Utc::now() + chrono::Duration::days(3650);
    server
        .storage
        .flag_reviews_due(liaison_core::retention::RetentionPolicy::embedded(), later, "test")
        .unwrap();
    let s = sign_in_as(&server.url(), "records.admin", PASSWORD).await.unwrap();
    let (status, list) = s.get("/reviews").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|r| r["record_id"] == note.to_string()),
        "{list}"
    );
    let path = format!("/reviews/{note}/decision");
    let (status, body) = s
        .request("POST", &path, Some(json!({ "decision": "shred", "rationale": "" })))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["fields"].as_array().unwrap().len(), 2, "{body}");
    let (status, body) = s
        .request(
            "POST",
            &path,
            Some(json!({ "decision": "retain", "rationale": "Linked to an open referral." })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = s.get("/reviews").await;
    let item = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["record_id"] == note.to_string())
        .unwrap();
    assert_eq!(item["decision"]["decision"], "retain");
    assert_eq!(item["decision"]["by"], "records.admin");
    let trail = server
        .storage
        .audit_trail(liaison_server::storage::AuditSubject::Record(note), "test", "test")
        .unwrap();
    assert!(trail
        .entries
        .iter()
        .any(|e| e.action == "review_decision" && e.actor == "records.admin"));
}
}

each_backend! {
async fn a_disabled_account_is_signed_out_at_once_and_a_new_password_replaces_the_old() {
    let server = console_server(quick_console()).await;
    add_staff(&server, "it.lead", StaffRole::Admin, None);
    add_staff(&server, "insp.leaver", StaffRole::Bronze, None);
    let admin = sign_in_as(&server.url(), "it.lead", PASSWORD).await.unwrap();
    let leaver = sign_in_as(&server.url(), "insp.leaver", PASSWORD).await.unwrap();
    assert_eq!(leaver.get("/operations").await.0, StatusCode::OK);

    let change = |disabled: bool, password: Option<&str>| {
        json!({ "display_name": "Insp Leaver", "role": "bronze", "officer": null, "disabled": disabled,
            "password": password })
    };
    let (status, body) = admin
        .request("PUT", "/staff/insp.leaver", Some(change(true, None)))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["disabled"], true);
    assert_eq!(
        leaver.get("/operations").await.0,
        StatusCode::UNAUTHORIZED,
        "their session ended"
    );
    let logged_before = server.storage.verify_audit().unwrap().server_entries;
    assert!(
        sign_in_as(&server.url(), "insp.leaver", PASSWORD).await.is_err(),
        "and they cannot sign in"
    );
    assert_eq!(
        server.storage.verify_audit().unwrap().server_entries,
        logged_before + 1,
        "a disabled account's sign-in is refused in the audit chain"
    );

    let (status, _) = admin
        .request(
            "PUT",
            "/staff/insp.leaver",
            Some(change(false, Some("a brand new passphrase"))),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        sign_in_as(&server.url(), "insp.leaver", PASSWORD).await.is_err(),
        "the old password is gone"
    );
    sign_in_as(&server.url(), "insp.leaver", "a brand new passphrase")
        .await
        .unwrap();

    // An admin cannot lock themselves out; a short password is refused beside its field.
    let (status, body) = admin
        .request(
            "PUT",
            "/staff/it.lead",
            Some(json!({ "display_name": "IT", "role": "gold",
            "officer": null, "disabled": false })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["fields"][0]["field"], "role");
    let (status, body) = admin
        .request("PUT", "/staff/insp.leaver", Some(change(false, Some("short"))))
        .await;
    assert_eq!(
        (status, body["fields"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password"))
    );
    assert_eq!(
        admin.request("PUT", "/staff/nobody", Some(change(false, None))).await.0,
        StatusCode::NOT_FOUND
    );
    let audit = server.storage.verify_audit().unwrap();
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_is_served_on_the_same_tls_port_as_sync_with_its_locked_down_headers() {
    let (server, ca) = TestServer::start_tls(liaison_server::limits::Limits::default()).await;
    add_staff(&server, "tls.admin", StaffRole::Admin, None);
    let http = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let resp = http
        .post(format!("{}/console/api/session", server.url()))
        .header("content-type", "application/json")
        .body(json!({ "username": "tls.admin", "password": PASSWORD }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    for part in ["Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let h = resp.headers();
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["cache-control"], "no-store");
}
