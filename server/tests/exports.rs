//! Open exports and monitoring statistics (issue 13, items 2 and 3) over a real server on
//! 127.0.0.1, SQLite and PostgreSQL: the demo operation's CSV read back by Python's csv module
//! (every row with every column, formula cells neutralised, grid references in Birmingham);
//! its GeoJSON checked by RFC 7946's rules; its JSON history's hashes recomputed and matched
//! to the server's chains; the statistics published with no small count; and each refusal (no
//! purpose, a role that may not, an operation that does not exist) writing nothing.

mod common;

use chrono::{Duration, Utc};
use common::console::{add_staff, sign_in};
use common::{Device, TestServer};
use liaison_core::evidence::Hash;
use liaison_core::records::*;
use liaison_core::Revision;
use liaison_server::console::model::StaffRole;
use liaison_server::console::ConsoleOptions;
use liaison_server::export::csv::header;
use liaison_server::storage::console::OwnRevision;
use liaison_server::storage::{AuditSubject, Storage};
use liaison_server::ServeOptions;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

const PURPOSE: &str = "Debrief of the march with the IAG, 3 June";

async fn server() -> TestServer {
    TestServer::start_with(ServeOptions {
        console: ConsoleOptions {
            assets: None,
            // The demo has an escalation nobody acknowledged: sent up the chain in the
            // background, it would write to the audit chain while a test counts its entries.
            escalate_after: std::time::Duration::from_secs(365 * 24 * 3600),
            ..Default::default()
        },
        ..Default::default()
    })
    .await
}

/// The demo operation on the server, a Bronze and a supervisor to export it, and records whose
/// words a spreadsheet would run as formulas.
fn demo(server: &TestServer) -> Uuid {
    let team: Vec<String> = liaison_core::demo::team().into_iter().map(String::from).collect();
    let loaded = liaison_server::demo::load(server.storage.as_ref(), Utc::now() - Duration::hours(5), &team).unwrap();
    liaison_server::demo::load_people(server.storage.as_ref()).unwrap();
    add_staff(server, "bronze.one", StaffRole::Bronze, None);
    add_staff(server, "sergeant.one", StaffRole::Supervisor, None);
    add_staff(server, "pc.one", StaffRole::Officer, Some("PC 4521"));
    add_staff(server, "force.it", StaffRole::Admin, None);
    let op = loaded.operation_id;
    let hostile = |body: Body, location: Option<Location>| Record {
        operation_id: Some(op),
        occurred_at: Utc::now() - Duration::hours(1),
        location,
        sector: Some(liaison_core::demo::SECTORS[2].0.into()),
        links: vec![],
        tags: vec!["-tag".into()],
        attachments: vec![],
        body,
    };
    let own = |record: Record| OwnRevision {
        id: Uuid::now_v7(),
        record_id: Uuid::now_v7(),
        parent: None,
        merges: None,
        author: OfficerId::new("PC 4521").unwrap(),
        reason: None,
        record,
        owner: None,
    };
    server
        .storage
        .append_own(
            &[
                own(hostile(
                    Body::ContactNote(ContactNote {
                        spoke_with: "=HYPERLINK(\"http://evil.example\",\"Click\")".into(),
                        function: PltFunction::Sensing,
                        summary: "+44 7700 900123 rang: \"call me back\", please".into(),
                        mood: None,
                        follow_up: Some("@SUM(1+1)*cmd|' /C calc'!A0".into()),
                        monitored: vec![MonitoredStrand::Race],
                    }),
                    Some(Location {
                        lat: 52.4786,
                        lon: -1.8990,
                        accuracy_m: Some(5.0),
                    }),
                )),
                own(hostile(
                    Body::RumourReport(RumourReport {
                        content: "-2+3+cmd|' /C calc'!A0".into(),
                        heard_at: String::new(),
                        source: RumourSource::Crowd,
                        source_detail: String::new(),
                        spread: RumourSpread::Isolated,
                        risk: RumourRisk::Low,
                        status: RumourStatus::Reported,
                        findings: "\t=1+1\r\nsecond line".into(),
                        control_actions: vec![],
                        verified_at: None,
                    }),
                    None,
                )),
            ],
            "test",
        )
        .unwrap();
    op
}

/// The records of the operation and how many revisions it has, from the server's own log.
fn held(storage: &dyn Storage, op: Uuid) -> (HashSet<Uuid>, usize) {
    let log = storage.operation_log(op, 0, 100_000).unwrap();
    (log.iter().map(|l| l.revision.record_id).collect(), log.len())
}

async fn get_bytes(s: &common::console::Session, path: &str) -> (StatusCode, Vec<u8>, String) {
    let resp = s
        .http
        .get(format!("{}/console/api{path}", s.base))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let disposition = resp
        .headers()
        .get("content-disposition")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, resp.bytes().await.unwrap().to_vec(), disposition)
}

fn query(format: &str) -> String {
    format!("format={format}&purpose={}", url_escape(PURPOSE))
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The CSV as Python's csv module reads it (strict: a malformed quote is an error), or None
/// when python3 is missing outside CI.
fn python_reads(csv: &[u8]) -> Option<Vec<Vec<String>>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    std::fs::write(&path, csv).unwrap();
    let script = "import csv, json, sys\n\
                  with open(sys.argv[1], newline='', encoding='utf-8') as f:\n\
                  \x20   rows = list(csv.reader(f, strict=True))\n\
                  print(json.dumps(rows))\n";
    let out = match std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                !in_ci(),
                "python3 is needed to read the CSV back (CI=true: it must run)"
            );
            eprintln!("skipped: python3 not found to read the CSV back");
            return None;
        }
        Err(e) => panic!("python3: {e}"),
    };
    assert!(
        out.status.success(),
        "Python's csv module refused the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// The server's audit entries so far (to prove a refusal wrote none).
fn audit_entries(storage: &dyn Storage) -> u64 {
    storage.verify_audit().unwrap().server_entries
}

/// The disclosures logged for the operation, as (actor, detail, purpose). (Reading the trail
/// is itself a disclosure, and logged.)
fn disclosures(storage: &dyn Storage, op: Uuid) -> Vec<(String, String, String)> {
    storage
        .audit_trail(AuditSubject::Operation(op), "test", "the test reads the trail")
        .unwrap()
        .entries
        .into_iter()
        .filter(|e| e.action == "disclosure" && e.detail.starts_with("export of"))
        .map(|e| (e.actor, e.detail, e.purpose))
        .collect()
}

const NUMBERS: [&str; 6] = ["lat", "lon", "accuracy_m", "easting", "northing", "revision_count"];

each_backend! {
    async fn the_demo_operations_csv_reads_back_in_python_with_every_column_grid_references_and_no_live_formula() {
        let server = server().await;
        let op = demo(&server);
        let (records, _) = held(server.storage.as_ref(), op);
        let bronze = sign_in(&server, "bronze.one").await;
        let (status, csv, disposition) = get_bytes(&bronze, &format!("/operations/{op}/export?{}", query("csv"))).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&csv));
        assert!(disposition.starts_with("attachment; filename=\"operation-kestrel"), "{disposition}");
        assert!(disposition.ends_with(".csv\""), "{disposition}");
        assert!(csv.ends_with(b"\r\n") && !csv.starts_with(b"\xef\xbb\xbf"), "CRLF line ends, no BOM");
        let Some(rows) = python_reads(&csv) else { return };

        let head = &rows[0];
        assert_eq!(head, &header(&RecordKind::ALL), "the documented columns in their order");
        for c in ["id", "kind", "title", "occurred_at", "sector", "author", "lat", "lon", "easting", "northing",
                  "revision_count", "spoke_with", "monitored", "content", "status"] {
            assert!(head.iter().any(|h| h == c), "column {c}");
        }
        let col = |name: &str| head.iter().position(|h| h == name).unwrap();
        let body = &rows[1..];
        assert_eq!(body.len(), records.len(), "one row per record");
        let ids: HashSet<Uuid> = body.iter().map(|r| r[col("id")].parse().unwrap()).collect();
        assert_eq!(ids, records, "every record of the operation, once");
        let numbers: Vec<usize> = NUMBERS.iter().map(|n| col(n)).collect();
        let mut located = 0;
        for row in body {
            assert_eq!(row.len(), head.len(), "{row:?}");
            for (i, cell) in row.iter().enumerate() {
                if !numbers.contains(&i) {
                    assert!(
                        !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                        "a live formula in {}: {cell:?}",
                        head[i]
                    );
                }
            }
            let at = &row[col("occurred_at")];
            assert!(at.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
            assert!(row[col("revision_count")].parse::<u32>().unwrap() >= 1);
            if !row[col("lat")].is_empty() {
                located += 1;
                let lat: f64 = row[col("lat")].parse().unwrap();
                let lon: f64 = row[col("lon")].parse().unwrap();
                assert!((52.47..52.49).contains(&lat) && (-1.92..-1.89).contains(&lon), "{lat} {lon}");
                // Birmingham city centre: SP 06x 86x.
                let e: i64 = row[col("easting")].parse().unwrap();
                let n: i64 = row[col("northing")].parse().unwrap();
                assert!((405_000..409_000).contains(&e) && (285_000..288_000).contains(&n), "{e} {n}");
                assert!(row[col("grid_reference")].starts_with("SP 0"), "{row:?}");
            }
        }
        assert!(located > 100, "the demo's notes, rumours, negotiations, readings are placed: {located}");
        let cell = |title_start: &str, column: &str| -> String {
            let row = body
                .iter()
                .find(|r| r[col("kind")] == "contact_note" && r[col("spoke_with")].starts_with(title_start))
                .unwrap_or_else(|| panic!("no note {title_start}"));
            row[col(column)].clone()
        };
        assert_eq!(cell("'=HYPERLINK", "spoke_with"), "'=HYPERLINK(\"http://evil.example\",\"Click\")");
        assert_eq!(cell("'=HYPERLINK", "summary"), "'+44 7700 900123 rang: \"call me back\", please");
        assert_eq!(cell("'=HYPERLINK", "follow_up"), "'@SUM(1+1)*cmd|' /C calc'!A0");
        assert_eq!(cell("'=HYPERLINK", "tags"), "'-tag");
        assert_eq!(cell("'=HYPERLINK", "monitored"), "race");
        assert_eq!(cell("'=HYPERLINK", "lon"), "-1.899", "a negative longitude stays a number");
        let rumour = body.iter().find(|r| r[col("content")].starts_with("'-2+3")).unwrap();
        assert_eq!(rumour[col("findings")], "'\t=1+1\r\nsecond line");
        let edited = body
            .iter()
            .filter(|r| r[col("kind")] == "rumour_report" && r[col("status")] == "refuted")
            .count();
        assert!(edited > 0);
        assert!(body
            .iter()
            .filter(|r| r[col("status")] == "refuted")
            .all(|r| r[col("revision_count")].parse::<u32>().unwrap() >= 2));

        let logged = disclosures(server.storage.as_ref(), op);
        assert_eq!(logged.len(), 1, "{logged:?}");
        let (actor, detail, purpose) = &logged[0];
        assert_eq!((actor.as_str(), purpose.as_str()), ("bronze.one", PURPOSE));
        assert!(detail.contains("as CSV") && detail.contains(&format!("{} records", records.len())), "{detail}");
    }

    async fn the_demo_operations_geojson_keeps_rfc_7946s_rules() {
        let server = server().await;
        let op = demo(&server);
        let sergeant = sign_in(&server, "sergeant.one").await;
        let (status, bytes, disposition) = get_bytes(&sergeant, &format!("/operations/{op}/export?{}", query("geojson"))).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
        assert!(disposition.ends_with(".geojson\""), "{disposition}");
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(doc["type"], "FeatureCollection");
        let features = doc["features"].as_array().unwrap();
        // The demo's area, as the tablets hold it: longitudes -1.918 to -1.894, latitudes
        // 52.4755 to 52.482.
        let (lons, lats) = ((-1.918, -1.894), (52.4755, 52.482));
        let inside = |p: &Value| {
            let a = p.as_array().expect("a position is an array");
            assert_eq!(a.len(), 2, "[longitude, latitude] and no more: {p}");
            let (lon, lat) = (a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
            lon >= lons.0 - 1e-9 && lon <= lons.1 + 1e-9 && lat >= lats.0 - 1e-9 && lat <= lats.1 + 1e-9
        };
        let (mut polygons, mut points) = (0, 0);
        for f in features {
            assert_eq!(f["type"], "Feature");
            let props = f["properties"].as_object().expect("properties are an object");
            for (k, v) in props {
                assert!(!v.is_object() && !v.is_array(), "property {k} is not plain: {v}");
            }
            let g = &f["geometry"];
            match g["type"].as_str().unwrap() {
                "Polygon" => {
                    polygons += 1;
                    let rings = g["coordinates"].as_array().unwrap();
                    assert!(!rings.is_empty());
                    for (i, ring) in rings.iter().enumerate() {
                        let ring = ring.as_array().unwrap();
                        assert!(ring.len() >= 4, "a linear ring has four or more positions");
                        assert_eq!(ring.first(), ring.last(), "a linear ring is closed");
                        assert!(ring.iter().all(inside), "lon/lat order, within the area");
                        let pts: Vec<(f64, f64)> = ring[..ring.len() - 1]
                            .iter()
                            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                            .collect();
                        let area: f64 = pts
                            .iter()
                            .zip(pts.iter().cycle().skip(1))
                            .map(|((x1, y1), (x2, y2))| x1 * y2 - x2 * y1)
                            .sum();
                        if i == 0 {
                            assert!(area > 0.0, "an exterior ring is counter-clockwise: {ring:?}");
                        } else {
                            assert!(area < 0.0, "a hole is clockwise");
                        }
                    }
                    assert!(matches!(props["kind"].as_str(), Some("operation_area" | "sector")));
                }
                "Point" => {
                    points += 1;
                    assert!(inside(&g["coordinates"]), "{g}");
                    assert!(props["easting"].is_i64() && props["northing"].is_i64(), "{props:?}");
                    assert!(props["id"].is_string() && props["kind"].is_string());
                }
                other => panic!("unexpected geometry {other}"),
            }
        }
        assert_eq!(polygons, 1 + liaison_core::demo::SECTORS.len(), "the area and its four sectors");
        let located = server
            .storage
            .operation_log(op, 0, 100_000)
            .unwrap()
            .iter()
            .filter(|l| l.revision.body.location.is_some())
            .map(|l| l.revision.record_id)
            .collect::<HashSet<_>>()
            .len();
        assert_eq!(points, located, "every located record once, at its current position");
    }

    async fn the_json_history_recomputes_every_hash_and_matches_the_servers_chains() {
        let server = server().await;
        let op = demo(&server);
        // A tablet's own revision beside the server's chain: two devices in the file.
        let tablet = Device::enrolled("PC 4521", &server).await;
        common::sync_until_operation_known(&tablet, op).await;
        tablet.create(common::note(op, "Stewards at the gate say the coach has arrived"));
        assert_eq!(tablet.sync().await.quarantined, 0);
        let (records, revisions) = held(server.storage.as_ref(), op);
        let bronze = sign_in(&server, "bronze.one").await;
        let (status, bytes, _) = get_bytes(&bronze, &format!("/operations/{op}/export?{}", query("json"))).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(doc["format"], "liaison-revisions-v1");
        assert_eq!(doc["subject"]["purpose"], PURPOSE);
        assert_eq!(doc["subject"]["exported_by"], "bronze.one");
        assert_eq!(doc["revision_count"].as_u64().unwrap() as usize, revisions);
        assert_eq!(doc["record_count"].as_u64().unwrap() as usize, records.len());
        let exported: Vec<Revision> = doc["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| serde_json::from_value(e["revision"].clone()).expect("each revision reads as the wire's"))
            .collect();
        assert_eq!(exported.len(), revisions);
        let mut chains: HashMap<Uuid, HashMap<u64, (Uuid, Hash)>> = HashMap::new();
        for r in &exported {
            // The check `liaison-server verify` makes: the hash over the body re-derived from
            // the record.
            assert!(r.hash_is_valid(), "revision {} does not verify", r.id);
            let chain = chains.entry(r.device_id).or_insert_with(|| {
                server
                    .storage
                    .device_chain(r.device_id)
                    .unwrap()
                    .into_iter()
                    .map(|e| (e.device_seq, (e.revision_id, e.hash)))
                    .collect()
            });
            assert_eq!(chain.get(&r.device_seq), Some(&(r.id, r.hash)), "the chain holds this revision");
            let before = if r.device_seq == 1 { Hash::GENESIS } else { chain[&(r.device_seq - 1)].1 };
            assert_eq!(r.prev_hash, before, "linked to the revision before it on its device");
        }
        assert_eq!(chains.len(), 2, "the server's chain and the tablet's");
        assert!(exported.iter().any(|r| r.parent.is_some()), "edits are there with their parents");
        // Tampered, it no longer verifies.
        let mut forged = exported[0].clone();
        forged.reason = Some("changed afterwards".into());
        assert!(!forged.hash_is_valid());
    }

    async fn the_directory_exports_to_force_it_with_phone_numbers_neutralised_but_not_to_officers() {
        let server = server().await;
        demo(&server);
        server
            .storage
            .append_own(
                &[OwnRevision {
                    id: Uuid::now_v7(),
                    record_id: Uuid::now_v7(),
                    parent: None,
                    merges: None,
                    author: OfficerId::new("PS 2817").unwrap(),
                    reason: None,
                    record: common::envelope(
                        None,
                        Body::Person(Person {
                            name: "Sam Okoye".into(),
                            role: PersonRole::CommunityLeader,
                            phone: "+44 121 496 0999".into(),
                            email: String::new(),
                            other_contact: "@sam_okoye".into(),
                            groups: vec![],
                            notes: String::new(),
                        }),
                    ),
                    owner: None,
                }],
                "test",
            )
            .unwrap();
        let admin = sign_in(&server, "force.it").await;
        let before = audit_entries(server.storage.as_ref());
        let (status, csv, disposition) = get_bytes(&admin, &format!("/directory/export?{}", query("csv"))).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&csv));
        assert!(disposition.contains("directory-"), "{disposition}");
        let Some(rows) = python_reads(&csv) else { return };
        let head = &rows[0];
        assert_eq!(head, &header(&liaison_server::export::DIRECTORY_KINDS));
        let col = |name: &str| head.iter().position(|h| h == name).unwrap();
        let kinds: HashSet<&str> = rows[1..].iter().map(|r| r[col("kind")].as_str()).collect();
        assert_eq!(kinds, HashSet::from(["person", "group", "venue", "agency"]));
        assert_eq!(rows.len() - 1, 12 + 3 + 1 + 1 + 1, "the demo's directory and one more person");
        assert!(rows[1..].iter().any(|r| r[col("phone")] == "07700 900100"), "a plain number is left alone");
        let sam = rows[1..].iter().find(|r| r[col("name")] == "Sam Okoye").unwrap();
        assert_eq!(sam[col("phone")], "'+44 121 496 0999", "a leading + is neutralised");
        assert_eq!(sam[col("other_contact")], "'@sam_okoye");
        assert_eq!(audit_entries(server.storage.as_ref()), before + 1, "the export is logged");
        let officer = sign_in(&server, "pc.one").await;
        let (status, _, _) = get_bytes(&officer, &format!("/directory/export?{}", query("csv"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The GeoJSON of the directory holds no located entry: an empty collection.
        let (status, geo, _) = get_bytes(&admin, &format!("/directory/export?{}", query("geojson"))).await;
        assert_eq!(status, StatusCode::OK);
        let geo: Value = serde_json::from_slice(&geo).unwrap();
        assert_eq!(geo["type"], "FeatureCollection");
    }

    async fn an_export_without_a_purpose_of_an_unknown_operation_or_by_a_role_that_may_not_is_refused_and_writes_nothing() {
        let server = server().await;
        let op = demo(&server);
        let bronze = sign_in(&server, "bronze.one").await;
        let officer = sign_in(&server, "pc.one").await;
        let admin = sign_in(&server, "force.it").await;
        let before = audit_entries(server.storage.as_ref());
        let refused: Vec<(&common::console::Session, String, StatusCode, Option<&str>)> = vec![
            (&bronze, format!("/operations/{op}/export?format=csv"), StatusCode::BAD_REQUEST, Some("purpose")),
            (&bronze, format!("/operations/{op}/export?format=csv&purpose=%20%20"), StatusCode::BAD_REQUEST, Some("purpose")),
            (&bronze, format!("/operations/{op}/export?format=xlsx&purpose=x"), StatusCode::BAD_REQUEST, Some("format")),
            (&bronze, format!("/operations/{}/export?{}", Uuid::now_v7(), query("csv")), StatusCode::NOT_FOUND, None),
            (&bronze, format!("/operations/not-an-id/export?{}", query("csv")), StatusCode::NOT_FOUND, None),
            // An officer is on the demo operation, yet exports of records are not theirs to make.
            (&officer, format!("/operations/{op}/export?{}", query("csv")), StatusCode::FORBIDDEN, None),
            // Force IT does not read an operation's records here.
            (&admin, format!("/operations/{op}/export?{}", query("json")), StatusCode::FORBIDDEN, None),
            (&bronze, "/directory/export?format=csv".to_string(), StatusCode::BAD_REQUEST, Some("purpose")),
            (&bronze, "/statistics/export?from=2026-01&to=2026-02".to_string(), StatusCode::BAD_REQUEST, Some("purpose")),
            (&bronze, "/statistics/export?from=2026-05&to=2026-01&purpose=x".to_string(), StatusCode::BAD_REQUEST, Some("from")),
            (&admin, format!("/statistics/export?{}", query("csv")), StatusCode::FORBIDDEN, None),
            (&bronze, "/statistics/export?format=xlsx&purpose=x".to_string(), StatusCode::BAD_REQUEST, Some("format")),
            (&admin, format!("/statistics/export?{}", query("pdf")), StatusCode::FORBIDDEN, None),
        ];
        for (session, path, status, field) in refused {
            let (got, answer) = session.get(&path).await;
            assert_eq!(got, status, "{path}: {answer}");
            if let Some(field) = field {
                assert_eq!(answer["code"], "invalid", "{answer}");
                assert!(answer["fields"].as_array().unwrap().iter().any(|f| f["field"] == field), "{answer}");
            }
        }
        assert_eq!(audit_entries(server.storage.as_ref()), before, "a refused export writes nothing");
        // (Reading the trail is itself logged: count again after it.)
        assert!(disclosures(server.storage.as_ref(), op).is_empty());
        let before = audit_entries(server.storage.as_ref());

        // The command line refuses the same way, and with a purpose writes the file.
        let bin = env!("CARGO_BIN_EXE_liaison-server");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("kestrel.csv");
        let run = |purpose: &str| {
            std::process::Command::new(bin)
                .args(server.database.args())
                .args(["export", "operation", "--id", &op.to_string(), "--format", "csv", "--purpose", purpose])
                .arg("--out")
                .arg(&out)
                .output()
                .unwrap()
        };
        let blank = run(" ");
        assert!(!blank.status.success());
        assert!(String::from_utf8_lossy(&blank.stderr).contains("--purpose is required"), "{blank:?}");
        assert!(!out.exists());
        assert_eq!(audit_entries(server.storage.as_ref()), before);
        let made = run("Subject access request 2026/77");
        assert!(made.status.success(), "{made:?}");
        assert!(std::fs::read(&out).unwrap().starts_with(b"id,kind,title,"));
        let logged = disclosures(server.storage.as_ref(), op);
        assert_eq!(logged.len(), 1);
        assert_eq!((logged[0].0.as_str(), logged[0].2.as_str()), ("Force IT", "Subject access request 2026/77"));

        // The statistics as a PDF report from the command line; an unknown form is refused.
        let report = dir.path().join("statistics.pdf");
        let statistics = |format: &str| {
            std::process::Command::new(bin)
                .args(server.database.args())
                .args(["export", "statistics", "--format", format, "--purpose", "Hate crime IAG"])
                .arg("--out")
                .arg(&report)
                .output()
                .unwrap()
        };
        let xlsx = statistics("xlsx");
        assert!(!xlsx.status.success());
        assert!(String::from_utf8_lossy(&xlsx.stderr).contains("use csv or pdf"), "{xlsx:?}");
        assert!(!report.exists());
        let made = statistics("pdf");
        assert!(made.status.success(), "{made:?}");
        assert!(std::fs::read(&report).unwrap().starts_with(b"%PDF-"));
    }

    async fn the_statistics_publish_no_small_count_and_their_csv_and_pdf_are_disclosures() {
        let server = server().await;
        demo(&server);
        let now = Utc::now();
        let from = (now - Duration::days(220)).format("%Y-%m").to_string();
        let to = now.format("%Y-%m").to_string();
        for who in ["sergeant.one", "pc.one", "bronze.one"] {
            let s = sign_in(&server, who).await;
            let (status, stats) = s.get(&format!("/statistics?from={from}&to={to}")).await;
            assert_eq!(status, StatusCode::OK, "{who}: {stats}");
            let tables = ["by_month_and_strand", "by_area_and_month", "referrals_by_agency_and_outcome"];
            let mut shown = Vec::new();
            for t in tables {
                let t = &stats[t];
                for v in t["cells"].as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap().iter())
                    .chain(t["row_totals"].as_array().unwrap())
                    .chain(t["column_totals"].as_array().unwrap())
                    .chain([&t["total"]])
                {
                    shown.push(v.clone());
                }
            }
            for v in &shown {
                if v["shown"] == "count" {
                    let n = v["count"].as_u64().unwrap();
                    assert!(n == 0 || n >= 5, "a small count is published: {v}");
                }
            }
            assert!(shown.iter().any(|v| v["shown"] == "small"), "the demo has small counts, shown as <5");
            assert!(shown.iter().any(|v| v["shown"] == "count" && v["count"].as_u64().unwrap() >= 5), "and larger ones");
            let areas = stats["by_area_and_month"]["rows"].as_array().unwrap();
            assert!(areas.iter().any(|a| a == "Ladywood neighbourhood"), "{areas:?}");
            assert!(areas.iter().any(|a| a.as_str().unwrap().starts_with("Operation KESTREL")), "{areas:?}");
        }
        let admin = sign_in(&server, "force.it").await;
        assert_eq!(admin.get("/statistics").await.0, StatusCode::FORBIDDEN);

        let sergeant = sign_in(&server, "sergeant.one").await;
        let before = audit_entries(server.storage.as_ref());
        let (status, csv, disposition) = get_bytes(
            &sergeant,
            &format!("/statistics/export?from={from}&to={to}&purpose={}", url_escape("Hate crime IAG, quarterly figures")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&csv));
        assert!(disposition.contains(&format!("monitoring-statistics-{from}-to-{to}.csv")), "{disposition}");
        assert_eq!(audit_entries(server.storage.as_ref()), before + 1, "one disclosure");
        let published: Vec<String> = String::from_utf8(csv.clone())
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().unwrap().to_string())
            .collect();

        // The same publication as a PDF report for partners: the headings, the purpose, and
        // only what the CSV publishes (every count in it is a published value).
        let before = audit_entries(server.storage.as_ref());
        let (status, pdf, disposition) = get_bytes(
            &sergeant,
            &format!(
                "/statistics/export?format=pdf&from={from}&to={to}&purpose={}",
                url_escape("Hate crime IAG, quarterly figures")
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(disposition.contains(&format!("monitoring-statistics-{from}-to-{to}.pdf")), "{disposition}");
        assert_eq!(audit_entries(server.storage.as_ref()), before + 1, "one disclosure");
        if let Some(text) = common::pdftotext(&pdf) {
            for s in liaison_core::report::pdf::STATISTICS_SECTIONS {
                assert!(text.contains(s), "no “{s}” in the report:\n{text}");
            }
            assert!(text.contains("Hate crime IAG, quarterly figures"), "the purpose is printed");
            assert!(text.contains("<5"), "small counts are printed as <5");
            // The tables run from the first title to the last section; each page's footer
            // ("Made Tue 1 Dec … Page 1 of 2") is not a table.
            let tables_start = text.find("Monitored strand mentions by month").unwrap();
            let tables_end = text.find("Suppression and disclosure").unwrap();
            let cells = text[tables_start..tables_end].lines().filter(|l| !l.contains("Page "));
            for word in cells.flat_map(str::split_whitespace) {
                if let Ok(n) = word.parse::<u32>() {
                    // Years are in the month headings; every other number is a published cell.
                    assert!(
                        n >= 2000 || published.contains(&n.to_string()),
                        "{n} is in the PDF but not published in the CSV:\n{text}"
                    );
                }
            }
        }

        let Some(rows) = python_reads(&csv) else { return };
        assert_eq!(rows[0], ["table", "from", "to", "row_heading", "row", "column", "value"]);
        for row in &rows[1..] {
            let v = &row[6];
            assert!(v == "<5" || v == "[c]" || v.parse::<u32>().is_ok_and(|n| n == 0 || n >= 5), "{row:?}");
        }
    }
}
