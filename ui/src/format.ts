// How times, moods and kinds are shown. Pure functions, tested in test/format.test.ts.

/** "14:05" today, "Sat 6 Jun 14:05" otherwise, in the device's time zone. */
export function when(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  const sameDay =
    d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  if (sameDay) return time;
  const day = d.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short" });
  return `${day} ${time}`;
}

/** The value for an <input type="datetime-local"> (local time, minutes). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An ISO UTC timestamp from an <input type="datetime-local"> value, or null when empty/invalid. */
export function fromLocalInput(v: string): string | null {
  if (!v.trim()) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Short label for a mood level 1..5, used by the chart's axis. */
export const MOOD_LEVELS = ["Calm", "Good-natured", "Uneasy", "Tense", "Hostile"] as const;

/**
 * Turns a field path into the form field's name: `body.summary` → `summary`,
 * `body.conditions[1]` → `conditions`, `body.control_actions[0].told` → `told`.
 */
export function fieldName(path: string): string {
  const p = path.replace(/^body\./, "");
  const nested = p.lastIndexOf("].");
  return (nested >= 0 ? p.slice(nested + 2) : p).replace(/\[\d+\]$/, "");
}

/** "3 records" / "1 record". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A span of seconds as a person says it: "40 s", "12 min", "1 h 05 min". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** The median of some numbers; null for none. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  const upper = v[mid] ?? 0;
  return v.length % 2 ? upper : ((v[mid - 1] ?? upper) + upper) / 2;
}
