// The live picture of an operation, derived from its records: pure, so the merge of events and
// every board are unit-tested (test/console-live.test.ts). The page keeps a list of
// `LiveRecord`s, merges each event into it, and draws what these functions return.
import type { Body, Compliance, EscalationKind, Mood, Operation, RumourStatus, TensionPoint, TensionSeries } from "../bindings";
import type { LiveRecord } from "./bindings";
import { pinLetter, type Pin } from "../geo/geo";

export type { Pin };

export type BodyOf<K extends Body["kind"]> = Extract<Body, { kind: K }>;
export interface Of<K extends Body["kind"]> {
  live: LiveRecord;
  body: BodyOf<K>;
}

function isKind<K extends Body["kind"]>(kind: K) {
  return (b: Body): b is BodyOf<K> => b.kind === kind;
}

/** The records of one kind, with their bodies typed. */
export function ofKind<K extends Body["kind"]>(records: LiveRecord[], kind: K): Of<K>[] {
  const is = isKind(kind);
  const out: Of<K>[] = [];
  for (const live of records) {
    const body = live.record.body;
    if (is(body)) out.push({ live, body });
  }
  return out;
}

function newestFirst(a: LiveRecord, b: LiveRecord): number {
  return a.position > b.position ? -1 : a.position < b.position ? 1 : 0;
}

/**
 * Merges one event into the picture's records: it replaces the record's earlier revision, is
 * ignored when the picture already holds that revision or a later one (a replay after a
 * reconnect), and keeps the list newest first.
 */
export function mergeRecord(records: LiveRecord[], incoming: LiveRecord): LiveRecord[] {
  const held = records.find((r) => r.record_id === incoming.record_id);
  if (held && !(incoming.position > held.position)) return records;
  return [incoming, ...records.filter((r) => r.record_id !== incoming.record_id)].sort(newestFirst);
}

/** Merges several (events that arrived while the picture was loading, say). */
export function mergeAll(records: LiveRecord[], incoming: LiveRecord[]): LiveRecord[] {
  return incoming.reduce(mergeRecord, [...records].sort(newestFirst));
}

// ---- tension ------------------------------------------------------------------------------

export const MOODS: Mood[] = ["calm", "good_natured", "uneasy", "tense", "hostile"];

export const MOOD_LABELS: { [M in Mood]: string } = {
  calm: "Calm",
  good_natured: "Good-natured",
  uneasy: "Uneasy",
  tense: "Tense",
  hostile: "Hostile",
};

/** 1 (calm) to 5 (hostile). */
export function moodLevel(m: Mood): number {
  return MOODS.indexOf(m) + 1;
}

export interface SectorMood {
  sector: string;
  mood: Mood;
  level: number;
  at: string;
  record_id: string;
}

function laterReading(a: Of<"tension_reading">, b: Of<"tension_reading">): boolean {
  const ta = Date.parse(a.live.record.occurred_at);
  const tb = Date.parse(b.live.record.occurred_at);
  return ta > tb || (ta === tb && a.live.position > b.live.position);
}

/** The latest tension reading in each sector (by when it was observed), keyed by sector name. */
export function latestTension(records: LiveRecord[]): Map<string, SectorMood> {
  const best = new Map<string, Of<"tension_reading">>();
  for (const t of ofKind(records, "tension_reading")) {
    const s = t.live.record.sector;
    if (!s) continue;
    const held = best.get(s);
    if (!held || laterReading(t, held)) best.set(s, t);
  }
  const out = new Map<string, SectorMood>();
  for (const [sector, t] of best) {
    out.set(sector, {
      sector,
      mood: t.body.mood,
      level: moodLevel(t.body.mood),
      at: t.live.record.occurred_at,
      record_id: t.live.record_id,
    });
  }
  return out;
}

/** The readings as the tablet's chart takes them, spanning the operation and any reading outside it. */
export function tensionSeries(records: LiveRecord[], op: Operation): TensionSeries {
  const points: TensionPoint[] = ofKind(records, "tension_reading")
    .map((t) => ({
      record_id: t.live.record_id,
      sector: t.live.record.sector ?? null,
      at: t.live.record.occurred_at,
      mood: t.body.mood,
      level: moodLevel(t.body.mood),
      crowd_estimate: t.body.crowd_estimate ?? null,
    }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const times = points.map((p) => Date.parse(p.at)).filter((t) => !Number.isNaN(t));
  const start = Math.min(Date.parse(op.starts_at), ...times);
  const end = Math.max(Date.parse(op.ends_at), ...times);
  return {
    sectors: (op.sectors ?? []).map((s) => s.name),
    starts_at: new Date(start).toISOString(),
    ends_at: new Date(end).toISOString(),
    points,
  };
}

/** Minutes between time ticks so that a span shows at most about eight. */
export function tickMinutes(startIso: string, endIso: string): number {
  const minutes = (Date.parse(endIso) - Date.parse(startIso)) / 60_000;
  for (const m of [15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080]) if (minutes / m <= 8) return m;
  return 10080;
}

// ---- boards -------------------------------------------------------------------------------

export const RUMOUR_STATUSES: { status: RumourStatus; label: string }[] = [
  { status: "reported", label: "Reported" },
  { status: "being_checked", label: "Being checked" },
  { status: "confirmed", label: "Confirmed" },
  { status: "refuted", label: "Refuted" },
  { status: "unresolved", label: "Unresolved" },
];

/** From heard (`occurred_at`) to confirmed or refuted, in seconds; null while not verified. */
export function timeToVerifyS(r: Of<"rumour_report">): number | null {
  const at = r.body.verified_at;
  if (!at) return null;
  return Math.max(0, Math.round((Date.parse(at) - Date.parse(r.live.record.occurred_at)) / 1000));
}

/** The times to verify of every verified rumour among `records`. */
export function verifyTimes(records: LiveRecord[]): number[] {
  return ofKind(records, "rumour_report").flatMap((r) => {
    const t = timeToVerifyS(r);
    return t == null ? [] : [t];
  });
}

export function rumourBoard(records: LiveRecord[]): { status: RumourStatus; label: string; items: Of<"rumour_report">[] }[] {
  const rumours = ofKind(records, "rumour_report");
  return RUMOUR_STATUSES.map((s) => ({ ...s, items: rumours.filter((r) => r.body.status === s.status) }));
}

export const ESCALATION_LABELS: { [K in EscalationKind]: string } = {
  safeguarding: "Safeguarding",
  threat: "Threat",
  risk: "Risk",
  withdraw_observe_report: "Withdrawn to observe",
};

/** An escalation is open until a decision or a response is recorded. */
export function escalationOpen(e: BodyOf<"escalation">): boolean {
  return e.decision == null && !(e.response ?? "").trim();
}

/** Open escalations first, then the answered ones; newest first within each. */
export function escalations(records: LiveRecord[]): (Of<"escalation"> & { open: boolean })[] {
  return ofKind(records, "escalation")
    .map((e) => ({ ...e, open: escalationOpen(e.body) }))
    .sort((a, b) => {
      if (a.open !== b.open) return a.open ? -1 : 1;
      return Date.parse(b.body.told_at || b.live.record.occurred_at) - Date.parse(a.body.told_at || a.live.record.occurred_at);
    });
}

export const COMPLIANCE_LABELS: { [C in Compliance]: string } = {
  kept: "Kept",
  partly_kept: "Partly kept",
  not_kept: "Not kept",
};

/** Agreed or partly agreed negotiations, with how their compliance stands. */
export function agreements(records: LiveRecord[]): (Of<"negotiation_outcome"> & { compliance: string })[] {
  return ofKind(records, "negotiation_outcome")
    .filter((n) => n.body.outcome === "agreed" || n.body.outcome === "partly_agreed")
    .map((n) => ({ ...n, compliance: n.body.compliance ? COMPLIANCE_LABELS[n.body.compliance] : "Not yet recorded" }));
}

const KIND_LABELS: { [K in Body["kind"]]: string } = {
  operation: "Operation",
  person: "Person",
  group: "Group",
  venue: "Venue",
  agency: "Agency",
  contact_note: "Contact note",
  rumour_report: "Rumour",
  negotiation_outcome: "Negotiation",
  tension_reading: "Tension reading",
  escalation: "Escalation",
  tasking: "Tasking",
  abstraction: "Abstraction",
  referral: "Referral",
  intelligence_submission: "Intelligence",
};

export function kindLabel(kind: Body["kind"]): string {
  return KIND_LABELS[kind];
}

/** One line naming a record, without personal data (referrals and people stay by kind only). */
export function recordTitle(r: LiveRecord): string {
  const b = r.record.body;
  switch (b.kind) {
    case "tension_reading":
      return `${MOOD_LABELS[b.mood]} (${moodLevel(b.mood)} of 5)${r.record.sector ? ` in ${r.record.sector}` : ""}`;
    case "escalation":
      return `${ESCALATION_LABELS[b.category]}: ${b.summary}`;
    case "rumour_report":
      return b.content;
    case "negotiation_outcome":
      return `${b.parties}: ${b.agreed || b.police_position}`;
    case "contact_note":
      return `Spoke with ${b.spoke_with}`;
    case "tasking":
      return b.title;
    case "group":
    case "venue":
    case "agency":
    case "operation":
      return b.name;
    default:
      return kindLabel(b.kind);
  }
}

/** Records with a location, oldest first so the newest pin is drawn on top. */
export function pins(records: LiveRecord[]): Pin[] {
  const out: Pin[] = [];
  for (const r of [...records].reverse()) {
    const loc = r.record.location;
    if (!loc) continue;
    out.push({ record_id: r.record_id, lat: loc.lat, lon: loc.lon, letter: pinLetter(r.record.body.kind), title: `${kindLabel(r.record.body.kind)}: ${recordTitle(r)}` });
  }
  return out;
}
