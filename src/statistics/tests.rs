use super::suppress::pinned;
use super::*;
use proptest::prelude::*;

fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 12, 0, 0).unwrap()
}

fn month(s: &str) -> Month {
    Month::parse(s).unwrap()
}

/// What a reader of the publication can write down: every cell of both linked tables and the
/// referrals table, each row and column with its total, the grand totals both ways, and the
/// link (the area table's totals by month are the month table's). The true counts come from
/// `truth`, computed here from the tally's raw figures, not by `publish`.
struct Reader {
    values: Vec<u32>,
    shown: Vec<Shown>,
    relations: Vec<Relation>,
}

impl Reader {
    fn new() -> Reader {
        Reader {
            values: Vec::new(),
            shown: Vec::new(),
            relations: Vec::new(),
        }
    }

    /// Adds a table's cells (with their true values) and all of its relations; returns the
    /// indices of its row totals, column totals and grand total.
    fn table(&mut self, t: &PublishedTable, truth: &[Vec<u32>]) -> (Vec<usize>, Vec<usize>, usize) {
        let mut push = |v: u32, s: Shown| {
            self.values.push(v);
            self.shown.push(s);
            self.values.len() - 1
        };
        let cols = t.columns.len();
        let cells: Vec<Vec<usize>> = truth
            .iter()
            .zip(&t.cells)
            .map(|(row, shown)| row.iter().zip(shown).map(|(v, s)| push(*v, *s)).collect())
            .collect();
        let row_totals: Vec<usize> = truth
            .iter()
            .zip(&t.row_totals)
            .map(|(row, s)| push(row.iter().sum(), *s))
            .collect();
        let col_totals: Vec<usize> = (0..cols)
            .map(|j| push(truth.iter().map(|r| r[j]).sum(), t.column_totals[j]))
            .collect();
        let grand = push(truth.iter().flatten().sum(), t.total);
        for (i, row) in cells.iter().enumerate() {
            self.relations.push(Relation {
                total: row_totals[i],
                parts: row.clone(),
            });
        }
        for (j, &total) in col_totals.iter().enumerate() {
            self.relations.push(Relation {
                total,
                parts: cells.iter().map(|r| r[j]).collect(),
            });
        }
        self.relations.push(Relation {
            total: grand,
            parts: row_totals.clone(),
        });
        self.relations.push(Relation {
            total: grand,
            parts: col_totals.clone(),
        });
        (row_totals, col_totals, grand)
    }

    fn same(&mut self, a: usize, b: usize) {
        self.relations.push(Relation {
            total: a,
            parts: vec![b],
        });
    }
}

/// One table's raw counts, row by row.
type Counts = Vec<Vec<u32>>;

/// The raw figures of a tally, as tables in the publication's order.
fn truth(tally: &Tally, stats: &MonitoringStatistics) -> (Counts, Counts, Counts) {
    let months = tally.from.through(tally.to);
    let a = months
        .iter()
        .map(|m| {
            MonitoredStrand::ALL
                .iter()
                .map(|s| tally.by_month_strand.get(&(*m, *s)).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    let b = stats
        .by_area_and_month
        .rows
        .iter()
        .map(|area| {
            months
                .iter()
                .map(|m| tally.by_area_month.get(&(area.clone(), *m)).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    let results: Vec<Option<ReferralResult>> = ReferralResult::ALL.iter().copied().map(Some).chain([None]).collect();
    let c = stats
        .referrals_by_agency_and_outcome
        .rows
        .iter()
        .map(|agency| {
            results
                .iter()
                .map(|r| tally.referrals.get(&(agency.clone(), *r)).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    (a, b, c)
}

/// Every suppressed cell a reader can work out exactly (none, if suppression works).
fn given_away(tally: &Tally) -> Vec<usize> {
    let stats = publish(tally);
    let (a, b, c) = truth(tally, &stats);
    // A withheld table publishes nothing (its cells are not "[c]" in the symbol's sense): there
    // is nothing in it to work from.
    let mut given = Vec::new();
    if !stats.by_month_and_strand.withheld {
        let mut reader = Reader::new();
        let (a_rows, _, a_grand) = reader.table(&stats.by_month_and_strand, &a);
        let (_, b_cols, b_grand) = reader.table(&stats.by_area_and_month, &b);
        for (k, &col) in b_cols.iter().enumerate() {
            reader.same(col, a_rows[k]);
        }
        reader.same(b_grand, a_grand);
        given.extend(pinned(&reader.values, &reader.relations, &reader.shown));
    }
    if !stats.referrals_by_agency_and_outcome.withheld {
        let mut referrals = Reader::new();
        referrals.table(&stats.referrals_by_agency_and_outcome, &c);
        given.extend(pinned(&referrals.values, &referrals.relations, &referrals.shown));
    }
    given
}

fn no_small_count_is_published(stats: &MonitoringStatistics) -> bool {
    let tables = [
        &stats.by_month_and_strand,
        &stats.by_area_and_month,
        &stats.referrals_by_agency_and_outcome,
    ];
    tables.iter().all(|t| {
        t.cells
            .iter()
            .flatten()
            .chain(&t.row_totals)
            .chain(&t.column_totals)
            .chain([&t.total])
            .all(|s| !matches!(s, Shown::Count(1..=4)))
    })
}

#[test]
fn months_read_and_step_as_a_partner_expects() {
    assert_eq!(month("2026-06").label(), "Jun 2026");
    assert_eq!(month("2026-12").next(), month("2027-01"));
    assert_eq!(month("2026-11").through(month("2027-02")).len(), 4);
    assert!(Month::parse("2026-13").is_none() && Month::parse("26-01").is_none() && Month::parse("x").is_none());
    assert_eq!(
        area_of(Some("Op KESTREL"), Some("Sector 2"), None),
        "Op KESTREL — Sector 2"
    );
    assert_eq!(
        area_of(None, Some("ignored"), Some("Ladywood neighbourhood")),
        "Ladywood neighbourhood"
    );
    assert_eq!(area_of(None, None, None), "No team recorded");
}

#[test]
fn a_record_counts_once_per_strand_in_its_month_and_outside_the_period_not_at_all() {
    use MonitoredStrand::*;
    let mut t = Tally::new(month("2026-05"), month("2026-06"));
    for _ in 0..6 {
        t.record(at(2026, 5, 3), "Ladywood", &[SexualOrientation]);
    }
    for _ in 0..5 {
        // Two strands named, one twice: counted once in each.
        t.record(
            at(2026, 6, 3),
            "Op PRIDE — Sector 1",
            &[SexualOrientation, TransgenderIdentity, SexualOrientation],
        );
    }
    t.record(at(2026, 7, 1), "Ladywood", &[Race]);
    t.record(at(2026, 4, 30), "Ladywood", &[Race]);
    let s = publish(&t);
    let a = &s.by_month_and_strand;
    assert_eq!(a.rows, ["May 2026", "Jun 2026"]);
    assert_eq!(a.columns.len(), MonitoredStrand::ALL.len());
    assert_eq!(a.cells[0][0], Shown::Count(6));
    assert_eq!(a.cells[1][0], Shown::Count(5));
    assert_eq!(a.cells[1][1], Shown::Count(5));
    assert_eq!(
        a.cells[0][2],
        Shown::Count(0),
        "race in May: none (the ones in April and July are outside)"
    );
    assert_eq!(a.row_totals, [Shown::Count(6), Shown::Count(10)], "strand mentions");
    assert_eq!(a.total, Shown::Count(16));
    let b = &s.by_area_and_month;
    assert_eq!(b.rows, ["Ladywood", "Op PRIDE — Sector 1"]);
    assert_eq!(
        b.cells,
        [[Shown::Count(6), Shown::Count(0)], [Shown::Count(0), Shown::Count(10)]]
    );
    assert_eq!(b.column_totals, a.row_totals, "one figure, in both tables");
    assert_eq!((s.from.as_str(), s.to.as_str()), ("2026-05", "2026-06"));

    // One more small count: it is "<5", and the totals around it do not give it away.
    t.record(at(2026, 6, 9), "Ladywood", &[Disability]);
    let s = publish(&t);
    assert_eq!(s.by_month_and_strand.cells[1][4], Shown::Small);
    assert!(no_small_count_is_published(&s));
    assert!(given_away(&t).is_empty(), "{s:?}");
}

#[test]
fn referrals_are_counted_by_agency_and_outcome_awaited_included() {
    let mut t = Tally::new(month("2026-05"), month("2026-05"));
    for _ in 0..7 {
        t.referral(
            at(2026, 5, 2),
            " Hate Crime Support ",
            Some(ReferralResult::SupportAccepted),
        );
    }
    for _ in 0..5 {
        t.referral(at(2026, 5, 2), "Hate Crime Support", None);
    }
    t.referral(at(2026, 5, 2), "", Some(ReferralResult::NoContact));
    let s = publish(&t);
    let r = &s.referrals_by_agency_and_outcome;
    assert_eq!(r.rows, ["Agency not named", "Hate Crime Support"]);
    assert_eq!(r.columns.last().map(String::as_str), Some(AWAITING));
    assert_eq!(r.cells[1][0], Shown::Count(7));
    assert!(no_small_count_is_published(&s));
    assert!(given_away(&t).is_empty(), "{r:?}");
}

#[test]
fn the_publication_of_a_busy_year_hides_every_small_count_and_gives_none_away() {
    let mut t = Tally::new(month("2026-01"), month("2026-06"));
    use MonitoredStrand::*;
    let areas = ["Op PRIDE — Sector 1", "Op PRIDE — Sector 2", "Ladywood neighbourhood"];
    let mut n = 0u32;
    for m in 1..=6u32 {
        for (i, area) in areas.iter().enumerate() {
            for (k, strand) in MonitoredStrand::ALL.iter().enumerate() {
                // A deterministic spread of counts: zeros, small ones and larger ones.
                let count = (m * 7 + i as u32 * 5 + k as u32 * 3) % 11;
                for _ in 0..count {
                    t.record(at(2026, m, 10), area, &[*strand]);
                    n += 1;
                }
            }
        }
        t.referral(
            at(2026, m, 11),
            "Hate Crime Support",
            Some(ReferralResult::SupportAccepted),
        );
        t.referral(at(2026, m, 12), "LGBT Foundation", None);
    }
    for _ in 0..9 {
        t.referral(
            at(2026, 3, 1),
            "Hate Crime Support",
            Some(ReferralResult::SupportDeclined),
        );
    }
    let _ = (n, Disability);
    let s = publish(&t);
    assert!(no_small_count_is_published(&s));
    assert!(!s.by_month_and_strand.withheld);
    assert_eq!(given_away(&t), Vec::<usize>::new(), "{s:#?}");
}

fn tallies() -> impl Strategy<Value = Tally> {
    // A few months, a few areas and agencies, mostly small counts: the hard case.
    let mention = (0u32..3, 0usize..3, 0usize..6);
    let referral = (0u32..3, 0usize..2, 0usize..5);
    (
        prop::collection::vec(mention, 0..40),
        prop::collection::vec(referral, 0..12),
    )
        .prop_map(|(mentions, referrals)| {
            let mut t = Tally::new(month("2026-01"), month("2026-02"));
            for (m, area, strand) in mentions {
                // Month 2 is March: outside the period, never counted.
                t.record(
                    at(2026, m + 1, 5),
                    ["North", "South", "East"][area],
                    &[MonitoredStrand::ALL[strand]],
                );
            }
            for (m, agency, result) in referrals {
                let result = ReferralResult::ALL.get(result).copied();
                t.referral(at(2026, m + 1, 6), ["Support A", "Support B"][agency], result);
            }
            t
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    #[test]
    fn no_published_total_or_cell_of_a_random_period_gives_a_small_count_away(t in tallies()) {
        let s = publish(&t);
        prop_assert!(no_small_count_is_published(&s));
        prop_assert_eq!(given_away(&t), Vec::<usize>::new());
    }
}

#[test]
/// Withholding is the last resort, not the rule's way out: over 300 random sparse periods (the
/// hard case, mostly 1s and 2s), almost every table is published.
fn sparse_random_periods_are_almost_always_published_rather_than_withheld() {
    let mut rng = 12345u64;
    let mut next = |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let (mut withheld, mut refw, mut total) = (0, 0, 0usize);
    for _ in 0..300 {
        let mut t = Tally::new(month("2026-01"), month("2026-02"));
        let n = next(40);
        for _ in 0..n {
            t.record(
                at(2026, next(2) as u32 + 1, 5),
                ["North", "South", "East"][next(3) as usize],
                &[MonitoredStrand::ALL[next(6) as usize]],
            );
        }
        for _ in 0..next(12) {
            t.referral(
                at(2026, 1, 6),
                ["A", "B"][next(2) as usize],
                ReferralResult::ALL.get(next(5) as usize).copied(),
            );
        }
        let s = publish(&t);
        total += 1;
        withheld += usize::from(s.by_month_and_strand.withheld);
        refw += usize::from(s.referrals_by_agency_and_outcome.withheld);
    }
    // Measured: 12 and 23 of 300 (what is left is a table the symbols alone give away, such as
    // a handful of 1s whose "<5" total leaves each cell no other value).
    assert!(
        withheld * 10 < total && refw * 10 < total,
        "{withheld} and {refw} of {total} withheld"
    );
}

#[test]
fn three_years_of_thirty_areas_are_published_in_one_pass() {
    // The largest period the console asks for, with many areas: the rule must stay quick (each
    // cell is checked until it is safe, a cheapest path found per unsafe cell).
    let mut t = Tally::new(month("2024-01"), month("2026-12"));
    let mut seed = 7u64;
    for m in t.from.through(t.to) {
        for area in 0..30u64 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let n = (seed >> 33) % 9;
            for k in 0..n {
                let strand = MonitoredStrand::ALL[((seed >> 40) as usize + k as usize) % 6];
                t.record(at(m.year, m.month, 10), &format!("Area {area:02}"), &[strand]);
            }
        }
    }
    let started = std::time::Instant::now();
    let s = publish(&t);
    assert!(no_small_count_is_published(&s));
    assert!(!s.by_month_and_strand.withheld);
    assert_eq!(s.by_area_and_month.rows.len(), 30);
    eprintln!("published 36 months × 30 areas in {:?}", started.elapsed());
}
