//! A negotiation outcome: parties, subject, both positions, the outcome, and later whether
//! what was agreed was kept.

use super::{labelled_enum, validate::Checker};
use serde::{Deserialize, Serialize};

labelled_enum!(
    NegotiationSubject {
        Route => "Route",
        Timing => "Timing",
        StaticLocation => "Static location",
        Noise => "Noise",
        Conduct => "Conduct",
        Numbers => "Numbers",
        Other => "Other",
    }
);

labelled_enum!(
    Outcome {
        Agreed => "Agreed",
        PartlyAgreed => "Partly agreed",
        NotAgreed => "Not agreed",
        Deferred => "Deferred",
    }
);

labelled_enum!(
    /// Recorded later: was the agreement kept?
    Compliance {
        Kept => "Kept",
        PartlyKept => "Partly kept",
        NotKept => "Not kept",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct NegotiationOutcome {
    /// The other party, in words; directory entries go in `links`.
    pub parties: String,
    pub subject: NegotiationSubject,
    pub police_position: String,
    /// Conditions the police set or agreed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub other_position: String,
    pub outcome: Outcome,
    /// What was agreed, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub agreed: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance: Option<Compliance>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub compliance_note: String,
}

impl NegotiationOutcome {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.parties", &self.parties);
        c.required_text("body.police_position", &self.police_position);
        c.list("body.conditions", &self.conditions);
        for (i, s) in self.conditions.iter().enumerate() {
            c.required_text(&format!("body.conditions[{i}]"), s);
        }
        c.text("body.other_position", &self.other_position);
        if matches!(self.outcome, Outcome::Agreed | Outcome::PartlyAgreed) {
            c.required_text("body.agreed", &self.agreed);
        } else {
            c.text("body.agreed", &self.agreed);
        }
        if self.compliance.is_some() && matches!(self.outcome, Outcome::NotAgreed | Outcome::Deferred) {
            c.push(super::ValidationError::Invalid {
                field: "body.compliance".into(),
                reason: "can only be recorded for an agreement".into(),
            });
        }
        c.text("body.compliance_note", &self.compliance_note);
    }
}
