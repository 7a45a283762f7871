// Intelligence quality assurance in the UIs: the tablet's route from a contact note to a new
// submission, the console's page for supervisors and commanders only, and the 3x5x2 code.
import { describe, expect, it } from "vitest";
import { href, parseRoute } from "../src/router";
import { href as consoleHref, mayOpen, parseRoute as consoleRoute } from "../src/console/router";
import { gradingCode } from "../src/console/pages/Intelligence";

describe("intelligence", () => {
  it("reaches the submit-as-intelligence screen from a note's id and back", () => {
    const r = { name: "intelligence-from-note", id: "0190-ab" } as const;
    expect(href(r)).toBe("#/record/0190-ab/intelligence");
    expect(parseRoute(href(r))).toEqual(r);
    expect(parseRoute("#/record/0190-ab")).toEqual({ name: "record", id: "0190-ab" });
  });

  it("opens the console's queue to supervisors and commanders, never to force IT or officers", () => {
    expect(consoleRoute(consoleHref({ name: "intelligence" }))).toEqual({ name: "intelligence" });
    for (const role of ["supervisor", "bronze", "silver", "gold"] as const) expect(mayOpen(role, { name: "intelligence" })).toBe(true);
    for (const role of ["admin", "officer"] as const) expect(mayOpen(role, { name: "intelligence" })).toBe(false);
  });

  it("writes the grading as on the form", () => {
    expect(gradingCode({ source: "untested", assessment: "known_indirectly_corroborated", handling: "conditions" })).toBe("2/B/C");
    expect(gradingCode({ source: "reliable", assessment: "suspected_false", handling: "lawful" })).toBe("1/E/P");
  });
});
