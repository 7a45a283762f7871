// The operation's debrief as PDF, made on the tablet from what it holds, with no network: the
// same report as the console's (the debrief meeting's notes are entered in the console). The
// records leave the app in it, so it asks why, and the making is logged.
import { useState } from "preact/hooks";
import type { AppError, SavedReport } from "../bindings";
import { api, asAppError } from "../api";
import { ErrorBox } from "../ui";

export function DebriefSection(props: { op: string }) {
  const [purpose, setPurpose] = useState("");
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<SavedReport | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const make = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setSaved(null);
    try {
      setSaved(await api.debriefPdf(props.op, purpose));
      setError(null);
    } catch (err) {
      setError(asAppError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="debrief-title">
      <h2 id="debrief-title">Debrief report</h2>
      <p class="muted">A PDF of the operation from the records on this tablet: timeline, map, tension, rumours, negotiations, escalations.</p>
      <form class="inline-form" onSubmit={(e) => void make(e)}>
        <div class="field">
          <label for="debrief-purpose">
            <span class="label-text">Why it is made (logged)</span>
          </label>
          <input id="debrief-purpose" value={purpose} onInput={(e) => setPurpose(e.currentTarget.value)} />
        </div>
        <button type="submit" class="btn secondary" disabled={busy} data-testid="make-debrief">
          {busy ? "Making the report…" : "Make the debrief PDF"}
        </button>
      </form>
      <ErrorBox error={error} />
      {saved ? (
        <p role="status" data-testid="debrief-saved">
          Saved: {saved.path} ({Math.round(saved.bytes / 1024)} KB, from {saved.records} records).
        </p>
      ) : null}
    </section>
  );
}
