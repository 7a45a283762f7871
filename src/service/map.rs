//! The operation's map on the tablet: its area, its sectors with their latest tension, and the
//! operation's records that carry a position, as pins. What the map draws under them (the
//! bundled basemap, a force's own tiles) is the UI's and [`crate::tiles`]'s business.
//!
//! Pins are the operation's field records only (contact notes, rumours, negotiations, tension
//! readings, escalations), with the title the timeline already shows: the map discloses
//! nothing a list of the operation does not.

use super::home::{latest_tension, operation, tension_points};
use crate::records::{LatLon, Location, OfficerId, RecordId, RecordKind};
use crate::store::{Result, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The kinds pinned on an operation's map.
pub const PINNED_KINDS: [RecordKind; 5] = [
    RecordKind::ContactNote,
    RecordKind::RumourReport,
    RecordKind::NegotiationOutcome,
    RecordKind::TensionReading,
    RecordKind::Escalation,
];

/// At most this many pins, the newest: more would hide the map, and the timeline lists them all.
pub const PINS_MAX: u32 = 1_000;

/// One sector, shaded by its latest tension reading.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MapSector {
    pub name: String,
    pub boundary: Vec<LatLon>,
    pub latest: Option<super::TensionPoint>,
}

/// A record with a position, as a pin that opens it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MapPin {
    pub record_id: RecordId,
    pub kind: RecordKind,
    pub title: String,
    pub occurred_at: DateTime<Utc>,
    pub location: Location,
    pub sector: Option<String>,
}

/// What the operation's map shows.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct OperationMap {
    pub operation_id: RecordId,
    pub area: Vec<LatLon>,
    pub sectors: Vec<MapSector>,
    /// Oldest first, so the newest is drawn on top.
    pub pins: Vec<MapPin>,
    /// More records have a position than [`PINS_MAX`]: only the newest are pinned.
    pub more_located: bool,
}

pub fn operation_map(store: &Store, officer: &OfficerId, operation_id: RecordId) -> Result<OperationMap> {
    let op = operation(store, officer, operation_id)?;
    let series = tension_points(store, operation_id)?;
    let latest = latest_tension(&op, &series);
    let sectors = op
        .sectors
        .iter()
        .zip(latest)
        .map(|(s, t)| MapSector {
            name: s.name.clone(),
            boundary: s.boundary.clone(),
            latest: t.latest,
        })
        .collect();
    let records = store.current_records(Some(operation_id), &PINNED_KINDS, super::home::MANY)?;
    let mut pins: Vec<MapPin> = records
        .into_iter()
        .filter_map(|r| {
            Some(MapPin {
                location: r.record.location?,
                record_id: r.record_id,
                kind: r.kind,
                title: r.record.body.title(),
                occurred_at: r.record.occurred_at,
                sector: r.record.sector,
            })
        })
        .collect();
    // Newest first from the store; keep the newest PINS_MAX, then draw the oldest first.
    let more_located = pins.len() > PINS_MAX as usize;
    pins.truncate(PINS_MAX as usize);
    pins.reverse();
    Ok(OperationMap {
        operation_id,
        area: op.area,
        sectors,
        pins,
        more_located,
    })
}
