// Intelligence (supervisors and commanders): officers' intelligence submissions for quality
// assurance (policy 1.2). A supervisor sees their own officers' submissions, commanders all.
// Each is graded with the force's 3x5x2 (source evaluation, intelligence assessment, handling
// code) and accepted, or returned with feedback; the officer's tablet shows the outcome at its
// next sync, and a returned one comes back here when the officer resubmits it.
import { useEffect, useState } from "preact/hooks";
import type {
  ConsoleError,
  HandlingCode,
  IntelAssessment,
  IntelligenceQueue,
  IntelligenceView,
  ReviewOutcome,
  SourceEvaluation,
  SourceKind,
} from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { localTime } from "../time";
import { ErrorSummary, Notice, Page, SelectField, TextArea } from "../ui";

export const SOURCE_EVALUATION_LABELS: { [K in SourceEvaluation]: string } = {
  reliable: "1 — Reliable",
  untested: "2 — Untested",
  not_reliable: "3 — Not reliable",
};

export const ASSESSMENT_LABELS: { [K in IntelAssessment]: string } = {
  known_directly: "A — Known directly to the source",
  known_indirectly_corroborated: "B — Known indirectly, corroborated",
  known_indirectly: "C — Known indirectly",
  not_known: "D — Not known",
  suspected_false: "E — Suspected to be false",
};

export const HANDLING_LABELS: { [K in HandlingCode]: string } = {
  lawful: "P — Lawful sharing permitted",
  conditions: "C — Lawful sharing permitted with conditions",
};

const OUTCOME_LABELS: { [K in ReviewOutcome]: string } = {
  accepted: "Accept",
  returned: "Return to the officer with feedback",
};

const SOURCE_KIND_LABELS: { [K in SourceKind]: string } = {
  officer_observation: "Officer's own observation",
  member_of_public: "Member of the public",
  partner: "Partner agency",
  other: "Other",
};

const options = <K extends string>(labels: { [k in K]: string }, blank?: string) => [
  ...(blank !== undefined ? [{ value: "", label: blank }] : []),
  ...(Object.keys(labels) as K[]).map((k) => ({ value: k, label: labels[k] })),
];

/** The grading as written on a form: "2/B/C". */
export function gradingCode(g: { source: SourceEvaluation; assessment: IntelAssessment; handling: HandlingCode }): string {
  return `${SOURCE_EVALUATION_LABELS[g.source][0]}/${ASSESSMENT_LABELS[g.assessment][0]}/${HANDLING_LABELS[g.handling][0]}`;
}

export function IntelligencePage() {
  const [queue, setQueue] = useState<IntelligenceQueue | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = async () => {
    try {
      setQueue(await api.intelligence());
      setError(null);
    } catch (e) {
      setError(asConsoleError(e));
    }
  };
  useEffect(() => void load(), []);

  const waiting = queue?.submissions.filter((s) => !s.submission.review) ?? [];
  const reviewed = queue?.submissions.filter((s) => s.submission.review) ?? [];
  return (
    <Page
      title="Intelligence"
      intro={
        <p>
          Intelligence submitted by your officers, for quality assurance. Grade it and accept it, or return it with feedback: the
          officer's tablet shows the outcome when it next syncs.
        </p>
      }
      actions={
        <button type="button" class="secondary" onClick={() => void load()}>
          Refresh
        </button>
      }
    >
      {done ? <Notice>{done}</Notice> : null}
      <ErrorSummary messages={error ? [error.message] : []} />
      {queue ? (
        <>
          <h2>Waiting for review ({waiting.length})</h2>
          {waiting.length === 0 ? (
            <p>Nothing is waiting for your review.</p>
          ) : (
            <ul class="review-list" data-testid="intelligence-waiting">
              {waiting.map((s) => (
                <li key={s.record_id}>
                  <Submission
                    item={s}
                    onDone={(m, next) => {
                      setDone(m);
                      setQueue(next);
                    }}
                    onStale={() => void load()}
                  />
                </li>
              ))}
            </ul>
          )}
          {reviewed.length ? (
            <>
              <h2>Reviewed ({reviewed.length})</h2>
              <ul class="review-list" data-testid="intelligence-reviewed">
                {reviewed.map((s) => (
                  <li key={s.record_id}>
                    <Submission item={s} onDone={() => undefined} onStale={() => void load()} />
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

function Submission(props: { item: IntelligenceView; onDone: (m: string, next: IntelligenceQueue) => void; onStale: () => void }) {
  const { item: v } = props;
  const i = v.submission;
  const r = i.review;
  const [outcome, setOutcome] = useState<string>("accepted");
  const [source, setSource] = useState<string>("");
  const [assessment, setAssessment] = useState<string>("");
  const [handling, setHandling] = useState<string>("");
  const [conditions, setConditions] = useState("");
  const [feedback, setFeedback] = useState("");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const idp = `intel-${v.record_id}`;
  const placed = placeErrors(error, ["grading", "grading.conditions", "feedback", "outcome"]);
  const who = v.officer_name ? `${v.officer_name} (${v.officer})` : v.officer;

  const submit = async (ev: Event) => {
    ev.preventDefault();
    const fields: { field: string; message: string }[] = [];
    const graded = source && assessment && handling;
    if (outcome === "accepted" && !graded) fields.push({ field: "grading", message: "is required to accept: source, assessment and handling code" });
    if ((source || assessment || handling) && !graded) fields.push({ field: "grading", message: "needs all three: source, assessment and handling code" });
    if (handling === "conditions" && !conditions.trim()) fields.push({ field: "grading.conditions", message: "are required with handling code C" });
    if (outcome === "returned" && !feedback.trim()) fields.push({ field: "feedback", message: "is required: tell the officer what to add or correct" });
    if (fields.length) {
      setError({ code: "invalid", message: "Check the form.", fields });
      return;
    }
    setBusy(true);
    try {
      const next = await api.reviewIntelligence(v.record_id, {
        revision: v.revision,
        outcome: outcome as ReviewOutcome,
        grading: graded
          ? {
              source: source as SourceEvaluation,
              assessment: assessment as IntelAssessment,
              handling: handling as HandlingCode,
              conditions: handling === "conditions" ? conditions.trim() : "",
            }
          : null,
        feedback: feedback.trim(),
      });
      setError(null);
      props.onDone(`${outcome === "accepted" ? "Accepted" : "Returned"} ${who}'s submission “${i.summary}”.`, next);
    } catch (err) {
      const ce = asConsoleError(err);
      setError(ce);
      if (ce.code === "conflict") props.onStale();
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="card" aria-labelledby={`${idp}-h`} data-intelligence={v.record_id}>
      <h3 id={`${idp}-h`} class="h3">
        {i.urgent ? <strong class="badge">Time-critical </strong> : null}
        {i.summary}
      </h3>
      <dl class="facts">
        <dt>Submitted by</dt>
        <dd>{who}</dd>
        <dt>When it happened</dt>
        <dd>{localTime(v.occurred_at)}</dd>
        <dt>Received</dt>
        <dd>{localTime(v.received_at)}</dd>
        <dt>Source</dt>
        <dd>{SOURCE_KIND_LABELS[i.source]}</dd>
        <dt>Detail</dt>
        <dd class="prewrap">{i.detail}</dd>
        {i.reason_from_note ? (
          <>
            <dt>Made from a contact note because</dt>
            <dd>{i.reason_from_note}</dd>
          </>
        ) : null}
        {i.reference ? (
          <>
            <dt>Force system reference</dt>
            <dd>{i.reference}</dd>
          </>
        ) : null}
      </dl>
      {r ? (
        <p data-testid="intelligence-outcome">
          <strong>{r.outcome === "accepted" ? "Accepted" : "Returned"}</strong>
          {r.grading ? ` — graded ${gradingCode(r.grading)}` : ""}
          {r.grading?.conditions ? ` (conditions: ${r.grading.conditions})` : ""} by {r.reviewed_by}, {localTime(r.at)}
          {r.feedback ? `: “${r.feedback}”` : ""}
        </p>
      ) : null}
      {v.own ? <p class="muted">Your own submission: it is reviewed by your supervisor.</p> : null}
      <ErrorSummary messages={placed.general} />
      {v.may_review ? (
        <form onSubmit={(e) => void submit(e)} noValidate class="form">
          <SelectField id={`${idp}-outcome`} label="Outcome" value={outcome} onChange={setOutcome} options={options(OUTCOME_LABELS)} errors={placed.byKey.get("outcome")} required />
          <fieldset>
            <legend>Grading (3x5x2){outcome === "accepted" ? "" : " — optional when returning"}</legend>
            <SelectField
              id={`${idp}-source`}
              label="Source evaluation"
              value={source}
              onChange={setSource}
              options={options(SOURCE_EVALUATION_LABELS, "Choose…")}
              errors={placed.byKey.get("grading")}
              required={outcome === "accepted"}
            />
            <SelectField
              id={`${idp}-assessment`}
              label="Intelligence assessment"
              value={assessment}
              onChange={setAssessment}
              options={options(ASSESSMENT_LABELS, "Choose…")}
              required={outcome === "accepted"}
            />
            <SelectField
              id={`${idp}-handling`}
              label="Handling code"
              value={handling}
              onChange={setHandling}
              options={options(HANDLING_LABELS, "Choose…")}
              required={outcome === "accepted"}
            />
            {handling === "conditions" ? (
              <TextArea
                id={`${idp}-conditions`}
                label="Handling conditions"
                value={conditions}
                onInput={setConditions}
                rows={2}
                errors={placed.byKey.get("grading.conditions")}
                required
              />
            ) : null}
          </fieldset>
          <TextArea
            id={`${idp}-feedback`}
            label={outcome === "returned" ? "Feedback to the officer" : "Feedback to the officer (optional)"}
            value={feedback}
            onInput={setFeedback}
            rows={2}
            errors={placed.byKey.get("feedback")}
            required={outcome === "returned"}
          />
          <button type="submit" class="primary" disabled={busy} data-testid="review">
            Record the review
          </button>
        </form>
      ) : null}
    </article>
  );
}
