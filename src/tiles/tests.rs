use super::*;
use pmtiles::PmTilesWriter;

/// A PNG's signature and a few bytes: all the checks look at is what kind of picture it is.
fn png(n: u8) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(&[n; 24]);
    b
}

/// Birmingham city centre, where the demo operation is.
const BRUM: (f64, f64) = (52.4797, -1.9026);

/// Writes a small archive of `tile_type` tiles round Birmingham at zooms 14 and 15 (2×2 and
/// 4×4 tiles), each tile's bytes distinct; returns the tiles written.
fn write_archive(
    path: &Path,
    tile_type: TileType,
    tile: impl Fn(u8, u32, u32) -> Vec<u8>,
) -> Vec<(u8, u32, u32, Vec<u8>)> {
    let mut tiles = Vec::new();
    for z in 14..=15u8 {
        let (cx, cy) = tile_of(BRUM.0, BRUM.1, z);
        let r = if z == 14 { 0..=1 } else { 0..=3 };
        for dy in r.clone() {
            for dx in r.clone() {
                let (x, y) = (cx - 1 + dx, cy - 1 + dy);
                tiles.push((z, x, y, tile(z, x, y)));
            }
        }
    }
    // Written in tile id order, as the format prefers.
    tiles.sort_by_key(|(z, x, y, _)| pmtiles::TileId::from(TileCoord::new(*z, *x, *y).unwrap()).value());
    let mut w = PmTilesWriter::new(tile_type)
        .min_zoom(14)
        .max_zoom(15)
        .bounds(-1.93, 52.46, -1.87, 52.50)
        .center(BRUM.1, BRUM.0)
        .center_zoom(15)
        .metadata(r#"{"name":"Test force map","attribution":"© Test Force, made by the test"}"#)
        .create(File::create(path).unwrap())
        .unwrap();
    for (z, x, y, bytes) in &tiles {
        w.add_tile(TileCoord::new(*z, *x, *y).unwrap(), bytes).unwrap();
    }
    w.finalize().unwrap();
    tiles
}

fn distinct_png(z: u8, x: u32, y: u32) -> Vec<u8> {
    let mut b = png(z);
    b.extend_from_slice(&x.to_le_bytes());
    b.extend_from_slice(&y.to_le_bytes());
    b
}

#[test]
fn the_tile_under_a_position_is_the_web_mercator_one() {
    assert_eq!(tile_of(BRUM.0, BRUM.1, 14), (8105, 5376));
    assert_eq!(tile_of(BRUM.0, BRUM.1, 15), (16210, 10752));
    assert_eq!(tile_of(0.0, 0.0, 0), (0, 0));
    assert_eq!(tile_of(89.9, -180.0, 3), (0, 0), "clamped to the map's edge");
    assert_eq!(tile_of(-89.9, 180.0, 3), (7, 7));
}

#[test]
fn a_small_archive_the_test_writes_is_opened_checked_and_read_back_tile_by_tile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("force.pmtiles");
    let written = write_archive(&path, TileType::Png, distinct_png);
    let t = ForceTiles::open(&path).unwrap();
    let info = t.info();
    assert_eq!(info.file, "force.pmtiles");
    assert_eq!(info.format, "png");
    assert_eq!((info.min_zoom, info.max_zoom), (14, 15));
    let b = info.bounds.expect("bounds");
    assert!((b.west + 1.93).abs() < 1e-6 && (b.north - 52.50).abs() < 1e-6, "{b:?}");
    assert_eq!(info.attribution, "© Test Force, made by the test");
    for (z, x, y, bytes) in &written {
        let got = t.tile(*z, *x, *y).unwrap().expect("a tile written is read back");
        assert_eq!(&got.bytes, bytes);
        assert_eq!(got.content_type, "image/png");
    }
    // Outside the area, beyond its zooms, or not a tile at all: no tile, and no error.
    assert_eq!(t.tile(14, 0, 0).unwrap(), None);
    assert_eq!(t.tile(16, 32420, 21504).unwrap(), None);
    assert_eq!(t.tile(2, 9, 9).unwrap(), None);
    assert_eq!(t.tile(40, 0, 0).unwrap(), None);
}

#[test]
fn gzip_compressed_tiles_are_handed_out_decompressed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gz.pmtiles");
    let mut w = PmTilesWriter::new(TileType::Jpeg)
        .tile_compression(Compression::Gzip)
        .min_zoom(0)
        .max_zoom(0)
        .create(File::create(&path).unwrap())
        .unwrap();
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4];
    w.add_tile(TileCoord::new(0, 0, 0).unwrap(), &jpeg).unwrap();
    w.finalize().unwrap();
    let t = ForceTiles::open(&path).unwrap();
    assert_eq!(t.info().format, "jpeg");
    let tile = t.tile(0, 0, 0).unwrap().unwrap();
    assert_eq!((tile.bytes.as_slice(), tile.content_type), (&jpeg[..], "image/jpeg"));
}

fn refusal_of(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("area.pmtiles");
    std::fs::write(&path, bytes).unwrap();
    match ForceTiles::open(&path) {
        Ok(_) => panic!("a bad file was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_file_that_is_not_a_usable_map_is_refused_with_a_message_that_says_what_to_ask_for() {
    assert_eq!(
        refusal_of(b"<html>Sign in to continue</html> and more than a header's worth of bytes ......................................................................"),
        "area.pmtiles is not a PMTiles map file. Ask force IT for the area's map as a PMTiles (version 3) file."
    );
    assert_eq!(
        refusal_of(b""),
        "area.pmtiles is damaged (it is empty). Ask force IT for a fresh copy of the map."
    );
    let mut v2 = b"PM".to_vec();
    v2.extend_from_slice(&[2; 200]);
    assert_eq!(
        refusal_of(&v2),
        "area.pmtiles is a PMTiles version 2 file; the app reads version 3. Force IT can convert it with `pmtiles convert`."
    );

    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.pmtiles");
    write_archive(&good, TileType::Png, distinct_png);
    let bytes = std::fs::read(&good).unwrap();
    // Cut off while copying: the header and directory are there, the tiles are not.
    assert_eq!(
        refusal_of(&bytes[..bytes.len() - 300]),
        "area.pmtiles is damaged (it is shorter than its directory says: cut off while copying?). Ask force IT for a fresh copy of the map."
    );
    assert_eq!(
        refusal_of(&bytes[..60]),
        "area.pmtiles is damaged (its header is invalid). Ask force IT for a fresh copy of the map."
    );
    // The root directory overwritten: it no longer decompresses.
    let mut scrambled = bytes.clone();
    for b in &mut scrambled[127..160] {
        *b ^= 0x5A;
    }
    let msg = refusal_of(&scrambled);
    assert!(
        msg.starts_with("area.pmtiles is damaged (") && msg.ends_with("Ask force IT for a fresh copy of the map."),
        "{msg}"
    );

    let vector = dir.path().join("vector.pmtiles");
    write_archive(&vector, TileType::Mvt, distinct_png);
    assert_eq!(
        refusal_of(&std::fs::read(&vector).unwrap()),
        "area.pmtiles holds vector tiles; the app shows picture tiles (PNG, JPEG or WebP). Ask force IT for a raster copy of the map."
    );
    let liar = dir.path().join("liar.pmtiles");
    write_archive(&liar, TileType::Png, |_, _, _| b"GIF89a not a png at all".to_vec());
    assert_eq!(
        refusal_of(&std::fs::read(&liar).unwrap()),
        "area.pmtiles is damaged (its tiles are not the png pictures its header says). Ask force IT for a fresh copy of the map."
    );
}

#[test]
fn no_damage_to_any_byte_of_the_file_makes_the_reader_panic() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.pmtiles");
    let written = write_archive(&good, TileType::Png, distinct_png);
    let bytes = std::fs::read(&good).unwrap();
    let path = dir.path().join("damaged.pmtiles");
    let mut rng = fastrand::Rng::with_seed(13);
    let mut refused = 0;
    for round in 0..400 {
        let mut damaged = bytes.clone();
        // Early rounds walk the header and root directory byte by byte; later ones hit anywhere.
        let at = if round < 200 {
            round % bytes.len()
        } else {
            rng.usize(..bytes.len())
        };
        damaged[at] ^= 1 << rng.u8(..8);
        std::fs::write(&path, &damaged).unwrap();
        match ForceTiles::open(&path) {
            Ok(t) => {
                for (z, x, y, _) in &written {
                    // A damaged tile is an error or other bytes, never a panic.
                    let _ = t.tile(*z, *x, *y);
                }
            }
            Err(e) => {
                refused += 1;
                assert!(e.to_string().starts_with("damaged.pmtiles "), "{e}");
            }
        }
    }
    assert!(refused > 50, "the header walk alone should refuse many: {refused}");
}

#[test]
fn the_tablets_map_file_is_found_reopened_when_replaced_and_a_refused_one_serves_no_tile() {
    let dir = tempfile::tempdir().unwrap();
    let folder = folder_beside(&dir.path().join("liaison.db"));
    assert_eq!(folder, dir.path().join("maps"));
    let tiles = Tiles::new(folder.clone());
    assert_eq!(tiles.status(), ForceMap::None, "no folder yet");
    assert_eq!(tiles.tile(15, 16210, 10752).unwrap(), None);

    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("notes.txt"), "not a map").unwrap();
    assert_eq!(tiles.status(), ForceMap::None, "only *.pmtiles files count");

    let path = folder.join("west-midlands.pmtiles");
    let written = write_archive(&path, TileType::Png, distinct_png);
    let ForceMap::Ready { tiles: info } = tiles.status() else {
        panic!("{:?}", tiles.status())
    };
    assert_eq!(info.file, "west-midlands.pmtiles");
    let (z, x, y, bytes) = &written[0];
    assert_eq!(tiles.tile(*z, *x, *y).unwrap().unwrap().bytes, *bytes);

    // Force IT's next copy arrives damaged: refused, and the map gets no tiles from it.
    std::fs::write(&path, b"PMTiles\x03 and then nothing useful").unwrap();
    assert_eq!(
        tiles.status(),
        ForceMap::Refused {
            file: "west-midlands.pmtiles".into(),
            message:
                "west-midlands.pmtiles is damaged (its header is invalid). Ask force IT for a fresh copy of the map."
                    .into()
        }
    );
    assert_eq!(tiles.tile(*z, *x, *y).unwrap(), None);

    std::fs::remove_file(&path).unwrap();
    assert_eq!(tiles.status(), ForceMap::None);
}

#[test]
fn the_ui_is_told_the_state_of_the_map_file_as_tagged_json() {
    let json = serde_json::to_value(ForceMap::Refused {
        file: "a.pmtiles".into(),
        message: "m".into(),
    })
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "state": "refused", "file": "a.pmtiles", "message": "m" })
    );
    assert_eq!(
        serde_json::to_value(ForceMap::None).unwrap(),
        serde_json::json!({ "state": "none" })
    );
}
