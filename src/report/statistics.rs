//! The monitoring statistics for partners as a report: the published tables (small numbers
//! already suppressed by [`crate::statistics::publish`]) as text, with who made the report,
//! when, and for what. Nothing here sees a raw count, so the PDF cannot show more than the
//! console page and the CSV do.

use crate::statistics::{MonitoringStatistics, PublishedTable, Shown};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One row of a table as it is printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    pub label: String,
    pub cells: Vec<String>,
    pub total: String,
}

/// A published table as it is printed: every cell already a count, "<5" or "[c]".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportTable {
    pub title: String,
    pub row_heading: String,
    pub columns: Vec<String>,
    pub rows: Vec<ReportRow>,
    pub column_totals: Vec<String>,
    pub total: String,
    pub withheld: bool,
}

impl ReportTable {
    fn of(t: &PublishedTable) -> ReportTable {
        let text = |v: &[Shown]| v.iter().map(|s| s.text()).collect::<Vec<_>>();
        ReportTable {
            title: t.title.clone(),
            row_heading: t.row_heading.clone(),
            columns: t.columns.clone(),
            rows: t
                .rows
                .iter()
                .zip(&t.cells)
                .zip(&t.row_totals)
                .map(|((label, cells), total)| ReportRow {
                    label: label.clone(),
                    cells: text(cells),
                    total: total.text(),
                })
                .collect(),
            column_totals: text(&t.column_totals),
            total: t.total.text(),
            withheld: t.withheld,
        }
    }
}

/// The statistics of a period as a report for partners.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatisticsReport {
    /// "Dec 2025 to Nov 2026".
    pub period: String,
    pub from: String,
    pub to: String,
    /// To whom and why (the disclosure's purpose).
    pub purpose: String,
    pub made_by: String,
    /// "Tue 1 Dec 2026 06:10 UTC".
    pub made_at: String,
    pub notes: Vec<String>,
    pub tables: Vec<ReportTable>,
    #[serde(skip)]
    pub made_at_time: DateTime<Utc>,
}

impl StatisticsReport {
    pub fn new(stats: &MonitoringStatistics, made_by: &str, purpose: &str, at: DateTime<Utc>) -> StatisticsReport {
        let label = |key: &str| {
            crate::statistics::Month::parse(key)
                .map(|m| m.label())
                .unwrap_or_else(|| key.to_string())
        };
        StatisticsReport {
            period: format!("{} to {}", label(&stats.from), label(&stats.to)),
            from: stats.from.clone(),
            to: stats.to.clone(),
            purpose: purpose.trim().to_string(),
            made_by: made_by.to_string(),
            made_at: at.format("%a %-d %b %Y %H:%M UTC").to_string(),
            notes: stats.notes.clone(),
            tables: [
                &stats.by_month_and_strand,
                &stats.by_area_and_month,
                &stats.referrals_by_agency_and_outcome,
            ]
            .into_iter()
            .map(ReportTable::of)
            .collect(),
            made_at_time: at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::MonitoredStrand;
    use crate::statistics::{publish, Month, Tally};
    use chrono::TimeZone;

    #[test]
    fn the_report_prints_what_was_published_and_nothing_else() {
        let at = Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap();
        let mut t = Tally::new(Month::parse("2026-01").unwrap(), Month::parse("2026-03").unwrap());
        for _ in 0..7 {
            t.record(at, "Town centre", &[MonitoredStrand::SexualOrientation]);
        }
        t.record(at, "Town centre", &[MonitoredStrand::TransgenderIdentity]);
        let stats = publish(&t);
        let r = StatisticsReport::new(&stats, "insp.khan", " Hate crime IAG ", at);
        assert_eq!(r.period, "Jan 2026 to Mar 2026");
        assert_eq!(r.purpose, "Hate crime IAG");
        assert_eq!(r.tables.len(), 3);
        let months = &r.tables[0];
        for (row, published) in months.rows.iter().zip(&stats.by_month_and_strand.cells) {
            let texts: Vec<String> = published.iter().map(|s| s.text()).collect();
            assert_eq!(row.cells, texts);
        }
        // The single transphobic mention is never printed as 1.
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("\"1\""), "{json}");
    }
}
