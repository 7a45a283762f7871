// What each staff role may use in the console: the page's half of the route matrix in
// docs/console.md (the server's half is server/src/console/matrix.rs, and it is the one that
// refuses). Pages hide what a role cannot use; they never rely on hiding for safety.
import type { StaffRole } from "./bindings";

export type Ability =
  | "staff" // list and create staff accounts
  | "officers.read"
  | "officers.edit"
  | "operations.read"
  | "operations.edit" // create and edit operations
  | "devices.read"
  | "devices.manage" // issue enrolments, revoke
  | "reviews"
  | "audit"
  | "tasking" // give officers tasks and read their results
  | "alerts" // escalations: be alerted, acknowledge, answer
  | "intelligence" // quality-assure officers' intelligence submissions
  | "abstractions" // request, authorise or refuse; the monthly rate
  | "conflicts" // records edited on two tablets at once: see both versions, keep one
  | "debrief" // an operation's debrief: notes, recommendations, the report as PDF
  | "debrief.signoff" // sign a debrief off (commanders)
  | "exports" // an operation's records in open formats (each download logged with its purpose)
  | "exports.directory" // the directory in open formats
  | "statistics"; // monitoring statistics for partners, suppressed, and their CSV

const ABILITIES: { [R in StaffRole]: readonly Ability[] } = {
  admin: [
    "staff",
    "officers.read",
    "officers.edit",
    "operations.read",
    "operations.edit",
    "devices.read",
    "devices.manage",
    "reviews",
    "audit",
    "exports.directory",
  ],
  gold: [
    "officers.read",
    "operations.read",
    "operations.edit",
    "audit",
    "tasking",
    "alerts",
    "intelligence",
    "abstractions",
    "conflicts",
    "debrief",
    "debrief.signoff",
    "exports",
    "exports.directory",
    "statistics",
  ],
  silver: ["officers.read", "operations.read", "operations.edit", "tasking", "alerts", "intelligence", "abstractions", "conflicts", "debrief", "debrief.signoff", "exports", "exports.directory", "statistics"],
  bronze: ["officers.read", "operations.read", "operations.edit", "tasking", "alerts", "intelligence", "abstractions", "conflicts", "debrief", "debrief.signoff", "exports", "exports.directory", "statistics"],
  supervisor: ["officers.read", "operations.read", "devices.read", "tasking", "alerts", "intelligence", "abstractions", "conflicts", "debrief", "exports", "exports.directory", "statistics"],
  officer: ["operations.read", "statistics"],
};

export function can(role: StaffRole, ability: Ability): boolean {
  return ABILITIES[role].includes(ability);
}

export interface NavItem {
  href: string;
  label: string;
  /** The route names that mark this item as the current page. */
  routes: string[];
}

const NAV: { item: NavItem; needs: Ability }[] = [
  { item: { href: "#/alerts", label: "Alerts", routes: ["alerts"] }, needs: "alerts" },
  { item: { href: "#/operations", label: "Operations", routes: ["operations", "operation-new", "operation-edit", "live"] }, needs: "operations.read" },
  { item: { href: "#/officers", label: "Officers", routes: ["officers"] }, needs: "officers.read" },
  { item: { href: "#/staff", label: "Staff", routes: ["staff"] }, needs: "staff" },
  { item: { href: "#/tablets", label: "Tablets", routes: ["tablets"] }, needs: "devices.read" },
  { item: { href: "#/reviews", label: "Reviews", routes: ["reviews"] }, needs: "reviews" },
  { item: { href: "#/audit", label: "Audit", routes: ["audit"] }, needs: "audit" },
  { item: { href: "#/tasks", label: "Tasks", routes: ["tasks"] }, needs: "tasking" },
  { item: { href: "#/intelligence", label: "Intelligence", routes: ["intelligence"] }, needs: "intelligence" },
  { item: { href: "#/abstractions", label: "Abstractions", routes: ["abstractions"] }, needs: "abstractions" },
  { item: { href: "#/conflicts", label: "Conflicts", routes: ["conflicts"] }, needs: "conflicts" },
  { item: { href: "#/exports", label: "Exports", routes: ["exports"] }, needs: "exports.directory" },
  { item: { href: "#/statistics", label: "Statistics", routes: ["statistics"] }, needs: "statistics" },
];

/** The navigation a role sees, in a fixed order. */
export function navFor(role: StaffRole): NavItem[] {
  return NAV.filter((n) => can(role, n.needs)).map((n) => n.item);
}

export const ROLE_LABELS: { [R in StaffRole]: string } = {
  admin: "Force admin",
  gold: "Gold commander",
  silver: "Silver commander",
  bronze: "Bronze commander",
  supervisor: "Supervisor",
  officer: "Officer",
};

export const ROLES: StaffRole[] = ["admin", "gold", "silver", "bronze", "supervisor", "officer"];
