// The directory of people (officers who carry tablets and go on operations). Everyone but
// officers reads it; force admin adds and edits entries.
import { useRef, useState } from "preact/hooks";
import type { ConsoleError, Me, OfficerEntry } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { can } from "../roles";
import { Handovers } from "./Handovers";
import { ErrorSummary, Loading, Notice, Page, SelectField, TableWrap, TextField, useLoad } from "../ui";

const KEYS = ["officer", "name", "rank", "role", "team", "supervisor"];

function blank(): OfficerEntry {
  return { officer: "", name: "", rank: "PC", role: "PLO", team: "", supervisor: null };
}

export function OfficersPage({ me }: { me: Me }) {
  const list = useLoad(() => api.officers(), []);
  const editable = can(me.staff.role, "officers.edit");
  const [form, setForm] = useState<OfficerEntry>(blank);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const placed = placeErrors(error, KEYS);
  const set = (patch: Partial<OfficerEntry>) => setForm((f) => ({ ...f, ...patch }));

  const edit = (o: OfficerEntry) => {
    setEditing(o.officer);
    setForm({ ...o });
    setError(null);
    setDone(null);
    requestAnimationFrame(() => document.getElementById("name")?.focus());
  };
  const reset = () => {
    setEditing(null);
    setForm(blank());
    setError(null);
    requestAnimationFrame(() => first.current?.focus());
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setDone(null);
    try {
      const saved = await api.saveOfficer({ ...form, officer: form.officer.trim(), supervisor: form.supervisor || null });
      setError(null);
      setDone(`${saved.officer} ${saved.name} ${editing ? "updated" : "added to the directory"}.`);
      setEditing(null);
      setForm(blank());
      list.reload();
    } catch (err) {
      setError(asConsoleError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Officers">
      <section aria-labelledby="officer-list">
        <h2 id="officer-list">Directory</h2>
        <Loading state={list} what="officers">
          {(officers) =>
            officers.length === 0 ? (
              <p>No officers in the directory yet.</p>
            ) : (
              <TableWrap label="Officers in the directory">
                <table>
                  <caption class="visually-hidden">Officers in the directory</caption>
                  <thead>
                    <tr>
                      <th scope="col">Officer</th>
                      <th scope="col">Name</th>
                      <th scope="col">Rank</th>
                      <th scope="col">Role</th>
                      <th scope="col">Team</th>
                      <th scope="col">Supervisor</th>
                      {editable ? <th scope="col"><span class="visually-hidden">Actions</span></th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {officers.map((o) => (
                      <tr key={o.officer}>
                        <th scope="row">{o.officer}</th>
                        <td>{o.name}</td>
                        <td>{o.rank}</td>
                        <td>{o.role}</td>
                        <td>{o.team || "—"}</td>
                        <td>{o.supervisor ?? "—"}</td>
                        {editable ? (
                          <td>
                            <button type="button" class="secondary small" onClick={() => edit(o)}>
                              Edit<span class="visually-hidden"> {o.officer}</span>
                            </button>
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )
          }
        </Loading>
      </section>

      {editable ? (
        <section aria-labelledby="officer-form">
          <h2 id="officer-form">{editing ? `Edit ${editing}` : "Add an officer"}</h2>
          {done ? <Notice>{done}</Notice> : null}
          <ErrorSummary messages={placed.general} />
          <form onSubmit={submit} noValidate class="form">
            <TextField
              id="officer"
              label="Officer id"
              hint="Collar number or staff id, e.g. PC 4521: the id tablets are enrolled for."
              value={form.officer}
              onInput={(v) => set({ officer: v })}
              inputRef={first}
              autoComplete="off"
              errors={placed.byKey.get("officer")}
              required
              extra={editing ? { readOnly: true } : {}}
            />
            <TextField id="name" label="Name" value={form.name} onInput={(v) => set({ name: v })} autoComplete="off" errors={placed.byKey.get("name")} required />
            <TextField id="rank" label="Rank" hint="PC, PS, Insp, PCSO…" value={form.rank} onInput={(v) => set({ rank: v })} autoComplete="off" errors={placed.byKey.get("rank")} required />
            <TextField id="role" label="Role" hint="PLO, PCSO, LGBT liaison, PLT leader…" value={form.role} onInput={(v) => set({ role: v })} autoComplete="off" errors={placed.byKey.get("role")} required />
            <TextField id="team" label="Team" value={form.team} onInput={(v) => set({ team: v })} autoComplete="off" errors={placed.byKey.get("team")} />
            <SelectField
              id="supervisor"
              label="Supervisor"
              value={form.supervisor ?? ""}
              onChange={(v) => set({ supervisor: v || null })}
              options={[
                { value: "", label: "None" },
                ...(list.data ?? [])
                  .filter((o) => o.officer !== form.officer)
                  .map((o) => ({ value: o.officer, label: `${o.officer} — ${o.name}` })),
              ]}
              errors={placed.byKey.get("supervisor")}
            />
            <div class="actions">
              <button type="submit" class="primary" disabled={busy}>
                {busy ? "Saving…" : editing ? "Save changes" : "Add officer"}
              </button>
              {editing ? (
                <button type="button" class="secondary" onClick={reset}>
                  Cancel edit
                </button>
              ) : null}
            </div>
          </form>
        </section>
      ) : null}
      <Loading state={list} what="officers">
        {(officers) => <Handovers officers={officers} />}
      </Loading>
    </Page>
  );
}
