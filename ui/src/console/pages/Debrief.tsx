// The debrief of an operation (issue 13): what went well, what would be even better if, and
// the recommendations (issue, recommendation, owner, priority), entered by the PLT leader and
// the Bronze commander; signed off by a commander over the SHA-256 of the records; and the
// report as PDF, made on the server from the records each time (a logged disclosure, so it
// asks why).
import { useEffect, useState } from "preact/hooks";
import type { ConsoleError, DebriefView, Me, Priority, Recommendation } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { can } from "../roles";
import { href } from "../router";
import { localTime } from "../time";
import { ErrorSummary, Loading, Notice, Page, SelectField, TableWrap, TextArea, TextField, useLoad } from "../ui";

const PRIORITIES: { value: Priority; label: string }[] = [
  { value: "high", label: "High" },
  { value: "medium", label: "Medium" },
  { value: "low", label: "Low" },
];

const blank = (): Recommendation => ({ issue: "", recommendation: "", owner: "", priority: "medium" });

export function DebriefPage({ id, me }: { id: string; me: Me }) {
  const state = useLoad(() => api.debrief(id), [id]);
  return (
    <Page
      title="Debrief"
      intro={
        <p>
          Entered after the event by the PLT leader and the Bronze commander. The report is made from the operation's records each time
          it is downloaded, with these notes.
        </p>
      }
      actions={<a href={href({ name: "live", id })}>Live picture</a>}
    >
      <Loading state={state} what="the debrief">
        {(d) => <DebriefForm view={d} me={me} onSaved={state.reload} />}
      </Loading>
    </Page>
  );
}

function DebriefForm({ view, me, onSaved }: { view: DebriefView; me: Me; onSaved: () => void }) {
  const [wentWell, setWentWell] = useState(view.notes.went_well);
  const [ebi, setEbi] = useState(view.notes.even_better_if);
  const [recs, setRecs] = useState<Recommendation[]>(view.notes.recommendations);
  const [purpose, setPurpose] = useState("");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setWentWell(view.notes.went_well);
    setEbi(view.notes.even_better_if);
    setRecs(view.notes.recommendations);
  }, [view]);
  const keys = ["went_well", "even_better_if", "purpose", ...recs.flatMap((_, i) => ["issue", "recommendation", "owner"].map((f) => `recommendations[${i}].${f}`))];
  const placed = placeErrors(error, keys);
  const signed = view.notes.signed_off;
  const edit = (i: number, change: Partial<Recommendation>) => setRecs(recs.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const act = async (what: () => Promise<unknown>, message: string) => {
    setBusy(true);
    try {
      await what();
      setError(null);
      setDone(message);
      onSaved();
    } catch (e) {
      setError(asConsoleError(e));
      setDone(null);
    } finally {
      setBusy(false);
    }
  };
  const save = (e: Event) => {
    e.preventDefault();
    void act(
      () => api.saveDebrief(view.operation_id, { went_well: wentWell, even_better_if: ebi, recommendations: recs }),
      signed ? "Saved. The sign-off is withdrawn: the debrief changed after it was signed off." : "Saved.",
    );
  };
  return (
    <>
      <h2>{view.name}</h2>
      {done ? <Notice>{done}</Notice> : null}
      <ErrorSummary messages={placed.general} />
      <section aria-labelledby="signoff-title">
        <h3 id="signoff-title">Sign-off</h3>
        {signed ? (
          <p data-testid="signed-off">
            Signed off by {signed.name} ({signed.by}) on {localTime(signed.at)}, over {view.records} records.
          </p>
        ) : (
          <p data-testid="not-signed-off">Not signed off yet.</p>
        )}
        {view.changed_since_sign_off ? (
          <Notice kind="warn">The records have changed since the sign-off: the report now made is not the one signed off.</Notice>
        ) : null}
        <p class="hint">
          The report is made from {view.records} records (the operation and everything recorded in it), SHA-256{" "}
          <code data-testid="records-sha256">{view.records_sha256}</code>.
        </p>
        {can(me.staff.role, "debrief.signoff") ? (
          <button type="button" class="primary" disabled={busy} data-testid="sign-off" onClick={() => void act(() => api.signOffDebrief(view.operation_id), "Signed off.")}>
            Sign off over these records
          </button>
        ) : null}
      </section>
      <form onSubmit={save} noValidate class="form">
        <TextArea id="went_well" label="What went well" value={wentWell} onInput={setWentWell} rows={5} errors={placed.byKey.get("went_well")} />
        <TextArea id="even_better_if" label="Even better if" value={ebi} onInput={setEbi} rows={5} errors={placed.byKey.get("even_better_if")} />
        <fieldset>
          <legend>Recommendations</legend>
          {recs.length === 0 ? <p>None yet.</p> : null}
          {recs.map((r, i) => (
            <div class="recommendation" key={i} data-recommendation={i}>
              <TextField id={`rec-${i}-issue`} label={`Issue ${i + 1}`} value={r.issue} onInput={(v) => edit(i, { issue: v })} errors={placed.byKey.get(`recommendations[${i}].issue`)} required />
              <TextArea
                id={`rec-${i}-recommendation`}
                label="Recommendation"
                value={r.recommendation}
                onInput={(v) => edit(i, { recommendation: v })}
                rows={2}
                errors={placed.byKey.get(`recommendations[${i}].recommendation`)}
                required
              />
              <TextField id={`rec-${i}-owner`} label="Owner" value={r.owner} onInput={(v) => edit(i, { owner: v })} errors={placed.byKey.get(`recommendations[${i}].owner`)} required />
              <SelectField id={`rec-${i}-priority`} label="Priority" value={r.priority} onChange={(v) => edit(i, { priority: PRIORITIES.find((p) => p.value === v)?.value ?? "medium" })} options={PRIORITIES} />
              <button type="button" onClick={() => setRecs(recs.filter((_, j) => j !== i))}>
                Remove recommendation {i + 1}
              </button>
            </div>
          ))}
          <button type="button" data-testid="add-recommendation" onClick={() => setRecs([...recs, blank()])}>
            Add a recommendation
          </button>
        </fieldset>
        <button type="submit" class="primary" disabled={busy} data-testid="save-debrief">
          Save the debrief
        </button>
      </form>
      <section aria-labelledby="report-title">
        <h3 id="report-title">The report</h3>
        <TextField
          id="purpose"
          label="Why the report is made"
          hint="Logged with the report: it discloses the operation's records."
          value={purpose}
          onInput={setPurpose}
          required
        />
        {purpose.trim() ? (
          <a class="button" href={api.debriefPdfUrl(view.operation_id, purpose.trim())} data-testid="debrief-pdf" download>
            Download the debrief (PDF)
          </a>
        ) : (
          <p class="hint">Say why to download the report.</p>
        )}
      </section>
      {recs.length > 0 ? (
        <TableWrap label="Recommendations as they will be printed">
          <table>
            <thead>
              <tr>
                <th scope="col">Issue</th>
                <th scope="col">Recommendation</th>
                <th scope="col">Owner</th>
                <th scope="col">Priority</th>
              </tr>
            </thead>
            <tbody>
              {recs.map((r, i) => (
                <tr key={i}>
                  <td>{r.issue}</td>
                  <td>{r.recommendation}</td>
                  <td>{r.owner}</td>
                  <td>{PRIORITIES.find((p) => p.value === r.priority)?.label}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </>
  );
}
