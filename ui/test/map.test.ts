import { describe, expect, it } from "vitest";
import { layoutMap } from "../src/map";

describe("operation map layout", () => {
  const square = (lat: number, lon: number, d: number) => [
    { lat, lon },
    { lat, lon: lon + d },
    { lat: lat + d, lon: lon + d },
    { lat: lat + d, lon },
  ];
  it("puts north up and keeps the shape's aspect at the latitude", () => {
    const m = layoutMap([], [{ name: "A", boundary: square(59.5, 0, 1) }], 200, 200, 0);
    // Centred on 60°N, a degree of longitude is half a degree of latitude: the square is twice as tall as wide.
    expect(m.sectors[0]?.points).toBe("50,200 150,200 150,0 50,0");
    expect(m.sectors[0]?.label).toEqual({ x: 100, y: 100 });
    expect(m.area).toBeNull();
  });
  it("fits the area and every sector in the box", () => {
    const m = layoutMap(square(52, -2, 0.02), [{ name: "S", boundary: square(52.005, -1.995, 0.005) }], 300, 150, 10);
    const nums = (m.area ?? "").split(/[ ,]/).map(Number);
    expect(Math.min(...nums)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...nums.filter((_, i) => i % 2 === 0))).toBeLessThanOrEqual(290);
    expect(Math.max(...nums.filter((_, i) => i % 2 === 1))).toBeLessThanOrEqual(140);
  });
  it("draws nothing for an operation with no area", () => {
    expect(layoutMap([], [], 100, 100)).toEqual({ area: null, sectors: [] });
  });
});
