//! The device session against a stand-in force server (a few lines of HTTP on 127.0.0.1 that
//! answer `/v1/enroll` as the real one does); the real server is enrolled with end to end in
//! `src-tauri/tests/e2e.rs`.

use super::*;
use crate::crypto::KdfParams;
use crate::sync::protocol::{self, EnrollRequest, EnrollResponse, ErrorBody, ErrorCode};
use std::path::Path;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PASSCODE: &str = "2468101214";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn session(dir: &Path, idle: Duration, rt: &tokio::runtime::Runtime) -> Session {
    let settings = LockSettings {
        idle,
        max_attempts: 3,
        kdf: KdfParams::insecure_for_tests(),
    };
    Session::new(Vault::new(dir.join("liaison.db"), settings), true, rt.handle().clone())
}

fn enrolment_string(port: u16, code: &str) -> String {
    format!("liaison-enrol:1;code={code};server=http://127.0.0.1:{port}")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What the stand-in server was sent.
type Seen = Arc<Mutex<Vec<EnrollRequest>>>;

/// Answers every enrolment with `officer`, except the code `REFUSED`; records each request.
async fn force_server(listener: tokio::net::TcpListener, officer: &'static str, seen: Seen) {
    loop {
        let Ok((mut conn, _)) = listener.accept().await else {
            return;
        };
        let seen = seen.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, length) = loop {
                let n = conn.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..i]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    break (i + 4, length);
                }
            };
            while buf.len() < head_end + length {
                let n = conn.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            if !buf.starts_with(b"POST /v1/enroll ") {
                // Sync, once enrolled: this stand-in answers nothing but enrolments.
                let _ = conn
                    .write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
                return;
            }
            let request: EnrollRequest = protocol::decode(Some("zstd"), &buf[head_end..]).expect("an enrolment");
            let refused = request.code == "REFUSED";
            let device_id = request.device_id;
            lock(&seen).push(request);
            let (status, body) = if refused {
                let e = ErrorBody {
                    code: ErrorCode::BadEnrollmentCode,
                    message: "this enrolment code is unknown, already used or expired".into(),
                };
                ("401 Unauthorized", serde_json::to_vec(&e).unwrap())
            } else {
                let answer = EnrollResponse {
                    token: format!("lzt1_{}", lock(&seen).len()),
                    officer: officer.into(),
                    device_id,
                };
                ("200 OK", serde_json::to_vec(&answer).unwrap())
            };
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(head.as_bytes()).await;
            let _ = conn.write_all(&body).await;
        });
    }
}

fn start_force_server(rt: &tokio::runtime::Runtime, port: u16, officer: &'static str) -> Seen {
    let seen: Seen = Arc::default();
    let listener = rt.block_on(tokio::net::TcpListener::bind(("127.0.0.1", port))).unwrap();
    rt.spawn(force_server(listener, officer, seen.clone()));
    seen
}

fn revisions(s: &Session) -> Result<u64, SessionError> {
    let store = s.store()?;
    let n = lock(&store).revision_count()?;
    Ok(n)
}

fn is_locked(e: &SessionError) -> bool {
    matches!(e, SessionError::Vault(VaultError::Locked | VaultError::NotSetUp))
}

#[test]
fn a_damaged_enrolment_string_is_refused_before_the_passcode_creates_anything() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let s = session(dir.path(), Duration::from_secs(60), &rt);
    let e = s.set_up(PASSCODE, "ABCD-EFGH").unwrap_err();
    assert!(
        matches!(e, SessionError::Enrolment(EnrolmentError::NotEnrolment)),
        "{e}"
    );
    assert_eq!(s.lock_view().lock, LockState::NotSetUp);
    assert!(!dir.path().join("liaison.db").exists(), "no database yet");
    assert!(
        check_enrolment("liaison-enrol:1;code=AB;server=https://x:1").is_err(),
        "https needs the CA"
    );
    let ok = check_enrolment(&enrolment_string(7878, "ABCD")).unwrap();
    assert_eq!(
        (ok.server_url.as_str(), ok.pins_force_ca),
        ("http://127.0.0.1:7878", false)
    );
}

#[test]
fn a_new_tablet_holds_no_record_and_no_officer_until_the_force_server_enrols_it() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let s = session(dir.path(), Duration::from_secs(60), &rt);
    assert_eq!(s.lock_view().enrolment, EnrolmentView::Unknown);
    assert!(is_locked(&revisions(&s).unwrap_err()));
    let view = s.set_up(PASSCODE, &enrolment_string(free_port(), "ABCD-EFGH")).unwrap();
    assert!(matches!(view.lock, LockState::Unlocked { .. }));
    assert!(matches!(view.enrolment, EnrolmentView::Pending { .. }), "{view:?}");
    assert_eq!(revisions(&s).unwrap(), 0, "no demonstration data on a real device");
    assert!(matches!(s.officer(), Err(SessionError::NotEnrolled)));

    assert_eq!(s.lock_now().lock, LockState::Locked);
    assert!(is_locked(&revisions(&s).unwrap_err()));
    assert!(is_locked(&s.officer().unwrap_err()), "locked comes before not enrolled");
    assert!(matches!(
        s.unlock("000000"),
        Err(SessionError::Vault(VaultError::Key(_)))
    ));
    let view = s.unlock(PASSCODE).unwrap();
    assert!(
        matches!(view.enrolment, EnrolmentView::Pending { .. }),
        "the enrolment survives the lock: {view:?}"
    );
}

#[test]
fn an_enrolment_that_could_not_reach_the_server_is_sent_again_with_the_same_code_and_device_id() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let s = session(dir.path(), Duration::from_secs(60), &rt);
    let port = free_port();
    s.set_up(PASSCODE, &enrolment_string(port, "ABCD-EFGH")).unwrap();

    // No coverage: a clear, transient refusal, and the tablet still waits to be enrolled.
    let offline = rt.block_on(s.enrol(None)).unwrap_err();
    match &offline {
        SessionError::Sync(e) => assert!(e.is_transient(), "{e}"),
        other => panic!("expected the server to be unreachable: {other}"),
    }
    assert!(offline.to_string().contains("could not be reached"), "{offline}");
    assert!(matches!(s.lock_view().enrolment, EnrolmentView::Pending { .. }));

    // A restart in between loses nothing: the enrolment is in the encrypted database.
    s.lock_now();
    s.unlock(PASSCODE).unwrap();

    let seen = start_force_server(&rt, port, "PCSO 7781");
    let view = rt.block_on(s.enrol(None)).unwrap();
    let device_id = lock(&s.store().unwrap()).device_id();
    let sent = lock(&seen).clone();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].code.as_str(), sent[0].device_id), ("ABCD-EFGH", device_id));
    let officer = OfficerId::new("PCSO 7781").unwrap();
    assert_eq!(
        view.enrolment,
        EnrolmentView::Enrolled {
            officer: officer.clone(),
            server_url: format!("http://127.0.0.1:{port}")
        }
    );
    assert_eq!(
        s.officer().unwrap(),
        officer,
        "the officer comes from the server's answer"
    );
    let store = s.store().unwrap();
    assert!(
        lock(&store).pending_enrolment().unwrap().is_none(),
        "the code is forgotten once redeemed"
    );
    assert_eq!(lock(&store).sync_credentials().unwrap().unwrap().token, "lzt1_1");
    assert!(s.with_sync(|_| ()).is_some(), "sync runs once enrolled");

    // The identity outlives the lock, and enrolling again asks nothing of the server.
    s.lock_now();
    assert!(s.with_sync(|_| ()).is_none(), "locking stops sync");
    s.unlock(PASSCODE).unwrap();
    assert_eq!(s.officer().unwrap(), officer);
    rt.block_on(s.enrol(None)).unwrap();
    assert_eq!(lock(&seen).len(), 1);
}

#[test]
fn a_refused_code_keeps_the_tablet_waiting_until_a_new_enrolment_string_is_entered() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let s = session(dir.path(), Duration::from_secs(60), &rt);
    let port = free_port();
    let seen = start_force_server(&rt, port, "PC 4521");
    s.set_up(PASSCODE, &enrolment_string(port, "REFUSED")).unwrap();
    let e = rt.block_on(s.enrol(None)).unwrap_err();
    assert!(matches!(e, SessionError::Sync(SyncError::EnrollmentRefused(_))), "{e}");
    assert!(matches!(s.officer(), Err(SessionError::NotEnrolled)));
    let bad = rt.block_on(s.enrol(Some("not a string"))).unwrap_err();
    assert!(matches!(bad, SessionError::Enrolment(_)), "{bad}");
    let view = rt
        .block_on(s.enrol(Some(&enrolment_string(port, "WXYZ-2345"))))
        .unwrap();
    assert!(matches!(view.enrolment, EnrolmentView::Enrolled { .. }), "{view:?}");
    assert_eq!(lock(&seen).len(), 2, "the damaged string never reached the server");
    assert_eq!(s.officer().unwrap().as_str(), "PC 4521");
}

/// The view once the background attempt has finished.
fn after_attempt(s: &Session) -> EnrolmentView {
    for _ in 0..200 {
        let view = s.lock_view().enrolment;
        if !matches!(view, EnrolmentView::Pending { trying: true, .. }) {
            return view;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("the enrolment attempt never finished");
}

#[test]
fn the_waiting_screen_learns_why_an_enrolment_failed_and_whether_trying_again_can_help() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let s = session(dir.path(), Duration::from_secs(60), &rt);
    let port = free_port();
    s.set_up(PASSCODE, &enrolment_string(port, "REFUSED")).unwrap();
    s.start_enrolment(None).unwrap();
    match after_attempt(&s) {
        EnrolmentView::Pending {
            problem: Some(p),
            trying: false,
            ..
        } => {
            assert!(p.retry_may_help, "no coverage: try again later");
            assert!(p.message.contains("could not be reached"), "{}", p.message);
        }
        other => panic!("{other:?}"),
    }
    start_force_server(&rt, port, "PC 4521");
    s.start_enrolment(None).unwrap();
    match after_attempt(&s) {
        EnrolmentView::Pending { problem: Some(p), .. } => {
            assert!(!p.retry_may_help, "a refused code needs a new string");
            assert!(p.message.contains("new enrolment string"), "{}", p.message);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(
            s.start_enrolment(Some("liaison-enrol:1;code=;server=x")),
            Err(SessionError::Enrolment(_))
        ),
        "a damaged replacement is refused at once"
    );
    s.start_enrolment(Some(&enrolment_string(port, "GOOD"))).unwrap();
    assert!(matches!(after_attempt(&s), EnrolmentView::Enrolled { .. }));
    assert!(s.with_sync(|_| ()).is_some());
}

#[test]
fn the_tick_locks_an_idle_app() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let s = session(dir.path(), Duration::from_millis(200), &rt);
    s.set_up(PASSCODE, &enrolment_string(free_port(), "ABCD")).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    s.tick();
    assert_eq!(s.lock_view().lock, LockState::Locked);
    assert!(is_locked(&revisions(&s).unwrap_err()));
}

#[test]
fn too_many_wrong_passcodes_leave_the_officer_a_notice_and_a_fresh_start() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let s = session(dir.path(), Duration::from_secs(60), &rt);
    s.set_up(PASSCODE, &enrolment_string(free_port(), "ABCD")).unwrap();
    s.lock_now();
    s.unlock("000000").unwrap_err();
    s.unlock("000001").unwrap_err();
    let e = s.unlock("000002").unwrap_err();
    assert!(
        matches!(e, SessionError::Vault(VaultError::Key(KeyError::Destroyed))),
        "{e}"
    );
    let view = s.lock_view();
    assert_eq!(view.lock, LockState::NotSetUp);
    assert_eq!(view.wiped.unwrap().reason, WipeReason::TooManyAttempts);
    assert!(s.acknowledge_wipe().wiped.is_none());
}

#[test]
fn a_device_the_server_revoked_is_wiped_at_the_next_tick_and_says_what_was_lost() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let s = session(dir.path(), Duration::from_secs(60), &rt);
    let port = free_port();
    start_force_server(&rt, port, "PC 4521");
    s.set_up(PASSCODE, &enrolment_string(port, "ABCD")).unwrap();
    rt.block_on(s.enrol(None)).unwrap();
    // Sync would send these to the stand-in server, which answers nothing but enrolments:
    // stop it, so the count below is what the officer recorded.
    s.stop_sync(true);
    let officer = s.officer().unwrap();
    let store = s.store().unwrap();
    crate::demo::generate(&mut lock(&store), chrono::Utc::now(), 1).unwrap();
    let waiting = lock(&store).sync_status().unwrap().waiting;
    assert!(waiting > 0);
    // One revision the server refused: it is lost with the wipe too.
    {
        let mut st = lock(&store);
        let rev = st.outbox(1).unwrap().remove(0);
        st.record_push_outcome(
            0,
            &[],
            &[crate::store::QuarantinedRevision {
                revision_id: rev.id,
                device_seq: Some(rev.device_seq),
                direction: SyncDirection::Push,
                reason: "revoked".into(),
                message: "recorded after the revocation".into(),
                at: chrono::Utc::now(),
            }],
        )
        .unwrap();
    }
    assert_eq!(lock(&store).sync_status().unwrap().waiting, waiting - 1);
    s.tick();
    assert!(
        revisions(&s).is_ok(),
        "nothing happens while the device is in good standing"
    );
    assert_eq!(s.officer().unwrap(), officer);
    // What the sync client records when the server answers "revoked".
    lock(&store).record_sync_revoked().unwrap();
    drop(store);
    s.tick();
    let view = s.lock_view();
    assert_eq!(view.lock, LockState::NotSetUp);
    let notice = view.wiped.expect("the officer is told why");
    assert_eq!(notice.reason, WipeReason::Revoked);
    assert_eq!(notice.unsynced_lost, Some(waiting));
    assert!(s.officer().is_err(), "a wiped tablet belongs to no one");
    assert!(!dir.path().join("liaison.db").exists());
    assert!(!dir.path().join("liaison.db.keystore").exists());
}

#[test]
fn lock_settings_from_the_environment_are_bounded_so_the_lock_always_means_something() {
    let d = lock_settings(None, None).unwrap();
    assert_eq!((d.idle, d.max_attempts), (Duration::from_secs(300), 10));
    let s = lock_settings(Some("30".into()), Some("5".into())).unwrap();
    assert_eq!((s.idle, s.max_attempts), (Duration::from_secs(30), 5));
    for (idle, attempts) in [
        (Some("0"), None),
        (Some("soon"), None),
        (Some("86400"), None),
        (None, Some("1")),
        (None, Some("1000")),
        (None, Some("x")),
    ] {
        assert!(
            lock_settings(idle.map(Into::into), attempts.map(Into::into)).is_err(),
            "{idle:?} {attempts:?}"
        );
    }
}

#[test]
fn without_hardware_the_passcode_screen_is_told_so_and_a_six_digit_passcode_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let s = session(dir.path(), Duration::from_secs(60), &rt);
    let view = s.lock_view();
    assert_eq!(view.key_guard, KeyGuardKind::Software);
    assert_eq!(view.passcode_min, 8);
    assert!(
        view.passcode_rule.contains("no security chip"),
        "{}",
        view.passcode_rule
    );
    let e = s.set_up("246810", &enrolment_string(9, "ABCD")).unwrap_err();
    assert!(
        matches!(e, SessionError::Vault(VaultError::Key(KeyError::WeakPasscode(_)))),
        "{e}"
    );
    assert_eq!(s.lock_view().lock, LockState::NotSetUp, "nothing was created");
}
