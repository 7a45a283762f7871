// Places a `ConsoleError`'s field problems beside the form fields they concern. The server
// names a field by the core validator's path ("body.sectors[1].boundary[2]") or by the form's
// own name ("username"); a form lists the keys it shows problems beside ("sectors[1]", "name").
import type { ConsoleError } from "./bindings";

export interface Placed {
  /** Form key → messages. */
  byKey: Map<string, string[]>;
  /** Problems with no place on this form, and the error's sentence: shown at the top. */
  general: string[];
}

/** "body.sectors[1].boundary" → "sectors[1].boundary"; "operation.name" → "name". */
export function normalisePath(path: string): string {
  return path.replace(/^(body|operation|operation\.body)\./, "");
}

/** Words for a path a person can read at the top of a form: "sectors[1].boundary" → "sector 2 boundary". */
export function describePath(path: string): string {
  return normalisePath(path)
    .replace(/([a-z_]+)s\[(\d+)\]/g, (_m, word: string, i: string) => `${word} ${Number(i) + 1}`)
    .replace(/\[(\d+)\]/g, (_m, i: string) => ` ${Number(i) + 1}`)
    .replace(/[._]/g, " ")
    .trim();
}

/** The longest key that is the path itself or a parent of it. */
export function keyFor(path: string, keys: readonly string[]): string | null {
  const p = normalisePath(path);
  let best: string | null = null;
  for (const k of keys) {
    const parent = p === k || p.startsWith(`${k}.`) || p.startsWith(`${k}[`);
    if (parent && (best === null || k.length > best.length)) best = k;
  }
  return best;
}

/**
 * The core validator's messages start with the field's path ("body.ends_at must not be before
 * the start"): beside the field, the path is noise.
 */
export function withoutPath(message: string, field: string): string {
  const t = message.trim();
  for (const prefix of [field, normalisePath(field)]) {
    if (prefix && t.startsWith(`${prefix} `)) return t.slice(prefix.length + 1);
  }
  return t;
}

export function placeErrors(error: ConsoleError | null, keys: readonly string[]): Placed {
  const byKey = new Map<string, string[]>();
  const general: string[] = [];
  if (!error) return { byKey, general };
  general.push(error.message);
  for (const f of error.fields) {
    const k = keyFor(f.field, keys);
    const p = normalisePath(f.field);
    const message = withoutPath(f.message, f.field);
    // Beside a parent field, say which part is meant ("boundary: needs three points").
    const rest = k === null || p === k ? "" : p.slice(k.length).replace(/^[.[]/, "");
    const msg = rest ? `${describePath(rest)}: ${message}` : message;
    if (k === null) general.push(`${describePath(f.field)}: ${message}`);
    else byKey.set(k, [...(byKey.get(k) ?? []), msg]);
  }
  return { byKey, general };
}
