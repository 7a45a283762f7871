// The offline basemap: Natural Earth land (the `world-atlas` package, bundled, loaded on first
// use as its own chunk) turned into rings once. The 1:50m land serves the country view; the
// 1:10m coastline is loaded when the map zooms in past DETAIL_ZOOM.
import { feature } from "topojson-client";
import type { Topology } from "topojson-specification";
import { landRings, type Geometry, type LandRing } from "./geo";

export const DETAIL_ZOOM = 6;
export type Detail = "50m" | "10m";

const cache = new Map<Detail, Promise<LandRing[]>>();

function rings(topology: Topology): LandRing[] {
  const land = topology.objects["land"];
  if (!land) return [];
  const f = feature(topology, land);
  const geometries: Geometry[] = "features" in f ? f.features.map((x) => x.geometry) : [f.geometry];
  return landRings(geometries);
}

export function loadLand(detail: Detail): Promise<LandRing[]> {
  let p = cache.get(detail);
  if (!p) {
    p = (detail === "10m" ? import("world-atlas/land-10m.json") : import("world-atlas/land-50m.json")).then((m) => rings(m.default));
    cache.set(detail, p);
  }
  return p;
}
