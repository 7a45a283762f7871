use super::*;
use crate::records::*;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn officer(s: &str) -> OfficerId {
    OfficerId::new(s).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    store: Store,
    op: RecordId,
    start: DateTime<Utc>,
    me: OfficerId,
}

fn square(lat: f64, lon: f64) -> Vec<LatLon> {
    vec![
        LatLon { lat, lon },
        LatLon { lat, lon: lon + 1.0 },
        LatLon {
            lat: lat + 1.0,
            lon: lon + 1.0,
        },
        LatLon { lat: lat + 1.0, lon },
    ]
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let mut store = Store::open(&path).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap();
    let me = officer("PC 4521");
    let op = store
        .create(
            &me,
            Record {
                operation_id: None,
                occurred_at: start,
                location: None,
                sector: None,
                links: vec![],
                tags: vec![],
                attachments: vec![],
                body: Body::Operation(Operation {
                    name: "Op Test".into(),
                    event_kind: EventKind::March,
                    starts_at: start,
                    ends_at: start + Duration::hours(5),
                    area: vec![],
                    sectors: vec![
                        Sector {
                            name: "North".into(),
                            boundary: square(52.0, -2.0),
                        },
                        Sector {
                            name: "South".into(),
                            boundary: square(50.0, -2.0),
                        },
                    ],
                    briefing: "Facilitate peaceful protest.".into(),
                    command_structure: String::new(),
                    groups_expected: vec![],
                    team: vec![],
                }),
            },
        )
        .unwrap()
        .record_id;
    Fixture {
        _dir: dir,
        path,
        store,
        op,
        start,
        me,
    }
}

impl Fixture {
    fn add(&mut self, minutes: i64, sector: Option<&str>, body: Body) -> RecordId {
        self.store
            .create(
                &self.me,
                Record {
                    operation_id: Some(self.op),
                    occurred_at: self.start + Duration::minutes(minutes),
                    location: None,
                    sector: sector.map(str::to_string),
                    links: vec![],
                    tags: vec![],
                    attachments: vec![],
                    body,
                },
            )
            .unwrap()
            .record_id
    }

    fn rumour(&mut self, minutes: i64, content: &str) -> RecordId {
        self.add(
            minutes,
            Some("North"),
            Body::RumourReport(RumourReport {
                content: content.into(),
                heard_at: "by the stage".into(),
                source: RumourSource::Crowd,
                source_detail: String::new(),
                spread: RumourSpread::Local,
                risk: RumourRisk::Medium,
                status: RumourStatus::Reported,
                findings: String::new(),
                control_actions: vec![],
                verified_at: None,
            }),
        )
    }

    fn negotiation(&mut self, minutes: i64, outcome: Outcome) -> RecordId {
        self.add(
            minutes,
            None,
            Body::NegotiationOutcome(NegotiationOutcome {
                parties: "Organisers".into(),
                subject: NegotiationSubject::Route,
                police_position: "Keep to the agreed route".into(),
                conditions: vec!["No stop on the ring road".into()],
                other_position: String::new(),
                outcome,
                agreed: if matches!(outcome, Outcome::Agreed | Outcome::PartlyAgreed) {
                    "Route via Broad Street".into()
                } else {
                    String::new()
                },
                compliance: None,
                compliance_note: String::new(),
            }),
        )
    }

    fn tension(&mut self, minutes: i64, sector: &str, mood: Mood) -> RecordId {
        self.add(
            minutes,
            Some(sector),
            Body::TensionReading(TensionReading {
                mood,
                crowd_estimate: Some(300),
                note: String::new(),
            }),
        )
    }
}

#[test]
fn home_counts_rumours_agreements_escalations_and_latest_tension_per_sector() {
    let mut f = fixture();
    let a = f.rumour(1, "A van is coming");
    f.rumour(2, "The route is closed");
    let c = f.rumour(3, "Counter-protest moving");
    set_rumour_status(&mut f.store, &f.me, a, RumourStatus::BeingChecked, None).unwrap();
    set_rumour_status(&mut f.store, &f.me, c, RumourStatus::BeingChecked, None).unwrap();
    set_rumour_status(
        &mut f.store,
        &f.me,
        c,
        RumourStatus::Refuted,
        Some("No sign of it".into()),
    )
    .unwrap();
    let agreed = f.negotiation(4, Outcome::Agreed);
    f.negotiation(5, Outcome::PartlyAgreed);
    f.negotiation(6, Outcome::NotAgreed);
    f.tension(10, "North", Mood::Calm);
    f.tension(30, "North", Mood::Tense);
    f.tension(20, "South", Mood::Uneasy);
    f.add(
        40,
        None,
        Body::Escalation(Escalation {
            category: EscalationKind::Safeguarding,
            summary: "Lost child at the stage".into(),
            told: "Bronze".into(),
            told_at: f.start + Duration::minutes(40),
            addressed_to: None,
            addressed_person: String::new(),
            escalated: vec![],
            acknowledged: None,
            decision: None,
            response: String::new(),
            response_at: None,
            responded_by: String::new(),
            monitored: vec![],
        }),
    );
    record_compliance(
        &mut f.store,
        &f.me,
        agreed,
        Compliance::NotKept,
        "Stopped on the ring road".into(),
    )
    .unwrap();

    let home = operation_home(&f.store, &f.me, f.op).unwrap();
    assert_eq!(home.rumours.open, 2);
    assert_eq!(
        (home.rumours.reported, home.rumours.being_checked, home.rumours.refuted),
        (1, 1, 1)
    );
    assert_eq!(home.agreements, 2);
    assert_eq!(home.awaiting_compliance, 1);
    assert_eq!(home.broken_agreements, 1);
    assert_eq!(home.escalations, 1);
    let north = &home.tension[0];
    assert_eq!(north.sector, "North");
    assert_eq!(
        north.latest.as_ref().unwrap().mood,
        Mood::Tense,
        "latest by time, not by entry"
    );
    assert_eq!(home.tension[1].latest.as_ref().unwrap().level, 3);
}

#[test]
fn rumour_moves_through_its_lifecycle_and_refuses_illegal_moves() {
    let mut f = fixture();
    let id = f.rumour(1, "Police are kettling at the station");
    let card = |s: &Store| {
        rumour_board(s, f.op)
            .unwrap()
            .into_iter()
            .find(|c| c.record_id == id)
            .unwrap()
    };
    assert_eq!(card(&f.store).next.len(), 4, "from reported anything but reported");
    set_rumour_status(&mut f.store, &f.me, id, RumourStatus::BeingChecked, None).unwrap();
    assert_eq!(
        card(&f.store).next,
        vec![RumourStatus::Confirmed, RumourStatus::Refuted, RumourStatus::Unresolved]
    );
    set_rumour_status(
        &mut f.store,
        &f.me,
        id,
        RumourStatus::Refuted,
        Some("Bronze: no containment".into()),
    )
    .unwrap();
    add_rumour_control(
        &mut f.store,
        &f.me,
        id,
        "Stewards".into(),
        "No kettle; route open".into(),
    )
    .unwrap();
    let c = card(&f.store);
    assert_eq!(c.report.status, RumourStatus::Refuted);
    assert_eq!(c.report.findings, "Bronze: no containment");
    assert_eq!(c.report.control_actions[0].told, "Stewards");
    assert_eq!(c.revision_count, 4);
    let err = set_rumour_status(&mut f.store, &f.me, id, RumourStatus::Reported, None).unwrap_err();
    assert!(
        matches!(err, StoreError::Validation(ValidationError::Invalid { ref field, .. }) if field == "body.status")
    );

    let access = crate::audit::Access {
        officer: f.me.clone(),
        purpose: String::new(),
    };
    let detail = record_detail(&f.store, &access, id).unwrap();
    let reasons: Vec<_> = detail.history.iter().map(|h| h.reason.clone()).collect();
    assert_eq!(
        reasons,
        vec![
            None,
            Some("Rumour Reported → Being checked".into()),
            Some("Rumour Being checked → Refuted".into()),
            Some("Rumour control: told Stewards".into())
        ]
    );
    let refuted = &detail.history[2].changes;
    assert!(refuted.contains(&FieldChange {
        field: "body.status".into(),
        before: Some("being_checked".into()),
        after: Some("refuted".into())
    }));
    assert!(refuted.iter().any(|c| c.field == "body.findings" && c.before.is_none()));
}

#[test]
fn a_rumours_time_to_verify_runs_from_heard_to_its_first_settling_and_reopening_clears_it() {
    let mut f = fixture();
    let id = f.rumour(0, "They will kettle the march at the station");
    let card = |store: &Store| {
        rumour_board(store, f.op)
            .unwrap()
            .into_iter()
            .find(|c| c.record_id == id)
            .unwrap()
    };
    assert_eq!(card(&f.store).time_to_verify_s, None, "not verified yet");
    set_rumour_status(&mut f.store, &f.me, id, RumourStatus::BeingChecked, None).unwrap();
    assert_eq!(card(&f.store).time_to_verify_s, None);
    set_rumour_status(&mut f.store, &f.me, id, RumourStatus::Confirmed, None).unwrap();
    let c = card(&f.store);
    let verified = c.report.verified_at.expect("set by the move");
    assert_eq!(
        c.time_to_verify_s,
        Some((verified - c.occurred_at).num_seconds() as u32),
        "from when it was heard"
    );
    set_rumour_status(&mut f.store, &f.me, id, RumourStatus::BeingChecked, None).unwrap();
    assert_eq!(card(&f.store).report.verified_at, None, "reopened: no longer verified");
    // A verification time on a rumour that is not settled is refused by the validator.
    let mut reopened = card(&f.store);
    reopened.report.verified_at = Some(Utc::now());
    let record = crate::records::Record {
        operation_id: Some(f.op),
        occurred_at: reopened.occurred_at,
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::RumourReport(reopened.report),
    };
    let err = record.validate().unwrap_err();
    assert_eq!(err.fields(), ["body.verified_at"]);
}

#[test]
fn rumour_actions_refuse_a_record_of_another_kind() {
    let mut f = fixture();
    let n = f.negotiation(1, Outcome::Agreed);
    assert!(set_rumour_status(&mut f.store, &f.me, n, RumourStatus::BeingChecked, None).is_err());
    let r = f.rumour(2, "x");
    assert!(record_compliance(&mut f.store, &f.me, r, Compliance::Kept, String::new()).is_err());
}

#[test]
fn compliance_is_only_recorded_for_agreements() {
    let mut f = fixture();
    let refused = f.negotiation(1, Outcome::NotAgreed);
    let err = record_compliance(&mut f.store, &f.me, refused, Compliance::Kept, String::new()).unwrap_err();
    assert!(matches!(err, StoreError::Validation(_)));
    let agreed = f.negotiation(2, Outcome::Agreed);
    let before = negotiations(&f.store, f.op).unwrap();
    assert!(
        before
            .iter()
            .find(|c| c.record_id == agreed)
            .unwrap()
            .awaiting_compliance
    );
    record_compliance(&mut f.store, &f.me, agreed, Compliance::Kept, "Route kept".into()).unwrap();
    let after = negotiations(&f.store, f.op).unwrap();
    let card = after.iter().find(|c| c.record_id == agreed).unwrap();
    assert!(!card.awaiting_compliance);
    assert_eq!(card.negotiation.compliance, Some(Compliance::Kept));
}

#[test]
fn tension_series_is_oldest_first_and_spans_the_operation() {
    let mut f = fixture();
    f.tension(90, "South", Mood::Hostile);
    f.tension(10, "North", Mood::Calm);
    f.tension(-30, "North", Mood::GoodNatured);
    let s = tension_series(&f.store, &f.me, f.op).unwrap();
    assert_eq!(s.sectors, vec!["North", "South"]);
    let minutes: Vec<i64> = s.points.iter().map(|p| (p.at - f.start).num_minutes()).collect();
    assert_eq!(minutes, vec![-30, 10, 90]);
    assert_eq!(
        s.starts_at,
        f.start - Duration::minutes(30),
        "stretched to an early reading"
    );
    assert_eq!(s.ends_at, f.start + Duration::hours(5));
    assert_eq!(s.points[2].level, 5);
}

#[test]
fn timeline_pages_through_everything_once_even_at_exact_page_multiples() {
    let mut f = fixture();
    for i in 0..99 {
        f.tension(i, "North", Mood::Calm);
    }
    // 99 readings and the operation itself: exactly two pages of 50.
    let mut seen = std::collections::HashSet::new();
    let mut q = TimelineQuery {
        limit: 50,
        ..TimelineQuery::default()
    };
    let mut pages = 0;
    loop {
        let page = timeline(&f.store, &q).unwrap();
        pages += 1;
        for s in &page.items {
            assert!(seen.insert(s.record_id), "a record appeared twice");
        }
        match page.next {
            Some(c) => q.after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 100);
    assert_eq!(pages, 3, "two full pages and an empty one");
    let only = timeline(
        &f.store,
        &TimelineQuery {
            kinds: vec![RecordKind::Operation],
            ..TimelineQuery::default()
        },
    )
    .unwrap();
    assert_eq!(only.items.len(), 1);
    assert!(only.next.is_none());
}

#[test]
fn drafts_survive_closing_the_app_and_go_when_discarded() {
    let mut f = fixture();
    let key = format!("capture:{}:contact_note", f.op);
    f.store.save_draft(&key, &f.me, r#"{"summary":"half a note"}"#).unwrap();
    f.store
        .save_draft(&key, &f.me, r#"{"summary":"half a note, more"}"#)
        .unwrap();
    let path = f.path.clone();
    f.store = Store::open(&path).unwrap();
    let d = f.store.draft(&key).unwrap().unwrap();
    assert_eq!(d.content, r#"{"summary":"half a note, more"}"#);
    assert!(f.store.discard_draft(&key).unwrap());
    assert!(f.store.draft(&key).unwrap().is_none());
    assert!(!f.store.discard_draft(&key).unwrap());
    assert!(f.store.save_draft(" ", &f.me, "{}").is_err());
    assert!(f.store.save_draft(&key, &f.me, &"x".repeat(70_000)).is_err());
}

#[test]
fn bulk_reads_refuse_personal_data() {
    let f = fixture();
    assert!(matches!(
        f.store.current_records(None, &[RecordKind::Person], 10),
        Err(StoreError::PurposeRequired)
    ));
}

#[test]
fn neighbourhood_puts_the_policy_check_on_every_task() {
    let mut f = fixture();
    for (title, incident) in [
        ("Reassurance patrol, Ladypool Road", IncidentType::ReassurancePatrol),
        ("Report of a knife in the park", IncidentType::KnifeCrime),
    ] {
        f.store
            .create(
                &f.me,
                Record {
                    operation_id: None,
                    occurred_at: f.start,
                    location: None,
                    sector: None,
                    links: vec![],
                    tags: vec![],
                    attachments: vec![],
                    body: Body::Tasking(Tasking {
                        title: title.into(),
                        incident_type: incident,
                        briefing_ref: String::new(),
                        details: String::new(),
                        due: None,
                        status: TaskStatus::Open,
                        result: String::new(),
                        assigned_to: None,
                        override_reason: String::new(),
                    }),
                },
            )
            .unwrap();
    }
    let n = neighbourhood(&f.store).unwrap();
    assert_eq!(n.taskings.len(), 2);
    for t in &n.taskings {
        let unsuited = matches!(t.check, DeploymentCheck::UnsuitedAsFirstResponse { .. });
        assert_eq!(unsuited, t.tasking.incident_type == IncidentType::KnifeCrime);
    }
}

fn tasking_record(at: DateTime<Utc>, incident_type: IncidentType, override_reason: &str) -> Record {
    Record {
        operation_id: None,
        occurred_at: at,
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::Tasking(Tasking {
            title: "Attend the address".into(),
            incident_type,
            briefing_ref: String::new(),
            details: String::new(),
            due: None,
            status: TaskStatus::Open,
            result: String::new(),
            assigned_to: None,
            override_reason: override_reason.into(),
        }),
    }
}

#[test]
fn the_tablets_tasking_form_refuses_an_unsuited_type_without_an_override_and_writes_nothing() {
    let mut f = fixture();
    let before = status(&f.store, &f.me, None).unwrap().waiting_to_sync;
    let refused = create_record(
        &mut f.store,
        &f.me,
        tasking_record(f.start, IncidentType::KnifeCrime, ""),
        None,
    );
    match refused {
        Err(StoreError::Validation(e)) => {
            assert_eq!(e.fields(), vec!["body.override_reason"]);
            assert!(e.to_string().contains("2.8.3"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        status(&f.store, &f.me, None).unwrap().waiting_to_sync,
        before,
        "nothing written"
    );
    let saved = create_record(
        &mut f.store,
        &f.me,
        tasking_record(
            f.start,
            IncidentType::KnifeCrime,
            "Scene held by response; supporting the victim",
        ),
        None,
    )
    .unwrap();
    // Setting status and result does not re-run the check; re-typing the task does.
    let mut done = tasking_record(
        f.start,
        IncidentType::KnifeCrime,
        "Scene held by response; supporting the victim",
    );
    if let Body::Tasking(t) = &mut done.body {
        t.status = TaskStatus::Done;
        t.result = "Victim visited".into();
    }
    edit_record(&mut f.store, &f.me, saved.record_id, done, "Done", None).unwrap();
    let retyped = tasking_record(f.start, IncidentType::Firearms, "");
    assert!(matches!(
        edit_record(&mut f.store, &f.me, saved.record_id, retyped, "Re-typed", None),
        Err(StoreError::Validation(_))
    ));
}

#[test]
fn a_task_given_by_someone_else_shows_who_gave_it() {
    let mut f = fixture();
    let mut given = tasking_record(f.start, IncidentType::ReassurancePatrol, "");
    if let Body::Tasking(t) = &mut given.body {
        t.assigned_to = Some(f.me.clone());
    }
    // As it arrives from the server: authored by the sergeant, assigned to this officer.
    f.store.create(&officer("PS 100"), given).unwrap();
    f.store
        .create(&f.me, tasking_record(f.start, IncidentType::VictimVisit, ""))
        .unwrap();
    let n = neighbourhood(&f.store).unwrap();
    let mut by: Vec<_> = n.taskings.iter().map(|t| t.given_by.clone()).collect();
    by.sort();
    assert_eq!(by, vec![None, Some(officer("PS 100"))]);
}

#[test]
fn status_counts_what_this_device_made_and_capture_defaults_use_the_last_sector() {
    let mut f = fixture();
    let before = status(&f.store, &f.me, None).unwrap().waiting_to_sync;
    assert_eq!(before, 1);
    assert_eq!(capture_defaults(&f.store, &f.me, f.op).unwrap().sector, None);
    f.tension(5, "South", Mood::Calm);
    assert_eq!(status(&f.store, &f.me, None).unwrap().waiting_to_sync, 2);
    let d = capture_defaults(&f.store, &f.me, f.op).unwrap();
    assert_eq!(d.sector.as_deref(), Some("South"));
    assert_eq!(d.sectors, vec!["North", "South"]);
    assert!((Utc::now() - d.occurred_at).num_seconds().abs() < 5);
}

#[test]
fn vocabulary_labels_every_value_of_every_list() {
    let v = vocabulary();
    assert_eq!(v.record_kind.len(), RecordKind::ALL.len());
    assert_eq!(v.mood.len(), 5);
    assert_eq!(v.incident_type.len(), IncidentType::ALL.len());
    assert!(v
        .incident_type
        .iter()
        .any(|c| c.value == IncidentType::KnifeCrime && c.unsuited_category.as_deref() == Some("Violence & Threats")));
    assert!(v.rumour_status.iter().all(|c| !c.label.is_empty()));
    assert_eq!(v.rumour_status[1].label, "Being checked");
}

#[test]
fn directory_lists_entries_by_name_and_home_reads_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("d.db")).unwrap();
    let summary = crate::demo::generate(&mut store, Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap(), 3).unwrap();
    let entries = directory(&store).unwrap();
    assert!(entries.len() >= 15);
    let names: Vec<String> = entries.iter().map(|e| e.title.to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let ops = operations(&store).unwrap();
    assert_eq!(ops.len(), 1);
    let home = operation_home(&store, &officer("PC 4521"), ops[0].record_id).unwrap();
    assert_eq!(Some(home.operation_id), summary.operation_id);
    assert_eq!(home.groups_expected.len(), 3);
    assert_eq!(home.tension.len(), 4);
    assert!(home.tension.iter().all(|t| t.latest.is_some()));
    assert!(home.rumours.open > 0);
}

#[test]
fn a_directory_entry_shows_who_last_confirmed_it_and_when() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("d.db")).unwrap();
    crate::demo::generate(&mut store, Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap(), 3).unwrap();
    let entry = directory(&store)
        .unwrap()
        .into_iter()
        .find(|e| e.kind == RecordKind::Person)
        .unwrap();
    let before = store.current_body(entry.record_id).unwrap();
    let me = officer("PC 9001");
    let saved = confirm_directory_entry(&mut store, &me, entry.record_id).unwrap();
    let after = directory(&store)
        .unwrap()
        .into_iter()
        .find(|e| e.record_id == entry.record_id)
        .unwrap();
    assert_eq!(after.updated_by, me);
    assert!(after.updated_at > entry.updated_at);
    assert_eq!(after.author, entry.author, "who made it is unchanged");
    assert_eq!(
        store.current_body(entry.record_id).unwrap(),
        before,
        "the content is as it was"
    );
    let access = crate::audit::Access {
        officer: me.clone(),
        purpose: "checking the contact".into(),
    };
    let history = record_detail(&store, &access, entry.record_id).unwrap().history;
    let last = history.last().unwrap();
    assert_eq!(
        (last.revision_id, last.reason.as_deref()),
        (saved.revision_id, Some(home::CONFIRMED))
    );
    assert!(last.changes.is_empty());
    // Only directory entries are confirmed this way.
    let op = operations(&store).unwrap()[0].record_id;
    assert!(matches!(
        confirm_directory_entry(&mut store, &me, op),
        Err(StoreError::Validation(_))
    ));
}

#[test]
fn changes_name_added_removed_and_changed_fields() {
    let a = serde_json::json!({"body": {"summary": "old", "tags": ["a"], "gone": "x"}});
    let b = serde_json::json!({"body": {"summary": "new", "tags": ["a", "b"], "gone": ""}});
    let c = detail::changes(&a, &b);
    let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, vec!["body.gone", "body.summary", "body.tags[1]"]);
    assert_eq!(c[2].before, None);
    assert_eq!(c[2].after.as_deref(), Some("b"));
}

#[test]
fn the_app_resumes_the_operation_the_officer_last_worked_in() {
    let mut f = fixture();
    // Only the operation itself so far (it belongs to no operation): the newest operation.
    assert_eq!(resume_operation(&f.store, &f.me).unwrap(), Some(f.op));
    let other = f
        .store
        .create(
            &officer("PS 2817"),
            Record {
                operation_id: None,
                occurred_at: f.start,
                location: None,
                sector: None,
                links: vec![],
                tags: vec![],
                attachments: vec![],
                body: Body::Operation(Operation {
                    name: "Op Later".into(),
                    event_kind: EventKind::Pride,
                    starts_at: f.start,
                    ends_at: f.start + Duration::hours(2),
                    area: vec![],
                    sectors: vec![],
                    briefing: String::new(),
                    command_structure: String::new(),
                    groups_expected: vec![],
                    team: vec![],
                }),
            },
        )
        .unwrap()
        .record_id;
    assert_eq!(
        resume_operation(&f.store, &f.me).unwrap(),
        Some(other),
        "newest when nothing recorded"
    );
    f.tension(1, "North", Mood::Calm);
    assert_eq!(
        resume_operation(&f.store, &f.me).unwrap(),
        Some(f.op),
        "where the officer last recorded"
    );
    assert_eq!(resume_operation(&f.store, &officer("PS 2817")).unwrap(), Some(other));
    let empty = Store::open(f.path.with_file_name("empty.db")).unwrap();
    assert_eq!(resume_operation(&empty, &f.me).unwrap(), None);
}

#[test]
fn concurrent_edits_are_shown_side_by_side_and_keeping_one_resolves_them() {
    let mut f = fixture();
    let note = |summary: &str| Record {
        operation_id: Some(f.op),
        occurred_at: f.start,
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::ContactNote(ContactNote {
            spoke_with: "Organiser".into(),
            function: PltFunction::Sensing,
            summary: summary.into(),
            mood: None,
            follow_up: None,
            monitored: vec![],
        }),
    };
    let id = f.store.create(&f.me, note("Route agreed")).unwrap().record_id;
    let dir = tempfile::tempdir().unwrap();
    let mut other = Store::open(dir.path().join("other.db")).unwrap();
    other.receive(&f.store.outbox(100).unwrap()).unwrap();
    let colleague = officer("PC 7");
    f.store
        .edit(&f.me, id, note("Route agreed via Broad Street"), "route detail")
        .unwrap();
    other
        .edit(&colleague, id, note("Route agreed, stewards at the rear"), "stewards")
        .unwrap();
    f.store.receive(&other.outbox(100).unwrap()).unwrap();
    let access = crate::audit::Access {
        officer: f.me.clone(),
        purpose: String::new(),
    };
    let detail = record_detail(&f.store, &access, id).unwrap();
    let conflict = detail.conflict.expect("two versions are shown");
    assert_eq!(conflict.versions.len(), 2);
    assert!(conflict.versions[0].shown && !conflict.versions[1].shown);
    assert!(conflict.versions[0].differences.is_empty());
    let shown = detail.current.record.body.clone();
    let Body::ContactNote(shown) = shown else { panic!() };
    let diff = &conflict.versions[1].differences;
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert_eq!(diff[0].field, "body.summary");
    assert_eq!(diff[0].before.as_deref(), Some(shown.summary.as_str()));
    assert!(detail.refusals.is_empty());

    // Keeping the version not shown.
    let keep = conflict.versions[1].revision_id;
    let kept_summary = diff[0].after.clone().unwrap();
    merge_versions(
        &mut f.store,
        &f.me,
        id,
        keep,
        conflict.versions[0].revision_id,
        "Both agreed with Bronze",
    )
    .unwrap();
    let after = record_detail(&f.store, &access, id).unwrap();
    assert!(after.conflict.is_none());
    assert_eq!(after.current.open_heads, 1);
    let Body::ContactNote(now) = after.current.record.body else {
        panic!()
    };
    assert_eq!(now.summary, kept_summary);
    assert_eq!(
        after.history.last().unwrap().reason.as_deref(),
        Some("Both agreed with Bronze")
    );
}

#[test]
fn the_operation_map_shades_sectors_by_latest_tension_and_pins_only_located_field_records() {
    let mut f = fixture();
    let placed = |f: &mut Fixture, minutes: i64, at: Option<(f64, f64)>, body: Body| -> RecordId {
        let record = Record {
            operation_id: Some(f.op),
            occurred_at: f.start + Duration::minutes(minutes),
            location: at.map(|(lat, lon)| Location {
                lat,
                lon,
                accuracy_m: None,
            }),
            sector: None,
            links: vec![],
            tags: vec![],
            attachments: vec![],
            body,
        };
        f.store.create(&f.me, record).unwrap().record_id
    };
    let reading = |mood| {
        Body::TensionReading(TensionReading {
            mood,
            crowd_estimate: None,
            note: String::new(),
        })
    };
    // Placed by hand inside North: the store puts it in that sector from its position.
    let first = placed(&mut f, 5, Some((52.5, -1.5)), reading(Mood::Calm));
    let latest = placed(&mut f, 20, Some((52.6, -1.4)), reading(Mood::Tense));
    placed(&mut f, 30, None, reading(Mood::Hostile));
    f.rumour(40, "Not placed: no pin");

    let map = operation_map(&f.store, &f.me, f.op).unwrap();
    assert_eq!(map.sectors.len(), 2);
    assert_eq!(map.sectors[0].name, "North");
    assert_eq!(map.sectors[0].boundary, square(52.0, -2.0));
    assert_eq!(map.sectors[0].latest.as_ref().map(|t| t.mood), Some(Mood::Tense));
    assert_eq!(map.sectors[1].latest, None, "no reading in South");
    let ids: Vec<RecordId> = map.pins.iter().map(|p| p.record_id).collect();
    assert_eq!(ids, vec![first, latest], "only located records, oldest first");
    let pin = &map.pins[1];
    assert_eq!(pin.kind, RecordKind::TensionReading);
    assert_eq!(pin.sector.as_deref(), Some("North"));
    assert_eq!(
        (pin.location.lat, pin.location.lon, pin.location.accuracy_m),
        (52.6, -1.4, None)
    );
    assert_eq!(pin.title, f.store.current_body(latest).unwrap().body.title());
    assert!(!map.more_located);
}
