//! What the audit log records: who did what with which record, when and why. The rows are
//! written by the store in the same transaction as the act they describe (no SQL here).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::records::OfficerId;

/// The acts the Data Protection Act 2018 Part 3 (s.62) requires a log of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A record was created.
    Collection,
    /// A record was edited.
    Alteration,
    /// A record holding personal data was read.
    Consultation,
    /// Records left the device: export, share, sync.
    Disclosure,
    /// Records were combined (e.g. a debrief report).
    Combination,
    /// Records were erased (retention).
    Erasure,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Collection => "collection",
            Self::Alteration => "alteration",
            Self::Consultation => "consultation",
            Self::Disclosure => "disclosure",
            Self::Combination => "combination",
            Self::Erasure => "erasure",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Collection,
            Self::Alteration,
            Self::Consultation,
            Self::Disclosure,
            Self::Combination,
            Self::Erasure,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// Who is acting and why: required to read personal data or to export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Access {
    pub officer: OfficerId,
    /// The reason given ("follow-up call to organiser", "debrief"). Required for
    /// consultation and disclosure.
    pub purpose: String,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub at: DateTime<Utc>,
    pub officer: OfficerId,
    pub action: AuditAction,
    pub record_id: Option<Uuid>,
    pub detail: String,
    pub purpose: String,
}
