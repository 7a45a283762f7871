import { describe, expect, it } from "vitest";
import { pickTheme } from "../src/theme";

describe("theme", () => {
  it("follows the officer's choice, else the system", () => {
    expect(pickTheme("dark", false)).toBe("dark");
    expect(pickTheme("light", true)).toBe("light");
    expect(pickTheme(null, true)).toBe("dark");
    expect(pickTheme("bogus", false)).toBe("light");
  });
});
