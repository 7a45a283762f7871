//! Reports made from records: the debrief of an operation ([`debrief`]), built from the
//! current revisions of its records, and the monitoring statistics for partners
//! ([`statistics`]), built from the published (suppressed) tables; both pure (no SQL, no I/O)
//! and typeset as PDF ([`pdf`]) by typst as a library, with its fonts embedded. The same code
//! runs on the force server and on a tablet with no network, so a debrief made in the field
//! and one made in the console say the same for the same records.
//!
//! The report's data goes to the template as data (a JSON file the template reads), never
//! pasted into markup, so nothing an officer typed can change the document's structure.

pub mod debrief;
#[cfg(feature = "report")]
pub mod pdf;
pub mod statistics;

pub use debrief::{records_digest, Debrief, DebriefNotes, Priority, Recommendation, SignOff};
pub use statistics::StatisticsReport;
