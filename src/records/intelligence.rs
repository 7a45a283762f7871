//! An intelligence submission. Kept apart from contact notes on purpose: liaison officers
//! engage, they are not tasked to gather intelligence; a submission is a deliberate act with
//! its own record, never a side effect of an engagement note (one made from a note links to it
//! and says why: [`IntelligenceSubmission::from_note`]).
//!
//! Quality assurance (policy 1.2): the officer's supervisor grades a submission with the
//! force's 3x5x2 grading ([`IntelGrading`]) and accepts it, or returns it with feedback
//! ([`IntelReview`]). The review is a revision written in the console; once made it is kept
//! as it is ([`IntelligenceSubmission::check_edit`]), except that a returned submission may be
//! edited and resubmitted by its officer, which clears the review (the returned review stays
//! in the record's chain of revisions).

use super::{labelled_enum, validate::Checker, ContactNote, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    SourceKind {
        OfficerObservation => "Officer's own observation",
        MemberOfPublic => "Member of the public",
        Partner => "Partner agency",
        Other => "Other",
    }
);

labelled_enum!(
    /// How far the source can be relied on (the "3" of 3x5x2).
    SourceEvaluation {
        Reliable => "1 — Reliable",
        Untested => "2 — Untested",
        NotReliable => "3 — Not reliable",
    }
);

labelled_enum!(
    /// How the source knows what it says (the "5" of 3x5x2).
    IntelAssessment {
        KnownDirectly => "A — Known directly to the source",
        KnownIndirectlyCorroborated => "B — Known indirectly, corroborated",
        KnownIndirectly => "C — Known indirectly",
        NotKnown => "D — Not known",
        SuspectedFalse => "E — Suspected to be false",
    }
);

labelled_enum!(
    /// Whether it may be shared (the "2" of 3x5x2).
    HandlingCode {
        Lawful => "P — Lawful sharing permitted",
        Conditions => "C — Lawful sharing permitted with conditions",
    }
);

labelled_enum!(
    /// What the supervisor decided.
    ReviewOutcome {
        Accepted => "Accepted",
        Returned => "Returned to the officer",
    }
);

/// The force's intelligence grading (National Intelligence Model 3x5x2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct IntelGrading {
    pub source: SourceEvaluation,
    pub assessment: IntelAssessment,
    pub handling: HandlingCode,
    /// The conditions of a C handling code (required with it, empty with P).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub conditions: String,
}

impl IntelGrading {
    /// The grading as written on a form, e.g. "1/B/P" or "2/C/C".
    pub fn code(&self) -> String {
        // Each label starts with its code.
        let s = &self.source.label()[..1];
        let a = &self.assessment.label()[..1];
        let h = &self.handling.label()[..1];
        format!("{s}/{a}/{h}")
    }
}

/// A supervisor's quality assurance of a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct IntelReview {
    pub outcome: ReviewOutcome,
    /// Why it was returned (required), or a note with an acceptance.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub feedback: String,
    /// Required to accept; may be given with a return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grading: Option<IntelGrading>,
    /// The console username of the reviewer.
    pub by: String,
    /// Their name and role as shown to the officer, e.g. "PS Kerr (supervisor)".
    pub reviewed_by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct IntelligenceSubmission {
    pub summary: String,
    pub detail: String,
    pub source: SourceKind,
    /// Submitted promptly where it could be time-critical.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub urgent: bool,
    /// The force intelligence system's reference, once submitted there.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reference: String,
    /// Why something heard in an engagement is submitted as intelligence, when the submission
    /// was made from a contact note (the record links to the note).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason_from_note: String,
    /// The supervisor's quality assurance, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<IntelReview>,
}

impl IntelligenceSubmission {
    /// A submission prefilled from a contact note, for the officer to edit before saving: the
    /// note's summary as the detail, who they spoke with as the source's description. The note
    /// itself is never changed.
    pub fn from_note(note: &ContactNote, reason: &str) -> IntelligenceSubmission {
        IntelligenceSubmission {
            summary: super::truncate_chars(&note.summary, 80),
            detail: format!("Heard while speaking with {}: {}", note.spoke_with, note.summary),
            source: SourceKind::MemberOfPublic,
            urgent: false,
            reference: String::new(),
            reason_from_note: reason.trim().to_string(),
            review: None,
        }
    }

    /// Accepted, returned, or waiting for its supervisor.
    pub fn outcome(&self) -> Option<ReviewOutcome> {
        self.review.as_ref().map(|r| r.outcome)
    }

    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.summary", &self.summary);
        c.required_text("body.detail", &self.detail);
        c.short("body.reference", &self.reference);
        c.text("body.reason_from_note", &self.reason_from_note);
        let Some(r) = &self.review else { return };
        c.required_short("body.review.by", &r.by);
        c.required_short("body.review.reviewed_by", &r.reviewed_by);
        c.text("body.review.feedback", &r.feedback);
        match r.outcome {
            ReviewOutcome::Returned => c.required_text("body.review.feedback", &r.feedback),
            ReviewOutcome::Accepted if r.grading.is_none() => c.push(ValidationError::Required {
                field: "body.review.grading".into(),
            }),
            ReviewOutcome::Accepted => {}
        }
        if let Some(g) = &r.grading {
            match g.handling {
                HandlingCode::Conditions => c.required_text("body.review.grading.conditions", &g.conditions),
                HandlingCode::Lawful if !g.conditions.trim().is_empty() => c.push(ValidationError::Invalid {
                    field: "body.review.grading.conditions".into(),
                    reason: "is only for handling code C".into(),
                }),
                HandlingCode::Lawful => {}
            }
        }
    }

    /// Checks that `self` may follow `previous`: a review once made is kept as it is; the one
    /// way past it is the officer resubmitting a returned submission, which clears it. What an
    /// accepted submission says is what was graded: only its force reference may be added.
    pub(super) fn check_edit(&self, previous: &IntelligenceSubmission) -> Result<(), ValidationError> {
        let Some(before) = &previous.review else {
            return Ok(());
        };
        let resubmitted = before.outcome == ReviewOutcome::Returned && self.review.is_none();
        if self.review.as_ref() != Some(before) && !resubmitted {
            return Err(ValidationError::Invalid {
                field: "body.review".into(),
                reason: "cannot change or remove a review once made (a returned submission is resubmitted, not re-reviewed in place)".into(),
            });
        }
        if before.outcome == ReviewOutcome::Accepted {
            let graded = IntelligenceSubmission {
                reference: self.reference.clone(),
                ..previous.clone()
            };
            if *self != graded {
                return Err(ValidationError::Invalid {
                    field: "body.summary".into(),
                    reason: "an accepted submission stays as it was graded: submit a new one to add to it".into(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission() -> IntelligenceSubmission {
        IntelligenceSubmission {
            summary: "Van seen twice at the mosque car park".into(),
            detail: "White Transit, partial plate KX7, 02:00 on two nights".into(),
            source: SourceKind::MemberOfPublic,
            urgent: false,
            reference: String::new(),
            reason_from_note: String::new(),
            review: None,
        }
    }

    fn grading(handling: HandlingCode, conditions: &str) -> IntelGrading {
        IntelGrading {
            source: SourceEvaluation::Untested,
            assessment: IntelAssessment::KnownIndirectlyCorroborated,
            handling,
            conditions: conditions.into(),
        }
    }

    fn review(outcome: ReviewOutcome, feedback: &str, grading: Option<IntelGrading>) -> IntelReview {
        IntelReview {
            outcome,
            feedback: feedback.into(),
            grading,
            by: "ps.2817".into(),
            reviewed_by: "PS Kerr (supervisor)".into(),
            at: Utc::now(),
        }
    }

    fn problems(s: &IntelligenceSubmission) -> Vec<String> {
        let mut c = Checker::new();
        s.check(&mut c);
        match c.finish() {
            Ok(()) => vec![],
            Err(e) => e.fields().iter().map(|f| f.to_string()).collect(),
        }
    }

    #[test]
    fn a_submission_without_a_review_serialises_as_before_so_old_hashes_hold() {
        let json = serde_json::to_value(submission()).unwrap();
        assert!(json.get("review").is_none() && json.get("reason_from_note").is_none());
        let old = r#"{"summary":"s","detail":"d","source":"partner"}"#;
        let s: IntelligenceSubmission = serde_json::from_str(old).unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), old);
    }

    #[test]
    fn a_returned_review_needs_feedback_and_an_acceptance_needs_the_full_grading() {
        let mut s = submission();
        s.review = Some(review(ReviewOutcome::Returned, "  ", None));
        assert_eq!(problems(&s), ["body.review.feedback"]);
        s.review = Some(review(ReviewOutcome::Accepted, "", None));
        assert_eq!(problems(&s), ["body.review.grading"]);
        s.review = Some(review(
            ReviewOutcome::Accepted,
            "",
            Some(grading(HandlingCode::Lawful, "")),
        ));
        assert!(problems(&s).is_empty());
        s.review = Some(review(ReviewOutcome::Returned, "Who saw it?", None));
        assert!(problems(&s).is_empty());
    }

    #[test]
    fn handling_code_c_needs_its_conditions_and_p_takes_none() {
        let mut s = submission();
        s.review = Some(review(
            ReviewOutcome::Accepted,
            "",
            Some(grading(HandlingCode::Conditions, "")),
        ));
        assert_eq!(problems(&s), ["body.review.grading.conditions"]);
        s.review = Some(review(
            ReviewOutcome::Accepted,
            "",
            Some(grading(HandlingCode::Conditions, "Not to be shared outside the force")),
        ));
        assert!(problems(&s).is_empty());
        s.review = Some(review(
            ReviewOutcome::Accepted,
            "",
            Some(grading(HandlingCode::Lawful, "x")),
        ));
        assert_eq!(problems(&s), ["body.review.grading.conditions"]);
    }

    #[test]
    fn the_grading_code_reads_as_on_the_form() {
        assert_eq!(grading(HandlingCode::Lawful, "").code(), "2/B/P");
        assert_eq!(grading(HandlingCode::Conditions, "c").code(), "2/B/C");
    }

    #[test]
    fn a_review_once_made_is_kept_and_an_accepted_submission_stays_as_graded() {
        let waiting = submission();
        let mut accepted = submission();
        accepted.review = Some(review(
            ReviewOutcome::Accepted,
            "",
            Some(grading(HandlingCode::Lawful, "")),
        ));
        assert!(accepted.check_edit(&waiting).is_ok(), "a review is made");
        // Removing, changing or re-making it is refused.
        assert!(waiting.check_edit(&accepted).is_err());
        let mut regraded = accepted.clone();
        regraded.review.as_mut().unwrap().grading = Some(grading(HandlingCode::Conditions, "c"));
        assert!(regraded.check_edit(&accepted).is_err());
        // Its content stays as graded; its force reference may be added.
        let mut changed = accepted.clone();
        changed.detail.push_str(" and a third night");
        assert!(changed.check_edit(&accepted).is_err());
        let mut referenced = accepted.clone();
        referenced.reference = "INT/2026/0042".into();
        assert!(referenced.check_edit(&accepted).is_ok());
    }

    #[test]
    fn a_returned_submission_may_be_edited_and_resubmitted_which_clears_the_review() {
        let mut returned = submission();
        returned.review = Some(review(ReviewOutcome::Returned, "Which nights? Any plate?", None));
        let mut resubmitted = submission();
        resubmitted.detail = "Tuesday and Thursday 02:00, plate KX71 ...".into();
        assert!(resubmitted.check_edit(&returned).is_ok());
        // Turning a return into an acceptance in place is not a resubmission.
        let mut flipped = returned.clone();
        flipped.review = Some(review(
            ReviewOutcome::Accepted,
            "",
            Some(grading(HandlingCode::Lawful, "")),
        ));
        assert!(flipped.check_edit(&returned).is_err());
        // An edit keeping the returned review is allowed (not yet resubmitted).
        let mut kept = returned.clone();
        kept.summary.push('.');
        assert!(kept.check_edit(&returned).is_ok());
    }

    #[test]
    fn a_tablet_never_writes_a_review_and_clears_only_a_returned_one() {
        let record = |i: IntelligenceSubmission| super::super::Record {
            operation_id: None,
            occurred_at: Utc::now(),
            location: None,
            sector: None,
            links: vec![],
            tags: vec![],
            attachments: vec![],
            body: super::super::Body::IntelligenceSubmission(i),
        };
        let waiting = record(submission());
        let mut accepted = submission();
        accepted.review = Some(review(
            ReviewOutcome::Accepted,
            "",
            Some(grading(HandlingCode::Lawful, "")),
        ));
        let accepted = record(accepted);
        let mut returned = submission();
        returned.review = Some(review(ReviewOutcome::Returned, "Which nights?", None));
        let returned = record(returned);
        assert!(waiting.device_may_follow(None).is_ok());
        assert!(accepted.device_may_follow(None).is_err(), "born reviewed");
        assert!(
            accepted.device_may_follow(Some(&waiting)).is_err(),
            "a review made on a tablet"
        );
        assert!(
            waiting.device_may_follow(Some(&accepted)).is_err(),
            "an acceptance removed"
        );
        assert!(
            waiting.device_may_follow(Some(&returned)).is_ok(),
            "resubmitted after a return"
        );
        assert!(
            returned.device_may_follow(Some(&returned)).is_ok(),
            "the return kept as it was"
        );
        assert!(
            accepted.device_may_follow(Some(&accepted)).is_ok(),
            "the acceptance kept as it was"
        );
    }

    #[test]
    fn a_submission_from_a_note_carries_the_reason_and_the_note_is_untouched() {
        let note = ContactNote {
            spoke_with: "Steward at the mosque".into(),
            function: super::super::PltFunction::Sensing,
            summary: "Said a white van has parked up at 2am twice this week".into(),
            mood: None,
            follow_up: None,
            monitored: vec![],
        };
        let before = note.clone();
        let s = IntelligenceSubmission::from_note(&note, " Possible hostile reconnaissance ");
        assert_eq!(s.reason_from_note, "Possible hostile reconnaissance");
        assert!(s.detail.contains("Steward at the mosque"));
        assert!(s.review.is_none());
        assert_eq!(note, before);
    }
}
