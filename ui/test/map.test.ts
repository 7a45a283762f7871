import { describe, expect, it } from "vitest";
import type { ForceMap, OperationMap } from "../src/bindings";
import { project } from "../src/geo/geo";
import {
  COUNTRY_VIEW,
  firstView,
  forceMapNote,
  forceTiles,
  mapPins,
  mapPoints,
  mapSectors,
  ownPositionNote,
  pinTitle,
  positionLine,
  STREET_ZOOM,
} from "../src/map";

const square = (lat: number, lon: number, d: number) => [
  { lat, lon },
  { lat, lon: lon + d },
  { lat: lat + d, lon: lon + d },
  { lat: lat + d, lon },
];

const op: OperationMap = {
  operation_id: "op-1",
  area: square(52.47, -1.92, 0.03),
  sectors: [
    {
      name: "North",
      boundary: square(52.48, -1.91, 0.005),
      latest: { record_id: "t1", sector: "North", at: "2026-06-06T10:00:00Z", mood: "tense", level: 4, crowd_estimate: null },
    },
    { name: "South", boundary: square(52.472, -1.91, 0.005), latest: null },
  ],
  pins: [
    {
      record_id: "r1",
      kind: "rumour_report",
      title: "A van is coming",
      occurred_at: "2026-06-06T10:05:00Z",
      location: { lat: 52.482, lon: -1.908, accuracy_m: 8 },
      sector: "North",
    },
    {
      record_id: "c1",
      kind: "contact_note",
      title: "Spoke with the steward",
      occurred_at: "2026-06-06T10:09:00Z",
      location: { lat: 52.474, lon: -1.905, accuracy_m: null },
      sector: "South",
    },
  ],
  more_located: false,
};

describe("the operation's map", () => {
  it("shades each sector by its latest reading and says it in its label", () => {
    const s = mapSectors(op, (m) => (m === "tense" ? "Tense" : m));
    expect(s.map((x) => [x.name, x.level, x.note])).toEqual([
      ["North", 4, "4 Tense"],
      ["South", undefined, "No reading"],
    ]);
  });
  it("pins each located record with its kind's letter and a title that says what it is", () => {
    const pins = mapPins(op, (k) => (k === "rumour_report" ? "Rumour" : "Contact note"));
    expect(pins).toEqual([
      { record_id: "r1", lat: 52.482, lon: -1.908, letter: "R", title: "Rumour: A van is coming" },
      { record_id: "c1", lat: 52.474, lon: -1.905, letter: "C", title: "Contact note: Spoke with the steward" },
    ]);
  });
  it("names a pin's kind unless its title already does", () => {
    expect(pinTitle("Tension reading", "Tension: Calm")).toBe("Tension: Calm");
    expect(pinTitle("Rumour report", "A van is coming")).toBe("Rumour report: A van is coming");
    expect(pinTitle("Contact note", "Spoke with the steward")).toBe("Contact note: Spoke with the steward");
  });
  it("first shows the whole area, its sectors and every pin", () => {
    const view = firstView(mapPoints(op), null, 800, 420);
    for (const p of mapPoints(op)) {
      const s = project(view, p);
      expect(s.x).toBeGreaterThanOrEqual(0);
      expect(s.x).toBeLessThanOrEqual(800);
      expect(s.y).toBeGreaterThanOrEqual(0);
      expect(s.y).toBeLessThanOrEqual(420);
    }
    expect(view.zoom).toBeGreaterThan(12);
  });
  it("with nothing to show looks round a position if there is one, else at the country", () => {
    expect(firstView([], { lat: 51.5, lon: -0.12 }, 640, 360)).toEqual({ center: { lat: 51.5, lon: -0.12 }, zoom: STREET_ZOOM, width: 640, height: 360 });
    expect(firstView([], null, 640, 360)).toEqual({ ...COUNTRY_VIEW, width: 640, height: 360 });
  });
});

describe("the force's own map file", () => {
  const ready: ForceMap = {
    state: "ready",
    tiles: { file: "wm.pmtiles", format: "png", min_zoom: 12, max_zoom: 18, bounds: null, attribution: "© West Midlands Police" },
  };
  const url = (z: number, x: number, y: number) => `maptiles://localhost/${z}%2F${x}%2F${y}`;
  it("is drawn from its zoom range with its attribution, or the file's name when it has none", () => {
    const t = forceTiles(ready, url);
    expect(t).toMatchObject({ minZoom: 12, maxZoom: 18, bounds: null, attribution: "© West Midlands Police" });
    expect(t?.url(15, 1, 2)).toBe("maptiles://localhost/15%2F1%2F2");
    if (ready.state !== "ready") throw new Error("ready");
    expect(forceTiles({ state: "ready", tiles: { ...ready.tiles, attribution: "" } }, url)?.attribution).toBe("wm.pmtiles");
  });
  it("is not drawn when there is none or it was refused, and a refusal is told to the officer", () => {
    const refused: ForceMap = { state: "refused", file: "wm.pmtiles", message: "wm.pmtiles is damaged (its header is invalid). Ask force IT for a fresh copy of the map." };
    expect(forceTiles({ state: "none" }, url)).toBeNull();
    expect(forceTiles(refused, url)).toBeNull();
    expect(forceTiles(null, url)).toBeNull();
    expect(forceMapNote({ state: "none" })).toBeNull();
    expect(forceMapNote(refused)).toBe(
      "The force's map file cannot be used: wm.pmtiles is damaged (its header is invalid). Ask force IT for a fresh copy of the map. The built-in map is shown instead.",
    );
    expect(forceMapNote(ready)).toContain("wm.pmtiles");
  });
});

describe("what the map says it cannot show", () => {
  it("says why the officer's own position is missing, without calling it an error", () => {
    expect(ownPositionNote({ state: "none" })).toBe("This tablet gives no position, so yours is not on the map.");
    expect(ownPositionNote({ state: "denied" })).toBe("Location is turned off for Liaison, so your position is not on the map.");
    expect(ownPositionNote({ state: "unavailable" })).toContain("no position fix yet");
    expect(ownPositionNote({ state: "known", position: { lat: 52.4797, lon: -1.9026, accuracy_m: 12.4 } })).toBe(
      "You are at 52.47970, -1.90260 (±12 m): the blue dot.",
    );
  });
  it("tells a position placed by hand from one the tablet gave", () => {
    expect(positionLine(null)).toBe("No position: pick the sector, or place it on the map.");
    expect(positionLine({ lat: 52.4812345, lon: -1.9, accuracy_m: null })).toBe("Placed on the map at 52.48123, -1.90000.");
    expect(positionLine({ lat: 52.48, lon: -1.9, accuracy_m: 7.6 })).toBe("Position from the tablet: 52.48000, -1.90000 ±8 m.");
  });
});
