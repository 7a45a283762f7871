//! What the audit log records: who did what with which record, when and why. The rows are
//! written by the store in the same transaction as the act they describe (no SQL here).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::evidence::{FieldHasher, Hash};
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

/// One audit entry with its place in the device's audit chain: what the device sends to the
/// force server, which checks each link and keeps the chain as the device made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainedAuditEntry {
    /// 1, 2, 3… on the device, with no gaps once chained.
    pub id: i64,
    /// Millisecond precision (the hash covers the milliseconds).
    pub at: DateTime<Utc>,
    pub officer: OfficerId,
    pub action: AuditAction,
    pub record_id: Option<Uuid>,
    pub detail: String,
    pub purpose: String,
    pub prev_hash: Hash,
    pub hash: Hash,
}

impl ChainedAuditEntry {
    /// The hash this entry's content and `prev_hash` give.
    pub fn compute_hash(&self) -> Hash {
        entry_hash(
            &self.prev_hash,
            self.id,
            self.at.timestamp_millis(),
            self.officer.as_str(),
            self.action.as_str(),
            self.record_id,
            &self.detail,
            &self.purpose,
        )
    }

    pub fn hash_is_valid(&self) -> bool {
        self.compute_hash() == self.hash
    }
}

/// The hash of one device audit entry: its content and the previous entry's hash, each field
/// length-prefixed so no two contents share bytes.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev: &Hash,
    id: i64,
    at_ms: i64,
    officer: &str,
    action: &str,
    record_id: Option<Uuid>,
    detail: &str,
    purpose: &str,
) -> Hash {
    let mut h = FieldHasher::new(b"liaison-audit-v1");
    h.field(&prev.0)
        .field(&id.to_le_bytes())
        .field(&at_ms.to_le_bytes())
        .field(officer.as_bytes())
        .field(action.as_bytes())
        .field(record_id.as_ref().map(|r| r.as_bytes().as_slice()).unwrap_or(&[]))
        .field(detail.as_bytes())
        .field(purpose.as_bytes());
    h.finish()
}
