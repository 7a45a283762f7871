// The UI's one door to the shell. Every screen calls the shell through `api`, never through
// `invoke` directly, so cross-cutting concerns live here: error normalisation, telling the
// status strip that something was written, and (later) sync status.
import { convertFileSrc } from "@tauri-apps/api/core";
import { commands, type AppError } from "./bindings";

type Commands = typeof commands;
type Listener = () => void;

const listeners = new Set<Listener>();

/** Called after every successful write, so the status strip and open lists refresh. */
export function onWrite(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notifyWrite(): void {
  for (const l of listeners) l();
}

const lockListeners = new Set<Listener>();

/** Called when a command is refused because the app is locked (the idle lock, or another
 * window), so the lock screen can take over at once. */
export function onLocked(listener: Listener): () => void {
  lockListeners.add(listener);
  return () => lockListeners.delete(listener);
}

/** Anything the shell rejects with, as an `AppError` (a string from the IPC layer included). */
export function asAppError(e: unknown): AppError {
  if (typeof e === "object" && e !== null && "kind" in e && "message" in e) {
    const o = e as Partial<AppError>;
    return {
      kind: o.kind ?? "storage",
      message: String(o.message),
      field: o.field ?? null,
      problems: Array.isArray(o.problems) ? o.problems : [],
    };
  }
  return { kind: "storage", message: e instanceof Error ? e.message : String(e), field: null, problems: [] };
}

const WRITES = new Set<keyof Commands>([
  "createRecord",
  "editRecord",
  "mergeVersions",
  "confirmDirectoryEntry",
  "submitNoteAsIntelligence",
  "setRumourStatus",
  "addRumourControl",
  "recordCompliance",
]);

function wrap<K extends keyof Commands>(name: K): Commands[K] {
  const f = commands[name] as (...args: unknown[]) => Promise<unknown>;
  const wrapped = async (...args: unknown[]) => {
    try {
      const out = await f(...args);
      if (WRITES.has(name)) notifyWrite();
      return out;
    } catch (e) {
      const error = asAppError(e);
      if (error.kind === "locked") for (const l of lockListeners) l();
      throw error;
    }
  };
  return wrapped as unknown as Commands[K];
}

export const api: Commands = Object.fromEntries(
  (Object.keys(commands) as (keyof Commands)[]).map((k) => [k, wrap(k)]),
) as unknown as Commands;

/** The address of one of the force's own map tiles, answered in-process by the shell's
 * `maptiles:` scheme (src-tauri/src/tiles.rs); spelt as the platform wants custom schemes. */
export function forceTileUrl(z: number, x: number, y: number): string {
  return convertFileSrc(`${z}/${x}/${y}`, "maptiles");
}
