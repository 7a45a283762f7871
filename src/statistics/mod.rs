//! Monitoring statistics for partners (seed 004: hate-crime monitoring shared with community
//! partners): counts of the records flagged with a monitored strand, by month and strand and
//! by area and month, and referrals by agency and outcome, published with small numbers
//! suppressed so that no partner can work out a count from 1 to 4 (docs/statistics.md).
//!
//! [`Tally`] gathers the raw counts from records; [`publish`] turns them into the only thing
//! that ever leaves the server, [`MonitoringStatistics`]: a pure function, which the console
//! page, its CSV and a PDF all render. The raw counts are never sent anywhere.
//!
//! What is counted: the current version of every contact note, referral and escalation that
//! carries a strand ([`crate::records::MonitoredStrand`]), in the month it happened (UTC); a
//! record with two strands counts once in each (as Home Office hate-crime tables count
//! motivating factors), so the totals are strand mentions. Referrals are counted whether or
//! not they carry a strand.

pub mod suppress;

use crate::records::{MonitoredStrand, ReferralResult};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
pub use suppress::{Relation, Shown, SMALL_BELOW};

/// The longest period one publication covers, in months.
pub const MAX_MONTHS: u32 = 36;

/// A calendar month (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl Month {
    pub fn of(t: DateTime<Utc>) -> Month {
        Month {
            year: t.year(),
            month: t.month(),
        }
    }

    /// Reads `2026-06`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        ((1..=12).contains(&month) && (1970..=9999).contains(&year) && y.len() == 4 && m.len() == 2)
            .then_some(Month { year, month })
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// `2026-06`.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// `Jun 2026`.
    pub fn label(self) -> String {
        Utc.with_ymd_and_hms(self.year, self.month, 1, 0, 0, 0)
            .single()
            .map(|t| t.format("%b %Y").to_string())
            .unwrap_or_else(|| self.key())
    }

    /// The months from `self` to `to`, both included.
    pub fn through(self, to: Month) -> Vec<Month> {
        let mut out = Vec::new();
        let mut m = self;
        while m <= to {
            out.push(m);
            m = m.next();
        }
        out
    }
}

/// The area a record is counted in: its operation and sector, or, for work outside an
/// operation, the neighbourhood team of the officer it belongs to.
pub fn area_of(operation: Option<&str>, sector: Option<&str>, team: Option<&str>) -> String {
    match (operation, sector.map(str::trim).filter(|s| !s.is_empty())) {
        (Some(op), Some(sector)) => format!("{op} — {sector}"),
        (Some(op), None) => op.to_string(),
        (None, _) => match team.map(str::trim).filter(|t| !t.is_empty()) {
            Some(team) => team.to_string(),
            None => "No team recorded".into(),
        },
    }
}

/// The raw counts of a period, before anything is suppressed. Never published as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub from: Month,
    pub to: Month,
    /// Strand mentions by (month, strand) and by (area, month).
    by_month_strand: BTreeMap<(Month, MonitoredStrand), u32>,
    by_area_month: BTreeMap<(String, Month), u32>,
    /// Referrals by (agency, result).
    referrals: BTreeMap<(String, Option<ReferralResult>), u32>,
}

impl Tally {
    pub fn new(from: Month, to: Month) -> Tally {
        Tally {
            from,
            to,
            by_month_strand: BTreeMap::new(),
            by_area_month: BTreeMap::new(),
            referrals: BTreeMap::new(),
        }
    }

    fn covers(&self, at: DateTime<Utc>) -> Option<Month> {
        let m = Month::of(at);
        (self.from <= m && m <= self.to).then_some(m)
    }

    /// Counts a record flagged with `strands` (each once), if it happened in the period.
    pub fn record(&mut self, occurred_at: DateTime<Utc>, area: &str, strands: &[MonitoredStrand]) {
        let Some(m) = self.covers(occurred_at) else { return };
        let mut seen = Vec::with_capacity(strands.len());
        for s in strands {
            if seen.contains(s) {
                continue;
            }
            seen.push(*s);
            *self.by_month_strand.entry((m, *s)).or_default() += 1;
            *self.by_area_month.entry((area.to_string(), m)).or_default() += 1;
        }
    }

    /// Counts a referral to `agency` with its `result` (None: awaited), if made in the period.
    pub fn referral(&mut self, occurred_at: DateTime<Utc>, agency: &str, result: Option<ReferralResult>) {
        if self.covers(occurred_at).is_some() {
            let agency = agency.trim();
            let agency = if agency.is_empty() { "Agency not named" } else { agency };
            *self.referrals.entry((agency.to_string(), result)).or_default() += 1;
        }
    }
}

/// A published table: each cell a count, "<5" or "[c]", with its row and column totals.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct PublishedTable {
    pub title: String,
    /// What the rows are ("Month", "Area", "Agency").
    pub row_heading: String,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// By row, then column.
    pub cells: Vec<Vec<Shown>>,
    pub row_totals: Vec<Shown>,
    pub column_totals: Vec<Shown>,
    pub total: Shown,
    /// No cell could be published safely: the table shows none.
    pub withheld: bool,
}

/// Everything published for a period: the only form in which monitoring counts leave the
/// server (the console page, its CSV, a PDF).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MonitoringStatistics {
    /// First and last month, `2026-01`.
    pub from: String,
    pub to: String,
    pub by_month_and_strand: PublishedTable,
    pub by_area_and_month: PublishedTable,
    pub referrals_by_agency_and_outcome: PublishedTable,
    /// How to read the tables, in words, for the page, the file and the report.
    pub notes: Vec<String>,
}

/// The column heading of referrals whose outcome is not recorded yet.
pub const AWAITING: &str = "Awaiting outcome";

/// The published statistics of a tally: suppression applied to the linked tables as one
/// release (the month table's row totals are the area table's column totals), and to the
/// referrals on their own (another population). Pure: the same tally publishes the same.
pub fn publish(tally: &Tally) -> MonitoringStatistics {
    let months = tally.from.through(tally.to);
    let strands = MonitoredStrand::ALL;
    let mut areas: Vec<String> = tally.by_area_month.keys().map(|(a, _)| a.clone()).collect();
    areas.dedup();
    let a: Vec<Vec<u32>> = months
        .iter()
        .map(|m| {
            strands
                .iter()
                .map(|s| tally.by_month_strand.get(&(*m, *s)).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    let b: Vec<Vec<u32>> = areas
        .iter()
        .map(|area| {
            months
                .iter()
                .map(|m| tally.by_area_month.get(&(area.clone(), *m)).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    let linked = Linked::new(&a, &b);
    let protected = suppress::protect(&linked.values, &linked.relations);
    let month_labels: Vec<String> = months.iter().map(|m| m.label()).collect();
    let by_month_and_strand = linked.table_a(
        &protected,
        "Monitored strand mentions by month and strand",
        "Month",
        month_labels.clone(),
        strands.iter().map(|s| s.heading().to_string()).collect(),
    );
    let by_area_and_month = linked.table_b(
        &protected,
        "Monitored strand mentions by area and month",
        "Area",
        areas,
        month_labels,
    );

    let mut agencies: Vec<String> = tally.referrals.keys().map(|(a, _)| a.clone()).collect();
    agencies.dedup();
    let results: Vec<Option<ReferralResult>> = ReferralResult::ALL.iter().copied().map(Some).chain([None]).collect();
    let c: Vec<Vec<u32>> = agencies
        .iter()
        .map(|agency| {
            results
                .iter()
                .map(|r| tally.referrals.get(&(agency.clone(), *r)).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    let single = Single::new(&c, results.len());
    let p = suppress::protect(&single.values, &single.relations);
    let referrals_by_agency_and_outcome = single.table(
        &p,
        "Referrals by agency and outcome",
        "Agency",
        agencies,
        results
            .iter()
            .map(|r| r.map_or(AWAITING.to_string(), |r| r.label().to_string()))
            .collect(),
    );
    MonitoringStatistics {
        from: tally.from.key(),
        to: tally.to.key(),
        by_month_and_strand,
        by_area_and_month,
        referrals_by_agency_and_outcome,
        notes: vec![
            "Counts from 1 to 4 are shown as <5. Some other counts are shown as [c], so that no <5 can be worked \
             out from the totals; 0 is shown as 0."
                .into(),
            "Counted: contact notes, referrals and escalations flagged with a monitored strand, in the month \
             they happened (UTC). A record with two strands counts in each, so totals are strand mentions, \
             not records."
                .into(),
            "The month table's totals by month are the area table's totals by month: the two tables are \
             protected together. Referrals are counted whether or not they carry a strand."
                .into(),
            "Alternative subculture is monitored locally, not one of the five nationally monitored strands.".into(),
        ],
    }
}

fn published_value(values: &[u32], p: &suppress::Protected, i: usize) -> Shown {
    if p.withheld {
        return Shown::Suppressed;
    }
    match p.shown[i] {
        Shown::Count(_) => Shown::Count(values[i]),
        other => other,
    }
}

/// One table with its margins as a release: cells, row totals, column totals, grand total.
struct Single {
    rows: usize,
    cols: usize,
    values: Vec<u32>,
    relations: Vec<Relation>,
}

impl Single {
    fn new(t: &[Vec<u32>], cols: usize) -> Single {
        let rows = t.len();
        let mut s = Single {
            rows,
            cols,
            values: Vec::new(),
            relations: Vec::new(),
        };
        s.values = t.iter().flatten().copied().collect();
        s.values.extend(t.iter().map(|r| r.iter().sum::<u32>()));
        s.values
            .extend((0..cols).map(|j| t.iter().map(|r| r.get(j).copied().unwrap_or(0)).sum::<u32>()));
        s.values.push(t.iter().flatten().sum());
        let grand = s.grand();
        for i in 0..rows {
            s.relations.push(Relation {
                total: s.row_total(i),
                parts: (0..cols).map(|j| s.cell(i, j)).collect(),
            });
        }
        for j in 0..cols {
            s.relations.push(Relation {
                total: s.col_total(j),
                parts: (0..rows).map(|i| s.cell(i, j)).collect(),
            });
        }
        s.relations.push(Relation {
            total: grand,
            parts: (0..rows).map(|i| s.row_total(i)).collect(),
        });
        s.relations.push(Relation {
            total: grand,
            parts: (0..cols).map(|j| s.col_total(j)).collect(),
        });
        s
    }

    fn cell(&self, i: usize, j: usize) -> usize {
        i * self.cols + j
    }
    fn row_total(&self, i: usize) -> usize {
        self.rows * self.cols + i
    }
    fn col_total(&self, j: usize) -> usize {
        self.rows * self.cols + self.rows + j
    }
    fn grand(&self) -> usize {
        self.rows * self.cols + self.rows + self.cols
    }

    fn table(
        &self,
        p: &suppress::Protected,
        title: &str,
        row_heading: &str,
        rows: Vec<String>,
        columns: Vec<String>,
    ) -> PublishedTable {
        let v = |i| published_value(&self.values, p, i);
        PublishedTable {
            title: title.into(),
            row_heading: row_heading.into(),
            cells: (0..self.rows)
                .map(|i| (0..columns.len()).map(|j| v(self.cell(i, j))).collect())
                .collect(),
            row_totals: (0..self.rows).map(|i| v(self.row_total(i))).collect(),
            column_totals: (0..columns.len()).map(|j| v(self.col_total(j))).collect(),
            total: v(self.grand()),
            withheld: p.withheld,
            rows,
            columns,
        }
    }
}

/// Two linked tables as one release: A (months × strands) and B (areas × months), where A's
/// row totals are B's column totals and both share the grand total. The relations are chosen
/// so that every cell sits in exactly two: A's rows and columns, A's column totals to the
/// grand total, B's columns (to A's row totals), B's rows, B's row totals to the grand total.
/// (A's row totals summing to the grand total follows from these.)
struct Linked {
    m: usize,
    s: usize,
    r: usize,
    values: Vec<u32>,
    relations: Vec<Relation>,
}

impl Linked {
    fn new(a: &[Vec<u32>], b: &[Vec<u32>]) -> Linked {
        let m = a.len();
        let s = a.first().map_or(0, Vec::len);
        let r = b.len();
        let mut l = Linked {
            m,
            s,
            r,
            values: Vec::new(),
            relations: Vec::new(),
        };
        l.values = a.iter().flatten().copied().collect();
        l.values.extend(a.iter().map(|row| row.iter().sum::<u32>()));
        l.values.extend((0..s).map(|j| a.iter().map(|row| row[j]).sum::<u32>()));
        l.values.push(a.iter().flatten().sum());
        l.values.extend(b.iter().flatten().copied());
        l.values.extend(b.iter().map(|row| row.iter().sum::<u32>()));
        for i in 0..m {
            l.relations.push(Relation {
                total: l.a_row(i),
                parts: (0..s).map(|j| l.a(i, j)).collect(),
            });
        }
        for j in 0..s {
            l.relations.push(Relation {
                total: l.a_col(j),
                parts: (0..m).map(|i| l.a(i, j)).collect(),
            });
        }
        l.relations.push(Relation {
            total: l.grand(),
            parts: (0..s).map(|j| l.a_col(j)).collect(),
        });
        for k in 0..m {
            l.relations.push(Relation {
                total: l.a_row(k),
                parts: (0..r).map(|i| l.b(i, k)).collect(),
            });
        }
        for i in 0..r {
            l.relations.push(Relation {
                total: l.b_row(i),
                parts: (0..m).map(|k| l.b(i, k)).collect(),
            });
        }
        l.relations.push(Relation {
            total: l.grand(),
            parts: (0..r).map(|i| l.b_row(i)).collect(),
        });
        l
    }

    fn a(&self, i: usize, j: usize) -> usize {
        i * self.s + j
    }
    fn a_row(&self, i: usize) -> usize {
        self.m * self.s + i
    }
    fn a_col(&self, j: usize) -> usize {
        self.m * self.s + self.m + j
    }
    fn grand(&self) -> usize {
        self.m * self.s + self.m + self.s
    }
    fn b(&self, i: usize, k: usize) -> usize {
        self.grand() + 1 + i * self.m + k
    }
    fn b_row(&self, i: usize) -> usize {
        self.grand() + 1 + self.r * self.m + i
    }

    fn table_a(
        &self,
        p: &suppress::Protected,
        title: &str,
        row_heading: &str,
        rows: Vec<String>,
        columns: Vec<String>,
    ) -> PublishedTable {
        let shape = Shape {
            rows: self.m,
            columns: self.s,
            cell: &|i, j| self.a(i, j),
            row_total: &|i| self.a_row(i),
            column_total: &|j| self.a_col(j),
        };
        self.table(p, &shape, title, row_heading, rows, columns)
    }

    fn table_b(
        &self,
        p: &suppress::Protected,
        title: &str,
        row_heading: &str,
        rows: Vec<String>,
        columns: Vec<String>,
    ) -> PublishedTable {
        let shape = Shape {
            rows: self.r,
            columns: self.m,
            cell: &|i, k| self.b(i, k),
            row_total: &|i| self.b_row(i),
            column_total: &|k| self.a_row(k),
        };
        self.table(p, &shape, title, row_heading, rows, columns)
    }

    /// One published table: each cell, row total, column total and the grand total, by the
    /// indices `shape` gives them in the joint system.
    fn table(
        &self,
        p: &suppress::Protected,
        shape: &Shape<'_>,
        title: &str,
        row_heading: &str,
        rows: Vec<String>,
        columns: Vec<String>,
    ) -> PublishedTable {
        let v = |i| published_value(&self.values, p, i);
        PublishedTable {
            title: title.into(),
            row_heading: row_heading.into(),
            cells: (0..shape.rows)
                .map(|i| (0..shape.columns).map(|j| v((shape.cell)(i, j))).collect())
                .collect(),
            row_totals: (0..shape.rows).map(|i| v((shape.row_total)(i))).collect(),
            column_totals: (0..shape.columns).map(|j| v((shape.column_total)(j))).collect(),
            total: v(self.grand()),
            withheld: p.withheld,
            rows,
            columns,
        }
    }
}

#[cfg(test)]
mod tests;

/// Where one published table's figures are in the joint system of both tables.
struct Shape<'a> {
    rows: usize,
    columns: usize,
    cell: &'a dyn Fn(usize, usize) -> usize,
    row_total: &'a dyn Fn(usize) -> usize,
    column_total: &'a dyn Fn(usize) -> usize,
}
