// The tablet's map, in words and shapes (test/map.test.ts): what the operation's map draws
// (sectors shaded by their latest tension, located records as pins), where it first looks,
// a force's own tiles as the map draws them, and the sentences that say what the map cannot
// show (no position from the tablet, a refused map file). The geometry itself is shared with
// the console (geo/geo.ts); the component is fieldMap.tsx.
import type { ForceMap, LatLon, Location, Mood, OperationMap, RecordKind, TilesInfo } from "./bindings";
import { fitView, pinLetter, type Pin, type View } from "./geo/geo";
import type { MapSector, MapTiles } from "./geo/MapView";

/** Where a map with nothing on it looks: Great Britain. */
export const COUNTRY_VIEW: View = { center: { lat: 54.3, lon: -2.5 }, zoom: 5, width: 800, height: 420 };
/** How close a map centred on one position looks (a few streets). */
export const STREET_ZOOM = 17;

/** Each sector shaded by its latest reading, labelled "4 Tense" (or "No reading"). */
export function mapSectors(map: OperationMap, moodLabel: (m: Mood) => string): MapSector[] {
  return map.sectors.map((s) => ({
    name: s.name,
    boundary: s.boundary,
    level: s.latest?.level,
    note: s.latest ? `${s.latest.level} ${moodLabel(s.latest.mood)}` : "No reading",
  }));
}

/** "Rumour report: A van is coming", but "Tension: Calm" rather than "Tension reading: Tension: Calm". */
export function pinTitle(kind: string, title: string): string {
  const first = kind.split(" ")[0]?.toLowerCase() ?? "";
  return first && title.toLowerCase().startsWith(first) ? title : `${kind}: ${title}`;
}

/** The located records as pins: a letter for the kind, what it is and its title. */
export function mapPins(map: OperationMap, kindLabel: (k: RecordKind) => string): Pin[] {
  return map.pins.map((p) => ({
    record_id: p.record_id,
    lat: p.location.lat,
    lon: p.location.lon,
    letter: pinLetter(p.kind),
    title: pinTitle(kindLabel(p.kind), p.title),
  }));
}

/** The first view: the area, its sectors and the pins; else round `around`; else the country. */
export function firstView(points: LatLon[], around: LatLon | null, width: number, height: number): View {
  if (points.length > 0) return fitView(points, width, height, COUNTRY_VIEW);
  if (around) return { center: { lat: around.lat, lon: around.lon }, zoom: STREET_ZOOM, width, height };
  return { ...COUNTRY_VIEW, width, height };
}

/** Everything an operation's map should show at first. */
export function mapPoints(map: OperationMap): LatLon[] {
  return [...map.area, ...map.sectors.flatMap((s) => s.boundary), ...map.pins.map((p) => p.location)];
}

/** The force's tiles as the map draws them, or null when the tablet has no usable file. */
export function forceTiles(force: ForceMap | null, url: (z: number, x: number, y: number) => string): MapTiles | null {
  if (!force || force.state !== "ready") return null;
  const t: TilesInfo = force.tiles;
  return { minZoom: t.min_zoom, maxZoom: t.max_zoom, bounds: t.bounds, url, attribution: t.attribution || t.file };
}

/** What to tell the officer about the force's map file; null when there is nothing to say. */
export function forceMapNote(force: ForceMap | null): string | null {
  if (!force) return null;
  switch (force.state) {
    case "none":
      return null;
    case "ready":
      return `The force's map (${force.tiles.file}) is drawn over the built-in map from zoom ${force.tiles.min_zoom}.`;
    case "refused":
      return `The force's map file cannot be used: ${force.message} The built-in map is shown instead.`;
  }
}

/** Where the tablet's own position stands. */
export type OwnPosition =
  | { state: "finding" }
  | { state: "none" }
  | { state: "denied" }
  | { state: "unavailable" }
  | { state: "known"; position: Location };

export function coords(p: LatLon): string {
  return `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`;
}

/** One sentence about the tablet's own position, for beside the map. */
export function ownPositionNote(own: OwnPosition): string {
  switch (own.state) {
    case "finding":
      return "Asking the tablet for your position…";
    case "none":
      return "This tablet gives no position, so yours is not on the map.";
    case "denied":
      return "Location is turned off for Liaison, so your position is not on the map.";
    case "unavailable":
      return "The tablet has no position fix yet, so yours is not on the map.";
    case "known": {
      const acc = own.position.accuracy_m;
      return `You are at ${coords(own.position)}${acc ? ` (±${Math.round(acc)} m)` : ""}: the blue dot.`;
    }
  }
}

/** The capture form's position line: placed by hand (no accuracy) or from the tablet. */
export function positionLine(location: Location | null): string {
  if (!location) return "No position: pick the sector, or place it on the map.";
  if (location.accuracy_m === null || location.accuracy_m === undefined) return `Placed on the map at ${coords(location)}.`;
  return `Position from the tablet: ${coords(location)} ±${Math.round(location.accuracy_m)} m.`;
}
