use super::*;
use chrono::TimeZone;

fn note(summary: &str) -> Record {
    Record {
        operation_id: Some(Uuid::now_v7()),
        occurred_at: Utc.with_ymd_and_hms(2026, 6, 6, 11, 0, 0).unwrap(),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::ContactNote(ContactNote {
            spoke_with: "Steward".into(),
            function: PltFunction::Sensing,
            summary: summary.into(),
            mood: Some(Mood::Calm),
            follow_up: None,
            monitored: vec![],
        }),
    }
}

fn rumour(status: RumourStatus) -> Record {
    Record {
        body: Body::RumourReport(RumourReport {
            content: "Police will kettle the march".into(),
            heard_at: String::new(),
            source: RumourSource::Crowd,
            source_detail: String::new(),
            spread: RumourSpread::Local,
            risk: RumourRisk::High,
            status,
            findings: String::new(),
            control_actions: vec![],
            verified_at: None,
        }),
        ..note("x")
    }
}

#[test]
fn a_valid_note_passes_and_round_trips_through_json() {
    let r = note("Organiser confirmed the route.");
    r.validate().unwrap();
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"kind\":\"contact_note\""), "{json}");
    assert_eq!(Record::from_json(&json).unwrap(), r);
}

#[test]
fn empty_required_fields_are_named() {
    let e = note("   ").validate().unwrap_err();
    assert_eq!(
        e,
        ValidationError::Required {
            field: "body.summary".into()
        }
    );
    assert_eq!(e.to_string(), "body.summary is required");
}

#[test]
fn over_long_text_is_refused_with_the_limit() {
    let e = note(&"a".repeat(validate::TEXT_MAX + 1)).validate().unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "body.summary is too long: {} characters, the limit is {}",
            validate::TEXT_MAX + 1,
            validate::TEXT_MAX
        )
    );
}

#[test]
fn several_problems_are_reported_together() {
    let mut r = note("");
    r.location = Some(Location {
        lat: 123.0,
        lon: 0.0,
        accuracy_m: None,
    });
    let e = r.validate().unwrap_err();
    assert_eq!(e.fields(), vec!["location", "body.summary"]);
}

#[test]
fn unknown_enum_values_are_typed_errors() {
    let json = serde_json::to_string(&note("x"))
        .unwrap()
        .replace("\"sensing\"", "\"interrogation\"");
    assert_eq!(
        Record::from_json(&json).unwrap_err(),
        ValidationError::UnknownValue {
            field: "value".into(),
            value: "interrogation".into()
        }
    );
    let json = serde_json::to_string(&note("x"))
        .unwrap()
        .replace("contact_note", "gossip");
    assert!(
        matches!(Record::from_json(&json).unwrap_err(), ValidationError::UnknownValue { value, .. } if value == "gossip")
    );
    assert!(RecordKind::parse("gossip").is_err());
}

#[test]
fn unknown_fields_are_refused() {
    let json = serde_json::to_string(&note("x"))
        .unwrap()
        .replace("\"summary\"", "\"extra\":1,\"summary\"");
    assert!(matches!(
        Record::from_json(&json).unwrap_err(),
        ValidationError::Malformed { .. }
    ));
}

#[test]
fn rumour_lifecycle_allows_forward_moves_only() {
    use RumourStatus::*;
    assert!(Reported.can_move_to(BeingChecked));
    assert!(BeingChecked.can_move_to(Refuted));
    assert!(Refuted.can_move_to(BeingChecked));
    assert!(!BeingChecked.can_move_to(Reported));
    assert!(!Confirmed.can_move_to(Refuted));
    let e = rumour(Reported).validate_edit(&rumour(Confirmed)).unwrap_err();
    assert_eq!(e.to_string(), "body.status cannot move from Confirmed to Reported");
}

#[test]
fn an_edit_cannot_change_the_kind() {
    assert!(rumour(RumourStatus::Reported).validate_edit(&note("x")).is_err());
}

#[test]
fn rumours_negotiations_and_readings_need_an_operation() {
    let mut r = rumour(RumourStatus::Reported);
    r.operation_id = None;
    assert_eq!(
        r.validate().unwrap_err(),
        ValidationError::Required {
            field: "operation_id".into()
        }
    );
}

#[test]
fn an_agreement_needs_what_was_agreed_and_compliance_needs_an_agreement() {
    let mut n = NegotiationOutcome {
        parties: "Organiser".into(),
        subject: NegotiationSubject::Route,
        police_position: "Keep to the route".into(),
        conditions: vec![],
        other_position: String::new(),
        outcome: Outcome::Agreed,
        agreed: String::new(),
        compliance: None,
        compliance_note: String::new(),
    };
    let rec = |n: NegotiationOutcome| Record {
        body: Body::NegotiationOutcome(n),
        ..note("x")
    };
    assert_eq!(rec(n.clone()).validate().unwrap_err().fields(), vec!["body.agreed"]);
    n.outcome = Outcome::NotAgreed;
    n.compliance = Some(Compliance::Kept);
    assert_eq!(rec(n).validate().unwrap_err().fields(), vec!["body.compliance"]);
}

#[test]
fn the_pcso_deployment_check_follows_policy_2_8_3() {
    assert_eq!(
        deployment_check(IncidentType::ReassurancePatrol),
        DeploymentCheck::Suitable
    );
    match deployment_check(IncidentType::KnifeCrime) {
        DeploymentCheck::UnsuitedAsFirstResponse { category, advice } => {
            assert_eq!(category, "Violence & Threats");
            assert!(advice.contains("2.8.3"));
        }
        other => panic!("{other:?}"),
    }
    let unsuited = IncidentType::ALL
        .iter()
        .filter(|i| i.unsuited_category().is_some())
        .count();
    // The policy lists 33 incident types in seven groups.
    assert_eq!(unsuited, 33);
}

#[test]
fn engagement_and_intelligence_are_separate_kinds() {
    assert_ne!(RecordKind::ContactNote, RecordKind::IntelligenceSubmission);
    assert!(RecordKind::IntelligenceSubmission.is_personal());
    assert!(!RecordKind::ContactNote.is_personal());
}

#[test]
fn officer_ids_are_checked() {
    assert!(OfficerId::new("PC 4521").is_ok());
    assert!(OfficerId::new("  ").is_err());
    assert!(OfficerId::new("x".repeat(33)).is_err());
}

fn escalation(addressed: Option<EscalationTo>) -> (Record, Escalation) {
    let raised = Utc.with_ymd_and_hms(2026, 6, 6, 11, 0, 0).unwrap();
    let e = Escalation {
        category: EscalationKind::Safeguarding,
        summary: "Lone child near the stage".into(),
        told: String::new(),
        told_at: raised,
        addressed_to: addressed,
        addressed_person: String::new(),
        escalated: vec![],
        acknowledged: None,
        decision: None,
        response: String::new(),
        response_at: None,
        responded_by: String::new(),
        monitored: vec![],
    };
    (
        Record {
            operation_id: None,
            body: Body::Escalation(e.clone()),
            ..note("x")
        },
        e,
    )
}

fn with(mut r: Record, e: Escalation) -> Record {
    r.body = Body::Escalation(e);
    r
}

#[test]
fn an_escalation_needs_an_addressee_or_whom_was_told() {
    let (r, _) = escalation(None);
    assert_eq!(r.validate().unwrap_err().fields(), vec!["body.told"]);
    let (r, _) = escalation(Some(EscalationTo::Supervisor));
    r.validate().unwrap();
}

#[test]
fn an_acknowledgement_is_kept_as_made_and_steps_are_only_added() {
    let (r, e) = escalation(Some(EscalationTo::Supervisor));
    let ack = Acknowledgement {
        by: "ps.2817".into(),
        name: "PS Shah (supervisor)".into(),
        at: e.told_at + chrono::Duration::minutes(3),
    };
    let acked = with(
        r.clone(),
        Escalation {
            acknowledged: Some(ack.clone()),
            ..e.clone()
        },
    );
    acked.validate_edit(&r).unwrap();
    assert_eq!(
        match &acked.body {
            Body::Escalation(e) => e.time_to_acknowledge_s(),
            _ => None,
        },
        Some(180)
    );
    // Removing or rewriting the acknowledgement is refused.
    let err = r.validate_edit(&acked).unwrap_err();
    assert_eq!(err.fields(), vec!["body.acknowledged"]);
    let other = with(
        r.clone(),
        Escalation {
            acknowledged: Some(Acknowledgement {
                by: "someone.else".into(),
                ..ack
            }),
            ..e.clone()
        },
    );
    assert!(other.validate_edit(&acked).is_err());
    // A step up the chain, then an edit that drops it.
    let step = EscalationStep {
        to: EscalationTo::DutyInspector,
        at: e.told_at + chrono::Duration::minutes(10),
        reason: "Not acknowledged within 10 minutes".into(),
    };
    let stepped = with(
        r.clone(),
        Escalation {
            escalated: vec![step],
            ..e.clone()
        },
    );
    stepped.validate_edit(&r).unwrap();
    assert_eq!(r.validate_edit(&stepped).unwrap_err().fields(), vec!["body.escalated"]);
    // A decision needs an acknowledgement.
    let decided = with(
        r,
        Escalation {
            decision: Some(EscalationDecision::AdviceGiven),
            ..e
        },
    );
    assert_eq!(decided.validate().unwrap_err().fields(), vec!["body.decision"]);
}

#[test]
fn unanswered_escalations_go_up_to_gold_and_stop() {
    let mut at = Some(EscalationTo::Supervisor);
    let mut path = vec![];
    while let Some(to) = at {
        path.push(to);
        at = to.next_up();
    }
    use EscalationTo::*;
    assert_eq!(path, vec![Supervisor, DutyInspector, Silver, Gold]);
    assert_eq!(Bronze.next_up(), Some(Silver));
}

#[test]
fn an_abstractions_decision_is_kept_as_made_and_a_refusal_says_why() {
    let start = Utc.with_ymd_and_hms(2026, 6, 6, 9, 0, 0).unwrap();
    let a = Abstraction {
        from_duty: "Neighbourhood patrol".into(),
        to_duty: "Cordon at the rally".into(),
        authorised_by: String::new(),
        reason: "Visible presence needed".into(),
        starts_at: start,
        ends_at: Some(start + chrono::Duration::hours(10)),
        decision: None,
    };
    assert_eq!(a.hours(start), 10.0);
    let requested = Record {
        operation_id: None,
        body: Body::Abstraction(a.clone()),
        ..note("x")
    };
    requested.validate().unwrap();
    let decided = |outcome, note: &str| Record {
        body: Body::Abstraction(Abstraction {
            decision: Some(AbstractionDecision {
                outcome,
                by: "ps.2817".into(),
                name: "PS Okafor (supervisor)".into(),
                at: start,
                note: note.into(),
            }),
            ..a.clone()
        }),
        ..requested.clone()
    };
    assert_eq!(
        decided(AbstractionOutcome::Refused, "")
            .validate()
            .unwrap_err()
            .fields(),
        vec!["body.decision.note"]
    );
    let authorised = decided(AbstractionOutcome::Authorised, "");
    authorised.validate_edit(&requested).unwrap();
    assert_eq!(
        requested.validate_edit(&authorised).unwrap_err().fields(),
        vec!["body.decision"]
    );
    assert!(decided(AbstractionOutcome::Refused, "no cover")
        .validate_edit(&authorised)
        .is_err());
}

#[test]
fn a_tablet_never_writes_a_supervisors_acknowledgement_or_decision() {
    let (r, e) = escalation(Some(EscalationTo::Supervisor));
    r.device_may_follow(None).unwrap();
    let acked = with(
        r.clone(),
        Escalation {
            acknowledged: Some(Acknowledgement {
                by: "ps.2817".into(),
                name: "PS Okafor (supervisor)".into(),
                at: e.told_at,
            }),
            ..e.clone()
        },
    );
    // Forged on the tablet: as a first revision, or as an edit of an unacknowledged one.
    assert_eq!(
        acked.device_may_follow(None).unwrap_err().fields(),
        vec!["body.acknowledged"]
    );
    assert!(acked.device_may_follow(Some(&r)).is_err());
    // Carried over unchanged after the console wrote it: the officer may add to the record.
    let added = with(
        r.clone(),
        Escalation {
            told: "Also the store manager".into(),
            ..match &acked.body {
                Body::Escalation(e) => e.clone(),
                _ => unreachable!(),
            }
        },
    );
    added.device_may_follow(Some(&acked)).unwrap();
    // Dropped on the tablet.
    assert!(r.device_may_follow(Some(&acked)).is_err());
}

/// A contact note and a referral saved before strands existed: their canonical bodies, as the
/// server and the tablets hold them.
const BEFORE_STRANDS: [&str; 2] = [
    r#"{"body":{"function":"sensing","kind":"contact_note","mood":"calm","spoke_with":"Steward","summary":"Crowd relaxed"},"occurred_at":"2026-06-06T11:00:00Z","operation_id":"01890a5d-ac96-774b-bcce-b302099a8057"}"#,
    r#"{"body":{"agency_name":"Midlands Hate Crime Support","consent":true,"kind":"referral","person":"Victim at the bus stop","reason":"Wants support"},"occurred_at":"2026-06-06T12:30:00Z"}"#,
];

#[test]
fn a_revision_made_before_strands_existed_keeps_its_canonical_body_and_its_hash() {
    use crate::evidence::{canonical_body, Hash, Hlc, Revision};
    for (i, stored) in BEFORE_STRANDS.iter().enumerate() {
        let record: Record = serde_json::from_str(stored).unwrap();
        assert!(record.body.monitored().is_empty());
        assert_eq!(
            canonical_body(&record),
            *stored,
            "the body re-derived is the one hashed"
        );
        let mut rev = Revision {
            id: Uuid::from_u128(0x0189_0a5d_ac96_774b_bcce_b302_099a_8000 + i as u128),
            record_id: Uuid::from_u128(0x0189_0a5d_ac96_774b_bcce_b302_099a_9000 + i as u128),
            parent: None,
            merges: None,
            kind: record.kind(),
            author: OfficerId::new("PC 4521").unwrap(),
            device_id: Uuid::from_u128(0x0189_0a5d_ac96_774b_bcce_b302_099a_7000),
            device_seq: 1 + i as u64,
            recorded_at: Utc.with_ymd_and_hms(2026, 6, 6, 11, 1, 0).unwrap(),
            hlc: Hlc {
                ms: 1_780_743_660_000,
                counter: 0,
            },
            reason: None,
            body: record,
            prev_hash: Hash::GENESIS,
            hash: Hash::GENESIS,
        };
        // The hash over the stored bytes (what the chain holds), then checked the way `verify`
        // checks it: over the body re-derived from the record as this version decodes it.
        rev.hash = rev.compute_hash(stored);
        assert!(rev.hash_is_valid(), "revision {i}'s hash no longer verifies");
    }
}

#[test]
fn strands_are_kept_on_the_kinds_that_carry_them_and_each_is_given_once() {
    let mut r = note("Victim of homophobic abuse outside the bar");
    if let Body::ContactNote(n) = &mut r.body {
        n.monitored = vec![MonitoredStrand::SexualOrientation, MonitoredStrand::TransgenderIdentity];
    }
    r.validate().unwrap();
    let json = serde_json::to_string(&r).unwrap();
    assert!(
        json.contains(r#""monitored":["sexual_orientation","transgender_identity"]"#),
        "{json}"
    );
    assert_eq!(Record::from_json(&json).unwrap(), r);
    if let Body::ContactNote(n) = &mut r.body {
        n.monitored.push(MonitoredStrand::SexualOrientation);
    }
    assert_eq!(r.validate().unwrap_err().fields(), vec!["body.monitored"]);
    let unknown = json.replace("transgender_identity", "football_rivalry");
    assert!(matches!(
        Record::from_json(&unknown),
        Err(ValidationError::UnknownValue { .. })
    ));
    assert!(rumour(RumourStatus::Reported).body.monitored().is_empty());
}
