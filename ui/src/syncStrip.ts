// What the status strip says about sync: a pure function of the shell's status, so it is tested
// without a webview.
import type { AppStatus } from "./bindings";
import { plural, when } from "./format";

export type Tone = "ok" | "warn" | "error";

export interface SyncSummary {
  /** "12 records waiting to sync" (with "3 urgent" when escalations or rumours wait). */
  waiting: string;
  /** "3 photos waiting, 12 MB": attached files, counted apart (they go after the records); empty when none. */
  media: string;
  /** Last success, the error, or why there is no sync; empty when there is nothing to add. */
  detail: string;
  tone: Tone;
  /** 0..1 while a sync runs, else null. */
  progress: number | null;
}

/** The attached files waiting to go, as the strip says them. */
export function mediaWaiting(m: AppStatus["media_waiting"]): string {
  const parts = [
    m.photos > 0 ? plural(Number(m.photos), "photo") : "",
    m.screenshots > 0 ? plural(Number(m.screenshots), "screenshot") : "",
    m.audio_notes > 0 ? plural(Number(m.audio_notes), "audio note") : "",
  ].filter((p) => p !== "");
  if (parts.length === 0) return "";
  const mb = Number(m.bytes) / 1_000_000;
  const size = mb >= 10 ? `${Math.round(mb)} MB` : mb >= 0.1 ? `${mb.toFixed(1)} MB` : "under 0.1 MB";
  return `${parts.join(", ")} waiting, ${size}`;
}

export function syncSummary(s: AppStatus, now: Date = new Date()): SyncSummary {
  const media = mediaWaiting(s.media_waiting);
  const n = Number(s.waiting_to_sync);
  const urgent = Number(s.urgent_waiting);
  const waiting =
    `${plural(n, "record")} waiting to sync` + (urgent > 0 ? ` (${urgent} urgent)` : "");
  const progress =
    s.progress && Number(s.progress.total) > 0
      ? Math.min(1, Number(s.progress.done) / Number(s.progress.total))
      : null;
  if (s.revoked) {
    return { waiting, media, detail: "This device has been revoked by the force: hand it in to IT", tone: "error", progress };
  }
  if (!s.enrolled) {
    return { waiting, media, detail: "Not enrolled with a force server", tone: "warn", progress };
  }
  if (s.last_error) {
    return { waiting, media, detail: `Sync failed: ${s.last_error}`, tone: "error", progress };
  }
  const refused = s.quarantined.length;
  if (refused > 0) {
    return {
      waiting,
      media,
      detail: `${plural(refused, "record")} refused by the server: ${s.quarantined[0]?.message ?? ""}`,
      tone: "warn",
      progress,
    };
  }
  const detail = s.last_success_at ? `Synced ${when(s.last_success_at, now)}` : "Not synced yet";
  return { waiting, media, detail, tone: "ok", progress };
}
