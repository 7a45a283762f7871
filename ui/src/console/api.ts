// The console's one door to the force server: JSON under /console/api, the session cookie sent
// by the browser, the CSRF token added to every change, and every refusal turned into a
// `ConsoleError` the pages can place beside their fields.
import type {
  ConsoleError,
  DebriefEdit,
  DebriefView,
  DeviceView,
  EnrolmentIssued,
  Me,
  NewStaff,
  OfficerEntry,
  OperationEdit,
  OperationSummary,
  OperationView,
  Picture,
  ReviewDecision,
  ReviewView,
  Staff,
  StaffUpdate,
  NewTasking,
  TaskingBoard,
  TaskingView,
  Alerts,
  AbstractionBoard,
  AbstractionDecide,
  NewAbstraction,
  Handover,
  HandoverRequest,
  AlertResponse,
  IntelligenceQueue,
  IntelligenceReviewForm,
  Conflicts,
  ConflictResolve,
  MonitoringStatistics,
} from "./bindings";
import { fileName } from "./download";

export const API = "/console/api";

let csrf: string | null = null;
const signedOutListeners = new Set<() => void>();

/** Remembers the token of the session just opened (or forgets it on sign-out). */
export function setSession(me: Me | null): void {
  csrf = me ? me.csrf : null;
}

/** Called when the server answers `unauthenticated`: the session ended (expired or signed out elsewhere). */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** Anything a request failed with, as a `ConsoleError`. */
export function asConsoleError(e: unknown, status = 0): ConsoleError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const o = e as Partial<ConsoleError>;
    return {
      code: String(o.code),
      message: String(o.message),
      fields: Array.isArray(o.fields) ? o.fields : [],
    };
  }
  if (e instanceof Error) {
    return { code: "network", message: `The force server could not be reached (${e.message}).`, fields: [] };
  }
  return { code: "internal", message: `The force server answered ${status || "unexpectedly"}.`, fields: [] };
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const signingIn = method === "POST" && path === "/session";
  if (method !== "GET" && !signingIn && csrf) headers["X-CSRF-Token"] = csrf;
  let res: Response;
  try {
    res = await fetch(API + path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw asConsoleError(e instanceof Error ? e : new Error(String(e)));
  }
  const text = await res.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const error = asConsoleError(json, res.status);
    if (error.code === "unauthenticated" && !signingIn && path !== "/session") {
      for (const l of signedOutListeners) l();
    }
    throw error;
  }
  return json as T;
}

/** A file the server makes (an export): its bytes and name, or the refusal as a `ConsoleError`. */
async function file(path: string, fallback: string): Promise<{ blob: Blob; name: string }> {
  let res: Response;
  try {
    res = await fetch(API + path, { credentials: "same-origin" });
  } catch (e) {
    throw asConsoleError(e instanceof Error ? e : new Error(String(e)));
  }
  if (!res.ok) {
    let json: unknown = null;
    try {
      json = JSON.parse(await res.text());
    } catch {
      json = null;
    }
    const error = asConsoleError(json, res.status);
    if (error.code === "unauthenticated") {
      for (const l of signedOutListeners) l();
    }
    throw error;
  }
  return { blob: await res.blob(), name: fileName(res.headers.get("Content-Disposition"), fallback) };
}

/**
 * Why a file the console shows (a photo, an audio note, a thumbnail) could not be loaded, in the
 * server's words (not on the server yet, not yours to see); null when it is there now (it
 * arrived meanwhile: load it again). Asked with a one-byte range, so that a file that is there
 * after all is not downloaded twice.
 */
export async function mediaProblem(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { credentials: "same-origin", headers: { Range: "bytes=0-0" } });
    if (res.ok) return null;
    let json: unknown = null;
    try {
      json = JSON.parse(await res.text());
    } catch {
      json = null;
    }
    const error = asConsoleError(json, res.status);
    if (error.code === "unauthenticated") {
      for (const l of signedOutListeners) l();
    }
    return error.message;
  } catch (e) {
    return asConsoleError(e instanceof Error ? e : new Error(String(e))).message;
  }
}

export type ExportFormat = "csv" | "geojson" | "json";

const enc = encodeURIComponent;
const qs = (q: Record<string, string>) => new URLSearchParams(q).toString();

export const api = {
  session: () => request<Me>("GET", "/session"),
  signIn: (username: string, password: string) => request<Me>("POST", "/session", { username, password }),
  signOut: () => request<unknown>("DELETE", "/session"),

  staff: () => request<Staff[]>("GET", "/staff"),
  createStaff: (s: NewStaff) => request<Staff>("POST", "/staff", s),
  updateStaff: (username: string, u: StaffUpdate) => request<Staff>("PUT", `/staff/${enc(username)}`, u),

  officers: () => request<OfficerEntry[]>("GET", "/officers"),
  saveOfficer: (o: OfficerEntry) => request<OfficerEntry>("PUT", `/officers/${enc(o.officer)}`, o),

  operations: () => request<OperationSummary[]>("GET", "/operations"),
  operation: (id: string) => request<OperationView>("GET", `/operations/${enc(id)}`),
  createOperation: (e: OperationEdit) => request<OperationView>("POST", "/operations", e),
  editOperation: (id: string, e: OperationEdit) => request<OperationView>("PUT", `/operations/${enc(id)}`, e),
  picture: (id: string) => request<Picture>("GET", `/operations/${enc(id)}/picture`),
  eventsUrl: (id: string) => `${API}/operations/${enc(id)}/events`,

  devices: () => request<DeviceView[]>("GET", "/devices"),
  issueEnrolment: (officer: string) => request<EnrolmentIssued>("POST", "/enrolments", { officer }),
  revoke: (deviceId: string, reason: string) =>
    request<unknown>("POST", `/devices/${enc(deviceId)}/revoke`, { reason }),

  reviews: () => request<ReviewView[]>("GET", "/reviews"),
  decide: (recordId: string, d: ReviewDecision) => request<unknown>("POST", `/reviews/${enc(recordId)}/decision`, d),

  /** The audit trail as the server gives it (its shape is the audit module's, not the console's). */
  audit: (kind: "operation" | "record", id: string, purpose: string) =>
    request<unknown>("GET", `/audit?${new URLSearchParams({ kind, id, purpose }).toString()}`),

  // Tasking from the briefing.
  taskings: () => request<TaskingBoard>("GET", "/taskings"),
  giveTask: (t: NewTasking) => request<TaskingView>("POST", "/taskings", t),

  // Escalations.
  alerts: () => request<Alerts>("GET", "/alerts"),
  alertEventsUrl: (after: number) => `${API}/alerts/events?after=${encodeURIComponent(String(after))}`,
  acknowledge: (recordId: string, revision: string) =>
    request<Alerts>("POST", `/alerts/${enc(recordId)}/acknowledge`, { revision }),
  respond: (recordId: string, r: AlertResponse) => request<Alerts>("POST", `/alerts/${enc(recordId)}/response`, r),

  // Abstractions (policy 1.3).
  abstractions: () => request<AbstractionBoard>("GET", "/abstractions"),
  requestAbstraction: (a: NewAbstraction) => request<AbstractionBoard>("POST", "/abstractions", a),
  decideAbstraction: (recordId: string, d: AbstractionDecide) =>
    request<AbstractionBoard>("POST", `/abstractions/${enc(recordId)}/decision`, d),

  // Continuity.
  handovers: () => request<Handover[]>("GET", "/handovers"),
  handOver: (h: HandoverRequest) => request<Handover[]>("POST", "/handovers", h),

  // Intelligence quality assurance.
  intelligence: () => request<IntelligenceQueue>("GET", "/intelligence"),
  reviewIntelligence: (recordId: string, r: IntelligenceReviewForm) =>
    request<IntelligenceQueue>("POST", `/intelligence/${enc(recordId)}/review`, r),

  // Open exports and monitoring statistics: each download is a disclosure logged with its purpose.
  exportOperation: (id: string, format: ExportFormat, purpose: string) =>
    file(`/operations/${enc(id)}/export?${qs({ format, purpose })}`, `operation.${format}`),
  exportDirectory: (format: ExportFormat, purpose: string) =>
    file(`/directory/export?${qs({ format, purpose })}`, `directory.${format}`),
  statistics: (from: string, to: string) => request<MonitoringStatistics>("GET", `/statistics?${qs({ from, to })}`),
  exportStatistics: (from: string, to: string, purpose: string, format: "csv" | "pdf") =>
    file(`/statistics/export?${qs({ format, from, to, purpose })}`, `monitoring-statistics.${format}`),

  // Conflicts: records edited on two tablets at once, resolved by a merge.
  debrief: (id: string) => request<DebriefView>("GET", `/operations/${enc(id)}/debrief`),
  saveDebrief: (id: string, e: DebriefEdit) => request<DebriefView>("PUT", `/operations/${enc(id)}/debrief`, e),
  signOffDebrief: (id: string) => request<DebriefView>("POST", `/operations/${enc(id)}/debrief/sign-off`, {}),
  /** The report as PDF: a plain link (the browser downloads it with the session cookie). */
  debriefPdfUrl: (id: string, purpose: string) => `${API}/operations/${enc(id)}/debrief.pdf?purpose=${enc(purpose)}`,
  conflicts: () => request<Conflicts>("GET", "/conflicts"),
  /** A file a record names (the photo, audio note, screenshot or its thumbnail), for an img or audio element. */
  mediaUrl: (sha256: string) => `${API}/media/${enc(sha256)}`,
  resolveConflict: (recordId: string, r: ConflictResolve) =>
    request<Conflicts>("POST", `/conflicts/${enc(recordId)}/merge`, r),
};
