import { describe, expect, it } from "vitest";
import type { AppStatus } from "../src/bindings";
import { mediaWaiting, syncSummary } from "../src/syncStrip";

const base: AppStatus = {
  officer: "PC 4521",
  device_id: "01a206ad-015e-70d8-b2a7-f790d63e6614",
  waiting_to_sync: 3,
  urgent_waiting: 0,
  enrolled: true,
  last_success_at: null,
  last_error: null,
  revoked: false,
  quarantined: [],
  progress: null,
  media_waiting: { photos: 0, screenshots: 0, audio_notes: 0, bytes: 0 },
};

describe("syncSummary", () => {
  it("counts attached files apart from records, with their size, and says nothing when none wait", () => {
    expect(syncSummary(base).media).toBe("");
    expect(mediaWaiting({ photos: 3, screenshots: 0, audio_notes: 0, bytes: 12_400_000 })).toBe("3 photos waiting, 12 MB");
    expect(mediaWaiting({ photos: 1, screenshots: 1, audio_notes: 2, bytes: 2_345_678 })).toBe(
      "1 photo, 1 screenshot, 2 audio notes waiting, 2.3 MB",
    );
    expect(mediaWaiting({ photos: 0, screenshots: 0, audio_notes: 1, bytes: 40_000 })).toBe("1 audio note waiting, under 0.1 MB");
  });
  it("counts what waits and names the urgent part", () => {
    expect(syncSummary({ ...base, urgent_waiting: 2 }).waiting).toBe("3 records waiting to sync (2 urgent)");
    expect(syncSummary({ ...base, waiting_to_sync: 1 }).waiting).toBe("1 record waiting to sync");
  });
  it("shows the error before anything else but revocation", () => {
    const s = syncSummary({ ...base, last_error: "the force server cannot be reached" });
    expect(s.tone).toBe("error");
    expect(s.detail).toContain("cannot be reached");
    expect(syncSummary({ ...base, last_error: "x", revoked: true }).detail).toContain("revoked");
  });
  it("says when a device is not enrolled", () => {
    expect(syncSummary({ ...base, enrolled: false }).tone).toBe("warn");
  });
  it("reports refused records with the server's reason", () => {
    const s = syncSummary({
      ...base,
      quarantined: [{ revision_id: base.device_id, reason: "not_assigned", message: "not assigned to this operation" }],
    });
    expect(s.detail).toBe("1 record refused by the server: not assigned to this operation");
  });
  it("gives progress as a fraction while a sync runs", () => {
    expect(syncSummary({ ...base, progress: { phase: "pushing", done: 50, total: 200 } }).progress).toBe(0.25);
    expect(syncSummary(base).progress).toBeNull();
  });
});
