//! An escalation: a safeguarding concern, emerging threat or risk raised to a supervisor or
//! command; who was told, when, and the response.

use super::{labelled_enum, validate::Checker};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    EscalationKind {
        Safeguarding => "Safeguarding concern",
        Threat => "Emerging threat",
        Risk => "Risk",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    pub category: EscalationKind,
    pub summary: String,
    /// Who was told (supervisor, Bronze, command), in words.
    pub told: String,
    pub told_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub response: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_at: Option<DateTime<Utc>>,
}

impl Escalation {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_text("body.summary", &self.summary);
        c.required_short("body.told", &self.told);
        c.text("body.response", &self.response);
        if let Some(at) = self.response_at {
            if at < self.told_at {
                c.push(super::ValidationError::Invalid {
                    field: "body.response_at".into(),
                    reason: "must not be before the escalation was raised".into(),
                });
            }
        }
    }
}
