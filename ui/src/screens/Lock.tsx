// The lock: the first-run passcode, the unlock screen, the notice after a wipe, and the
// passcode change. None of these shows record data; passcodes live only in the inputs and are
// cleared once sent.
import { useState } from "preact/hooks";
import type { AppError, LockView } from "../bindings";
import { api, asAppError } from "../api";
import { checkNewPasscode, type PasscodeProblems } from "../lock";
import { ErrorBox, Screen, useApp } from "../ui";

function PasscodeInput(props: {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  error?: string;
  hint?: string;
  autoFocus?: boolean;
  autocomplete: "current-password" | "new-password";
}) {
  const errId = `${props.id}-error`;
  const hintId = `${props.id}-hint`;
  const describedBy = [props.error ? errId : "", props.hint ? hintId : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${props.error ? " invalid" : ""}`}>
      <label for={props.id}>
        <span class="label-text">{props.label}</span>
      </label>
      <input
        id={props.id}
        type="password"
        inputMode="numeric"
        autocomplete={props.autocomplete}
        autoFocus={props.autoFocus}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={errId} data-field-error={props.id}>
          {props.label} {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** A passcode problem from the shell goes beside the field; anything else above the form. */
function split(e: AppError): { field: string | undefined; general: AppError | null } {
  return e.kind === "passcode" ? { field: e.message, general: null } : { field: undefined, general: e };
}

export function LockScreen(props: { view: LockView; onView: (v: LockView) => void }) {
  const { view } = props;
  if (view.wiped) return <WipedNotice view={view} onView={props.onView} />;
  return view.lock.state === "not_set_up" ? (
    <SetUp view={view} onView={props.onView} />
  ) : (
    <Unlock view={view} onView={props.onView} />
  );
}

function WipedNotice(props: { view: LockView; onView: (v: LockView) => void }) {
  const notice = props.view.wiped!;
  return (
    <Screen title="This device's records were erased">
      <div class="card wipe-notice" role="alert" data-testid="wipe-notice">
        <p>{notice.message}</p>
        <p class="muted">Erased {new Date(notice.at).toLocaleString("en-GB")}.</p>
      </div>
      <button
        type="button"
        class="btn primary big"
        data-testid="acknowledge-wipe"
        onClick={() => void api.acknowledgeWipe().then(props.onView)}
      >
        Set up this device again
      </button>
    </Screen>
  );
}

function SetUp(props: { view: LockView; onView: (v: LockView) => void }) {
  const [passcode, setPasscode] = useState("");
  const [confirm, setConfirm] = useState("");
  const [problems, setProblems] = useState<PasscodeProblems>({});
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const found = checkNewPasscode(passcode, confirm, props.view.passcode_min);
    setProblems(found);
    if (found.passcode || found.confirm) return;
    setBusy(true);
    try {
      const view = await api.setUpPasscode(passcode);
      setPasscode("");
      setConfirm("");
      props.onView(view);
    } catch (err) {
      const { field, general } = split(asAppError(err));
      setProblems({ passcode: field });
      setError(general);
      setBusy(false);
    }
  };
  return (
    <Screen title="Set a passcode">
      <p class="lede">
        Records on this tablet are encrypted with a key only your passcode unlocks. Choose one you will remember: after
        too many wrong tries the key is destroyed.
      </p>
      <ErrorBox error={error} />
      <form class="lock-form" onSubmit={(e) => void submit(e)} data-testid="set-up-form">
        <PasscodeInput
          id="passcode"
          label="Passcode"
          value={passcode}
          onInput={setPasscode}
          error={problems.passcode}
          hint={`At least ${props.view.passcode_min} characters.`}
          autoFocus
          autocomplete="new-password"
        />
        <PasscodeInput
          id="passcode-confirm"
          label="Passcode again"
          value={confirm}
          onInput={setConfirm}
          error={problems.confirm}
          autocomplete="new-password"
        />
        <button type="submit" class="btn primary big" disabled={busy} data-testid="set-passcode">
          {busy ? "Setting up…" : "Set passcode"}
        </button>
      </form>
    </Screen>
  );
}

function Unlock(props: { view: LockView; onView: (v: LockView) => void }) {
  const [passcode, setPasscode] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const view = await api.unlock(passcode);
      setPasscode("");
      props.onView(view);
    } catch (err) {
      setPasscode("");
      const app = asAppError(err);
      const { field, general } = split(app);
      setProblem(field);
      setError(general);
      setBusy(false);
      // After a wipe the shell has a notice to show.
      if (app.kind === "wiped") void api.lockState().then(props.onView);
    }
  };
  return (
    <Screen title="Liaison is locked">
      <p class="lede">Enter your passcode to open this tablet's records.</p>
      <ErrorBox error={error} />
      <form class="lock-form" onSubmit={(e) => void submit(e)} data-testid="unlock-form">
        <PasscodeInput
          id="passcode"
          label="Passcode"
          value={passcode}
          onInput={setPasscode}
          error={problem}
          autoFocus
          autocomplete="current-password"
        />
        <button type="submit" class="btn primary big" disabled={busy || passcode === ""} data-testid="unlock">
          {busy ? "Unlocking…" : "Unlock"}
        </button>
      </form>
    </Screen>
  );
}

export function ChangePasscode(props: { min: number }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [problems, setProblems] = useState<PasscodeProblems & { current?: string }>({});
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(false);
    const found = checkNewPasscode(next, confirm, props.min);
    setProblems(found);
    if (found.passcode || found.confirm) return;
    setBusy(true);
    try {
      await api.changePasscode(current, next);
      setCurrent("");
      setNext("");
      setConfirm("");
      setError(null);
      setDone(true);
    } catch (err) {
      const app = asAppError(err);
      // Which passcode was refused: a short new one, or a wrong current one.
      const short = app.kind === "passcode" && app.message.includes("at least");
      setProblems(app.kind === "passcode" ? (short ? { passcode: app.message } : { current: app.message }) : {});
      setError(app.kind === "passcode" ? null : app);
    } finally {
      setBusy(false);
    }
  };
  const { status } = useApp();
  return (
    <Screen title="Change passcode">
      {status ? (
        <dl class="device-facts">
          <dt>This device</dt>
          <dd data-testid="device-id">{status.device_id}</dd>
          <dt>Force server</dt>
          <dd>{status.revoked ? "revoked" : status.enrolled ? "enrolled" : "not enrolled: working offline"}</dd>
        </dl>
      ) : null}
      <p class="lede">The records are not re-encrypted: the same key is locked under the new passcode.</p>
      <ErrorBox error={error} />
      {done ? (
        <p class="toast" role="status" data-testid="passcode-changed">
          Passcode changed.
        </p>
      ) : null}
      <form class="lock-form" onSubmit={(e) => void submit(e)}>
        <PasscodeInput
          id="passcode-current"
          label="Current passcode"
          value={current}
          onInput={setCurrent}
          error={problems.current}
          autocomplete="current-password"
        />
        <PasscodeInput
          id="passcode"
          label="New passcode"
          value={next}
          onInput={setNext}
          error={problems.passcode}
          autocomplete="new-password"
        />
        <PasscodeInput
          id="passcode-confirm"
          label="New passcode again"
          value={confirm}
          onInput={setConfirm}
          error={problems.confirm}
          autocomplete="new-password"
        />
        <button type="submit" class="btn primary big" disabled={busy} data-testid="change-passcode">
          {busy ? "Changing…" : "Change passcode"}
        </button>
      </form>
    </Screen>
  );
}
