// The rumour board: one column per lifecycle stage, with the moves the core allows from each
// (check, confirm, refute, unresolved, reopen) and rumour-control actions.
import { useState } from "preact/hooks";
import type { AppError, RumourCard, RumourStatus } from "../bindings";
import { api } from "../api";
import { placeErrors } from "../errors";
import { duration, median, when } from "../format";
import { label } from "../forms";
import { href } from "../router";
import { ErrorBox, Loading, Screen, useApp, useAsync } from "../ui";

const MOVE_LABEL: { [S in RumourStatus]: string } = {
  reported: "Reported",
  being_checked: "Start checking",
  confirmed: "Confirm",
  refuted: "Refute",
  unresolved: "Unresolved",
};

export function Rumours(props: { op: string }) {
  const { vocab } = useApp();
  const state = useAsync(() => api.rumourBoard(props.op), [props.op]);
  return (
    <Screen
      title="Rumour board"
      actions={
        <a class="btn primary" href={href({ name: "capture", op: props.op, kind: "rumour_report" })}>
          New rumour
        </a>
      }
    >
      <Loading state={state}>
        {(cards) => (
          <>
          <VerifyFigure cards={cards} />
          <div class="board">
            {vocab.rumour_status.map((s) => {
              const column = cards.filter((c) => c.report.status === s.value);
              return (
                <section key={s.value} class="column" aria-labelledby={`col-${s.value}`} data-status={s.value}>
                  <h2 id={`col-${s.value}`}>
                    {s.label} <span class="count">({column.length})</span>
                  </h2>
                  <ul class="cards">
                    {column.map((c) => (
                      <RumourItem key={c.record_id} card={c} />
                    ))}
                  </ul>
                </section>
              );
            })}
          </div>
          </>
        )}
      </Loading>
    </Screen>
  );
}

/** The operation's time to verify: from heard to confirmed or refuted. */
function VerifyFigure({ cards }: { cards: RumourCard[] }) {
  const times = cards.flatMap((c) => (c.time_to_verify_s == null ? [] : [c.time_to_verify_s]));
  const m = median(times);
  return (
    <p class="muted" data-testid="time-to-verify">
      {m == null
        ? "No rumour verified yet."
        : `Time to verify: median ${duration(m)} over ${times.length} confirmed or refuted (from heard to settled).`}
    </p>
  );
}

function RumourItem({ card }: { card: RumourCard }) {
  const { vocab } = useApp();
  const [pending, setPending] = useState<RumourStatus | "control" | null>(null);
  const [findings, setFindings] = useState(card.report.findings ?? "");
  const [told, setTold] = useState("");
  const [message, setMessage] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const id = card.record_id;

  async function move(status: RumourStatus) {
    try {
      setError(null);
      await api.setRumourStatus(id, status, status === "being_checked" ? null : findings);
      setPending(null);
    } catch (e) {
      setError(e as AppError);
    }
  }
  async function control() {
    try {
      setError(null);
      await api.addRumourControl(id, told, message);
      setPending(null);
      setTold("");
      setMessage("");
    } catch (e) {
      setError(e as AppError);
    }
  }
  const placed = placeErrors(error, ["told", "message", "findings"]);
  return (
    <li class={`card rumour risk-${card.report.risk}`} data-rumour={id}>
      <a href={href({ name: "record", id })} class="card-title">
        {card.report.content}
      </a>
      <p class="muted">
        {when(card.occurred_at)}
        {card.sector ? ` · ${card.sector}` : ""} · from {label(vocab, "rumour_source", card.report.source).toLowerCase()}
      </p>
      <p class="badges">
        <span class="badge">Risk: {label(vocab, "rumour_risk", card.report.risk)}</span>
        <span class="badge">Spread: {label(vocab, "rumour_spread", card.report.spread)}</span>
        {card.report.control_actions?.length ? <span class="badge">{card.report.control_actions.length} control actions</span> : null}
        {card.time_to_verify_s != null ? <span class="badge">Verified in {duration(card.time_to_verify_s)}</span> : null}
      </p>
      {card.report.findings ? <p class="prose">Found: {card.report.findings}</p> : null}
      <ErrorBox error={error} messages={placed.general} />
      {pending && pending !== "control" ? (
        <div class="inline-form">
          <label for={`findings-${id}`}>What checking found</label>
          <textarea id={`findings-${id}`} rows={2} value={findings} onInput={(e) => setFindings((e.currentTarget as HTMLTextAreaElement).value)} />
          <div class="form-actions">
            <button type="button" class="btn primary" onClick={() => void move(pending)} data-testid="confirm-move">
              {MOVE_LABEL[pending]}
            </button>
            <button type="button" class="btn secondary" onClick={() => setPending(null)}>
              Cancel
            </button>
          </div>
        </div>
      ) : pending === "control" ? (
        <div class="inline-form">
          <label for={`told-${id}`}>Who was told</label>
          <input id={`told-${id}`} value={told} onInput={(e) => setTold((e.currentTarget as HTMLInputElement).value)} aria-invalid={placed.byField.has("told") || undefined} />
          {placed.byField.get("told") ? <p class="field-error">Who was told {placed.byField.get("told")?.join("; ")}</p> : null}
          <label for={`msg-${id}`}>What they were told</label>
          <textarea id={`msg-${id}`} rows={2} value={message} onInput={(e) => setMessage((e.currentTarget as HTMLTextAreaElement).value)} aria-invalid={placed.byField.has("message") || undefined} />
          {placed.byField.get("message") ? <p class="field-error">Message {placed.byField.get("message")?.join("; ")}</p> : null}
          <div class="form-actions">
            <button type="button" class="btn primary" onClick={() => void control()} data-testid="save-control">
              Record
            </button>
            <button type="button" class="btn secondary" onClick={() => setPending(null)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div class="card-actions">
          {card.next.map((s) => (
            <button
              type="button"
              key={s}
              class="btn secondary"
              data-move={s}
              onClick={() => (s === "being_checked" ? void move(s) : setPending(s))}
            >
              {card.report.status !== "being_checked" && s === "being_checked" && card.report.status !== "reported" ? "Reopen" : MOVE_LABEL[s]}
            </button>
          ))}
          <button type="button" class="btn secondary" onClick={() => setPending("control")} data-testid="rumour-control">
            Rumour control
          </button>
        </div>
      )}
    </li>
  );
}
