import { describe, expect, it } from "vitest";
import { checkNewPasscode, idleLeft, isOpen, shouldReport, ACTIVITY_EVERY_MS } from "../src/lock";
import type { LockView } from "../src/bindings";

const view = (lock: LockView["lock"], wiped: LockView["wiped"] = null): LockView => ({
  lock,
  wiped,
  passcode_min: 6,
  idle_lock_after_s: 300,
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
