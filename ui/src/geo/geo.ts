// The map's geometry, shared by the force console and the tablet app, pure so it is
// unit-tested (test/geo.test.ts): the Web Mercator projection of a view, pan and zoom, the
// lat/lon grid, hit-testing (a tap to a lat/lon, to a pin, to a sector), building a polygon
// vertex by vertex, the offline basemap (Natural Earth land rings) culled and simplified for
// the view, and which of a force's own tiles cover it. The components only draw what these
// return; nothing here touches the DOM or the network.
import type { LatLon, Location, RecordKind } from "../bindings";

export interface Pt {
  x: number;
  y: number;
}

/** What the map shows: the lat/lon at its centre, a zoom level (tiles of 256 px), its size in px. */
export interface View {
  center: LatLon;
  zoom: number;
  width: number;
  height: number;
}

export const TILE = 256;
export const MIN_ZOOM = 2;
export const MAX_ZOOM = 19;
const MAX_LAT = 85.05112878;

export function clampZoom(z: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
}

function clampLat(lat: number): number {
  return Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
}

/** Pixel position on the whole world's map at this zoom (north-west corner = 0,0). */
export function worldPx(p: LatLon, zoom: number): Pt {
  const size = TILE * 2 ** zoom;
  const s = Math.sin((clampLat(p.lat) * Math.PI) / 180);
  return {
    x: ((p.lon + 180) / 360) * size,
    y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * size,
  };
}

export function fromWorldPx(pt: Pt, zoom: number): LatLon {
  const size = TILE * 2 ** zoom;
  const lon = (pt.x / size) * 360 - 180;
  const n = Math.PI - (2 * Math.PI * pt.y) / size;
  const lat = (180 / Math.PI) * Math.atan(Math.sinh(n));
  return { lat, lon };
}

/** Where a lat/lon falls on the screen of this view. */
export function project(view: View, p: LatLon): Pt {
  const c = worldPx(view.center, view.zoom);
  const w = worldPx(p, view.zoom);
  return { x: w.x - c.x + view.width / 2, y: w.y - c.y + view.height / 2 };
}

/** The lat/lon under a screen point of this view. */
export function unproject(view: View, pt: Pt): LatLon {
  const c = worldPx(view.center, view.zoom);
  return fromWorldPx({ x: c.x + pt.x - view.width / 2, y: c.y + pt.y - view.height / 2 }, view.zoom);
}

/** Moves the picture by (dx, dy) screen pixels (dragging right moves the map right). */
export function panBy(view: View, dx: number, dy: number): View {
  const center = unproject(view, { x: view.width / 2 - dx, y: view.height / 2 - dy });
  return { ...view, center: { lat: clampLat(center.lat), lon: wrapLon(center.lon) } };
}

function wrapLon(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/** Zooms by `levels` (±1 doubles or halves) keeping the point under `anchor` where it is. */
export function zoomAt(view: View, levels: number, anchor?: Pt): View {
  const zoom = clampZoom(view.zoom + levels);
  if (zoom === view.zoom) return view;
  const a = anchor ?? { x: view.width / 2, y: view.height / 2 };
  const under = unproject(view, a);
  const w = worldPx(under, zoom);
  const center = fromWorldPx({ x: w.x - a.x + view.width / 2, y: w.y - a.y + view.height / 2 }, zoom);
  return { ...view, zoom, center };
}

/** The view that shows every point with `pad` pixels to spare, or `fallback` when there are none. */
export function fitView(points: LatLon[], width: number, height: number, fallback: View, pad = 32): View {
  if (points.length === 0) return { ...fallback, width, height };
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const nw = worldPx({ lat: Math.max(...lats), lon: Math.min(...lons) }, 0);
  const se = worldPx({ lat: Math.min(...lats), lon: Math.max(...lons) }, 0);
  const spanX = Math.max(se.x - nw.x, 1e-9);
  const spanY = Math.max(se.y - nw.y, 1e-9);
  const zx = Math.log2(Math.max(width - 2 * pad, 1) / spanX);
  const zy = Math.log2(Math.max(height - 2 * pad, 1) / spanY);
  const zoom = clampZoom(Math.floor(Math.min(zx, zy) * 4) / 4);
  const center = fromWorldPx({ x: (nw.x + se.x) / 2, y: (nw.y + se.y) / 2 }, 0);
  return { center, zoom: Math.min(zoom, 17), width, height };
}

export interface Bounds {
  west: number;
  south: number;
  east: number;
  north: number;
}

export function viewBounds(view: View): Bounds {
  const nw = unproject(view, { x: 0, y: 0 });
  const se = unproject(view, { x: view.width, y: view.height });
  return { west: nw.lon, north: nw.lat, east: se.lon, south: se.lat };
}

// ---- the grid ---------------------------------------------------------------------------

const STEPS = [30, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002, 0.0001];

/** The grid spacing in degrees: the finest whose lines stay at least `minPx` apart. */
export function gridStep(view: View, minPx = 90): number {
  const pxPerDegree = (TILE * 2 ** view.zoom) / 360;
  let step = STEPS[0] ?? 30;
  for (const s of STEPS) {
    if (s * pxPerDegree >= minPx) step = s;
    else break;
  }
  return step;
}

export interface GridLine {
  /** Screen position: x for a meridian, y for a parallel. */
  pos: number;
  label: string;
}

function decimals(step: number): number {
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

/** "52.48°N", "1.9°W". */
export function formatDegrees(value: number, axis: "lat" | "lon", places: number): string {
  const v = Math.abs(value).toFixed(places);
  const hemi = axis === "lat" ? (value < 0 ? "S" : "N") : value < 0 ? "W" : "E";
  return Number(v) === 0 ? `0°` : `${v}°${hemi}`;
}

export function gridLines(view: View, minPx = 90): { step: number; meridians: GridLine[]; parallels: GridLine[] } {
  const step = gridStep(view, minPx);
  const b = viewBounds(view);
  const places = decimals(step);
  const meridians: GridLine[] = [];
  const parallels: GridLine[] = [];
  const round = (n: number) => Math.round(n / step) * step;
  for (let lon = Math.ceil(b.west / step) * step; lon <= b.east + 1e-12; lon += step) {
    const v = round(lon);
    meridians.push({ pos: r1(project(view, { lat: view.center.lat, lon: v }).x), label: formatDegrees(v, "lon", places) });
    if (meridians.length > 200) break;
  }
  for (let lat = Math.ceil(b.south / step) * step; lat <= b.north + 1e-12; lat += step) {
    const v = round(lat);
    parallels.push({ pos: r1(project(view, { lat: v, lon: view.center.lon }).y), label: formatDegrees(v, "lat", places) });
    if (parallels.length > 200) break;
  }
  return { step, meridians, parallels };
}

function r1(n: number): number {
  return Math.round(n * 10) / 10;
}

// ---- shapes on the screen ---------------------------------------------------------------

/** An SVG path for a ring of lat/lons ("M x y L … Z"), closed unless `open`. */
export function ringPath(view: View, ring: LatLon[], open = false): string {
  if (ring.length === 0) return "";
  const d = ring
    .map((p, i) => {
      const s = project(view, p);
      return `${i === 0 ? "M" : "L"}${r1(s.x)} ${r1(s.y)}`;
    })
    .join(" ");
  return open || ring.length < 3 ? d : `${d} Z`;
}

/** Where to put a polygon's label: its area centroid on the screen (the mean of its vertices if it has no area). */
export function labelPoint(view: View, ring: LatLon[]): Pt {
  const pts = ring.map((p) => project(view, p));
  if (pts.length === 0) return { x: 0, y: 0 };
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i] as Pt;
    const q = pts[(i + 1) % pts.length] as Pt;
    const cross = p.x * q.y - q.x * p.y;
    a += cross;
    cx += (p.x + q.x) * cross;
    cy += (p.y + q.y) * cross;
  }
  if (Math.abs(a) < 1e-9) {
    return { x: r1(pts.reduce((s, p) => s + p.x, 0) / pts.length), y: r1(pts.reduce((s, p) => s + p.y, 0) / pts.length) };
  }
  return { x: r1(cx / (3 * a)), y: r1(cy / (3 * a)) };
}

/** Ray casting in lon/lat: good at the size of an operation's area. */
export function pointInRing(p: LatLon, ring: LatLon[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i] as LatLon;
    const b = ring[j] as LatLon;
    if (a.lat > p.lat !== b.lat > p.lat && p.lon < ((b.lon - a.lon) * (p.lat - a.lat)) / (b.lat - a.lat) + a.lon) {
      inside = !inside;
    }
  }
  return inside;
}

/** The topmost (last drawn) ring containing the point, or -1. */
export function hitRing(p: LatLon, rings: LatLon[][]): number {
  for (let i = rings.length - 1; i >= 0; i--) {
    if (pointInRing(p, rings[i] ?? [])) return i;
  }
  return -1;
}

/** The vertex of `ring` within `radiusPx` of a screen point, or -1. */
export function nearVertex(view: View, ring: LatLon[], pt: Pt, radiusPx = 10): number {
  let best = -1;
  let bestD = radiusPx;
  ring.forEach((v, i) => {
    const s = project(view, v);
    const d = Math.hypot(s.x - pt.x, s.y - pt.y);
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}

// ---- drawing a polygon ------------------------------------------------------------------

/** Coordinates to 6 decimals (about 0.1 m): what is stored, so a redraw does not add noise. */
export function roundLatLon(p: LatLon): LatLon {
  return { lat: Math.round(p.lat * 1e6) / 1e6, lon: Math.round(p.lon * 1e6) / 1e6 };
}

export type DraftStep = { kind: "added"; points: LatLon[] } | { kind: "closed"; points: LatLon[] };

/**
 * A click while drawing: on (or near) the first vertex of a ring of three or more it closes the
 * polygon; otherwise it adds a vertex (a click on the last vertex again is ignored).
 */
export function clickDraft(view: View, points: LatLon[], at: Pt): DraftStep {
  if (points.length >= 3 && nearVertex(view, points.slice(0, 1), at) === 0) return { kind: "closed", points };
  const p = roundLatLon(unproject(view, at));
  const last = points[points.length - 1];
  if (last && nearVertex(view, [last], at, 3) === 0) return { kind: "added", points };
  return { kind: "added", points: [...points, p] };
}

function segmentsCross(a: LatLon, b: LatLon, c: LatLon, d: LatLon): boolean {
  const o = (p: LatLon, q: LatLon, r: LatLon) => Math.sign((q.lon - p.lon) * (r.lat - p.lat) - (q.lat - p.lat) * (r.lon - p.lon));
  return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
}

/** Whether two edges of the closed ring cross (a figure of eight shades the wrong places). */
export function selfIntersects(ring: LatLon[]): boolean {
  const n = ring.length;
  if (n < 4) return false;
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // neighbours through the closing edge
      const a = ring[i] as LatLon;
      const b = ring[(i + 1) % n] as LatLon;
      const c = ring[j] as LatLon;
      const d = ring[(j + 1) % n] as LatLon;
      if (segmentsCross(a, b, c, d)) return true;
    }
  }
  return false;
}

/** Why a drawn ring cannot be finished yet, or null when it can. */
export function finishProblem(points: LatLon[]): string | null {
  const distinct = new Set(points.map((p) => `${p.lat},${p.lon}`));
  if (distinct.size < 3) return "A polygon needs at least three different points.";
  if (selfIntersects(points)) return "The edges cross each other: undo the last points and go round the area in order.";
  return null;
}

/** "52.4797, -1.9026" (or with a space, or °N/°W) → a lat/lon, or null. */
export function parseLatLon(text: string): LatLon | null {
  const m = text
    .trim()
    .match(/^(-?\d+(?:\.\d+)?)\s*°?\s*([NS])?\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*°?\s*([EW])?$/i);
  if (!m) return null;
  let lat = Number(m[1]);
  let lon = Number(m[3]);
  if (m[2] && m[2].toUpperCase() === "S") lat = -Math.abs(lat);
  if (m[4] && m[4].toUpperCase() === "W") lon = -Math.abs(lon);
  if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) return null;
  return { lat, lon };
}

// ---- the basemap ------------------------------------------------------------------------

/**
 * One ring of a land polygon with its bounding box: its points as lon, lat pairs in one flat
 * typed array (16 bytes a point: the 1:10m coast's 409,000 points are 6.5 MB, where arrays of
 * pairs took several times that on the tablet's heap), and projected once onto the whole
 * world's Web Mercator square the first time the ring is drawn, so that drawing a view is then
 * a multiply and an add per point, not a sine and a logarithm (Great Britain's 1:10m coast
 * alone is tens of thousands of points, drawn on every pan).
 */
export interface LandRing {
  west: number;
  south: number;
  east: number;
  north: number;
  /** lon0, lat0, lon1, lat1, … */
  lonlat: Float64Array;
  /** x0, y0, x1, y1, … on the unit Mercator square (north-west at 0,0); null until first drawn. */
  world: Float64Array | null;
}

function worldOf(ring: LandRing): Float64Array {
  if (ring.world) return ring.world;
  const ll = ring.lonlat;
  const world = new Float64Array(ll.length);
  for (let i = 0; i < ll.length; i += 2) {
    const s = Math.sin((clampLat(ll[i + 1] ?? 0) * Math.PI) / 180);
    world[i] = ((ll[i] ?? 0) + 180) / 360;
    world[i + 1] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  ring.world = world;
  return world;
}

/** The subset of GeoJSON geometry the basemap reads. */
export type Geometry =
  | { type: "Polygon"; coordinates: number[][][] }
  | { type: "MultiPolygon"; coordinates: number[][][][] }
  | { type: "GeometryCollection"; geometries: Geometry[] }
  | { type: string };

export function landRings(geometries: Geometry[]): LandRing[] {
  const out: LandRing[] = [];
  const ring = (coords: number[][]) => {
    if (coords.length < 3) return;
    const lonlat = new Float64Array(coords.length * 2);
    let west = Infinity;
    let east = -Infinity;
    let south = Infinity;
    let north = -Infinity;
    coords.forEach((p, i) => {
      const lon = p[0] ?? 0;
      const lat = p[1] ?? 0;
      lonlat[2 * i] = lon;
      lonlat[2 * i + 1] = lat;
      west = Math.min(west, lon);
      east = Math.max(east, lon);
      south = Math.min(south, lat);
      north = Math.max(north, lat);
    });
    out.push({ west, south, east, north, lonlat, world: null });
  };
  const walk = (g: Geometry) => {
    if (g.type === "Polygon" && "coordinates" in g) (g.coordinates as number[][][]).forEach(ring);
    else if (g.type === "MultiPolygon" && "coordinates" in g) (g.coordinates as number[][][][]).forEach((poly) => poly.forEach(ring));
    else if (g.type === "GeometryCollection" && "geometries" in g) (g.geometries as Geometry[]).forEach(walk);
  };
  geometries.forEach(walk);
  return out;
}

const LEFT = 1;
const RIGHT = 2;
const TOP = 4;
const BOTTOM = 8;

/** Scratch space for basemapPath, grown to the longest ring drawn, so a pan allocates nothing per point. */
let scratchXY = new Float64Array(0);
let scratchCode = new Uint8Array(0);

/**
 * An SVG path (fill rule evenodd) of the land rings in view. Rings outside the view are left
 * out; a vertex whose neighbours lie beyond the same edge of the view as it does is moved onto
 * that edge (so its edges never cross the view and what is shaded inside it is unchanged), and
 * vertices closer than `minPx` to the previous one are dropped. A country's coast is thus a few
 * hundred points at any zoom.
 */
export function basemapPath(view: View, rings: LandRing[], minPx = 0.75, margin = 16): string {
  const b = viewBounds(view);
  const left = -margin;
  const top = -margin;
  const right = view.width + margin;
  const bottom = view.height + margin;
  const c = worldPx(view.center, view.zoom);
  const size = TILE * 2 ** view.zoom;
  const ox = view.width / 2 - c.x;
  const oy = view.height / 2 - c.y;
  const parts: string[] = [];
  for (const ring of rings) {
    if (ring.east < b.west || ring.west > b.east || ring.north < b.south || ring.south > b.north) continue;
    const world = worldOf(ring);
    const n = world.length / 2;
    if (scratchCode.length < n) {
      scratchXY = new Float64Array(2 * n);
      scratchCode = new Uint8Array(n);
    }
    const xy = scratchXY;
    const codes = scratchCode;
    for (let i = 0; i < n; i++) {
      const x = (world[2 * i] ?? 0) * size + ox;
      const y = (world[2 * i + 1] ?? 0) * size + oy;
      xy[2 * i] = x;
      xy[2 * i + 1] = y;
      codes[i] = (x < left ? LEFT : x > right ? RIGHT : 0) | (y < top ? TOP : y > bottom ? BOTTOM : 0);
    }
    let d = "";
    let lastX = 0;
    let lastY = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      let x = xy[2 * i] ?? 0;
      let y = xy[2 * i + 1] ?? 0;
      const common = (codes[(i + n - 1) % n] ?? 0) & (codes[i] ?? 0) & (codes[(i + 1) % n] ?? 0);
      if (common) {
        x = common & LEFT ? left : common & RIGHT ? right : x;
        y = common & TOP ? top : common & BOTTOM ? bottom : y;
      }
      if (count > 0 && Math.abs(x - lastX) < minPx && Math.abs(y - lastY) < minPx) continue;
      d += `${count === 0 ? "M" : "L"}${r1(x)} ${r1(y)}`;
      lastX = x;
      lastY = y;
      count++;
    }
    if (count >= 3) parts.push(`${d}Z`);
  }
  return parts.join("");
}

/** Metres per screen pixel at the view's centre. */
export function metresPerPixel(view: View): number {
  return (40075016.686 * Math.cos((view.center.lat * Math.PI) / 180)) / (TILE * 2 ** view.zoom);
}

/** A scale bar of a round length (1, 2 or 5 × 10ⁿ metres) at most `maxPx` long. */
export function scaleBar(view: View, maxPx = 120): { px: number; label: string } {
  const mpp = metresPerPixel(view);
  const max = mpp * maxPx;
  const pow = 10 ** Math.floor(Math.log10(max));
  const metres = [5, 2, 1].map((m) => m * pow).find((m) => m <= max) ?? pow;
  return { px: Math.round(metres / mpp), label: metres >= 1000 ? `${metres / 1000} km` : `${metres} m` };
}

// ---- pins ---------------------------------------------------------------------------------

/** A located record on the map. */
export interface Pin {
  record_id: string;
  lat: number;
  lon: number;
  letter: string;
  title: string;
}

/** A short letter drawn in a pin, so pins differ without colour. */
export function pinLetter(kind: RecordKind): string {
  switch (kind) {
    case "tension_reading":
      return "T";
    case "escalation":
      return "E";
    case "rumour_report":
      return "R";
    case "negotiation_outcome":
      return "N";
    case "contact_note":
      return "C";
    default:
      return "•";
  }
}

/** The golden angle: successive pins round one spot never line up. */
const GOLDEN = Math.PI * (3 - Math.sqrt(5));

/**
 * Pins on the screen. Pins on (nearly) the same spot are spread round it on a sunflower
 * spiral (the k-th at 24·√k px), so each shows and can be tapped while staying near where it
 * was recorded: thirty readings at one crossing sit within 130 px of it, not in a row running
 * off the map.
 */
export function placePins(view: View, pins: Pin[]): { pin: Pin; at: Pt }[] {
  const out: { pin: Pin; at: Pt }[] = [];
  const spots: Pt[] = [];
  for (const pin of pins) {
    const at = project(view, pin);
    // Counted against where the earlier pins really are, not where they were moved to.
    const k = spots.filter((o) => Math.abs(o.x - at.x) < 20 && Math.abs(o.y - at.y) < 20).length;
    spots.push(at);
    const r = 24 * Math.sqrt(k);
    out.push({ pin, at: { x: at.x + r * Math.cos(k * GOLDEN), y: at.y + r * Math.sin(k * GOLDEN) } });
  }
  return out;
}

/** Half of the smallest touch target (44 px): a tap this close to a pin's centre is on the pin. */
export const PIN_REACH = 22;

/** The pin a tap at `pt` is on (the nearest within `reach` px, the last drawn on a tie), or null. */
export function pinAt(view: View, pins: Pin[], pt: Pt, reach = PIN_REACH): Pin | null {
  let best: Pin | null = null;
  let bestD = reach;
  for (const { pin, at } of placePins(view, pins)) {
    const d = Math.hypot(at.x - pt.x, at.y - pt.y);
    if (d <= bestD) {
      best = pin;
      bestD = d;
    }
  }
  return best;
}

/**
 * The position a tap at `pt` places: the lat/lon under it to 6 decimals, with no accuracy,
 * since a position placed by hand has none (records/mod.rs: `accuracy_m` is None when placed
 * by hand).
 */
export function tappedLocation(view: View, pt: Pt): Location {
  const p = roundLatLon(unproject(view, pt));
  return { lat: p.lat, lon: Math.max(-180, Math.min(180, p.lon)), accuracy_m: null };
}

/** The radius in screen pixels of an accuracy circle of `metres` at `at`. */
export function metresToPx(view: View, at: LatLon, metres: number): number {
  return metres / metresPerPixel({ ...view, center: at });
}

// ---- a force's own tiles ------------------------------------------------------------------

/** Raster tiles (256 px, XYZ, Web Mercator) a force provides, as the shell serves them. */
export interface TileSource {
  minZoom: number;
  maxZoom: number;
  /** The area the tiles cover; null when the file does not say. */
  bounds: Bounds | null;
}

/** One tile to draw: its address and where it goes on the screen. */
export interface PlacedTile {
  z: number;
  x: number;
  y: number;
  left: number;
  top: number;
  size: number;
}

/** More than this many tiles in view means the view is far wider than the tiles are meant for. */
export const MAX_TILES = 64;

/**
 * The tiles that cover the view: at the view's zoom rounded, within the source's zoom range
 * (zoomed in past its deepest level, that level's tiles are drawn larger), inside its bounds.
 * None when the view is zoomed out beyond the source's shallowest level or would need more
 * than MAX_TILES: the bundled basemap then shows alone.
 */
export function tilesInView(view: View, source: TileSource): PlacedTile[] {
  const want = Math.round(view.zoom);
  if (want < source.minZoom) return [];
  const z = Math.min(want, source.maxZoom);
  const n = 2 ** z;
  const size = TILE * 2 ** (view.zoom - z);
  const c = worldPx(view.center, view.zoom);
  const left = c.x - view.width / 2;
  const top = c.y - view.height / 2;
  let x0 = Math.floor(left / size);
  let x1 = Math.floor((left + view.width) / size);
  let y0 = Math.floor(top / size);
  let y1 = Math.floor((top + view.height) / size);
  if (source.bounds) {
    const nw = worldPx({ lat: source.bounds.north, lon: source.bounds.west }, z);
    const se = worldPx({ lat: source.bounds.south, lon: source.bounds.east }, z);
    x0 = Math.max(x0, Math.floor(nw.x / TILE));
    x1 = Math.min(x1, Math.floor(se.x / TILE));
    y0 = Math.max(y0, Math.floor(nw.y / TILE));
    y1 = Math.min(y1, Math.floor(se.y / TILE));
  }
  x0 = Math.max(x0, 0);
  y0 = Math.max(y0, 0);
  x1 = Math.min(x1, n - 1);
  y1 = Math.min(y1, n - 1);
  if (x1 < x0 || y1 < y0 || (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_TILES) return [];
  const out: PlacedTile[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      // Rounded outwards so neighbouring tiles overlap by a fraction of a pixel, never leave a seam.
      const l = Math.floor(x * size - left);
      const t = Math.floor(y * size - top);
      out.push({ z, x, y, left: l, top: t, size: Math.ceil(x * size - left + size) - l });
    }
  }
  return out;
}
