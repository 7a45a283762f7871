import { describe, expect, it } from "vitest";
import {
  basemapPath,
  clickDraft,
  finishProblem,
  fitView,
  formatDegrees,
  gridLines,
  gridStep,
  hitRing,
  labelPoint,
  landRings,
  MAX_TILES,
  metresPerPixel,
  metresToPx,
  pinAt,
  pinLetter,
  placePins,
  tappedLocation,
  tilesInView,
  TILE,
  nearVertex,
  panBy,
  parseLatLon,
  pointInRing,
  project,
  ringPath,
  scaleBar,
  selfIntersects,
  unproject,
  worldPx,
  zoomAt,
  type View,
} from "../src/geo/geo";

const brum: View = { center: { lat: 52.4797, lon: -1.9026 }, zoom: 14, width: 800, height: 600 };
const square = (lat: number, lon: number, d: number) => [
  { lat, lon },
  { lat, lon: lon + d },
  { lat: lat + d, lon: lon + d },
  { lat: lat + d, lon },
];

describe("the map's projection", () => {
  it("puts the null island in the middle of the world and the antimeridian at its edges", () => {
    expect(worldPx({ lat: 0, lon: 0 }, 0)).toEqual({ x: 128, y: 128 });
    expect(worldPx({ lat: 0, lon: -180 }, 1).x).toBe(0);
    expect(worldPx({ lat: 0, lon: 180 }, 1).x).toBe(512);
  });
  it("puts the view's centre in the middle of the screen, north up", () => {
    expect(project(brum, brum.center)).toEqual({ x: 400, y: 300 });
    const north = project(brum, { lat: brum.center.lat + 0.001, lon: brum.center.lon });
    expect(north.y).toBeLessThan(300);
    const east = project(brum, { lat: brum.center.lat, lon: brum.center.lon + 0.001 });
    expect(east.x).toBeGreaterThan(400);
  });
  it("unprojects a screen point back to the lat/lon it came from", () => {
    const p = { lat: 52.48123, lon: -1.89876 };
    const back = unproject(brum, project(brum, p));
    expect(back.lat).toBeCloseTo(p.lat, 9);
    expect(back.lon).toBeCloseTo(p.lon, 9);
  });
  it("pans so that what was under the pointer follows it", () => {
    const p = unproject(brum, { x: 100, y: 100 });
    const moved = panBy(brum, 50, -20);
    const s = project(moved, p);
    expect(s.x).toBeCloseTo(150, 6);
    expect(s.y).toBeCloseTo(80, 6);
  });
  it("zooms about the anchor, keeping the place under it still", () => {
    const anchor = { x: 120, y: 500 };
    const under = unproject(brum, anchor);
    const z = zoomAt(brum, 1, anchor);
    expect(z.zoom).toBe(15);
    const s = project(z, under);
    expect(s.x).toBeCloseTo(anchor.x, 6);
    expect(s.y).toBeCloseTo(anchor.y, 6);
  });
  it("stops zooming at the limits", () => {
    expect(zoomAt({ ...brum, zoom: 19 }, 1).zoom).toBe(19);
    expect(zoomAt({ ...brum, zoom: 2 }, -3).zoom).toBe(2);
  });
  it("fits a set of points in the view, and falls back when there are none", () => {
    const pts = square(52.47, -1.91, 0.02);
    const v = fitView(pts, 800, 600, brum);
    for (const p of pts) {
      const s = project(v, p);
      expect(s.x).toBeGreaterThanOrEqual(0);
      expect(s.x).toBeLessThanOrEqual(800);
      expect(s.y).toBeGreaterThanOrEqual(0);
      expect(s.y).toBeLessThanOrEqual(600);
    }
    expect(v.zoom).toBeGreaterThan(12);
    expect(fitView([], 640, 480, brum)).toEqual({ ...brum, width: 640, height: 480 });
  });
});

describe("the lat/lon grid", () => {
  it("picks a finer step as the map zooms in, at least the given pixels apart", () => {
    const world = gridStep({ ...brum, zoom: 3 });
    const city = gridStep(brum);
    expect(world).toBeGreaterThan(city);
    const pxPerDegree = (256 * 2 ** 14) / 360;
    expect(city * pxPerDegree).toBeGreaterThanOrEqual(90);
  });
  it("labels lines with hemispheres and as many decimals as the step needs", () => {
    const g = gridLines(brum);
    expect(g.meridians.length).toBeGreaterThan(1);
    expect(g.parallels.length).toBeGreaterThan(1);
    expect(g.meridians.every((m) => m.label.endsWith("°W"))).toBe(true);
    expect(g.parallels.every((m) => m.label.endsWith("°N"))).toBe(true);
    for (const m of g.meridians) expect(m.pos).toBeGreaterThanOrEqual(0);
    expect(formatDegrees(-1.905, "lon", 3)).toBe("1.905°W");
    expect(formatDegrees(0, "lat", 2)).toBe("0°");
  });
  it("gives a round scale bar", () => {
    const s = scaleBar(brum);
    expect(s.label).toMatch(/^(1|2|5)(0*) m$|^(1|2|5)(0*) km$/);
    expect(s.px).toBeLessThanOrEqual(120);
    expect(s.px).toBeGreaterThan(40);
  });
});

describe("shapes and hit-testing", () => {
  it("draws a closed path for a ring and an open one for a drawing in progress", () => {
    const ring = square(52.47, -1.91, 0.01);
    expect(ringPath(brum, ring).endsWith("Z")).toBe(true);
    expect(ringPath(brum, ring, true).endsWith("Z")).toBe(false);
    expect(ringPath(brum, [])).toBe("");
  });
  it("labels a polygon at its centroid", () => {
    const v: View = { center: { lat: 0, lon: 0 }, zoom: 10, width: 400, height: 400 };
    const ring = [
      unproject(v, { x: 100, y: 100 }),
      unproject(v, { x: 300, y: 100 }),
      unproject(v, { x: 300, y: 300 }),
      unproject(v, { x: 100, y: 300 }),
    ];
    expect(labelPoint(v, ring)).toEqual({ x: 200, y: 200 });
  });
  it("finds which sector a point is in, the last drawn on top", () => {
    const a = square(52.47, -1.91, 0.02);
    const b = square(52.475, -1.905, 0.005);
    expect(pointInRing({ lat: 52.48, lon: -1.9 }, a)).toBe(true);
    expect(pointInRing({ lat: 52.5, lon: -1.9 }, a)).toBe(false);
    expect(hitRing({ lat: 52.477, lon: -1.903 }, [a, b])).toBe(1);
    expect(hitRing({ lat: 52.471, lon: -1.909 }, [a, b])).toBe(0);
    expect(hitRing({ lat: 10, lon: 10 }, [a, b])).toBe(-1);
  });
  it("finds a vertex within a few pixels of a click", () => {
    const ring = square(52.47, -1.91, 0.01);
    const s = project(brum, ring[2]!);
    expect(nearVertex(brum, ring, { x: s.x + 3, y: s.y - 4 })).toBe(2);
    expect(nearVertex(brum, ring, { x: s.x + 30, y: s.y })).toBe(-1);
  });
});

describe("drawing a polygon by clicking", () => {
  it("adds a vertex per click, rounded to six decimals", () => {
    let pts = clickDraft(brum, [], { x: 100, y: 100 }).points;
    pts = clickDraft(brum, pts, { x: 300, y: 100 }).points;
    expect(pts).toHaveLength(2);
    expect(String(pts[0]!.lat).split(".")[1]!.length).toBeLessThanOrEqual(6);
  });
  it("ignores a second click on the last vertex (a double click)", () => {
    const one = clickDraft(brum, [], { x: 100, y: 100 }).points;
    expect(clickDraft(brum, one, { x: 101, y: 100 })).toEqual({ kind: "added", points: one });
  });
  it("closes the polygon on a click at its first vertex once it has three", () => {
    let pts = clickDraft(brum, [], { x: 100, y: 100 }).points;
    pts = clickDraft(brum, pts, { x: 300, y: 100 }).points;
    expect(clickDraft(brum, pts, { x: 102, y: 101 }).kind).toBe("added");
    pts = clickDraft(brum, pts, { x: 300, y: 300 }).points;
    const step = clickDraft(brum, pts, { x: 102, y: 101 });
    expect(step.kind).toBe("closed");
    expect(step.points).toHaveLength(3);
  });
  it("refuses to finish fewer than three different points or a figure of eight", () => {
    expect(finishProblem(square(1, 1, 1).slice(0, 2))).toMatch(/three/);
    const p = { lat: 1, lon: 1 };
    expect(finishProblem([p, p, p, { lat: 2, lon: 2 }])).toMatch(/three/);
    const bowtie = [
      { lat: 0, lon: 0 },
      { lat: 1, lon: 1 },
      { lat: 1, lon: 0 },
      { lat: 0, lon: 1 },
    ];
    expect(selfIntersects(bowtie)).toBe(true);
    expect(finishProblem(bowtie)).toMatch(/cross/);
    expect(selfIntersects(square(0, 0, 1))).toBe(false);
    expect(finishProblem(square(0, 0, 1))).toBeNull();
  });
  it("reads a typed position in decimal degrees, with or without hemispheres", () => {
    expect(parseLatLon("52.4797, -1.9026")).toEqual({ lat: 52.4797, lon: -1.9026 });
    expect(parseLatLon("52.4797 -1.9026")).toEqual({ lat: 52.4797, lon: -1.9026 });
    expect(parseLatLon("52.4797°N, 1.9026°W")).toEqual({ lat: 52.4797, lon: -1.9026 });
    expect(parseLatLon("95, 0")).toBeNull();
    expect(parseLatLon("Birmingham")).toBeNull();
  });
});

describe("the basemap", () => {
  const island = { type: "Polygon", coordinates: [[[-2, 52], [-1.8, 52], [-1.8, 52.8], [-2, 52.8], [-2, 52]]] };
  const far = { type: "MultiPolygon", coordinates: [[[[100, 10], [101, 10], [101, 11], [100, 10]]]] };

  it("reads polygon rings with their bounding boxes", () => {
    const rings = landRings([island, far, { type: "Point" }]);
    expect(rings).toHaveLength(2);
    expect(rings[0]).toMatchObject({ west: -2, east: -1.8, south: 52, north: 52.8 });
  });
  it("leaves out land outside the view", () => {
    const rings = landRings([far]);
    expect(basemapPath(brum, rings)).toBe("");
  });
  it("moves vertices far outside the view onto its edge without changing what is shaded inside", () => {
    // A jagged coast around Birmingham with most of its vertices far outside the view.
    const coords: number[][] = [];
    for (let i = 0; i <= 200; i++) coords.push([-3 + i * 0.01, 52 + (i % 2) * 0.003]);
    for (let i = 0; i <= 100; i++) coords.push([-1 + (i % 2) * 0.003, 52 + i * 0.01]);
    coords.push([-1.9, 52.478], [-1.905, 52.485]); // a bay reaching into the view
    for (let i = 0; i <= 200; i++) coords.push([-1 - i * 0.01, 53]);
    coords.push([-3, 52]);
    const rings = landRings([{ type: "Polygon", coordinates: [coords] }]);
    const d = basemapPath(brum, rings, 0.75, 16);
    const pts = d
      .replace(/Z/g, "")
      .split(/[ML]/)
      .filter(Boolean)
      .map((xy) => xy.trim().split(" ").map(Number) as [number, number]);
    expect(pts.length).toBeLessThan(40);
    const inside = (poly: [number, number][], x: number, y: number) => {
      let c = false;
      for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
        const [xi, yi] = poly[i]!;
        const [xj, yj] = poly[j]!;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
      }
      return c;
    };
    const original = coords.map(([lon, lat]) => {
      const s = project(brum, { lat: lat!, lon: lon! });
      return [s.x, s.y] as [number, number];
    });
    for (let x = 5; x < 800; x += 37) {
      for (let y = 5; y < 600; y += 29) expect(inside(pts, x, y)).toBe(inside(original, x, y));
    }
  });
  it("drops vertices closer together than the tolerance", () => {
    const dense = Array.from({ length: 1000 }, (_, i) => [-1.91 + (i / 1000) * 1e-4, 52.47]);
    const ring = landRings([{ type: "Polygon", coordinates: [[...dense, [-1.9, 52.49], [-1.91, 52.49]]] }]);
    const d = basemapPath(brum, ring);
    expect((d.match(/[ML]/g) ?? []).length).toBeLessThan(20);
  });
});

describe("a tap on the map", () => {
  it("places the lat/lon under the finger, to 6 decimals, with no accuracy (placed by hand)", () => {
    const at = { x: 612, y: 143 };
    const loc = tappedLocation(brum, at);
    expect(loc.accuracy_m).toBeNull();
    const exact = unproject(brum, at);
    expect(Math.abs(loc.lat - exact.lat)).toBeLessThanOrEqual(5e-7);
    expect(Math.abs(loc.lon - exact.lon)).toBeLessThanOrEqual(5e-7);
    // And back: the saved position is drawn where the finger was, within a tenth of a pixel at
    // street zoom (6 decimals is about 0.1 m).
    const street = { ...brum, zoom: 18 };
    const placed = tappedLocation(street, at);
    const back = project(street, placed);
    expect(Math.abs(back.x - at.x)).toBeLessThan(0.2);
    expect(Math.abs(back.y - at.y)).toBeLessThan(0.2);
  });
  it("at the centre places the view's centre", () => {
    const loc = tappedLocation(brum, { x: 400, y: 300 });
    expect(loc.lat).toBeCloseTo(brum.center.lat, 6);
    expect(loc.lon).toBeCloseTo(brum.center.lon, 6);
  });
  it("never places a longitude off the globe, however far the world view is panned", () => {
    const world = { center: { lat: 0, lon: 179 }, zoom: 2, width: 1600, height: 600 };
    expect(tappedLocation(world, { x: 1599, y: 300 }).lon).toBeLessThanOrEqual(180);
  });
});

describe("pins", () => {
  const pin = (id: string, lat: number, lon: number) => ({ record_id: id, lat, lon, letter: "C", title: id });
  it("gives each kind its letter, so pins differ without colour", () => {
    expect(["tension_reading", "escalation", "rumour_report", "negotiation_outcome", "contact_note", "tasking"].map((k) => pinLetter(k as never))).toEqual([
      "T",
      "E",
      "R",
      "N",
      "C",
      "•",
    ]);
  });
  it("spreads pins on the same spot round it, apart enough to tap and near where they were recorded", () => {
    const spot = project(brum, { lat: 52.48, lon: -1.9 });
    const placed = placePins(
      brum,
      Array.from({ length: 30 }, (_, i) => pin(`p${i}`, 52.48, -1.9)),
    );
    expect(placed[0]!.at).toEqual(spot);
    for (let i = 0; i < placed.length; i++) {
      const a = placed[i]!.at;
      expect(Math.hypot(a.x - spot.x, a.y - spot.y)).toBeLessThanOrEqual(24 * Math.sqrt(29) + 1e-9);
      for (let j = i + 1; j < placed.length; j++) {
        const b = placed[j]!.at;
        expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThan(18);
      }
    }
    // A pin elsewhere is not moved.
    const alone = placePins(brum, [pin("a", 52.48, -1.9), pin("far", 52.47, -1.9)]);
    expect(alone[1]!.at).toEqual(project(brum, { lat: 52.47, lon: -1.9 }));
  });
  it("hit-tests a tap to the nearest pin within the 44 px target, and to none beyond it", () => {
    const pins = [pin("a", 52.48, -1.9), pin("b", 52.4801, -1.896)];
    const a = project(brum, pins[0]!);
    expect(pinAt(brum, pins, a)?.record_id).toBe("a");
    expect(pinAt(brum, pins, { x: a.x + 21, y: a.y })?.record_id).toBe("a");
    expect(pinAt(brum, pins, { x: a.x, y: a.y + 23 })).toBeNull();
    const b = project(brum, pins[1]!);
    expect(pinAt(brum, pins, { x: b.x - 3, y: b.y + 2 })?.record_id).toBe("b");
    expect(pinAt(brum, [], a)).toBeNull();
  });
  it("draws an accuracy circle to scale", () => {
    const px = metresToPx(brum, brum.center, 100);
    expect(px).toBeCloseTo(100 / metresPerPixel(brum), 9);
    expect(metresToPx({ ...brum, zoom: 15 }, brum.center, 100)).toBeCloseTo(2 * px, 9);
  });
});

describe("a force's own tiles", () => {
  const source = { minZoom: 10, maxZoom: 16, bounds: null };
  const tileOf = (lat: number, lon: number, z: number) => {
    const w = worldPx({ lat, lon }, z);
    return { x: Math.floor(w.x / TILE), y: Math.floor(w.y / TILE) };
  };
  it("covers the view with the tiles of its zoom, each where the projection puts it", () => {
    const tiles = tilesInView(brum, source);
    expect(new Set(tiles.map((t) => t.z))).toEqual(new Set([14]));
    // 800×600 at 256 px a tile: 4 or 5 across, 3 or 4 down.
    expect(tiles.length).toBeGreaterThanOrEqual(12);
    expect(tiles.length).toBeLessThanOrEqual(20);
    const centre = tileOf(brum.center.lat, brum.center.lon, 14);
    const t = tiles.find((x) => x.x === centre.x && x.y === centre.y);
    expect(t).toBeDefined();
    // The centre's lat/lon falls inside that tile on the screen.
    expect(t!.left).toBeLessThanOrEqual(400);
    expect(t!.left + t!.size).toBeGreaterThan(400);
    expect(t!.top).toBeLessThanOrEqual(300);
    expect(t!.top + t!.size).toBeGreaterThan(300);
    // Its north-west corner is where that corner's lat/lon projects.
    const nw = unproject(brum, { x: t!.left + 1.5, y: t!.top + 1.5 });
    expect(tileOf(nw.lat, nw.lon, 14)).toEqual(centre);
  });
  it("leaves no gap between neighbouring tiles", () => {
    const tiles = tilesInView({ ...brum, zoom: 14.4 }, source);
    for (const t of tiles) {
      const right = tiles.find((u) => u.x === t.x + 1 && u.y === t.y);
      if (right) expect(right.left).toBeLessThanOrEqual(t.left + t.size);
      const below = tiles.find((u) => u.x === t.x && u.y === t.y + 1);
      if (below) expect(below.top).toBeLessThanOrEqual(t.top + t.size);
    }
  });
  it("zoomed in past the deepest level, draws that level's tiles larger", () => {
    const tiles = tilesInView({ ...brum, zoom: 18 }, source);
    expect(tiles.every((t) => t.z === 16 && t.size >= 4 * TILE && t.size <= 4 * TILE + 1)).toBe(true);
    expect(tiles.length).toBeLessThanOrEqual(9);
  });
  it("draws none zoomed out beyond the shallowest level, or too many to fetch", () => {
    expect(tilesInView({ ...brum, zoom: 9 }, source)).toEqual([]);
    const wide = { ...brum, width: 8000, height: 6000 };
    expect(tilesInView(wide, source)).toEqual([]);
    expect(MAX_TILES).toBeGreaterThanOrEqual(20);
  });
  it("asks only for tiles inside the file's bounds", () => {
    const c = tileOf(brum.center.lat, brum.center.lon, 14);
    const bounded = { ...source, bounds: { west: -1.91, south: 52.475, east: -1.9, north: 52.485 } };
    const tiles = tilesInView(brum, bounded);
    expect(tiles.length).toBeGreaterThan(0);
    expect(tiles.length).toBeLessThan(tilesInView(brum, source).length);
    expect(tiles.some((t) => t.x === c.x && t.y === c.y)).toBe(true);
    const away = { ...source, bounds: { west: 10, south: 10, east: 11, north: 11 } };
    expect(tilesInView(brum, away)).toEqual([]);
  });
});
