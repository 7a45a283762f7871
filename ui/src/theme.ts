// Day (high-contrast light, for sunlight) and night (dark) themes.
export type Theme = "light" | "dark";

export function pickTheme(stored: string | null, prefersDark: boolean): Theme {
  if (stored === "light" || stored === "dark") return stored;
  return prefersDark ? "dark" : "light";
}

export function initialTheme(): Theme {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem("liaison-theme");
  } catch {
    stored = null;
  }
  const dark = typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
  return pickTheme(stored, dark);
}
