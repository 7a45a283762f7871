// Statistics (commanders, supervisors, officers): hate-crime monitoring for partners (seed 004),
// as a partner would receive it: small numbers shown as "<5", and some other counts as "[c]" so
// that no "<5" can be worked out from the totals. The server never sends the raw counts.
// Downloading the CSV or the PDF report is a disclosure logged with its purpose.
import { useState } from "preact/hooks";
import type { ConsoleError, MonitoringStatistics, PublishedTable, Shown } from "../bindings";
import { api, asConsoleError } from "../api";
import { save } from "../download";
import { placeErrors } from "../fields";
import { ErrorSummary, Loading, Page, TableWrap, TextField, useLoad } from "../ui";

/** How a published cell reads. */
export function shownText(s: Shown): string {
  switch (s.shown) {
    case "count":
      return String(s.count);
    case "small":
      return "<5";
    case "suppressed":
      return "[c]";
  }
}

function monthOf(d: Date): string {
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The twelve months to `now`'s, as the server defaults them. */
export function defaultPeriod(now: Date): { from: string; to: string } {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  return { from: monthOf(from), to: monthOf(now) };
}

function Cell({ s }: { s: Shown }) {
  const label = s.shown === "small" ? "fewer than 5" : s.shown === "suppressed" ? "suppressed" : undefined;
  return (
    <td class={`num ${s.shown}`} aria-label={label}>
      {shownText(s)}
    </td>
  );
}

function Table({ t, id }: { t: PublishedTable; id: string }) {
  return (
    <section>
      <h2 id={`h-${id}`}>{t.title}</h2>
      {t.withheld ? (
        <p>Withheld: its numbers are too small to publish any of them safely.</p>
      ) : t.rows.length === 0 ? (
        <p>Nothing recorded in this period.</p>
      ) : (
        <TableWrap label={t.title}>
          <table class="compact statistics" id={id}>
            <thead>
              <tr>
                <th scope="col">{t.row_heading}</th>
                {t.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {t.rows.map((r, i) => (
                <tr key={r}>
                  <th scope="row">{r}</th>
                  {(t.cells[i] ?? []).map((s, j) => (
                    <Cell key={j} s={s} />
                  ))}
                  {t.row_totals[i] ? <Cell s={t.row_totals[i]} /> : <td />}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                {t.column_totals.map((s, j) => (
                  <Cell key={j} s={s} />
                ))}
                <Cell s={t.total} />
              </tr>
            </tfoot>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

export function StatisticsPage() {
  const initial = defaultPeriod(new Date());
  const [from, setFrom] = useState(initial.from);
  const [to, setTo] = useState(initial.to);
  const [asked, setAsked] = useState(initial);
  const stats = useLoad<MonitoringStatistics>(() => api.statistics(asked.from, asked.to), [asked.from, asked.to]);
  const [purpose, setPurpose] = useState("");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState<"csv" | "pdf" | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const placed = placeErrors(error ?? stats.error, ["from", "to", "purpose"]);

  const show = (e: Event) => {
    e.preventDefault();
    setError(null);
    setAsked({ from, to });
  };

  const download = async (format: "csv" | "pdf") => {
    if (!purpose.trim()) {
      setError({ code: "invalid", message: "Check the form.", fields: [{ field: "purpose", message: "is required: to whom and why the statistics are shared (it is logged)" }] });
      return;
    }
    setBusy(format);
    setDone(null);
    try {
      const { blob, name } = await api.exportStatistics(asked.from, asked.to, purpose.trim(), format);
      save(blob, name);
      setDone(`${name} was made and its disclosure logged.`);
      setError(null);
    } catch (err) {
      setError(asConsoleError(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Page
      title="Statistics"
      intro={
        <p>
          Hate-crime monitoring for partners: contact notes, referrals and escalations flagged with a monitored strand, by
          month, strand and area, and referrals by agency and outcome. Shown exactly as a partner receives them.
        </p>
      }
    >
      <ErrorSummary messages={placed.general} />
      <form onSubmit={show} noValidate class="form inline">
        <TextField id="stats-from" label="From (month)" type="month" value={from} onInput={setFrom} errors={placed.byKey.get("from")} />
        <TextField id="stats-to" label="To (month)" type="month" value={to} onInput={setTo} errors={placed.byKey.get("to")} />
        <button type="submit" class="secondary">
          Show
        </button>
      </form>
      <Loading state={stats} what="statistics">
        {(s) => (
          <>
            <ul class="notes">
              {s.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
            <Table t={s.by_month_and_strand} id="stats-month-strand" />
            <Table t={s.by_area_and_month} id="stats-area-month" />
            <Table t={s.referrals_by_agency_and_outcome} id="stats-referrals" />
            <section aria-labelledby="h-stats-download" class="card">
              <h2 id="h-stats-download">Share with partners</h2>
              <TextField
                id="stats-purpose"
                label="Purpose"
                hint="To whom and why, e.g. “Hate crime IAG, quarterly figures”. Logged with the download."
                value={purpose}
                onInput={setPurpose}
                autoComplete="off"
                errors={placed.byKey.get("purpose")}
                required
              />
              <div class="actions">
                <button type="button" class="primary" disabled={busy !== null} onClick={() => download("csv")} data-testid="stats-download">
                  {busy === "csv" ? "Making the file…" : `Download ${s.from} to ${s.to} as CSV`}
                </button>
                <button type="button" class="secondary" disabled={busy !== null} onClick={() => download("pdf")} data-testid="stats-download-pdf">
                  {busy === "pdf" ? "Typesetting the report…" : "As a PDF report"}
                </button>
              </div>
              {done ? (
                <p role="status" class="hint">
                  {done}
                </p>
              ) : null}
            </section>
          </>
        )}
      </Loading>
    </Page>
  );
}
