//! CSV (RFC 4180): a header row, CRLF line ends, a field quoted when it holds a comma, a
//! quote, CR or LF, its quotes doubled; UTF-8 without a byte-order mark; times ISO 8601 in
//! UTC.
//!
//! A text cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`,
//! a tab or a carriage return) is neutralised by a leading single quote, as OWASP advises
//! against CSV injection: a record's words are never run as a formula on a partner's machine.
//! Numbers the server writes itself (latitude, longitude, easting, northing, counts) are not
//! text and are written as they are, so a negative longitude stays a number.

use super::Current;
use chrono::{DateTime, SecondsFormat, Utc};
use liaison_core::geo::bng;
use liaison_core::records::{Body, RecordKind};
use serde::Serialize;

/// Writes rows of fields into a buffer: the `csv` crate's writer (RFC 4180 quoting, CRLF
/// terminators), with the neutralisation of formula cells on top.
pub struct Writer {
    out: csv::Writer<Vec<u8>>,
    scratch: String,
}

impl Default for Writer {
    fn default() -> Self {
        Writer::new()
    }
}

/// Whether a spreadsheet would read a text cell as a formula (OWASP's list).
pub fn is_formula(s: &str) -> bool {
    matches!(s.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

impl Writer {
    pub fn new() -> Writer {
        Writer {
            out: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .quote_style(csv::QuoteStyle::Necessary)
                .has_headers(false)
                .from_writer(Vec::with_capacity(1 << 16)),
            scratch: String::new(),
        }
    }

    /// A text cell: neutralised if a spreadsheet would read it as a formula, quoted if needed.
    pub fn text(&mut self, s: &str) {
        // Writing into a Vec cannot fail.
        if is_formula(s) {
            self.scratch.clear();
            self.scratch.push('\'');
            self.scratch.push_str(s);
            let _ = self.out.write_field(&self.scratch);
        } else {
            let _ = self.out.write_field(s);
        }
    }

    /// A number the server wrote (never neutralised: it is no formula).
    pub fn number(&mut self, n: impl std::fmt::Display) {
        use std::fmt::Write;
        self.scratch.clear();
        let _ = write!(self.scratch, "{n}");
        let _ = self.out.write_field(&self.scratch);
    }

    pub fn empty(&mut self) {
        let _ = self.out.write_field("");
    }

    pub fn end_row(&mut self) {
        let _ = self.out.write_record(None::<&[u8]>);
    }

    pub fn finish(self) -> Vec<u8> {
        self.out.into_inner().unwrap_or_default()
    }
}

/// A time as written in every export: ISO 8601, UTC, to the second.
pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A closed value's name on the wire (`being_checked`), as the record holds it.
fn wire<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn opt<T>(v: &Option<T>, f: impl FnOnce(&T) -> String) -> String {
    v.as_ref().map(f).unwrap_or_default()
}

fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join("; ")
}

/// The columns every row has, before the kind's own.
pub const COMMON: [&str; 18] = [
    "id",
    "kind",
    "title",
    "occurred_at",
    "operation_id",
    "sector",
    "author",
    "last_edited_by",
    "last_edited_at",
    "revision_count",
    "lat",
    "lon",
    "accuracy_m",
    "easting",
    "northing",
    "grid_reference",
    "tags",
    "links",
];

/// Each kind's own columns, in the order [`kind_cells`] gives their values.
pub fn kind_columns(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Operation => &[
            "name",
            "event_kind",
            "starts_at",
            "ends_at",
            "briefing",
            "command_structure",
            "team",
            "sectors",
            "groups_expected",
        ],
        RecordKind::Person => &["name", "role", "phone", "email", "other_contact", "groups", "notes"],
        RecordKind::Group => &["name", "group_kind", "description", "contacts", "website"],
        RecordKind::Venue => &["name", "address", "manager", "phone", "notes"],
        RecordKind::Agency => &["name", "services", "phone", "email", "referral_route"],
        RecordKind::ContactNote => &["spoke_with", "function", "summary", "mood", "follow_up", "monitored"],
        RecordKind::RumourReport => &[
            "content",
            "heard_at",
            "source",
            "source_detail",
            "spread",
            "risk",
            "status",
            "findings",
            "verified_at",
            "control_actions",
        ],
        RecordKind::NegotiationOutcome => &[
            "parties",
            "subject",
            "police_position",
            "conditions",
            "other_position",
            "outcome",
            "agreed",
            "compliance",
            "compliance_note",
        ],
        RecordKind::TensionReading => &["mood", "crowd_estimate", "note"],
        RecordKind::Escalation => &[
            "category",
            "summary",
            "told",
            "told_at",
            "addressed_to",
            "addressed_person",
            "escalated",
            "acknowledged_by",
            "acknowledged_at",
            "decision",
            "response",
            "response_at",
            "responded_by",
            "monitored",
        ],
        RecordKind::Tasking => &[
            "title",
            "incident_type",
            "briefing_ref",
            "details",
            "due",
            "status",
            "result",
            "assigned_to",
            "override_reason",
        ],
        RecordKind::Abstraction => &[
            "from_duty",
            "to_duty",
            "authorised_by",
            "reason",
            "starts_at",
            "ends_at",
            "decision",
            "decided_by",
        ],
        RecordKind::Referral => &[
            "person",
            "agency",
            "agency_name",
            "reason",
            "consent",
            "outcome",
            "result",
            "monitored",
        ],
        RecordKind::IntelligenceSubmission => &[
            "summary",
            "detail",
            "source",
            "urgent",
            "reference",
            "reason_from_note",
            "review_outcome",
            "grading",
            "reviewed_by",
        ],
    }
}

/// The kind's own fields of a record, flattened to text in [`kind_columns`]'s order: closed
/// values by their wire names, lists joined with "; ", times ISO 8601 UTC.
pub fn kind_cells(body: &Body) -> Vec<String> {
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    let strands = |s: &[liaison_core::records::MonitoredStrand]| list(s, wire);
    match body {
        Body::Operation(o) => vec![
            o.name.clone(),
            wire(&o.event_kind),
            time(o.starts_at),
            time(o.ends_at),
            o.briefing.clone(),
            o.command_structure.clone(),
            list(&o.team, |m| format!("{} ({})", m.officer, m.role)),
            list(&o.sectors, |s| s.name.clone()),
            list(&o.groups_expected, |g| g.to_string()),
        ],
        Body::Person(p) => vec![
            p.name.clone(),
            wire(&p.role),
            p.phone.clone(),
            p.email.clone(),
            p.other_contact.clone(),
            list(&p.groups, |g| g.to_string()),
            p.notes.clone(),
        ],
        Body::Group(g) => vec![
            g.name.clone(),
            wire(&g.group_kind),
            g.description.clone(),
            list(&g.contacts, |c| c.to_string()),
            g.website.clone(),
        ],
        Body::Venue(v) => vec![
            v.name.clone(),
            v.address.clone(),
            opt(&v.manager, |m| m.to_string()),
            v.phone.clone(),
            v.notes.clone(),
        ],
        Body::Agency(a) => vec![
            a.name.clone(),
            a.services.clone(),
            a.phone.clone(),
            a.email.clone(),
            a.referral_route.clone(),
        ],
        Body::ContactNote(n) => vec![
            n.spoke_with.clone(),
            wire(&n.function),
            n.summary.clone(),
            opt(&n.mood, wire),
            n.follow_up.clone().unwrap_or_default(),
            strands(&n.monitored),
        ],
        Body::RumourReport(r) => vec![
            r.content.clone(),
            r.heard_at.clone(),
            wire(&r.source),
            r.source_detail.clone(),
            wire(&r.spread),
            wire(&r.risk),
            wire(&r.status),
            r.findings.clone(),
            opt(&r.verified_at, |t| time(*t)),
            list(&r.control_actions, |a| {
                format!("{} told {}: {}", time(a.at), a.told, a.message)
            }),
        ],
        Body::NegotiationOutcome(n) => vec![
            n.parties.clone(),
            wire(&n.subject),
            n.police_position.clone(),
            n.conditions.join("; "),
            n.other_position.clone(),
            wire(&n.outcome),
            n.agreed.clone(),
            opt(&n.compliance, wire),
            n.compliance_note.clone(),
        ],
        Body::TensionReading(t) => vec![wire(&t.mood), opt(&t.crowd_estimate, |c| c.to_string()), t.note.clone()],
        Body::Escalation(e) => vec![
            wire(&e.category),
            e.summary.clone(),
            e.told.clone(),
            time(e.told_at),
            opt(&e.addressed_to, wire),
            e.addressed_person.clone(),
            list(&e.escalated, |s| {
                format!("{} to {}: {}", time(s.at), wire(&s.to), s.reason)
            }),
            opt(&e.acknowledged, |a| a.name.clone()),
            opt(&e.acknowledged, |a| time(a.at)),
            opt(&e.decision, wire),
            e.response.clone(),
            opt(&e.response_at, |t| time(*t)),
            e.responded_by.clone(),
            strands(&e.monitored),
        ],
        Body::Tasking(t) => vec![
            t.title.clone(),
            wire(&t.incident_type),
            t.briefing_ref.clone(),
            t.details.clone(),
            opt(&t.due, |d| time(*d)),
            wire(&t.status),
            t.result.clone(),
            opt(&t.assigned_to, |o| o.to_string()),
            t.override_reason.clone(),
        ],
        Body::Abstraction(a) => vec![
            a.from_duty.clone(),
            a.to_duty.clone(),
            a.authorised_by.clone(),
            a.reason.clone(),
            time(a.starts_at),
            opt(&a.ends_at, |t| time(*t)),
            opt(&a.decision, |d| wire(&d.outcome)),
            opt(&a.decision, |d| d.name.clone()),
        ],
        Body::Referral(r) => vec![
            r.person.clone(),
            opt(&r.agency, |a| a.to_string()),
            r.agency_name.clone(),
            r.reason.clone(),
            yes(r.consent),
            r.outcome.clone(),
            opt(&r.result, wire),
            strands(&r.monitored),
        ],
        Body::IntelligenceSubmission(i) => vec![
            i.summary.clone(),
            i.detail.clone(),
            wire(&i.source),
            yes(i.urgent),
            i.reference.clone(),
            i.reason_from_note.clone(),
            opt(&i.review, |r| wire(&r.outcome)),
            opt(&i.review, |r| opt(&r.grading, |g| g.code())),
            opt(&i.review, |r| r.reviewed_by.clone()),
        ],
    }
}

/// The header of an export holding `kinds`: the common columns, then each kind's own, a
/// column shared by name across kinds (name, phone, summary…) once, in first-seen order.
pub fn header(kinds: &[RecordKind]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = COMMON.to_vec();
    for k in kinds {
        for c in kind_columns(*k) {
            if !out.contains(c) {
                out.push(c);
            }
        }
    }
    out
}

/// Writes the rows of `records` (each a record's current version) under the header for
/// `kinds`. A record of a kind outside `kinds` gets the common columns only.
pub fn write(records: &[Current], kinds: &[RecordKind]) -> Vec<u8> {
    let header = header(kinds);
    // For each kind, where each header column's value is in its cells.
    let places: Vec<(RecordKind, Vec<Option<usize>>)> = RecordKind::ALL
        .iter()
        .map(|k| {
            let own = kind_columns(*k);
            let in_header = kinds.contains(k);
            (
                *k,
                header[COMMON.len()..]
                    .iter()
                    .map(|h| {
                        if in_header {
                            own.iter().position(|c| c == h)
                        } else {
                            None
                        }
                    })
                    .collect(),
            )
        })
        .collect();
    let mut w = Writer::new();
    for h in &header {
        w.text(h);
    }
    w.end_row();
    for c in records {
        let rev = &c.head.revision;
        let record = &rev.body;
        w.text(&rev.record_id.to_string());
        w.text(rev.kind.as_str());
        w.text(&record.body.title());
        w.text(&time(record.occurred_at));
        w.text(&record.operation_id.map(|o| o.to_string()).unwrap_or_default());
        w.text(record.sector.as_deref().unwrap_or(""));
        w.text(c.author.as_str());
        w.text(rev.author.as_str());
        w.text(&time(rev.recorded_at));
        w.number(c.revisions);
        match &record.location {
            Some(loc) => {
                w.number(loc.lat);
                w.number(loc.lon);
                match loc.accuracy_m {
                    Some(a) => w.number(a),
                    None => w.empty(),
                }
                match bng::to_grid(loc.lat, loc.lon) {
                    Some(g) => {
                        let (e, n) = g.rounded();
                        w.number(e);
                        w.number(n);
                        w.text(&g.grid_reference(10).unwrap_or_default());
                    }
                    None => {
                        w.empty();
                        w.empty();
                        w.empty();
                    }
                }
            }
            None => {
                for _ in 0..6 {
                    w.empty();
                }
            }
        }
        w.text(&record.tags.join("; "));
        w.text(&list(&record.links, |l| l.to_string()));
        let cells = kind_cells(&record.body);
        let place = &places
            .iter()
            .find(|(k, _)| *k == rev.kind)
            .expect("every kind has its places")
            .1;
        for p in place {
            match p {
                Some(i) => w.text(&cells[*i]),
                None => w.empty(),
            }
        }
        w.end_row();
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> String {
        let mut w = Writer::new();
        for c in cells {
            w.text(c);
        }
        w.end_row();
        String::from_utf8(w.finish()).unwrap()
    }

    #[test]
    fn fields_are_quoted_and_quotes_doubled_only_when_needed_and_rows_end_in_crlf() {
        assert_eq!(
            row(&["plain", "a,b", "say \"hi\"", "two\nlines"]),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
        assert_eq!(row(&["", "é — ü"]), ",é — ü\r\n");
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised_and_a_number_is_not() {
        assert_eq!(
            row(&[
                "=HYPERLINK(\"http://x\")",
                "+44 121",
                "-2+3",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "a=b"
            ]),
            "\"'=HYPERLINK(\"\"http://x\"\")\",'+44 121,'-2+3,'@SUM(A1),'\tx,\"'\rx\",a=b\r\n"
        );
        let mut w = Writer::new();
        w.number(-1.9075);
        w.number(52.4795);
        w.end_row();
        assert_eq!(String::from_utf8(w.finish()).unwrap(), "-1.9075,52.4795\r\n");
    }

    #[test]
    fn every_kind_gives_a_value_for_each_of_its_columns() {
        let plan = liaison_core::demo::plan(chrono::Utc::now(), 1);
        for kind in RecordKind::ALL {
            let r = plan
                .revisions
                .iter()
                .find(|r| r.record.kind() == kind)
                .unwrap_or_else(|| panic!("the demo has a {kind}"));
            assert_eq!(kind_cells(&r.record.body).len(), kind_columns(kind).len(), "{kind}");
        }
        let h = header(&RecordKind::ALL);
        let mut unique = h.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), h.len(), "each column once");
    }
}
