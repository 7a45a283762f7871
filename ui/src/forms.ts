// What each record kind's form asks for, and the conversion between form values (strings and
// booleans, as inputs hold them) and the record body the core validates. The core is the
// judge of what is valid; these specs only say how to ask.
import type { Attachment, Body, Location, RecordKind, Vocabulary } from "./bindings";
import { fromLocalInput, toLocalInput } from "./format";

export type FieldType = "text" | "textarea" | "select" | "number" | "datetime" | "checkbox" | "lines" | "mood" | "choices";

/** Vocabulary lists a select can draw its options from. */
export type ListName = Exclude<keyof Vocabulary, "incident_type" | "record_kind"> | "incident_type";

export interface FieldSpec {
  name: string;
  label: string;
  type: FieldType;
  /** Shown as required; the core checks it. */
  required?: boolean;
  /** An empty value is sent as null (Rust `Option`) rather than "". */
  nullable?: boolean;
  list?: ListName;
  hint?: string;
  /** Only when editing (e.g. a rumour's status, an agreement's compliance). */
  editOnly?: boolean;
}

export type Values = { [field: string]: string | boolean };

const t = (name: string, label: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  name,
  label,
  type: "text",
  ...extra,
});
const area = (name: string, label: string, extra: Partial<FieldSpec> = {}): FieldSpec => t(name, label, { type: "textarea", ...extra });
const sel = (name: string, label: string, list: ListName, extra: Partial<FieldSpec> = {}): FieldSpec =>
  t(name, label, { type: "select", list, ...extra });
const dt = (name: string, label: string, extra: Partial<FieldSpec> = {}): FieldSpec => t(name, label, { type: "datetime", ...extra });
/** Any number of a list's values, as checkboxes (held in the form as their values joined by commas). */
const choices = (name: string, label: string, list: ListName, extra: Partial<FieldSpec> = {}): FieldSpec =>
  t(name, label, { type: "choices", list, ...extra });
/** The hate-crime strands a record concerns, for the monitoring statistics shared with partners. */
const strands = () =>
  choices("monitored", "Hate-crime monitoring", "monitored_strand", {
    hint: "Tick each strand if this concerns a hate crime or incident; it is counted in the monitoring statistics (small numbers suppressed).",
  });

export const FORMS: { [K in RecordKind]: FieldSpec[] } = {
  contact_note: [
    t("spoke_with", "Spoke with", { required: true, hint: "e.g. march organiser, A. Rahman" }),
    sel("function", "PLT function", "plt_function"),
    area("summary", "What was said", { required: true }),
    t("mood", "Mood observed", { type: "mood", nullable: true }),
    area("follow_up", "Follow-up needed", { nullable: true }),
    strands(),
  ],
  rumour_report: [
    area("content", "What is being said", { required: true }),
    t("heard_at", "Where it was heard"),
    sel("source", "Heard from", "rumour_source"),
    t("source_detail", "Source detail"),
    sel("spread", "How far it has spread", "rumour_spread"),
    sel("risk", "Risk", "rumour_risk"),
    sel("status", "Status", "rumour_status", { editOnly: true }),
    area("findings", "What checking found", { editOnly: true }),
  ],
  negotiation_outcome: [
    t("parties", "Parties", { required: true }),
    sel("subject", "Subject", "negotiation_subject"),
    area("police_position", "Police position", { required: true }),
    t("conditions", "Conditions (one per line)", { type: "lines" }),
    area("other_position", "Their position"),
    sel("outcome", "Outcome", "outcome"),
    area("agreed", "What was agreed", { hint: "Required when agreed or partly agreed" }),
    sel("compliance", "Was it kept?", "compliance", { nullable: true, editOnly: true }),
    area("compliance_note", "Compliance note", { editOnly: true }),
  ],
  tension_reading: [
    t("mood", "Mood", { type: "mood", required: true }),
    t("crowd_estimate", "Crowd estimate", { type: "number", nullable: true }),
    area("note", "Note"),
  ],
  escalation: [
    sel("category", "Kind", "escalation_kind"),
    area("summary", "Concern", { required: true }),
    sel("addressed_to", "Raise to", "escalation_to", { nullable: true, hint: "Alerted in the console; sent up if nobody acknowledges" }),
    t("addressed_person", "Or a named person", { hint: "console username or collar number" }),
    t("told", "Also told (in words)", { hint: "e.g. by radio to the duty sergeant" }),
    dt("told_at", "Raised at", { required: true }),
    strands(),
  ],
  tasking: [
    t("title", "Task", { required: true }),
    sel("incident_type", "Incident type", "incident_type"),
    area("override_reason", "Why a PCSO is sent anyway", {
      hint: "Only for an incident type unsuited to a PCSO first response (policy 2.8.3): the reason it is taken on anyway.",
    }),
    t("briefing_ref", "Briefing item"),
    area("details", "Details"),
    dt("due", "Due", { nullable: true }),
    sel("status", "Status", "task_status"),
    area("result", "Result"),
  ],
  abstraction: [
    t("from_duty", "From duty"),
    t("to_duty", "To duty", { required: true }),
    area("reason", "Justification", { required: true, hint: "Sent to your supervisor to authorise or refuse" }),
    dt("starts_at", "Starts", { required: true }),
    dt("ends_at", "Ends", { nullable: true }),
  ],
  referral: [
    t("person", "Person referred", { required: true }),
    t("agency_name", "Agency", { required: true }),
    area("reason", "Reason", { required: true }),
    t("consent", "The person consented", { type: "checkbox" }),
    sel("result", "Outcome (for monitoring)", "referral_result", { nullable: true }),
    area("outcome", "Outcome in words"),
    strands(),
  ],
  intelligence_submission: [
    t("summary", "Summary", { required: true }),
    area("detail", "Detail", { required: true }),
    sel("source", "Source", "source_kind"),
    t("urgent", "Time-critical", { type: "checkbox" }),
    t("reference", "Force system reference"),
  ],
  person: [
    t("name", "Name", { required: true }),
    sel("role", "Role", "person_role"),
    t("phone", "Phone"),
    t("email", "Email"),
    t("other_contact", "Other contact"),
    area("notes", "Notes"),
  ],
  group: [
    t("name", "Name", { required: true }),
    sel("group_kind", "Kind", "group_kind"),
    area("description", "Description"),
    t("website", "Website"),
  ],
  venue: [t("name", "Name", { required: true }), t("address", "Address"), t("phone", "Phone"), area("notes", "Notes")],
  agency: [
    t("name", "Name", { required: true }),
    area("services", "Services"),
    t("phone", "Phone"),
    t("email", "Email"),
    area("referral_route", "How to refer"),
  ],
  operation: [
    t("name", "Name", { required: true }),
    sel("event_kind", "Kind of event", "event_kind"),
    dt("starts_at", "Starts", { required: true }),
    dt("ends_at", "Ends", { required: true }),
    area("briefing", "Briefing"),
    area("command_structure", "Command structure"),
  ],
};

/** The kinds captured within an operation from its home, in one tap each. */
export const QUICK_CAPTURE: RecordKind[] = [
  "contact_note",
  "rumour_report",
  "negotiation_outcome",
  "tension_reading",
  "escalation",
];

/** Kinds that belong to an operation (the rest are standing records). */
export function belongsToOperation(kind: RecordKind): boolean {
  return QUICK_CAPTURE.includes(kind);
}

/** Fields not on the form, with their values for a new record. */
function hiddenDefaults(kind: RecordKind): { [k: string]: unknown } {
  switch (kind) {
    case "rumour_report":
      return { status: "reported", findings: "", control_actions: [] };
    case "negotiation_outcome":
      return { compliance: null, compliance_note: "" };
    case "referral":
      return { agency: null };
    case "escalation":
      return { escalated: [] };
    case "abstraction":
      return { authorised_by: "" };
    case "person":
      return { groups: [] };
    case "group":
      return { contacts: [] };
    case "venue":
      return { manager: null };
    case "operation":
      return { area: [], sectors: [], groups_expected: [], team: [] };
    default:
      return {};
  }
}

/** Starting values of a new record's form: first option of each select, now for required times. */
export function initialValues(kind: RecordKind, vocab: Vocabulary, now: Date = new Date()): Values {
  const v: Values = {};
  for (const f of FORMS[kind]) {
    if (f.editOnly) continue;
    if (f.type === "checkbox") v[f.name] = false;
    else if (f.type === "select" && f.list && !f.nullable) v[f.name] = String(vocab[f.list][0]?.value ?? "");
    else if (f.type === "datetime" && f.required) v[f.name] = toLocalInput(now.toISOString());
    else v[f.name] = "";
  }
  return v;
}

/** Form values of an existing body (for editing). */
export function valuesOf(kind: RecordKind, body: Body): Values {
  const src = body as unknown as { [k: string]: unknown };
  const v: Values = {};
  for (const f of FORMS[kind]) {
    const x = src[f.name];
    if (f.type === "checkbox") v[f.name] = x === true;
    else if (f.type === "lines") v[f.name] = Array.isArray(x) ? x.join("\n") : "";
    else if (f.type === "choices") v[f.name] = Array.isArray(x) ? x.map(String).join(",") : "";
    else if (f.type === "datetime") v[f.name] = typeof x === "string" ? toLocalInput(x) : "";
    else v[f.name] = x === null || x === undefined ? "" : String(x);
  }
  return v;
}

/**
 * The body the core receives. `base` is the record's current body when editing (fields not on
 * the form, such as a rumour's control actions, are kept), or nothing for a new record.
 */
export function buildBody(kind: RecordKind, values: Values, base?: Body, editing = false): Body {
  const out: { [k: string]: unknown } = base ? { ...(base as object) } : { ...hiddenDefaults(kind) };
  out.kind = kind;
  for (const f of FORMS[kind]) {
    if (f.editOnly && !editing) continue;
    const raw = values[f.name];
    if (f.type === "checkbox") {
      out[f.name] = raw === true;
      continue;
    }
    const s = typeof raw === "string" ? raw : "";
    if (f.type === "lines") {
      out[f.name] = s
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
    } else if (f.type === "choices") {
      out[f.name] = chosen(s);
    } else if (f.type === "number") {
      const n = Number(s.replace(/[, ]/g, ""));
      out[f.name] = s.trim() === "" ? null : Number.isFinite(n) ? n : s;
    } else if (f.type === "datetime") {
      out[f.name] = fromLocalInput(s);
    } else if (s.trim() === "" && f.nullable) {
      out[f.name] = null;
    } else {
      out[f.name] = s;
    }
  }
  return out as unknown as Body;
}

/** The values ticked in a "choices" field, each once, as the form holds them ("a,b"). */
export function chosen(value: string | boolean | undefined): string[] {
  if (typeof value !== "string") return [];
  const out: string[] = [];
  for (const v of value.split(",").map((x) => x.trim())) {
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

/** A "choices" field's value with `option` ticked or not, in the list's order. */
export function toggleChoice(value: string | boolean | undefined, option: string, on: boolean, order: string[]): string {
  const now = chosen(value).filter((v) => v !== option);
  if (on) now.push(option);
  return order.filter((o) => now.includes(o)).join(",");
}

/** The draft key of a capture form: one draft per operation and kind (or per record edited). */
export function draftKey(kind: RecordKind, operation: string | null, editing: string | null = null): string {
  if (editing) return `edit:${editing}`;
  return operation ? `capture:${operation}:${kind}` : `new:${kind}`;
}

/**
 * The draft's key for a position the officer chose (placed on the map, taken from the tablet,
 * or removed): JSON of the location, or "" for "no position". Absent when they chose none, so
 * a restored form takes the tablet's position as a new one does.
 */
export const DRAFT_POSITION = "position";

/** The draft's key for the files attached so far (JSON of the attachments). */
export const DRAFT_ATTACHMENTS = "attachments";

/** The attachments kept in a draft, or undefined if it has none. Only well-formed ones. */
export function draftAttachments(v: Values): Attachment[] | undefined {
  const raw = v[DRAFT_ATTACHMENTS];
  if (typeof raw !== "string") return undefined;
  try {
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return undefined;
    return list.filter(
      (a): a is Attachment =>
        typeof a === "object" && a !== null && typeof (a as Attachment).sha256 === "string" && typeof (a as Attachment).size === "number",
    );
  } catch {
    return undefined;
  }
}

/** The position chosen in a draft: a location, null (removed), or undefined (never chosen). */
export function draftPosition(v: Values): Location | null | undefined {
  const raw = v[DRAFT_POSITION];
  if (typeof raw !== "string") return undefined;
  if (raw === "") return null;
  try {
    const l = JSON.parse(raw) as unknown;
    if (typeof l !== "object" || l === null) return undefined;
    const { lat, lon, accuracy_m } = l as { lat?: unknown; lon?: unknown; accuracy_m?: unknown };
    if (typeof lat !== "number" || typeof lon !== "number" || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
    return { lat, lon, accuracy_m: typeof accuracy_m === "number" ? accuracy_m : null };
  } catch {
    return undefined;
  }
}

/** A chosen position as the draft keeps it (see [`DRAFT_POSITION`]). */
export function positionForDraft(l: Location | null): string {
  return l ? JSON.stringify({ lat: l.lat, lon: l.lon, accuracy_m: l.accuracy_m ?? null }) : "";
}

/** A stored draft's values, or null when it is not a draft of this form. */
export function parseDraft(kind: RecordKind, content: string): Values | null {
  try {
    const v = JSON.parse(content) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
    const names = new Set(FORMS[kind].map((f) => f.name).concat(["occurred_at", "sector", "reason", DRAFT_POSITION, DRAFT_ATTACHMENTS]));
    const out: Values = {};
    for (const [k, x] of Object.entries(v as { [k: string]: unknown })) {
      if (names.has(k) && (typeof x === "string" || typeof x === "boolean")) out[k] = x;
    }
    return out;
  } catch {
    return null;
  }
}

/** How a field's stored value reads on the detail screen. */
export function display(f: FieldSpec, value: unknown, vocab: Vocabulary): string {
  if (value === null || value === undefined || value === "") return "—";
  if (f.type === "checkbox") return value === true ? "Yes" : "No";
  if (f.type === "choices" && f.list && Array.isArray(value)) {
    const list = f.list;
    return value.length ? value.map((v) => label(vocab, list, v)).join("; ") : "—";
  }
  if (Array.isArray(value)) return value.length ? value.join("; ") : "—";
  if (f.type === "datetime" && typeof value === "string") return new Date(value).toLocaleString("en-GB");
  if (f.type === "mood") return label(vocab, "mood", value);
  if (f.list) return label(vocab, f.list, value);
  return String(value);
}

export function label(vocab: Vocabulary, list: ListName, value: unknown): string {
  const options = vocab[list] as { value: unknown; label: string }[];
  return options.find((o) => o.value === value)?.label ?? String(value);
}
