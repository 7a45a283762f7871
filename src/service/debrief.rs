//! The debrief of an operation made on the tablet, with no network: from the current
//! revision of every record of it this device holds, typeset by the same template as the
//! force server's. The debrief's notes (went well, even better if, recommendations, sign-off)
//! are entered in the console, so a tablet's report says they are not entered here.

use crate::audit::Access;
use crate::records::{OfficerId, RecordId};
use crate::report::debrief::{Debrief, DebriefError, DebriefNotes};
use crate::report::pdf::{debrief_pdf, PdfError, DEBRIEF_TEMPLATE};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};

/// Why a debrief could not be made on the tablet.
#[derive(Debug, thiserror::Error)]
pub enum ReportFailure {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Debrief(#[from] DebriefError),
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error("the report could not be saved on this tablet: {0}")]
    Save(#[from] std::io::Error),
}

/// A debrief saved on the tablet, as the screen reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct SavedReport {
    /// Where the PDF is (the `reports` folder beside the database, private to the app).
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub records: u32,
    pub records_sha256: String,
}

/// [`debrief`], saved as a PDF in the `reports` folder beside the database, readable by the
/// app only (as the database is). Sharing it on is the officer's next step, outside the app.
pub fn save_debrief(
    store: &Store,
    officer: &OfficerId,
    operation_id: RecordId,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<SavedReport, ReportFailure> {
    let made = debrief(store, officer, operation_id, purpose, now)?;
    let dir = store
        .path()
        .parent()
        .map(|p| p.join("reports"))
        .unwrap_or_else(|| std::path::PathBuf::from("reports"));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir)?;
    let path = dir.join(format!("debrief-{}-{}.pdf", operation_id, now.format("%Y%m%dT%H%M%SZ")));
    let mut file = crate::files::create(&path)?;
    std::io::Write::write_all(&mut file, &made.pdf)?;
    file.sync_all()?;
    Ok(SavedReport {
        path: path.display().to_string(),
        bytes: made.pdf.len() as u64,
        records: made.records,
        records_sha256: made.records_sha256,
    })
}

/// A debrief made on this tablet: the PDF and the digest of the records it was made from.
#[derive(Debug, Clone, PartialEq)]
pub struct TabletDebrief {
    pub pdf: Vec<u8>,
    pub records: u32,
    pub records_sha256: String,
}

/// Makes the debrief PDF of `operation_id` from what this tablet holds. The records leave the
/// store in the PDF, so it is a disclosure logged with its purpose (required).
pub fn debrief(
    store: &Store,
    officer: &OfficerId,
    operation_id: RecordId,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<TabletDebrief, ReportFailure> {
    let access = Access {
        officer: officer.clone(),
        purpose: purpose.to_string(),
    };
    let revisions = store.operation_revisions(operation_id, &access)?;
    let made_on = format!("the tablet of {officer} (what it held)");
    let d = Debrief::build(
        operation_id,
        &revisions,
        &DebriefNotes::default(),
        officer.as_str(),
        &made_on,
        now,
    )?;
    let pdf = debrief_pdf(&d, DEBRIEF_TEMPLATE)?;
    Ok(TabletDebrief {
        pdf,
        records: d.records,
        records_sha256: d.records_sha256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// `pdftotext -layout` of `pdf` (poppler-utils; CI installs it, and there a missing tool
    /// fails rather than skips).
    pub(crate) fn pdftotext(pdf: &[u8]) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.pdf");
        std::fs::write(&path, pdf).unwrap();
        match std::process::Command::new("pdftotext")
            .arg("-layout")
            .arg(&path)
            .arg("-")
            .output()
        {
            Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
            Ok(out) => panic!("pdftotext failed: {}", String::from_utf8_lossy(&out.stderr)),
            Err(e) => {
                assert!(
                    !std::env::var("CI").is_ok_and(|v| v == "true"),
                    "pdftotext is missing under CI: {e}"
                );
                eprintln!("pdftotext not installed ({e}): the text of the PDF is not checked");
                None
            }
        }
    }

    #[test]
    fn the_demo_operations_debrief_is_made_on_the_tablet_the_same_twice_and_holds_every_section() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("d.db")).unwrap();
        let start = Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap();
        let demo = crate::demo::generate(&mut store, start, 7).unwrap();
        let op = demo.operation_id.unwrap();
        let me = OfficerId::new("PC 4521").unwrap();
        let at = Utc.with_ymd_and_hms(2026, 6, 6, 18, 0, 0).unwrap();
        let a = debrief(&store, &me, op, "debrief meeting", at).unwrap();
        let b = debrief(&store, &me, op, "debrief meeting", at).unwrap();
        assert!(a.pdf.starts_with(b"%PDF-"));
        assert_eq!(a.pdf, b.pdf, "the same records and clock make the same bytes");
        assert_eq!(a.records_sha256.len(), 64);
        // Without a purpose nothing is made, and the making is a logged disclosure.
        assert!(matches!(
            debrief(&store, &me, op, " ", at),
            Err(ReportFailure::Store(StoreError::PurposeRequired))
        ));
        let log = store.audit_entries(Some(op)).unwrap();
        assert_eq!(
            log.iter()
                .filter(|e| e.action == crate::audit::AuditAction::Disclosure && e.purpose == "debrief meeting")
                .count(),
            2
        );
        // Another record id is not an operation this tablet holds.
        assert!(matches!(
            debrief(&store, &me, uuid::Uuid::now_v7(), "debrief", at),
            Err(ReportFailure::Store(StoreError::RecordNotFound(_)))
        ));

        // Saved beside the database, private to the app.
        let saved = save_debrief(&store, &me, op, "handing on to Bronze", at).unwrap();
        let on_disk = std::fs::read(&saved.path).unwrap();
        assert_eq!(on_disk, a.pdf);
        assert_eq!(saved.bytes, a.pdf.len() as u64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&saved.path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{:o}", mode);
        }

        let Some(text) = pdftotext(&a.pdf) else { return };
        for heading in crate::report::pdf::DEBRIEF_SECTIONS {
            assert!(text.contains(heading), "no “{heading}” in:\n{text}");
        }
        assert!(text.contains(&a.records_sha256), "the digest is printed whole");
        assert!(text.contains("the tablet of PC 4521"));
        assert!(text.contains("Not signed off"));
    }
}
