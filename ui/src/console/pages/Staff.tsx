// Staff accounts (force admin): who may sign in to the console, with which role. An account is
// added here, and edited from the list: its name, role and officer link; disabled when its
// holder leaves (enabled again if need be); a new password set. Disabling an account or setting
// its password ends every session it has, at once. The server refuses an admin disabling or
// demoting themselves; the page says so before they try.
import { useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import type { ConsoleError, Me, NewStaff, Staff, StaffRole, StaffUpdate } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { ROLE_LABELS, ROLES } from "../roles";
import { localTime } from "../time";
import { ConfirmDialog, ErrorSummary, Loading, Page, SelectField, TableWrap, TextField, useLoad } from "../ui";

const KEYS = ["username", "display_name", "role", "officer", "password"];
const EDIT_KEYS = ["display_name", "role", "officer"];
const MIN_PASSWORD = 12;

function blank(): NewStaff {
  return { username: "", display_name: "", role: "supervisor", officer: null, password: "" };
}

/** The whole change the server takes, from the account as stored and what is to change. */
export function staffUpdate(s: Staff, change: Partial<StaffUpdate> = {}): StaffUpdate {
  return {
    display_name: s.display_name,
    role: s.role,
    officer: s.officer,
    disabled: s.disabled,
    password: null,
    ...change,
  };
}

/** What disabling an account does, in the words the confirm dialog and the page use. */
export function disableConsequences(): string[] {
  return [
    "Their sessions end now: every console page they have open is signed out at once.",
    "They cannot sign in while the account is disabled.",
    "The account and everything it did stay in the audit trail; you can enable it again later.",
  ];
}

/** What setting a new password does. */
export function passwordConsequences(self: boolean): string {
  return self
    ? "Your sessions end now, this one included: you sign in again with the new password."
    : "Their sessions end now: they sign in again with the new password. Give it to them in person; it is not shown again.";
}

function stateOf(s: Staff): string {
  if (s.disabled) return "Disabled";
  if (s.locked_until && Date.parse(s.locked_until) > Date.now()) return `Locked until ${localTime(s.locked_until)}`;
  return "Active";
}

/**
 * A live region that is on the page before anything is said in it, so a screen reader
 * announces each message (a region inserted together with its text often goes unread).
 */
function Announce(props: { id: string; children: ComponentChildren }) {
  return (
    <div id={props.id} role="status" aria-live="polite" aria-atomic="true">
      {props.children ? <div class="notice ok">{props.children}</div> : null}
    </div>
  );
}

export function StaffPage({ me }: { me: Me }) {
  const staff = useLoad(() => api.staff(), []);
  const officers = useLoad(() => api.officers(), []);
  const [form, setForm] = useState<NewStaff>(blank);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState<Staff | null>(null);
  const placed = placeErrors(error, KEYS);
  const set = (patch: Partial<NewStaff>) => setForm((f) => ({ ...f, ...patch }));

  const officerOptions = [
    { value: "", label: "Not linked to an officer" },
    ...(officers.data ?? []).map((o) => ({ value: o.officer, label: `${o.officer} — ${o.name}` })),
  ];

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

  const openEdit = (s: Staff) => {
    setEditing(s);
    requestAnimationFrame(() => document.getElementById("staff-edit")?.focus());
  };
  const closeEdit = () => {
    const username = editing?.username;
    setEditing(null);
    requestAnimationFrame(() => {
      const back = username ? document.querySelector<HTMLButtonElement>(`button[data-edit="${CSS.escape(username)}"]`) : null;
      (back ?? document.getElementById("staff-list"))?.focus();
    });
  };
  const saved = (s: Staff) => {
    setEditing(s);
    staff.set((staff.data ?? []).map((t) => (t.username === s.username ? s : t)));
  };

  return (
    <Page title="Staff">
      <section aria-labelledby="staff-list">
        <h2 id="staff-list" tabIndex={-1}>
          Accounts
        </h2>
        <Loading state={staff} what="staff accounts">
          {(list) => (
            <TableWrap label="Staff accounts">
              <table id="staff-accounts">
                <caption class="visually-hidden">Staff accounts</caption>
                <thead>
                  <tr>
                    <th scope="col">Username</th>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Officer</th>
                    <th scope="col">Created</th>
                    <th scope="col">State</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((s) => (
                    <tr key={s.username} class={s.disabled ? "revoked" : ""}>
                      <td>{s.username}</td>
                      <td>{s.display_name}</td>
                      <td>{ROLE_LABELS[s.role]}</td>
                      <td>{s.officer ?? "—"}</td>
                      <td>{localTime(s.created_at)}</td>
                      <td>{stateOf(s)}</td>
                      <td>
                        <button
                          type="button"
                          class="secondary small"
                          data-edit={s.username}
                          onClick={() => openEdit(s)}
                        >
                          Edit<span class="visually-hidden"> {s.username}</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </Loading>
      </section>

      {editing ? (
        <EditAccount
          key={editing.username}
          account={editing}
          self={editing.username.toLowerCase() === me.staff.username.toLowerCase()}
          officerOptions={officerOptions}
          onSaved={saved}
          onClose={closeEdit}
        />
      ) : null}

      <section aria-labelledby="staff-new">
        <h2 id="staff-new">New account</h2>
        <Announce id="staff-new-status">{done}</Announce>
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
            options={officerOptions}
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

/**
 * One account being edited: three separate actions, each sent on its own so none carries
 * another's half-typed change: the details (name, role, officer), access (disable or enable)
 * and a new password.
 */
function EditAccount(props: {
  account: Staff;
  self: boolean;
  officerOptions: { value: string; label: string }[];
  onSaved: (s: Staff) => void;
  onClose: () => void;
}) {
  const { account, self } = props;
  const [details, setDetails] = useState({
    display_name: account.display_name,
    role: account.role,
    officer: account.officer,
  });
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string | null>(null);
  const [detailsError, setDetailsError] = useState<ConsoleError | null>(null);
  const [accessError, setAccessError] = useState<ConsoleError | null>(null);
  const [passwordError, setPasswordError] = useState<ConsoleError | null>(null);
  const [confirming, setConfirming] = useState(false);
  const accessButton = useRef<HTMLButtonElement>(null);
  const detailsPlaced = placeErrors(detailsError, EDIT_KEYS);
  const passwordPlaced = placeErrors(passwordError, ["password"]);
  const who = `${account.display_name} (${account.username})`;

  const send = async (change: Partial<StaffUpdate>, onError: (e: ConsoleError) => void): Promise<Staff | null> => {
    setBusy(true);
    setSaid(null);
    try {
      const out = await api.updateStaff(account.username, staffUpdate(account, change));
      props.onSaved(out);
      return out;
    } catch (err) {
      onError(asConsoleError(err));
      return null;
    } finally {
      setBusy(false);
    }
  };

  const saveDetails = async (e: Event) => {
    e.preventDefault();
    const out = await send({ ...details, display_name: details.display_name.trim(), officer: details.officer || null }, setDetailsError);
    if (out) {
      setDetailsError(null);
      setSaid(`${out.display_name} (${out.username}) saved: ${ROLE_LABELS[out.role]}${out.officer ? `, ${out.officer}` : ""}.`);
    }
  };

  const setDisabled = async (disabled: boolean) => {
    const out = await send({ disabled }, setAccessError);
    if (!out) return;
    setAccessError(null);
    setConfirming(false);
    setSaid(
      disabled
        ? `${who} is disabled: their sessions have ended and they cannot sign in.`
        : `${who} is enabled: they can sign in again with their password.`,
    );
    // The button that opened the dialog is now the other one: keep the focus on it.
    requestAnimationFrame(() => accessButton.current?.focus());
  };

  const setNewPassword = async (e: Event) => {
    e.preventDefault();
    if (password.length < MIN_PASSWORD) {
      setPasswordError({
        code: "invalid",
        message: "Check the new password.",
        fields: [{ field: "password", message: `must be at least ${MIN_PASSWORD} characters` }],
      });
      return;
    }
    const out = await send({ password }, setPasswordError);
    if (out) {
      setPasswordError(null);
      setPassword("");
      setSaid(
        self
          ? "Your new password is set. Your sessions have ended: sign in again with it."
          : `A new password is set for ${who}. Their sessions have ended.`,
      );
    }
  };

  return (
    <section id="staff-edit-section" aria-labelledby="staff-edit" class="panel">
      <h2 id="staff-edit" tabIndex={-1}>
        Edit account {account.username}
      </h2>
      <p>
        {who}, {ROLE_LABELS[account.role]}. State: <strong>{stateOf(account)}</strong>.
        {self ? " This is your own account." : ""}
      </p>
      <Announce id="staff-edit-status">{said}</Announce>

      <form onSubmit={saveDetails} noValidate class="form" aria-labelledby="staff-edit-details">
        <h3 id="staff-edit-details">Name, role and officer</h3>
        <ErrorSummary messages={detailsPlaced.general} />
        <TextField
          id="edit-display_name"
          label="Display name"
          value={details.display_name}
          onInput={(v) => setDetails((d) => ({ ...d, display_name: v }))}
          autoComplete="off"
          errors={detailsPlaced.byKey.get("display_name")}
          required
        />
        <SelectField
          id="edit-role"
          label="Role"
          hint={self ? "You cannot take away your own admin role: another admin can." : undefined}
          value={details.role}
          onChange={(v) => setDetails((d) => ({ ...d, role: ROLES.find((r) => r === v) ?? d.role }))}
          options={ROLES.map((r: StaffRole) => ({ value: r, label: ROLE_LABELS[r] }))}
          errors={detailsPlaced.byKey.get("role")}
          required
        />
        <SelectField
          id="edit-officer"
          label="Officer (optional)"
          hint="Link the account to an officer in the directory. Required for an officer's own account."
          value={details.officer ?? ""}
          onChange={(v) => setDetails((d) => ({ ...d, officer: v || null }))}
          options={props.officerOptions}
          errors={detailsPlaced.byKey.get("officer")}
        />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Saving…" : "Save changes"}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            Close
          </button>
        </div>
      </form>

      <section aria-labelledby="staff-edit-access" class="form">
        <h3 id="staff-edit-access">Access</h3>
        <ErrorSummary messages={confirming ? [] : placeErrors(accessError, []).general} />
        {account.disabled ? (
          <>
            <p>This account is disabled: its holder cannot sign in.</p>
            <button type="button" class="secondary" ref={accessButton} disabled={busy} onClick={() => setDisabled(false)}>
              Enable account<span class="visually-hidden"> {account.username}</span>
            </button>
          </>
        ) : self ? (
          <p class="hint">You cannot disable your own account: another admin can.</p>
        ) : (
          <>
            <p id="staff-disable-hint">
              When someone leaves, disable their account. Their sessions end now and they cannot sign in; the account
              and its history are kept.
            </p>
            <button
              type="button"
              class="danger"
              ref={accessButton}
              aria-describedby="staff-disable-hint"
              disabled={busy}
              onClick={() => {
                setAccessError(null);
                setConfirming(true);
              }}
            >
              Disable account (a leaver)
            </button>
          </>
        )}
      </section>

      <form onSubmit={setNewPassword} noValidate class="form" aria-labelledby="staff-edit-password">
        <h3 id="staff-edit-password">Set a new password</h3>
        <ErrorSummary messages={passwordPlaced.general} />
        <TextField
          id="new-password"
          label="New password"
          hint={`At least ${MIN_PASSWORD} characters, not containing the username. ${passwordConsequences(self)}`}
          type="password"
          value={password}
          onInput={setPassword}
          autoComplete="new-password"
          errors={passwordPlaced.byKey.get("password")}
          required
        />
        <button type="submit" class="secondary" disabled={busy}>
          Set new password<span class="visually-hidden"> for {account.username}</span>
        </button>
      </form>

      {confirming ? (
        <ConfirmDialog
          title={`Disable the account of ${account.display_name}?`}
          confirmLabel="Disable account"
          danger
          busy={busy}
          onConfirm={() => void setDisabled(true)}
          onCancel={() => {
            setAccessError(null);
            setConfirming(false);
          }}
        >
          <p>
            Account <strong>{account.username}</strong>, {ROLE_LABELS[account.role]}
            {account.officer ? `, ${account.officer}` : ""}.
          </p>
          <h3 class="h4">What happens</h3>
          <ul id="disable-consequences">
            {disableConsequences().map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <ErrorSummary messages={accessError ? placeErrors(accessError, []).general : []} />
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
