import { describe, expect, it } from "vitest";
import type { Body, RecordKind, Vocabulary } from "../src/bindings";
import {
  buildBody,
  chosen,
  display,
  DRAFT_POSITION,
  draftKey,
  draftPosition,
  FORMS,
  initialValues,
  parseDraft,
  positionForDraft,
  toggleChoice,
  valuesOf,
} from "../src/forms";

// A vocabulary with the first value of each list, enough for the forms' defaults.
const vocab = {
  record_kind: [],
  event_kind: [{ value: "march", label: "March" }],
  plt_function: [{ value: "negotiation", label: "Negotiation" }],
  mood: [
    { value: "calm", label: "Calm" },
    { value: "tense", label: "Tense" },
  ],
  rumour_status: [{ value: "reported", label: "Reported" }],
  rumour_source: [{ value: "crowd", label: "Crowd" }],
  rumour_spread: [{ value: "isolated", label: "Isolated" }],
  rumour_risk: [{ value: "low", label: "Low" }],
  negotiation_subject: [{ value: "route", label: "Route" }],
  outcome: [{ value: "agreed", label: "Agreed" }],
  compliance: [{ value: "kept", label: "Kept" }],
  escalation_kind: [{ value: "safeguarding", label: "Safeguarding concern" }],
  escalation_to: [{ value: "supervisor", label: "My supervisor" }],
  escalation_decision: [{ value: "advice_given", label: "Advice given" }],
  task_status: [{ value: "open", label: "Open" }],
  incident_type: [{ value: "reassurance_patrol", label: "Reassurance patrol", unsuited_category: null }],
  source_kind: [{ value: "officer_observation", label: "Officer's own observation" }],
  person_role: [{ value: "organiser", label: "Organiser" }],
  group_kind: [{ value: "organiser", label: "Organising group" }],
  monitored_strand: [
    { value: "sexual_orientation", label: "Sexual orientation (homophobic)" },
    { value: "transgender_identity", label: "Transgender identity (transphobic)" },
    { value: "race", label: "Race" },
  ],
  referral_result: [{ value: "support_accepted", label: "Support accepted" }],
} as unknown as Vocabulary;

describe("record forms", () => {
  it("have a form for every kind, each with at least one required field", () => {
    for (const [kind, fields] of Object.entries(FORMS)) {
      expect(fields.some((f) => f.required), kind).toBe(true);
    }
  });

  it("start a new record with the first choice of each list and now for required times", () => {
    const now = new Date(2026, 5, 6, 14, 5);
    const v = initialValues("escalation", vocab, now);
    expect(v.category).toBe("safeguarding");
    expect(v.told_at).toBe("2026-06-06T14:05");
    expect(v.addressed_to).toBe("");
    expect(initialValues("rumour_report", vocab)).not.toHaveProperty("status");
  });

  it("build a new rumour with the lifecycle's first status and no control actions", () => {
    const body = buildBody("rumour_report", {
      content: "A van is coming",
      heard_at: "",
      source: "crowd",
      source_detail: "",
      spread: "isolated",
      risk: "low",
    }) as Extract<Body, { kind: "rumour_report" }>;
    expect(body).toMatchObject({ kind: "rumour_report", status: "reported", control_actions: [], findings: "" });
  });

  it("send empty optional values as null, lists as arrays and numbers as numbers", () => {
    const n = buildBody("negotiation_outcome", { conditions: " one \n\n two ", parties: "Org" }) as unknown as { [k: string]: unknown };
    expect(n.conditions).toEqual(["one", "two"]);
    expect(n.compliance).toBeNull();
    const t = buildBody("tension_reading", { mood: "calm", crowd_estimate: "1,200", note: "" }) as unknown as { [k: string]: unknown };
    expect(t.crowd_estimate).toBe(1200);
    const e = buildBody("tension_reading", { mood: "calm", crowd_estimate: "", note: "" }) as unknown as { [k: string]: unknown };
    expect(e.crowd_estimate).toBeNull();
    const c = buildBody("contact_note", { spoke_with: "x", function: "sensing", summary: "y", mood: "", follow_up: "" }) as unknown as {
      [k: string]: unknown;
    };
    expect(c.mood).toBeNull();
    expect(c.follow_up).toBeNull();
  });

  it("keep fields that are not on the form when editing", () => {
    const base = {
      kind: "rumour_report",
      content: "old",
      heard_at: "",
      source: "crowd",
      source_detail: "",
      spread: "local",
      risk: "high",
      status: "being_checked",
      findings: "",
      control_actions: [{ at: "2026-06-06T10:00:00Z", told: "Stewards", message: "Not true" }],
    } as Body;
    const values = valuesOf("rumour_report", base);
    expect(values.status).toBe("being_checked");
    const edited = buildBody("rumour_report", { ...values, content: "new" }, base, true) as Extract<Body, { kind: "rumour_report" }>;
    expect(edited.content).toBe("new");
    expect(edited.control_actions).toHaveLength(1);
    expect(edited.status).toBe("being_checked");
  });

  it("key drafts by operation and kind, and read back only this form's fields", () => {
    expect(draftKey("contact_note", "op1")).toBe("capture:op1:contact_note");
    expect(draftKey("person", null)).toBe("new:person");
    expect(draftKey("person", null, "r9")).toBe("edit:r9");
    expect(parseDraft("contact_note", '{"summary":"half","sector":"S1","evil":"x","mood":3}')).toEqual({ summary: "half", sector: "S1" });
    expect(parseDraft("contact_note", "not json")).toBeNull();
    expect(parseDraft("contact_note", "[1]")).toBeNull();
  });

  it("keep a position placed by hand (or removed) in the draft, and no position never chosen", () => {
    const placed = { lat: 52.4791, lon: -1.9031, accuracy_m: null };
    const restored = parseDraft("contact_note", JSON.stringify({ summary: "x", [DRAFT_POSITION]: positionForDraft(placed) }));
    expect(restored && draftPosition(restored)).toEqual(placed);
    const removed = parseDraft("contact_note", JSON.stringify({ [DRAFT_POSITION]: positionForDraft(null) }));
    expect(removed && draftPosition(removed)).toBeNull();
    expect(draftPosition({ summary: "x" })).toBeUndefined();
    // A damaged or impossible position is as if none was chosen.
    expect(draftPosition({ [DRAFT_POSITION]: "{" })).toBeUndefined();
    expect(draftPosition({ [DRAFT_POSITION]: '{"lat":95,"lon":0}' })).toBeUndefined();
    // The position is the record's, not a field of its body.
    expect(buildBody("contact_note", { ...restored, spoke_with: "A", summary: "B", function: "sensing" })).not.toHaveProperty(DRAFT_POSITION);
  });

  it("tick hate-crime strands, each once in the list's order, and keep none as an empty list", () => {
    const order = ["sexual_orientation", "transgender_identity", "race"];
    let v = toggleChoice("", "race", true, order);
    v = toggleChoice(v, "sexual_orientation", true, order);
    v = toggleChoice(v, "race", true, order);
    expect(v).toBe("sexual_orientation,race");
    expect(chosen(v)).toEqual(["sexual_orientation", "race"]);
    expect(toggleChoice(v, "sexual_orientation", false, order)).toBe("race");
    const body = buildBody("contact_note", { spoke_with: "Victim", function: "communication", summary: "Abuse at the bus stop", monitored: v });
    if (body.kind !== "contact_note") throw new Error("a contact note");
    expect(body.monitored).toEqual(["sexual_orientation", "race"]);
    const none = buildBody("referral", { person: "A", agency_name: "B", reason: "C", monitored: "", result: "" });
    if (none.kind !== "referral") throw new Error("a referral");
    expect(none.monitored).toEqual([]);
    expect(none.result).toBeNull();
    // An old record without strands reads back as none ticked.
    expect(valuesOf("contact_note", { kind: "contact_note", spoke_with: "x", function: "sensing", summary: "y" }).monitored).toBe("");
    expect(valuesOf("contact_note", body).monitored).toBe("sexual_orientation,race");
    const strands = FORMS.referral.find((f) => f.name === "monitored");
    expect(strands && display(strands, ["race", "sexual_orientation"], vocab)).toBe("Race; Sexual orientation (homophobic)");
    expect(strands && display(strands, [], vocab)).toBe("—");
    for (const kind of ["contact_note", "referral", "escalation"] as const) {
      expect(FORMS[kind].some((f) => f.name === "monitored" && f.type === "choices"), kind).toBe(true);
    }
    expect(FORMS.rumour_report.some((f) => f.name === "monitored")).toBe(false);
  });

  it("show stored values with their labels", () => {
    const mood = FORMS.contact_note.find((f) => f.name === "mood");
    const fn = FORMS.contact_note.find((f) => f.name === "function");
    expect(mood && display(mood, "tense", vocab)).toBe("Tense");
    expect(fn && display(fn, "negotiation", vocab)).toBe("Negotiation");
    expect(mood && display(mood, null, vocab)).toBe("—");
    const kinds: RecordKind[] = Object.keys(FORMS) as RecordKind[];
    expect(kinds).toHaveLength(14);
  });
});
