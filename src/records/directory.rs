//! The shared directory: people (organisers, spokespeople, community leaders, venue managers,
//! agency contacts), groups, venues and partner agencies. Kept current and shared across the team.

use super::{labelled_enum, validate::Checker};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

labelled_enum!(
    PersonRole {
        Organiser => "Organiser",
        Spokesperson => "Spokesperson",
        Steward => "Steward",
        CommunityLeader => "Community leader",
        VenueManager => "Venue manager",
        AgencyContact => "Agency contact",
        CommunityFacilitator => "Community facilitator",
        MemberOfPublic => "Member of the public",
        Other => "Other",
    }
);

labelled_enum!(
    GroupKind {
        Organiser => "Organising group",
        Participant => "Participating group",
        CounterProtest => "Counter-protest",
        Community => "Community group",
        Support => "Support group",
        Other => "Other",
    }
);

/// Someone the team talks to. Personal data: every read is audited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    pub role: PersonRole,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// Other ways to reach them (radio channel, social handle, "via the steward lead").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub other_contact: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    pub group_kind: GroupKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// People who speak for the group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub website: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Venue {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Uuid>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub name: String,
    /// What they offer (hate-crime support, housing, mental health…).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub services: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// How to refer someone to them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub referral_route: String,
}

impl Person {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.name", &self.name);
        c.short("body.phone", &self.phone);
        c.short("body.email", &self.email);
        if !self.email.is_empty() && !self.email.contains('@') {
            c.push(super::ValidationError::Invalid {
                field: "body.email".into(),
                reason: "is not an email address".into(),
            });
        }
        c.short("body.other_contact", &self.other_contact);
        c.list("body.groups", &self.groups);
        c.text("body.notes", &self.notes);
    }
}

impl Group {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.name", &self.name);
        c.text("body.description", &self.description);
        c.list("body.contacts", &self.contacts);
        c.short("body.website", &self.website);
    }
}

impl Venue {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.name", &self.name);
        c.short("body.address", &self.address);
        c.short("body.phone", &self.phone);
        c.text("body.notes", &self.notes);
    }
}

impl Agency {
    pub(super) fn check(&self, c: &mut Checker) {
        c.required_short("body.name", &self.name);
        c.text("body.services", &self.services);
        c.short("body.phone", &self.phone);
        c.short("body.email", &self.email);
        c.text("body.referral_route", &self.referral_route);
    }
}
