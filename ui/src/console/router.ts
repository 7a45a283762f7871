// Hash routes: the server serves one index.html at /console/, and the hash names the page.
import { can } from "./roles";
import type { StaffRole } from "./bindings";

export type Route =
  | { name: "operations" }
  | { name: "operation-new" }
  | { name: "operation-edit"; id: string }
  | { name: "live"; id: string }
  | { name: "debrief"; id: string }
  | { name: "officers" }
  | { name: "staff" }
  | { name: "tablets" }
  | { name: "reviews" }
  | { name: "audit"; id: string | null }
  | { name: "tasks" }
  | { name: "alerts" }
  | { name: "abstractions" }
  | { name: "intelligence" }
  | { name: "conflicts" }
  | { name: "exports"; id: string | null }
  | { name: "statistics" }
  | { name: "not-found"; path: string };

export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  const p = path.split("/").filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  switch (p[0]) {
    case undefined:
    case "operations":
      if (p.length <= 1) return { name: "operations" };
      if (p[1] === "new" && p.length === 2) return { name: "operation-new" };
      if (p[1] && p[2] === "edit" && p.length === 3) return { name: "operation-edit", id: p[1] };
      if (p[1] && p[2] === "live" && p.length === 3) return { name: "live", id: p[1] };
      if (p[1] && p[2] === "debrief" && p.length === 3) return { name: "debrief", id: p[1] };
      break;
    case "officers":
    case "staff":
    case "tablets":
    case "reviews":
    case "tasks":
    case "alerts":
    case "intelligence":
    case "abstractions":
    case "conflicts":
    case "statistics":
      if (p.length === 1) return { name: p[0] };
      break;
    case "exports":
      if (p.length === 1) return { name: "exports", id: params.get("id") };
      break;
    case "audit":
      if (p.length === 1) return { name: "audit", id: params.get("id") };
      break;
  }
  return { name: "not-found", path };
}

export function href(route: Route): string {
  const e = encodeURIComponent;
  switch (route.name) {
    case "operations":
      return "#/operations";
    case "operation-new":
      return "#/operations/new";
    case "operation-edit":
      return `#/operations/${e(route.id)}/edit`;
    case "live":
      return `#/operations/${e(route.id)}/live`;
    case "debrief":
      return `#/operations/${e(route.id)}/debrief`;
    case "audit":
      return route.id ? `#/audit?id=${e(route.id)}` : "#/audit";
    case "exports":
      return route.id ? `#/exports?id=${e(route.id)}` : "#/exports";
    case "not-found":
      return `#/${route.path}`;
    default:
      return `#/${route.name}`;
  }
}

/** Whether a role may open a page at all (the page still hides what it may not change). */
export function mayOpen(role: StaffRole, route: Route): boolean {
  switch (route.name) {
    case "operations":
    case "live":
      return can(role, "operations.read");
    case "operation-new":
    case "operation-edit":
      return can(role, "operations.edit");
    case "officers":
      return can(role, "officers.read");
    case "staff":
      return can(role, "staff");
    case "tablets":
      return can(role, "devices.read");
    case "reviews":
      return can(role, "reviews");
    case "audit":
      return can(role, "audit");
    case "tasks":
      return can(role, "tasking");
    case "alerts":
      return can(role, "alerts");
    case "abstractions":
      return can(role, "abstractions");
    case "intelligence":
      return can(role, "intelligence");
    case "conflicts":
      return can(role, "conflicts");
    case "debrief":
      return can(role, "debrief");
    case "exports":
      return can(role, "exports") || can(role, "exports.directory");
    case "statistics":
      return can(role, "statistics");
    case "not-found":
      return true;
  }
}
