//! Typesetting reports as PDF with typst as a library. The template (a `.typ` file a force
//! may edit: [`DEBRIEF_TEMPLATE`] is the default) reads the report's data from `/data.json`;
//! nothing from the records is ever pasted into markup. Fonts are typst's embedded ones, so
//! nothing is read from the machine and a tablet makes the same file as the server. The PDF
//! is PDF/A-2b, dated by the report's own time (not the clock at typesetting), so the same
//! records make the same bytes.

use super::{Debrief, StatisticsReport};
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;

/// The debrief template shipped with Liaison.
pub const DEBRIEF_TEMPLATE: &str = include_str!("debrief.typ");

/// The headings every debrief shows, in order (the template's sections; a force's edited
/// template keeps them, and the tests look for each in the PDF's text).
pub const DEBRIEF_SECTIONS: [&str; 15] = [
    "Debrief:",
    "Operation",
    "Officers deployed",
    "Briefing",
    "Engagement timeline",
    "Map of the area",
    "Tension per sector over time",
    "Rumours",
    "Negotiations and compliance",
    "Escalations",
    "Intelligence submissions",
    "What went well",
    "Even better if",
    "Recommendations",
    "Sign-off and evidence",
];

/// The monitoring statistics template shipped with Liaison.
pub const STATISTICS_TEMPLATE: &str = include_str!("statistics.typ");

/// The headings every statistics report shows, in order (the tables' titles are the
/// published tables' own).
pub const STATISTICS_SECTIONS: [&str; 4] = [
    "Monitoring statistics:",
    "How to read these tables",
    "Referrals by agency and outcome",
    "Suppression and disclosure",
];

/// Why a report could not be typeset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// The template has an error (a force's edited template, most likely): the first
    /// message typst gave.
    #[error("the report template could not be typeset: {0}")]
    Template(String),
    #[error("the PDF could not be written: {0}")]
    Export(String),
}

fn fonts() -> &'static FontStore {
    static FONTS: OnceLock<FontStore> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut store = FontStore::new();
        store.extend(typst_kit::fonts::embedded());
        store
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

fn file_id(path: &str) -> FileId {
    FileId::new(RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a fixed, valid path"),
    ))
}

/// The world a report is typeset in: the template, its data, the embedded fonts, a fixed
/// date. No file system, no network, no packages.
struct ReportWorld {
    main: Source,
    data: Bytes,
    data_id: FileId,
    today: Option<Datetime>,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        fonts().book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

/// Typesets `debrief` with `template` (usually [`DEBRIEF_TEMPLATE`]).
pub fn debrief_pdf(debrief: &Debrief, template: &str) -> Result<Vec<u8>, PdfError> {
    let data = serde_json::to_vec(debrief).map_err(|e| PdfError::Export(e.to_string()))?;
    render(template, data, debrief.made_at_time, &debrief.operation_id.to_string())
}

/// Typesets the monitoring statistics for partners with `template` (usually
/// [`STATISTICS_TEMPLATE`]).
pub fn statistics_pdf(report: &StatisticsReport, template: &str) -> Result<Vec<u8>, PdfError> {
    let data = serde_json::to_vec(report).map_err(|e| PdfError::Export(e.to_string()))?;
    render(
        template,
        data,
        report.made_at_time,
        &format!("monitoring-statistics-{}-{}", report.from, report.to),
    )
}

fn render(template: &str, data: Vec<u8>, at: chrono::DateTime<chrono::Utc>, ident: &str) -> Result<Vec<u8>, PdfError> {
    use chrono::{Datelike, Timelike};
    let date = Datetime::from_ymd_hms(
        at.year(),
        at.month() as u8,
        at.day() as u8,
        at.hour() as u8,
        at.minute() as u8,
        at.second() as u8,
    );
    let world = ReportWorld {
        main: Source::new(file_id("/report.typ"), template.to_string()),
        data: Bytes::new(data),
        data_id: file_id("/data.json"),
        today: date,
    };
    let document = typst::compile::<PagedDocument>(&world).output;
    // typst memoises across compilations; a report is made once, and a server (or a tablet)
    // must not keep every report's layout in memory: drop what this one cached.
    let document = document.map_err(|errors| {
        typst::comemo::evict(0);
        PdfError::Template(first_message(&errors))
    })?;
    let standards = typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2b])
        .map_err(|e| PdfError::Export(e.message().to_string()))?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some("Liaison".into())),
        timestamp: date.map(typst_pdf::Timestamp::new_utc),
        standards,
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| PdfError::Export(first_message(&errors)));
    drop(document);
    typst::comemo::evict(0);
    pdf
}

fn first_message(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors
        .first()
        .map(|e| e.message.to_string())
        .unwrap_or_else(|| "unknown error".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_with_an_error_is_refused_with_typsts_message() {
        let err = render("#let x = ", b"{}".to_vec(), chrono::Utc::now(), "t").unwrap_err();
        assert!(matches!(err, PdfError::Template(_)), "{err:?}");
    }

    #[test]
    fn a_template_cannot_read_anything_but_its_data() {
        let err = render("#read(\"/etc/passwd\")", b"{}".to_vec(), chrono::Utc::now(), "t").unwrap_err();
        assert!(matches!(err, PdfError::Template(_)), "{err:?}");
    }

    #[test]
    fn the_statistics_report_is_typeset_the_same_twice() {
        use crate::records::MonitoredStrand;
        use crate::statistics::{publish, Month, Tally};
        let at = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let mut t = Tally::new(Month::parse("2026-01").unwrap(), Month::parse("2026-05").unwrap());
        for _ in 0..9 {
            t.record(at, "Operation KESTREL: Sector 1", &[MonitoredStrand::SexualOrientation]);
        }
        t.record(at, "Ladywood neighbourhood", &[MonitoredStrand::TransgenderIdentity]);
        let report = StatisticsReport::new(&publish(&t), "insp.khan", "Hate crime IAG", at);
        let a = statistics_pdf(&report, STATISTICS_TEMPLATE).unwrap();
        let b = statistics_pdf(&report, STATISTICS_TEMPLATE).unwrap();
        assert!(a.starts_with(b"%PDF-"));
        assert_eq!(a, b, "the same tables at the same time make the same file");
    }

    #[test]
    fn the_same_input_makes_the_same_bytes() {
        let at = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let t = "#let d = json(\"/data.json\")\n= #d.at(\"title\")\nHello.";
        let a = render(t, br#"{"title":"One"}"#.to_vec(), at, "x").unwrap();
        let b = render(t, br#"{"title":"One"}"#.to_vec(), at, "x").unwrap();
        assert!(a.starts_with(b"%PDF-"));
        assert_eq!(a, b);
    }
}
