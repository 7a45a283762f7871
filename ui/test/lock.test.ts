import { describe, expect, it } from "vitest";
import {
  checkNewPasscode,
  idleLeft,
  isOpen,
  lockStage,
  shouldReport,
  shouldTryEnrolment,
  ACTIVITY_EVERY_MS,
} from "../src/lock";
import type { EnrolmentView, LockView } from "../src/bindings";

const enrolled: EnrolmentView = { state: "enrolled", officer: "PC 4521", server_url: "https://force.example" };

const view = (
  lock: LockView["lock"],
  wiped: LockView["wiped"] = null,
  enrolment: EnrolmentView = lock.state === "unlocked" ? enrolled : { state: "unknown" },
): LockView => ({
  lock,
  wiped,
  passcode_min: 6,
  key_guard: "tpm",
  passcode_rule: "At least 6 characters.",
  idle_lock_after_s: 300,
  enrolment,
});

const unlocked = { state: "unlocked" as const, idle_lock_in_s: 10 };
const pending = (trying: boolean, problem: { message: string; retry_may_help: boolean } | null): EnrolmentView => ({
  state: "pending",
  server_url: "https://force.example",
  trying,
  problem,
});

describe("a new passcode", () => {
  it("must be long enough and confirmed", () => {
    expect(checkNewPasscode("12345", "12345", 6).passcode).toMatch(/at least 6/);
    expect(checkNewPasscode("246810", "246811", 6)).toEqual({ confirm: "does not match the passcode" });
    expect(checkNewPasscode("246810", "246810", 6)).toEqual({});
  });
});

describe("the lock gate", () => {
  it("opens only when unlocked with no wipe notice to read", () => {
    expect(isOpen(null)).toBe(false);
    expect(isOpen(view({ state: "locked" }))).toBe(false);
    expect(isOpen(view({ state: "not_set_up" }))).toBe(false);
    expect(isOpen(view({ state: "unlocked", idle_lock_in_s: 10 }))).toBe(true);
    const notice = { reason: "revoked" as const, at: "2026-11-23T08:00:00Z", unsynced_lost: 0, message: "m" };
    expect(isOpen(view({ state: "unlocked", idle_lock_in_s: 10 }, notice))).toBe(false);
  });

  it("stays closed on a tablet the force has not enrolled yet: records need their officer", () => {
    expect(isOpen(view(unlocked, null, pending(false, null)))).toBe(false);
    expect(isOpen(view(unlocked, null, { state: "needed" }))).toBe(false);
    expect(lockStage(view(unlocked, null, pending(true, null)))).toBe("enrolling");
    expect(lockStage(view({ state: "not_set_up" }))).toBe("first_run");
    expect(lockStage(view({ state: "locked" }))).toBe("unlock");
    expect(lockStage(view(unlocked))).toBe("open");
  });

  it("asks the server by itself once, then leaves a failed enrolment to the officer", () => {
    expect(shouldTryEnrolment(view(unlocked, null, pending(false, null)))).toBe(true);
    expect(shouldTryEnrolment(view(unlocked, null, pending(true, null)))).toBe(false);
    const offline = { message: "the force server could not be reached", retry_may_help: true };
    expect(shouldTryEnrolment(view(unlocked, null, pending(false, offline)))).toBe(false);
    expect(shouldTryEnrolment(view(unlocked, null, { state: "needed" }))).toBe(false);
  });

  it("reports activity at most every few seconds", () => {
    expect(shouldReport(ACTIVITY_EVERY_MS, 0)).toBe(true);
    expect(shouldReport(ACTIVITY_EVERY_MS - 1, 0)).toBe(false);
  });

  it("says how long until the idle lock", () => {
    expect(idleLeft(view({ state: "unlocked", idle_lock_in_s: 299 }))).toBe("4 min");
    expect(idleLeft(view({ state: "unlocked", idle_lock_in_s: 45 }))).toBe("45 s");
    expect(idleLeft(view({ state: "locked" }))).toBeNull();
  });
});
