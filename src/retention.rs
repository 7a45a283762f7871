//! Retention: how long each record kind stays on a tablet once the force server holds it, and
//! when the server must review it (MoPI-style groups with review dates). The policy is a TOML
//! file; `policy/retention.toml` is built in as the default ([`RetentionPolicy::embedded`]).
//!
//! This module parses and checks a policy and does the date arithmetic. It holds no SQL: the
//! store applies the device side ([`crate::Store::apply_retention`]), the server flags
//! reviews. A policy that names an unknown kind or class, misses a kind or gives a period out
//! of range is refused with the line and the kind at fault, never half-applied.

use crate::records::RecordKind;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// The policy shipped with this build (the file in the repository).
/// Who the audit log names for an erasure made by a device's retention job.
pub const RETENTION_ACTOR: &str = "retention policy";

pub const DEFAULT_POLICY_TOML: &str = include_str!("../policy/retention.toml");

/// Longest period a policy may give, in days (100 years).
pub const MAX_DAYS: u32 = 36_500;

/// The retention group of a record kind, after the Management of Police Information (MoPI)
/// groups, plus the two kinds of record that are not about an offence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RetentionClass {
    /// Certain public protection matters.
    #[serde(rename = "group_1")]
    Group1,
    /// Other sexual, violent or serious matters.
    #[serde(rename = "group_2")]
    Group2,
    /// All other matters linked to an incident or offence.
    #[serde(rename = "group_3")]
    Group3,
    /// Intelligence not (yet) linked to an offence.
    #[serde(rename = "intelligence")]
    Intelligence,
    /// Events, directories, deployment.
    #[serde(rename = "operational")]
    Operational,
}

impl RetentionClass {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Group1 => "group_1",
            Self::Group2 => "group_2",
            Self::Group3 => "group_3",
            Self::Intelligence => "intelligence",
            Self::Operational => "operational",
        }
    }
}

impl std::fmt::Display for RetentionClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the policy says about one record kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RetentionRule {
    pub class: RetentionClass,
    /// Days a fully synced record stays on a tablet after its last change.
    pub device_days: u32,
    /// Days after its last change that the server flags a record for review.
    pub review_days: u32,
}

impl RetentionRule {
    /// When a record last changed at `last_change` may leave the tablet (once synced).
    pub fn device_expiry(&self, last_change: DateTime<Utc>) -> DateTime<Utc> {
        last_change + Duration::days(i64::from(self.device_days))
    }

    /// The record's review date on the server.
    pub fn review_date(&self, last_change: DateTime<Utc>) -> DateTime<Utc> {
        last_change + Duration::days(i64::from(self.review_days))
    }
}

/// A checked policy: a rule for every record kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetentionPolicy {
    rules: BTreeMap<RecordKind, RetentionRule>,
}

/// Why a policy file was refused. Each message names the line or the kind at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolicyError {
    #[error("the retention policy is not valid TOML or has a wrong field: {0}")]
    Syntax(String),
    #[error("retention policy line {line}: `{name}` is not a record kind; the kinds are {known}")]
    UnknownKind { line: usize, name: String, known: String },
    #[error(
        "the retention policy has no entry for record kind `{kind}`: add a [kinds.{kind}] table with class, \
         device_days and review_days"
    )]
    MissingKind { kind: RecordKind },
    #[error("retention policy line {line}, kind `{kind}`: {field} must be between 1 and {MAX_DAYS} days, not {value}")]
    BadPeriod {
        line: usize,
        kind: RecordKind,
        field: &'static str,
        value: i64,
    },
    #[error("the retention policy {path} could not be read: {reason}")]
    Unreadable { path: String, reason: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    kinds: BTreeMap<String, toml::Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    class: RetentionClass,
    device_days: i64,
    review_days: i64,
}

fn line_of(src: &str, offset: usize) -> usize {
    src.get(..offset).unwrap_or(src).matches('\n').count() + 1
}

impl RetentionPolicy {
    /// Parses and checks a policy.
    pub fn parse(src: &str) -> Result<RetentionPolicy, PolicyError> {
        let raw: RawPolicy = toml::from_str(src).map_err(|e| PolicyError::Syntax(e.to_string().trim().to_string()))?;
        let mut rules = BTreeMap::new();
        for (name, spanned) in raw.kinds {
            let line = line_of(src, spanned.span().start);
            let kind = RecordKind::parse(&name).map_err(|_| PolicyError::UnknownKind {
                line,
                name: name.clone(),
                known: RecordKind::ALL.map(|k| k.as_str()).join(", "),
            })?;
            let rule = spanned.into_inner();
            let days = |field: &'static str, value: i64| {
                u32::try_from(value)
                    .ok()
                    .filter(|d| (1..=MAX_DAYS).contains(d))
                    .ok_or(PolicyError::BadPeriod {
                        line,
                        kind,
                        field,
                        value,
                    })
            };
            rules.insert(
                kind,
                RetentionRule {
                    class: rule.class,
                    device_days: days("device_days", rule.device_days)?,
                    review_days: days("review_days", rule.review_days)?,
                },
            );
        }
        if let Some(kind) = RecordKind::ALL.into_iter().find(|k| !rules.contains_key(k)) {
            return Err(PolicyError::MissingKind { kind });
        }
        Ok(RetentionPolicy { rules })
    }

    /// Reads and checks a policy file.
    pub fn load(path: impl AsRef<Path>) -> Result<RetentionPolicy, PolicyError> {
        let path = path.as_ref();
        let src = std::fs::read_to_string(path).map_err(|e| PolicyError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::parse(&src)
    }

    /// The policy built into this app or server (`policy/retention.toml`).
    pub fn embedded() -> &'static RetentionPolicy {
        static POLICY: OnceLock<RetentionPolicy> = OnceLock::new();
        POLICY.get_or_init(|| {
            // A test parses the same file, so a broken default never ships.
            Self::parse(DEFAULT_POLICY_TOML).expect("the built-in retention policy is valid")
        })
    }

    /// The rule for a kind (every kind has one: `parse` refuses a policy that misses one).
    pub fn rule(&self, kind: RecordKind) -> RetentionRule {
        self.rules.get(&kind).copied().unwrap_or(RetentionRule {
            // Unreachable for a parsed policy; the most cautious rule otherwise.
            class: RetentionClass::Group1,
            device_days: MAX_DAYS,
            review_days: 1,
        })
    }

    pub fn rules(&self) -> impl Iterator<Item = (RecordKind, RetentionRule)> + '_ {
        self.rules.iter().map(|(k, r)| (*k, *r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_policy_has_a_rule_for_every_kind() {
        let p = RetentionPolicy::parse(DEFAULT_POLICY_TOML).unwrap();
        assert_eq!(p.rules().count(), RecordKind::ALL.len());
        assert_eq!(p.rule(RecordKind::Referral).class, RetentionClass::Group1);
        assert_eq!(RetentionPolicy::embedded(), &p);
    }

    fn without(kind: &str) -> String {
        let mut out = String::new();
        let mut skip = false;
        for line in DEFAULT_POLICY_TOML.lines() {
            if line.starts_with('[') {
                skip = line == format!("[kinds.{kind}]");
            }
            if !skip {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    #[test]
    fn a_policy_missing_a_kind_is_refused_naming_it() {
        let err = RetentionPolicy::parse(&without("referral")).unwrap_err();
        assert_eq!(
            err,
            PolicyError::MissingKind {
                kind: RecordKind::Referral
            }
        );
        assert!(err.to_string().contains("[kinds.referral]"), "{err}");
    }

    #[test]
    fn an_unknown_kind_is_refused_with_its_line() {
        let src = format!(
            "{}\n[kinds.contact_notes]\nclass = \"group_3\"\ndevice_days = 1\nreview_days = 1\n",
            DEFAULT_POLICY_TOML
        );
        let line = src.lines().position(|l| l == "[kinds.contact_notes]").unwrap() + 1;
        let err = RetentionPolicy::parse(&src).unwrap_err();
        assert!(
            matches!(&err, PolicyError::UnknownKind { line: l, name, .. } if *l == line && name == "contact_notes"),
            "{err:?}"
        );
        assert!(err.to_string().contains(&format!("line {line}")), "{err}");
        assert!(err.to_string().contains("contact_note,"), "lists the real kinds: {err}");
    }

    #[test]
    fn a_bad_period_or_class_is_refused_with_the_line_and_kind() {
        let src = DEFAULT_POLICY_TOML.replacen(
            "device_days = 30\nreview_days = 730",
            "device_days = 0\nreview_days = 730",
            1,
        );
        let err = RetentionPolicy::parse(&src).unwrap_err();
        assert!(
            matches!(
                &err,
                PolicyError::BadPeriod {
                    kind: RecordKind::Tasking,
                    field: "device_days",
                    value: 0,
                    ..
                }
            ),
            "{err:?}"
        );
        let line = src.lines().position(|l| l == "[kinds.tasking]").unwrap() + 1;
        assert!(
            err.to_string().contains(&format!("line {line}, kind `tasking`")),
            "{err}"
        );

        let src = DEFAULT_POLICY_TOML.replacen("class = \"group_2\"", "class = \"group_4\"", 1);
        let err = RetentionPolicy::parse(&src).unwrap_err().to_string();
        assert!(err.contains("group_4") && err.contains("line"), "{err}");

        let src = DEFAULT_POLICY_TOML.replacen("review_days = 3650", "review_days = 3650\nkeep_forever = true", 1);
        let err = RetentionPolicy::parse(&src).unwrap_err().to_string();
        assert!(err.contains("keep_forever"), "{err}");
    }

    #[test]
    fn dates_are_last_change_plus_the_period() {
        let p = RetentionPolicy::embedded();
        let t = DateTime::parse_from_rfc3339("2026-06-06T12:00:00Z").unwrap().to_utc();
        let r = p.rule(RecordKind::Escalation);
        assert_eq!(r.review_date(t), t + Duration::days(3650));
        assert_eq!(r.device_expiry(t), t + Duration::days(90));
    }
}
