//! A contact note (engagement log): who was spoken to, which PLT function, what was said.

use super::{labelled_enum, monitoring, validate::Checker, MonitoredStrand, Mood};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// The five core functions of a Police Liaison Team officer (national role profile).
    PltFunction {
        Negotiation => "Negotiation",
        Mediation => "Mediation",
        Initiation => "Initiation",
        Communication => "Communication",
        Sensing => "Sensing",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct ContactNote {
    /// Who was spoken to, as the officer would write it ("march organiser, J. Smith").
    /// Directory entries go in the record's `links`.
    pub spoke_with: String,
    pub function: PltFunction,
    /// What was said.
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mood: Option<Mood>,
    /// Follow-up needed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<String>,
    /// Hate-crime strands, when the conversation was about a hate incident (monitoring).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitored: Vec<MonitoredStrand>,
}

impl ContactNote {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.spoke_with", &self.spoke_with);
        c.required_text("body.summary", &self.summary);
        c.opt_text("body.follow_up", &self.follow_up);
        monitoring::check_strands(c, "body.monitored", &self.monitored);
    }
}
