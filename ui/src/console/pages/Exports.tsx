// Exports (commanders and supervisors; the directory also force IT): an operation's records or
// the directory in open formats, each download a disclosure the server logs with its purpose.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { ConsoleError, Me } from "../bindings";
import { api, asConsoleError, type ExportFormat } from "../api";
import { save } from "../download";
import { placeErrors } from "../fields";
import { can } from "../roles";
import { ErrorSummary, Page, SelectField, TextField, useLoad } from "../ui";

const FORMATS: { value: ExportFormat; label: string }[] = [
  { value: "csv", label: "CSV: one row per record, with grid references (spreadsheets)" },
  { value: "geojson", label: "GeoJSON: area, sectors and located records (GIS, maps)" },
  { value: "json", label: "JSON: every revision with its hashes (evidence, archives)" },
];

function asFormat(v: string): ExportFormat {
  return v === "geojson" || v === "json" ? v : "csv";
}

/** One export form: what, in which format, and why; the file is saved when the server makes it. */
function ExportForm(props: {
  id: string;
  title: string;
  what?: ComponentChildren;
  ready: () => string | null;
  fetch: (format: ExportFormat, purpose: string) => Promise<{ blob: Blob; name: string }>;
}) {
  const [format, setFormat] = useState<ExportFormat>("csv");
  const [purpose, setPurpose] = useState("");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const placed = placeErrors(error, ["id", "format", "purpose"]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const fields = [];
    const missing = props.ready();
    if (missing) fields.push({ field: "id", message: missing });
    if (!purpose.trim()) fields.push({ field: "purpose", message: "is required: why the records are disclosed, and to whom (it is logged with the export)" });
    if (fields.length) {
      setError({ code: "invalid", message: "Check the form.", fields });
      return;
    }
    setBusy(true);
    setDone(null);
    try {
      const { blob, name } = await props.fetch(format, purpose.trim());
      save(blob, name);
      setDone(`${name} was made (${Math.max(1, Math.round(blob.size / 1024))} KB) and the export logged with its purpose.`);
      setError(null);
    } catch (err) {
      setError(asConsoleError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={`h-${props.id}`} class="card">
      <h2 id={`h-${props.id}`}>{props.title}</h2>
      <ErrorSummary messages={placed.general} />
      <form onSubmit={submit} noValidate class="form">
        {props.what}
        {placed.byKey.get("id")?.length ? <p class="field-error">{placed.byKey.get("id")?.join("; ")}</p> : null}
        <SelectField
          id={`${props.id}-format`}
          label="Format"
          value={format}
          onChange={(v) => setFormat(asFormat(v))}
          options={FORMATS}
          errors={placed.byKey.get("format")}
        />
        <TextField
          id={`${props.id}-purpose`}
          label="Purpose"
          hint="Why the records are disclosed and to whom, e.g. “debrief with the IAG, 3 June”. It is logged with the export."
          value={purpose}
          onInput={setPurpose}
          autoComplete="off"
          errors={placed.byKey.get("purpose")}
          required
        />
        <button type="submit" class="primary" disabled={busy} data-testid={`${props.id}-download`}>
          {busy ? "Making the file…" : "Download"}
        </button>
        {done ? (
          <p role="status" class="hint">
            {done}
          </p>
        ) : null}
      </form>
    </section>
  );
}

export function ExportsPage({ me, initialId }: { me: Me; initialId: string | null }) {
  const role = me.staff.role;
  const records = can(role, "exports");
  const ops = useLoad(() => (records ? api.operations() : Promise.resolve([])), [records]);
  const [id, setId] = useState(initialId ?? "");
  return (
    <Page
      title="Exports"
      intro={
        <p>
          Open formats for partners, analysts and archives. Times are UTC (ISO 8601); positions are WGS84 with the British
          National Grid easting, northing and grid reference beside them. Spreadsheet formulas in what officers wrote are
          neutralised. Every download is logged with who made it and why.
        </p>
      }
    >
      {records ? (
        <ExportForm
          id="operation-export"
          title="An operation's records"
          ready={() => (id ? null : "choose an operation")}
          fetch={(format, purpose) => api.exportOperation(id, format, purpose)}
          what={
            <SelectField
              id="operation-export-id"
              label="Operation"
              value={id}
              onChange={setId}
              options={[{ value: "", label: "Choose an operation" }, ...(ops.data ?? []).map((o) => ({ value: o.id, label: o.name }))]}
              required
            />
          }
        />
      ) : null}
      {can(role, "exports.directory") ? (
        <ExportForm
          id="directory-export"
          title="The directory"
          what={<p>People, groups, venues and agencies shared with the whole force.</p>}
          ready={() => null}
          fetch={(format, purpose) => api.exportDirectory(format, purpose)}
        />
      ) : null}
    </Page>
  );
}
