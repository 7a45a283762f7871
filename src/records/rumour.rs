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
    /// When it was confirmed or refuted (set by the move, cleared when it is reopened):
    /// with the record's `occurred_at`, the rumour's time to verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub verified_at: Option<DateTime<Utc>>,
}

impl RumourReport {
    /// Applies a lifecycle move's effect on the verification time: a first confirmation or
    /// refutation sets it to `now`, reopening clears it.
    pub fn move_to(&mut self, status: RumourStatus, now: DateTime<Utc>) {
        match status {
            RumourStatus::Confirmed | RumourStatus::Refuted => {
                if !matches!(self.status, RumourStatus::Confirmed | RumourStatus::Refuted) || self.verified_at.is_none()
                {
                    self.verified_at = Some(now);
                }
            }
            RumourStatus::Reported | RumourStatus::BeingChecked | RumourStatus::Unresolved => self.verified_at = None,
        }
        self.status = status;
    }

    /// From when it was heard (`occurred_at`) to its confirmation or refutation, in whole
    /// seconds; None while it is not verified.
    pub fn time_to_verify_s(&self, occurred_at: DateTime<Utc>) -> Option<u32> {
        let at = self.verified_at?;
        u32::try_from((at - occurred_at).num_seconds().max(0)).ok()
    }

    pub(super) fn check(&self, c: &mut Checker) {
        if self.verified_at.is_some() && !matches!(self.status, RumourStatus::Confirmed | RumourStatus::Refuted) {
            c.push(super::ValidationError::Invalid {
                field: "body.verified_at".into(),
                reason: "is only set on a confirmed or refuted rumour".into(),
            });
        }
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
