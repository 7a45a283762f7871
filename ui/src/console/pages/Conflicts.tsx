// Conflicts (supervisors and commanders): records edited on two tablets at once, each version
// side by side, field by field, the fields that differ marked. Tablets show the version with the
// later clock until one is kept here: keeping a version writes a merge (its content, and why)
// that reaches every tablet at its next sync, after which the record has one version everywhere.
// A supervisor sees their own officers' work and every operation's records; commanders all.
import { useEffect, useState } from "preact/hooks";
import type { Conflict, ConflictVersion, ConsoleError, Conflicts } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { kindLabel } from "../live";
import { localTime } from "../time";
import { ErrorSummary, Notice, Page, TableWrap, TextArea } from "../ui";
import { Attachments } from "../attachments";

/** "Version A", "Version B"… in the order the server received them. */
export function versionName(i: number): string {
  return `Version ${String.fromCharCode(65 + (i % 26))}`;
}

/** Who made a version: "Alex Kerr (PC 1101)", or the id alone when not in the directory. */
export function madeBy(v: ConflictVersion): string {
  return v.author_name ? `${v.author_name} (${v.author})` : v.author;
}

/**
 * A field's value as read: nothing as a dash; times in local time, to the second (two versions'
 * times may differ by seconds only).
 */
export function shownValue(value: string): string {
  if (value === "") return "—";
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) return value;
    return d.toLocaleString("en-GB", {
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
  }
  return value;
}

/** A row's cells: as read, unless values that differ would read the same (times a fraction of a second apart). */
export function cells(values: string[], differs: boolean): string[] {
  const shown = values.map(shownValue);
  return differs && shown.every((v) => v === shown[0]) ? values : shown;
}

export function ConflictsPage() {
  const [list, setList] = useState<Conflicts | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = async () => {
    try {
      setList(await api.conflicts());
      setError(null);
    } catch (e) {
      setError(asConsoleError(e));
    }
  };
  useEffect(() => void load(), []);

  return (
    <Page
      title="Conflicts"
      intro={
        <p>
          Records edited on two tablets at once, each version side by side. Until one is kept, tablets show the version saved
          last. Keeping a version sends it, with your reason, to every tablet at its next sync, and the record has one version
          again.
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
      {list ? (
        list.conflicts.length === 0 ? (
          <p data-testid="no-conflicts">No record has two versions now.</p>
        ) : (
          <ul class="review-list" data-testid="conflicts">
            {list.conflicts.map((c) => (
              <li key={c.record_id}>
                <ConflictCard
                  conflict={c}
                  onDone={(m, next) => {
                    setDone(m);
                    setList(next);
                  }}
                  onStale={() => void load()}
                />
              </li>
            ))}
          </ul>
        )
      ) : null}
    </Page>
  );
}

function ConflictCard(props: { conflict: Conflict; onDone: (m: string, next: Conflicts) => void; onStale: () => void }) {
  const c = props.conflict;
  const [reason, setReason] = useState("");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const idp = `conflict-${c.record_id}`;
  const placed = placeErrors(error, ["reason"]);
  const differing = c.fields.filter((f) => f.differs).length;

  const keep = async (kept: ConflictVersion) => {
    // Two versions: the other one. More: one at a time, the next comes back here resolved against the kept one.
    const other = c.versions.find((v) => v.revision !== kept.revision);
    if (!other) return;
    if (!reason.trim()) {
      setError({
        code: "invalid",
        message: "Check the form.",
        fields: [{ field: "reason", message: "is required: why this version is kept (the officers read it on their tablets)" }],
      });
      return;
    }
    setBusy(true);
    try {
      const next = await api.resolveConflict(c.record_id, { keep: kept.revision, other: other.revision, reason: reason.trim() });
      setError(null);
      props.onDone(`Kept ${madeBy(kept)}'s version of “${c.title}”: tablets receive it at their next sync.`, next);
    } catch (err) {
      const ce = asConsoleError(err);
      setError(ce);
      if (ce.code === "conflict") props.onStale();
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="card conflict" aria-labelledby={`${idp}-h`} data-conflict={c.record_id}>
      <h2 id={`${idp}-h`} class="h3">
        {kindLabel(c.kind)}: {c.title}
      </h2>
      <dl class="facts">
        {c.operation ? (
          <>
            <dt>Operation</dt>
            <dd>{c.operation_name ?? c.operation}</dd>
          </>
        ) : null}
        {c.officer ? (
          <>
            <dt>Own work of</dt>
            <dd>{c.officer}</dd>
          </>
        ) : null}
        <dt>Versions</dt>
        <dd>
          {c.versions.length}, differing in {differing} field{differing === 1 ? "" : "s"}
        </dd>
      </dl>
      <ErrorSummary messages={placed.general} />
      <form onSubmit={(e) => e.preventDefault()} noValidate class="form wide">
        <TextArea
          id={`${idp}-reason`}
          label="Why the version you keep"
          hint="Tablets show it as the reason for the change, after “Kept (officer)'s version:”. Then choose Keep this version under the version you keep."
          value={reason}
          onInput={setReason}
          rows={2}
          errors={placed.byKey.get("reason")}
          required
        />
        <TableWrap label={`The versions of ${c.title}, side by side`}>
          <table class="compact conflict-table">
            <caption>Field by field; the fields that differ are marked “differs”.</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                {c.versions.map((v, i) => (
                  <th scope="col" key={v.revision} data-testid="conflict-version">
                    {versionName(i)}: {madeBy(v)}
                    <span class="version-meta">
                      Saved {localTime(v.recorded_at)}
                      <br />
                      {v.reason ? `Why: “${v.reason}”` : "No reason given"}
                    </span>
                    {v.shown ? <span class="badge">shown on tablets now</span> : null}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {c.fields.map((f) => (
                <tr key={f.field} class={f.differs ? "differs" : undefined} data-field={f.field}>
                  <th scope="row">
                    {f.label}
                    {f.differs ? <span class="badge">differs</span> : null}
                  </th>
                  {cells(f.values, f.differs).map((value, i) => (
                    <td key={c.versions[i]?.revision ?? i}>{value}</td>
                  ))}
                </tr>
              ))}
              {c.versions.some((v) => (v.record.attachments ?? []).length > 0) ? (
                <tr data-field="attachments-shown">
                  <th scope="row">Photos, audio and screenshots</th>
                  {c.versions.map((v, i) => (
                    <td key={v.revision}>
                      {(v.record.attachments ?? []).length === 0 ? "—" : null}
                      <Attachments attachments={v.record.attachments} label={`Attachments of ${versionName(i)}`} />
                    </td>
                  ))}
                </tr>
              ) : null}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Resolve</th>
                {c.versions.map((v, i) => (
                  <td key={v.revision}>
                    <button type="button" class="primary" disabled={busy} onClick={() => void keep(v)}>
                      Keep this version<span class="visually-hidden"> ({versionName(i)}, {madeBy(v)})</span>
                    </button>
                  </td>
                ))}
              </tr>
            </tfoot>
          </table>
        </TableWrap>
      </form>
    </article>
  );
}
