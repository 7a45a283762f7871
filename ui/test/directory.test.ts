import { describe, expect, it } from "vitest";
import type { RecordSummary } from "../src/bindings";
import { filterDirectory } from "../src/directory";

const entry = (title: string, kind: RecordSummary["kind"]): RecordSummary => ({
  record_id: title,
  kind,
  title,
  operation_id: null,
  author: "PS 2817",
  occurred_at: "2026-06-06T10:00:00Z",
  updated_at: "2026-06-06T10:00:00Z",
  updated_by: "PS 2817",
  sector: null,
  revision_count: 1,
  open_heads: 1,
});

describe("directory search", () => {
  const all = [
    entry("Grace Okafor", "person"),
    entry("Revd. Ruth Adeyemi", "person"),
    entry("Midlands Hate Crime Support", "agency"),
    entry("The Old Mill Community Hall", "venue"),
    entry("Zoë Lévy", "person"),
  ];
  const label = (k: string) => ({ person: "Person", agency: "Agency", venue: "Venue" })[k] ?? k;
  it("needs every word, in any order, ignoring case", () => {
    expect(filterDirectory(all, "okafor GRACE", null, label).map((e) => e.title)).toEqual(["Grace Okafor"]);
    expect(filterDirectory(all, "ruth okafor", null, label)).toEqual([]);
  });
  it("ignores accents and matches the kind's name", () => {
    expect(filterDirectory(all, "zoe levy", null, label).map((e) => e.title)).toEqual(["Zoë Lévy"]);
    expect(filterDirectory(all, "venue", null, label).map((e) => e.title)).toEqual(["The Old Mill Community Hall"]);
  });
  it("filters by kind", () => {
    expect(filterDirectory(all, "", "person", label)).toHaveLength(3);
    expect(filterDirectory(all, "", null, label)).toHaveLength(5);
  });
});
