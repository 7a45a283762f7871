// Record detail: the record as it stands and its whole history — who changed what, when and
// why. Personal data asks for a purpose first (the access is logged by the core).
import { useState } from "preact/hooks";
import type { AppError, Conflict, ConflictVersion, RecordDetail as Detail, RecordKind, Escalation, IntelligenceSubmission, Location, Refusal, Vocabulary } from "../bindings";
import { api, asAppError } from "../api";
import { duration, when } from "../format";
import { coords } from "../map";
import { display, FORMS, label } from "../forms";
import { href } from "../router";
import { AttachmentList } from "../media";
import { ErrorBox, Screen, useApp, useAsync } from "../ui";
import { PurposePrompt } from "./Capture";

/** "52.47912, -1.90310 ±12 m", or "… (placed on the map)" for a position with no accuracy. */
function placeText(l: Location): string {
  const acc = l.accuracy_m;
  return acc === null || acc === undefined ? `${coords(l)} (placed on the map)` : `${coords(l)} ±${Math.round(acc)} m`;
}

export function RecordDetail(props: { id: string }) {
  const { vocab } = useApp();
  const [purpose, setPurpose] = useState("");
  const [given, setGiven] = useState<string | null>(null);
  const state = useAsync<Detail>(() => api.recordDetail(props.id, given), [props.id, given]);
  const err: AppError | null = state.error;

  if (err?.kind === "purpose_required" && !state.data) {
    return (
      <Screen title="Why are you opening this record?">
        <PurposePrompt purpose={purpose} setPurpose={setPurpose} onGo={() => setGiven(purpose)} />
      </Screen>
    );
  }
  const d = state.data;
  if (!d) {
    return (
      <Screen title={state.loading ? "Loading…" : "Record"}>
        <ErrorBox error={err} />
      </Screen>
    );
  }
  const body = d.current.record.body as unknown as { [k: string]: unknown };
  const r = d.current.record;
  const specs = FORMS[d.current.kind];
  const labelOf = (path: string) => {
    const name = path.replace(/^body\./, "").replace(/\[\d+\].*$/, "");
    return specs.find((s) => s.name === name)?.label ?? path;
  };
  return (
    <Screen
      title={`${d.kind_label}: ${titleOf(d, (m) => label(vocab, "mood", m))}`}
      actions={
        <>
          <a class="btn primary" href={href({ name: "edit", id: d.current.record_id })} data-testid="edit">
            {r.body.kind === "intelligence_submission" && r.body.review?.outcome === "returned" ? "Edit and resubmit" : "Edit"}
          </a>
          {DIRECTORY_KINDS.includes(d.current.kind) ? <ConfirmEntry id={d.current.record_id} /> : null}
          {r.body.kind === "contact_note" ? (
            <a class="btn secondary" href={href({ name: "intelligence-from-note", id: d.current.record_id })} data-testid="submit-as-intelligence">
              Submit as intelligence
            </a>
          ) : null}
        </>
      }
    >
      {d.refusals.length ? <RefusalNotice refusals={d.refusals} editHref={href({ name: "edit", id: d.current.record_id })} /> : null}
      {d.conflict ? <ConflictPanel conflict={d.conflict} recordId={d.current.record_id} labelOf={labelOf} /> : null}
      <dl class="facts">
        <dt>When</dt>
        <dd>{when(r.occurred_at)}</dd>
        {r.sector ? (
          <>
            <dt>Sector</dt>
            <dd>{r.sector}</dd>
          </>
        ) : null}
        {r.location ? (
          <>
            <dt>Position</dt>
            <dd data-testid="detail-position">{placeText(r.location)}</dd>
          </>
        ) : null}
        <dt>Recorded by</dt>
        <dd>{d.current.author}</dd>
        {DIRECTORY_KINDS.includes(d.current.kind) ? (
          <>
            <dt>Last confirmed</dt>
            <dd data-testid="last-confirmed">
              {when(d.current.updated_at)} by {d.current.updated_by}
            </dd>
          </>
        ) : null}
        {specs.map((s) => (
          <>
            <dt key={`${s.name}-t`}>{s.label}</dt>
            <dd key={`${s.name}-d`} data-field={s.name}>
              {display(s, body[s.name], vocab)}
            </dd>
          </>
        ))}
      </dl>
      <AttachmentList attachments={r.attachments ?? []} />
      {r.body.kind === "escalation" ? <EscalationAnswer e={r.body} vocab={vocab} /> : null}
      {r.body.kind === "abstraction" ? (
        <section aria-labelledby="decision-title" data-testid="abstraction-decision">
          <h2 id="decision-title">Authorisation</h2>
          <p>
            {r.body.decision
              ? `${label(vocab, "abstraction_outcome", r.body.decision.outcome)} by ${r.body.decision.name} at ${when(r.body.decision.at)}${r.body.decision.note ? `: “${r.body.decision.note}”` : ""}`
              : r.body.authorised_by
                ? `Authorised by ${r.body.authorised_by} (as typed on this tablet)`
                : "Awaiting a supervisor's decision: it reaches the console when this tablet syncs."}
          </p>
        </section>
      ) : null}
      {r.body.kind === "intelligence_submission" ? <IntelligenceOutcome i={r.body} note={r.links?.[0] ?? null} vocab={vocab} /> : null}
      {d.current.kind === "rumour_report" && Array.isArray(body.control_actions) && body.control_actions.length ? (
        <section aria-labelledby="rc-title">
          <h2 id="rc-title">Rumour control</h2>
          <ul class="plain">
            {(body.control_actions as { at: string; told: string; message: string }[]).map((a) => (
              <li key={a.at}>
                {when(a.at)} — told {a.told}: “{a.message}”
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="history-title">
        <h2 id="history-title">History ({d.history.length} revisions)</h2>
        <ol class="history" data-testid="history">
          {d.history
            .slice()
            .reverse()
            .map((h) => (
              <li key={h.revision_id} class="revision">
                <p class="rev-head">
                  <strong>{h.reason ? "Changed" : "Created"}</strong> by {h.author} at {when(h.recorded_at)}
                </p>
                {h.reason ? <p class="rev-reason">Reason: {h.reason}</p> : null}
                {h.changes.length ? (
                  <ul class="changes">
                    {h.changes.map((c) => (
                      <li key={c.field}>
                        {labelOf(c.field)}: <del>{c.before ?? "—"}</del> → <ins>{c.after ?? "—"}</ins>
                      </li>
                    ))}
                  </ul>
                ) : null}
                <p class="hash muted">Integrity hash {h.hash.slice(0, 16)}…</p>
              </li>
            ))}
        </ol>
      </section>
    </Screen>
  );
}

const DIRECTORY_KINDS: RecordKind[] = ["person", "group", "venue", "agency"];

/** One tap: the entry is still right (who and when are kept in its history). */
function ConfirmEntry(props: { id: string }) {
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await api.confirmDirectoryEntry(props.id);
      setError(null);
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="btn secondary" disabled={busy} data-testid="confirm-entry" onClick={() => void confirm()}>
        Confirm still current
      </button>
      <ErrorBox error={error} />
    </>
  );
}

/** The force server refused a change to this record: why, and that editing it sends a
 * correction in its place. */
function RefusalNotice(props: { refusals: Refusal[]; editHref: string }) {
  return (
    <section aria-labelledby="refused-title" class="error-box" data-testid="refused">
      <h2 id="refused-title">The force server refused this change</h2>
      <ul class="plain">
        {props.refusals.map((q) => (
          <li key={q.revision_id}>
            {when(q.at)}: {q.message}
          </li>
        ))}
      </ul>
      <p>
        Correct it and save: the correction is sent in its place. <a href={props.editHref} data-testid="correct">Correct and send again</a>
      </p>
    </section>
  );
}

/** Edited on two devices at once: the versions side by side, and keeping one resolves it
 * everywhere (a merge revision naming both). */
function ConflictPanel(props: { conflict: Conflict; recordId: string; labelOf: (path: string) => string }) {
  const versions = props.conflict.versions;
  const [reason, setReason] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const fields = [...new Set(versions.flatMap((v) => v.differences.map((c) => c.field)))];
  // Every difference is against the version shown, so its `before` is the shown value.
  const shownValue = (field: string): string => versions.flatMap((v) => v.differences).find((c) => c.field === field)?.before ?? "—";
  const valueOf = (v: ConflictVersion, field: string): string => {
    const c = v.shown ? undefined : v.differences.find((x) => x.field === field);
    return c ? (c.after ?? "—") : shownValue(field);
  };
  const keep = async (i: number) => {
    const kept = versions[i];
    const other = versions.find((_, j) => j !== i);
    if (!kept || !other) return;
    setBusy(true);
    try {
      await api.mergeVersions(props.recordId, kept.revision_id, other.revision_id, reason);
      setError(null);
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="conflict-title" class="conflict" data-testid="conflict">
      <h2 id="conflict-title">Two versions: edited on two devices at once</h2>
      <p>
        Until one is kept, every device shows the first. Keeping one records a merge that names both, and every device then shows the one
        kept.
      </p>
      <div class="table-scroll">
        <table class="data side-by-side">
          <thead>
            <tr>
              <th scope="col">Field</th>
              {versions.map((v, i) => (
                <th scope="col" key={v.revision_id} data-version={i}>
                  {v.shown ? "Shown now" : "Other version"}: {v.author}, {when(v.recorded_at)}
                  {v.reason ? <span class="muted"> (“{v.reason}”)</span> : null}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {fields.map((f) => (
              <tr key={f} data-field={f}>
                <th scope="row">{props.labelOf(f)}</th>
                {versions.map((v) => (
                  <td key={v.revision_id}>{valueOf(v, f)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="field">
        <label for="f-merge-reason">
          <span class="label-text">Why this version (kept in the record's history)</span>
        </label>
        <input id="f-merge-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </div>
      <ErrorBox error={error} />
      <div class="form-actions">
        {versions.map((v, i) => (
          <button
            type="button"
            class={i === 0 ? "btn primary" : "btn secondary"}
            key={v.revision_id}
            disabled={busy}
            data-testid={`keep-${i}`}
            onClick={() => void keep(i)}
          >
            Keep {v.shown ? "the version shown" : `${v.author}'s other version`}
          </button>
        ))}
      </div>
    </section>
  );
}

/** Where an escalation stands: acknowledged by whom and when, the decision, the steps up. */
function EscalationAnswer(props: { e: Escalation; vocab: Vocabulary }) {
  const { e, vocab } = props;
  const raised = Date.parse(e.told_at);
  const steps = e.escalated ?? [];
  const to = steps.at(-1)?.to ?? e.addressed_to;
  return (
    <section aria-labelledby="answer-title" class="answer" data-testid="escalation-answer">
      <h2 id="answer-title">Answer</h2>
      {e.acknowledged ? (
        <p data-testid="acknowledged">
          Acknowledged by {e.acknowledged.name} at {when(e.acknowledged.at)} (
          {duration(Math.max(0, (Date.parse(e.acknowledged.at) - raised) / 1000))} after it was raised)
        </p>
      ) : (
        <p data-testid="escalation-waiting" class="muted">
          Not acknowledged yet
          {to ? ` — with ${label(vocab, "escalation_to", to)}${e.addressed_person ? ` (${e.addressed_person})` : ""}` : ""}.
          It reaches the console when this tablet syncs.
        </p>
      )}
      {e.decision ? (
        <p data-testid="decision">
          <strong>{label(vocab, "escalation_decision", e.decision)}</strong>
          {e.responded_by ? ` — ${e.responded_by}` : ""}
          {e.response_at ? `, ${when(e.response_at)}` : ""}
          {e.response ? `: “${e.response}”` : ""}
        </p>
      ) : null}
      {steps.length ? (
        <ul class="plain" data-testid="steps-up">
          {steps.map((s) => (
            <li key={s.at}>
              {when(s.at)} — sent to {label(vocab, "escalation_to", s.to)}: {s.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** Where a submission stands in quality assurance: waiting, accepted with its grading, or
 * returned with feedback (then editing it resubmits it); and the note it was made from. */
function IntelligenceOutcome(props: { i: IntelligenceSubmission; note: string | null; vocab: Vocabulary }) {
  const { i, vocab } = props;
  const r = i.review;
  const g = r?.grading;
  return (
    <section aria-labelledby="qa-title" class="answer" data-testid="intelligence-outcome">
      <h2 id="qa-title">Quality assurance</h2>
      {i.reason_from_note ? (
        <p data-testid="from-note">
          Made from {props.note ? <a href={href({ name: "record", id: props.note })}>a contact note</a> : "a contact note"} because: “
          {i.reason_from_note}”
        </p>
      ) : null}
      {!r ? (
        <p class="muted" data-testid="qa-waiting">
          Waiting for your supervisor's review. It reaches them when this tablet syncs.
        </p>
      ) : (
        <>
          <p data-testid="qa-outcome">
            <strong>{label(vocab, "review_outcome", r.outcome)}</strong> by {r.reviewed_by} at {when(r.at)}
            {r.feedback ? `: “${r.feedback}”` : ""}
          </p>
          {g ? (
            <dl class="facts" data-testid="qa-grading">
              <dt>Source evaluation</dt>
              <dd>{label(vocab, "source_evaluation", g.source)}</dd>
              <dt>Intelligence assessment</dt>
              <dd>{label(vocab, "intel_assessment", g.assessment)}</dd>
              <dt>Handling code</dt>
              <dd>
                {label(vocab, "handling_code", g.handling)}
                {g.conditions ? ` — ${g.conditions}` : ""}
              </dd>
            </dl>
          ) : null}
          {r.outcome === "returned" ? (
            <p data-testid="qa-returned">Edit it to answer the feedback: saving the change resubmits it to your supervisor.</p>
          ) : null}
        </>
      )}
    </section>
  );
}

function titleOf(d: Detail, moodLabel: (m: unknown) => string): string {
  const b = d.current.record.body as unknown as { [k: string]: unknown };
  for (const k of ["name", "title", "content", "summary", "spoke_with", "parties", "to_duty", "agency_name"]) {
    const v = b[k];
    if (typeof v === "string" && v) return v.length > 60 ? `${v.slice(0, 60)}…` : v;
  }
  if (d.current.kind === "tension_reading") return moodLabel(b.mood);
  return d.kind_label;
}
