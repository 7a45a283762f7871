// Places the core's validation problems next to the fields they concern.
import type { AppError } from "./bindings";
import { fieldName } from "./format";

export interface Placed {
  /** Form field name → messages. */
  byField: Map<string, string[]>;
  /** Problems with no field on this form: shown at the top. */
  general: string[];
}

export function placeErrors(error: AppError | null, fields: string[]): Placed {
  const byField = new Map<string, string[]>();
  const general: string[] = [];
  if (!error) return { byField, general };
  const known = new Set(fields);
  for (const p of error.problems) {
    const name = fieldName(p.field);
    if (known.has(name)) byField.set(name, [...(byField.get(name) ?? []), p.message]);
    else general.push(`${p.field} ${p.message}`);
  }
  if (error.problems.length === 0) general.push(error.message);
  return { byField, general };
}
