import { describe, expect, it } from "vitest";
import { cells, madeBy, shownValue, versionName } from "../src/console/pages/Conflicts";
import type { ConflictVersion } from "../src/console/bindings";

describe("a conflict's versions side by side", () => {
  it("names the versions in the order they arrived", () => {
    expect([0, 1, 2].map(versionName)).toEqual(["Version A", "Version B", "Version C"]);
  });
  it("says who made a version by name when the directory has it", () => {
    const v = { author: "PC 1101", author_name: "Alex Kerr" } as ConflictVersion;
    expect(madeBy(v)).toBe("Alex Kerr (PC 1101)");
    expect(madeBy({ ...v, author_name: null })).toBe("PC 1101");
  });
  it("shows nothing as a dash and times in local time", () => {
    expect(shownValue("")).toBe("—");
    expect(shownValue("Chief steward")).toBe("Chief steward");
    expect(shownValue("2026-06-06T12:00:00Z")).toMatch(/2026/);
    expect(shownValue("2026-06-06T12:00:00Z")).not.toContain("T12");
    // Two versions' times may differ by seconds only: the seconds are shown.
    expect(shownValue("2026-06-06T12:00:07Z")).not.toBe(shownValue("2026-06-06T12:00:09Z"));
  });
  it("shows values as stored when they differ but would read the same", () => {
    const apart = ["2026-06-06T12:00:07.120Z", "2026-06-06T12:00:07.480Z"];
    expect(cells(apart, true)).toEqual(apart);
    expect(cells(["", "Bob"], true)).toEqual(["—", "Bob"]);
    expect(cells(["2026-06-06T12:00:07Z", "2026-06-06T12:00:07Z"], false)[0]).not.toContain("T12");
  });
});
