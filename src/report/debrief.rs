//! The debrief of an operation, as data: header, briefing, engagement timeline, map, tension
//! per sector over time, rumours with their time to verify, negotiations and compliance,
//! escalations with their time to acknowledge, the count of intelligence submissions (never
//! their content), and the debrief's own notes (went well, even better if, recommendations,
//! sign-off) entered in the console.
//!
//! Built from the current revision of every record of the operation, whoever holds them (the
//! server, or a tablet), by [`Debrief::build`]. The report names the SHA-256 of those
//! revisions ([`records_digest`]) so anyone can check it against the chain.

use crate::evidence::Revision;
use crate::records::{Body, LatLon, Operation, RecordKind, RumourStatus};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use uuid::Uuid;

/// How urgent a recommendation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    High,
    Medium,
    Low,
}

impl Priority {
    pub fn label(self) -> &'static str {
        match self {
            Priority::High => "High",
            Priority::Medium => "Medium",
            Priority::Low => "Low",
        }
    }
}

/// One row of the recommendations table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    pub issue: String,
    pub recommendation: String,
    pub owner: String,
    pub priority: Priority,
}

/// Who signed the debrief off, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct SignOff {
    /// The console username.
    pub by: String,
    pub name: String,
    pub at: DateTime<Utc>,
    /// The [`records_digest`] of the records at sign-off.
    pub records_sha256: String,
}

/// What the debrief meeting adds, entered in the console.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct DebriefNotes {
    pub went_well: String,
    pub even_better_if: String,
    pub recommendations: Vec<Recommendation>,
    pub signed_off: Option<SignOff>,
}

impl DebriefNotes {
    /// Longest text of one field, in characters.
    pub const MAX_TEXT: usize = 20_000;
    pub const MAX_RECOMMENDATIONS: usize = 100;

    /// Why these notes cannot be kept, naming the field.
    pub fn problem(&self) -> Option<(String, String)> {
        let long = |s: &str| s.chars().count() > Self::MAX_TEXT;
        if long(&self.went_well) {
            return Some(("went_well".into(), format!("at most {} characters", Self::MAX_TEXT)));
        }
        if long(&self.even_better_if) {
            return Some((
                "even_better_if".into(),
                format!("at most {} characters", Self::MAX_TEXT),
            ));
        }
        if self.recommendations.len() > Self::MAX_RECOMMENDATIONS {
            return Some((
                "recommendations".into(),
                format!("at most {} rows", Self::MAX_RECOMMENDATIONS),
            ));
        }
        for (i, r) in self.recommendations.iter().enumerate() {
            for (name, v) in [
                ("issue", &r.issue),
                ("recommendation", &r.recommendation),
                ("owner", &r.owner),
            ] {
                if v.trim().is_empty() {
                    return Some((format!("recommendations[{i}].{name}"), "is required".into()));
                }
                if long(v) {
                    return Some((
                        format!("recommendations[{i}].{name}"),
                        format!("at most {} characters", Self::MAX_TEXT),
                    ));
                }
            }
        }
        None
    }
}

/// SHA-256, as hex, over one line `<record id> <revision hash>\n` per record, sorted by record
/// id: the current revisions a report was made from. Anyone holding the chain can recompute it.
pub fn records_digest<'a>(current: impl IntoIterator<Item = &'a Revision>) -> String {
    let mut lines: Vec<String> = current
        .into_iter()
        .map(|r| format!("{} {}\n", r.record_id, r.hash.to_hex()))
        .collect();
    lines.sort();
    let mut h = Sha256::new();
    for l in &lines {
        h.update(l.as_bytes());
    }
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deployed {
    pub officer: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Engagement {
    pub at: String,
    pub place: String,
    pub who: String,
    pub function: String,
    pub summary: String,
}

/// A point on the report's map, in millimetres from its top left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MapPoint {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapShape {
    pub name: String,
    pub points: Vec<MapPoint>,
    /// 0 (no reading) to 5 (hostile): the sector's latest tension.
    pub level: u8,
    pub label: MapPoint,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapPin {
    pub at: MapPoint,
    /// The kind's short letter, explained in the map's key.
    pub mark: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Map {
    pub width: f64,
    pub height: f64,
    pub area: Vec<MapPoint>,
    pub sectors: Vec<MapShape>,
    pub pins: Vec<MapPin>,
}

/// A sector's tension over the operation, hour by hour: the highest level read in each hour
/// (0: no reading).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectorTension {
    pub sector: String,
    pub hours: Vec<u8>,
    pub readings: u32,
    pub latest: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RumourRow {
    pub at: String,
    pub content: String,
    pub risk: String,
    pub status: String,
    /// "12 min", or "not verified".
    pub time_to_verify: String,
    pub findings: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NegotiationRow {
    pub at: String,
    pub parties: String,
    pub subject: String,
    pub outcome: String,
    pub agreed: String,
    pub compliance: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscalationRow {
    pub at: String,
    pub category: String,
    pub summary: String,
    pub acknowledged: String,
    pub decision: String,
}

/// A section's records in one hour, when the section has too many to list one by one: how
/// many, and how they divide ("12 Sensing, 3 Engagement").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourSummary {
    pub hour: String,
    pub count: u32,
    pub breakdown: String,
}

/// A section lists its records one by one up to this many; beyond it, hour by hour
/// ([`HourSummary`]), and the full list is the operation's CSV export. A debrief is read in a
/// meeting, and typst holds every laid-out row in memory (about 80 KB a row): a march of
/// 10,000 records listed in full is a 300-page report made in 700 MB.
pub const LIST_LIMIT: usize = 300;

/// The map draws a pin per located record up to this many; beyond it, the records within
/// [`GATHER_MM`] of each other are drawn as one pin marked with their count.
pub const PIN_LIMIT: usize = 400;
const GATHER_MM: f64 = 5.0;

/// Counts and medians for the report's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub engagements: u32,
    pub tension_readings: u32,
    pub rumours: u32,
    pub rumours_verified: u32,
    pub median_time_to_verify: String,
    pub negotiations: u32,
    pub agreements_kept: u32,
    pub escalations: u32,
    pub escalations_acknowledged: u32,
    pub median_time_to_acknowledge: String,
    pub intelligence_submissions: u32,
}

/// The whole debrief, as the template reads it. Times are shown in UTC.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Debrief {
    pub operation_id: Uuid,
    pub name: String,
    pub event_kind: String,
    pub starts_at: String,
    pub ends_at: String,
    pub command_structure: String,
    pub briefing: String,
    pub deployed: Vec<Deployed>,
    pub timeline: Vec<Engagement>,
    /// Set (and `timeline` empty) when there are more than [`LIST_LIMIT`] engagements.
    pub timeline_by_hour: Vec<HourSummary>,
    pub map: Option<Map>,
    /// The hour each column of [`SectorTension::hours`] starts, "10:00".
    pub tension_hours: Vec<String>,
    pub tension: Vec<SectorTension>,
    pub rumours: Vec<RumourRow>,
    pub rumours_by_hour: Vec<HourSummary>,
    pub negotiations: Vec<NegotiationRow>,
    pub negotiations_by_hour: Vec<HourSummary>,
    pub escalations: Vec<EscalationRow>,
    pub escalations_by_hour: Vec<HourSummary>,
    pub figures: Figures,
    pub went_well: String,
    pub even_better_if: String,
    pub recommendations: Vec<RecommendationRow>,
    pub signed_off: Option<String>,
    /// True when the records changed after sign-off (the digest differs).
    pub changed_since_sign_off: bool,
    pub records: u32,
    pub records_sha256: String,
    pub made_at: String,
    pub made_by: String,
    /// Where it was made: "the force server" or "tablet of PC 4521".
    pub made_on: String,
    /// For the PDF's metadata, so the same records make the same file.
    #[serde(skip)]
    pub made_at_time: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecommendationRow {
    pub issue: String,
    pub recommendation: String,
    pub owner: String,
    pub priority: String,
}

/// Why a debrief cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DebriefError {
    #[error("operation {0} is not among the records given")]
    NoOperation(Uuid),
}

/// A tension reading: when, its level (1–5), its label.
type Reading = (DateTime<Utc>, u8, &'static str);

fn hm(t: DateTime<Utc>) -> String {
    t.format("%H:%M").to_string()
}

fn day_hm(t: DateTime<Utc>) -> String {
    t.format("%a %-d %b %Y %H:%M UTC").to_string()
}

fn span(d: Duration) -> String {
    let m = d.num_minutes().max(0);
    if m < 120 {
        format!("{m} min")
    } else {
        format!("{} h {} min", m / 60, m % 60)
    }
}

fn median(mut xs: Vec<Duration>) -> String {
    if xs.is_empty() {
        return "none".into();
    }
    xs.sort();
    span(xs[xs.len() / 2])
}

/// Where a record was: its sector and its British National Grid reference (its latitude and
/// longitude outside the grid).
fn place(rev: &Revision) -> String {
    let r = &rev.body;
    let pos = r.location.as_ref().map(|l| {
        crate::geo::bng::to_grid(l.lat, l.lon)
            .and_then(|g| g.grid_reference(10))
            .unwrap_or_else(|| format!("{:.5}, {:.5}", l.lat, l.lon))
    });
    match (&r.sector, pos) {
        (Some(s), Some(p)) => format!("{s} ({p})"),
        (Some(s), None) => s.clone(),
        (None, Some(p)) => p,
        (None, None) => "not recorded".into(),
    }
}

impl Debrief {
    /// The debrief of `operation_id` from the current revision of each of its records (the
    /// operation's own among them). `made_on` says where it was made.
    pub fn build(
        operation_id: Uuid,
        current: &[Revision],
        notes: &DebriefNotes,
        made_by: &str,
        made_on: &str,
        made_at: DateTime<Utc>,
    ) -> Result<Debrief, DebriefError> {
        let op: &Operation = current
            .iter()
            .find_map(|r| match &r.body.body {
                Body::Operation(op) if r.record_id == operation_id => Some(op),
                _ => None,
            })
            .ok_or(DebriefError::NoOperation(operation_id))?;
        let mut mine: Vec<&Revision> = current
            .iter()
            .filter(|r| r.body.operation_id == Some(operation_id))
            .collect();
        mine.sort_by_key(|r| (r.body.occurred_at, r.record_id));
        let digest = records_digest(
            current
                .iter()
                .filter(|r| r.record_id == operation_id || r.body.operation_id == Some(operation_id)),
        );

        let mut timeline = Vec::new();
        let mut rumours = Vec::new();
        let mut negotiations = Vec::new();
        let mut escalations = Vec::new();
        // Each listed row's time and what it is, for the hourly summary of a long section.
        let (mut timeline_keys, mut rumour_keys, mut negotiation_keys, mut escalation_keys) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut ttv = Vec::new();
        let mut tta = Vec::new();
        let mut figures = Figures {
            engagements: 0,
            tension_readings: 0,
            rumours: 0,
            rumours_verified: 0,
            median_time_to_verify: String::new(),
            negotiations: 0,
            agreements_kept: 0,
            escalations: 0,
            escalations_acknowledged: 0,
            median_time_to_acknowledge: String::new(),
            intelligence_submissions: 0,
        };
        // Sector name → its readings.
        let mut readings: BTreeMap<String, Vec<Reading>> = BTreeMap::new();
        for rev in &mine {
            let at = rev.body.occurred_at;
            match &rev.body.body {
                Body::ContactNote(n) => {
                    figures.engagements += 1;
                    timeline_keys.push((at, n.function.label()));
                    timeline.push(Engagement {
                        at: hm(at),
                        place: place(rev),
                        who: rev.author.to_string(),
                        function: n.function.label().into(),
                        summary: format!("{}: {}", n.spoke_with, n.summary),
                    });
                }
                Body::TensionReading(t) => {
                    figures.tension_readings += 1;
                    let sector = rev.body.sector.clone().unwrap_or_else(|| "No sector".into());
                    readings
                        .entry(sector)
                        .or_default()
                        .push((at, t.mood.level(), t.mood.label()));
                }
                Body::RumourReport(r) => {
                    figures.rumours += 1;
                    let settled = matches!(r.status, RumourStatus::Confirmed | RumourStatus::Refuted);
                    let time = match (settled, r.verified_at) {
                        (true, Some(v)) => {
                            figures.rumours_verified += 1;
                            ttv.push(v - at);
                            span(v - at)
                        }
                        _ => "not verified".into(),
                    };
                    rumour_keys.push((at, r.status.label()));
                    rumours.push(RumourRow {
                        at: hm(at),
                        content: r.content.clone(),
                        risk: r.risk.label().into(),
                        status: r.status.label().into(),
                        time_to_verify: time,
                        findings: r.findings.clone(),
                    });
                }
                Body::NegotiationOutcome(n) => {
                    figures.negotiations += 1;
                    if n.compliance.is_some_and(|c| c == crate::records::Compliance::Kept) {
                        figures.agreements_kept += 1;
                    }
                    negotiation_keys.push((at, n.outcome.label()));
                    negotiations.push(NegotiationRow {
                        at: hm(at),
                        parties: n.parties.clone(),
                        subject: n.subject.label().into(),
                        outcome: n.outcome.label().into(),
                        agreed: n.agreed.clone(),
                        compliance: match n.compliance {
                            Some(c) if n.compliance_note.is_empty() => c.label().into(),
                            Some(c) => format!("{}: {}", c.label(), n.compliance_note),
                            None => "Not recorded".into(),
                        },
                    });
                }
                Body::Escalation(e) => {
                    figures.escalations += 1;
                    let acknowledged = match &e.acknowledged {
                        Some(a) => {
                            figures.escalations_acknowledged += 1;
                            tta.push(a.at - e.told_at);
                            format!("{} ({}) after {}", a.name, a.by, span(a.at - e.told_at))
                        }
                        None => "Not acknowledged".into(),
                    };
                    let decision = match e.decision {
                        Some(d) if e.response.is_empty() => d.label().into(),
                        Some(d) => format!("{}: {}", d.label(), e.response),
                        None => "None recorded".into(),
                    };
                    escalation_keys.push((
                        e.told_at,
                        if e.acknowledged.is_some() {
                            "acknowledged"
                        } else {
                            "not acknowledged"
                        },
                    ));
                    escalations.push(EscalationRow {
                        at: hm(e.told_at),
                        category: e.category.label().into(),
                        summary: e.summary.clone(),
                        acknowledged,
                        decision,
                    });
                }
                Body::IntelligenceSubmission(_) => figures.intelligence_submissions += 1,
                _ => {}
            }
        }
        let timeline_by_hour = summarise(&mut timeline, &timeline_keys);
        let rumours_by_hour = summarise(&mut rumours, &rumour_keys);
        let negotiations_by_hour = summarise(&mut negotiations, &negotiation_keys);
        let escalations_by_hour = summarise(&mut escalations, &escalation_keys);
        figures.median_time_to_verify = median(ttv);
        figures.median_time_to_acknowledge = median(tta);

        // Tension: one column per hour of the operation (and of any reading outside it).
        let first = readings
            .values()
            .flatten()
            .map(|r| r.0)
            .chain([op.starts_at])
            .min()
            .unwrap_or(op.starts_at);
        let last = readings
            .values()
            .flatten()
            .map(|r| r.0)
            .chain([op.ends_at])
            .max()
            .unwrap_or(op.ends_at);
        let hour0 =
            DateTime::from_timestamp(first.timestamp() - first.timestamp().rem_euclid(3600), 0).unwrap_or(first);
        let columns = (((last - hour0).num_minutes() / 60) + 1).clamp(1, 48) as usize;
        let tension_hours = (0..columns).map(|i| hm(hour0 + Duration::hours(i as i64))).collect();
        let mut sector_names: Vec<String> = op.sectors.iter().map(|s| s.name.clone()).collect();
        for name in readings.keys() {
            if !sector_names.contains(name) {
                sector_names.push(name.clone());
            }
        }
        let tension: Vec<SectorTension> = sector_names
            .iter()
            .map(|name| {
                let rs = readings.get(name).map(Vec::as_slice).unwrap_or(&[]);
                let mut hours = vec![0u8; columns];
                for (at, level, _) in rs {
                    let i = ((*at - hour0).num_minutes() / 60).clamp(0, columns as i64 - 1) as usize;
                    hours[i] = hours[i].max(*level);
                }
                let latest = rs
                    .iter()
                    .max_by_key(|r| r.0)
                    .map(|(at, _, label)| format!("{label} at {}", hm(*at)))
                    .unwrap_or_else(|| "No reading".into());
                SectorTension {
                    sector: name.clone(),
                    hours,
                    readings: rs.len() as u32,
                    latest,
                }
            })
            .collect();
        let latest_level = |name: &str| {
            readings
                .get(name)
                .and_then(|rs| rs.iter().max_by_key(|r| r.0))
                .map_or(0, |r| r.1)
        };
        let map = map(op, &mine, latest_level);

        let signed_off = notes
            .signed_off
            .as_ref()
            .map(|s| format!("{} ({}), {}", s.name, s.by, day_hm(s.at)));
        let changed_since_sign_off = notes.signed_off.as_ref().is_some_and(|s| s.records_sha256 != digest);
        Ok(Debrief {
            operation_id,
            name: op.name.clone(),
            event_kind: op.event_kind.label().into(),
            starts_at: day_hm(op.starts_at),
            ends_at: day_hm(op.ends_at),
            command_structure: op.command_structure.clone(),
            briefing: op.briefing.clone(),
            deployed: op
                .team
                .iter()
                .map(|m| Deployed {
                    officer: m.officer.to_string(),
                    role: m.role.clone(),
                })
                .collect(),
            timeline,
            timeline_by_hour,
            map,
            tension_hours,
            tension,
            rumours,
            rumours_by_hour,
            negotiations,
            negotiations_by_hour,
            escalations,
            escalations_by_hour,
            figures,
            went_well: notes.went_well.clone(),
            even_better_if: notes.even_better_if.clone(),
            recommendations: notes
                .recommendations
                .iter()
                .map(|r| RecommendationRow {
                    issue: r.issue.clone(),
                    recommendation: r.recommendation.clone(),
                    owner: r.owner.clone(),
                    priority: r.priority.label().into(),
                })
                .collect(),
            signed_off,
            changed_since_sign_off,
            records: mine.len() as u32 + 1,
            records_sha256: digest,
            made_at: day_hm(made_at),
            made_by: made_by.into(),
            made_on: made_on.into(),
            made_at_time: made_at,
        })
    }
}

/// When `rows` are more than [`LIST_LIMIT`], empties them and returns their hourly summary
/// from `keys` (each row's time and what it is); otherwise leaves them and returns none.
fn summarise<T>(rows: &mut Vec<T>, keys: &[(DateTime<Utc>, &'static str)]) -> Vec<HourSummary> {
    if rows.len() <= LIST_LIMIT {
        return Vec::new();
    }
    rows.clear();
    rows.shrink_to_fit();
    let mut hours: BTreeMap<i64, BTreeMap<&'static str, u32>> = BTreeMap::new();
    for (at, what) in keys {
        let hour = at.timestamp() - at.timestamp().rem_euclid(3600);
        *hours.entry(hour).or_default().entry(what).or_default() += 1;
    }
    hours
        .into_iter()
        .map(|(hour, whats)| {
            let mut parts: Vec<(&str, u32)> = whats.into_iter().collect();
            parts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            HourSummary {
                hour: DateTime::from_timestamp(hour, 0).map_or_else(String::new, hm),
                count: parts.iter().map(|p| p.1).sum(),
                breakdown: parts
                    .iter()
                    .map(|(what, n)| format!("{n} {what}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect()
}

/// The map's pins: one per located record, or, beyond [`PIN_LIMIT`], one per group of
/// records within [`GATHER_MM`] of each other, marked with how many (a lone record keeps its
/// kind's letter), at the group's centre.
fn pins(located: Vec<(MapPoint, RecordKind)>) -> Vec<MapPin> {
    if located.len() <= PIN_LIMIT {
        return located
            .into_iter()
            .map(|(at, kind)| MapPin {
                at,
                mark: mark(kind).into(),
            })
            .collect();
    }
    let mut cells: BTreeMap<(i64, i64), Vec<(MapPoint, RecordKind)>> = BTreeMap::new();
    for (at, kind) in located {
        let cell = ((at.x / GATHER_MM).floor() as i64, (at.y / GATHER_MM).floor() as i64);
        cells.entry(cell).or_default().push((at, kind));
    }
    let round = |v: f64| (v * 100.0).round() / 100.0;
    cells
        .into_values()
        .map(|group| {
            let n = group.len() as f64;
            MapPin {
                at: MapPoint {
                    x: round(group.iter().map(|g| g.0.x).sum::<f64>() / n),
                    y: round(group.iter().map(|g| g.0.y).sum::<f64>() / n),
                },
                mark: match group.as_slice() {
                    [(_, kind)] => mark(*kind).into(),
                    _ => group.len().to_string(),
                },
            }
        })
        .collect()
}

/// The letter a record kind is pinned with on the map.
fn mark(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::ContactNote => "C",
        RecordKind::TensionReading => "T",
        RecordKind::RumourReport => "R",
        RecordKind::NegotiationOutcome => "N",
        RecordKind::Escalation => "E",
        _ => "•",
    }
}

/// The area, sectors and located records projected onto a 170 × 110 mm box (equirectangular,
/// longitude scaled by the cosine of the latitude, north up, aspect kept).
fn map(op: &Operation, records: &[&Revision], level: impl Fn(&str) -> u8) -> Option<Map> {
    const W: f64 = 170.0;
    const H: f64 = 110.0;
    const PAD: f64 = 4.0;
    let located: Vec<(LatLon, RecordKind)> = records
        .iter()
        .filter(|r| r.kind != RecordKind::IntelligenceSubmission)
        .filter_map(|r| {
            r.body
                .location
                .as_ref()
                .map(|l| (LatLon { lat: l.lat, lon: l.lon }, r.kind))
        })
        .collect();
    let all: Vec<LatLon> = op
        .area
        .iter()
        .chain(op.sectors.iter().flat_map(|s| s.boundary.iter()))
        .copied()
        .chain(located.iter().map(|p| p.0))
        .collect();
    if all.is_empty() {
        return None;
    }
    let mean_lat = all.iter().map(|p| p.lat).sum::<f64>() / all.len() as f64;
    let k = mean_lat.to_radians().cos();
    let xs = all.iter().map(|p| p.lon * k);
    let (min_x, max_x) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let (min_y, max_y) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.lat), b.max(p.lat)));
    let span_x = (max_x - min_x).max(1e-9);
    let span_y = (max_y - min_y).max(1e-9);
    let scale = ((W - 2.0 * PAD) / span_x).min((H - 2.0 * PAD) / span_y);
    let off_x = (W - span_x * scale) / 2.0;
    let off_y = (H - span_y * scale) / 2.0;
    let round = |v: f64| (v * 100.0).round() / 100.0;
    let project = |p: &LatLon| MapPoint {
        x: round(off_x + (p.lon * k - min_x) * scale),
        y: round(off_y + (max_y - p.lat) * scale),
    };
    let centre = |pts: &[MapPoint]| MapPoint {
        x: round(pts.iter().map(|p| p.x).sum::<f64>() / pts.len().max(1) as f64),
        y: round(pts.iter().map(|p| p.y).sum::<f64>() / pts.len().max(1) as f64),
    };
    Some(Map {
        width: W,
        height: H,
        area: op.area.iter().map(project).collect(),
        sectors: op
            .sectors
            .iter()
            .map(|s| {
                let points: Vec<MapPoint> = s.boundary.iter().map(project).collect();
                MapShape {
                    name: s.name.clone(),
                    label: centre(&points),
                    points,
                    level: level(&s.name),
                }
            })
            .collect(),
        pins: pins(located.iter().map(|(p, kind)| (project(p), *kind)).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{Hash, Hlc};
    use crate::records::{Location, OfficerId, Record};
    use chrono::TimeZone;

    fn revision(record_id: Uuid, record: Record) -> Revision {
        Revision {
            id: Uuid::now_v7(),
            record_id,
            parent: None,
            merges: None,
            kind: record.kind(),
            author: OfficerId::new("PC 4521").unwrap(),
            device_id: Uuid::nil(),
            device_seq: 1,
            recorded_at: record.occurred_at,
            hlc: Hlc { ms: 0, counter: 0 },
            reason: None,
            body: record,
            prev_hash: Hash::GENESIS,
            hash: Hash::GENESIS,
        }
    }

    /// An operation with `notes` contact notes spread over three hours, each located.
    fn operation_of(notes: usize) -> (Uuid, Vec<Revision>) {
        let start = Utc.with_ymd_and_hms(2026, 6, 6, 10, 0, 0).unwrap();
        let op = Uuid::now_v7();
        let operation: Record = serde_json::from_value(serde_json::json!({
            "operation_id": null, "occurred_at": start, "location": null, "sector": null,
            "links": [], "tags": [],
            "body": {"kind": "operation", "name": "Op TEST", "event_kind": "march",
                     "starts_at": start, "ends_at": start + Duration::hours(3), "area": [], "sectors": [],
                     "briefing": "", "command_structure": "", "groups_expected": [], "team": []}
        }))
        .unwrap();
        let mut current = vec![revision(op, operation)];
        for i in 0..notes {
            let mut note: Record = serde_json::from_value(serde_json::json!({
                "operation_id": op, "occurred_at": start + Duration::seconds((i * 10_800 / notes) as i64),
                "location": null, "sector": null, "links": [], "tags": [],
                "body": {"kind": "contact_note", "spoke_with": "Steward", "function": if i % 3 == 0 { "sensing" } else { "communication" },
                         "summary": format!("Note {i}")}
            }))
            .unwrap();
            note.location = Some(Location {
                lat: 52.47 + 0.0001 * (i % 50) as f64,
                lon: -1.91 + 0.0001 * (i % 7) as f64,
                accuracy_m: None,
            });
            current.push(revision(Uuid::now_v7(), note));
        }
        (op, current)
    }

    fn made(op: Uuid, current: &[Revision]) -> Debrief {
        let at = Utc.with_ymd_and_hms(2026, 6, 7, 9, 0, 0).unwrap();
        Debrief::build(
            op,
            current,
            &DebriefNotes::default(),
            "insp.hale",
            "the force server",
            at,
        )
        .unwrap()
    }

    #[test]
    fn a_short_timeline_is_listed_in_full_and_every_record_is_a_pin() {
        let (op, current) = operation_of(LIST_LIMIT);
        let d = made(op, &current);
        assert_eq!(d.timeline.len(), LIST_LIMIT);
        assert!(d.timeline_by_hour.is_empty());
        let pins = &d.map.as_ref().unwrap().pins;
        assert_eq!(pins.len(), LIST_LIMIT);
        assert!(pins.iter().all(|p| p.mark == "C"));
    }

    #[test]
    fn a_long_timeline_is_given_hour_by_hour_and_close_pins_are_gathered_with_their_count() {
        let (op, current) = operation_of(2_000);
        let d = made(op, &current);
        assert!(d.timeline.is_empty(), "not listed one by one");
        assert_eq!(d.figures.engagements, 2_000);
        let hours: Vec<&str> = d.timeline_by_hour.iter().map(|h| h.hour.as_str()).collect();
        assert_eq!(hours, ["10:00", "11:00", "12:00"]);
        assert_eq!(
            d.timeline_by_hour.iter().map(|h| h.count).sum::<u32>(),
            2_000,
            "every engagement counted"
        );
        let first = &d.timeline_by_hour[0];
        let (sensing, communication) = current[1..]
            .iter()
            .filter(|r| r.body.occurred_at.format("%H").to_string() == "10")
            .fold((0, 0), |(s, e), r| match &r.body.body {
                Body::ContactNote(n) if n.function.label() == "Sensing" => (s + 1, e),
                _ => (s, e + 1),
            });
        assert_eq!(
            first.breakdown,
            format!("{communication} Communication, {sensing} Sensing")
        );

        let pins = &d.map.as_ref().unwrap().pins;
        assert!(pins.len() <= PIN_LIMIT, "{} pins", pins.len());
        let counted: usize = pins
            .iter()
            .map(|p| {
                if p.mark == "C" {
                    1
                } else {
                    p.mark.parse::<usize>().unwrap()
                }
            })
            .sum();
        assert_eq!(counted, 2_000, "every located record is in one pin");
    }
}
