import { describe, expect, it } from "vitest";
import { locationText, openLabel, pictureAlt, retryDelayMs, sizeText } from "../src/console/attachments";
import { api } from "../src/console/api";
import type { Attachment } from "../src/console/bindings";

const photo: Attachment = {
  sha256: "a".repeat(64),
  kind: "photo",
  media_type: "jpeg",
  size: 2_345_678,
  thumbnail: { sha256: "b".repeat(64), size: 20_000 },
  caption: "Placard at the gate",
};
const audio: Attachment = { sha256: "c".repeat(64), kind: "audio", media_type: "mp4_audio", size: 840 };

describe("a record's attachments in the console", () => {
  it("describes a picture by its kind and caption for someone who cannot see it", () => {
    expect(pictureAlt(photo)).toBe("Photo: Placard at the gate");
    expect(pictureAlt({ ...photo, kind: "screenshot", caption: undefined })).toBe("Screenshot, no caption");
    expect(pictureAlt(photo, "Full size")).toBe("Full size of photo: Placard at the gate");
  });
  it("says whether a picture's location was kept, and nothing of the kind for audio", () => {
    expect(locationText(photo)).toBe("Location removed");
    expect(locationText({ ...photo, location_kept: true })).toBe("Location kept");
    expect(locationText(audio)).toBeNull();
  });
  it("gives sizes in words", () => {
    expect(sizeText(840)).toBe("840 bytes");
    expect(sizeText(20_000)).toBe("20 KB");
    expect(sizeText(2_345_678)).toBe("2.3 MB");
    expect(sizeText(25_000_000)).toBe("25 MB");
  });
  it("opens a picture and plays an audio note, from the console's media route", () => {
    expect(openLabel(photo, false)).toBe("Open");
    expect(openLabel(audio, false)).toBe("Play");
    expect(openLabel(audio, true)).toBe("Close");
    expect(api.mediaUrl(photo.sha256)).toBe(`/console/api/media/${"a".repeat(64)}`);
  });
  it("asks again for a thumbnail not on the server yet, sooner at first, at most every two minutes", () => {
    expect([0, 1, 2, 3].map(retryDelayMs)).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(10)).toBe(120_000);
  });
});
