//! An intelligence submission. Kept apart from contact notes on purpose: liaison officers
//! engage, they are not tasked to gather intelligence; a submission is a deliberate act with
//! its own record, never a side effect of an engagement note.

use super::{labelled_enum, validate::Checker};
use serde::{Deserialize, Serialize};

labelled_enum!(
    SourceKind {
        OfficerObservation => "Officer's own observation",
        MemberOfPublic => "Member of the public",
        Partner => "Partner agency",
        Other => "Other",
    }
);

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
}

impl IntelligenceSubmission {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.summary", &self.summary);
        c.required_text("body.detail", &self.detail);
        c.short("body.reference", &self.reference);
    }
}
