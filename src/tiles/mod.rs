//! A force's own offline map tiles on the tablet: one PMTiles (version 3) archive of picture
//! tiles that force IT puts in the `maps` folder beside the app's database (docs/maps.md), read
//! with the `pmtiles` crate. The map draws them over the bundled basemap.
//!
//! The archive is checked when it is opened: not a PMTiles file, version 2, vector tiles, an
//! unknown compression, a damaged header or directory, or a probe tile that cannot be read or
//! is not the picture its header says, and it is refused with a message the officer can pass
//! on ([`TilesError`]); the map then shows the bundled basemap alone. Damage found later, in a
//! tile the probe did not read, loses that tile only.
//!
//! Owns: finding the file, opening and checking it, reading a tile by z/x/y. Never writes the
//! file, never sends it anywhere, knows nothing of Tauri or of how the webview asks for a tile.
//!
//! The crate's reader is asynchronous; ours answers every read at once from the file (a
//! positional read, not a memory map: a file truncated or replaced while the app runs gives an
//! error, not a SIGBUS), so its futures are driven to completion on the calling thread.

use pmtiles::{AsyncBackend, AsyncPmTilesReader, BackendResponse, Compression, PmtError, TileCoord, TileType};
use serde::Serialize;
use std::fs::File;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The folder, beside the database, that force IT puts the map file in.
pub const FOLDER: &str = "maps";
/// The map file's extension.
pub const EXTENSION: &str = "pmtiles";
/// The attribution shown on the map is cut to this many characters.
const ATTRIBUTION_MAX: usize = 200;

/// Why a map file is refused. Each message names the file, says what is wrong in words force IT
/// understands, and what to ask for; the UI adds that the built-in map is shown instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TilesError {
    #[error("{file} is not a PMTiles map file. Ask force IT for the area's map as a PMTiles (version 3) file.")]
    NotPmTiles { file: String },
    #[error(
        "{file} is a PMTiles version 2 file; the app reads version 3. Force IT can convert it with `pmtiles convert`."
    )]
    OldVersion { file: String },
    #[error("{file} holds {kind} tiles; the app shows picture tiles (PNG, JPEG or WebP). Ask force IT for a raster copy of the map.")]
    NotPictures { file: String, kind: &'static str },
    #[error("{file} is compressed with {compression}, which the app cannot read. Ask force IT for a copy compressed with gzip, or not compressed.")]
    Compression { file: String, compression: &'static str },
    #[error("{file} is damaged ({detail}). Ask force IT for a fresh copy of the map.")]
    Damaged { file: String, detail: String },
    #[error("{file} could not be read ({detail}).")]
    Unreadable { file: String, detail: String },
}

/// The area the tiles cover, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ts_rs::TS)]
pub struct TileBounds {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

/// An archive that passed its checks, as the map needs to know it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct TilesInfo {
    /// The file's name (not its path).
    pub file: String,
    /// "png", "jpeg" or "webp".
    pub format: String,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// None when the file gives no usable bounds: tiles are then asked for anywhere.
    pub bounds: Option<TileBounds>,
    /// Whose map it is, from the file's metadata ("© Ordnance Survey …"); may be empty.
    pub attribution: String,
}

/// What the map is told about the force's own tiles.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ForceMap {
    /// No map file on this tablet: the bundled basemap alone.
    None,
    Ready {
        tiles: TilesInfo,
    },
    /// A map file is there but cannot be used; `message` says why, for the officer.
    Refused {
        file: String,
        message: String,
    },
}

/// One tile's bytes (decompressed) and its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

/// Reads the file at an offset, answering at once: the reader's futures never wait.
struct FileBackend {
    file: File,
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

impl FileBackend {
    fn read_up_to(&self, offset: u64, length: usize) -> pmtiles::PmtResult<BackendResponse> {
        let len = self.file.metadata()?.len();
        // Never more than is there, so a damaged length cannot make us allocate gigabytes.
        let want = length.min(usize::try_from(len.saturating_sub(offset)).unwrap_or(usize::MAX));
        let mut buf = vec![0u8; want];
        let mut got = 0;
        while got < want {
            match read_at(&self.file, &mut buf[got..], offset + got as u64)? {
                0 => break,
                n => got += n,
            }
        }
        buf.truncate(got);
        Ok(BackendResponse::new(buf.into()))
    }
}

impl AsyncBackend for FileBackend {
    fn read(
        &self,
        offset: u64,
        length: usize,
    ) -> impl std::future::Future<Output = pmtiles::PmtResult<BackendResponse>> + Send {
        std::future::ready(self.read_up_to(offset, length))
    }
}

/// An open, checked archive.
pub struct ForceTiles {
    reader: AsyncPmTilesReader<FileBackend>,
    info: TilesInfo,
    content_type: &'static str,
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Runs a read of the archive; a panic in the crate on a damaged file is a damaged file.
fn run<T>(file: &str, f: impl std::future::Future<Output = Result<T, TilesError>>) -> Result<T, TilesError> {
    catch_unwind(AssertUnwindSafe(|| futures_executor::block_on(f))).unwrap_or_else(|_| {
        Err(TilesError::Damaged {
            file: file.to_string(),
            detail: "its structure could not be followed".into(),
        })
    })
}

fn refusal(file: &str, e: PmtError) -> TilesError {
    let file = file.to_string();
    match e {
        PmtError::InvalidMagicNumber => TilesError::NotPmTiles { file },
        PmtError::UnsupportedPmTilesVersion => TilesError::OldVersion { file },
        PmtError::UnsupportedCompression(c) => TilesError::Compression {
            file,
            compression: compression_name(c),
        },
        PmtError::Reading(io) if io.kind() != std::io::ErrorKind::UnexpectedEof => TilesError::Damaged {
            file,
            detail: format!("its contents cannot be read: {io}"),
        },
        PmtError::Reading(_) | PmtError::UnexpectedNumberOfBytesReturned(..) => cut_off(file),
        PmtError::InvalidHeader => TilesError::Damaged {
            file,
            detail: "its header is invalid".into(),
        },
        PmtError::InvalidTileType => TilesError::Damaged {
            file,
            detail: "its header names no known tile type".into(),
        },
        other => TilesError::Damaged {
            file,
            detail: format!("its directory cannot be read: {other}"),
        },
    }
}

fn cut_off(file: String) -> TilesError {
    TilesError::Damaged {
        file,
        detail: "it is shorter than its directory says: cut off while copying?".into(),
    }
}

/// Where the last section the header names ends (root directory, metadata, leaf directories,
/// tile data: spec v3, offsets 8 to 71), for a header that starts as a v3 one; None otherwise.
fn sections_end(header: &[u8]) -> Option<u64> {
    if !header.starts_with(b"PMTiles") || header.len() < 72 {
        return None;
    }
    let word = |at: usize| {
        header
            .get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    };
    let mut end = 0u64;
    for at in [8, 24, 40, 56] {
        let (offset, length) = (word(at)?, word(at + 8)?);
        // An overflowing section is the crate's to refuse, as an invalid header.
        end = end.max(offset.checked_add(length)?);
    }
    Some(end)
}

fn compression_name(c: Compression) -> &'static str {
    match c {
        Compression::None => "no compression",
        Compression::Gzip => "gzip",
        Compression::Brotli => "brotli",
        Compression::Zstd => "zstd",
        Compression::Unknown => "an unknown compression",
    }
}

/// Whether `bytes` start as a picture of `tile_type` does.
fn looks_like(tile_type: TileType, bytes: &[u8]) -> bool {
    match tile_type {
        TileType::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        TileType::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        TileType::Webp => bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        _ => false,
    }
}

fn usable_bounds(h: &pmtiles::Header) -> Option<TileBounds> {
    let b = TileBounds {
        west: h.min_longitude,
        south: h.min_latitude,
        east: h.max_longitude,
        north: h.max_latitude,
    };
    let finite = [b.west, b.south, b.east, b.north].iter().all(|v| v.is_finite());
    let in_range = (-180.0..=180.0).contains(&b.west)
        && (-180.0..=180.0).contains(&b.east)
        && (-90.0..=90.0).contains(&b.south)
        && (-90.0..=90.0).contains(&b.north);
    (finite && in_range && b.west < b.east && b.south < b.north).then_some(b)
}

/// The tile holding a lat/lon at a zoom (XYZ, Web Mercator).
fn tile_of(lat: f64, lon: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let lat = lat.clamp(-85.051_128, 85.051_128).to_radians();
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    let clamp = |v: f64| v.clamp(0.0, n - 1.0) as u32;
    (clamp(x), clamp(y))
}

impl ForceTiles {
    /// Opens and checks the archive at `path`.
    pub fn open(path: &Path) -> Result<ForceTiles, TilesError> {
        let file = name_of(path);
        let handle = File::open(path).map_err(|e| TilesError::Unreadable {
            file: file.clone(),
            detail: e.to_string(),
        })?;
        let len = handle.metadata().map(|m| m.len()).unwrap_or(0);
        if len == 0 {
            return Err(TilesError::Damaged {
                file,
                detail: "it is empty".into(),
            });
        }
        // The commonest damage, a copy cut short, is seen in the header before any tile is read.
        let mut header = [0u8; 127];
        let got = read_at(&handle, &mut header, 0).unwrap_or(0);
        if sections_end(&header[..got]).is_some_and(|end| end > len) {
            return Err(cut_off(file));
        }
        let label = file.clone();
        run(&label, async move {
            let reader = AsyncPmTilesReader::try_from_source(FileBackend { file: handle })
                .await
                .map_err(|e| refusal(&file, e))?;
            let h = reader.get_header();
            let (format, content_type) = match h.tile_type {
                TileType::Png => ("png", "image/png"),
                TileType::Jpeg => ("jpeg", "image/jpeg"),
                TileType::Webp => ("webp", "image/webp"),
                TileType::Mvt | TileType::Mlt => return Err(TilesError::NotPictures { file, kind: "vector" }),
                TileType::Avif => {
                    return Err(TilesError::NotPictures {
                        file,
                        kind: "AVIF picture",
                    })
                }
                TileType::Unknown => return Err(TilesError::NotPictures { file, kind: "unknown" }),
            };
            if !matches!(h.tile_compression, Compression::None | Compression::Gzip) {
                return Err(TilesError::Compression {
                    file,
                    compression: compression_name(h.tile_compression),
                });
            }
            if h.min_zoom > h.max_zoom || h.max_zoom > pmtiles::MAX_ZOOM {
                return Err(TilesError::Damaged {
                    file,
                    detail: format!("its zoom levels run from {} to {}", h.min_zoom, h.max_zoom),
                });
            }
            let bounds = usable_bounds(h);
            // One tile is read now, so that a file damaged past its directory is refused here
            // rather than showing a blank map: the one at the file's centre, else its bounds'.
            let z = h.center_zoom.clamp(h.min_zoom, h.max_zoom);
            let (lat, lon) = match bounds {
                Some(b)
                    if !(b.south..=b.north).contains(&h.center_latitude)
                        || !(b.west..=b.east).contains(&h.center_longitude) =>
                {
                    ((b.south + b.north) / 2.0, (b.west + b.east) / 2.0)
                }
                _ => (h.center_latitude, h.center_longitude),
            };
            let (x, y) = tile_of(lat, lon, z);
            let tile_type = h.tile_type;
            let (min_zoom, max_zoom) = (h.min_zoom, h.max_zoom);
            let coord = TileCoord::new(z, x, y).map_err(|e| refusal(&file, e))?;
            if let Some(bytes) = reader
                .get_tile_decompressed(coord)
                .await
                .map_err(|e| refusal(&file, e))?
            {
                if !looks_like(tile_type, &bytes) {
                    return Err(TilesError::Damaged {
                        file,
                        detail: format!("its tiles are not the {format} pictures its header says"),
                    });
                }
            }
            // The metadata is optional; a file whose metadata cannot be read is still a map.
            let attribution = match reader.get_metadata().await {
                Ok(json) => serde_json::from_str::<serde_json::Value>(&json)
                    .ok()
                    .and_then(|v| v.get("attribution").and_then(|a| a.as_str()).map(str::to_string))
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(ATTRIBUTION_MAX)
                    .collect(),
                Err(_) => String::new(),
            };
            Ok(ForceTiles {
                reader,
                content_type,
                info: TilesInfo {
                    file: file.clone(),
                    format: format.to_string(),
                    min_zoom,
                    max_zoom,
                    bounds,
                    attribution,
                },
            })
        })
    }

    pub fn info(&self) -> &TilesInfo {
        &self.info
    }

    /// The tile at z/x/y; None when the archive has none there (outside its area or zooms).
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Tile>, TilesError> {
        let Ok(coord) = TileCoord::new(z, x, y) else {
            return Ok(None);
        };
        let file = &self.info.file;
        run(file, async {
            let bytes = self
                .reader
                .get_tile_decompressed(coord)
                .await
                .map_err(|e| refusal(file, e))?;
            Ok(bytes.map(|b| Tile {
                bytes: b.to_vec(),
                content_type: self.content_type,
            }))
        })
    }
}

/// The map file on this tablet: the first `*.pmtiles` by name in `folder`, if any.
pub fn find(folder: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case(EXTENSION)))
        .collect();
    found.sort();
    found.into_iter().next()
}

/// What identifies one version of the file: a copy replaced or changed is opened again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
}

fn version_of(path: &Path) -> Option<Version> {
    let m = std::fs::metadata(path).ok()?;
    Some(Version {
        path: path.to_path_buf(),
        len: m.len(),
        modified: m.modified().ok(),
    })
}

/// A version of the file and what opening it gave (a refusal is kept too, so a damaged file
/// is not read again for every tile).
type Opened = (Version, Result<Arc<ForceTiles>, TilesError>);

/// The tablet's map file, opened once per version and shared by every tile request.
pub struct Tiles {
    folder: PathBuf,
    current: Mutex<Option<Opened>>,
}

impl Tiles {
    /// Tiles from `folder` (see [`folder_beside`]); nothing is read until the map asks.
    pub fn new(folder: PathBuf) -> Tiles {
        Tiles {
            folder,
            current: Mutex::new(None),
        }
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Looks for the map file (again: force IT may have added or replaced it) and says whether
    /// the map can use it.
    pub fn status(&self) -> ForceMap {
        match self.open() {
            None => ForceMap::None,
            Some(Ok(t)) => ForceMap::Ready { tiles: t.info.clone() },
            Some(Err(e)) => ForceMap::Refused {
                file: match &e {
                    TilesError::NotPmTiles { file }
                    | TilesError::OldVersion { file }
                    | TilesError::NotPictures { file, .. }
                    | TilesError::Compression { file, .. }
                    | TilesError::Damaged { file, .. }
                    | TilesError::Unreadable { file, .. } => file.clone(),
                },
                message: e.to_string(),
            },
        }
    }

    /// The tile at z/x/y of the file last checked by [`Tiles::status`] (or found now); None when
    /// there is no usable file or no tile there.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Tile>, TilesError> {
        let held = self.lock().as_ref().map(|(_, t)| t.clone());
        let tiles = match held {
            Some(t) => t,
            None => match self.open() {
                Some(t) => t,
                None => return Ok(None),
            },
        };
        match tiles {
            Ok(t) => t.tile(z, x, y),
            Err(_) => Ok(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Opened>> {
        // What it guards is a cache: one left by a panicking holder is still a valid cache.
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn open(&self) -> Option<Result<Arc<ForceTiles>, TilesError>> {
        let Some(version) = find(&self.folder).and_then(|p| version_of(&p)) else {
            *self.lock() = None;
            return None;
        };
        let mut slot = self.lock();
        if let Some((v, t)) = slot.as_ref() {
            if *v == version {
                return Some(t.clone());
            }
        }
        let opened = ForceTiles::open(&version.path).map(Arc::new);
        match &opened {
            Ok(t) => {
                tracing::info!(file = %t.info.file, min_zoom = t.info.min_zoom, max_zoom = t.info.max_zoom, "force map opened")
            }
            Err(e) => tracing::warn!(error = %e, "force map refused"),
        }
        *slot = Some((version, opened.clone()));
        Some(opened)
    }
}

/// The maps folder for a database at `database`: beside it (the app's data folder in the
/// field, a test's temporary folder in tests).
pub fn folder_beside(database: &Path) -> PathBuf {
    database
        .parent()
        .map_or_else(|| PathBuf::from(FOLDER), |d| d.join(FOLDER))
}

#[cfg(test)]
mod tests;
