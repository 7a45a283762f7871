//! An escalation: a safeguarding concern, emerging threat or risk raised to a supervisor or
//! command; whom it is addressed to, who acknowledged it and when, the decision and its
//! rationale, and every step it took up the chain when nobody acknowledged it in time.
//!
//! The officer's tablet writes the concern and its addressee; the console writes the
//! acknowledgement, the response and the steps up (each a revision in the server's chain,
//! authored by the person who acted). Once written, an acknowledgement never changes and
//! steps are only ever added: [`Escalation::check_edit`].

use super::{labelled_enum, monitoring, validate::Checker, MonitoredStrand, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    EscalationKind {
        Safeguarding => "Safeguarding concern",
        Threat => "Emerging threat",
        Risk => "Risk",
        WithdrawObserveReport => "Withdrawn to observe and report",
    }
);

labelled_enum!(
    /// Whom an escalation is addressed to, as a role the console resolves to people.
    EscalationTo {
        Supervisor => "My supervisor",
        Bronze => "The operation's Bronze",
        DutyInspector => "On-duty inspector",
        Silver => "Silver commander",
        Gold => "Gold commander",
    }
);

impl EscalationTo {
    /// Where an escalation goes when nobody acknowledged it in time; None at the top.
    pub fn next_up(self) -> Option<EscalationTo> {
        match self {
            Self::Supervisor => Some(Self::DutyInspector),
            Self::Bronze | Self::DutyInspector => Some(Self::Silver),
            Self::Silver => Some(Self::Gold),
            Self::Gold => None,
        }
    }
}

labelled_enum!(
    /// What the person who answered an escalation decided.
    EscalationDecision {
        AdviceGiven => "Advice given",
        ResourcesSent => "Resources deployed",
        Referred => "Referred on",
        CommandTookOver => "Command took it over",
        NoFurtherAction => "No further action",
    }
);

/// Who acknowledged an escalation, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// The console username (or collar number) of the person.
    pub by: String,
    /// Their name and role as shown to the officer, e.g. "Insp Hale (Bronze)".
    pub name: String,
    pub at: DateTime<Utc>,
}

/// A step up the chain, made because nobody acknowledged in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct EscalationStep {
    pub to: EscalationTo,
    pub at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    pub category: EscalationKind,
    pub summary: String,
    /// Who was told in person or by radio, in words (optional once addressed).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub told: String,
    pub told_at: DateTime<Utc>,
    /// The role it is addressed to: the console alerts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addressed_to: Option<EscalationTo>,
    /// A named person it is addressed to (console username or collar number), if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub addressed_person: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalated: Vec<EscalationStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<Acknowledgement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<EscalationDecision>,
    /// The response, or the decision's rationale.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub response: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_at: Option<DateTime<Utc>>,
    /// Who responded, as in [`Acknowledgement::name`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub responded_by: String,
    /// Hate-crime strands, when the concern arises from hostility towards a group
    /// (monitoring). The officer's part: a supervisor's revision carries it on unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitored: Vec<MonitoredStrand>,
}

impl Escalation {
    /// The role it is with now: the last step up, else whom it was addressed to.
    pub fn current_addressee(&self) -> Option<EscalationTo> {
        self.escalated.last().map(|s| s.to).or(self.addressed_to)
    }

    /// Since when it has waited with its current addressee.
    pub fn waiting_since(&self) -> DateTime<Utc> {
        self.escalated.last().map_or(self.told_at, |s| s.at)
    }

    /// Seconds from raising to acknowledgement, once acknowledged.
    pub fn time_to_acknowledge_s(&self) -> Option<i64> {
        self.acknowledged
            .as_ref()
            .map(|a| (a.at - self.told_at).num_seconds().max(0))
    }

    pub(super) fn check(&self, c: &mut Checker) {
        c.required_text("body.summary", &self.summary);
        if self.addressed_to.is_none() && self.addressed_person.trim().is_empty() {
            c.required_short("body.told", &self.told);
        } else {
            c.short("body.told", &self.told);
        }
        c.short("body.addressed_person", &self.addressed_person);
        c.text("body.response", &self.response);
        c.short("body.responded_by", &self.responded_by);
        monitoring::check_strands(c, "body.monitored", &self.monitored);
        let late = |c: &mut Checker, field: &str, at: DateTime<Utc>| {
            if at < self.told_at {
                c.push(ValidationError::Invalid {
                    field: field.into(),
                    reason: "must not be before the escalation was raised".into(),
                });
            }
        };
        if let Some(at) = self.response_at {
            late(c, "body.response_at", at);
        }
        if let Some(a) = &self.acknowledged {
            c.required_short("body.acknowledged.by", &a.by);
            c.required_short("body.acknowledged.name", &a.name);
            late(c, "body.acknowledged.at", a.at);
        }
        if self.escalated.len() > 8 {
            c.push(ValidationError::TooMany {
                field: "body.escalated".into(),
                max: 8,
                len: self.escalated.len(),
            });
        }
        for (i, s) in self.escalated.iter().enumerate() {
            late(c, &format!("body.escalated.{i}.at"), s.at);
            c.required_short(&format!("body.escalated.{i}.reason"), &s.reason);
        }
        if self.decision.is_some() && self.acknowledged.is_none() {
            c.push(ValidationError::Invalid {
                field: "body.decision".into(),
                reason: "needs the escalation acknowledged first".into(),
            });
        }
    }

    /// Whether the parts a supervisor writes in the console (acknowledgement, decision, who
    /// answered, steps up the chain) are the same in `self` and `other` (empty when `other`
    /// is None): what a tablet may write, which never begins nor changes them.
    pub(super) fn same_supervisors_part(&self, other: Option<&Escalation>) -> bool {
        match other {
            Some(o) => {
                self.acknowledged == o.acknowledged
                    && self.decision == o.decision
                    && self.responded_by == o.responded_by
                    && self.escalated == o.escalated
            }
            None => {
                self.acknowledged.is_none()
                    && self.decision.is_none()
                    && self.responded_by.is_empty()
                    && self.escalated.is_empty()
            }
        }
    }

    /// Checks that `self` may follow `previous`: an acknowledgement, once made, is kept as
    /// it is, and the steps up the chain are only ever added to.
    pub(super) fn check_edit(&self, previous: &Escalation) -> Result<(), ValidationError> {
        if previous.acknowledged.is_some() && self.acknowledged != previous.acknowledged {
            return Err(ValidationError::Invalid {
                field: "body.acknowledged".into(),
                reason: "cannot change or remove an acknowledgement once made".into(),
            });
        }
        if !self.escalated.starts_with(&previous.escalated) {
            return Err(ValidationError::Invalid {
                field: "body.escalated".into(),
                reason: "steps up the chain can only be added to".into(),
            });
        }
        Ok(())
    }
}
