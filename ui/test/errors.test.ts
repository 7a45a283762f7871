import { describe, expect, it } from "vitest";
import { placeErrors } from "../src/errors";

describe("placing the core's errors", () => {
  it("puts each problem beside its field and the rest on top", () => {
    const placed = placeErrors(
      {
        kind: "validation",
        message: "2 problems",
        field: "body.summary",
        problems: [
          { field: "body.summary", message: "is required" },
          { field: "body.conditions[1]", message: "is required" },
          { field: "operation_id", message: "is not an operation on this device" },
        ],
      },
      ["summary", "conditions"],
    );
    expect(placed.byField.get("summary")).toEqual(["is required"]);
    expect(placed.byField.get("conditions")).toEqual(["is required"]);
    expect(placed.general).toEqual(["operation_id is not an operation on this device"]);
  });
  it("shows a fieldless error's message on top", () => {
    const placed = placeErrors({ kind: "storage", message: "disk full", field: null, problems: [] }, ["summary"]);
    expect(placed.general).toEqual(["disk full"]);
    expect(placeErrors(null, []).general).toEqual([]);
  });
});
