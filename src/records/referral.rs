//! A referral of a person to a support agency (hate-crime support, LGBT liaison work).

use super::{monitoring, validate::Checker, MonitoredStrand, ReferralResult};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// Who is referred, in words; a directory entry goes in `links`. Personal data.
    pub person: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<Uuid>,
    pub agency_name: String,
    pub reason: String,
    /// The person agreed to the referral.
    pub consent: bool,
    /// What came of it, in the officer's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub outcome: String,
    /// What came of it, as monitoring counts it; None while awaited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ReferralResult>,
    /// Hate-crime strands, when the referral follows a hate incident (monitoring).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitored: Vec<MonitoredStrand>,
}

impl Referral {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.person", &self.person);
        c.required_short("body.agency_name", &self.agency_name);
        c.required_text("body.reason", &self.reason);
        c.text("body.outcome", &self.outcome);
        monitoring::check_strands(c, "body.monitored", &self.monitored);
    }
}
