//! The record kinds an officer keeps, as typed data with validation.
//!
//! A [`Record`] is what one revision says about one thing: the envelope every kind shares
//! (operation, time, location, links, tags) and a [`Body`] that is one of the kinds from
//! PRODUCT.md. One file per kind. This module never touches storage: it only says whether a
//! record is well-formed ([`Record::validate`]) and whether an edit is a legal move
//! ([`Record::validate_edit`]).
//!
//! Engagement and intelligence are deliberately separate kinds: a liaison officer's contact
//! note is engagement, never intelligence gathering; an [`IntelligenceSubmission`] is its own,
//! visibly different record, made on purpose.

mod abstraction;
pub mod attachment;
mod contact_note;
mod directory;
mod escalation;
mod intelligence;
mod monitoring;
mod negotiation;
mod operation;
mod referral;
mod rumour;
mod tasking;
mod tension;
pub mod validate;

pub use abstraction::{Abstraction, AbstractionDecision, AbstractionOutcome};
pub use attachment::{Attachment, AttachmentKind, MediaType, Thumbnail};
pub use contact_note::{ContactNote, PltFunction};
pub use directory::{Agency, Group, GroupKind, Person, PersonRole, Venue};
pub use escalation::{Acknowledgement, Escalation, EscalationDecision, EscalationKind, EscalationStep, EscalationTo};
pub use intelligence::{
    HandlingCode, IntelAssessment, IntelGrading, IntelReview, IntelligenceSubmission, ReviewOutcome, SourceEvaluation,
    SourceKind,
};
pub use monitoring::{MonitoredStrand, ReferralResult};
pub use negotiation::{Compliance, NegotiationOutcome, NegotiationSubject, Outcome};
pub use operation::{EventKind, LatLon, Operation, Sector, TeamMember};
pub use referral::Referral;
pub use rumour::{RumourControlAction, RumourReport, RumourRisk, RumourSource, RumourSpread, RumourStatus};
pub use tasking::{check_assignment, deployment_check, DeploymentCheck, IncidentType, TaskStatus, Tasking};
pub use tension::{Mood, TensionReading};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validate::Checker;

/// Identifies one thing across all its revisions.
pub type RecordId = Uuid;

/// Everything the record kinds can say is wrong with a record. Each names the field it concerns
/// (dotted path, e.g. `body.summary`) so the UI can show the message beside it.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ValidationError {
    #[error("{field} is required")]
    Required { field: String },
    #[error("{field} is too long: {len} characters, the limit is {max}")]
    TooLong { field: String, max: usize, len: usize },
    #[error("{field} has too many entries: {len}, the limit is {max}")]
    TooMany { field: String, max: usize, len: usize },
    #[error("{field} is not a usable position: {reason}")]
    BadCoordinate { field: String, reason: String },
    #[error("{field}: `{value}` is not one of the allowed values")]
    UnknownValue { field: String, value: String },
    #[error("{field} {reason}")]
    Invalid { field: String, reason: String },
    #[error("the record could not be read: {message}")]
    Malformed { message: String },
    #[error("{} problems: {}", .0.len(), .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Several(Vec<ValidationError>),
}

impl ValidationError {
    /// The field of each problem, for placing messages next to inputs.
    pub fn fields(&self) -> Vec<&str> {
        match self {
            Self::Required { field }
            | Self::TooLong { field, .. }
            | Self::TooMany { field, .. }
            | Self::BadCoordinate { field, .. }
            | Self::UnknownValue { field, .. }
            | Self::Invalid { field, .. } => vec![field.as_str()],
            Self::Malformed { .. } => vec![],
            Self::Several(all) => all.iter().flat_map(|e| e.fields()).collect(),
        }
    }
}

/// The officer who made a revision: collar number or staff id as the force issues it.
///
/// However one arrives (typed, from the wire, from a database row) it passes the same checks:
/// deserialising refuses what [`OfficerId::new`] would refuse, and also an id with spaces
/// around it, which `new` would trim (the id is hashed into revisions as it is).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ts_rs::TS)]
#[ts(type = "string")]
pub struct OfficerId(String);

impl Serialize for OfficerId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OfficerId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        OfficerId::try_from(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<String> for OfficerId {
    type Error = ValidationError;

    fn try_from(s: String) -> Result<Self, ValidationError> {
        let id = OfficerId::new(s.as_str())?;
        if id.0 != s {
            return Err(ValidationError::Invalid {
                field: "officer".into(),
                reason: "must not start or end with spaces".into(),
            });
        }
        Ok(id)
    }
}

impl OfficerId {
    pub fn new(id: impl Into<String>) -> Result<Self, ValidationError> {
        let id = id.into();
        let trimmed = id.trim();
        if trimmed.is_empty() {
            return Err(ValidationError::Required {
                field: "officer".into(),
            });
        }
        if trimmed.chars().count() > 32 || trimmed.chars().any(|c| c.is_control()) {
            return Err(ValidationError::Invalid {
                field: "officer".into(),
                reason: "must be a collar number or staff id of at most 32 printable characters".into(),
            });
        }
        Ok(Self(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OfficerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where something happened, as the platform reported it (or as the officer placed it on the map).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    /// Radius of the 68% confidence circle, metres. None when placed by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_m: Option<f64>,
}

/// One revision's content: the envelope every kind shares and the kind's own body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The operation (event) this belongs to. None for operations themselves and for
    /// standing directory entries and neighbourhood work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<RecordId>,
    /// When it happened (not when it was typed).
    pub occurred_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The operation sector it happened in. Filled from the location when left empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// People, groups, venues or agencies this concerns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<RecordId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Photos, audio notes and screenshots, each named by its hash (see [`Attachment`]).
    /// Skipped when empty, so every record made before attachments keeps its hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Attachment>>", optional)]
    pub attachments: Vec<Attachment>,
    pub body: Body,
}

/// The kind-specific part of a record. Serialised with a `kind` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    Operation(Operation),
    Person(Person),
    Group(Group),
    Venue(Venue),
    Agency(Agency),
    ContactNote(ContactNote),
    RumourReport(RumourReport),
    NegotiationOutcome(NegotiationOutcome),
    TensionReading(TensionReading),
    Escalation(Escalation),
    Tasking(Tasking),
    Abstraction(Abstraction),
    Referral(Referral),
    IntelligenceSubmission(IntelligenceSubmission),
}

/// The kind of a record without its content: for filters, indexes and the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Operation,
    Person,
    Group,
    Venue,
    Agency,
    ContactNote,
    RumourReport,
    NegotiationOutcome,
    TensionReading,
    Escalation,
    Tasking,
    Abstraction,
    Referral,
    IntelligenceSubmission,
}

impl RecordKind {
    pub const ALL: [RecordKind; 14] = [
        Self::Operation,
        Self::Person,
        Self::Group,
        Self::Venue,
        Self::Agency,
        Self::ContactNote,
        Self::RumourReport,
        Self::NegotiationOutcome,
        Self::TensionReading,
        Self::Escalation,
        Self::Tasking,
        Self::Abstraction,
        Self::Referral,
        Self::IntelligenceSubmission,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operation => "operation",
            Self::Person => "person",
            Self::Group => "group",
            Self::Venue => "venue",
            Self::Agency => "agency",
            Self::ContactNote => "contact_note",
            Self::RumourReport => "rumour_report",
            Self::NegotiationOutcome => "negotiation_outcome",
            Self::TensionReading => "tension_reading",
            Self::Escalation => "escalation",
            Self::Tasking => "tasking",
            Self::Abstraction => "abstraction",
            Self::Referral => "referral",
            Self::IntelligenceSubmission => "intelligence_submission",
        }
    }

    /// Parses a kind name; an unknown name is a typed error, never a silent default.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ValidationError::UnknownValue {
                field: "kind".into(),
                value: s.chars().take(64).collect(),
            })
    }

    /// Records that hold personal data about a member of the public: every read is audited.
    pub fn is_personal(self) -> bool {
        matches!(self, Self::Person | Self::Referral | Self::IntelligenceSubmission)
    }

    /// Records with a part only a supervisor writes, in the console: a tablet's revision of
    /// one is checked against its parent ([`Record::device_may_follow`]).
    pub fn has_supervisors_part(self) -> bool {
        matches!(
            self,
            Self::Escalation | Self::Abstraction | Self::IntelligenceSubmission
        )
    }

    /// Sent first when coverage is poor.
    pub fn is_urgent(self) -> bool {
        matches!(self, Self::Escalation | Self::RumourReport)
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Body {
    pub fn kind(&self) -> RecordKind {
        match self {
            Body::Operation(_) => RecordKind::Operation,
            Body::Person(_) => RecordKind::Person,
            Body::Group(_) => RecordKind::Group,
            Body::Venue(_) => RecordKind::Venue,
            Body::Agency(_) => RecordKind::Agency,
            Body::ContactNote(_) => RecordKind::ContactNote,
            Body::RumourReport(_) => RecordKind::RumourReport,
            Body::NegotiationOutcome(_) => RecordKind::NegotiationOutcome,
            Body::TensionReading(_) => RecordKind::TensionReading,
            Body::Escalation(_) => RecordKind::Escalation,
            Body::Tasking(_) => RecordKind::Tasking,
            Body::Abstraction(_) => RecordKind::Abstraction,
            Body::Referral(_) => RecordKind::Referral,
            Body::IntelligenceSubmission(_) => RecordKind::IntelligenceSubmission,
        }
    }

    fn check(&self, c: &mut Checker) {
        match self {
            Body::Operation(b) => b.check(c),
            Body::Person(b) => b.check(c),
            Body::Group(b) => b.check(c),
            Body::Venue(b) => b.check(c),
            Body::Agency(b) => b.check(c),
            Body::ContactNote(b) => b.check(c),
            Body::RumourReport(b) => b.check(c),
            Body::NegotiationOutcome(b) => b.check(c),
            Body::TensionReading(b) => b.check(c),
            Body::Escalation(b) => b.check(c),
            Body::Tasking(b) => b.check(c),
            Body::Abstraction(b) => b.check(c),
            Body::Referral(b) => b.check(c),
            Body::IntelligenceSubmission(b) => b.check(c),
        }
    }

    /// The hate-crime strands the record is flagged with (empty for kinds that carry none:
    /// `monitoring` says which do and why).
    pub fn monitored(&self) -> &[MonitoredStrand] {
        match self {
            Body::ContactNote(b) => &b.monitored,
            Body::Referral(b) => &b.monitored,
            Body::Escalation(b) => &b.monitored,
            _ => &[],
        }
    }

    /// A one-line title for lists and search results.
    pub fn title(&self) -> String {
        let t = match self {
            Body::Operation(b) => b.name.clone(),
            Body::Person(b) => b.name.clone(),
            Body::Group(b) => b.name.clone(),
            Body::Venue(b) => b.name.clone(),
            Body::Agency(b) => b.name.clone(),
            Body::ContactNote(b) => format!("{} — {}", b.function.label(), b.spoke_with),
            Body::RumourReport(b) => b.content.clone(),
            Body::NegotiationOutcome(b) => format!("{} — {}", b.subject.label(), b.outcome.label()),
            Body::TensionReading(b) => format!("Tension: {}", b.mood.label()),
            Body::Escalation(b) => format!("{}: {}", b.category.label(), b.summary),
            Body::Tasking(b) => b.title.clone(),
            Body::Abstraction(b) => format!("Abstraction to {}", b.to_duty),
            Body::Referral(b) => format!("Referral to {}", b.agency_name),
            Body::IntelligenceSubmission(b) => b.summary.clone(),
        };
        truncate_chars(&t, 120)
    }
}

pub(crate) fn truncate_chars(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        self.body.kind()
    }

    /// Brings a record to its stored form: a position rounded to 1e-6 degrees (about 0.1 m,
    /// far finer than any fix) and accuracy to 0.1 m, so the stored body carries no false
    /// precision and stays compact.
    pub fn normalise(&mut self) {
        if let Some(loc) = &mut self.location {
            let round = |v: f64, scale: f64| if v.is_finite() { (v * scale).round() / scale } else { v };
            loc.lat = round(loc.lat, 1e6);
            loc.lon = round(loc.lon, 1e6);
            loc.accuracy_m = loc.accuracy_m.map(|a| round(a, 10.0));
        }
    }

    /// Parses a record from JSON (the UI's or the network's), mapping serde's complaints to
    /// typed errors: an unknown enum value becomes [`ValidationError::UnknownValue`].
    pub fn from_json(json: &str) -> Result<Self, ValidationError> {
        let record: Record = serde_json::from_str(json).map_err(|e| decode_error(&e))?;
        record.validate()?;
        Ok(record)
    }

    /// Checks every field; returns all problems at once.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut c = Checker::new();
        if let Some(loc) = &self.location {
            if let Err(e) = crate::geo::validate_location(loc) {
                c.push(e);
            }
        }
        c.opt_short("sector", &self.sector);
        c.list("links", &self.links);
        c.short_list("tags", &self.tags);
        attachment::check(&mut c, &self.attachments);
        let needs_operation = matches!(
            self.kind(),
            RecordKind::RumourReport | RecordKind::NegotiationOutcome | RecordKind::TensionReading
        );
        if needs_operation && self.operation_id.is_none() {
            c.push(ValidationError::Required {
                field: "operation_id".into(),
            });
        }
        if self.kind() == RecordKind::Operation && self.operation_id.is_some() {
            c.push(ValidationError::Invalid {
                field: "operation_id".into(),
                reason: "must be empty: an operation does not belong to another operation".into(),
            });
        }
        self.body.check(&mut c);
        c.finish()
    }

    /// Checks that a tablet may write `self` after `parent` (None: as a record's first
    /// revision): the part a supervisor writes in the console (an escalation's acknowledgement,
    /// answer and steps up; an abstraction's decision) is never begun nor changed on a tablet.
    pub fn device_may_follow(&self, parent: Option<&Record>) -> Result<(), ValidationError> {
        let refused = |field: &str| {
            Err(ValidationError::Invalid {
                field: field.into(),
                reason: "is written by a supervisor in the console, not on a tablet".into(),
            })
        };
        match (&self.body, parent.map(|p| &p.body)) {
            (Body::Escalation(e), None) if !e.same_supervisors_part(None) => refused("body.acknowledged"),
            (Body::Escalation(e), Some(Body::Escalation(p))) if !e.same_supervisors_part(Some(p)) => {
                refused("body.acknowledged")
            }
            (Body::Abstraction(a), None) if a.decision.is_some() => refused("body.decision"),
            (Body::Abstraction(a), Some(Body::Abstraction(p))) if a.decision != p.decision => refused("body.decision"),
            // An intelligence review: never made on a tablet; the officer's one move past it is
            // resubmitting a returned submission, which clears it.
            (Body::IntelligenceSubmission(i), None) if i.review.is_some() => refused("body.review"),
            (Body::IntelligenceSubmission(i), Some(Body::IntelligenceSubmission(p)))
                if i.review != p.review && !(i.review.is_none() && p.outcome() == Some(ReviewOutcome::Returned)) =>
            {
                refused("body.review")
            }
            _ => Ok(()),
        }
    }

    /// Checks that `self` may follow `previous` as the next revision of the same record.
    pub fn validate_edit(&self, previous: &Record) -> Result<(), ValidationError> {
        self.validate()?;
        if self.kind() != previous.kind() {
            return Err(ValidationError::Invalid {
                field: "kind".into(),
                reason: format!("cannot change from {} to {}", previous.kind(), self.kind()),
            });
        }
        if let (Body::Escalation(new), Body::Escalation(old)) = (&self.body, &previous.body) {
            new.check_edit(old)?;
        }
        if let (Body::Abstraction(new), Body::Abstraction(old)) = (&self.body, &previous.body) {
            new.check_edit(old)?;
        }
        if let (Body::IntelligenceSubmission(new), Body::IntelligenceSubmission(old)) = (&self.body, &previous.body) {
            new.check_edit(old)?;
        }
        if let (Body::RumourReport(new), Body::RumourReport(old)) = (&self.body, &previous.body) {
            if !old.status.can_move_to(new.status) {
                return Err(ValidationError::Invalid {
                    field: "body.status".into(),
                    reason: format!("cannot move from {} to {}", old.status.label(), new.status.label()),
                });
            }
        }
        Ok(())
    }
}

/// Maps a serde_json error to a typed validation error.
pub(crate) fn decode_error(e: &serde_json::Error) -> ValidationError {
    let msg = e.to_string();
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or_default().to_string();
        return ValidationError::UnknownValue {
            field: "value".into(),
            value,
        };
    }
    ValidationError::Malformed { message: msg }
}

/// Declares a closed set of values with a stable snake_case wire name and a human label.
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, ts_rs::TS)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// How the app shows this value to an officer.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }
    };
}
pub(crate) use labelled_enum;

#[cfg(test)]
mod tests;
