import { describe, expect, it } from "vitest";
import { DRAFT_ATTACHMENTS, draftAttachments, parseDraft } from "../src/forms";
import { kindOf, locationNote, size, toBase64 } from "../src/media";

describe("attachments on the capture screens", () => {
  it("hands bytes to the shell as base64, whole, however large", () => {
    expect(toBase64(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe("/9j/4A==");
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(atob(toBase64(big)).length).toBe(100_000);
    expect(atob(toBase64(big)).charCodeAt(99_999)).toBe(99_999 % 251);
  });

  it("says what a chosen file is (the shell checks the bytes themselves)", () => {
    expect(kindOf({ type: "audio/mp4", name: "note.m4a" }, false)).toBe("audio");
    expect(kindOf({ type: "image/jpeg", name: "IMG_0042.jpg" }, false)).toBe("photo");
    expect(kindOf({ type: "image/png", name: "Screenshot 2026-12-01.png" }, false)).toBe("screenshot");
    expect(kindOf({ type: "image/png", name: "post.png" }, true)).toBe("screenshot");
    expect(size(2_400_000)).toBe("2.4 MB");
    expect(size(180_400)).toBe("180 KB");
  });

  it("keeps the files attached so far in the draft, and nothing malformed", () => {
    const a = { sha256: "a".repeat(64), kind: "photo", media_type: "jpeg", size: 1000 };
    const restored = parseDraft("contact_note", JSON.stringify({ summary: "x", [DRAFT_ATTACHMENTS]: JSON.stringify([a, { junk: 1 }]) }));
    expect(restored && draftAttachments(restored)).toEqual([a]);
    expect(draftAttachments({ summary: "x" })).toBeUndefined();
    expect(draftAttachments({ [DRAFT_ATTACHMENTS]: "{" })).toBeUndefined();
  });

  it("says a picture's location was removed or kept, and nothing of the kind for an audio note", () => {
    expect(locationNote({ kind: "photo" })).toBe("Location removed");
    expect(locationNote({ kind: "screenshot", location_kept: true })).toBe("Location kept");
    expect(locationNote({ kind: "audio" })).toBe("Kept as recorded");
  });
});
