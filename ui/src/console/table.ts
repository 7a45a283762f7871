// Turns a JSON answer whose shape the console does not own (the audit trail) into a table:
// the first list of objects found, its keys as columns. Pure; tested in test/console-table.test.ts.

export interface Table {
  /** Where the rows were found ("entries"), empty for the answer itself. */
  path: string;
  columns: string[];
  rows: string[][];
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function isObject(v: unknown): v is { [k: string]: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The first array of objects, breadth first, at most three levels down. */
function findRows(json: unknown): { path: string; rows: { [k: string]: unknown }[] } | null {
  let level: { path: string; value: unknown }[] = [{ path: "", value: json }];
  for (let depth = 0; depth < 4 && level.length > 0; depth++) {
    const next: { path: string; value: unknown }[] = [];
    for (const { path, value } of level) {
      if (Array.isArray(value) && value.length > 0 && value.every(isObject)) return { path, rows: value };
      if (isObject(value)) {
        for (const [k, v] of Object.entries(value)) next.push({ path: path ? `${path}.${k}` : k, value: v });
      }
    }
    level = next;
  }
  return null;
}

export function tabulate(json: unknown): Table | null {
  const found = findRows(json);
  if (!found) return null;
  const columns: string[] = [];
  for (const row of found.rows) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  return { path: found.path, columns, rows: found.rows.map((r) => columns.map((c) => cell(r[c]))) };
}

/** "audit-operation-<id>-<yyyy-mm-dd>.json". */
export function auditFileName(kind: string, id: string, now: Date = new Date()): string {
  const safe = id.replace(/[^A-Za-z0-9_-]+/g, "-");
  return `audit-${kind}-${safe}-${now.toISOString().slice(0, 10)}.json`;
}
