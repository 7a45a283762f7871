// Handovers (continuity, seed 004): when an officer moves on, a successor is named. From then
// on the successor's tablet receives the officer's neighbourhood and liaison work (referrals,
// taskings, contact notes kept outside an operation), as the officer's team's tablets already
// do. Intelligence submissions and escalations stay the officer's.
import { useState } from "preact/hooks";
import type { ConsoleError, OfficerEntry } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { localTime } from "../time";
import { ErrorSummary, Loading, Notice, SelectField, TableWrap, useLoad } from "../ui";

export function Handovers({ officers }: { officers: OfficerEntry[] }) {
  const list = useLoad(() => api.handovers(), []);
  const options = officers.map((o) => ({ value: o.officer, label: `${o.name} (${o.officer})` }));
  const [from, setFrom] = useState(officers[0]?.officer ?? "");
  const [to, setTo] = useState(officers[1]?.officer ?? "");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const placed = placeErrors(error, ["from", "to"]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api.handOver({ from, to });
      setError(null);
      setDone(`${to} is now ${from}'s successor: their tablet receives ${from}'s neighbourhood and liaison work at its next sync.`);
      list.reload();
    } catch (err) {
      setError(asConsoleError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="handovers-title">
      <h2 id="handovers-title">Handovers</h2>
      <p class="hint">
        A successor receives the officer's referrals, taskings and contact notes made outside an operation (the officer's team
        already does). Intelligence submissions and escalations stay the officer's.
      </p>
      {done ? <Notice>{done}</Notice> : null}
      <form onSubmit={submit} noValidate class="form">
        <ErrorSummary messages={placed.general} />
        <SelectField id="handover-from" label="Officer moving on" value={from} onChange={setFrom} options={options} errors={placed.byKey.get("from")} required />
        <SelectField id="handover-to" label="Successor" value={to} onChange={setTo} options={options} errors={placed.byKey.get("to")} required />
        <button type="submit" class="primary" disabled={busy}>
          Record handover
        </button>
      </form>
      <Loading state={list} what="handovers">
        {(h) =>
          h.length === 0 ? (
            <p>No handover recorded.</p>
          ) : (
            <TableWrap label="Handovers">
              <table>
                <thead>
                  <tr>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                    <th scope="col">Recorded by</th>
                    <th scope="col">When</th>
                  </tr>
                </thead>
                <tbody>
                  {h.map((x) => (
                    <tr key={`${x.from}-${x.to}`}>
                      <td>{x.from}</td>
                      <td>{x.to}</td>
                      <td>{x.by}</td>
                      <td>{localTime(x.at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </Loading>
    </section>
  );
}
