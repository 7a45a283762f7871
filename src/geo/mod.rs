//! Positions, areas and sectors, with the `geo` crate. Owns coordinate validation and the
//! question "which sector of the operation is this in, and how far is it from that one?".
//! Knows nothing of storage.

pub mod bng;

use crate::records::{LatLon, Location, Operation, ValidationError};
use geo::{Closest, Contains, Distance, Haversine, HaversineClosestPoint, LineString, Point, Polygon};

/// Worse than this, a fix is no use for placing a record in a sector; reject it as a typo or a
/// broken receiver rather than store it as if it meant something.
pub const ACCURACY_MAX_M: f64 = 50_000.0;

fn check_lat_lon(field: &str, lat: f64, lon: f64) -> Result<(), ValidationError> {
    let bad = |reason: &str| ValidationError::BadCoordinate {
        field: field.into(),
        reason: reason.into(),
    };
    if !lat.is_finite() || !lon.is_finite() {
        return Err(bad("latitude and longitude must be numbers"));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(bad("latitude must be between -90 and 90"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(bad("longitude must be between -180 and 180"));
    }
    Ok(())
}

/// Rejects NaN or infinite values, out-of-range latitude/longitude and negative or absurd accuracy.
pub fn validate_location(loc: &Location) -> Result<(), ValidationError> {
    check_lat_lon("location", loc.lat, loc.lon)?;
    if let Some(acc) = loc.accuracy_m {
        if !acc.is_finite() || acc < 0.0 {
            return Err(ValidationError::BadCoordinate {
                field: "location.accuracy_m".into(),
                reason: "accuracy must be zero or more metres".into(),
            });
        }
        if acc > ACCURACY_MAX_M {
            return Err(ValidationError::BadCoordinate {
                field: "location.accuracy_m".into(),
                reason: format!("accuracy worse than {ACCURACY_MAX_M} m cannot place a record"),
            });
        }
    }
    Ok(())
}

/// A boundary ring: at least three distinct valid vertices.
pub fn validate_ring(field: &str, ring: &[LatLon]) -> Result<(), ValidationError> {
    if ring.len() > crate::records::validate::LIST_MAX {
        return Err(ValidationError::TooMany {
            field: field.into(),
            max: crate::records::validate::LIST_MAX,
            len: ring.len(),
        });
    }
    for (i, p) in ring.iter().enumerate() {
        check_lat_lon(&format!("{field}[{i}]"), p.lat, p.lon)?;
    }
    let mut distinct: Vec<(u64, u64)> = ring.iter().map(|p| (p.lat.to_bits(), p.lon.to_bits())).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(ValidationError::Invalid {
            field: field.into(),
            reason: "needs at least three different points".into(),
        });
    }
    if let Some((a, b)) = crossing_edges(ring) {
        return Err(ValidationError::Invalid {
            field: field.into(),
            reason: format!(
                "crosses itself (edge {} meets edge {}): draw the boundary round the area without crossing",
                a + 1,
                b + 1
            ),
        });
    }
    Ok(())
}

/// The first two edges of a closed ring that cross or touch, other than neighbours meeting at
/// their shared vertex. A ring whose last vertex repeats the first is read as the same ring.
fn crossing_edges(ring: &[LatLon]) -> Option<(usize, usize)> {
    let pts: Vec<(f64, f64)> = {
        let mut p: Vec<(f64, f64)> = ring.iter().map(|p| (p.lon, p.lat)).collect();
        if p.len() > 1 && p.first() == p.last() {
            p.pop();
        }
        p
    };
    let n = pts.len();
    let edge = |i: usize| (pts[i], pts[(i + 1) % n]);
    for i in 0..n {
        for j in i + 1..n {
            let neighbours = j == i + 1 || (i == 0 && j == n - 1);
            if neighbours {
                continue;
            }
            if segments_meet(edge(i), edge(j)) {
                return Some((i, j));
            }
        }
    }
    None
}

fn segments_meet((p1, p2): ((f64, f64), (f64, f64)), (q1, q2): ((f64, f64), (f64, f64))) -> bool {
    fn orient(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
        (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
    }
    fn on_segment(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> bool {
        c.0 >= a.0.min(b.0) && c.0 <= a.0.max(b.0) && c.1 >= a.1.min(b.1) && c.1 <= a.1.max(b.1)
    }
    let (d1, d2) = (orient(q1, q2, p1), orient(q1, q2, p2));
    let (d3, d4) = (orient(p1, p2, q1), orient(p1, p2, q2));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0)) && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0)) {
        return true;
    }
    (d1 == 0.0 && on_segment(q1, q2, p1))
        || (d2 == 0.0 && on_segment(q1, q2, p2))
        || (d3 == 0.0 && on_segment(p1, p2, q1))
        || (d4 == 0.0 && on_segment(p1, p2, q2))
}

fn polygon(ring: &[LatLon]) -> Polygon<f64> {
    // geo works in (x, y) = (lon, lat).
    Polygon::new(
        LineString::from(ring.iter().map(|p| (p.lon, p.lat)).collect::<Vec<_>>()),
        vec![],
    )
}

/// An operation's sectors, ready for point queries.
pub struct SectorMap {
    sectors: Vec<(String, Polygon<f64>)>,
}

impl SectorMap {
    pub fn new(op: &Operation) -> Self {
        Self {
            sectors: op
                .sectors
                .iter()
                .map(|s| (s.name.clone(), polygon(&s.boundary)))
                .collect(),
        }
    }

    /// Whether the operation has a sector of this name.
    pub fn has(&self, name: &str) -> bool {
        self.sectors.iter().any(|(n, _)| n == name)
    }

    pub fn is_empty(&self) -> bool {
        self.sectors.is_empty()
    }

    /// The first sector containing the point (sectors are meant not to overlap; where a
    /// drawing makes them overlap, the earlier one wins, which is stable).
    pub fn sector_of(&self, lat: f64, lon: f64) -> Option<&str> {
        let p = Point::new(lon, lat);
        self.sectors
            .iter()
            .find(|(_, poly)| poly.contains(&p))
            .map(|(name, _)| name.as_str())
    }

    /// Great-circle distance in metres from the point to the nearest edge of the named sector;
    /// 0 inside it. None when no sector has that name.
    pub fn distance_to_sector_m(&self, lat: f64, lon: f64, sector: &str) -> Option<f64> {
        let (_, poly) = self.sectors.iter().find(|(n, _)| n == sector)?;
        Some(distance_to_polygon_m(poly, Point::new(lon, lat)))
    }

    /// The nearest sector and the distance to it, for a point outside every sector.
    pub fn nearest(&self, lat: f64, lon: f64) -> Option<(&str, f64)> {
        let p = Point::new(lon, lat);
        self.sectors
            .iter()
            .map(|(n, poly)| (n.as_str(), distance_to_polygon_m(poly, p)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }
}

fn distance_to_polygon_m(poly: &Polygon<f64>, p: Point<f64>) -> f64 {
    if poly.contains(&p) {
        return 0.0;
    }
    match poly.exterior().haversine_closest_point(&p) {
        Closest::Intersection(_) => 0.0,
        Closest::SinglePoint(q) => Haversine.distance(p, q),
        Closest::Indeterminate => f64::INFINITY,
    }
}

/// Great-circle distance between two points, metres.
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{EventKind, Sector};
    use chrono::Utc;

    fn square(name: &str, lat0: f64, lon0: f64, d: f64) -> Sector {
        Sector {
            name: name.into(),
            boundary: vec![
                LatLon { lat: lat0, lon: lon0 },
                LatLon {
                    lat: lat0,
                    lon: lon0 + d,
                },
                LatLon {
                    lat: lat0 + d,
                    lon: lon0 + d,
                },
                LatLon {
                    lat: lat0 + d,
                    lon: lon0,
                },
            ],
        }
    }

    fn op() -> Operation {
        Operation {
            name: "Op".into(),
            event_kind: EventKind::March,
            starts_at: Utc::now(),
            ends_at: Utc::now(),
            area: vec![],
            sectors: vec![square("A", 52.47, -1.91, 0.01), square("B", 52.47, -1.90, 0.01)],
            briefing: String::new(),
            command_structure: String::new(),
            groups_expected: vec![],
            team: vec![],
        }
    }

    #[test]
    fn rejects_nan_out_of_range_and_negative_accuracy() {
        let ok = Location {
            lat: 52.48,
            lon: -1.9,
            accuracy_m: Some(5.0),
        };
        assert!(validate_location(&ok).is_ok());
        for bad in [
            Location {
                lat: f64::NAN,
                lon: 0.0,
                accuracy_m: None,
            },
            Location {
                lat: 0.0,
                lon: f64::INFINITY,
                accuracy_m: None,
            },
            Location {
                lat: 90.5,
                lon: 0.0,
                accuracy_m: None,
            },
            Location {
                lat: 0.0,
                lon: -180.1,
                accuracy_m: None,
            },
            Location {
                lat: 0.0,
                lon: 0.0,
                accuracy_m: Some(-1.0),
            },
            Location {
                lat: 0.0,
                lon: 0.0,
                accuracy_m: Some(f64::NAN),
            },
        ] {
            assert!(
                matches!(validate_location(&bad), Err(ValidationError::BadCoordinate { .. })),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn assigns_a_point_to_the_sector_that_contains_it() {
        let map = SectorMap::new(&op());
        assert_eq!(map.sector_of(52.475, -1.905), Some("A"));
        assert_eq!(map.sector_of(52.475, -1.895), Some("B"));
        assert_eq!(map.sector_of(52.50, -1.905), None);
    }

    #[test]
    fn distance_to_a_sector_is_zero_inside_and_metres_outside() {
        let map = SectorMap::new(&op());
        assert_eq!(map.distance_to_sector_m(52.475, -1.905, "A"), Some(0.0));
        // 0.01 degrees of latitude north of A's northern edge is about 1.11 km.
        let d = map.distance_to_sector_m(52.49, -1.905, "A").unwrap();
        assert!((d - 1112.0).abs() < 15.0, "{d}");
        assert_eq!(map.distance_to_sector_m(52.49, -1.905, "Z"), None);
        let (name, _) = map.nearest(52.475, -1.85).unwrap();
        assert_eq!(name, "B");
    }

    #[test]
    fn a_ring_needs_three_distinct_valid_points() {
        let p = LatLon { lat: 1.0, lon: 1.0 };
        assert!(validate_ring("area", &[p, p, p]).is_err());
        assert!(validate_ring(
            "area",
            &[p, LatLon { lat: 2.0, lon: 1.0 }, LatLon { lat: 91.0, lon: 1.0 }]
        )
        .is_err());
        assert!(validate_ring("area", &square("x", 1.0, 1.0, 1.0).boundary).is_ok());
    }

    #[test]
    fn a_ring_that_crosses_itself_is_refused_and_a_closed_or_concave_one_is_not() {
        let ll = |lat, lon| LatLon { lat, lon };
        let bow_tie = [ll(0.0, 0.0), ll(1.0, 1.0), ll(0.0, 1.0), ll(1.0, 0.0)];
        let e = validate_ring("body.sectors[0].boundary", &bow_tie).unwrap_err();
        assert!(e.to_string().contains("crosses itself"), "{e}");
        assert_eq!(e.fields(), ["body.sectors[0].boundary"]);
        let closed = [ll(0.0, 0.0), ll(0.0, 1.0), ll(1.0, 1.0), ll(1.0, 0.0), ll(0.0, 0.0)];
        assert!(validate_ring("area", &closed).is_ok());
        let concave = [ll(0.0, 0.0), ll(0.0, 2.0), ll(2.0, 2.0), ll(1.0, 1.0), ll(2.0, 0.0)];
        assert!(validate_ring("area", &concave).is_ok());
        let touching = [ll(0.0, 0.0), ll(0.0, 2.0), ll(1.0, 1.0), ll(0.0, 1.0), ll(-1.0, 1.0)];
        assert!(validate_ring("area", &touching).is_err(), "a vertex on another edge");
    }
}
