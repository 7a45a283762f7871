//! Hate-crime monitoring (seed 004): the strands a record can be flagged with, so that the
//! liaison officer's monitoring statistics for partners count them (`crate::statistics`).
//!
//! Which kinds carry strands, and why:
//!
//! - **Contact notes**: an LGBT liaison officer's engagement with a victim, a witness or a
//!   community after a hate incident is most of their recorded work.
//! - **Referrals**: a victim referred to a support agency is what partners count first.
//! - **Escalations**: a safeguarding concern or threat raised because of hostility towards a
//!   group is an incident in its own right.
//!
//! Not rumour reports (a rumour is unverified by nature, and a refuted one is no incident:
//! counting it would inflate what partners are told), not intelligence submissions (kept apart
//! from engagement on purpose, handled under 3x5x2, never counted for partners), and not
//! taskings (the incident is counted by the note or referral written when the task is done,
//! never twice).
//!
//! A record with no strand serialises exactly as before strands existed (the list is skipped
//! when empty), so every revision already held keeps its canonical body and its hash.

use super::{labelled_enum, validate::Checker, ValidationError};

labelled_enum!(
    /// A monitored hate-crime strand: the five the police monitor nationally (race, religion,
    /// sexual orientation, disability, transgender identity) and alternative subculture, which
    /// several forces monitor locally. A record may carry more than one (a crime can be
    /// motivated by hostility on more than one ground); each is counted.
    MonitoredStrand {
        SexualOrientation => "Sexual orientation (homophobic)",
        TransgenderIdentity => "Transgender identity (transphobic)",
        Race => "Race",
        Religion => "Religion or belief",
        Disability => "Disability",
        AlternativeSubculture => "Alternative subculture (monitored locally)",
    }
);

impl MonitoredStrand {
    /// A short heading for a table column.
    pub fn heading(self) -> &'static str {
        match self {
            Self::SexualOrientation => "Sexual orientation",
            Self::TransgenderIdentity => "Transgender identity",
            Self::Race => "Race",
            Self::Religion => "Religion",
            Self::Disability => "Disability",
            Self::AlternativeSubculture => "Alternative subculture",
        }
    }
}

/// Checks a record's strands: each at most once (a strand counted twice for one record would
/// double it in the statistics).
pub(super) fn check_strands(c: &mut Checker, field: &str, strands: &[MonitoredStrand]) {
    for (i, s) in strands.iter().enumerate() {
        if strands[..i].contains(s) {
            c.push(ValidationError::Invalid {
                field: field.into(),
                reason: format!("names {} twice: give each strand once", s.label()),
            });
            return;
        }
    }
}

labelled_enum!(
    /// What came of a referral, as monitoring counts it (the officer's words stay in
    /// `Referral::outcome`).
    ReferralResult {
        SupportAccepted => "Support accepted",
        SupportDeclined => "Support declined",
        NoContact => "Agency could not make contact",
        ReferredOn => "Referred on elsewhere",
    }
);
