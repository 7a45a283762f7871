import { describe, expect, it } from "vitest";
import { composeBriefing, emptyBriefing, IIMARCH, isBlank, parseBriefing } from "../src/console/briefing";
import { describePath, keyFor, normalisePath, placeErrors, withoutPath } from "../src/console/fields";
import { navFor, can } from "../src/console/roles";
import { href, mayOpen, parseRoute } from "../src/console/router";
import { auditFileName, tabulate } from "../src/console/table";
import { revokeConsequences } from "../src/console/pages/Tablets";
import { disableConsequences, passwordConsequences, staffUpdate } from "../src/console/pages/Staff";
import type { Staff } from "../src/console/bindings";
import { isPcso, newTasking } from "../src/console/pages/Tasks";

describe("server field errors beside their fields", () => {
  const keys = ["name", "ends_at", "sectors", "sectors[0]", "sectors[1]", "team", "team[0]", "username"];
  it("reads the core validator's paths without the body prefix", () => {
    expect(normalisePath("body.sectors[1].boundary")).toBe("sectors[1].boundary");
    expect(normalisePath("username")).toBe("username");
  });
  it("places a path at the longest field it belongs to", () => {
    expect(keyFor("body.sectors[1].boundary", keys)).toBe("sectors[1]");
    expect(keyFor("body.sectors[1].boundary[3]", keys)).toBe("sectors[1]");
    expect(keyFor("body.sectors", keys)).toBe("sectors");
    expect(keyFor("body.ends_at", keys)).toBe("ends_at");
    expect(keyFor("body.name_extra", keys)).toBeNull();
    expect(keyFor("body.team[0].role", keys)).toBe("team[0]");
  });
  it("says which part of a parent field is meant, and puts the rest at the top", () => {
    const placed = placeErrors(
      {
        code: "invalid",
        message: "check the form",
        fields: [
          { field: "body.sectors[0].boundary", message: "needs at least three different points" },
          { field: "body.ends_at", message: "must not be before the start" },
          { field: "body.briefing", message: "is too long" },
        ],
      },
      keys,
    );
    expect(placed.byKey.get("sectors[0]")).toEqual(["boundary: needs at least three different points"]);
    expect(placed.byKey.get("ends_at")).toEqual(["must not be before the start"]);
    expect(placed.general).toEqual(["check the form", "briefing: is too long"]);
  });
  it("describes a path in words", () => {
    expect(describePath("body.sectors[1].boundary")).toBe("sector 2 boundary");
    expect(describePath("body.team[0].officer")).toBe("team 1 officer");
  });
});

describe("the IIMARCH briefing", () => {
  it("composes seven headed parts into one text and reads them back", () => {
    const b = { ...emptyBriefing(), Information: "March from A to B.", "Human rights": "Art 10 and 11." };
    const text = composeBriefing(b);
    expect(text.split("\n")[0]).toBe("Information");
    for (const h of IIMARCH) expect(text).toContain(h);
    expect(parseBriefing(text)).toEqual(b);
  });
  it("keeps text written before any heading under Information", () => {
    expect(parseBriefing("Free text\nIntention:\nKeep it peaceful")).toMatchObject({ Information: "Free text", Intention: "Keep it peaceful" });
  });
  it("knows a blank template is blank", () => {
    expect(isBlank(emptyBriefing())).toBe(true);
    expect(isBlank(parseBriefing(composeBriefing(emptyBriefing())))).toBe(true);
  });
});

describe("what each role sees", () => {
  it("gives admin every page, in order", () => {
    expect(navFor("admin").map((n) => n.label)).toEqual(["Operations", "Officers", "Staff", "Tablets", "Reviews", "Audit", "Exports"]);
  });
  it("follows the route matrix for the other roles", () => {
    expect(navFor("gold").map((n) => n.label)).toEqual(["Alerts", "Operations", "Officers", "Audit", "Tasks", "Intelligence", "Abstractions", "Conflicts", "Exports", "Statistics"]);
    expect(navFor("bronze").map((n) => n.label)).toEqual(["Alerts", "Operations", "Officers", "Tasks", "Intelligence", "Abstractions", "Conflicts", "Exports", "Statistics"]);
    expect(navFor("supervisor").map((n) => n.label)).toEqual(["Alerts", "Operations", "Officers", "Tablets", "Tasks", "Intelligence", "Abstractions", "Conflicts", "Exports", "Statistics"]);
    expect(navFor("officer").map((n) => n.label)).toEqual(["Operations", "Statistics"]);
    // Exports of an operation's records: those who read them here (server/src/console/matrix.rs).
    expect(can("admin", "exports")).toBe(false);
    expect(can("admin", "exports.directory")).toBe(true);
    expect(can("officer", "exports")).toBe(false);
    expect(can("admin", "statistics")).toBe(false);
    expect(can("supervisor", "devices.manage")).toBe(false);
    expect(can("supervisor", "operations.edit")).toBe(false);
    expect(can("silver", "operations.edit")).toBe(true);
  });
});

describe("hash routes", () => {
  it("reads every page and writes it back", () => {
    for (const r of [
      { name: "operations" },
      { name: "operation-new" },
      { name: "operation-edit", id: "0190-ab" },
      { name: "live", id: "0190-ab" },
      { name: "officers" },
      { name: "staff" },
      { name: "tablets" },
      { name: "reviews" },
      { name: "audit", id: null },
      { name: "audit", id: "0190-ab" },
      { name: "tasks" },
      { name: "conflicts" },
      { name: "exports", id: null },
      { name: "exports", id: "0190-ab" },
      { name: "statistics" },
    ] as const) {
      expect(parseRoute(href(r))).toEqual(r);
    }
    expect(parseRoute("")).toEqual({ name: "operations" });
    expect(parseRoute("#/nowhere")).toEqual({ name: "not-found", path: "/nowhere" });
  });
  it("keeps roles off pages the matrix does not give them", () => {
    expect(mayOpen("bronze", { name: "staff" })).toBe(false);
    expect(mayOpen("supervisor", { name: "operation-new" })).toBe(false);
    expect(mayOpen("officer", { name: "live", id: "x" })).toBe(true);
    expect(mayOpen("supervisor", { name: "tasks" })).toBe(true);
    expect(mayOpen("officer", { name: "tasks" })).toBe(false);
    expect(mayOpen("admin", { name: "tasks" })).toBe(false);
    // Conflicts show records' content: supervisors and commanders, not force IT or officers.
    expect(mayOpen("supervisor", { name: "conflicts" })).toBe(true);
    expect(mayOpen("admin", { name: "conflicts" })).toBe(false);
    expect(mayOpen("officer", { name: "conflicts" })).toBe(false);
  });
});

describe("the audit trail as a table", () => {
  it("finds the list of entries inside the answer", () => {
    const t = tabulate({ subject: "x", entries: [{ at: "t1", action: "collection", record_id: null }, { at: "t2", detail: { a: 1 } }] });
    expect(t).toEqual({
      path: "entries",
      columns: ["at", "action", "record_id", "detail"],
      rows: [
        ["t1", "collection", "", ""],
        ["t2", "", "", '{"a":1}'],
      ],
    });
  });
  it("takes a bare list, and gives up on an answer without one", () => {
    expect(tabulate([{ a: 1 }])?.rows).toEqual([["1"]]);
    expect(tabulate({ a: 1 })).toBeNull();
  });
  it("names the download after the subject and the day", () => {
    expect(auditFileName("operation", "01/9x", new Date("2026-06-06T12:00:00Z"))).toBe("audit-operation-01-9x-2026-06-06.json");
  });
});

describe("revoking a tablet", () => {
  it("states that a lost or stolen tablet stops at once and wipes on next contact", () => {
    const c = revokeConsequences("stolen").join(" ");
    expect(c).toMatch(/at once/);
    expect(c).toMatch(/wipes itself the next time/);
  });
  it("states that a retired tablet may make one final push within 3 days, then wipes", () => {
    const c = revokeConsequences("retired").join(" ");
    expect(c).toMatch(/one final push/);
    expect(c).toMatch(/3 days/);
    expect(c).toMatch(/wipes itself/);
  });
});

describe("field messages beside their field", () => {
  it("leaves out the path the core validator starts its message with", () => {
    const placed = placeErrors(
      { code: "invalid", message: "check the form", fields: [{ field: "body.ends_at", message: "body.ends_at must not be before the start" }] },
      ["ends_at"],
    );
    expect(placed.byKey.get("ends_at")).toEqual(["must not be before the start"]);
    expect(withoutPath("username is required", "username")).toBe("is required");
    expect(withoutPath("must match", "officer")).toBe("must match");
  });
});

describe("editing a staff account", () => {
  const account: Staff = {
    username: "sup.kaur",
    display_name: "Sgt Amrit Kaur",
    role: "supervisor",
    officer: "PS 1201",
    created_at: "2026-06-01T09:00:00Z",
    locked_until: null,
    disabled: false,
  };
  it("sends the account as stored with only the one change, and never an old password", () => {
    expect(staffUpdate(account, { disabled: true })).toEqual({
      display_name: "Sgt Amrit Kaur",
      role: "supervisor",
      officer: "PS 1201",
      disabled: true,
      password: null,
    });
    expect(staffUpdate(account, { password: "a-new-long-password" }).disabled).toBe(false);
    expect(staffUpdate({ ...account, disabled: true }, { role: "bronze" })).toMatchObject({ role: "bronze", disabled: true, password: null });
  });
  it("states that disabling ends their sessions now and stops them signing in", () => {
    const c = disableConsequences().join(" ");
    expect(c).toMatch(/sessions end now/);
    expect(c).toMatch(/cannot sign in/);
  });
  it("states that a new password ends the sessions, one's own included", () => {
    expect(passwordConsequences(false)).toMatch(/sessions end now/);
    expect(passwordConsequences(true)).toMatch(/this one included/);
  });
});

describe("giving a task", () => {
  const officer = { officer: "PCSO 7781", name: "S. Okafor", rank: "PCSO", role: "Neighbourhood", team: "NHT", supervisor: null };
  it("knows a PCSO by role or rank, as the server does", () => {
    expect(isPcso(officer)).toBe(true);
    expect(isPcso({ ...officer, rank: "PC", role: " pcso " })).toBe(true);
    expect(isPcso({ ...officer, rank: "PC", role: "PLO" })).toBe(false);
    expect(isPcso(undefined)).toBe(false);
  });
  it("sends an override only where the deployment check asks for one", () => {
    const form = {
      officer: "PCSO 7781",
      title: " Visit ",
      incident_type: "knife_crime" as const,
      briefing_ref: "",
      details: "",
      due: "",
      override_reason: " Scene held by response ",
    };
    expect(newTasking(form, true)).toMatchObject({ title: "Visit", override_reason: "Scene held by response", due: null });
    expect(newTasking(form, false).override_reason).toBe("");
  });
});

describe("abstraction rate chart", () => {
  it("scales bars to the highest rate, never below 10%", async () => {
    const { rateBars } = await import("../src/console/pages/Abstractions");
    const month = (team: string, rate_percent: number) => ({ team, month: "2026-11", abstractions: 1, hours: 1, officers: 1, rate_percent });
    const bars = rateBars([month("A", 5), month("B", 2.5)], 100, 20);
    expect(bars.map((b) => [b.label, b.w, b.y])).toEqual([
      ["A, 2026-11", 50, 0],
      ["B, 2026-11", 25, 20],
    ]);
    expect(rateBars([month("A", 40), month("B", 20)], 100)[1]?.w).toBe(50);
  });
});
