//! Monitoring statistics for partners from what the server holds: the current version of every
//! contact note, referral and escalation, counted by `liaison_core::statistics` and published
//! only after suppression ([`statistics`]), and that publication as CSV ([`csv`]) or as a PDF
//! report for partners ([`export`]). The raw
//! counts never leave this module.

use super::csv::{time, Writer};
use super::{check_purpose, pages, Currents, ExportError};
use crate::storage::{Storage, StorageError};
use chrono::{DateTime, Utc};
use liaison_core::records::{Body, RecordKind};
use liaison_core::report::pdf::{statistics_pdf, STATISTICS_TEMPLATE};
use liaison_core::report::StatisticsReport;
use liaison_core::statistics::{area_of, publish, MonitoringStatistics, Month, PublishedTable, Tally, MAX_MONTHS};
use std::collections::HashMap;

/// The kinds that carry strands, and referrals (counted with or without one).
const COUNTED: [RecordKind; 3] = [RecordKind::ContactNote, RecordKind::Referral, RecordKind::Escalation];

/// The period asked for, checked: `from` and `to` as `2026-01`, `from` not after `to`, at most
/// [`MAX_MONTHS`] months. Left out, the twelve months to `now`'s.
pub fn period(from: Option<&str>, to: Option<&str>, now: DateTime<Utc>) -> Result<(Month, Month), ExportError> {
    let month = |field: &'static str, v: Option<&str>| -> Result<Option<Month>, ExportError> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => Month::parse(v).map(Some).ok_or(ExportError::Invalid {
                field,
                message: "must be a month, as 2026-06".into(),
            }),
        }
    };
    let to = month("to", to)?.unwrap_or_else(|| Month::of(now));
    let from = match month("from", from)? {
        Some(f) => f,
        None => Month {
            year: to.year - 1,
            month: to.month,
        }
        .next(),
    };
    if from > to {
        return Err(ExportError::Invalid {
            field: "from",
            message: "must not be after the last month".into(),
        });
    }
    if from.through(to).len() > MAX_MONTHS as usize {
        return Err(ExportError::Invalid {
            field: "from",
            message: format!("the period is at most {MAX_MONTHS} months"),
        });
    }
    Ok((from, to))
}

/// The raw counts of the period (never published as they are).
pub fn tally(s: &dyn Storage, from: Month, to: Month) -> Result<Tally, StorageError> {
    let operations: HashMap<uuid::Uuid, String> = s.operations()?.into_iter().map(|(id, name, _)| (id, name)).collect();
    let teams: HashMap<String, String> = s
        .officer_directory()?
        .into_iter()
        .map(|o| (o.officer, o.team))
        .collect();
    let mut t = Tally::new(from, to);
    for kind in COUNTED {
        let mut currents = Currents::default();
        pages(|after| s.kind_log(kind, after, super::PAGE), &mut |l| currents.add(l))?;
        for c in currents.finish() {
            let record = &c.head.revision.body;
            let strands = record.body.monitored();
            if !strands.is_empty() {
                let operation = record
                    .operation_id
                    .and_then(|op| operations.get(&op))
                    .map(String::as_str);
                let team = teams.get(c.author.as_str()).map(String::as_str);
                let area = area_of(operation, record.sector.as_deref(), team);
                t.record(record.occurred_at, &area, strands);
            }
            if let Body::Referral(r) = &record.body {
                t.referral(record.occurred_at, &r.agency_name, r.result);
            }
        }
    }
    Ok(t)
}

/// The published statistics of the period: what the console shows and a partner receives.
pub fn statistics(s: &dyn Storage, from: Month, to: Month) -> Result<MonitoringStatistics, StorageError> {
    Ok(publish(&tally(s, from, to)?))
}

/// The publication as one CSV table, a row per published cell (totals included), which a
/// spreadsheet pivots back into the tables: `table, from, to, row_heading, row, column, value`
/// with the value as published (a count, `<5` or `[c]`).
pub fn csv(stats: &MonitoringStatistics) -> Vec<u8> {
    let mut w = Writer::new();
    for h in ["table", "from", "to", "row_heading", "row", "column", "value"] {
        w.text(h);
    }
    w.end_row();
    let tables: [&PublishedTable; 3] = [
        &stats.by_month_and_strand,
        &stats.by_area_and_month,
        &stats.referrals_by_agency_and_outcome,
    ];
    for t in tables {
        let mut cell = |row: &str, column: &str, value: String| {
            for v in [&t.title, &stats.from, &stats.to, &t.row_heading] {
                w.text(v);
            }
            w.text(row);
            w.text(column);
            w.text(&value);
            w.end_row();
        };
        for (i, row) in t.rows.iter().enumerate() {
            for (j, column) in t.columns.iter().enumerate() {
                cell(row, column, t.cells[i][j].text());
            }
            cell(row, "Total", t.row_totals[i].text());
        }
        for (j, column) in t.columns.iter().enumerate() {
            cell("Total", column, t.column_totals[j].text());
        }
        cell("Total", "Total", t.total.text());
    }
    w.finish()
}

/// The forms in which the statistics leave the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsForm {
    /// One row per published cell ([`csv`]).
    Csv,
    /// The report for partners, typeset ([`liaison_core::report::pdf::STATISTICS_TEMPLATE`]).
    Pdf,
}

impl StatisticsForm {
    pub fn parse(s: &str) -> Option<StatisticsForm> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(StatisticsForm::Csv),
            "pdf" => Some(StatisticsForm::Pdf),
            _ => None,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            StatisticsForm::Csv => "csv",
            StatisticsForm::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            StatisticsForm::Csv => "text/csv; charset=utf-8; header=present",
            StatisticsForm::Pdf => "application/pdf",
        }
    }
}

/// The statistics of the period as CSV or PDF, logged as a disclosure by `actor` for `purpose`
/// (refused, with nothing read or written, without one). Returns the file and its name.
pub fn export(
    s: &dyn Storage,
    from: Month,
    to: Month,
    form: StatisticsForm,
    actor: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, String), ExportError> {
    let purpose = check_purpose(purpose)?;
    let stats = statistics(s, from, to)?;
    let bytes = match form {
        StatisticsForm::Csv => csv(&stats),
        StatisticsForm::Pdf => {
            let report = StatisticsReport::new(&stats, actor, &purpose, now);
            statistics_pdf(&report, STATISTICS_TEMPLATE).map_err(|e| ExportError::Invalid {
                field: "template",
                message: e.to_string(),
            })?
        }
    };
    let withheld = [
        &stats.by_month_and_strand,
        &stats.by_area_and_month,
        &stats.referrals_by_agency_and_outcome,
    ]
    .iter()
    .filter(|t| t.withheld)
    .count();
    s.disclose(
        actor,
        None,
        &format!(
            "export of the monitoring statistics {} to {} as {} (made {}): 3 tables, small numbers suppressed{}",
            from.key(),
            to.key(),
            form.extension().to_ascii_uppercase(),
            time(now),
            if withheld > 0 {
                format!(", {withheld} withheld")
            } else {
                String::new()
            }
        ),
        &purpose,
    )?;
    Ok((
        bytes,
        format!(
            "monitoring-statistics-{}-to-{}.{}",
            from.key(),
            to.key(),
            form.extension()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_period_defaults_to_the_twelve_months_to_now_and_is_checked() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        let (from, to) = period(None, None, now).unwrap();
        assert_eq!((from.key(), to.key()), ("2025-12".to_string(), "2026-11".to_string()));
        assert!(period(Some("2026-06"), Some("2026-05"), now).is_err());
        assert!(period(Some("2020-01"), Some("2026-05"), now).is_err());
        assert!(period(Some("June"), None, now).is_err());
        assert_eq!(
            period(Some("2026-01"), Some("2026-01"), now).unwrap().0.key(),
            "2026-01"
        );
    }
}
