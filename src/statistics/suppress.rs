//! Small-number suppression of a release of linked count tables: no count from 1 to 4 is
//! published ("<5"), and no suppressed count can be worked out exactly from what is
//! published (cells, totals, subtotals, and the knowledge that a "<5" is 1 to 4 and a "[c]"
//! is 0 or at least 5).
//!
//! # The rule
//!
//! A release is a set of cells (counts) and the linear relations between them: each relation
//! says one cell (a total) is the sum of others. Each cell must sit in exactly two relations,
//! as every cell of a table with its margins does (its row and its column; a row total sits in
//! its row and in the column of totals), and as the shared margin of two linked tables does
//! when the relations are chosen so (`super::publish`).
//!
//! Cells of 1–4 are suppressed first (primary). A suppressed cell is safe when another table
//! of counts exists that agrees with everything published and differs in that cell: a change
//! by one along a closed path of suppressed cells, each able to move that way (a "<5" stays
//! within 1–4; a "[c]" stays at 5 or above), cancelling out in every relation. With the
//! relations as nodes and the cells as edges, a change by one in a cell is an arc through its
//! two relations, and the cell is safe when its arc lies on a directed cycle of suppressed
//! cells' arcs. While a suppressed cell is not safe, the cheapest path of cells that closes a
//! cycle through it (fewest new suppressions, then the smallest counts, sparing totals) is
//! suppressed too (secondary, "[c]"). Suppressing more never makes a safe cell unsafe, so this
//! ends. When nothing can close a cycle, the whole release is withheld.
//!
//! # The proof
//!
//! [`pinned`] is the attacker: it knows every published cell, every relation of the tables
//! (all rows, columns and totals, not only the two per cell the rule uses) and the range each
//! symbol stands for, and searches for another table of counts that differs in each suppressed
//! cell. The tests run it on worked examples and on random tables (proptest).

use serde::Serialize;

/// Counts below this and above zero are not published.
pub const SMALL_BELOW: u32 = 5;

/// How a count is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "shown", content = "count", rename_all = "snake_case")]
pub enum Shown {
    /// The count itself (0 is published: it is no small number).
    Count(u32),
    /// 1 to 4, shown as "<5" (primary suppression).
    Small,
    /// Suppressed so that no small number can be worked out, shown as "[c]" (secondary).
    Suppressed,
}

impl Shown {
    /// How the cell reads in a table or a CSV file.
    pub fn text(self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Small => "<5".into(),
            Shown::Suppressed => "[c]".into(),
        }
    }

    pub fn is_suppressed(self) -> bool {
        !matches!(self, Shown::Count(_))
    }
}

/// One linear relation of a release: `total` is the sum of `parts` (cell indices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// What the rule publishes for a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    pub shown: Vec<Shown>,
    /// Nothing could keep a small number from being worked out: publish no cell at all.
    pub withheld: bool,
}

/// Suppresses `values` (the cells of a release) under `relations`, in which every cell sits
/// exactly twice. A pure function: the same counts give the same publication.
pub fn protect(values: &[u32], relations: &[Relation]) -> Protected {
    let mut shown: Vec<Shown> = values
        .iter()
        .map(|&v| {
            if v > 0 && v < SMALL_BELOW {
                Shown::Small
            } else {
                Shown::Count(v)
            }
        })
        .collect();
    let Some(graph) = Graph::of(values.len(), relations) else {
        return withheld(values.len());
    };
    // A cell found safe stays safe (suppressing more only adds paths): each is checked until
    // it is, in order.
    let mut cell = 0;
    while cell < values.len() {
        if !shown[cell].is_suppressed() || graph.safe(cell, values, &shown) {
            cell += 1;
            continue;
        }
        match graph.cheapest_cover(cell, values, &shown) {
            // Cells before this one that were published and are suppressed now lie on the cycle
            // just closed, which makes them safe too.
            Some(more) => more.into_iter().for_each(|c| shown[c] = Shown::Suppressed),
            None => return withheld(values.len()),
        }
    }
    Protected { shown, withheld: false }
}

fn withheld(n: usize) -> Protected {
    Protected {
        shown: vec![Shown::Suppressed; n],
        withheld: true,
    }
}

/// Whether a cell published as `shown`, truly `v`, could be one more (`up`) or one less
/// without contradicting its symbol.
fn can_move(shown: Shown, v: u32, up: bool) -> bool {
    match (shown, up) {
        (Shown::Count(_), _) => false,
        (Shown::Small, true) => v + 1 < SMALL_BELOW,
        (Shown::Small, false) => v > 1,
        (Shown::Suppressed, true) => v >= SMALL_BELOW,
        (Shown::Suppressed, false) => v > SMALL_BELOW,
    }
}

/// The relations as nodes and the cells as edges, each oriented so that a cell one larger
/// is an arc from one of its relations to the other (and one smaller, the reverse arc).
struct Graph {
    nodes: usize,
    /// For each node (relation), the cells with an end at it.
    incident: Vec<Vec<usize>>,
    /// For each cell, the node its increase leaves and the node it reaches.
    ends: Vec<(usize, usize)>,
    /// Whether the cell is the total of a relation (a margin: spared where possible).
    is_total: Vec<bool>,
}

impl Graph {
    fn of(cells: usize, relations: &[Relation]) -> Option<Graph> {
        // Each cell's two relations and its coefficient in each (+1 a part, -1 the total).
        let mut at: Vec<Vec<(usize, i8)>> = vec![Vec::new(); cells];
        let mut is_total = vec![false; cells];
        for (r, rel) in relations.iter().enumerate() {
            at.get_mut(rel.total)?.push((r, -1));
            is_total[rel.total] = true;
            for &p in &rel.parts {
                at.get_mut(p)?.push((r, 1));
            }
        }
        if at.iter().any(|a| a.len() != 2) {
            return None;
        }
        // A sign per relation so that every cell contributes +1 at one end and -1 at the other
        // (relations may be negated freely): a walk of changes then cancels at every relation.
        let mut sign: Vec<i8> = vec![0; relations.len()];
        for start in 0..relations.len() {
            if sign[start] != 0 {
                continue;
            }
            sign[start] = 1;
            let mut queue = vec![start];
            while let Some(r) = queue.pop() {
                for a in &at {
                    let (Some(&(u, su)), Some(&(w, sw))) = (a.first(), a.get(1)) else {
                        continue;
                    };
                    for (here, sh, there, st) in [(u, su, w, sw), (w, sw, u, su)] {
                        if here != r {
                            continue;
                        }
                        let want = -sign[here] * sh * st;
                        if sign[there] == 0 {
                            sign[there] = want;
                            queue.push(there);
                        } else if sign[there] != want {
                            return None;
                        }
                    }
                }
            }
        }
        let ends = at
            .iter()
            .map(|a| {
                let ((u, su), (w, _)) = (a[0], a[1]);
                // Incoming (+1) at the end where sign × coefficient is +1.
                if sign[u] * su == 1 {
                    (w, u)
                } else {
                    (u, w)
                }
            })
            .collect::<Vec<(usize, usize)>>();
        let mut incident = vec![Vec::new(); relations.len()];
        for (c, &(u, w)) in ends.iter().enumerate() {
            incident[u].push(c);
            incident[w].push(c);
        }
        Some(Graph {
            nodes: relations.len(),
            incident,
            ends,
            is_total,
        })
    }

    /// The arcs a cell may take as `shown`: (from, to) for each direction it can move.
    fn arcs(&self, c: usize, shown: Shown, v: u32) -> impl Iterator<Item = (usize, usize)> {
        let (from, to) = self.ends[c];
        let up = can_move(shown, v, true).then_some((from, to));
        let down = can_move(shown, v, false).then_some((to, from));
        up.into_iter().chain(down)
    }

    /// Whether suppressed cell `c` lies on a directed cycle of suppressed cells' arcs.
    fn safe(&self, c: usize, values: &[u32], shown: &[Shown]) -> bool {
        self.arcs(c, shown[c], values[c])
            .any(|(from, to)| self.path(to, from, c, values, shown, false).is_some())
    }

    /// The cheapest set of published cells whose suppression closes a cycle through `c`.
    fn cheapest_cover(&self, c: usize, values: &[u32], shown: &[Shown]) -> Option<Vec<usize>> {
        self.arcs(c, shown[c], values[c])
            .filter_map(|(from, to)| self.path(to, from, c, values, shown, true))
            .min_by_key(|(cost, _)| *cost)
            .map(|(_, cells)| cells)
    }

    /// A cheapest path from `start` to `goal` that does not use cell `skip`: through suppressed
    /// cells (free) and, when `widen`, through published cells as if suppressed (each at a
    /// cost). Returns its cost and the published cells on it.
    fn path(
        &self,
        start: usize,
        goal: usize,
        skip: usize,
        values: &[u32],
        shown: &[Shown],
        widen: bool,
    ) -> Option<(u64, Vec<usize>)> {
        const NEW: u64 = 1 << 32;
        const MARGIN: u64 = 1 << 24;
        let mut best: Vec<Option<u64>> = vec![None; self.nodes];
        let mut via: Vec<Option<(usize, usize)>> = vec![None; self.nodes];
        let mut heap = std::collections::BinaryHeap::new();
        best[start] = Some(0);
        heap.push(std::cmp::Reverse((0u64, start)));
        while let Some(std::cmp::Reverse((cost, node))) = heap.pop() {
            if best[node].is_some_and(|b| b < cost) {
                continue;
            }
            if node == goal {
                let mut cells = Vec::new();
                let mut at = goal;
                while let Some((prev, cell)) = via[at] {
                    if !shown[cell].is_suppressed() {
                        cells.push(cell);
                    }
                    at = prev;
                }
                return Some((cost, cells));
            }
            for &cell in &self.incident[node] {
                if cell == skip {
                    continue;
                }
                let (step, as_shown) = match shown[cell] {
                    s if s.is_suppressed() => (0, s),
                    Shown::Count(_) if widen && values[cell] > 0 => (
                        NEW + if self.is_total[cell] { MARGIN } else { 0 } + u64::from(values[cell]),
                        Shown::Suppressed,
                    ),
                    _ => continue,
                };
                for (from, to) in self.arcs(cell, as_shown, values[cell]) {
                    if from != node {
                        continue;
                    }
                    let next = cost + step;
                    if best[to].is_none_or(|b| next < b) {
                        best[to] = Some(next);
                        via[to] = Some((node, cell));
                        heap.push(std::cmp::Reverse((next, to)));
                    }
                }
            }
        }
        None
    }
}

/// The attacker's check: the suppressed cells whose value can be worked out exactly from the
/// published cells, `relations` (give every relation the tables show, redundant ones too) and
/// what each symbol says ("<5": 1 to 4; "[c]": 0 or 5 and more). For each suppressed cell it
/// searches, by brute force with propagation, for counts that agree with all of that and
/// differ in the cell. Meant for small tables: its time grows quickly with the number of
/// suppressed cells.
pub fn pinned(values: &[u32], relations: &[Relation], shown: &[Shown]) -> Vec<usize> {
    let cap = values.iter().copied().max().unwrap_or(0) + 2 * SMALL_BELOW;
    (0..values.len())
        .filter(|&c| shown[c].is_suppressed())
        .filter(|&c| {
            let mut alternatives = candidates(shown[c], values[c], cap);
            alternatives.retain(|&a| a != values[c]);
            !alternatives.into_iter().any(|a| {
                let mut x: Vec<Option<u32>> = shown
                    .iter()
                    .map(|s| match s {
                        Shown::Count(v) => Some(*v),
                        _ => None,
                    })
                    .collect();
                x[c] = Some(a);
                solve(&mut x, values, relations, shown, cap)
            })
        })
        .collect()
}

/// The values a cell shown so could hold, nearest `near` first (up to `cap` for "[c]").
fn candidates(shown: Shown, near: u32, cap: u32) -> Vec<u32> {
    let mut out: Vec<u32> = match shown {
        Shown::Count(v) => vec![v],
        Shown::Small => (1..SMALL_BELOW).collect(),
        Shown::Suppressed => std::iter::once(0).chain(SMALL_BELOW..=cap).collect(),
    };
    out.sort_by_key(|&v| (v.abs_diff(near), v));
    out
}

fn fits(shown: Shown, v: u32) -> bool {
    match shown {
        Shown::Count(c) => v == c,
        Shown::Small => (1..SMALL_BELOW).contains(&v),
        Shown::Suppressed => v == 0 || v >= SMALL_BELOW,
    }
}

/// Whether the partly known counts `x` can be completed to satisfy every relation.
fn solve(x: &mut [Option<u32>], values: &[u32], relations: &[Relation], shown: &[Shown], cap: u32) -> bool {
    // Propagate: a relation with one unknown cell fixes it.
    loop {
        let mut changed = false;
        for r in relations {
            let unknown: Vec<usize> = std::iter::once(r.total)
                .chain(r.parts.iter().copied())
                .filter(|&c| x[c].is_none())
                .collect();
            let parts: i64 = r.parts.iter().filter_map(|&p| x[p]).map(i64::from).sum();
            match unknown.as_slice() {
                [] if x[r.total].map(i64::from) != Some(parts) => return false,
                [] => {}
                [one] => {
                    let v = if *one == r.total {
                        parts
                    } else {
                        x[r.total].map(i64::from).unwrap_or_default() - parts
                    };
                    let Ok(v) = u32::try_from(v) else { return false };
                    if !fits(shown[*one], v) {
                        return false;
                    }
                    x[*one] = Some(v);
                    changed = true;
                }
                _ => {}
            }
        }
        if !changed {
            break;
        }
    }
    let Some(next) = x.iter().position(Option::is_none) else {
        return true;
    };
    candidates(shown[next], values[next], cap).into_iter().any(|v| {
        let mut y = x.to_vec();
        y[next] = Some(v);
        solve(&mut y, values, relations, shown, cap)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A table with its margins: the cells in rows, then the row totals, the column totals and
    /// the grand total. Returns the values and every relation a reader of it can write.
    fn table(rows: &[Vec<u32>]) -> (Vec<u32>, Vec<Relation>, Vec<Relation>) {
        let (r, c) = (rows.len(), rows[0].len());
        let cell = |i: usize, j: usize| i * c + j;
        let row_total = |i: usize| r * c + i;
        let col_total = |j: usize| r * c + r + j;
        let grand = r * c + r + c;
        let mut values: Vec<u32> = rows.iter().flatten().copied().collect();
        values.extend(rows.iter().map(|row| row.iter().sum::<u32>()));
        values.extend((0..c).map(|j| rows.iter().map(|row| row[j]).sum::<u32>()));
        values.push(rows.iter().flatten().sum());
        let rows_rel: Vec<Relation> = (0..r)
            .map(|i| Relation {
                total: row_total(i),
                parts: (0..c).map(|j| cell(i, j)).collect(),
            })
            .collect();
        let cols_rel: Vec<Relation> = (0..c)
            .map(|j| Relation {
                total: col_total(j),
                parts: (0..r).map(|i| cell(i, j)).collect(),
            })
            .collect();
        let by_rows = Relation {
            total: grand,
            parts: (0..r).map(row_total).collect(),
        };
        let by_cols = Relation {
            total: grand,
            parts: (0..c).map(col_total).collect(),
        };
        // Each cell twice: rows, columns, and the grand total twice (the margins' relations).
        let mut rule: Vec<Relation> = rows_rel.clone();
        rule.extend(cols_rel.clone());
        rule.push(by_rows.clone());
        rule.push(by_cols.clone());
        // Everything a reader can write: the same here (a table's relations are these).
        let all = rule.clone();
        (values, rule, all)
    }

    #[test]
    fn small_counts_read_as_under_five_and_zero_and_larger_counts_as_themselves() {
        let (values, rule, _) = table(&[vec![0, 12], vec![7, 30]]);
        let p = protect(&values, &rule);
        assert!(!p.withheld);
        assert!(p.shown.iter().all(|s| !s.is_suppressed()), "{p:?}");
        assert_eq!(Shown::Small.text(), "<5");
        assert_eq!(Shown::Suppressed.text(), "[c]");
        assert_eq!(Shown::Count(0).text(), "0");
    }

    #[test]
    fn one_small_cell_alone_in_its_row_is_derivable_from_the_totals_and_the_rule_prevents_it() {
        // 3 is the only small count. Suppressed alone, its row total minus 10 gives it back.
        let (values, rule, all) = table(&[vec![3, 10, 8], vec![9, 6, 7]]);
        let naive: Vec<Shown> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| if i == 0 { Shown::Small } else { Shown::Count(v) })
            .collect();
        assert_eq!(
            pinned(&values, &all, &naive),
            vec![0],
            "the naive table gives the 3 away"
        );
        let p = protect(&values, &rule);
        assert!(!p.withheld);
        assert_eq!(p.shown[0], Shown::Small);
        assert!(pinned(&values, &all, &p.shown).is_empty(), "{:?}", p.shown);
        // Secondary suppression in its row and its column, nothing more than a cycle needs.
        let suppressed = p.shown.iter().filter(|s| s.is_suppressed()).count();
        assert_eq!(suppressed, 4, "{:?}", p.shown);
    }

    #[test]
    fn two_suppressed_cells_per_row_and_column_can_still_give_a_cell_away_and_the_rule_sees_it() {
        // Every row and column with a suppressed cell has two, yet the pattern is two
        // separate squares joined by one cell (a bridge): the bridge is exactly derivable.
        let rows = vec![
            vec![3, 3, 0, 0, 9],
            vec![3, 3, 0, 0, 9],
            vec![0, 0, 3, 3, 9],
            vec![0, 0, 3, 3, 9],
            vec![9, 9, 9, 9, 9],
        ];
        let (values, rule, all) = table(&rows);
        let c = rows[0].len();
        let mut shown: Vec<Shown> = values
            .iter()
            .map(|&v| {
                if (1..5).contains(&v) {
                    Shown::Small
                } else {
                    Shown::Count(v)
                }
            })
            .collect();
        // The two squares are safe on their own (3s move ±1 around each square).
        assert!(pinned(&values, &all, &shown).is_empty());
        // A bridge: two 9s suppressed as well, linking the squares through one more row
        // and column, each of which then has two suppressed cells.
        shown[c + 4] = Shown::Suppressed; // row 1, column 4
        shown[4 * c + 4] = Shown::Suppressed; // row 4, column 4
        shown[4 * c + 2] = Shown::Suppressed; // row 4, column 2
        let given_away = pinned(&values, &all, &shown);
        assert!(!given_away.is_empty(), "a bridge is derivable: {shown:?}");
        let g = Graph::of(values.len(), &rule).unwrap();
        for cell in &given_away {
            assert!(!g.safe(*cell, &values, &shown), "the rule agrees the bridge is unsafe");
        }
    }

    #[test]
    fn a_count_of_four_next_to_fives_cannot_be_pinned_by_the_symbols_ranges() {
        // The 4 may only go down and a [c] of 5 only up: the rule chooses cells that can move.
        let (values, rule, all) = table(&[vec![4, 5, 20], vec![5, 6, 11], vec![30, 7, 9]]);
        let p = protect(&values, &rule);
        assert!(!p.withheld);
        assert!(pinned(&values, &all, &p.shown).is_empty(), "{:?}", p.shown);
    }

    #[test]
    fn a_table_of_small_numbers_that_the_symbols_alone_give_away_is_withheld() {
        // Four 1s: every cell is at least 1 and the total "<5" at most 4, so a reader knows
        // every cell is 1 whatever is suppressed. Nothing can be published.
        let (values, rule, all) = table(&[vec![1, 1], vec![1, 1]]);
        let all_small: Vec<Shown> = values
            .iter()
            .map(|&v| {
                if (1..5).contains(&v) {
                    Shown::Small
                } else {
                    Shown::Count(v)
                }
            })
            .collect();
        assert!(!pinned(&values, &all, &all_small).is_empty());
        let p = protect(&values, &rule);
        assert!(p.withheld, "{p:?}");
        assert!(p.shown.iter().all(|s| *s == Shown::Suppressed));
        // A single small count with its totals: each of 1 to 4 fits, so it is published as "<5".
        let (values, rule, all) = table(&[vec![4]]);
        let p = protect(&values, &rule);
        assert!(!p.withheld);
        assert!(pinned(&values, &all, &p.shown).is_empty(), "{:?}", p.shown);
        let (values, rule, all) = table(&[vec![2, 2], vec![2, 2]]);
        let p = protect(&values, &rule);
        assert!(
            !p.withheld && pinned(&values, &all, &p.shown).is_empty(),
            "{:?}",
            p.shown
        );
    }

    #[test]
    fn the_same_counts_give_the_same_publication() {
        let (values, rule, _) = table(&[vec![2, 10, 8, 0], vec![9, 3, 7, 12], vec![5, 6, 1, 40]]);
        assert_eq!(protect(&values, &rule), protect(&values, &rule));
    }

    fn small_tables() -> impl Strategy<Value = Vec<Vec<u32>>> {
        (1usize..=3, 1usize..=3).prop_flat_map(|(r, c)| {
            // Mostly small numbers, so that suppression has work to do.
            let count = prop_oneof![3 => 0u32..5, 2 => 5u32..9, 1 => 9u32..30];
            prop::collection::vec(prop::collection::vec(count, c), r)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn no_suppressed_cell_of_a_random_table_can_be_worked_out(rows in small_tables()) {
            let (values, rule, all) = table(&rows);
            let p = protect(&values, &rule);
            if !p.withheld {
                prop_assert_eq!(pinned(&values, &all, &p.shown), Vec::<usize>::new(), "{:?} {:?}", rows, p.shown);
            }
            for (s, v) in p.shown.iter().zip(&values) {
                if (1..5).contains(v) {
                    prop_assert!(s.is_suppressed(), "a small count is published");
                }
                if let Shown::Count(n) = s {
                    prop_assert_eq!(n, v);
                }
            }
        }
    }
}
