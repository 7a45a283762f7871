// Geometry of the tension chart: mood (1 calm … 5 hostile) by sector over time. Pure, so the
// scales are unit-tested; the component only draws what this returns.
import type { TensionSeries } from "./bindings";
import { MOOD_LEVELS } from "./format";

export interface Box {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface ChartPoint {
  x: number;
  y: number;
  at: string;
  level: number;
}

export interface ChartLine {
  sector: string;
  /** 0-based series index: picks colour, dash and marker so lines differ without colour. */
  style: number;
  points: ChartPoint[];
  path: string;
}

export interface Tick {
  pos: number;
  label: string;
}

export interface ChartLayout {
  lines: ChartLine[];
  xTicks: Tick[];
  yTicks: Tick[];
}

export const NO_SECTOR = "No sector";

export function layoutChart(series: TensionSeries, box: Box, tickEveryMinutes = 60): ChartLayout {
  const t0 = Date.parse(series.starts_at);
  const t1 = Math.max(Date.parse(series.ends_at), t0 + 60_000);
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const x = (ms: number) => box.left + ((ms - t0) / (t1 - t0)) * plotW;
  const y = (level: number) => box.top + ((5 - level) / 4) * plotH;
  const round = (n: number) => Math.round(n * 10) / 10;

  const names = [...series.sectors];
  const bySector = new Map<string, ChartPoint[]>();
  for (const p of series.points) {
    const s = p.sector ?? NO_SECTOR;
    if (!names.includes(s)) names.push(s);
    const list = bySector.get(s) ?? [];
    list.push({ x: round(x(Date.parse(p.at))), y: round(y(p.level)), at: p.at, level: p.level });
    bySector.set(s, list);
  }
  const lines = names
    .map((sector, style) => {
      const points = (bySector.get(sector) ?? []).sort((a, b) => a.x - b.x);
      const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ");
      return { sector, style, points, path };
    })
    .filter((l) => l.points.length > 0);

  const xTicks: Tick[] = [];
  const step = tickEveryMinutes * 60_000;
  for (let ms = Math.ceil(t0 / step) * step; ms <= t1; ms += step) {
    const d = new Date(ms);
    xTicks.push({
      pos: round(x(ms)),
      label: `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`,
    });
  }
  const yTicks = MOOD_LEVELS.map((label, i) => ({ pos: round(y(i + 1)), label }));
  return { lines, xTicks, yTicks };
}
