//! The judge's case table: every verdict, each produced by the shortest change to one valid
//! revision (or to what the server holds) that leads to it.

use super::*;
use chrono::TimeZone;
use liaison_core::evidence::Hlc;
use liaison_core::records::{Body, Group, GroupKind, Record};
use liaison_core::OfficerId;

const OFFICER: &str = "PCSO 1234";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

fn device() -> DeviceAuth {
    DeviceAuth {
        device_id: Uuid::from_u128(7),
        officer: OFFICER.into(),
        revoked: None,
    }
}

fn group(op: Option<Uuid>) -> Record {
    Record {
        operation_id: op,
        occurred_at: now(),
        location: None,
        sector: None,
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body: Body::Group(Group {
            name: "Friends of the Park".into(),
            group_kind: GroupKind::Participant,
            description: String::new(),
            contacts: vec![],
            website: String::new(),
        }),
    }
}

/// A valid first revision at place 1 of the device's chain, recorded a minute ago.
fn rev() -> Revision {
    let at = now() - Duration::minutes(1);
    seal(Revision {
        id: Uuid::from_u128(100),
        record_id: Uuid::from_u128(200),
        parent: None,
        merges: None,
        kind: RecordKind::Group,
        author: OfficerId::new(OFFICER).unwrap(),
        device_id: device().device_id,
        device_seq: 1,
        recorded_at: at,
        hlc: Hlc {
            ms: at.timestamp_millis(),
            counter: 0,
        },
        reason: None,
        body: group(None),
        prev_hash: Hash::GENESIS,
        hash: Hash::GENESIS,
    })
}

/// Neighbourhood work, visible to its author only: a tasking.
fn tasking(r: Revision) -> Revision {
    use liaison_core::records::{IncidentType, TaskStatus, Tasking};
    Revision {
        kind: RecordKind::Tasking,
        body: Record {
            body: Body::Tasking(Tasking {
                title: "Reassurance patrol, Park Road".into(),
                incident_type: IncidentType::ReassurancePatrol,
                briefing_ref: String::new(),
                details: String::new(),
                due: None,
                status: TaskStatus::Open,
                result: String::new(),
                assigned_to: None,
                override_reason: String::new(),
            }),
            ..group(None)
        },
        ..r
    }
}

/// Recomputes the hash after a change, as an honest (or a hostile but careful) device would.
fn seal(mut r: Revision) -> Revision {
    r.hash = r.compute_hash(&canonical_body(&r.body));
    r
}

fn edit(mut r: Revision) -> Revision {
    r.id = Uuid::from_u128(101);
    r.parent = Some(Uuid::from_u128(100));
    r.reason = Some("corrected".into());
    r
}

/// The whole judgement of one revision: standing, then alone, then against what is held.
fn judge(d: &DeviceAuth, r: &Revision, held: &Held) -> Result<Verdict, Refusal> {
    let examined = examine(d, r, now())?;
    Ok(decide(r, &examined, held))
}

fn refused(v: Result<Verdict, Refusal>) -> RejectReason {
    match v {
        Err(r) | Ok(Verdict::Refuse(r)) => r.reason,
        Ok(other) => panic!("expected a refusal, got {other:?}"),
    }
}

fn bound(r: &Revision) -> Held {
    Held {
        binding: Some(Binding::of(r, Scope::of(r))),
        parent_record: Some(r.record_id),
        ..Held::default()
    }
}

#[test]
fn a_valid_first_revision_is_stored_and_binds_its_record() {
    assert_eq!(
        judge(&device(), &rev(), &Held::default()),
        Ok(Verdict::Store {
            registers_operation: false,
            binds: true
        })
    );
}

#[test]
fn an_edit_of_a_held_record_naming_a_held_parent_is_stored() {
    let r = seal(edit(rev()));
    assert_eq!(
        judge(&device(), &r, &bound(&rev())),
        Ok(Verdict::Store {
            registers_operation: false,
            binds: false
        })
    );
}

#[test]
fn the_same_revision_again_is_already_held_and_another_with_its_id_is_a_conflicting_copy() {
    let r = rev();
    let held = Held {
        same_id: Some(r.hash),
        ..Held::default()
    };
    assert_eq!(judge(&device(), &r, &held), Ok(Verdict::AlreadyHeld));
    let held = Held {
        same_id: Some(Hash([9; 32])),
        ..Held::default()
    };
    assert_eq!(refused(judge(&device(), &r, &held)), RejectReason::ConflictingCopy);
}

#[test]
fn each_refusal_has_its_reason() {
    use RejectReason::*;
    let d = device();
    let none = Held::default();
    let cases: Vec<(&str, DeviceAuth, Revision, Held, RejectReason)> = vec![
        (
            "another device's revision",
            d.clone(),
            seal(Revision {
                device_id: Uuid::from_u128(8),
                ..rev()
            }),
            none.clone(),
            ForeignDevice,
        ),
        (
            "an author other than the enrolled officer",
            d.clone(),
            seal(Revision {
                author: OfficerId::new("Supt 0001").unwrap(),
                ..rev()
            }),
            none.clone(),
            NotAuthor,
        ),
        (
            "recorded after a retirement",
            DeviceAuth {
                revoked: Some(Revocation {
                    at: now() - Duration::hours(1),
                    reason: RevocationReason::Retired,
                }),
                ..d.clone()
            },
            rev(),
            none.clone(),
            Revoked,
        ),
        (
            "an invalid record",
            d.clone(),
            seal(Revision {
                body: Record {
                    body: Body::Group(Group {
                        name: String::new(),
                        group_kind: GroupKind::Participant,
                        description: String::new(),
                        contacts: vec![],
                        website: String::new(),
                    }),
                    ..group(None)
                },
                ..rev()
            }),
            none.clone(),
            Invalid,
        ),
        (
            "a kind that is not the body's",
            d.clone(),
            seal(Revision {
                kind: RecordKind::Venue,
                ..rev()
            }),
            none.clone(),
            Invalid,
        ),
        (
            "place 0 of a chain",
            d.clone(),
            seal(Revision { device_seq: 0, ..rev() }),
            none.clone(),
            Invalid,
        ),
        (
            "a recording time before 2020",
            d.clone(),
            seal(Revision {
                recorded_at: Utc.with_ymd_and_hms(2019, 12, 31, 23, 0, 0).unwrap(),
                hlc: Hlc {
                    ms: Utc.with_ymd_and_hms(2019, 12, 31, 23, 0, 0).unwrap().timestamp_millis(),
                    counter: 0,
                },
                ..rev()
            }),
            none.clone(),
            Invalid,
        ),
        (
            "a logical clock below the wall clock",
            d.clone(),
            seal(Revision {
                hlc: Hlc {
                    ms: rev().recorded_at.timestamp_millis() - 1,
                    counter: 0,
                },
                ..rev()
            }),
            none.clone(),
            Invalid,
        ),
        (
            "a logical clock so far back that its packed form wraps to the far future",
            d.clone(),
            seal(Revision {
                hlc: Hlc {
                    ms: -(1i64 << 47) - 1,
                    counter: 0,
                },
                ..rev()
            }),
            none.clone(),
            Invalid,
        ),
        (
            "a clock six minutes ahead",
            d.clone(),
            seal(Revision {
                hlc: Hlc {
                    ms: (now() + Duration::minutes(6)).timestamp_millis(),
                    counter: 0,
                },
                ..rev()
            }),
            none.clone(),
            ClockAhead,
        ),
        (
            "a recording time years ahead",
            d.clone(),
            seal(Revision {
                recorded_at: now() + Duration::days(3650),
                hlc: Hlc {
                    ms: (now() + Duration::days(3650)).timestamp_millis(),
                    counter: 0,
                },
                ..rev()
            }),
            none.clone(),
            ClockAhead,
        ),
        (
            "content changed after hashing",
            d.clone(),
            Revision {
                reason: Some("changed".into()),
                ..rev()
            },
            none.clone(),
            HashMismatch,
        ),
        (
            "another revision at its place",
            d.clone(),
            rev(),
            Held {
                same_seq: Some(Hash([1; 32])),
                ..none.clone()
            },
            Fork,
        ),
        (
            "a first revision not starting from genesis",
            d.clone(),
            seal(Revision {
                prev_hash: Hash([1; 32]),
                ..rev()
            }),
            none.clone(),
            BrokenChain,
        ),
        (
            "not linking to the revision before",
            d.clone(),
            seal(Revision {
                device_seq: 2,
                prev_hash: Hash([1; 32]),
                ..rev()
            }),
            Held {
                before: Some(Hash([2; 32])),
                ..none.clone()
            },
            BrokenChain,
        ),
        (
            "not linked to by the revision after",
            d.clone(),
            rev(),
            Held {
                after: Some(Hash([3; 32])),
                ..none.clone()
            },
            BrokenChain,
        ),
        (
            "a second first revision of a held record",
            d.clone(),
            rev(),
            bound(&rev()),
            RecordBound,
        ),
        (
            "an edit that moves the record into an operation",
            d.clone(),
            seal(Revision {
                body: group(Some(Uuid::from_u128(300))),
                ..edit(rev())
            }),
            bound(&rev()),
            RecordBound,
        ),
        (
            "an edit that changes the record's kind",
            d.clone(),
            seal(Revision {
                kind: RecordKind::Venue,
                body: Record {
                    body: Body::Venue(liaison_core::records::Venue {
                        name: "The Old Mill".into(),
                        address: String::new(),
                        manager: None,
                        phone: String::new(),
                        notes: String::new(),
                    }),
                    ..group(None)
                },
                ..edit(rev())
            }),
            bound(&rev()),
            RecordBound,
        ),
        (
            "an edit of another officer's own work",
            d.clone(),
            seal(edit(tasking(rev()))),
            Held {
                binding: Some(Binding {
                    kind: RecordKind::Tasking,
                    scope: Scope::Author,
                    author: "PC 9999".into(),
                }),
                parent_record: Some(rev().record_id),
                ..none.clone()
            },
            NotAuthor,
        ),
        (
            "an edit of a record the server does not hold",
            d.clone(),
            seal(edit(rev())),
            none.clone(),
            UnknownParent,
        ),
        (
            "a parent from another record",
            d.clone(),
            seal(edit(rev())),
            Held {
                parent_record: Some(Uuid::from_u128(999)),
                ..bound(&rev())
            },
            UnknownParent,
        ),
        (
            "a record of an operation its officer is not assigned to",
            d.clone(),
            seal(Revision {
                body: group(Some(Uuid::from_u128(300))),
                ..rev()
            }),
            Held {
                membership: Membership::NotAssigned,
                ..none.clone()
            },
            NotAssigned,
        ),
        (
            "a record of an operation the server does not know",
            d.clone(),
            seal(Revision {
                body: group(Some(Uuid::from_u128(300))),
                ..rev()
            }),
            Held {
                membership: Membership::UnknownOperation,
                ..none.clone()
            },
            NotAssigned,
        ),
    ];
    let mut seen = std::collections::HashSet::new();
    for (case, d, r, held, want) in cases {
        assert_eq!(refused(judge(&d, &r, &held)), want, "{case}");
        seen.insert(want);
    }
    // Every reason a revision can be refused for is produced above (ConflictingCopy by the
    // test before).
    seen.insert(ConflictingCopy);
    let all: std::collections::HashSet<_> = RejectReason::ALL.into_iter().collect();
    assert_eq!(seen, all, "a refusal reason without its case");
}

/// A merge of the record `rev()` made: keeps revision 101 (its parent) and merges 102, the
/// other head, both held revisions of the record.
fn merge(mut r: Revision) -> Revision {
    r.id = Uuid::from_u128(103);
    r.parent = Some(Uuid::from_u128(101));
    r.merges = Some(Uuid::from_u128(102));
    r.reason = Some("Kept PC 1's version".into());
    r
}

/// What the server holds for a merge of `rev()`'s record: the record, and both heads.
fn bound_for_merge(r: &Revision) -> Held {
    Held {
        merge_record: Some(r.record_id),
        ..bound(r)
    }
}

#[test]
fn a_merge_naming_two_held_versions_of_the_record_is_stored() {
    let r = seal(merge(rev()));
    assert_eq!(
        judge(&device(), &r, &bound_for_merge(&rev())),
        Ok(Verdict::Store {
            registers_operation: false,
            binds: false
        })
    );
}

#[test]
fn a_merge_is_refused_unless_it_keeps_one_held_version_and_merges_another_of_the_same_record() {
    let d = device();
    let cases: Vec<(&str, Revision, Held, &str)> = vec![
        (
            "no parent: nothing kept",
            seal(Revision {
                parent: None,
                ..merge(rev())
            }),
            bound_for_merge(&rev()),
            "names no version it keeps",
        ),
        (
            "the same version kept and merged",
            seal(Revision {
                merges: Some(Uuid::from_u128(101)),
                ..merge(rev())
            }),
            bound_for_merge(&rev()),
            "the same version as kept and as merged",
        ),
        (
            "a merged revision the server does not hold",
            seal(merge(rev())),
            bound(&rev()),
            "not a held revision of this record",
        ),
        (
            "a merged revision of another record",
            seal(merge(rev())),
            Held {
                merge_record: Some(Uuid::from_u128(999)),
                ..bound(&rev())
            },
            "not a held revision of this record",
        ),
    ];
    for (case, r, held, says) in cases {
        let refusal = match judge(&d, &r, &held) {
            Ok(Verdict::Refuse(r)) => r,
            other => panic!("{case}: expected a refusal, got {other:?}"),
        };
        assert_eq!(refusal.reason, RejectReason::UnknownParent, "{case}");
        assert!(refusal.message.contains(says), "{case}: {}", refusal.message);
        assert!(
            refusal.message.contains("a merge names two versions"),
            "{case}: {}",
            refusal.message
        );
    }
}

#[test]
fn a_merge_of_a_record_with_a_supervisors_part_is_refused() {
    use liaison_core::records::{Escalation, EscalationKind, EscalationTo};
    let escalation = Revision {
        kind: RecordKind::Escalation,
        body: Record {
            body: Body::Escalation(Escalation {
                category: EscalationKind::Safeguarding,
                summary: "Lone child by the fountain".into(),
                told: String::new(),
                told_at: now() - Duration::minutes(2),
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
            ..group(None)
        },
        ..rev()
    };
    assert!(escalation.kind.has_supervisors_part());
    let held = Held {
        parent_body: Some(escalation.body.clone()),
        ..bound_for_merge(&escalation)
    };
    match judge(&device(), &seal(merge(escalation)), &held) {
        Ok(Verdict::Refuse(r)) => {
            assert_eq!(r.reason, RejectReason::Invalid);
            assert!(r.message.contains("never merged on a tablet"), "{}", r.message);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn an_author_only_record_edited_by_its_author_is_stored() {
    let own = tasking(rev());
    let held = bound(&own);
    assert_eq!(held.binding.as_ref().map(|b| b.scope), Some(Scope::Author));
    assert!(matches!(
        judge(&device(), &seal(edit(own)), &held),
        Ok(Verdict::Store { .. })
    ));
}

#[test]
fn a_new_operation_made_on_a_tablet_registers_it() {
    let op = liaison_core::records::Operation {
        name: "Op Park".into(),
        event_kind: liaison_core::records::EventKind::CommunityEvent,
        starts_at: now(),
        ends_at: now() + Duration::hours(4),
        area: vec![],
        sectors: vec![],
        briefing: String::new(),
        command_structure: String::new(),
        groups_expected: vec![],
        team: vec![],
    };
    let r = seal(Revision {
        kind: RecordKind::Operation,
        body: Record {
            body: Body::Operation(op),
            ..group(None)
        },
        ..rev()
    });
    let held = Held {
        membership: Membership::UnknownOperation,
        ..Held::default()
    };
    assert_eq!(
        judge(&device(), &r, &held),
        Ok(Verdict::Store {
            registers_operation: true,
            binds: true
        })
    );
}

#[test]
fn a_clock_within_the_bound_is_accepted_as_it_is() {
    let r = seal(Revision {
        hlc: Hlc {
            ms: (now() + Duration::minutes(4)).timestamp_millis(),
            counter: 0,
        },
        ..rev()
    });
    assert!(examine(&device(), &r, now()).is_ok());
}

#[test]
fn a_retired_device_makes_one_final_push_bounded_by_the_servers_clock() {
    let retired = |ago: Duration| Standing {
        revoked: Some(Revocation {
            at: now() - ago,
            reason: RevocationReason::Retired,
        }),
        final_push_began: None,
    };
    assert_eq!(standing(&Standing::default(), now()), Ok(None));
    assert_eq!(standing(&retired(Duration::hours(1)), now()), Ok(Some(now())));
    // Too late to begin, whatever the device's clock says of its revisions.
    assert!(standing(&retired(Duration::days(4)), now()).is_err());
    // Once begun, the final push closes after its window: a second one later is refused.
    let began = Standing {
        final_push_began: Some(now() - Duration::minutes(10)),
        ..retired(Duration::hours(1))
    };
    assert_eq!(standing(&began, now()), Ok(Some(now() - Duration::minutes(10))));
    let over = Standing {
        final_push_began: Some(now() - Duration::hours(1)),
        ..retired(Duration::hours(2))
    };
    assert!(standing(&over, now()).is_err());
    for reason in [RevocationReason::Lost, RevocationReason::Stolen] {
        let s = Standing {
            revoked: Some(Revocation { at: now(), reason }),
            final_push_began: None,
        };
        assert!(standing(&s, now()).is_err(), "{reason}");
    }
}

#[test]
fn a_device_audit_entry_must_name_its_officer_and_fit_its_limits() {
    use liaison_core::audit::AuditAction;
    let entry = |officer: &str, detail: String| ChainedAuditEntry {
        id: 1,
        at: now(),
        officer: OfficerId::new(officer).unwrap(),
        action: AuditAction::Consultation,
        record_id: None,
        detail,
        purpose: "debrief".into(),
        prev_hash: Hash::GENESIS,
        hash: Hash::GENESIS,
    };
    assert_eq!(examine_audit(&device(), &entry(OFFICER, "read".into())), Ok(()));
    assert_eq!(
        examine_audit(&device(), &entry("Supt 0001", "read".into()))
            .unwrap_err()
            .reason,
        RejectReason::NotAuthor
    );
    let retention = ChainedAuditEntry {
        action: AuditAction::Erasure,
        ..entry(
            liaison_core::retention::RETENTION_ACTOR,
            "contact_note: 2 revisions erased".into(),
        )
    };
    assert_eq!(examine_audit(&device(), &retention), Ok(()));
    let disguised = ChainedAuditEntry {
        action: AuditAction::Disclosure,
        ..retention
    };
    assert_eq!(
        examine_audit(&device(), &disguised).unwrap_err().reason,
        RejectReason::NotAuthor
    );
    let retired = DeviceAuth {
        revoked: Some(Revocation {
            at: now() - Duration::minutes(1),
            reason: RevocationReason::Retired,
        }),
        ..device()
    };
    assert_eq!(
        examine_audit(&retired, &entry(OFFICER, "read after hand-in".into()))
            .unwrap_err()
            .reason,
        RejectReason::Revoked
    );
    assert_eq!(
        examine_audit(&device(), &entry(OFFICER, "x".repeat(MAX_AUDIT_TEXT + 1)))
            .unwrap_err()
            .reason,
        RejectReason::Invalid
    );
}

#[test]
fn a_code_is_presented_again_only_by_its_device_and_only_soon_after() {
    let (me, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
    assert_eq!(redemption(None, me, now()), Redemption::First);
    let used = Some((now() - Duration::minutes(2), me));
    assert_eq!(redemption(used, me, now()), Redemption::Retry, "the answer was lost");
    assert_eq!(redemption(used, other, now()), Redemption::Spent, "another device");
    let long_ago = Some((now() - ENROLMENT_RETRY_WITHIN - Duration::seconds(1), me));
    assert_eq!(
        redemption(long_ago, me, now()),
        Redemption::Spent,
        "too late to be a lost answer"
    );
}
