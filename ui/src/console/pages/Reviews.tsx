// Reviews (force admin): records whose retention review is due, and the decision for each:
// retain, erase or extend, with the rationale the law asks for.
import { useState } from "preact/hooks";
import type { ConsoleError, ReviewView } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { localTime } from "../time";
import { ErrorSummary, Loading, Notice, Page, SelectField, TextArea, useLoad } from "../ui";

export const DECISIONS = [
  { value: "retain", label: "Retain" },
  { value: "extend", label: "Extend the review date" },
  { value: "erase", label: "Erase" },
];

export function ReviewsPage() {
  const list = useLoad(() => api.reviews(), []);
  const [done, setDone] = useState<string | null>(null);
  return (
    <Page
      title="Reviews"
      intro={<p>Records due for review under the retention policy. Each decision is logged with its rationale.</p>}
    >
      {done ? <Notice>{done}</Notice> : null}
      <Loading state={list} what="reviews">
        {(reviews) =>
          reviews.length === 0 ? (
            <p>No record is due for review.</p>
          ) : (
            <ul class="review-list">
              {reviews.map((r) => (
                <li key={r.record_id}>
                  <ReviewItem
                    review={r}
                    onDecided={(m) => {
                      setDone(m);
                      list.reload();
                    }}
                  />
                </li>
              ))}
            </ul>
          )
        }
      </Loading>
    </Page>
  );
}

function ReviewItem({ review, onDecided }: { review: ReviewView; onDecided: (m: string) => void }) {
  const [decision, setDecision] = useState("retain");
  const [rationale, setRationale] = useState("");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const idp = `review-${review.record_id}`;
  const placed = placeErrors(error, ["decision", "rationale"]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!rationale.trim()) {
      setError({ code: "invalid", message: "Check the form.", fields: [{ field: "rationale", message: "is required: why this decision" }] });
      return;
    }
    setBusy(true);
    try {
      await api.decide(review.record_id, { decision, rationale: rationale.trim() });
      setError(null);
      onDecided(`Decision recorded for ${review.kind} ${review.record_id.slice(0, 8)}: ${decision}.`);
    } catch (err) {
      setError(asConsoleError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class="card" aria-labelledby={`${idp}-h`}>
      <h2 id={`${idp}-h`} class="h3">
        {review.kind.replace(/_/g, " ")} <code>{review.record_id.slice(0, 8)}</code>
      </h2>
      <dl class="facts">
        <dt>Class</dt>
        <dd>{review.class}</dd>
        <dt>Operation</dt>
        <dd>{review.operation_id ? <code>{review.operation_id.slice(0, 8)}</code> : "—"}</dd>
        <dt>Last change</dt>
        <dd>{localTime(review.last_change)}</dd>
        <dt>Review due</dt>
        <dd>{localTime(review.review_date)}</dd>
      </dl>
      {review.decision ? (
        <p>
          Decided: <strong>{review.decision.decision}</strong> by {review.decision.by}, {localTime(review.decision.at)}. “
          {review.decision.rationale}”
        </p>
      ) : (
        <form onSubmit={submit} noValidate class="form">
          <ErrorSummary messages={placed.general} />
          <SelectField id={`${idp}-decision`} label="Decision" value={decision} onChange={setDecision} options={DECISIONS} errors={placed.byKey.get("decision")} required />
          <TextArea id={`${idp}-rationale`} label="Rationale" value={rationale} onInput={setRationale} rows={3} errors={placed.byKey.get("rationale")} required />
          <button type="submit" class="primary" disabled={busy}>
            Record decision
          </button>
        </form>
      )}
    </article>
  );
}
