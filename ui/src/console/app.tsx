// The console's shell: who is signed in, the navigation their role may use, and the page the
// hash names. Signed out, it is the sign-in page.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Me } from "./bindings";
import { api, onSignedOut, setSession } from "./api";
import { navFor, ROLE_LABELS } from "./roles";
import { mayOpen, parseRoute, type Route } from "./router";
import { SignInPage } from "./pages/SignIn";
import { StaffPage } from "./pages/Staff";
import { OfficersPage } from "./pages/Officers";
import { OperationsPage } from "./pages/Operations";
import { OperationEditor } from "./pages/OperationEditor";
import { LivePage } from "./pages/Live";
import { TabletsPage } from "./pages/Tablets";
import { ReviewsPage } from "./pages/Reviews";
import { AuditPage } from "./pages/Audit";
import { TasksPage } from "./pages/Tasks";
import { AlertsPage } from "./pages/Alerts";
import { AbstractionsPage } from "./pages/Abstractions";
import { IntelligencePage } from "./pages/Intelligence";
import { ConflictsPage } from "./pages/Conflicts";
import { DebriefPage } from "./pages/Debrief";
import { ExportsPage } from "./pages/Exports";
import { StatisticsPage } from "./pages/Statistics";
import { Page } from "./ui";

function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);
  const [ended, setEnded] = useState<string | null>(null);
  const route = useHashRoute();
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    api.session().then(
      (m) => {
        setSession(m);
        setMe(m);
        setChecked(true);
      },
      () => setChecked(true),
    );
    return onSignedOut(() => {
      setSession(null);
      setMe(null);
      setEnded("Your session has ended. Sign in again to carry on.");
    });
  }, []);

  // A new page: move focus to its heading, so a screen reader starts there.
  useEffect(() => {
    const h = document.getElementById("page-title");
    if (h && me) h.focus({ preventScroll: false });
  }, [route, me]);

  if (!checked) {
    return (
      <main id="main" class="signin-main">
        <p role="status">Loading the force console…</p>
      </main>
    );
  }
  if (!me) {
    return (
      <SignInPage
        notice={ended}
        onSignedIn={(m) => {
          setSession(m);
          setEnded(null);
          setMe(m);
        }}
      />
    );
  }

  const role = me.staff.role;
  const nav = navFor(role);
  const signOut = async () => {
    try {
      await api.signOut();
    } catch {
      // Signed out on the server already, or unreachable: forget the session here either way.
    }
    setSession(null);
    setMe(null);
    setEnded("You have signed out.");
  };

  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => {
        e.preventDefault();
        main.current?.focus();
      }}>
        Skip to content
      </a>
      <header class="topbar">
        <p class="brand">Liaison force console</p>
        <div class="who">
          <span>
            Signed in as <strong>{me.staff.display_name}</strong> ({ROLE_LABELS[role]}
            {me.staff.officer ? `, ${me.staff.officer}` : ""})
          </span>
          <button type="button" class="secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav class="nav" aria-label="Console">
        <ul>
          {nav.map((n) => (
            <li key={n.href}>
              <a href={n.href} aria-current={n.routes.includes(route.name) ? "page" : undefined}>
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        <RoutePage route={route} me={me} />
      </main>
    </div>
  );
}

function RoutePage({ route, me }: { route: Route; me: Me }) {
  const role = me.staff.role;
  if (!mayOpen(role, route)) {
    return (
      <Page title="Not available to your role">
        <p>
          Your role ({ROLE_LABELS[role]}) does not use this page. <a href="#/operations">Go to operations</a>.
        </p>
      </Page>
    );
  }
  switch (route.name) {
    case "operations":
      return <OperationsPage me={me} />;
    case "operation-new":
      return <OperationEditor id={null} me={me} />;
    case "operation-edit":
      return <OperationEditor id={route.id} me={me} />;
    case "live":
      return <LivePage id={route.id} me={me} />;
    case "officers":
      return <OfficersPage me={me} />;
    case "staff":
      return <StaffPage me={me} />;
    case "tablets":
      return <TabletsPage me={me} />;
    case "reviews":
      return <ReviewsPage />;
    case "audit":
      return <AuditPage initialId={route.id} />;
    case "tasks":
      return <TasksPage />;
    case "alerts":
      return <AlertsPage me={me} />;
    case "abstractions":
      return <AbstractionsPage />;
    case "intelligence":
      return <IntelligencePage />;
    case "conflicts":
      return <ConflictsPage />;
    case "debrief":
      return <DebriefPage id={route.id} me={me} />;
    case "exports":
      return <ExportsPage me={me} initialId={route.id} />;
    case "statistics":
      return <StatisticsPage />;
    case "not-found":
      return (
        <Page title="Page not found">
          <p>
            There is no page at “{route.path}”. <a href="#/operations">Go to operations</a>.
          </p>
        </Page>
      );
  }
}
