// The app frame: status strip, navigation, and the current screen.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { AppStatus, LockView, RecordKind, Vocabulary } from "./bindings";
import { api, asAppError, onLocked, onWrite } from "./api";
import { idleLeft, isOpen, shouldReport } from "./lock";
import { syncSummary } from "./syncStrip";
import { go, href, parseRoute, type Route } from "./router";
import { AppContext, ErrorBox, Screen } from "./ui";
import { Capture } from "./screens/Capture";
import { RecordDetail } from "./screens/Detail";
import { SubmitIntelligence } from "./screens/SubmitIntelligence";
import { Directory } from "./screens/Directory";
import { Negotiations } from "./screens/Negotiations";
import { Neighbourhood } from "./screens/Neighbourhood";
import { Home, Operations } from "./screens/Operations";
import { Rumours } from "./screens/Rumours";
import { Search } from "./screens/Search";
import { Tension } from "./screens/Tension";
import { Timeline } from "./screens/Timeline";
import { ChangePasscode, LockScreen } from "./screens/Lock";
import type { AppError } from "./bindings";
import { initialTheme, type Theme } from "./theme";

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => {
      setRoute(parseRoute(window.location.hash));
      window.scrollTo(0, 0);
      document.getElementById("screen-title")?.focus();
    };
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, []);
  return online;
}

/** The operation the officer is working in, kept while they visit the directory or search. */
function currentOp(route: Route, last: string | null): string | null {
  return "op" in route ? route.op : last;
}

/** The lock gate: nothing of the app (and no record) is rendered until the shell says it is
 * unlocked. The lock state is polled, and any command refused as locked brings the lock
 * screen back at once; the officer's touches and key presses keep the idle lock away. A page
 * that has shown the app never shows the passcode field: the lock screen is always a fresh
 * page's (src-tauri/src/screen.rs). */
export function App() {
  const [view, setView] = useState<LockView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const heldRecords = useRef(false);
  const locking = view !== null && !isOpen(view) && heldRecords.current;
  useEffect(() => {
    if (!locking) return;
    const fallback = window.setTimeout(() => window.location.reload(), 10_000);
    return () => window.clearTimeout(fallback);
  }, [locking]);
  useEffect(() => {
    const refresh = () =>
      void api.lockState().then(
        (v) => {
          setView(v);
          setError(null);
        },
        (e) => setError(asAppError(e)),
      );
    refresh();
    const timer = window.setInterval(refresh, 3000);
    const stop = onLocked(refresh);
    let last = 0;
    const active = () => {
      const now = Date.now();
      if (!shouldReport(now, last)) return;
      last = now;
      void api.activity().then(setView, () => undefined);
    };
    window.addEventListener("pointerdown", active, { passive: true });
    window.addEventListener("keydown", active, { passive: true });
    return () => {
      window.clearInterval(timer);
      stop();
      window.removeEventListener("pointerdown", active);
      window.removeEventListener("keydown", active);
    };
  }, []);
  if (!view) {
    return (
      <main id="main" class="main">
        {error ? <ErrorBox error={error} /> : <p role="status">Opening Liaison…</p>}
      </main>
    );
  }
  if (!isOpen(view) && heldRecords.current) {
    // This page has shown records: the shell replaces its window by a fresh one for the lock
    // screen (its web process, holding what was shown, ends with it), and would refuse a
    // passcode from here. Should that not happen, the page loads afresh.
    return (
      <main id="main" class="main lock-main" data-testid="locking">
        <Screen title="Locking…">
          <p role="status">Liaison is locking.</p>
        </Screen>
      </main>
    );
  }
  if (!isOpen(view)) {
    return (
      <main id="main" class="main lock-main" data-testid="lock-screen">
        <LockScreen view={view} onView={setView} />
      </main>
    );
  }
  heldRecords.current = true;
  return <Unlocked view={view} onLock={() => void api.lockNow().then(setView, () => undefined)} />;
}

function Unlocked({ view, onLock }: { view: LockView; onLock: () => void }) {
  const route = useRoute();
  const online = useOnline();
  const [vocab, setVocab] = useState<Vocabulary | null>(null);
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [lastOp, setLastOp] = useState<string | null>(null);
  const op = currentOp(route, lastOp);

  useEffect(() => {
    if ("op" in route) setLastOp(route.op);
  }, [route]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    try {
      localStorage.setItem("liaison-theme", theme);
    } catch {
      /* storage unavailable: the theme just isn't remembered */
    }
  }, [theme]);
  useEffect(() => {
    // A fresh start opens the operation the officer was working in.
    if (!window.location.hash || window.location.hash === "#") {
      void api.resumeOperation().then(
        (op) => {
          if (op && !window.location.hash) go({ name: "home", op });
        },
        () => undefined,
      );
    }
    api.vocabulary().then(setVocab, (e: AppError) => setError(e));
    // Only the status is polled: reading a screen again after each sync would count as use
    // and keep an unattended tablet from locking itself. What a sync brings shows when the
    // officer next opens the screen.
    const refresh = () => void api.status().then(setStatus, () => undefined);
    refresh();
    // The scheduler syncs in the background: the strip follows it.
    const timer = window.setInterval(refresh, 3000);
    const stop = onWrite(refresh);
    return () => {
      window.clearInterval(timer);
      stop();
    };
  }, []);
  useEffect(() => {
    // Coverage back: sync now rather than wait out a backoff.
    if (online) void api.coverageReturned().catch(() => undefined);
  }, [online]);

  const ctx = useMemo(
    () =>
      vocab
        ? {
            vocab,
            status,
            kindLabel: (k: RecordKind) => vocab.record_kind.find((c) => c.value === k)?.label ?? k,
          }
        : null,
    [vocab, status],
  );

  if (!ctx) {
    return (
      <main id="main" class="main">
        {error ? <ErrorBox error={error} /> : <p role="status">Opening Liaison…</p>}
      </main>
    );
  }
  const sync = status ? syncSummary(status) : null;
  const is = (name: Route["name"]) => (route.name === name ? "page" : undefined);
  return (
    <AppContext.Provider value={ctx}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="status-strip" data-testid="status-strip">
        <span class={`conn ${online ? "online" : "offline"}`} role="status" data-testid="connectivity">
          <span class="dot" aria-hidden="true" />
          {online ? "Online" : "Offline"}
        </span>
        {sync ? (
          <>
            <span data-testid="waiting">{sync.waiting}</span>
            {sync.media ? <span data-testid="media-waiting">{sync.media}</span> : null}
            <span class={`sync-detail ${sync.tone}`} data-testid="sync-detail">
              {sync.detail}
            </span>
            {sync.progress !== null ? (
              <progress max={1} value={sync.progress} aria-label="Sync progress" data-testid="sync-progress" />
            ) : null}
            {status?.enrolled ? (
              <button type="button" class="btn ghost" data-testid="sync-now" onClick={() => void api.syncNow()}>
                Sync now
              </button>
            ) : null}
          </>
        ) : (
          <span data-testid="waiting">…</span>
        )}
        <span class="officer">{status?.officer ?? ""}</span>
        <button
          type="button"
          class="btn ghost"
          data-testid="lock-now"
          onClick={onLock}
          title={`Locks by itself after ${idleLeft(view) ?? "a while"} without use`}
        >
          Lock
        </button>
        <button
          type="button"
          class="btn ghost"
          onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
          aria-pressed={theme === "dark"}
        >
          <span aria-hidden="true">☾</span> Night theme
        </button>
      </header>
      <nav class="nav" aria-label="Main">
        <a href={href({ name: "operations" })} aria-current={is("operations")}>
          Operations
        </a>
        {op ? (
          <>
            <a href={href({ name: "home", op })} aria-current={is("home")} data-testid="nav-home">
              Home
            </a>
            <a href={href({ name: "timeline", op, saved: null })} aria-current={is("timeline")} data-testid="nav-timeline">
              Timeline
            </a>
            <a href={href({ name: "rumours", op })} aria-current={is("rumours")} data-testid="nav-rumours">
              Rumours
            </a>
            <a href={href({ name: "negotiations", op })} aria-current={is("negotiations")} data-testid="nav-negotiations">
              Negotiations
            </a>
            <a href={href({ name: "tension", op })} aria-current={is("tension")} data-testid="nav-tension">
              Tension
            </a>
          </>
        ) : null}
        <a href={href({ name: "directory" })} aria-current={is("directory")} data-testid="nav-directory">
          Directory
        </a>
        <a href={href({ name: "search", q: "" })} aria-current={is("search")} data-testid="nav-search">
          Search
        </a>
        <a href={href({ name: "neighbourhood" })} aria-current={is("neighbourhood")} data-testid="nav-neighbourhood">
          Neighbourhood
        </a>
        <a href={href({ name: "passcode" })} aria-current={is("passcode")} data-testid="nav-passcode">
          Passcode
        </a>
      </nav>
      <main id="main" class="main" tabIndex={-1}>
        <Current route={route} passcodeMin={view.passcode_min} />
      </main>
    </AppContext.Provider>
  );
}

function Current({ route, passcodeMin }: { route: Route; passcodeMin: number }) {
  switch (route.name) {
    case "operations":
      return <Operations />;
    case "home":
      return <Home op={route.op} />;
    case "capture":
      return <Capture op={route.op} kind={route.kind as RecordKind} edit={null} />;
    case "timeline":
      return <Timeline op={route.op} saved={route.saved} />;
    case "rumours":
      return <Rumours op={route.op} />;
    case "negotiations":
      return <Negotiations op={route.op} />;
    case "tension":
      return <Tension op={route.op} />;
    case "directory":
      return <Directory />;
    case "search":
      return <Search q={route.q} />;
    case "record":
      return <RecordDetail id={route.id} />;
    case "edit":
      return <Capture op={null} kind={null} edit={route.id} />;
    case "intelligence-from-note":
      return <SubmitIntelligence noteId={route.id} />;
    case "new":
      return <Capture op={null} kind={route.kind as RecordKind} edit={null} />;
    case "neighbourhood":
      return <Neighbourhood />;
    case "passcode":
      return <ChangePasscode min={passcodeMin} />;
  }
}
