import { describe, expect, it } from "vitest";
import { fileName } from "../src/console/download";
import { defaultPeriod, shownText } from "../src/console/pages/Statistics";

describe("exports and statistics", () => {
  it("save a download under the server's plain file name, never a path", () => {
    expect(fileName('attachment; filename="operation-kestrel-20260606-1200.csv"', "x.csv")).toBe("operation-kestrel-20260606-1200.csv");
    expect(fileName("attachment; filename=directory.json", "x.json")).toBe("directory.json");
    expect(fileName('attachment; filename="../../etc/passwd"', "x.csv")).toBe("x.csv");
    expect(fileName(null, "x.csv")).toBe("x.csv");
  });

  it("read published counts as a partner does", () => {
    expect(shownText({ shown: "count", count: 12 })).toBe("12");
    expect(shownText({ shown: "count", count: 0 })).toBe("0");
    expect(shownText({ shown: "small" })).toBe("<5");
    expect(shownText({ shown: "suppressed" })).toBe("[c]");
  });

  it("ask for the twelve months to now by default", () => {
    expect(defaultPeriod(new Date(Date.UTC(2026, 10, 30)))).toEqual({ from: "2025-12", to: "2026-11" });
    expect(defaultPeriod(new Date(Date.UTC(2026, 0, 5)))).toEqual({ from: "2025-02", to: "2026-01" });
  });
});
