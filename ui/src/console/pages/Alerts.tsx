// Alerts (supervisors and commanders): escalations raised by officers, addressed to a role or a
// person. Unacknowledged first, longest waiting first. Acknowledging records who and when; the
// answer records the decision and its rationale; both reach the officer's tablet at its next
// sync. The page stays open: the server's alert stream wakes it when an escalation arrives or
// changes, and it reads the list again.
import { useEffect, useRef, useState } from "preact/hooks";
import type { AlertView, Alerts, ConsoleError, EscalationDecision, EscalationKind, EscalationTo, Me } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { duration } from "../../format";
import { localTime } from "../time";
import { ErrorSummary, Notice, Page, SelectField, TextArea } from "../ui";

export const TO_LABELS: { [K in EscalationTo]: string } = {
  supervisor: "the officer's supervisor",
  bronze: "the operation's Bronze",
  duty_inspector: "the on-duty inspector",
  silver: "Silver",
  gold: "Gold",
};

const KIND_LABELS: { [K in EscalationKind]: string } = {
  safeguarding: "Safeguarding concern",
  threat: "Emerging threat",
  risk: "Risk",
  withdraw_observe_report: "Withdrawn to observe and report",
};

export const DECISION_LABELS: { [K in EscalationDecision]: string } = {
  advice_given: "Advice given",
  resources_sent: "Resources deployed",
  referred: "Referred on",
  command_took_over: "Command took it over",
  no_further_action: "No further action",
};

const DECISIONS = (Object.keys(DECISION_LABELS) as EscalationDecision[]).map((d) => ({ value: d, label: DECISION_LABELS[d] }));

/** Seconds an unacknowledged alert has waited with whom it is with now, at `now`. */
export function waitingSeconds(a: AlertView, now: number): number | null {
  if (a.escalation.acknowledged) return null;
  const steps = a.escalation.escalated ?? [];
  const since = Date.parse(steps.at(-1)?.at ?? a.escalation.told_at);
  return Math.max(0, Math.round((now - since) / 1000));
}

export function AlertsPage(_props: { me: Me }) {
  const [alerts, setAlerts] = useState<Alerts | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [link, setLink] = useState<"live" | "reconnecting" | "closed">("reconnecting");
  const [done, setDone] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const source = useRef<EventSource | null>(null);

  const load = async () => {
    try {
      const a = await api.alerts();
      setAlerts(a);
      setError(null);
      return a;
    } catch (e) {
      setError(asConsoleError(e));
      return null;
    }
  };

  useEffect(() => {
    let alive = true;
    void load().then((a) => {
      if (!alive || !a) return;
      const es = new EventSource(api.alertEventsUrl(a.position));
      source.current = es;
      es.onopen = () => setLink("live");
      es.onerror = () => setLink(es.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
      es.addEventListener("alert", () => {
        setLink("live");
        void load();
      });
      es.addEventListener("reload", (e: MessageEvent<string>) => {
        es.close();
        setLink("closed");
        setDone(e.data || "The alerts stopped: reload the page.");
      });
    });
    const tick = setInterval(() => setNow(Date.now()), 15_000);
    return () => {
      alive = false;
      source.current?.close();
      clearInterval(tick);
    };
  }, []);

  const open = alerts?.alerts.filter((a) => !a.escalation.acknowledged) ?? [];
  return (
    <Page
      title="Alerts"
      intro={
        <p>
          Escalations raised by officers. Acknowledge what is yours: the officer's tablet shows who acknowledged and when.
          {alerts ? ` Nobody acknowledging within ${duration(alerts.escalate_after_s)} sends it to the next role up.` : ""}
        </p>
      }
    >
      <p class="muted" data-testid="alerts-link" role="status">
        {link === "live" ? "Live: new escalations appear here as they arrive." : link === "closed" ? "Not live: reload the page." : "Connecting…"}
      </p>
      {done ? <Notice>{done}</Notice> : null}
      <ErrorSummary messages={error ? [error.message] : []} />
      {alerts ? (
        <>
          <ul class="figures" aria-label="Figures">
            <li>
              <strong data-testid="alerts-open">{open.length}</strong> waiting for acknowledgement
            </li>
            <li>
              <strong data-testid="alerts-median">
                {alerts.median_time_to_acknowledge_s == null ? "—" : duration(alerts.median_time_to_acknowledge_s)}
              </strong>{" "}
              median time to acknowledge
            </li>
          </ul>
          {alerts.alerts.length === 0 ? (
            <p>No escalation is addressed to you or your role.</p>
          ) : (
            <ul class="review-list" data-testid="alerts">
              {alerts.alerts.map((a) => (
                <li key={a.record_id}>
                  <AlertItem
                    alert={a}
                    now={now}
                    onDone={(m, next) => {
                      setDone(m);
                      setAlerts(next);
                    }}
                    onStale={() => void load()}
                  />
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </Page>
  );
}

function AlertItem(props: { alert: AlertView; now: number; onDone: (m: string, next: Alerts) => void; onStale: () => void }) {
  const { alert: a } = props;
  const e = a.escalation;
  const [decision, setDecision] = useState<string>("advice_given");
  const [rationale, setRationale] = useState("");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const idp = `alert-${a.record_id}`;
  const placed = placeErrors(error, ["decision", "rationale"]);
  const waiting = waitingSeconds(a, props.now);
  const who = a.officer_name ? `${a.officer_name} (${a.officer})` : a.officer;

  const act = async (run: () => Promise<Alerts>, message: string) => {
    setBusy(true);
    try {
      const next = await run();
      setError(null);
      props.onDone(message, next);
    } catch (err) {
      const ce = asConsoleError(err);
      setError(ce);
      if (ce.code === "conflict") props.onStale();
    } finally {
      setBusy(false);
    }
  };
  const answer = (ev: Event) => {
    ev.preventDefault();
    if (!rationale.trim()) {
      setError({ code: "invalid", message: "Check the form.", fields: [{ field: "rationale", message: "is required: say why" }] });
      return;
    }
    const d = decision as EscalationDecision;
    void act(
      () => api.respond(a.record_id, { revision: a.revision, decision: d, rationale: rationale.trim() }),
      `Answer recorded for ${who}'s escalation: ${DECISION_LABELS[d]}.`,
    );
  };

  return (
    <article class={`card alert${e.acknowledged ? "" : " unacknowledged"}`} aria-labelledby={`${idp}-h`} data-alert={a.record_id}>
      <h2 id={`${idp}-h`} class="h3">
        {KIND_LABELS[e.category]}: {e.summary}
      </h2>
      <dl class="facts">
        <dt>Raised by</dt>
        <dd>{who}</dd>
        <dt>Raised</dt>
        <dd>{localTime(e.told_at)}</dd>
        <dt>With</dt>
        <dd data-testid="alert-with">
          {a.addressee ? TO_LABELS[a.addressee] : "command"}
          {e.addressed_person ? ` (named: ${e.addressed_person})` : ""}
          {a.for_me ? <strong class="badge"> for you</strong> : null}
        </dd>
        {e.told ? (
          <>
            <dt>Also told</dt>
            <dd>{e.told}</dd>
          </>
        ) : null}
        {waiting != null ? (
          <>
            <dt>Waiting</dt>
            <dd data-testid="alert-waiting">{duration(waiting)}</dd>
          </>
        ) : null}
      </dl>
      {(e.escalated ?? []).length ? (
        <ul class="plain" aria-label="Sent up the chain">
          {(e.escalated ?? []).map((s) => (
            <li key={s.at}>
              {localTime(s.at)}: sent to {TO_LABELS[s.to]}. {s.reason}.
            </li>
          ))}
        </ul>
      ) : null}
      {e.acknowledged ? (
        <p data-testid="alert-acknowledged">
          Acknowledged by {e.acknowledged.name}, {localTime(e.acknowledged.at)}
          {a.time_to_acknowledge_s != null ? ` (${duration(a.time_to_acknowledge_s)} after it was raised)` : ""}.
        </p>
      ) : null}
      {e.decision ? (
        <p data-testid="alert-decision">
          <strong>{DECISION_LABELS[e.decision]}</strong> — {e.responded_by}: “{e.response}”
        </p>
      ) : null}
      <ErrorSummary messages={placed.general} />
      {a.may_act && !e.acknowledged ? (
        <button
          type="button"
          class="primary"
          disabled={busy}
          data-testid="acknowledge"
          onClick={() => void act(() => api.acknowledge(a.record_id, a.revision), `Acknowledged ${who}'s escalation.`)}
        >
          Acknowledge
        </button>
      ) : null}
      {a.may_act && !e.decision ? (
        <form onSubmit={answer} noValidate class="form">
          <SelectField id={`${idp}-decision`} label="Decision" value={decision} onChange={setDecision} options={DECISIONS} errors={placed.byKey.get("decision")} required />
          <TextArea id={`${idp}-rationale`} label="Rationale" value={rationale} onInput={setRationale} rows={2} errors={placed.byKey.get("rationale")} required />
          <button type="submit" class="secondary" disabled={busy} data-testid="answer">
            Record the answer
          </button>
        </form>
      ) : null}
    </article>
  );
}
