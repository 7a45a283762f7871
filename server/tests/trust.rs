//! Trust at the boundary: each attack a hostile colleague (or a stolen token) could make
//! against a real server on 127.0.0.1, refused, and after each a colleague's sync still
//! succeeds and `verify` finds nothing wrong.

mod common;

use common::proxy::Proxy;
use common::*;
use liaison_core::sync::protocol::{self, ErrorBody, ErrorCode, PushRequest};
use liaison_core::sync::{SyncClient, SyncError};
use liaison_server::storage::RevocationReason;
use std::io::{Read, Write};
use uuid::Uuid;

fn token(d: &Device) -> String {
    d.store.lock().unwrap().sync_credentials().unwrap().unwrap().token
}

async fn json<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> T {
    serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap()
}

/// SQL run on the server's database behind its back, as someone with the database could:
/// in SQLite's dialect or PostgreSQL's, for the test's backend.
fn raw_sql(server: &TestServer, sqlite: &str, postgres: &str) {
    match server.database.postgres() {
        Some(pg) => drop(pg.sql(postgres)),
        None => rusqlite::Connection::open(server.sqlite_path())
            .unwrap()
            .execute_batch(sqlite)
            .unwrap(),
    }
}

/// A number read the same way (one query, both dialects).
fn raw_i64(server: &TestServer, sql: &str) -> i64 {
    match server.database.postgres() {
        Some(pg) => pg.sql(sql)[0][0].as_deref().unwrap().parse().unwrap(),
        None => rusqlite::Connection::open(server.sqlite_path())
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap(),
    }
}

/// A device id as each dialect writes it in SQL.
fn sqlite_id(id: Uuid) -> String {
    format!("X'{}'", id.simple())
}

fn postgres_id(id: Uuid) -> String {
    format!("'{id}'::uuid")
}

/// The force is fine: a colleague syncs, and both evidence checks find nothing wrong.
async fn assert_force_healthy(server: &TestServer, colleague: &Device) {
    colleague
        .client(quick_options())
        .sync(&colleague.store, &|_, _, _| {})
        .await
        .expect("a colleague's sync still succeeds");
    let chains = server.storage.verify().unwrap();
    assert!(chains.problems.is_empty(), "{:?}", chains.problems);
    let audit = server.storage.verify_audit().unwrap();
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
}

fn quarantine(d: &Device) -> Vec<liaison_core::store::QuarantinedRevision> {
    d.store.lock().unwrap().sync_status().unwrap().quarantined
}

fn quarantined(d: &Device) -> Vec<String> {
    quarantine(d).into_iter().map(|q| q.reason).collect()
}

async fn raw_enrol(server: &TestServer, code: &str, device_id: Uuid) -> (u16, Option<ErrorBody>) {
    let resp = reqwest::Client::new()
        .post(format!("{}{}", server.url(), protocol::ENROLL_PATH))
        .body(serde_json::to_vec(&serde_json::json!({ "code": code, "device_id": device_id })).unwrap())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, serde_json::from_slice(&resp.bytes().await.unwrap()).ok())
}

each_backend! {
async fn a_directory_entry_claiming_another_officer_as_author_is_refused() {
    let server = TestServer::start().await;
    let colleague = Device::enrolled("PC 1190", &server).await;
    // Enrolled as a PCSO, recording as the superintendent (as `LIAISON_OFFICER` once allowed).
    let forger = Device::new("Supt 0001");
    forger.enroll(&server.url(), &server.code("PCSO 1234")).await;
    forger.create(group("Friends of Cannon Hill Park"));
    let report = forger.sync().await;
    assert_eq!((report.pushed, report.quarantined), (0, 1));
    assert_eq!(quarantined(&forger), ["not_author"]);
    assert_force_healthy(&server, &colleague).await;
    assert!(colleague.kinds_listed(None).is_empty(), "nothing reached the colleague");
}
}

each_backend! {
async fn a_second_code_cannot_take_over_an_enrolled_device_id_nor_the_servers_own() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let colleague = Device::enrolled("PC 4521", &server).await;
    colleague.sync().await;
    let (status, err) = raw_enrol(&server, &server.code("PCSO 1234"), colleague.id()).await;
    assert_eq!(status, 403);
    let err = err.unwrap();
    assert_eq!(err.code, ErrorCode::BadEnrollmentCode);
    assert!(err.message.contains("already enrolled"), "{}", err.message);
    // The server's own chain (the operations it makes) is not a device anyone can enrol.
    let server_chain: Uuid = match server.database.postgres() {
        Some(pg) => pg.sql("SELECT device_id FROM server_identity")[0][0]
            .as_deref()
            .unwrap()
            .parse()
            .unwrap(),
        None => rusqlite::Connection::open(server.sqlite_path())
            .unwrap()
            .query_row("SELECT device_id FROM server_identity", [], |r| r.get(0))
            .unwrap(),
    };
    let (status, _) = raw_enrol(&server, &server.code("PCSO 1234"), server_chain).await;
    assert_eq!(status, 403);
    // The colleague's token still works and its records still belong to it.
    colleague.create(note(op, "still mine"));
    assert_eq!(colleague.sync().await.pushed, 1);
    assert_force_healthy(&server, &colleague).await;
}
}

each_backend! {
async fn an_enrolment_whose_answer_was_lost_succeeds_on_the_retry_with_the_same_code() {
    let server = TestServer::start().await;
    let colleague = Device::enrolled("PC 1190", &server).await;
    let proxy = Proxy::start(server.addr).await;
    proxy.set(|f| f.lose_responses = 1);
    let d = Device::new("PC 4521");
    let code = server.code("PC 4521");
    let client = SyncClient::new(&proxy.url(), quick_options()).unwrap();
    assert!(
        client.enroll(&d.store, &code).await.is_err(),
        "the answer never arrived"
    );
    assert_eq!(proxy.get(|f| f.responses_lost), 1);
    // The officer taps "try again" in poor coverage: the same code, the same tablet.
    let enrolled = client.enroll(&d.store, &code).await.unwrap();
    assert_eq!(enrolled.officer, "PC 4521");
    d.create(group("Moseley Pride Network"));
    assert_eq!(d.sync().await.pushed, 1, "the new token works");
    // The code is still spent for anyone else.
    let other = Device::new("PC 9999");
    let err = SyncClient::new(&server.url(), quick_options())
        .unwrap()
        .enroll(&other.store, &code)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SyncError::EnrollmentRefused(m) if m.matches("force IT team").count() == 0),
        "{err}"
    );
    assert_eq!(err.to_string().matches("force IT team").count(), 1, "{err}");
    assert_force_healthy(&server, &colleague).await;
}
}

each_backend! {
async fn a_poison_author_is_refused_on_arrival_and_one_already_stored_never_stops_a_pull() {
    let server = TestServer::start().await;
    let colleague = Device::enrolled("PC 1190", &server).await;
    let d = Device::enrolled("PC 4521", &server).await;
    d.create(group("Balsall Heath Residents"));
    let mut rev = serde_json::to_value(d.store.lock().unwrap().outbox(1).unwrap()).unwrap();
    for (author, what) in [
        ("x".repeat(300), "over-long"),
        ("PC\u{7}4521".to_string(), "control character"),
    ] {
        rev[0]["author"] = author.into();
        let resp = reqwest::Client::new()
            .post(format!("{}{}", server.url(), protocol::PUSH_PATH))
            .bearer_auth(token(&d))
            .body(serde_json::to_vec(&serde_json::json!({ "device_id": d.id(), "revisions": rev })).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{what}");
        let err: ErrorBody = json(resp).await;
        assert!(err.message.contains("officer"), "{what}: {}", err.message);
    }
    assert_eq!(d.sync().await.pushed, 1, "the honest revision goes");
    // A row written before these checks existed, with a control character in its author.
    let copy = |random: &str, bell: &str, device: String| {
        format!(
            "INSERT INTO revisions (id, record_id, parent_id, kind, author, device_id, device_seq, recorded_ms, hlc,
                                    reason, body, prev_hash, hash, scope, scope_operation, received_ms)
             SELECT {random}, {random}, NULL, kind, 'PC' || {bell}, device_id, device_seq + 1000,
                    recorded_ms, hlc, reason, body, prev_hash, hash, scope, scope_operation, received_ms
             FROM revisions WHERE device_id = {device}"
        )
    };
    raw_sql(
        &server,
        &copy("randomblob(16)", "char(7)", sqlite_id(d.id())),
        &copy("gen_random_uuid()", "chr(7)", postgres_id(d.id())),
    );
    let report = colleague.sync().await;
    assert_eq!(
        report.pulled, 1,
        "the readable revision arrives, the unreadable one is skipped"
    );
    let problems = server.storage.verify().unwrap().problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("unreadable"), "{problems:?}");
}
}

each_backend! {
async fn an_outsider_cannot_rebind_an_operations_record_to_another_operation() {
    let server = TestServer::start().await;
    let op_a = server.operation("Op Chamberlain", &["PC 4521"]);
    let op_b = server.operation("Op Boundary", &["PCSO 1234"]);
    let member = Device::enrolled("PC 4521", &server).await;
    let outsider = Device::enrolled("PCSO 1234", &server).await;
    sync_until_operation_known(&member, op_a).await;
    sync_until_operation_known(&outsider, op_b).await;
    let target = member.create(note(op_a, "Agreed the route with the chief steward"));
    member.sync().await;
    let head = server.storage.current_revision(target).unwrap().unwrap().0;
    // An "edit" of op A's record, placed in op B, where the outsider may write.
    forge_with(&outsider, note(op_b, "Route cancelled, disperse now"), |rev| {
        rev.record_id = target;
        rev.parent = Some(head);
        rev.reason = Some("update".into());
    });
    let report = outsider.sync().await;
    assert_eq!(report.quarantined, 1);
    assert_eq!(quarantined(&outsider), ["record_bound"]);
    assert_eq!(server.storage.current_revision(target).unwrap().unwrap(), (head, 1));
    assert_force_healthy(&server, &member).await;
    let access = liaison_core::Access {
        officer: officer("PC 4521"),
        purpose: "test".into(),
    };
    let on_member = member.store.lock().unwrap().get(target, &access).unwrap();
    assert_eq!(on_member.revision_id, head, "the member's record was not overwritten");
}
}

each_backend! {
async fn a_far_future_clock_is_refused_and_drags_no_other_device_forward() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521", "PC 1190"]);
    let fast = Device::enrolled("PC 4521", &server).await;
    let colleague = Device::enrolled("PC 1190", &server).await;
    sync_until_operation_known(&fast, op).await;
    sync_until_operation_known(&colleague, op).await;
    forge_own_at(
        &fast,
        rumour(op, liaison_core::records::RumourStatus::Reported, ""),
        chrono::Duration::days(3650),
    );
    let report = fast.sync().await;
    assert_eq!((report.pushed, report.quarantined), (0, 1));
    assert_eq!(quarantined(&fast), ["clock_ahead"]);
    let message = quarantine(&fast)[0].message.clone();
    assert!(
        message.contains("days ahead") && message.contains("automatic"),
        "{message}"
    );
    assert_force_healthy(&server, &colleague).await;
    let max_hlc = raw_i64(&server, "SELECT max(hlc) >> 16 FROM revisions");
    assert!(max_hlc < (chrono::Utc::now() + chrono::Duration::minutes(5)).timestamp_millis());
}
}

each_backend! {
async fn a_retired_devices_final_push_is_once_and_bounded_by_the_servers_clock() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521", "PC 1190"]);
    let colleague = Device::enrolled("PC 1190", &server).await;
    // Backdated: retired four days ago by the server's clock; the device claims its new
    // revision was recorded before that.
    let late = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&late, op).await;
    server
        .storage
        .revoke_device(late.id(), RevocationReason::Retired)
        .unwrap();
    let backdate = |id: String| format!("UPDATE devices SET revoked_ms = revoked_ms - 4 * 86400000 WHERE device_id = {id}");
    raw_sql(&server, &backdate(sqlite_id(late.id())), &backdate(postgres_id(late.id())));
    forge_own_at(&late, note(op, "written after hand-in"), chrono::Duration::days(-5));
    let err = late
        .client(quick_options())
        .sync(&late.store, &|_, _, _| {})
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Revoked), "{err}");
    assert_eq!(server.storage.device_chain(late.id()).unwrap().len(), 0);

    // Repeated: the final push is taken once; another an hour later is refused.
    let once = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&once, op).await;
    once.create(note(op, "recorded before hand-in"));
    server
        .storage
        .revoke_device(once.id(), RevocationReason::Retired)
        .unwrap();
    let _ = once.client(quick_options()).sync(&once.store, &|_, _, _| {}).await;
    assert_eq!(
        server.storage.device_chain(once.id()).unwrap().len(),
        1,
        "the final push"
    );
    let backdate = |id: String| {
        format!(
            "UPDATE devices SET final_push_ms = final_push_ms - 3600000, revoked_ms = revoked_ms - 3600000
             WHERE device_id = {id}"
        )
    };
    raw_sql(&server, &backdate(sqlite_id(once.id())), &backdate(postgres_id(once.id())));
    forge_own_at(&once, note(op, "kept back for later"), chrono::Duration::hours(-2));
    let err = once
        .client(quick_options())
        .sync(&once.store, &|_, _, _| {})
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Revoked), "{err}");
    assert_eq!(server.storage.device_chain(once.id()).unwrap().len(), 1, "nothing more");
    assert_force_healthy(&server, &colleague).await;
}
}

/// The largest directory entry the validators allow: every text and list at its limit, in
/// four-byte characters.
fn largest_group(n: usize) -> liaison_core::Record {
    use liaison_core::records::validate::{LIST_MAX, SHORT_MAX, TEXT_MAX};
    let wide = |len: usize, tag: usize| format!("{tag:04}{}", "𝄞".repeat(len - 4));
    let mut r = group(&wide(SHORT_MAX, n));
    r.tags = (0..LIST_MAX).map(|i| wide(SHORT_MAX, i)).collect();
    r.links = (0..LIST_MAX).map(|_| Uuid::now_v7()).collect();
    if let liaison_core::records::Body::Group(g) = &mut r.body {
        g.description = wide(TEXT_MAX, n);
        g.website = wide(SHORT_MAX, n);
    }
    r.validate().expect("at the limits, still valid");
    r
}

each_backend! {
async fn three_hundred_records_at_their_size_limits_reach_a_colleague_in_bounded_pages() {
    let server = TestServer::start().await;
    let d = Device::enrolled("PC 4521", &server).await;
    let colleague = Device::enrolled("PC 1190", &server).await;
    let one = serde_json::to_vec(&largest_group(0)).unwrap().len();
    assert!(
        one * 300 > 2 * protocol::MAX_BODY_BYTES,
        "{one} bytes each is not a test of anything"
    );
    {
        let mut s = d.store.lock().unwrap();
        for n in 0..300 {
            s.create(&d.officer, largest_group(n)).unwrap();
        }
    }
    assert_eq!(d.sync().await.pushed, 300);
    let report = colleague.sync().await;
    assert_eq!(report.pulled, 300);
    assert_force_healthy(&server, &colleague).await;
}
}

each_backend! {
async fn a_cut_audit_tail_on_the_server_is_found_by_verify() {
    let server = TestServer::start().await;
    let d = Device::enrolled("PC 4521", &server).await;
    let person = d.create(person("Aisha Rahman"));
    for purpose in ["call back", "second call", "third call"] {
        let access = liaison_core::Access {
            officer: officer("PC 4521"),
            purpose: purpose.into(),
        };
        d.store.lock().unwrap().get(person, &access).unwrap();
    }
    d.sync().await;
    assert!(server.storage.verify_audit().unwrap().problems.is_empty());
    // The newest entries removed by someone with the database file: every remaining link holds.
    raw_sql(
        &server,
        "DROP TRIGGER device_audit_is_never_deleted;
         DELETE FROM device_audit WHERE id > (SELECT max(id) - 2 FROM device_audit);",
        "ALTER TABLE device_audit DISABLE TRIGGER device_audit_is_immutable;
         DELETE FROM device_audit WHERE id > (SELECT max(id) - 2 FROM device_audit);",
    );
    let problems = server.storage.verify_audit().unwrap().problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("tail was removed"), "{problems:?}");
}
}

each_backend! {
async fn an_audit_entry_in_another_officers_name_is_refused() {
    let server = TestServer::start().await;
    let colleague = Device::enrolled("PC 1190", &server).await;
    let d = Device::enrolled("PC 4521", &server).await;
    let person = d.create(person("Aisha Rahman"));
    let access = liaison_core::Access {
        officer: officer("Supt 0001"),
        purpose: "looked up on behalf".into(),
    };
    d.store.lock().unwrap().get(person, &access).unwrap();
    let report = d.sync().await;
    assert_eq!(report.pushed, 1);
    let refused = report.audit_refused.expect("the entry was refused");
    assert!(
        refused.contains("Supt 0001") && refused.contains("enrolled for PC 4521"),
        "{refused}"
    );
    let stored = raw_i64(&server, "SELECT count(*) FROM device_audit WHERE officer = 'Supt 0001'");
    assert_eq!(stored, 0);
    assert_force_healthy(&server, &colleague).await;
}
}

each_backend! {
async fn an_oversize_body_with_an_unknown_token_is_refused_before_it_is_read() {
    let server = TestServer::start().await;
    let colleague = Device::enrolled("PC 1190", &server).await;
    let addr = server.addr;
    // Announce 20 MB, send 1 KB, and wait: the answer must come without the rest.
    let answer = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
        write!(
            s,
            "POST {} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer lzt1_guessed\r\nContent-Type: application/json\r\n\
             Content-Length: 20000000\r\n\r\n",
            protocol::PUSH_PATH
        )
        .unwrap();
        s.write_all(&[b' '; 1024]).unwrap();
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).expect("an answer before the body was sent");
        String::from_utf8_lossy(&buf[..n]).to_string()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    // Guessing tokens is held to a rate per address.
    let pull = |token: String| {
        let url = format!("{}{}", server.url(), protocol::PULL_PATH);
        async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap() }
    };
    let mut last = None;
    for _ in 0..100 {
        let resp = pull("lzt1_guessed".into()).await;
        if resp.status().as_u16() == 429 {
            last = Some(resp);
            break;
        }
    }
    let blocked = last.expect("unknown tokens are rate-limited per address");
    let wait: u64 = blocked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    // While blocked, the address is refused before any lookup: a right guess (here, a real
    // token from the same address) is refused too, so guessing gains nothing.
    assert_eq!(pull(token(&colleague)).await.status().as_u16(), 429);
    // Once the wait is over, the colleague syncs as before.
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    assert_force_healthy(&server, &colleague).await;
}
}

each_backend! {
async fn a_bad_query_string_answers_in_the_json_error_shape_and_a_500_holds_no_database_text() {
    let server = TestServer::start().await;
    let d = Device::enrolled("PC 4521", &server).await;
    let resp = reqwest::Client::new()
        .get(format!("{}{}?limit=many", server.url(), protocol::PULL_PATH))
        .bearer_auth(token(&d))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let err: ErrorBody = json(resp).await;
    assert_eq!(err.code, ErrorCode::BadRequest);
    // A database failure: the revisions table is gone.
    let gone = "ALTER TABLE revisions RENAME TO revisions_gone;";
    raw_sql(&server, gone, gone);
    let resp = reqwest::Client::new()
        .get(format!("{}{}", server.url(), protocol::PULL_PATH))
        .bearer_auth(token(&d))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 500);
    let err: ErrorBody = json(resp).await;
    assert_eq!(err.code, ErrorCode::Internal);
    assert!(
        !err.message.contains("revisions") && !err.message.to_lowercase().contains("sql"),
        "{}",
        err.message
    );
}
}

#[test]
fn the_server_database_is_created_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("force.db");
    let _storage = liaison_server::SqliteStorage::open(&path).unwrap();
    for p in [path.clone(), dir.path().join("force.db-wal")] {
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
    let loose = dir.path().join("loose.db");
    std::fs::write(&loose, b"").unwrap();
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
    liaison_server::SqliteStorage::open(&loose).unwrap();
    assert_eq!(std::fs::metadata(&loose).unwrap().permissions().mode() & 0o777, 0o600);
}

each_backend! {
async fn the_same_push_again_is_held_and_nothing_is_written_twice() {
    let server = TestServer::start().await;
    let d = Device::enrolled("PC 4521", &server).await;
    d.create(group("Kings Heath Traders"));
    let revisions = d.store.lock().unwrap().outbox(10).unwrap();
    let body = serde_json::to_vec(&PushRequest {
        device_id: d.id(),
        revisions,
        audit: vec![],
    })
    .unwrap();
    for expect_stored in [1, 0] {
        let resp: protocol::PushResponse = json(
            reqwest::Client::new()
                .post(format!("{}{}", server.url(), protocol::PUSH_PATH))
                .bearer_auth(token(&d))
                .body(body.clone())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((resp.stored, resp.held.len()), (expect_stored, 1));
    }
}
}
