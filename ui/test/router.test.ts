import { describe, expect, it } from "vitest";
import { href, parseRoute, type Route } from "../src/router";

describe("routes", () => {
  const routes: Route[] = [
    { name: "operations" },
    { name: "home", op: "0190-a" },
    { name: "capture", op: "0190-a", kind: "contact_note" },
    { name: "timeline", op: "0190-a", saved: null },
    { name: "timeline", op: "0190-a", saved: "0190-b" },
    { name: "rumours", op: "x" },
    { name: "negotiations", op: "x" },
    { name: "tension", op: "x" },
    { name: "directory" },
    { name: "search", q: "route change" },
    { name: "record", id: "r1" },
    { name: "edit", id: "r1" },
    { name: "new", kind: "tasking" },
    { name: "neighbourhood" },
    { name: "passcode" },
  ];
  it("round-trip through the hash", () => {
    for (const r of routes) expect(parseRoute(href(r))).toEqual(r);
  });
  it("send anything unknown to the operations list", () => {
    expect(parseRoute("#/nonsense/1")).toEqual({ name: "operations" });
    expect(parseRoute("")).toEqual({ name: "operations" });
    expect(parseRoute("#/op/")).toEqual({ name: "operations" });
  });
  it("encode what they carry", () => {
    expect(href({ name: "search", q: "a&b" })).toBe("#/search?q=a%26b");
    expect(parseRoute("#/search?q=a%26b")).toEqual({ name: "search", q: "a&b" });
  });
});
