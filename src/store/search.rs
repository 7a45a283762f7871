//! Full-text search (FTS5) over the current text of every record, ranked by BM25 with the
//! title weighted above the body, with snippets and the timeline's filters.

use super::{Result, Store};
use crate::records::{validate::SHORT_MAX, OfficerId, RecordId, RecordKind, ValidationError};
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// A search as the officer typed it, with optional filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SearchQuery {
    /// Words to find; every word must match. A word ending in `*` matches as a prefix.
    pub text: String,
    #[serde(default)]
    pub operation_id: Option<RecordId>,
    #[serde(default)]
    pub kind: Option<RecordKind>,
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
    #[serde(default)]
    pub sector: Option<String>,
    #[serde(default)]
    pub author: Option<OfficerId>,
    /// At most this many hits (default 20, at most 100).
    #[serde(default)]
    pub limit: u32,
}

/// A piece of a snippet: matched words are marked so the UI can highlight them without
/// interpreting any markup from the record text.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SnippetPart {
    pub text: String,
    pub hit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SearchHit {
    pub record_id: RecordId,
    pub kind: RecordKind,
    pub title: String,
    pub operation_id: Option<RecordId>,
    pub occurred_at: DateTime<Utc>,
    pub sector: Option<String>,
    pub author: OfficerId,
    pub snippet: Vec<SnippetPart>,
    /// BM25 score; lower is better.
    pub score: f64,
}

const OPEN: char = '\u{2}';
const CLOSE: char = '\u{3}';

/// Ranking is exact over the newest this-many matches. A word found in more notes than this
/// (say "crowd" in most of 100,000) is ranked among the most recent ones, which keeps every
/// search fast and is what an officer searching a common word wants; more words or a filter
/// reach older notes.
pub const RANK_WINDOW: u32 = 4_000;

/// Turns typed words into an FTS5 query that cannot be a syntax error: every word is quoted.
/// A word typed with a trailing `*` matches as a prefix (`rout*`); others match whole words,
/// stemmed (`agreeing` finds "agreed"). Prefixes are opt-in because a short prefix of a
/// common word merges many large posting lists.
fn fts_query(text: &str) -> Result<String> {
    let len = text.chars().count();
    if len > SHORT_MAX {
        return Err(ValidationError::TooLong {
            field: "text".into(),
            max: SHORT_MAX,
            len,
        }
        .into());
    }
    let mut words = Vec::new();
    for raw in text.split_whitespace() {
        let prefix = raw.ends_with('*');
        for w in raw.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-') {
            let w = w.trim_matches(|c| c == '\'' || c == '-');
            if !w.is_empty() {
                words.push(format!("\"{}\"", w.replace('"', "\"\"")));
            }
        }
        if prefix {
            if let Some(last) = words.last_mut() {
                last.push('*');
            }
        }
    }
    if words.is_empty() {
        return Err(ValidationError::Required { field: "text".into() }.into());
    }
    Ok(words.join(" "))
}

fn split_snippet(s: &str) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    let mut hit = false;
    let mut cur = String::new();
    for c in s.chars() {
        if c == OPEN || c == CLOSE {
            if !cur.is_empty() {
                parts.push(SnippetPart {
                    text: std::mem::take(&mut cur),
                    hit,
                });
            }
            hit = c == OPEN;
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        parts.push(SnippetPart { text: cur, hit });
    }
    parts
}

impl Store {
    /// Ranked search. Snippets are made only for the hits returned, not for every match: for a
    /// word found in most notes that is the difference between milliseconds and seconds.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        let fts = fts_query(&q.text)?;
        let limit = if q.limit == 0 { 20 } else { q.limit.min(100) };
        // One plan for every filter combination: FTS5 walks the matches newest first, each is
        // joined to its record row and filtered, and only the window is ranked.
        let top: Vec<(i64, f64)> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT rowid, rank FROM (
                   SELECT s.rowid, s.rank FROM search_index s JOIN records r ON r.rowid = s.rowid
                   WHERE search_index MATCH ?1
                     AND (?2 IS NULL OR r.operation_id = ?2)
                     AND (?3 IS NULL OR r.kind = ?3)
                     AND (?4 IS NULL OR r.occurred_ms >= ?4)
                     AND (?5 IS NULL OR r.occurred_ms < ?5)
                     AND (?6 IS NULL OR r.sector = ?6)
                     AND (?7 IS NULL OR r.author = ?7)
                   ORDER BY s.rowid DESC LIMIT ?9)
                 ORDER BY rank LIMIT ?8",
            )?;
            let rows = stmt.query_map(
                params![
                    fts,
                    q.operation_id,
                    q.kind.map(|k| k.as_str()),
                    q.from.map(|t| t.timestamp_millis()),
                    q.to.map(|t| t.timestamp_millis()),
                    q.sector,
                    q.author.as_ref().map(|a| a.as_str()),
                    limit,
                    RANK_WINDOW
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            rows.collect::<rusqlite::Result<_>>()?
        };

        let mut snippet_stmt = self.conn.prepare_cached(
            "SELECT snippet(search_index, -1, char(2), char(3), '…', 14) FROM search_index
             WHERE search_index MATCH ?1 AND rowid = ?2",
        )?;
        let mut row_stmt = self.conn.prepare_cached(
            "SELECT record_id, kind, title, operation_id, occurred_ms, sector, author FROM records WHERE rowid = ?1",
        )?;
        let mut hits = Vec::with_capacity(top.len());
        for (rowid, score) in top {
            let snippet: String = snippet_stmt.query_row(params![fts, rowid], |r| r.get(0))?;
            let hit = row_stmt.query_row([rowid], |r| {
                let kind: String = r.get(1)?;
                let author: String = r.get(6)?;
                Ok(SearchHit {
                    record_id: r.get(0)?,
                    kind: RecordKind::parse(&kind).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
                    })?,
                    title: r.get(2)?,
                    operation_id: r.get(3)?,
                    occurred_at: DateTime::from_timestamp_millis(r.get(4)?).unwrap_or_default(),
                    sector: r.get(5)?,
                    author: OfficerId::new(author).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e))
                    })?,
                    snippet: split_snippet(&snippet),
                    score,
                })
            })?;
            hits.push(hit);
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_words_become_a_safe_fts_query() {
        assert_eq!(fts_query("kettle").unwrap(), "\"kettle\"");
        assert_eq!(fts_query("route chan* ").unwrap(), "\"route\" \"chan\"*");
        // FTS5 operators and quotes in the input are words, never syntax.
        assert_eq!(fts_query("NEAR(\"a\" OR b)").unwrap(), "\"NEAR\" \"a\" \"OR\" \"b\"");
        assert!(fts_query("  ?? ").is_err());
        assert!(fts_query(&"x".repeat(500)).is_err());
    }

    #[test]
    fn snippet_markers_become_parts() {
        let parts = split_snippet("…the \u{2}route\u{3} was agreed");
        assert_eq!(parts.len(), 3);
        assert!(parts[1].hit && parts[1].text == "route");
        assert!(!parts[0].hit && !parts[2].hit);
    }
}
