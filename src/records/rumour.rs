//! A rumour report and its lifecycle: reported → being checked → confirmed / refuted /
//! unresolved, with the rumour-control actions taken.

use super::{labelled_enum, validate::Checker};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    RumourStatus {
        Reported => "Reported",
        BeingChecked => "Being checked",
        Confirmed => "Confirmed",
        Refuted => "Refuted",
        Unresolved => "Unresolved",
    }
);

impl RumourStatus {
    /// The lifecycle's legal moves. Nothing goes back to `Reported`; a settled rumour may be
    /// reopened for checking when new information comes in.
    pub fn can_move_to(self, next: RumourStatus) -> bool {
        use RumourStatus::*;
        if self == next {
            return true;
        }
        match self {
            Reported => next != Reported,
            BeingChecked => matches!(next, Confirmed | Refuted | Unresolved),
            Confirmed | Refuted | Unresolved => next == BeingChecked,
        }
    }

    /// Still needs work by the team.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RumourStatus::Reported | RumourStatus::BeingChecked | RumourStatus::Unresolved
        )
    }
}

labelled_enum!(
    RumourSource {
        Crowd => "Crowd",
        SocialMedia => "Social media",
        Organiser => "Organiser",
        Colleague => "Colleague",
        Other => "Other",
    }
);

labelled_enum!(
    RumourSpread {
        Isolated => "Isolated",
        Local => "Local",
        Widespread => "Widespread",
    }
);

labelled_enum!(
    RumourRisk {
        Low => "Low",
        Medium => "Medium",
        High => "High",
    }
);

/// Rumour control: who was told what, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct RumourControlAction {
    pub at: DateTime<Utc>,
    pub told: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct RumourReport {
    /// What is being said.
    pub content: String,
    /// Where it was heard, in words ("queue at the Bull Ring entrance").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub heard_at: String,
    pub source: RumourSource,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source_detail: String,
    pub spread: RumourSpread,
    pub risk: RumourRisk,
    pub status: RumourStatus,
    /// What checking found.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub findings: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub control_actions: Vec<RumourControlAction>,
}

impl RumourReport {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_text("body.content", &self.content);
        c.short("body.heard_at", &self.heard_at);
        c.short("body.source_detail", &self.source_detail);
        c.text("body.findings", &self.findings);
        c.list("body.control_actions", &self.control_actions);
        for (i, a) in self.control_actions.iter().enumerate() {
            c.required_short(&format!("body.control_actions[{i}].told"), &a.told);
            c.required_text(&format!("body.control_actions[{i}].message"), &a.message);
        }
    }
}
