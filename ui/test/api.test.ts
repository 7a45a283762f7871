import { describe, expect, it } from "vitest";
import { asAppError } from "../src/api";

describe("errors from the shell", () => {
  it("keep the shell's AppError as it is", () => {
    const e = { kind: "validation", message: "x", field: "body.summary", problems: [{ field: "body.summary", message: "is required" }] };
    expect(asAppError(e)).toEqual(e);
  });
  it("turn a bare IPC string or an exception into a storage error with its message", () => {
    expect(asAppError("invalid args `record` for command `create_record`")).toEqual({
      kind: "storage",
      message: "invalid args `record` for command `create_record`",
      field: null,
      problems: [],
    });
    expect(asAppError(new Error("boom")).message).toBe("boom");
  });
});
