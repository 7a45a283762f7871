import { describe, expect, it } from "vitest";
import { layoutChart, NO_SECTOR } from "../src/chart";

const box = { width: 500, height: 240, left: 100, right: 0, top: 20, bottom: 20 };

describe("tension chart layout", () => {
  const series = {
    sectors: ["North", "South", "East"],
    starts_at: "2026-06-06T10:00:00Z",
    ends_at: "2026-06-06T14:00:00Z",
    points: [
      { record_id: "1", sector: "North", at: "2026-06-06T10:00:00Z", mood: "calm", level: 1, crowd_estimate: null },
      { record_id: "2", sector: "South", at: "2026-06-06T12:00:00Z", mood: "hostile", level: 5, crowd_estimate: 100 },
      { record_id: "3", sector: "North", at: "2026-06-06T14:00:00Z", mood: "uneasy", level: 3, crowd_estimate: null },
      { record_id: "4", sector: null, at: "2026-06-06T11:00:00Z", mood: "tense", level: 4, crowd_estimate: null },
    ],
  } as const;
  const c = layoutChart({ ...series, sectors: [...series.sectors], points: [...series.points] }, box);
  it("places time left to right and calm at the bottom", () => {
    const north = c.lines.find((l) => l.sector === "North");
    expect(north?.points.map((p) => [p.x, p.y])).toEqual([
      [100, 220],
      [500, 120],
    ]);
    expect(north?.path).toBe("M100,220 L500,120");
    const south = c.lines.find((l) => l.sector === "South");
    expect(south?.points[0]).toMatchObject({ x: 300, y: 20 });
  });
  it("draws only sectors with readings, keeps a stable style per sector, and shows unplaced readings", () => {
    expect(c.lines.map((l) => [l.sector, l.style])).toEqual([
      ["North", 0],
      ["South", 1],
      [NO_SECTOR, 3],
    ]);
  });
  it("labels the mood axis and ticks every hour", () => {
    expect(c.yTicks.map((t) => t.label)).toEqual(["Calm", "Good-natured", "Uneasy", "Tense", "Hostile"]);
    expect(c.yTicks[0]?.pos).toBe(220);
    expect(c.xTicks).toHaveLength(5);
  });
});
