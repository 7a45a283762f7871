//! An abstraction: a PCSO taken away from neighbourhood duty, authorised, justified, recorded
//! (PCSO policy 1.3).
//!
//! A PCSO (on the tablet) or their supervisor (in the console) requests one with its reason
//! and duration; a supervisor who is not the abstracted officer authorises or refuses it in
//! the console, and that decision is a revision of the record in the server's chain, kept as
//! made ([`Abstraction::check_edit`]). A name typed into `authorised_by` on the tablet, as
//! before this flow existed, is shown as what it is: a name typed by the officer.

use super::{labelled_enum, validate::Checker, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    AbstractionOutcome {
        Authorised => "Authorised",
        Refused => "Refused",
    }
);

/// A supervisor's decision on an abstraction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct AbstractionDecision {
    pub outcome: AbstractionOutcome,
    /// The console username of who decided.
    pub by: String,
    /// Their name and role as shown to the officer.
    pub name: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Abstraction {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from_duty: String,
    pub to_duty: String,
    /// A name typed by the officer (records made before authorisation in the console), or
    /// the authorising supervisor's name once decided there.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub authorised_by: String,
    pub reason: String,
    pub starts_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// The supervisor's decision, made in the console.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<AbstractionDecision>,
}

impl Abstraction {
    pub(super) fn check(&self, c: &mut Checker) {
        c.short("body.from_duty", &self.from_duty);
        c.required_short("body.to_duty", &self.to_duty);
        c.short("body.authorised_by", &self.authorised_by);
        c.required_text("body.reason", &self.reason);
        if let Some(end) = self.ends_at {
            if end < self.starts_at {
                c.push(ValidationError::Invalid {
                    field: "body.ends_at".into(),
                    reason: "must not be before the start".into(),
                });
            }
        }
        if let Some(d) = &self.decision {
            c.required_short("body.decision.by", &d.by);
            c.required_short("body.decision.name", &d.name);
            c.text("body.decision.note", &d.note);
            if d.outcome == AbstractionOutcome::Refused && d.note.trim().is_empty() {
                c.push(ValidationError::Required {
                    field: "body.decision.note".into(),
                });
            }
        }
    }

    /// Hours abstracted: to its end, or to `now` while it has none.
    pub fn hours(&self, now: DateTime<Utc>) -> f64 {
        let end = self.ends_at.unwrap_or(now).max(self.starts_at);
        (end - self.starts_at).num_minutes() as f64 / 60.0
    }

    /// A decision, once made, is kept as made, and so is what it decided: an authorised
    /// abstraction cannot be moved, lengthened or sent elsewhere afterwards (a new request is
    /// a new record).
    pub(super) fn check_edit(&self, previous: &Abstraction) -> Result<(), ValidationError> {
        if previous.decision.is_some() && self.decision != previous.decision {
            return Err(ValidationError::Invalid {
                field: "body.decision".into(),
                reason: "cannot change or remove a supervisor's decision once made".into(),
            });
        }
        if previous.decision.is_some() && self != previous {
            return Err(ValidationError::Invalid {
                field: "body".into(),
                reason: "a decided abstraction cannot be changed: request a new one".into(),
            });
        }
        Ok(())
    }
}
