// The lock's logic that needs no webview: checking a new passcode before it is sent, and how
// often the officer's activity is reported to the shell (which keeps the idle lock away).
import type { LockView } from "./bindings";

export interface PasscodeProblems {
  passcode?: string;
  confirm?: string;
}

/** Problems with a new passcode and its confirmation, worded to read after the field's label. */
export function checkNewPasscode(passcode: string, confirm: string, min: number): PasscodeProblems {
  const out: PasscodeProblems = {};
  if (passcode.length < min) out.passcode = `must be at least ${min} characters`;
  if (confirm !== passcode) out.confirm = "does not match the passcode";
  return out;
}

/** Activity is reported at most this often: often enough that a working officer is never
 * locked out, rarely enough that typing costs nothing. */
export const ACTIVITY_EVERY_MS = 10_000;

/** Whether activity at `now` must be reported, given the last report at `last`. */
export function shouldReport(now: number, last: number): boolean {
  return now - last >= ACTIVITY_EVERY_MS;
}

/** Whether the app may show records: unlocked, enrolled (records need their officer), with
 * no wipe notice to read first. */
export function isOpen(view: LockView | null): boolean {
  return (
    view !== null && view.lock.state === "unlocked" && view.wiped === null && view.enrolment.state === "enrolled"
  );
}

/** Which first-run or lock screen a view calls for. */
export type LockStage = "wiped" | "first_run" | "unlock" | "enrolling" | "open";

export function lockStage(view: LockView): LockStage {
  if (view.wiped) return "wiped";
  if (view.lock.state === "not_set_up") return "first_run";
  if (view.lock.state === "locked") return "unlock";
  return view.enrolment.state === "enrolled" ? "open" : "enrolling";
}

/** Whether the waiting screen should ask the server now, without a tap: a held enrolment that
 * has not been tried since the app started. After a failure the officer (or coverage
 * returning) decides. */
export function shouldTryEnrolment(view: LockView): boolean {
  const e = view.enrolment;
  return e.state === "pending" && !e.trying && e.problem === null;
}

/** "4 min" / "45 s": the time left before the idle lock. */
export function idleLeft(view: LockView): string | null {
  if (view.lock.state !== "unlocked") return null;
  const s = view.lock.idle_lock_in_s;
  return s >= 60 ? `${Math.floor(s / 60)} min` : `${s} s`;
}
