// The negotiation tracker: agreements and their conditions, with compliance recorded later.
import { useState } from "preact/hooks";
import type { AppError, Compliance, NegotiationCard } from "../bindings";
import { api } from "../api";
import { when } from "../format";
import { label } from "../forms";
import { href } from "../router";
import { ErrorBox, Loading, Screen, useApp, useAsync } from "../ui";

export function Negotiations(props: { op: string }) {
  const state = useAsync(() => api.negotiations(props.op), [props.op]);
  return (
    <Screen
      title="Negotiations"
      actions={
        <a class="btn primary" href={href({ name: "capture", op: props.op, kind: "negotiation_outcome" })}>
          New negotiation
        </a>
      }
    >
      <Loading state={state}>
        {(cards) => (
          <ul class="cards">
            {cards.map((c) => (
              <NegotiationItem key={c.record_id} card={c} />
            ))}
          </ul>
        )}
      </Loading>
    </Screen>
  );
}

function NegotiationItem({ card }: { card: NegotiationCard }) {
  const { vocab } = useApp();
  const n = card.negotiation;
  const [note, setNote] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  async function record(c: Compliance) {
    try {
      await api.recordCompliance(card.record_id, c, note);
    } catch (e) {
      setError(e as AppError);
    }
  }
  return (
    <li class={`card outcome-${n.outcome}`} data-negotiation={card.record_id}>
      <a class="card-title" href={href({ name: "record", id: card.record_id })}>
        {label(vocab, "negotiation_subject", n.subject)} with {n.parties}
      </a>
      <p class="muted">
        {when(card.occurred_at)}
        {card.sector ? ` · ${card.sector}` : ""}
      </p>
      <p class="badges">
        <span class="badge">{label(vocab, "outcome", n.outcome)}</span>
        {n.compliance ? <span class={`badge compliance-${n.compliance}`}>{label(vocab, "compliance", n.compliance)}</span> : null}
        {card.awaiting_compliance ? <span class="badge">Compliance to record</span> : null}
      </p>
      {n.agreed ? <p class="prose">Agreed: {n.agreed}</p> : null}
      {n.conditions?.length ? (
        <ul class="conditions">
          {(n.conditions ?? []).map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      ) : null}
      {n.compliance_note ? <p class="prose">Compliance: {n.compliance_note}</p> : null}
      <ErrorBox error={error} />
      {card.awaiting_compliance ? (
        <div class="inline-form">
          <label for={`note-${card.record_id}`}>Compliance note</label>
          <input id={`note-${card.record_id}`} value={note} onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)} />
          <div class="card-actions" role="group" aria-label="Was it kept?">
            {vocab.compliance.map((c) => (
              <button type="button" key={c.value} class="btn secondary" onClick={() => void record(c.value)} data-compliance={c.value}>
                {c.label}
              </button>
            ))}
          </div>
        </div>
      ) : null}
    </li>
  );
}
