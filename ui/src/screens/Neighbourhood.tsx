// Neighbourhood mode for PCSOs: the tasking list, each task checked against the policy's list
// of incidents unsuited to a PCSO first response (2.8.3); abstractions; referrals; intelligence.
import type { DeploymentCheck } from "../bindings";
import { api } from "../api";
import { when } from "../format";
import { label } from "../forms";
import { href } from "../router";
import { Loading, Screen, useApp, useAsync } from "../ui";
import { WithdrawButton } from "./Withdraw";

export function CheckBanner({ check }: { check: DeploymentCheck }) {
  if (check.verdict === "suitable") {
    return <p class="check ok">Suitable for a PCSO.</p>;
  }
  return (
    <p class="check warn" role="note" data-testid="deployment-warning">
      <strong>Not as a first response: {check.category}.</strong> {check.advice}
    </p>
  );
}

export function Neighbourhood() {
  const { vocab } = useApp();
  const state = useAsync(() => api.neighbourhood(), []);
  return (
    <Screen title="Neighbourhood">
      <Loading state={state}>
        {(n) => (
          <>
            <section aria-label="Raise a concern" class="raise">
              <a class="btn primary" href={href({ name: "new", kind: "escalation" })} data-testid="raise-escalation">
                Raise an escalation
              </a>
              <WithdrawButton op={null} />
            </section>
            {n.escalations.length ? (
              <section aria-labelledby="esc-title">
                <h2 id="esc-title">Escalations</h2>
                <ul class="list" data-testid="escalations">
                  {n.escalations.map((e) => (
                    <li key={e.record_id}>
                      <a class="row no-kind" href={href({ name: "record", id: e.record_id })}>
                        <span class="row-title">
                          {label(vocab, "escalation_kind", e.escalation.category)}: {e.escalation.summary}
                        </span>
                        <span class="row-meta">
                          Raised by {e.raised_by} · {when(e.escalation.told_at)} ·{" "}
                          {e.escalation.acknowledged ? `acknowledged by ${e.escalation.acknowledged.name}` : "not acknowledged yet"}
                        </span>
                      </a>
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
            <section aria-labelledby="tasks-title">
              <div class="section-head">
                <h2 id="tasks-title">Tasking</h2>
                <a class="btn primary" href={href({ name: "new", kind: "tasking" })} data-testid="new-tasking">
                  New task
                </a>
              </div>
              <ul class="cards">
                {n.taskings.map((t) => (
                  <li key={t.record_id} class="card" data-tasking={t.record_id}>
                    <a class="card-title" href={href({ name: "record", id: t.record_id })}>
                      {t.tasking.title}
                    </a>
                    <p class="muted">
                      {label(vocab, "incident_type", t.tasking.incident_type)} · {label(vocab, "task_status", t.tasking.status)}
                      {t.tasking.due ? ` · due ${when(t.tasking.due)}` : ""}
                    </p>
                    {t.given_by ? (
                      <p data-testid="given-by">
                        Given by {t.given_by}
                        {t.tasking.briefing_ref ? ` (${t.tasking.briefing_ref})` : ""}
                      </p>
                    ) : null}
                    <CheckBanner check={t.check} />
                    {t.tasking.override_reason ? <p class="muted">Given anyway: {t.tasking.override_reason}</p> : null}
                    {t.tasking.result ? <p>Result: {t.tasking.result}</p> : null}
                    <a class="btn secondary" href={href({ name: "edit", id: t.record_id })} data-testid="update-tasking">
                      Set status and result
                    </a>
                  </li>
                ))}
              </ul>
            </section>
            <section aria-labelledby="abs-title">
              <div class="section-head">
                <h2 id="abs-title">Abstractions</h2>
                <a class="btn secondary" href={href({ name: "new", kind: "abstraction" })}>
                  Request abstraction
                </a>
              </div>
              <ul class="list">
                {n.abstractions.map((a) => (
                  <li key={a.record_id}>
                    <a class="row no-kind" href={href({ name: "record", id: a.record_id })}>
                      <span class="row-title">
                        {a.abstraction.from_duty || "Neighbourhood duty"} → {a.abstraction.to_duty}
                      </span>
                      <span class="row-meta">
                        {a.abstraction.decision
                          ? `${a.abstraction.decision.outcome === "authorised" ? "Authorised" : "Refused"} by ${a.abstraction.decision.name}`
                          : a.abstraction.authorised_by
                            ? `Authorised by ${a.abstraction.authorised_by} (as typed)`
                            : "Awaiting a supervisor's decision"}{" "}
                        · {when(a.abstraction.starts_at)}
                      </span>
                    </a>
                  </li>
                ))}
              </ul>
            </section>
            <div class="two-col">
              <section aria-labelledby="ref-title">
                <div class="section-head">
                  <h2 id="ref-title">Referrals</h2>
                  <a class="btn secondary" href={href({ name: "new", kind: "referral" })}>
                    New referral
                  </a>
                </div>
                <ul class="list">
                  {n.referrals.map((r) => (
                    <li key={r.record_id}>
                      <a class="row no-kind" href={href({ name: "record", id: r.record_id })}>
                        <span class="row-title">{r.title}</span>
                        <span class="row-meta">{when(r.occurred_at)}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              </section>
              <section aria-labelledby="int-title">
                <div class="section-head">
                  <h2 id="int-title">Intelligence</h2>
                  <a class="btn secondary" href={href({ name: "new", kind: "intelligence_submission" })}>
                    New submission
                  </a>
                </div>
                <ul class="list">
                  {n.intelligence.map((r) => (
                    <li key={r.record_id}>
                      <a class="row no-kind" href={href({ name: "record", id: r.record_id })}>
                        <span class="row-title">{r.title}</span>
                        <span class="row-meta">{when(r.occurred_at)}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              </section>
            </div>
          </>
        )}
      </Loading>
    </Screen>
  );
}
