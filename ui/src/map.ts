// Geometry of the operation's map: the area and its sectors projected onto an SVG box
// (equirectangular, longitude scaled by the cosine of the latitude, aspect kept, north up).
import type { LatLon, Sector } from "./bindings";

export interface MapShape {
  name: string;
  points: string;
  label: { x: number; y: number };
}

export interface MapLayout {
  area: string | null;
  sectors: MapShape[];
}

export function layoutMap(area: LatLon[], sectors: Sector[], width: number, height: number, pad = 8): MapLayout {
  const all = [...area, ...sectors.flatMap((s) => s.boundary)];
  if (all.length === 0) return { area: null, sectors: [] };
  const meanLat = all.reduce((a, p) => a + p.lat, 0) / all.length;
  const k = Math.cos((meanLat * Math.PI) / 180);
  const xs = all.map((p) => p.lon * k);
  const ys = all.map((p) => p.lat);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const minY = Math.min(...ys);
  const maxY = Math.max(...ys);
  const spanX = Math.max(maxX - minX, 1e-9);
  const spanY = Math.max(maxY - minY, 1e-9);
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const offX = (width - spanX * scale) / 2;
  const offY = (height - spanY * scale) / 2;
  const r = (n: number) => Math.round(n * 10) / 10;
  const project = (p: LatLon) => ({ x: r(offX + (p.lon * k - minX) * scale), y: r(offY + (maxY - p.lat) * scale) });
  const ring = (pts: LatLon[]) =>
    pts
      .map(project)
      .map((p) => `${p.x},${p.y}`)
      .join(" ");
  return {
    area: area.length >= 3 ? ring(area) : null,
    sectors: sectors.map((s) => {
      const pts = s.boundary.map(project);
      const cx = pts.reduce((a, p) => a + p.x, 0) / Math.max(pts.length, 1);
      const cy = pts.reduce((a, p) => a + p.y, 0) / Math.max(pts.length, 1);
      return { name: s.name, points: ring(s.boundary), label: { x: r(cx), y: r(cy) } };
    }),
  };
}
