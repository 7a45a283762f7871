// Abstractions (supervisors and commanders; PCSO policy 1.3): requests from PCSOs' tablets and
// from supervisors here, each authorised or refused by a supervisor who is not the abstracted
// officer; the ones to review (repeated, prolonged) flagged; the monthly rate per team charted.
import { useState } from "preact/hooks";
import type { AbstractionBoard, AbstractionView, ConsoleError, OfficerEntry, TeamMonth } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { fromLocalInput, localTime } from "../time";
import { ErrorSummary, Loading, Notice, Page, SelectField, TableWrap, TextArea, TextField, useLoad } from "../ui";

/** The bar chart's geometry: one bar per team and month, scaled to the highest rate (at least 10%). */
export function rateBars(monthly: TeamMonth[], width = 560, row = 28): { label: string; rate: number; w: number; y: number }[] {
  const max = Math.max(10, ...monthly.map((m) => m.rate_percent));
  return monthly.map((m, i) => ({
    label: `${m.team}, ${m.month}`,
    rate: m.rate_percent,
    w: Math.round((m.rate_percent / max) * width),
    y: i * row,
  }));
}

export function AbstractionsPage() {
  const board = useLoad(() => api.abstractions(), []);
  const officers = useLoad(() => api.officers(), []);
  const [done, setDone] = useState<string | null>(null);
  return (
    <Page
      title="Abstractions"
      intro={
        <p>
          PCSOs taken from neighbourhood duty: each authorised or refused by a supervisor other than the officer. Repeated or
          prolonged ones are flagged for review (policy 1.3).
        </p>
      }
    >
      {done ? <Notice>{done}</Notice> : null}
      <Loading state={board} what="abstractions">
        {(b) => (
          <>
            <RateChart board={b} />
            <section aria-labelledby="abs-list">
              <h2 id="abs-list">Requests and decisions</h2>
              {b.items.length === 0 ? (
                <p>No abstractions of your officers.</p>
              ) : (
                <ul class="review-list" data-testid="abstractions">
                  {b.items.map((a) => (
                    <li key={a.record_id}>
                      <AbstractionItem
                        item={a}
                        onDone={(m) => {
                          setDone(m);
                          board.reload();
                        }}
                      />
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </>
        )}
      </Loading>
      <Loading state={officers} what="officers">
        {(o) => (
          <RequestForm
            officers={o}
            onDone={(m) => {
              setDone(m);
              board.reload();
            }}
          />
        )}
      </Loading>
    </Page>
  );
}

function RateChart({ board }: { board: AbstractionBoard }) {
  const bars = rateBars(board.monthly);
  if (bars.length === 0) return null;
  const height = bars.length * 28;
  return (
    <section aria-labelledby="abs-rate">
      <h2 id="abs-rate">Monthly abstraction rate by team</h2>
      <p class="hint">
        Hours abstracted (not refused) as a share of the team's contracted hours ({board.contracted_hours_per_month} h an officer a month).
      </p>
      <svg class="rate-chart" viewBox={`0 0 860 ${height}`} role="img" aria-labelledby="abs-rate abs-rate-desc">
        <desc id="abs-rate-desc">{bars.map((b) => `${b.label}: ${b.rate}%`).join(". ")}</desc>
        {bars.map((b) => (
          <g key={b.label}>
            <text x="0" y={b.y + 18} class="rate-label">
              {b.label}
            </text>
            <rect x="240" y={b.y + 5} width={Math.max(b.w, 1)} height="18" class="rate-bar" />
            <text x={248 + b.w} y={b.y + 18} class="rate-label">
              {b.rate}%
            </text>
          </g>
        ))}
      </svg>
      <TableWrap label="Monthly abstraction rate by team">
        <table>
          <thead>
            <tr>
              <th scope="col">Team</th>
              <th scope="col">Month</th>
              <th scope="col">Abstractions</th>
              <th scope="col">Hours</th>
              <th scope="col">Officers</th>
              <th scope="col">Rate</th>
            </tr>
          </thead>
          <tbody>
            {board.monthly.map((m) => (
              <tr key={`${m.team}-${m.month}`} data-testid="rate-row">
                <td>{m.team}</td>
                <td>{m.month}</td>
                <td>{m.abstractions}</td>
                <td>{m.hours}</td>
                <td>{m.officers}</td>
                <td>{m.rate_percent}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}

function AbstractionItem({ item, onDone }: { item: AbstractionView; onDone: (m: string) => void }) {
  const a = item.abstraction;
  const [note, setNote] = useState("");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const idp = `abs-${item.record_id}`;
  const placed = placeErrors(error, ["note"]);
  const who = item.officer_name ? `${item.officer_name} (${item.officer})` : item.officer;
  const decide = async (outcome: "authorised" | "refused") => {
    if (outcome === "refused" && !note.trim()) {
      setError({ code: "invalid", message: "Check the form.", fields: [{ field: "note", message: "is required: say why it is refused" }] });
      return;
    }
    setBusy(true);
    try {
      await api.decideAbstraction(item.record_id, { revision: item.revision, outcome, note: note.trim() });
      setError(null);
      onDone(`${who}'s abstraction ${outcome}.`);
    } catch (e) {
      setError(asConsoleError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class={`card${a.decision ? "" : " open"}`} aria-labelledby={`${idp}-h`} data-abstraction={item.record_id}>
      <h3 id={`${idp}-h`}>
        {who}: {a.from_duty || "Neighbourhood duty"} → {a.to_duty}
      </h3>
      <dl class="facts">
        <dt>When</dt>
        <dd>
          {localTime(a.starts_at)} to {a.ends_at ? localTime(a.ends_at) : "open-ended"} ({item.hours} h)
        </dd>
        <dt>Reason</dt>
        <dd>{a.reason}</dd>
        {item.team ? (
          <>
            <dt>Team</dt>
            <dd>{item.team}</dd>
          </>
        ) : null}
      </dl>
      {item.flags.length ? (
        <ul class="flags" data-testid="abstraction-flags" aria-label="Flagged for review">
          {item.flags.map((f) => (
            <li key={f}>
              <strong>Review:</strong> {f}
            </li>
          ))}
        </ul>
      ) : null}
      {a.decision ? (
        <p data-testid="abstraction-decision">
          <strong>{a.decision.outcome === "authorised" ? "Authorised" : "Refused"}</strong> by {a.decision.name}, {localTime(a.decision.at)}
          {a.decision.note ? `: “${a.decision.note}”` : ""}
        </p>
      ) : a.authorised_by ? (
        <p class="hint">Authorised by (typed on the tablet): {a.authorised_by}</p>
      ) : (
        <p class="hint">Awaiting a decision.</p>
      )}
      <ErrorSummary messages={placed.general} />
      {item.may_decide ? (
        <div class="form">
          <TextArea id={`${idp}-note`} label="Note (required to refuse)" value={note} onInput={setNote} rows={2} errors={placed.byKey.get("note")} />
          <button type="button" class="primary" disabled={busy} onClick={() => void decide("authorised")} data-testid="authorise">
            Authorise
          </button>{" "}
          <button type="button" class="secondary" disabled={busy} onClick={() => void decide("refused")} data-testid="refuse">
            Refuse
          </button>
        </div>
      ) : null}
    </article>
  );
}

function RequestForm({ officers, onDone }: { officers: OfficerEntry[]; onDone: (m: string) => void }) {
  const [officer, setOfficer] = useState(officers[0]?.officer ?? "");
  const [toDuty, setToDuty] = useState("");
  const [fromDuty, setFromDuty] = useState("");
  const [reason, setReason] = useState("");
  const [starts, setStarts] = useState("");
  const [ends, setEnds] = useState("");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const placed = placeErrors(error, ["officer", "to_duty", "reason", "starts_at", "ends_at"]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const start = starts ? fromLocalInput(starts) : null;
    if (!start) {
      setError({ code: "invalid", message: "Check the form.", fields: [{ field: "starts_at", message: "is required" }] });
      return;
    }
    setBusy(true);
    try {
      await api.requestAbstraction({
        officer,
        from_duty: fromDuty,
        to_duty: toDuty,
        reason,
        starts_at: start,
        ends_at: ends ? fromLocalInput(ends) : null,
      });
      setError(null);
      setToDuty("");
      setReason("");
      onDone(`Abstraction requested for ${officer}: it needs a decision by a supervisor.`);
    } catch (err) {
      setError(asConsoleError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="abs-new">
      <h2 id="abs-new">Request an abstraction for an officer</h2>
      <form onSubmit={submit} noValidate class="form">
        <ErrorSummary messages={placed.general} />
        <SelectField id="abs-officer" label="Officer" value={officer} onChange={setOfficer} options={officers.map((o) => ({ value: o.officer, label: `${o.name} (${o.officer})` }))} errors={placed.byKey.get("officer")} required />
        <TextField id="abs-from" label="From duty" value={fromDuty} onInput={setFromDuty} />
        <TextField id="abs-to" label="To duty" value={toDuty} onInput={setToDuty} errors={placed.byKey.get("to_duty")} required />
        <TextArea id="abs-reason" label="Justification" value={reason} onInput={setReason} rows={2} errors={placed.byKey.get("reason")} required />
        <TextField id="abs-starts" label="Starts" type="datetime-local" value={starts} onInput={setStarts} errors={placed.byKey.get("starts_at")} required />
        <TextField id="abs-ends" label="Ends" type="datetime-local" value={ends} onInput={setEnds} errors={placed.byKey.get("ends_at")} />
        <button type="submit" class="primary" disabled={busy}>
          Request abstraction
        </button>
      </form>
    </section>
  );
}
