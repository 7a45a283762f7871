//! The console's half of the server's memory ([`ConsoleStore`]), called directly and told once
//! for every backend: staff and sign-in, sessions, the directory of officers, the server's own
//! chain written on a person's behalf, tablets' last contact, revocation by a named person and
//! review decisions. Each story ends with the evidence and the audit chain checking clean.

mod common;

use chrono::{Duration, Utc};
use common::*;
use liaison_core::records::*;
use liaison_server::auth::{hash_secret, new_token};
use liaison_server::console::model::{OfficerEntry, ReviewDecision, StaffRole};
use liaison_server::storage::console::{Contact, OwnRevision, StaffAccount};
use liaison_server::storage::{RevocationReason, Storage, StorageError};
use uuid::Uuid;

fn account(username: &str, role: StaffRole) -> StaffAccount {
    StaffAccount {
        username: username.into(),
        display_name: format!("{username} (display)"),
        role,
        officer: None,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
    }
}

fn operation(name: &str, team: &[&str]) -> Record {
    let start = at(10, 0);
    Record {
        operation_id: None,
        occurred_at: start,
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::Operation(Operation {
            name: name.into(),
            event_kind: EventKind::March,
            starts_at: start,
            ends_at: start + Duration::hours(6),
            area: vec![],
            sectors: vec![],
            briefing: "Facilitate peaceful protest.".into(),
            command_structure: String::new(),
            groups_expected: vec![],
            team: team
                .iter()
                .map(|o| TeamMember {
                    officer: officer(o),
                    role: "PLO".into(),
                })
                .collect(),
        }),
    }
}

fn own(record_id: Uuid, parent: Option<Uuid>, record: Record) -> OwnRevision {
    OwnRevision {
        id: Uuid::now_v7(),
        record_id,
        parent,
        merges: None,
        author: officer("PS 100"),
        reason: parent.map(|_| "Team changed at briefing".into()),
        record,
        owner: None,
    }
}

fn assigned(storage: &dyn Storage, op: Uuid) -> Vec<String> {
    storage
        .operations()
        .unwrap()
        .into_iter()
        .find(|(id, _, _)| *id == op)
        .map(|(_, _, officers)| officers)
        .unwrap_or_default()
}

/// The actors of the server audit entries with this action, in log order.
fn actors_of(db: &TestDatabase, action: &str) -> Vec<String> {
    let sql = format!("SELECT actor FROM audit_log WHERE action = '{action}' ORDER BY id");
    match db.postgres() {
        Some(pg) => pg.sql(&sql).into_iter().filter_map(|r| r[0].clone()).collect(),
        None => {
            let c = rusqlite::Connection::open(db.sqlite_path().unwrap()).unwrap();
            let mut stmt = c.prepare(&sql).unwrap();
            let rows = stmt.query_map([], |r| r.get(0)).unwrap();
            rows.collect::<rusqlite::Result<_>>().unwrap()
        }
    }
}

fn audit_is_clean(storage: &dyn Storage) {
    let audit = storage.verify_audit().unwrap();
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    assert!(audit.server_entries > 0);
}

each_backend! {
async fn a_username_is_one_account_whatever_its_case_and_sign_in_counts_locks_and_clears() {
    let db = TestDatabase::new();
    let storage = db.open();
    let s = storage.as_ref();
    let admin = s.add_staff(&account("it.admin", StaffRole::Admin), "setup").unwrap();
    assert_eq!(admin.username, "it.admin");
    assert_eq!(admin.role, StaffRole::Admin);
    assert!(!admin.disabled && admin.locked_until.is_none());
    let err = s.add_staff(&account("IT.Admin", StaffRole::Gold), "setup").unwrap_err();
    assert!(matches!(err, StorageError::Conflict(_)), "{err}");
    s.add_staff(&account("bronze.one", StaffRole::Bronze), "it.admin").unwrap();
    let names: Vec<String> = s.staff().unwrap().into_iter().map(|t| t.username).collect();
    assert_eq!(names, ["bronze.one", "it.admin"]);

    let held = s.credentials("IT.ADMIN").unwrap().expect("found whatever the case");
    assert_eq!(held.staff, admin);
    assert_eq!(held.password_hash, account("x", StaffRole::Admin).password_hash);
    assert_eq!(held.failed_attempts, 0);
    assert!(s.credentials("nobody").unwrap().is_none());

    // Wrong passwords count; the lock is kept when a later failure gives none.
    assert_eq!(s.sign_in_failed("It.Admin", None).unwrap(), 1);
    let until = chrono::DateTime::from_timestamp_millis((Utc::now() + Duration::minutes(15)).timestamp_millis()).unwrap();
    assert_eq!(s.sign_in_failed("it.admin", Some(until)).unwrap(), 2);
    assert_eq!(s.sign_in_failed("it.admin", None).unwrap(), 3);
    let held = s.credentials("it.admin").unwrap().unwrap();
    assert_eq!(held.failed_attempts, 3);
    assert_eq!(held.staff.locked_until, Some(until));
    assert_eq!(s.sign_in_failed("nobody", None).unwrap(), 0, "an unknown name counts nothing");

    // A good sign-in clears the count and the lock and stores the session by its hash.
    let hash = hash_secret("cookie-1");
    let expires = chrono::DateTime::from_timestamp_millis((Utc::now() + Duration::hours(8)).timestamp_millis()).unwrap();
    s.sign_in("IT.Admin", &hash, expires).unwrap();
    let held = s.credentials("it.admin").unwrap().unwrap();
    assert_eq!(held.failed_attempts, 0);
    assert_eq!(held.staff.locked_until, None);
    let session = s.session(&hash).unwrap().expect("the session is stored");
    assert_eq!(session.staff.username, "it.admin", "as spelt in the account");
    assert_eq!(session.expires_at, expires);
    assert_eq!(session.last_seen, session.created_at);
    let later = chrono::DateTime::from_timestamp_millis((Utc::now() + Duration::minutes(5)).timestamp_millis()).unwrap();
    s.touch_session(&hash, later).unwrap();
    assert_eq!(s.session(&hash).unwrap().unwrap().last_seen, later);
    assert!(s.session(&hash_secret("another cookie")).unwrap().is_none());
    s.end_session(&hash, Some("it.admin")).unwrap();
    assert!(s.session(&hash).unwrap().is_none());
    // An expired session ended by the server is not a sign-out.
    let other = hash_secret("cookie-2");
    s.sign_in("bronze.one", &other, expires).unwrap();
    s.end_session(&other, None).unwrap();
    assert!(s.session(&other).unwrap().is_none());

    assert_eq!(actors_of(&db, "staff"), ["setup", "it.admin"]);
    assert_eq!(actors_of(&db, "sign_in_failed"), ["It.Admin", "it.admin", "it.admin", "nobody"]);
    assert_eq!(actors_of(&db, "sign_in"), ["IT.Admin", "bronze.one"]);
    assert_eq!(actors_of(&db, "sign_out"), ["it.admin"]);
    audit_is_clean(s);
}
}

each_backend! {
async fn the_directory_lists_the_officers_put_in_it_and_a_second_put_replaces_the_first() {
    let db = TestDatabase::new();
    let storage = db.open();
    let s = storage.as_ref();
    let entry = |officer: &str, name: &str, supervisor: Option<&str>| OfficerEntry {
        officer: officer.into(),
        name: name.into(),
        rank: "PC".into(),
        role: "PLO".into(),
        team: "West Midlands PLT".into(),
        supervisor: supervisor.map(String::from),
    };
    // An officer only assigned (from the command line) is not in the directory.
    let op = create_operation(s, "Op Directory");
    s.assign(op, "PC 9999").unwrap();
    s.put_officer(&entry("PS 100", "PS M. Okafor", None), "it.admin").unwrap();
    s.put_officer(&entry("PC 4521", "PC A. Shah", Some("PS 100")), "it.admin").unwrap();
    s.put_officer(&entry("PC 4521", "PC A. Shah-Jones", Some("PS 100")), "it.admin").unwrap();
    assert_eq!(
        s.officer_directory().unwrap(),
        [
            entry("PC 4521", "PC A. Shah-Jones", Some("PS 100")),
            entry("PS 100", "PS M. Okafor", None)
        ]
    );
    // Listing an officer keeps their assignments.
    s.put_officer(&entry("PC 9999", "PC K. Osei", None), "it.admin").unwrap();
    assert_eq!(assigned(s, op), ["PC 9999"]);
    assert_eq!(s.officer_directory().unwrap().len(), 3);
    assert_eq!(actors_of(&db, "directory").len(), 4);
    audit_is_clean(s);
}
}

each_backend! {
async fn an_own_revision_is_made_from_the_current_one_and_an_operation_s_team_is_its_assignments() {
    let db = TestDatabase::new();
    let storage = db.open();
    let s = storage.as_ref();
    // The server's chain already holds an operation made from the command line.
    let earlier = create_operation(s, "Op Earlier");
    let start = s.log_position().unwrap();
    assert!(start > 0);

    let op = Uuid::now_v7();
    let created = s
        .append_own(&[own(op, None, operation("Op Kestrel", &["PC 1", "PC 2"]))], "silver.one")
        .unwrap();
    assert_eq!(created.len(), 1);
    let first = &created[0];
    assert_eq!((first.record_id, first.parent), (op, None));
    assert_eq!(first.author, officer("PS 100"));
    assert_eq!(first.device_seq, 2, "after the operation made from the command line");
    assert_eq!(s.current_revision(op).unwrap(), Some((first.id, 1)));
    assert_eq!(assigned(s, op), ["PC 1", "PC 2"]);
    // An officer assigned from the command line stays whatever the team.
    s.assign(op, "PC 7").unwrap();

    // An edit names the current revision; one made from it takes PC 2 off and puts PC 3 on.
    let edited = s
        .append_own(
            &[own(op, Some(first.id), operation("Op Kestrel", &["PC 1", "PC 3"]))],
            "silver.one",
        )
        .unwrap();
    let second = &edited[0];
    assert_eq!(second.device_seq, first.device_seq + 1);
    assert_eq!(second.prev_hash, first.hash);
    assert!(second.hlc > first.hlc);
    assert_eq!(s.current_revision(op).unwrap(), Some((second.id, 1)));
    assert_eq!(assigned(s, op), ["PC 1", "PC 3", "PC 7"]);

    // A copy read before that edit is stale; the whole batch is refused, nothing stored.
    let before = s.log_position().unwrap();
    let stale = s
        .append_own(
            &[
                own(Uuid::now_v7(), None, note(op, "Stored only with the edit")),
                own(op, Some(first.id), operation("Op Kestrel", &["PC 2"])),
            ],
            "silver.two",
        )
        .unwrap_err();
    assert!(matches!(stale, StorageError::Conflict(_)), "{stale}");
    assert_eq!(s.log_position().unwrap(), before);
    assert_eq!(assigned(s, op), ["PC 1", "PC 3", "PC 7"]);
    // A record made again, or an edit of a record never held, is refused too.
    let again = s
        .append_own(&[own(op, None, operation("Op Kestrel", &[]))], "silver.one")
        .unwrap_err();
    assert!(matches!(again, StorageError::Conflict(_)), "{again}");
    let unknown = Uuid::now_v7();
    let err = s
        .append_own(&[own(unknown, Some(Uuid::now_v7()), note(op, "?"))], "silver.one")
        .unwrap_err();
    assert!(matches!(err, StorageError::UnknownRecord(r) if r == unknown), "{err}");
    // An invalid record is refused before anything is stored.
    let err = s
        .append_own(&[own(Uuid::now_v7(), None, operation("", &[]))], "silver.one")
        .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err}");

    // In one batch, a record made and then edited from what the batch made; a record of the
    // operation in its scope. Taking everyone off the team leaves the command line's officer.
    let n = Uuid::now_v7();
    let id = Uuid::now_v7();
    let batch = s
        .append_own(
            &[
                own(n, None, note(op, "Stewards briefed")),
                OwnRevision {
                    id,
                    ..own(op, Some(second.id), operation("Op Kestrel (amended)", &[]))
                },
                own(op, Some(id), operation("Op Kestrel (amended)", &["PC 1"])),
            ],
            "silver.two",
        )
        .unwrap();
    assert_eq!(batch.len(), 3);
    assert_eq!(assigned(s, op), ["PC 1", "PC 7"]);
    let names: Vec<String> = s.operations().unwrap().into_iter().map(|(_, n, _)| n).collect();
    assert!(names.contains(&"Op Kestrel (amended)".to_string()), "{names:?}");

    // The operation's log: its own record and the records in its scope, in server order.
    let log = s.operation_log(op, 0, 100).unwrap();
    let ids: Vec<Uuid> = log.iter().map(|l| l.revision.id).collect();
    assert_eq!(ids, [first.id, second.id, batch[0].id, batch[1].id, batch[2].id]);
    assert!(log.windows(2).all(|w| w[0].position < w[1].position));
    assert_eq!(log[0].revision, *first);
    assert_eq!(s.log_position().unwrap(), log[4].position);
    let after_first = s.operation_log(op, log[0].position, 2).unwrap();
    assert_eq!(
        after_first.iter().map(|l| l.revision.id).collect::<Vec<_>>(),
        [second.id, batch[0].id]
    );
    assert!(s.operation_log(earlier, start, 100).unwrap().is_empty());
    assert_eq!(s.operation_log(earlier, 0, 100).unwrap().len(), 1);

    let chain = s.verify().unwrap();
    assert!(chain.problems.is_empty(), "{:?}", chain.problems);
    assert_eq!(chain.revisions, 6);
    assert_eq!(
        actors_of(&db, "collection"),
        ["silver.one", "silver.one", "silver.two", "silver.two", "silver.two"]
    );
    audit_is_clean(s);
}
}

each_backend! {
async fn a_tablet_shows_its_last_contact_and_a_revocation_names_who_made_it() {
    let db = TestDatabase::new();
    let storage = db.open();
    let s = storage.as_ref();
    let code = hash_secret("CODE-1");
    s.add_enrollment_code(&code, "PC 4521", Utc::now() + Duration::hours(1)).unwrap();
    let device = Uuid::now_v7();
    s.redeem_enrollment_code(&code, device, &new_token()).unwrap();
    let listed = s.devices().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].device_id, listed[0].officer.as_str()), (device, "PC 4521"));
    assert_eq!((listed[0].last_contact, listed[0].waiting, listed[0].app_version.as_deref()), (None, None, None));

    let at1 = chrono::DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    s.note_contact(
        device,
        &Contact {
            at: at1,
            app_version: Some("0.4.0".into()),
            waiting: Some(12),
        },
    )
    .unwrap();
    // A sync that reports nothing keeps what was reported before; only the time moves.
    let at2 = at1 + Duration::minutes(3);
    s.note_contact(
        device,
        &Contact {
            at: at2,
            app_version: None,
            waiting: None,
        },
    )
    .unwrap();
    let d = &s.devices().unwrap()[0];
    assert_eq!(d.last_contact, Some(at2));
    assert_eq!(d.app_version.as_deref(), Some("0.4.0"));
    assert_eq!(d.waiting, Some(12));
    // A device not enrolled: nothing to note, and no failure for the sync.
    s.note_contact(
        Uuid::now_v7(),
        &Contact {
            at: at2,
            app_version: None,
            waiting: Some(0),
        },
    )
    .unwrap();

    s.revoke_device_by(device, RevocationReason::Stolen, "it.admin").unwrap();
    let d = &s.devices().unwrap()[0];
    assert!(d.revoked_at.is_some());
    assert_eq!(d.revoked_reason.as_deref(), Some("stolen"));
    let err = s.revoke_device_by(Uuid::now_v7(), RevocationReason::Lost, "it.admin").unwrap_err();
    assert!(matches!(err, StorageError::UnknownDevice(_)), "{err}");
    // From the command line, the admin.
    s.revoke_device(device, RevocationReason::Lost).unwrap();
    assert_eq!(actors_of(&db, "revocation"), ["it.admin", "admin"]);
    s.log_console("it.admin", "enrollment", None, "enrolment issued for PC 4522", "enrollment")
        .unwrap();
    assert_eq!(actors_of(&db, "enrollment"), ["PC 4521", "it.admin"]);
    audit_is_clean(s);
}
}

each_backend! {
async fn a_review_decision_is_kept_for_a_record_s_latest_flag() {
    let db = TestDatabase::new();
    let storage = db.open();
    let s = storage.as_ref();
    let op = create_operation(s, "Op Review");
    let n = Uuid::now_v7();
    s.append_own(&[own(n, None, note(op, "Chief steward content"))], "silver.one")
        .unwrap();
    let decision = |d: &str, why: &str| ReviewDecision {
        decision: d.into(),
        rationale: why.into(),
    };
    let err = s
        .decide_review(n, &decision("retain", "Linked to an open referral."), "records.admin")
        .unwrap_err();
    assert!(matches!(err, StorageError::Invalid(_)), "{err}");

    // Ten years on, everything is due.
    let due = s
        .flag_reviews_due(
            liaison_core::retention::RetentionPolicy::embedded(),
            Utc::now() + Duration::days(3650),
            "test",
        )
        .unwrap();
    assert!(due.iter().any(|i| i.record_id == n), "{due:?}");
    assert!(s.review_decisions().unwrap().is_empty());
    let view = s
        .decide_review(n, &decision("retain", "Linked to an open referral."), "records.admin")
        .unwrap();
    assert_eq!((view.decision.as_str(), view.by.as_str()), ("retain", "records.admin"));
    // Decided again: the later decision replaces the first.
    let view = s
        .decide_review(n, &decision("erase", "Referral closed."), "records.lead")
        .unwrap();
    let decisions = s.review_decisions().unwrap();
    assert_eq!(decisions, [(n, view)]);
    assert_eq!(decisions[0].1.rationale, "Referral closed.");
    assert_eq!(actors_of(&db, "review_decision"), ["records.admin", "records.lead"]);
    audit_is_clean(s);
}
}

each_backend! {
async fn the_demo_is_written_once_into_the_server_s_chain_with_its_people_and_sign_ins() {
    let db = TestDatabase::new();
    let storage = db.open();
    let s = storage.as_ref();
    let start = Utc::now() - Duration::hours(5);
    let team: Vec<String> = liaison_core::demo::team().into_iter().map(String::from).collect();
    let loaded = liaison_server::demo::load(s, start, &team).unwrap();
    liaison_server::demo::load_people(s).unwrap();
    assert!(loaded.revisions > 0);
    let mut expected = team.clone();
    expected.sort();
    assert_eq!(assigned(s, loaded.operation_id), expected);
    // Run again, it only assigns.
    let again = liaison_server::demo::load(s, start, &team).unwrap();
    liaison_server::demo::load_people(s).unwrap();
    assert_eq!((again.operation_id, again.revisions), (loaded.operation_id, 0));
    assert_eq!(s.staff().unwrap().len(), liaison_server::demo::DEMO_STAFF.len());
    assert!(s.officer_directory().unwrap().len() >= team.len());
    let chain = s.verify().unwrap();
    assert!(chain.problems.is_empty(), "{:?}", chain.problems);
    assert_eq!(chain.revisions, loaded.revisions as u64);
    let log = s.operation_log(loaded.operation_id, 0, 10_000).unwrap();
    assert!(!log.is_empty() && log.len() <= loaded.revisions);
    audit_is_clean(s);
}
}

each_backend! {
async fn own_revisions_from_two_server_processes_at_once_make_one_unbroken_chain() {
    let db = TestDatabase::new();
    let (a, b) = (db.open(), db.open());
    let op = Uuid::now_v7();
    a.append_own(&[own(op, None, operation("Op Busy", &["PC 1"]))], "silver.one")
        .unwrap();
    let writers: Vec<_> = [a.clone(), b.clone()]
        .into_iter()
        .enumerate()
        .map(|(w, s)| {
            std::thread::spawn(move || {
                for i in 0..15 {
                    s.append_own(
                        &[own(Uuid::now_v7(), None, note(op, &format!("writer {w}, note {i}")))],
                        "silver.one",
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let log = b.operation_log(op, 0, 100).unwrap();
    assert_eq!(log.len(), 31);
    assert!(log.windows(2).all(|w| w[0].position < w[1].position));
    let seqs: Vec<u64> = log.iter().map(|l| l.revision.device_seq).collect();
    assert_eq!(seqs, (1..=31).collect::<Vec<u64>>(), "pull order is chain order");
    let chain = a.verify().unwrap();
    assert!(chain.problems.is_empty(), "{:?}", chain.problems);
    audit_is_clean(b.as_ref());
}
}
