// Directory search: matches every typed word against an entry's name and kind, ignoring case
// and accents, so "okafor stew" finds "Grace Okafor" the steward's entry by name.
import type { RecordKind, RecordSummary } from "./bindings";

export function normalise(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

export function filterDirectory(
  entries: RecordSummary[],
  query: string,
  kind: RecordKind | null,
  kindLabel: (k: RecordKind) => string,
): RecordSummary[] {
  const words = normalise(query).split(/\s+/).filter(Boolean);
  return entries.filter((e) => {
    if (kind && e.kind !== kind) return false;
    const hay = normalise(`${e.title} ${kindLabel(e.kind)}`);
    return words.every((w) => hay.includes(w));
  });
}
