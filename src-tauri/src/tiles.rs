//! The `maptiles:` URI scheme: the webview asks for a force tile by z/x/y (`maptiles://localhost/15/16210/10752`,
//! or `http://maptiles.localhost/…` where the platform spells custom schemes so; the UI builds
//! the address with Tauri's `convertFileSrc`, which percent-encodes the slashes) and gets the
//! picture from [`liaison_core::tiles::Tiles`]. No tile there is a 404, which the map shows as
//! the bundled basemap. Nothing here reaches the network: the scheme is answered in-process.

use liaison_core::tiles::Tiles;
use tauri::http::{Response, StatusCode};

/// The scheme's name, as the UI (`ui/src/api.ts`) and the CSP (`tauri.conf.json`) spell it.
pub const SCHEME: &str = "maptiles";

/// z/x/y from a request's path: "/15/16210/10752" or "/15%2F16210%2F10752".
pub fn parse(path: &str) -> Option<(u8, u32, u32)> {
    let path = path.trim_start_matches('/').replace("%2F", "/").replace("%2f", "/");
    let mut parts = path.split('/');
    let z = parts.next()?.parse().ok()?;
    let x = parts.next()?.parse().ok()?;
    let y = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((z, x, y))
}

fn empty(status: StatusCode) -> Response<Vec<u8>> {
    let mut r = Response::new(Vec::new());
    *r.status_mut() = status;
    r
}

/// The answer before the app has set itself up (no request comes then: the UI is not shown).
pub fn not_ready() -> Response<Vec<u8>> {
    empty(StatusCode::SERVICE_UNAVAILABLE)
}

/// The answer to a request for `path`.
pub fn respond(tiles: &Tiles, path: &str) -> Response<Vec<u8>> {
    let Some((z, x, y)) = parse(path) else {
        return empty(StatusCode::BAD_REQUEST);
    };
    match tiles.tile(z, x, y) {
        Ok(Some(tile)) => Response::builder()
            .status(StatusCode::OK)
            .header("Content-Type", tile.content_type)
            // The file may be replaced by force IT while the app runs: never reuse a tile.
            .header("Cache-Control", "no-store")
            .body(tile.bytes)
            .unwrap_or_else(|_| empty(StatusCode::INTERNAL_SERVER_ERROR)),
        Ok(None) => empty(StatusCode::NOT_FOUND),
        Err(e) => {
            // One damaged tile: that square shows the bundled basemap.
            tracing::warn!(error = %e, z, x, y, "a force map tile could not be read");
            empty(StatusCode::NOT_FOUND)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tile_address_is_read_with_or_without_encoded_slashes_and_anything_else_is_refused() {
        assert_eq!(parse("/15/16210/10752"), Some((15, 16210, 10752)));
        assert_eq!(parse("/15%2F16210%2F10752"), Some((15, 16210, 10752)));
        assert_eq!(parse("15%2f1%2f2"), Some((15, 1, 2)));
        for bad in [
            "/",
            "/15/1",
            "/15/1/2/3",
            "/a/b/c",
            "/15/-1/2",
            "/300/1/2",
            "/../../etc/passwd",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn without_a_map_file_every_tile_is_not_found_and_a_bad_address_is_a_bad_request() {
        let dir = tempfile::tempdir().unwrap();
        let tiles = Tiles::new(dir.path().join("maps"));
        assert_eq!(respond(&tiles, "/15/16210/10752").status(), StatusCode::NOT_FOUND);
        assert_eq!(respond(&tiles, "/nope").status(), StatusCode::BAD_REQUEST);
    }
}
