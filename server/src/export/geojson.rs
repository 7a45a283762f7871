//! GeoJSON (RFC 7946): one FeatureCollection. The operation's area and each of its sectors as
//! a Polygon, each located record's current version as a Point; positions `[longitude,
//! latitude]` in WGS84 to six decimals (about 0.1 m), every ring closed and its exterior
//! counter-clockwise (the right-hand rule, section 3.1.6); properties plain values only
//! (text, numbers, null), never nested, so any GIS reads them as columns.

use super::csv::time;
use super::Current;
use liaison_core::geo::bng;
use liaison_core::records::{Body, LatLon};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

fn coordinate(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Twice the signed area of a ring of `[lon, lat]` (shoelace): positive when counter-clockwise.
pub fn signed_area(ring: &[(f64, f64)]) -> f64 {
    ring.iter()
        .zip(ring.iter().cycle().skip(1))
        .map(|((x1, y1), (x2, y2))| x1 * y2 - x2 * y1)
        .sum()
}

/// A boundary as an RFC 7946 exterior ring: closed, counter-clockwise.
pub fn exterior_ring(boundary: &[LatLon]) -> Vec<Value> {
    let mut ring: Vec<(f64, f64)> = boundary
        .iter()
        .map(|p| (coordinate(p.lon), coordinate(p.lat)))
        .collect();
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    if signed_area(&ring) < 0.0 {
        ring.reverse();
    }
    if let Some(first) = ring.first().copied() {
        ring.push(first);
    }
    ring.into_iter().map(|(lon, lat)| json!([lon, lat])).collect()
}

fn polygon(boundary: &[LatLon], properties: Value) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [exterior_ring(boundary)] },
        "properties": properties,
    })
}

/// A located record as a Point feature, serialised as it is (no JSON tree built per record).
#[derive(Serialize)]
struct PointFeature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    geometry: PointGeometry,
    properties: PointProperties<'a>,
}

#[derive(Serialize)]
struct PointGeometry {
    #[serde(rename = "type")]
    kind: &'static str,
    /// `[longitude, latitude]`.
    coordinates: [f64; 2],
}

#[derive(Serialize)]
struct PointProperties<'a> {
    id: String,
    kind: &'a str,
    title: String,
    occurred_at: String,
    operation_id: Option<String>,
    sector: Option<&'a str>,
    author: &'a str,
    revision_count: u32,
    accuracy_m: Option<f64>,
    easting: Option<i64>,
    northing: Option<i64>,
    grid_reference: Option<String>,
}

/// The FeatureCollection of `records` (each a record's current version): the operation's
/// area and sectors (when an operation is among them), then every located record. Written
/// feature by feature into one buffer.
pub fn write(records: &[Current]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 16);
    out.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"features\":[");
    let mut first = true;
    let mut feature = |out: &mut Vec<u8>, f: &dyn erased::Feature| {
        if !first {
            out.push(b',');
        }
        first = false;
        f.write(out);
    };
    for c in records {
        let rev = &c.head.revision;
        if let Body::Operation(op) = &rev.body.body {
            let op_id = rev.record_id.to_string();
            if op.area.len() >= 3 {
                let p = json!({ "kind": "operation_area", "name": op.name, "operation_id": op_id });
                feature(&mut out, &polygon(&op.area, p));
            }
            for s in &op.sectors {
                if s.boundary.len() >= 3 {
                    let p = json!({ "kind": "sector", "name": s.name, "operation_id": op_id });
                    feature(&mut out, &polygon(&s.boundary, p));
                }
            }
        }
    }
    for c in records {
        let rev = &c.head.revision;
        let record = &rev.body;
        let Some(loc) = record.location else { continue };
        let grid = bng::to_grid(loc.lat, loc.lon);
        let point = PointFeature {
            kind: "Feature",
            id: rev.record_id.to_string(),
            geometry: PointGeometry {
                kind: "Point",
                coordinates: [coordinate(loc.lon), coordinate(loc.lat)],
            },
            properties: PointProperties {
                id: rev.record_id.to_string(),
                kind: rev.kind.as_str(),
                title: record.body.title(),
                occurred_at: time(record.occurred_at),
                operation_id: record.operation_id.map(|o: Uuid| o.to_string()),
                sector: record.sector.as_deref(),
                author: c.author.as_str(),
                revision_count: c.revisions,
                accuracy_m: loc.accuracy_m,
                easting: grid.map(|g| g.rounded().0),
                northing: grid.map(|g| g.rounded().1),
                grid_reference: grid.and_then(|g| g.grid_reference(10)),
            },
        };
        feature(&mut out, &point);
    }
    out.extend_from_slice(b"]}");
    out
}

/// Features of both shapes, written alike.
mod erased {
    pub trait Feature {
        fn write(&self, out: &mut Vec<u8>);
    }

    impl<T: serde::Serialize> Feature for T {
        fn write(&self, out: &mut Vec<u8>) {
            // Serialising plain data into a Vec cannot fail.
            let _ = serde_json::to_writer(out, self);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clockwise_boundary_is_turned_counter_clockwise_and_closed_and_a_closed_one_not_doubled() {
        // Drawn clockwise (north-west, north-east, south-east, south-west).
        let cw = [
            LatLon { lat: 52.48, lon: -1.91 },
            LatLon { lat: 52.48, lon: -1.90 },
            LatLon { lat: 52.47, lon: -1.90 },
            LatLon { lat: 52.47, lon: -1.91 },
        ];
        let ring = exterior_ring(&cw);
        assert_eq!(ring.len(), 5);
        assert_eq!(ring.first(), ring.last());
        let pts: Vec<(f64, f64)> = ring[..4]
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect();
        assert!(signed_area(&pts) > 0.0, "{ring:?}");
        let mut closed = cw.to_vec();
        closed.push(cw[0]);
        assert_eq!(exterior_ring(&closed).len(), 5);
    }
}
