// Audit (force admin, Gold): the audit trail of an operation or a record, disclosed for a
// stated purpose (the server logs the export with it), offered as a JSON file and a table.
import { useEffect, useState } from "preact/hooks";
import type { ConsoleError } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { auditFileName, tabulate } from "../table";
import { ErrorSummary, Page, SelectField, TableWrap, TextField, useLoad } from "../ui";

type Kind = "operation" | "record";

export function AuditPage({ initialId }: { initialId: string | null }) {
  const ops = useLoad(() => api.operations(), []);
  const [kind, setKind] = useState<Kind>("operation");
  const [id, setId] = useState(initialId ?? "");
  const [purpose, setPurpose] = useState("");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ json: unknown; kind: Kind; id: string; url: string } | null>(null);
  const placed = placeErrors(error, ["kind", "id", "purpose"]);

  useEffect(() => () => {
    if (result) URL.revokeObjectURL(result.url);
  }, [result]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const fields = [];
    if (!id.trim()) fields.push({ field: "id", message: kind === "operation" ? "choose an operation" : "is required: the record's id" });
    if (!purpose.trim()) fields.push({ field: "purpose", message: "is required: why the trail is being disclosed (it is logged with the export)" });
    if (fields.length) {
      setError({ code: "invalid", message: "Check the form.", fields });
      return;
    }
    setBusy(true);
    setResult(null);
    try {
      const json = await api.audit(kind, id.trim(), purpose.trim());
      const blob = new Blob([JSON.stringify(json, null, 2)], { type: "application/json" });
      setResult({ json, kind, id: id.trim(), url: URL.createObjectURL(blob) });
      setError(null);
    } catch (err) {
      setError(asConsoleError(err));
    } finally {
      setBusy(false);
    }
  };

  const table = result ? tabulate(result.json) : null;
  return (
    <Page title="Audit" intro={<p>Every export is logged with who asked, when, and the purpose given.</p>}>
      <ErrorSummary messages={placed.general} />
      <form onSubmit={submit} noValidate class="form">
        <SelectField
          id="audit-kind"
          label="Trail of"
          value={kind}
          onChange={(v) => {
            setKind(v === "record" ? "record" : "operation");
            setId("");
          }}
          options={[
            { value: "operation", label: "An operation (and its records)" },
            { value: "record", label: "One record" },
          ]}
          errors={placed.byKey.get("kind")}
        />
        {kind === "operation" ? (
          <SelectField
            id="audit-id"
            label="Operation"
            value={id}
            onChange={setId}
            options={[{ value: "", label: "Choose an operation" }, ...(ops.data ?? []).map((o) => ({ value: o.id, label: o.name }))]}
            errors={placed.byKey.get("id")}
            required
          />
        ) : (
          <TextField id="audit-id" label="Record id" value={id} onInput={setId} autoComplete="off" errors={placed.byKey.get("id")} required />
        )}
        <TextField
          id="audit-purpose"
          label="Purpose"
          hint="Why the trail is disclosed, e.g. “complaint reference 2026/123”."
          value={purpose}
          onInput={setPurpose}
          autoComplete="off"
          errors={placed.byKey.get("purpose")}
          required
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Fetching…" : "Fetch the audit trail"}
        </button>
      </form>

      {result ? (
        <section aria-labelledby="h-trail">
          <h2 id="h-trail">Audit trail</h2>
          <p>
            <a class="button secondary" href={result.url} download={auditFileName(result.kind, result.id)}>
              Download as JSON
            </a>
          </p>
          {table ? (
            <TableWrap label="Audit trail entries">
              <table class="compact" id="audit-table">
                <caption>
                  {table.rows.length} entr{table.rows.length === 1 ? "y" : "ies"}
                </caption>
                <thead>
                  <tr>
                    {table.columns.map((c) => (
                      <th key={c} scope="col">
                        {c.replace(/_/g, " ")}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {table.rows.map((row, i) => (
                    <tr key={i}>
                      {row.map((cell, j) => (
                        <td key={j}>{cell}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          ) : (
            <pre class="json">{JSON.stringify(result.json, null, 2)}</pre>
          )}
        </section>
      ) : null}
    </Page>
  );
}
