// The briefing as IIMARCH: one text with seven headings, edited as seven parts. The record
// keeps one `briefing` string, so the tablet shows it as it is written here.

export const IIMARCH = [
  "Information",
  "Intention",
  "Method",
  "Administration",
  "Risk assessment",
  "Communications",
  "Human rights",
] as const;

export type Heading = (typeof IIMARCH)[number];
export type Briefing = { [H in Heading]: string };

export const TEMPLATE_HINTS: Briefing = {
  Information: "What is happening, who is involved, what is known of the groups and the venue.",
  Intention: "What the operation aims to achieve (the commander's intent).",
  Method: "How: deployments, sectors, liaison tactics, escalation routes.",
  Administration: "Briefing times, kit, refreshments, welfare, duty times.",
  "Risk assessment": "Hazards to officers and the public, and the controls in place.",
  Communications: "Radio channels, call signs, who reports to whom.",
  "Human rights": "Articles 9, 10 and 11: how the rights to protest and assemble are facilitated; proportionality.",
};

export function emptyBriefing(): Briefing {
  return {
    Information: "",
    Intention: "",
    Method: "",
    Administration: "",
    "Risk assessment": "",
    Communications: "",
    "Human rights": "",
  };
}

function headingOf(line: string): Heading | null {
  const t = line
    .trim()
    .replace(/^#+\s*/, "")
    .replace(/:$/, "")
    .trim()
    .toLowerCase();
  return IIMARCH.find((h) => h.toLowerCase() === t) ?? null;
}

/** Splits a briefing at its IIMARCH headings; text before the first heading goes to Information. */
export function parseBriefing(text: string): Briefing {
  const out = emptyBriefing();
  let current: Heading = "Information";
  const parts: { [H in Heading]?: string[] } = {};
  for (const line of text.split(/\r?\n/)) {
    const h = headingOf(line);
    if (h) {
      current = h;
      parts[current] = parts[current] ?? [];
      continue;
    }
    (parts[current] = parts[current] ?? []).push(line);
  }
  for (const h of IIMARCH) out[h] = (parts[h] ?? []).join("\n").trim();
  return out;
}

/** One text with every heading, in IIMARCH order, each followed by its part. */
export function composeBriefing(b: Briefing): string {
  return IIMARCH.map((h) => (b[h].trim() ? `${h}\n${b[h].trim()}` : h)).join("\n\n");
}

/** True when no part has any text: a blank template is not worth saving. */
export function isBlank(b: Briefing): boolean {
  return IIMARCH.every((h) => b[h].trim() === "");
}
