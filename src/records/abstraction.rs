//! An abstraction: a PCSO taken away from neighbourhood duty, authorised, justified, recorded.

use super::{validate::Checker, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Abstraction {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from_duty: String,
    pub to_duty: String,
    /// Who authorised it (rank and name or collar number).
    pub authorised_by: String,
    pub reason: String,
    pub starts_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
}

impl Abstraction {
    pub(super) fn check(&self, c: &mut Checker) {
        c.short("body.from_duty", &self.from_duty);
        c.required_short("body.to_duty", &self.to_duty);
        c.required_short("body.authorised_by", &self.authorised_by);
        c.required_text("body.reason", &self.reason);
        if let Some(end) = self.ends_at {
            if end < self.starts_at {
                c.push(ValidationError::Invalid {
                    field: "body.ends_at".into(),
                    reason: "must not be before the start".into(),
                });
            }
        }
    }
}
