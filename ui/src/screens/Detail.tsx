// Record detail: the record as it stands and its whole history — who changed what, when and
// why. Personal data asks for a purpose first (the access is logged by the core).
import { useState } from "preact/hooks";
import type { AppError, RecordDetail as Detail } from "../bindings";
import { api } from "../api";
import { when } from "../format";
import { display, FORMS, label } from "../forms";
import { href } from "../router";
import { ErrorBox, Screen, useApp, useAsync } from "../ui";
import { PurposePrompt } from "./Capture";

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
        <a class="btn primary" href={href({ name: "edit", id: d.current.record_id })} data-testid="edit">
          Edit
        </a>
      }
    >
      <dl class="facts">
        <dt>When</dt>
        <dd>{when(r.occurred_at)}</dd>
        {r.sector ? (
          <>
            <dt>Sector</dt>
            <dd>{r.sector}</dd>
          </>
        ) : null}
        <dt>Recorded by</dt>
        <dd>{d.current.author}</dd>
        {specs.map((s) => (
          <>
            <dt key={`${s.name}-t`}>{s.label}</dt>
            <dd key={`${s.name}-d`} data-field={s.name}>
              {display(s, body[s.name], vocab)}
            </dd>
          </>
        ))}
      </dl>
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

function titleOf(d: Detail, moodLabel: (m: unknown) => string): string {
  const b = d.current.record.body as unknown as { [k: string]: unknown };
  for (const k of ["name", "title", "content", "summary", "spoke_with", "parties", "to_duty", "agency_name"]) {
    const v = b[k];
    if (typeof v === "string" && v) return v.length > 60 ? `${v.slice(0, 60)}…` : v;
  }
  if (d.current.kind === "tension_reading") return moodLabel(b.mood);
  return d.kind_label;
}
