//! Intelligence on the tablet: a contact note submitted as intelligence (a new submission, made
//! on purpose, linked to the note, audited on the note; the note never changes kind), and the
//! officer's side of quality assurance: a returned submission edited is resubmitted (its review
//! cleared, the returned review kept in the chain), and a review is never written here: it is
//! the supervisor's, made in the console.

use crate::audit::Access;
use crate::records::{Body, IntelligenceSubmission, OfficerId, Record, RecordId, ReviewOutcome, ValidationError};
use crate::store::{Result, Saved, Store};

/// The submission a contact note suggests, for the officer to edit before it is saved.
pub fn intelligence_draft_from_note(
    store: &Store,
    officer: &OfficerId,
    note_id: RecordId,
) -> Result<IntelligenceSubmission> {
    let note = read_note(store, officer, note_id)?;
    let Body::ContactNote(n) = &note.body else {
        return Err(not_a_note(note_id).into());
    };
    Ok(IntelligenceSubmission::from_note(n, ""))
}

/// Saves `submission` as a new intelligence submission made from the contact note `note_id`,
/// with the officer's reason: linked to the note, with no operation (a submission is its
/// officer's, and goes to their supervisor's queue), timed and placed as the note was.
pub fn submit_note_as_intelligence(
    store: &mut Store,
    officer: &OfficerId,
    note_id: RecordId,
    mut submission: IntelligenceSubmission,
    reason: &str,
) -> Result<Saved> {
    let note = read_note(store, officer, note_id)?;
    if !matches!(note.body, Body::ContactNote(_)) {
        return Err(not_a_note(note_id).into());
    }
    submission.reason_from_note = reason.trim().to_string();
    submission.review = None;
    let record = Record {
        operation_id: None,
        occurred_at: note.occurred_at,
        location: note.location,
        sector: note.sector.clone(),
        links: vec![note_id],
        tags: vec![],
        attachments: vec![],
        body: Body::IntelligenceSubmission(submission),
    };
    store.create_intelligence_from_note(officer, note_id, record, reason)
}

/// The officer's edit of a submission, before it is saved: a review is never written on a
/// tablet, and editing a returned submission resubmits it (the review is cleared).
pub(super) fn prepare_edit(
    store: &Store,
    officer: &OfficerId,
    record_id: RecordId,
    record: &mut Record,
    reason: &str,
) -> Result<()> {
    let Body::IntelligenceSubmission(next) = &mut record.body else {
        return Ok(());
    };
    let access = Access {
        officer: officer.clone(),
        purpose: format!("editing: {}", reason.trim()),
    };
    let previous = store.get(record_id, &access)?;
    let Body::IntelligenceSubmission(before) = &previous.record.body else {
        return Ok(());
    };
    if next.review.is_some() && next.review != before.review {
        return Err(ValidationError::Invalid {
            field: "body.review".into(),
            reason: "a submission is reviewed by a supervisor in the console, not on a tablet".into(),
        }
        .into());
    }
    if before.outcome() == Some(ReviewOutcome::Returned) {
        next.review = None;
    }
    Ok(())
}

fn read_note(store: &Store, officer: &OfficerId, note_id: RecordId) -> Result<Record> {
    // A contact note is not personal data: reading it is not a consultation to log.
    let access = Access {
        officer: officer.clone(),
        purpose: String::new(),
    };
    Ok(store.get(note_id, &access)?.record)
}

fn not_a_note(id: RecordId) -> ValidationError {
    ValidationError::Invalid {
        field: "note".into(),
        reason: format!("{id} is not a contact note: only what was heard in an engagement is submitted this way"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::*;
    use crate::store::Store;
    use chrono::Utc;

    fn officer() -> OfficerId {
        OfficerId::new("PCSO 7001").unwrap()
    }

    fn note() -> Record {
        Record {
            operation_id: None,
            occurred_at: Utc::now(),
            location: None,
            sector: None,
            links: vec![],
            tags: vec![],
            attachments: vec![],
            body: Body::ContactNote(ContactNote {
                spoke_with: "Mosque steward".into(),
                function: PltFunction::Sensing,
                summary: "White van parked at 2am twice this week".into(),
                mood: None,
                follow_up: None,
                monitored: vec![],
            }),
        }
    }

    fn store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        (Store::open(dir.path().join("t.db")).unwrap(), dir)
    }

    #[test]
    fn a_note_submitted_as_intelligence_is_a_new_linked_audited_record_and_the_note_is_unchanged() {
        let (mut s, _dir) = store();
        let me = officer();
        let note_id = s.create(&me, note()).unwrap().record_id;
        let access = Access {
            officer: me.clone(),
            purpose: "test".into(),
        };
        let before = s.get(note_id, &access).unwrap();
        let mut draft = intelligence_draft_from_note(&s, &me, note_id).unwrap();
        draft.summary = "Van at the mosque at night".into();
        let saved =
            submit_note_as_intelligence(&mut s, &me, note_id, draft, "Possible hostile reconnaissance").unwrap();
        let made = s.get(saved.record_id, &access).unwrap();
        assert_eq!(made.kind, RecordKind::IntelligenceSubmission);
        assert_eq!(made.record.links, vec![note_id]);
        assert_eq!(made.record.operation_id, None);
        let Body::IntelligenceSubmission(i) = &made.record.body else {
            unreachable!()
        };
        assert_eq!(i.summary, "Van at the mosque at night");
        assert_eq!(i.reason_from_note, "Possible hostile reconnaissance");
        // The note is as it was: same kind, same revision.
        let after = s.get(note_id, &access).unwrap();
        assert_eq!(
            (after.kind, after.revision_id),
            (RecordKind::ContactNote, before.revision_id)
        );
        // Audited on the note, naming the submission, with the reason.
        let on_note = s.audit_entries(Some(note_id)).unwrap();
        let act = on_note
            .iter()
            .find(|e| e.action == crate::audit::AuditAction::Combination)
            .expect("the act is audited on the note");
        assert!(act.detail.contains(&saved.record_id.to_string()));
        assert_eq!(act.purpose, "Possible hostile reconnaissance");
        assert!(s.verify_audit_chain().unwrap().is_valid());
    }

    #[test]
    fn submitting_needs_a_reason_and_a_contact_note() {
        let (mut s, _dir) = store();
        let me = officer();
        let note_id = s.create(&me, note()).unwrap().record_id;
        let draft = intelligence_draft_from_note(&s, &me, note_id).unwrap();
        assert!(submit_note_as_intelligence(&mut s, &me, note_id, draft.clone(), "  ").is_err());
        let saved = submit_note_as_intelligence(&mut s, &me, note_id, draft.clone(), "why").unwrap();
        // A submission is not a note: it cannot be submitted again from itself.
        assert!(submit_note_as_intelligence(&mut s, &me, saved.record_id, draft, "why").is_err());
    }

    #[test]
    fn an_officer_cannot_review_on_a_tablet_and_editing_a_returned_submission_resubmits_it() {
        let (mut s, _dir) = store();
        let me = officer();
        let note_id = s.create(&me, note()).unwrap().record_id;
        let draft = intelligence_draft_from_note(&s, &me, note_id).unwrap();
        let id = submit_note_as_intelligence(&mut s, &me, note_id, draft, "why")
            .unwrap()
            .record_id;
        let access = Access {
            officer: me.clone(),
            purpose: "test".into(),
        };
        let mut record = s.get(id, &access).unwrap().record;
        let Body::IntelligenceSubmission(i) = &mut record.body else {
            unreachable!()
        };
        i.review = Some(IntelReview {
            outcome: ReviewOutcome::Returned,
            feedback: "Which nights?".into(),
            grading: None,
            by: "me".into(),
            reviewed_by: "me".into(),
            at: Utc::now(),
        });
        let refused = crate::service::edit_record(&mut s, &me, id, record.clone(), "self review", None);
        assert!(refused.is_err(), "a tablet does not write a review");
        // The supervisor's return (as the console writes it), then the officer's edit.
        s.edit(&OfficerId::new("PS 2817").unwrap(), id, record.clone(), "returned")
            .unwrap();
        let Body::IntelligenceSubmission(i) = &mut record.body else {
            unreachable!()
        };
        i.detail = "Tuesday and Thursday, 02:00".into();
        crate::service::edit_record(&mut s, &me, id, record, "answered the feedback", None).unwrap();
        let now = s.get(id, &access).unwrap();
        let Body::IntelligenceSubmission(i) = &now.record.body else {
            unreachable!()
        };
        assert!(i.review.is_none(), "resubmitted: waiting for review again");
        assert_eq!(
            now.revision_count, 3,
            "made, returned, resubmitted: the return stays in the chain"
        );
    }
}
