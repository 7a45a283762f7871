// Tasks (supervisors and commanders): give an officer a task from the briefing, and read back
// its status and result as the officer's tablet sends them. The deployment check of the PCSO
// policy (2.8.3) shows as the task is filled in; for a PCSO, an incident type unsuited to a
// first response needs the reason it is given anyway, and the server refuses it without one
// (and refuses a reason where there is nothing to override). Refusals show beside their fields.
import { useState } from "preact/hooks";
import type { ConsoleError, IncidentType, IncidentTypeCheck, NewTasking, OfficerEntry, TaskingView } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { fromLocalInput, localTime } from "../time";
import { ErrorSummary, Loading, Notice, Page, SelectField, TableWrap, TextArea, TextField, useLoad } from "../ui";

const KEYS = ["officer", "title", "incident_type", "briefing_ref", "details", "due", "override_reason"];

const STATUS_LABELS: { [s: string]: string } = {
  open: "Open",
  in_progress: "In progress",
  done: "Done",
  declined: "Declined",
};

interface Form {
  officer: string;
  title: string;
  incident_type: IncidentType;
  briefing_ref: string;
  details: string;
  due: string;
  override_reason: string;
}

function blank(): Form {
  return {
    officer: "",
    title: "",
    incident_type: "reassurance_patrol",
    briefing_ref: "",
    details: "",
    due: "",
    override_reason: "",
  };
}

/** Whether the directory lists the officer as a PCSO (the server's rule, by role or rank). */
export function isPcso(o: OfficerEntry | undefined): boolean {
  return !!o && [o.role, o.rank].some((v) => v.trim().toUpperCase() === "PCSO");
}

/** What the form sends: the override only when the deployment check asks for one. */
export function newTasking(f: Form, needsOverride: boolean): NewTasking {
  return {
    officer: f.officer,
    title: f.title.trim(),
    incident_type: f.incident_type,
    briefing_ref: f.briefing_ref.trim(),
    details: f.details,
    due: f.due ? fromLocalInput(f.due) : null,
    override_reason: needsOverride ? f.override_reason.trim() : "",
  };
}

export function TasksPage() {
  const board = useLoad(() => api.taskings(), []);
  const officers = useLoad(() => api.officers(), []);
  return (
    <Page
      title="Tasks"
      intro={
        <p>
          Task an officer from the briefing. A task reaches the officer's tablet at its next sync; their status and
          result come back the same way. Reload to see the latest.
        </p>
      }
      actions={
        <button type="button" class="secondary" onClick={() => board.reload()}>
          Reload
        </button>
      }
    >
      <Loading state={board} what="tasks">
        {(b) => (
          <>
            <GiveTask
              types={b.incident_types}
              officers={officers.data ?? []}
              onGiven={(t) => board.set({ ...b, taskings: [t, ...b.taskings] })}
            />
            <TaskList taskings={b.taskings} types={b.incident_types} />
          </>
        )}
      </Loading>
    </Page>
  );
}

function TaskList({ taskings, types }: { taskings: TaskingView[]; types: IncidentTypeCheck[] }) {
  const label = (v: IncidentType) => types.find((t) => t.value === v)?.label ?? v;
  return (
    <section aria-labelledby="tasks-given">
      <h2 id="tasks-given">Tasks given</h2>
      {taskings.length === 0 ? (
        <p>No task has been given yet.</p>
      ) : (
        <TableWrap label="Tasks given">
          <table id="tasks">
            <caption class="visually-hidden">Tasks given, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Officer</th>
                <th scope="col">Incident type</th>
                <th scope="col">Given</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {taskings.map((t) => (
                <tr key={t.record_id} data-tasking={t.record_id}>
                  <td>
                    {t.tasking.title}
                    {t.tasking.briefing_ref ? <span class="muted"> ({t.tasking.briefing_ref})</span> : null}
                  </td>
                  <td>
                    {t.tasking.assigned_to}
                    {t.assignee_name ? ` — ${t.assignee_name}` : ""}
                    {t.assignee_is_pcso ? " (PCSO)" : ""}
                  </td>
                  <td>
                    {label(t.tasking.incident_type)}
                    {t.check.verdict === "unsuited_as_first_response" ? (
                      <p class="hint">
                        Unsuited to a PCSO first response ({t.check.category})
                        {t.tasking.override_reason ? `. Given anyway: ${t.tasking.override_reason}` : ""}
                      </p>
                    ) : null}
                  </td>
                  <td>
                    {localTime(t.given_at)} by {t.given_by}
                  </td>
                  <td>{t.tasking.due ? localTime(t.tasking.due) : "—"}</td>
                  <td data-status={t.tasking.status}>
                    {STATUS_LABELS[t.tasking.status] ?? t.tasking.status}
                    {t.updated_by !== t.given_by ? <p class="hint">{`${t.updated_by}, ${localTime(t.updated_at)}`}</p> : null}
                  </td>
                  <td>{t.tasking.result || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

function GiveTask(props: { types: IncidentTypeCheck[]; officers: OfficerEntry[]; onGiven: (t: TaskingView) => void }) {
  const [form, setForm] = useState<Form>(blank);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const placed = placeErrors(error, KEYS);
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));

  const assignee = props.officers.find((o) => o.officer === form.officer);
  const pcso = isPcso(assignee);
  const check = props.types.find((t) => t.value === form.incident_type)?.check ?? null;
  const unsuited = check?.verdict === "unsuited_as_first_response" ? check : null;
  const needsOverride = pcso && unsuited !== null;

  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(null);
    setBusy(true);
    try {
      const given = await api.giveTask(newTasking(form, needsOverride));
      setError(null);
      setDone(`Task given to ${given.tasking.assigned_to ?? form.officer}: it reaches their tablet at its next sync.`);
      setForm(blank());
      props.onGiven(given);
    } catch (err) {
      setError(asConsoleError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="task-new">
      <h2 id="task-new">Give a task</h2>
      <div role="status" aria-live="polite" aria-atomic="true">
        {done ? <Notice>{done}</Notice> : null}
      </div>
      <ErrorSummary messages={placed.general} />
      <form onSubmit={submit} noValidate class="form">
        <SelectField
          id="officer"
          label="Officer"
          value={form.officer}
          onChange={(v) => set({ officer: v })}
          options={[
            { value: "", label: "Choose an officer" },
            ...props.officers.map((o) => ({
              value: o.officer,
              label: `${o.officer} — ${o.name} (${o.role}${o.team ? `, ${o.team}` : ""})`,
            })),
          ]}
          errors={placed.byKey.get("officer")}
          required
        />
        <TextField
          id="title"
          label="Task"
          value={form.title}
          onInput={(v) => set({ title: v })}
          autoComplete="off"
          errors={placed.byKey.get("title")}
          required
        />
        <SelectField
          id="incident_type"
          label="Incident type"
          value={form.incident_type}
          onChange={(v) => set({ incident_type: props.types.find((t) => t.value === v)?.value ?? form.incident_type })}
          options={props.types.map((t) => ({ value: t.value, label: t.label }))}
          errors={placed.byKey.get("incident_type")}
          required
        />
        <div role="status" aria-live="polite" data-testid="deployment-check">
          {unsuited ? (
            <Notice kind="warn">
              <strong>Not as a PCSO first response: {unsuited.category}.</strong> {unsuited.advice}
              {assignee && !pcso ? ` ${assignee.officer} is not a PCSO: the policy does not restrict them.` : ""}
            </Notice>
          ) : check ? (
            <p class="hint">Suitable for a PCSO (policy 2.8.3).</p>
          ) : null}
        </div>
        {needsOverride ? (
          <TextArea
            id="override_reason"
            label="Why this PCSO is given it anyway"
            hint="Recorded with the task, in the officer's record and the audit trail (policy 2.8.3)."
            value={form.override_reason}
            onInput={(v) => set({ override_reason: v })}
            errors={placed.byKey.get("override_reason")}
            required
          />
        ) : placed.byKey.get("override_reason") ? (
          <ErrorSummary messages={placed.byKey.get("override_reason") ?? []} />
        ) : null}
        <TextField
          id="briefing_ref"
          label="Briefing item"
          value={form.briefing_ref}
          onInput={(v) => set({ briefing_ref: v })}
          autoComplete="off"
          errors={placed.byKey.get("briefing_ref")}
        />
        <TextArea
          id="details"
          label="Details"
          value={form.details}
          onInput={(v) => set({ details: v })}
          errors={placed.byKey.get("details")}
        />
        <TextField
          id="due"
          label="Due (optional)"
          type="datetime-local"
          value={form.due}
          onInput={(v) => set({ due: v })}
          errors={placed.byKey.get("due")}
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Giving…" : "Give task"}
        </button>
      </form>
    </section>
  );
}
