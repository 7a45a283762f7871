//! An operation: the event the liaison team is deployed to, with its area and named sectors.

use super::{labelled_enum, validate::Checker, OfficerId, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// What sort of event it is.
    EventKind {
        Protest => "Protest",
        March => "March",
        StaticDemo => "Static demonstration",
        Football => "Football match",
        CommunityEvent => "Community event",
        Pride => "Pride",
        Other => "Other",
    }
);

/// A vertex of an area or sector boundary (WGS84 degrees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// A named part of the operation's area, e.g. "Sector 2: Victoria Square".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Sector {
    pub name: String,
    /// Boundary ring, at least three vertices; it need not repeat the first vertex at the end.
    pub boundary: Vec<LatLon>,
}

/// An officer deployed on the operation and their role ("PLT team leader", "PLO", "Bronze").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct TeamMember {
    pub officer: OfficerId,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    pub name: String,
    pub event_kind: EventKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The whole area of the operation; empty when not drawn yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub area: Vec<LatLon>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sectors: Vec<Sector>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub briefing: String,
    /// Gold / Silver / Bronze and the PLT chain, as briefed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub command_structure: String,
    /// Group records expected at the event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups_expected: Vec<uuid::Uuid>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub team: Vec<TeamMember>,
}

impl Operation {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.name", &self.name);
        if self.ends_at < self.starts_at {
            c.push(ValidationError::Invalid {
                field: "body.ends_at".into(),
                reason: "must not be before the start".into(),
            });
        }
        if !self.area.is_empty() {
            if let Err(e) = crate::geo::validate_ring("body.area", &self.area) {
                c.push(e);
            }
        }
        c.list("body.sectors", &self.sectors);
        let mut names = std::collections::HashSet::new();
        for (i, s) in self.sectors.iter().enumerate() {
            c.required_short(&format!("body.sectors[{i}].name"), &s.name);
            if !names.insert(s.name.trim().to_lowercase()) {
                c.push(ValidationError::Invalid {
                    field: format!("body.sectors[{i}].name"),
                    reason: "is used by another sector".into(),
                });
            }
            if let Err(e) = crate::geo::validate_ring(&format!("body.sectors[{i}].boundary"), &s.boundary) {
                c.push(e);
            }
        }
        c.text("body.briefing", &self.briefing);
        c.text("body.command_structure", &self.command_structure);
        c.list("body.groups_expected", &self.groups_expected);
        c.list("body.team", &self.team);
        for (i, m) in self.team.iter().enumerate() {
            c.required_short(&format!("body.team[{i}].role"), &m.role);
        }
    }
}
