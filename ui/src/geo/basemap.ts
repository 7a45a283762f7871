// The offline basemap: Natural Earth land (the `world-atlas` package), bundled as files beside
// the app's own (Vite emits each as an asset: no CDN) and turned into rings once. The 1:50m
// land serves the country view; the 1:10m coast is loaded when the map zooms in past
// DETAIL_ZOOM. Each file is fetched from the app's own origin and parsed here rather than
// imported as a module: a module's parsed JSON would stay alive for the life of the page
// (about 32 MiB for the 1:10m topology), where only its rings (10 MiB) are needed.
import { feature } from "topojson-client";
import type { Topology } from "topojson-specification";
import land10mUrl from "world-atlas/land-10m.json?url";
import land50mUrl from "world-atlas/land-50m.json?url";
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

async function fetchLand(url: string): Promise<LandRing[]> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`the basemap file ${url} answered ${r.status}`);
  const topology: Topology = await r.json();
  return rings(topology);
}

export function loadLand(detail: Detail): Promise<LandRing[]> {
  let p = cache.get(detail);
  if (!p) {
    p = fetchLand(detail === "10m" ? land10mUrl : land50mUrl);
    // A failed load may be tried again when the map next asks.
    p.catch(() => cache.delete(detail));
    cache.set(detail, p);
  }
  return p;
}
