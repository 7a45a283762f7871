import { describe, expect, it } from "vitest";
import type { Body, Operation } from "../src/bindings";
import type { LiveRecord } from "../src/console/bindings";
import {
  agreements,
  escalations,
  latestTension,
  mergeAll,
  mergeRecord,
  moodLevel,
  pins,
  recordTitle,
  rumourBoard,
  tensionSeries,
  tickMinutes,
  verifyTimes,
} from "../src/console/live";

let n = 0;
function rec(body: Body, extra: Partial<LiveRecord["record"]> = {}, id?: string, position?: number): LiveRecord {
  n += 1;
  return {
    record_id: id ?? `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`,
    revision: `r-${n}`,
    position: position ?? n,
    author: "PC 4521",
    received_at: "2026-06-06T12:00:00Z",
    record: { operation_id: "op", occurred_at: "2026-06-06T12:00:00Z", body, ...extra },
  };
}

const op: Operation = {
  name: "Op Test",
  event_kind: "march",
  starts_at: "2026-06-06T10:00:00Z",
  ends_at: "2026-06-06T16:00:00Z",
  sectors: [
    { name: "North", boundary: [] },
    { name: "South", boundary: [] },
  ],
};

describe("merging the event stream into the picture", () => {
  it("replaces a record's earlier revision and keeps the list newest first", () => {
    const a = rec({ kind: "tension_reading", mood: "calm" }, {}, "a", 1);
    const b = rec({ kind: "tension_reading", mood: "tense" }, {}, "b", 2);
    const a2 = { ...rec({ kind: "tension_reading", mood: "hostile" }, {}, "a", 3) };
    const out = mergeRecord([b, a], a2);
    expect(out.map((r) => [r.record_id, r.position])).toEqual([
      ["a", 3],
      ["b", 2],
    ]);
  });
  it("ignores a replayed or older revision after a reconnect", () => {
    const a3 = rec({ kind: "tension_reading", mood: "hostile" }, {}, "a", 3);
    const a1 = rec({ kind: "tension_reading", mood: "calm" }, {}, "a", 1);
    const list = [a3];
    expect(mergeRecord(list, a1)).toBe(list);
    expect(mergeRecord(list, a3)).toBe(list);
  });
  it("merges what arrived while the picture was loading", () => {
    const held = [rec({ kind: "escalation", category: "risk", summary: "x", told: "Bronze", told_at: "2026-06-06T12:00:00Z" }, {}, "e", 5)];
    const out = mergeAll(held, [rec({ kind: "tension_reading", mood: "uneasy" }, {}, "t", 7)]);
    expect(out.map((r) => r.record_id)).toEqual(["t", "e"]);
  });
});

describe("tension by sector", () => {
  it("takes the latest observed reading in each sector, not the latest received", () => {
    const early = rec({ kind: "tension_reading", mood: "hostile" }, { sector: "North", occurred_at: "2026-06-06T11:00:00Z" }, undefined, 10);
    const late = rec({ kind: "tension_reading", mood: "uneasy" }, { sector: "North", occurred_at: "2026-06-06T12:00:00Z" }, undefined, 9);
    const south = rec({ kind: "tension_reading", mood: "calm" }, { sector: "South" });
    const none = rec({ kind: "tension_reading", mood: "tense" }, { sector: null });
    const m = latestTension([early, late, south, none]);
    expect(m.get("North")).toMatchObject({ mood: "uneasy", level: 3 });
    expect(m.get("South")).toMatchObject({ mood: "calm", level: 1 });
    expect(m.size).toBe(2);
  });
  it("numbers moods 1 (calm) to 5 (hostile)", () => {
    expect(moodLevel("calm")).toBe(1);
    expect(moodLevel("hostile")).toBe(5);
  });
  it("spans the operation and any reading outside it", () => {
    const after = rec({ kind: "tension_reading", mood: "tense" }, { sector: "South", occurred_at: "2026-06-06T18:30:00Z" });
    const s = tensionSeries([after], op);
    expect(s.starts_at).toBe("2026-06-06T10:00:00.000Z");
    expect(s.ends_at).toBe("2026-06-06T18:30:00.000Z");
    expect(s.sectors).toEqual(["North", "South"]);
    expect(s.points[0]).toMatchObject({ sector: "South", level: 4 });
  });
  it("spaces time ticks so a span shows about eight", () => {
    expect(tickMinutes("2026-06-06T10:00:00Z", "2026-06-06T12:00:00Z")).toBe(15);
    expect(tickMinutes("2026-06-06T10:00:00Z", "2026-06-06T16:00:00Z")).toBe(60);
    expect(tickMinutes("2026-06-06T00:00:00Z", "2026-06-08T00:00:00Z")).toBe(360);
  });
});

describe("the boards", () => {
  it("puts open escalations first, newest first within each", () => {
    const answered = rec({ kind: "escalation", category: "threat", summary: "answered", told: "Bronze", told_at: "2026-06-06T12:30:00Z", response: "Units sent" });
    const old = rec({ kind: "escalation", category: "risk", summary: "old open", told: "Bronze", told_at: "2026-06-06T11:00:00Z" });
    const recent = rec({ kind: "escalation", category: "safeguarding", summary: "recent open", told: "PS 12", told_at: "2026-06-06T12:00:00Z" });
    const e = escalations([answered, old, recent]);
    expect(e.map((x) => [x.body.summary, x.open])).toEqual([
      ["recent open", true],
      ["old open", true],
      ["answered", false],
    ]);
  });
  it("sorts rumours into their status columns", () => {
    const base = { kind: "rumour_report" as const, source: "crowd" as const, spread: "local" as const, risk: "high" as const };
    const board = rumourBoard([
      rec({ ...base, content: "a", status: "reported" }),
      rec({ ...base, content: "b", status: "refuted" }),
      rec({ ...base, content: "c", status: "reported" }),
    ]);
    expect(board.map((c) => [c.status, c.items.length])).toEqual([
      ["reported", 2],
      ["being_checked", 0],
      ["confirmed", 0],
      ["refuted", 1],
      ["unresolved", 0],
    ]);
  });
  it("lists agreements with their compliance, leaving out what was not agreed", () => {
    const base = { kind: "negotiation_outcome" as const, parties: "Organisers", subject: "route" as const, police_position: "Stay on route" };
    const a = agreements([
      rec({ ...base, outcome: "agreed", compliance: "partly_kept" }),
      rec({ ...base, outcome: "not_agreed" }),
      rec({ ...base, outcome: "partly_agreed" }),
    ]);
    expect(a.map((x) => x.compliance)).toEqual(["Partly kept", "Not yet recorded"]);
  });
  it("pins located records, oldest first, with a letter for the kind", () => {
    const t = rec({ kind: "tension_reading", mood: "tense" }, { location: { lat: 52.48, lon: -1.9 }, sector: "North" }, "t", 2);
    const e = rec({ kind: "escalation", category: "risk", summary: "Bottle thrown", told: "Bronze", told_at: "2026-06-06T12:00:00Z" }, { location: { lat: 52.47, lon: -1.91 } }, "e", 3);
    const nowhere = rec({ kind: "tension_reading", mood: "calm" });
    const p = pins([e, t, nowhere]);
    expect(p.map((x) => [x.record_id, x.letter])).toEqual([
      ["t", "T"],
      ["e", "E"],
    ]);
    expect(p[1]!.title).toBe("Escalation: Risk: Bottle thrown");
  });
  it("titles a tension reading with its level as well as its mood", () => {
    expect(recordTitle(rec({ kind: "tension_reading", mood: "tense" }, { sector: "North" }))).toBe("Tense (4 of 5) in North");
  });
});

describe("time to verify", () => {
  const rumour = (status: "confirmed" | "being_checked", verified_at?: string): Body => ({
    kind: "rumour_report",
    content: "They will kettle the march",
    source: "crowd",
    spread: "local",
    risk: "high",
    status,
    ...(verified_at ? { verified_at } : {}),
  });
  it("runs from heard to confirmed or refuted, and leaves out rumours not verified", () => {
    const records = [
      rec(rumour("confirmed", "2026-06-06T12:42:00Z")),
      rec(rumour("being_checked")),
      rec({ kind: "tension_reading", mood: "calm" }),
    ];
    expect(verifyTimes(records)).toEqual([42 * 60]);
  });
});
