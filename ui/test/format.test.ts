import { describe, expect, it } from "vitest";
import { duration, fieldName, fromLocalInput, median, plural, toLocalInput, when } from "../src/format";

describe("format", () => {
  it("shows today's times without a date and other days with one", () => {
    const now = new Date(2026, 5, 6, 15, 0);
    expect(when(new Date(2026, 5, 6, 14, 5).toISOString(), now)).toBe("14:05");
    expect(when(new Date(2026, 5, 5, 9, 30).toISOString(), now)).toMatch(/5 Jun.*09:30/);
    expect(when("not a time", now)).toBe("not a time");
  });
  it("converts datetime-local values both ways", () => {
    const iso = new Date(2026, 5, 6, 14, 5).toISOString();
    expect(toLocalInput(iso)).toBe("2026-06-06T14:05");
    expect(fromLocalInput("2026-06-06T14:05")).toBe(iso);
    expect(fromLocalInput("")).toBeNull();
    expect(fromLocalInput("garbage")).toBeNull();
  });
  it("maps the core's field paths to form fields", () => {
    expect(fieldName("body.summary")).toBe("summary");
    expect(fieldName("body.conditions[2]")).toBe("conditions");
    expect(fieldName("body.control_actions[0].told")).toBe("told");
    expect(fieldName("occurred_at")).toBe("occurred_at");
  });
  it("pluralises", () => {
    expect(plural(1, "record")).toBe("1 record");
    expect(plural(0, "record")).toBe("0 records");
  });
  it("says a span of time as a person would", () => {
    expect(duration(40)).toBe("40 s");
    expect(duration(12 * 60 + 10)).toBe("12 min");
    expect(duration(65 * 60)).toBe("1 h 05 min");
  });

  it("takes the median of an even and an odd count, and of none", () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([10, 40, 20, 30])).toBe(25);
    expect(median([])).toBeNull();
  });
});
