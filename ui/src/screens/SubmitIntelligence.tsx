// Submit as intelligence: what was heard in an engagement, turned into intelligence only by
// this separate act. The contact note is not changed; a new intelligence submission is made,
// linked to it, prefilled from it but written by the officer, with the reason it is
// intelligence. The core logs the act on the note (who, when, which submission, why). The
// submission goes to the officer's supervisor for quality assurance when the tablet syncs.
import { useEffect, useState } from "preact/hooks";
import type { AppError, Body, IntelligenceSubmission } from "../bindings";
import { api } from "../api";
import { placeErrors } from "../errors";
import { valuesOf, type Values } from "../forms";
import { go } from "../router";
import { ErrorBox, Field, RecordFields, Screen, useApp } from "../ui";

const KIND = "intelligence_submission" as const;

export function SubmitIntelligence(props: { noteId: string }) {
  const { vocab } = useApp();
  const [base, setBase] = useState<IntelligenceSubmission | null>(null);
  const [values, setValues] = useState<Values>({});
  const [error, setError] = useState<AppError | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    api
      .intelligenceDraftFromNote(props.noteId)
      .then((d) => {
        setBase(d);
        const body: Body = { kind: KIND, ...d };
        setValues({ ...valuesOf(KIND, body), reason: "" });
      })
      .catch((e: AppError) => setError(e));
  }, [props.noteId]);

  const set = (name: string, v: string | boolean) => setValues((old) => ({ ...old, [name]: v }));
  const placed = placeErrors(error, ["summary", "detail", "source", "urgent", "reference", "reason"]);

  const save = async (ev: Event) => {
    ev.preventDefault();
    if (!base) return;
    const reason = typeof values.reason === "string" ? values.reason.trim() : "";
    if (!reason) {
      const refused: AppError = {
        kind: "validation",
        message: "Say why this is intelligence.",
        field: "reason",
        problems: [{ field: "reason", message: "is required: say why what was heard is intelligence" }],
      };
      setError(refused);
      return;
    }
    const text = (name: string) => (typeof values[name] === "string" ? String(values[name]) : "");
    const submission: IntelligenceSubmission = {
      ...base,
      summary: text("summary"),
      detail: text("detail"),
      source: vocab.source_kind.find((c) => c.value === values.source)?.value ?? base.source,
      urgent: values.urgent === true,
      reference: text("reference"),
    };
    setSaving(true);
    try {
      const saved = await api.submitNoteAsIntelligence(props.noteId, submission, reason);
      go({ name: "record", id: saved.record_id });
    } catch (e) {
      setError(e as AppError);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Screen title="Submit as intelligence">
      <p>
        The contact note stays as it is: engagement is not intelligence. This makes a separate intelligence submission, linked to the
        note, for your supervisor to review. Write it as intelligence: what was said, by whom, and what you saw yourself.
      </p>
      <ErrorBox error={null} messages={placed.general} />
      {base ? (
        <form class="record-form" onSubmit={(e) => void save(e)} noValidate>
          <RecordFields kind={KIND} values={values} set={set} placed={placed} editing={false} />
          <Field
            spec={{
              name: "reason",
              label: "Why this is intelligence",
              type: "textarea",
              required: true,
              hint: "Recorded with the submission and in the audit log of the note.",
            }}
            value={values.reason}
            onInput={(v) => set("reason", v)}
            errors={placed.byField.get("reason")}
            vocab={vocab}
          />
          <div class="form-actions">
            <button type="submit" class="btn primary big" disabled={saving} data-testid="submit-intelligence">
              {saving ? "Submitting…" : "Submit as intelligence"}
            </button>
            <button type="button" class="btn secondary big" onClick={() => history.back()}>
              Back
            </button>
          </div>
        </form>
      ) : null}
    </Screen>
  );
}
