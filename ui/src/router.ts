// Hash routes: the app is a single page served from the bundle, and the hash keeps the
// current screen across a webview reload.

export type Route =
  | { name: "operations" }
  | { name: "home"; op: string }
  | { name: "capture"; op: string; kind: string }
  | { name: "timeline"; op: string; saved: string | null }
  | { name: "rumours"; op: string }
  | { name: "negotiations"; op: string }
  | { name: "tension"; op: string }
  | { name: "directory" }
  | { name: "search"; q: string }
  | { name: "record"; id: string }
  | { name: "edit"; id: string }
  | { name: "intelligence-from-note"; id: string }
  | { name: "new"; kind: string }
  | { name: "neighbourhood" }
  | { name: "passcode" };

export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  const p = path.split("/").filter(Boolean).map(decodeURIComponent);
  switch (p[0]) {
    case "op": {
      const op = p[1];
      if (!op) break;
      switch (p[2]) {
        case undefined:
          return { name: "home", op };
        case "capture":
          if (p[3]) return { name: "capture", op, kind: p[3] };
          break;
        case "timeline":
          return { name: "timeline", op, saved: params.get("saved") };
        case "rumours":
          return { name: "rumours", op };
        case "negotiations":
          return { name: "negotiations", op };
        case "tension":
          return { name: "tension", op };
      }
      break;
    }
    case "directory":
      return { name: "directory" };
    case "search":
      return { name: "search", q: params.get("q") ?? "" };
    case "record":
      if (p[1] && p[2] === "intelligence") return { name: "intelligence-from-note", id: p[1] };
      if (p[1]) return p[2] === "edit" ? { name: "edit", id: p[1] } : { name: "record", id: p[1] };
      break;
    case "new":
      if (p[1]) return { name: "new", kind: p[1] };
      break;
    case "neighbourhood":
      return { name: "neighbourhood" };
    case "passcode":
      return { name: "passcode" };
  }
  return { name: "operations" };
}

export function href(r: Route): string {
  const e = encodeURIComponent;
  switch (r.name) {
    case "operations":
      return "#/";
    case "home":
      return `#/op/${e(r.op)}`;
    case "capture":
      return `#/op/${e(r.op)}/capture/${e(r.kind)}`;
    case "timeline":
      return `#/op/${e(r.op)}/timeline${r.saved ? `?saved=${e(r.saved)}` : ""}`;
    case "rumours":
    case "negotiations":
    case "tension":
      return `#/op/${e(r.op)}/${r.name}`;
    case "directory":
      return "#/directory";
    case "search":
      return r.q ? `#/search?q=${e(r.q)}` : "#/search";
    case "record":
      return `#/record/${e(r.id)}`;
    case "edit":
      return `#/record/${e(r.id)}/edit`;
    case "intelligence-from-note":
      return `#/record/${e(r.id)}/intelligence`;
    case "new":
      return `#/new/${e(r.kind)}`;
    case "neighbourhood":
      return "#/neighbourhood";
    case "passcode":
      return "#/passcode";
  }
}

export function go(r: Route): void {
  window.location.hash = href(r);
}
