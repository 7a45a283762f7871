// Staff accounts (force admin): who may sign in to the console, with which role.
import { useState } from "preact/hooks";
import type { ConsoleError, NewStaff, StaffRole } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { ROLE_LABELS, ROLES } from "../roles";
import { localTime } from "../time";
import { ErrorSummary, Loading, Notice, Page, SelectField, TableWrap, TextField, useLoad } from "../ui";

const KEYS = ["username", "display_name", "role", "officer", "password"];
const MIN_PASSWORD = 12;

function blank(): NewStaff {
  return { username: "", display_name: "", role: "supervisor", officer: null, password: "" };
}

export function StaffPage() {
  const staff = useLoad(() => api.staff(), []);
  const officers = useLoad(() => api.officers(), []);
  const [form, setForm] = useState<NewStaff>(blank);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const placed = placeErrors(error, KEYS);
  const set = (patch: Partial<NewStaff>) => setForm((f) => ({ ...f, ...patch }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(null);
    if (form.password.length < MIN_PASSWORD) {
      setError({
        code: "invalid",
        message: "Check the form.",
        fields: [{ field: "password", message: `must be at least ${MIN_PASSWORD} characters` }],
      });
      return;
    }
    setBusy(true);
    try {
      const created = await api.createStaff({ ...form, username: form.username.trim(), officer: form.officer || null });
      setError(null);
      setDone(`${created.display_name} (${created.username}) can now sign in as ${ROLE_LABELS[created.role]}.`);
      setForm(blank());
      staff.reload();
    } catch (err) {
      setError(asConsoleError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Staff">
      <section aria-labelledby="staff-list">
        <h2 id="staff-list">Accounts</h2>
        <Loading state={staff} what="staff accounts">
          {(list) => (
            <TableWrap label="Staff accounts">
              <table>
                <caption class="visually-hidden">Staff accounts</caption>
                <thead>
                  <tr>
                    <th scope="col">Username</th>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Officer</th>
                    <th scope="col">Created</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((s) => (
                    <tr key={s.username}>
                      <td>{s.username}</td>
                      <td>{s.display_name}</td>
                      <td>{ROLE_LABELS[s.role]}</td>
                      <td>{s.officer ?? "—"}</td>
                      <td>{localTime(s.created_at)}</td>
                      <td>
                        {s.disabled
                          ? "Disabled"
                          : s.locked_until && Date.parse(s.locked_until) > Date.now()
                            ? `Locked until ${localTime(s.locked_until)}`
                            : "Active"}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </Loading>
      </section>

      <section aria-labelledby="staff-new">
        <h2 id="staff-new">New account</h2>
        {done ? <Notice>{done}</Notice> : null}
        <ErrorSummary messages={placed.general} />
        <form onSubmit={submit} noValidate class="form">
          <TextField
            id="username"
            label="Username"
            hint="3 to 32 characters: lower-case letters, digits, dots, dashes, underscores."
            value={form.username}
            onInput={(v) => set({ username: v })}
            autoComplete="off"
            errors={placed.byKey.get("username")}
            required
          />
          <TextField
            id="display_name"
            label="Display name"
            value={form.display_name}
            onInput={(v) => set({ display_name: v })}
            autoComplete="off"
            errors={placed.byKey.get("display_name")}
            required
          />
          <SelectField
            id="role"
            label="Role"
            value={form.role}
            onChange={(v) => set({ role: ROLES.find((r) => r === v) ?? "supervisor" })}
            options={ROLES.map((r: StaffRole) => ({ value: r, label: ROLE_LABELS[r] }))}
            errors={placed.byKey.get("role")}
            required
          />
          <SelectField
            id="officer"
            label="Officer (optional)"
            hint="Link the account to an officer in the directory. Required for an officer's own account."
            value={form.officer ?? ""}
            onChange={(v) => set({ officer: v || null })}
            options={[
              { value: "", label: "Not linked to an officer" },
              ...(officers.data ?? []).map((o) => ({ value: o.officer, label: `${o.officer} — ${o.name}` })),
            ]}
            errors={placed.byKey.get("officer")}
          />
          <TextField
            id="password"
            label="Initial password"
            hint={`At least ${MIN_PASSWORD} characters, not containing the username. Give it to the person in person; it is not shown again.`}
            type="password"
            value={form.password}
            onInput={(v) => set({ password: v })}
            autoComplete="new-password"
            errors={placed.byKey.get("password")}
            required
          />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Creating…" : "Create account"}
          </button>
        </form>
      </section>
    </Page>
  );
}
