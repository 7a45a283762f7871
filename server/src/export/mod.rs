//! Open exports (issue 13, item 2) of an operation or of the directory, for the console's
//! buttons and `liaison-server export`: CSV ([`csv`]), GeoJSON ([`geojson`]) and JSON with
//! the full revision history ([`history`]); and the monitoring statistics for partners as CSV
//! ([`monitoring`]). docs/exports.md and docs/statistics.md.
//!
//! # Invariants
//!
//! - Every export is a disclosure written in the server's audit chain (who, what, how many
//!   records, and its purpose) after the export is made and before it is handed over; an
//!   export without a purpose is refused before anything is read, and nothing is written.
//! - Revisions are read page by page in log order ([`PAGE`] at a time), one query a page:
//!   never a query per record. A record's current version is the one every device shows
//!   (`evidence::winner` among its heads).
//! - Who may export what is the console's matrix (an operation's records: commanders and
//!   supervisors; the directory: those and force IT); this module only makes the file.

pub mod command;
pub mod csv;
pub mod geojson;
pub mod history;
pub mod monitoring;

use crate::storage::console::Logged;
use crate::storage::{Storage, StorageError};
use crate::visibility::Scope;
use chrono::{DateTime, Utc};
use liaison_core::evidence::winner;
use liaison_core::records::{OfficerId, RecordKind};
use std::collections::HashMap;
use uuid::Uuid;

/// Revisions read from storage at a time.
pub const PAGE: u32 = 2_000;
/// The longest purpose an export may be given, in characters.
pub const MAX_PURPOSE: usize = 500;

/// The directory's kinds: people, groups, venues, agencies.
pub const DIRECTORY_KINDS: [RecordKind; 4] = [
    RecordKind::Person,
    RecordKind::Group,
    RecordKind::Venue,
    RecordKind::Agency,
];

/// A file format of the open exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    GeoJson,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Csv, Format::GeoJson, Format::Json];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::GeoJson => "geojson",
            Format::Json => "json",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim().to_ascii_lowercase())
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::GeoJson => "application/geo+json",
            Format::Json => "application/json",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::GeoJson => "GeoJSON",
            Format::Json => "JSON with the full revision history",
        }
    }
}

/// What is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// An operation: its own record and every record of it.
    Operation(Uuid),
    /// The directory shared with the whole force: people, groups, venues and agencies with no
    /// operation.
    Directory,
}

/// A file made and logged, ready to hand over.
#[derive(Debug, Clone)]
pub struct Export {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub file_name: String,
    pub records: usize,
    pub revisions: usize,
}

/// Why an export was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A form problem, beside its field (`purpose`, `format`, `from`, `to`).
    #[error("{field} {message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A purpose as logged: required, one line, at most [`MAX_PURPOSE`] characters.
pub fn check_purpose(purpose: &str) -> Result<String, ExportError> {
    let p = purpose.trim();
    let bad = |message: &str| ExportError::Invalid {
        field: "purpose",
        message: message.into(),
    };
    if p.is_empty() {
        return Err(bad(
            "is required: why the records are disclosed, and to whom (it is logged with the export)",
        ));
    }
    if p.chars().count() > MAX_PURPOSE {
        return Err(bad(&format!("must be at most {MAX_PURPOSE} characters")));
    }
    if p.chars().any(char::is_control) {
        return Err(bad("must be one line of text"));
    }
    Ok(p.to_string())
}

/// A record's current version, with who made the record (its first revision's author) and how
/// many revisions it has.
#[derive(Debug, Clone)]
pub struct Current {
    pub head: Logged,
    pub author: OfficerId,
    pub revisions: u32,
}

/// Hands every revision of `subject` to `f`, in log order for each record, page by page.
pub fn each_revision(s: &dyn Storage, subject: Subject, mut f: impl FnMut(Logged)) -> Result<(), StorageError> {
    match subject {
        Subject::Operation(op) => pages(|after| s.operation_log(op, after, PAGE), &mut f),
        Subject::Directory => {
            for kind in DIRECTORY_KINDS {
                // A directory entry made within an operation belongs to that operation's export.
                pages(|after| s.kind_log(kind, after, PAGE), &mut |l: Logged| {
                    if Scope::of(&l.revision) == Scope::Force {
                        f(l)
                    }
                })?;
            }
            Ok(())
        }
    }
}

/// Reads pages from `read(after)` until one is short.
pub fn pages(
    mut read: impl FnMut(i64) -> Result<Vec<Logged>, StorageError>,
    f: &mut impl FnMut(Logged),
) -> Result<(), StorageError> {
    let mut after = 0;
    loop {
        let page = read(after)?;
        let full = page.len() == PAGE as usize;
        if let Some(last) = page.last() {
            after = last.position;
        }
        page.into_iter().for_each(&mut *f);
        if !full {
            return Ok(());
        }
    }
}

/// Folds revisions (in log order per record) into each record's current version.
#[derive(Default)]
pub struct Currents {
    by_record: HashMap<Uuid, (OfficerId, u32, Vec<Logged>)>,
    pub revisions: usize,
}

impl Currents {
    pub fn add(&mut self, l: Logged) {
        self.revisions += 1;
        let entry = self
            .by_record
            .entry(l.revision.record_id)
            .or_insert_with(|| (l.revision.author.clone(), 0, Vec::new()));
        entry.1 += 1;
        let (parent, merges) = (l.revision.parent, l.revision.merges);
        entry
            .2
            .retain(|h| Some(h.revision.id) != parent && Some(h.revision.id) != merges);
        entry.2.push(l);
    }

    /// Each record's current version, by when it happened, then by id.
    pub fn finish(self) -> Vec<Current> {
        let mut out: Vec<Current> = self
            .by_record
            .into_values()
            .filter_map(|(author, revisions, heads)| {
                let won = *winner(heads.iter().map(|l| (l.revision.hlc, &l.revision.id)))?;
                let head = heads.into_iter().find(|l| l.revision.id == won)?;
                Some(Current {
                    head,
                    author,
                    revisions,
                })
            })
            .collect();
        out.sort_by_key(|c| (c.head.revision.body.occurred_at, c.head.revision.record_id));
        out
    }
}

/// The current version of every record of `subject`, and how many revisions were read.
pub fn current(s: &dyn Storage, subject: Subject) -> Result<(Vec<Current>, usize), StorageError> {
    let mut currents = Currents::default();
    each_revision(s, subject, |l| currents.add(l))?;
    let revisions = currents.revisions;
    Ok((currents.finish(), revisions))
}

/// `Operation KESTREL — Clean Air March` → `operation-kestrel-clean-air-march`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "operation".into()
    } else {
        out.chars().take(60).collect()
    }
}

/// Makes the export of `subject` in `format`, then logs it as a disclosure by `actor` for
/// `purpose` (refused, with nothing read or written, without one). An unknown operation is
/// [`StorageError::UnknownOperation`].
pub fn export(
    s: &dyn Storage,
    subject: Subject,
    format: Format,
    actor: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Export, ExportError> {
    let purpose = check_purpose(purpose)?;
    let (name, operation) = match subject {
        Subject::Operation(id) => {
            let name = s
                .operations()?
                .into_iter()
                .find(|(op, _, _)| *op == id)
                .map(|(_, name, _)| name)
                .ok_or(StorageError::UnknownOperation(id))?;
            (name, Some(id))
        }
        Subject::Directory => ("the directory".to_string(), None),
    };
    let kinds: &[RecordKind] = match subject {
        Subject::Operation(_) => &RecordKind::ALL,
        Subject::Directory => &DIRECTORY_KINDS,
    };
    let (bytes, records, revisions) = match format {
        Format::Csv => {
            let (current, revisions) = current(s, subject)?;
            (csv::write(&current, kinds), current.len(), revisions)
        }
        Format::GeoJson => {
            let (current, revisions) = current(s, subject)?;
            (geojson::write(&current), current.len(), revisions)
        }
        Format::Json => {
            let about = history::About {
                kind: match subject {
                    Subject::Operation(_) => "operation",
                    Subject::Directory => "directory",
                },
                id: operation,
                name: &name,
                exported_at: now,
                exported_by: actor,
                purpose: &purpose,
            };
            history::write(s, subject, &about)?
        }
    };
    let what = match subject {
        Subject::Operation(id) => format!("operation {name} ({id})"),
        Subject::Directory => "the directory".into(),
    };
    s.disclose(
        actor,
        operation,
        &format!(
            "export of {what} as {}: {records} records ({revisions} revisions)",
            format.label()
        ),
        &purpose,
    )?;
    let stem = match subject {
        Subject::Operation(_) => slug(&name),
        Subject::Directory => "directory".into(),
    };
    Ok(Export {
        bytes,
        content_type: format.content_type(),
        file_name: format!("{stem}-{}.{}", now.format("%Y%m%d-%H%M"), format.as_str()),
        records,
        revisions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purpose_is_required_one_line_and_bounded() {
        assert!(check_purpose("  ").is_err());
        assert!(check_purpose("two\nlines").is_err());
        assert!(check_purpose(&"x".repeat(MAX_PURPOSE + 1)).is_err());
        assert_eq!(check_purpose(" IAG meeting, 3 June ").unwrap(), "IAG meeting, 3 June");
    }

    #[test]
    fn file_names_are_plain() {
        assert_eq!(
            slug("Operation KESTREL — Clean Air March"),
            "operation-kestrel-clean-air-march"
        );
        assert_eq!(slug("——"), "operation");
        assert_eq!(Format::parse(" GeoJSON "), Some(Format::GeoJson));
        assert_eq!(Format::parse("xlsx"), None);
    }
}
