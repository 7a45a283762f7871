// The first screens and the lock: the enrolment string (a tablet belongs to the officer the
// force enrolled it for), the first-run passcode, joining the force server, the unlock screen,
// the notice after a wipe, and the passcode change. None of these shows record data;
// passcodes and enrolment strings live only in the inputs and are cleared once sent.
import { useEffect, useState } from "preact/hooks";
import type { AppError, EnrolmentCheck, LockView } from "../bindings";
import { api, asAppError } from "../api";
import { checkNewPasscode, lockStage, shouldTryEnrolment, type PasscodeProblems } from "../lock";
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

/** The enrolment string's box: pasted, typed from paper, or filled by a QR scanner. */
function EnrolmentInput(props: {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  error?: string;
  autoFocus?: boolean;
}) {
  const errId = `${props.id}-error`;
  const hintId = `${props.id}-hint`;
  return (
    <div class={`field${props.error ? " invalid" : ""}`}>
      <label for={props.id}>
        <span class="label-text">{props.label}</span>
      </label>
      <textarea
        id={props.id}
        rows={4}
        spellcheck={false}
        autocomplete="off"
        autoCapitalize="off"
        autoFocus={props.autoFocus}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${hintId} ${errId}` : hintId}
        onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
      <p class="hint" id={hintId}>
        It starts with <code>liaison-enrol:</code>. Paste it, type it or scan its QR code; spaces and line breaks
        do not matter.
      </p>
      {props.error ? (
        <p class="field-error" id={errId} data-field-error={props.id}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** A passcode problem from the shell goes beside the field; anything else above the form. */
function split(e: AppError): { field: string | undefined; general: AppError | null } {
  return e.kind === "passcode" ? { field: e.message, general: null } : { field: undefined, general: e };
}

/** An enrolment problem from the shell goes beside the string's field; anything else above. */
function splitEnrolment(e: AppError): { field: string | undefined; general: AppError | null } {
  return e.kind === "enrolment" ? { field: e.message, general: null } : { field: undefined, general: e };
}

export function LockScreen(props: { view: LockView; onView: (v: LockView) => void }) {
  const { view } = props;
  switch (lockStage(view)) {
    case "wiped":
      return <WipedNotice view={view} onView={props.onView} />;
    case "first_run":
      return <FirstRun view={view} onView={props.onView} />;
    case "enrolling":
      return <Enrolling view={view} onView={props.onView} />;
    default:
      return <Unlock view={view} onView={props.onView} />;
  }
}

/** A new tablet: the enrolment string first (checked before anything is created), then the
 * passcode, which creates the encrypted database that keeps the string until the server answers. */
function FirstRun(props: { view: LockView; onView: (v: LockView) => void }) {
  const [text, setText] = useState("");
  const [checked, setChecked] = useState<EnrolmentCheck | null>(null);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    // The demo and the tests may prefill the string; an officer types or pastes it.
    void api.enrolmentPrefill().then((s) => {
      if (s) setText((t) => t || s);
    }, () => undefined);
  }, []);
  const check = async (e: Event) => {
    e.preventDefault();
    try {
      setChecked(await api.checkEnrolment(text));
      setProblem(undefined);
      setError(null);
    } catch (err) {
      const { field, general } = splitEnrolment(asAppError(err));
      setProblem(field);
      setError(general);
    }
  };
  if (checked) {
    return (
      <SetUp
        view={props.view}
        onView={(v) => {
          setText("");
          props.onView(v);
        }}
        enrolment={text}
        server={checked}
        onBack={() => setChecked(null)}
      />
    );
  }
  return (
    <Screen title="Enrol this tablet">
      <p class="lede">
        This tablet will belong to the officer the force IT team enrols it for: everything recorded on it carries that
        officer's name. Enter the enrolment string they gave you.
      </p>
      <ErrorBox error={error} />
      <form class="lock-form" onSubmit={(e) => void check(e)} data-testid="enrolment-form">
        <EnrolmentInput
          id="enrolment"
          label="Enrolment string"
          value={text}
          onInput={setText}
          error={problem}
          autoFocus
        />
        <button type="submit" class="btn primary big" disabled={text.trim() === ""} data-testid="check-enrolment">
          Continue
        </button>
      </form>
    </Screen>
  );
}

/** Waiting for the force server's answer, which names the officer; with no coverage, why not
 * and a way to try again; after a refusal, room for a new string. */
function Enrolling(props: { view: LockView; onView: (v: LockView) => void }) {
  const e = props.view.enrolment;
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [error, setError] = useState<AppError | null>(null);
  const trying = e.state === "pending" && e.trying;
  const send = (replacement: string | null) =>
    api.enrol(replacement).then(
      (v) => {
        setProblem(undefined);
        setError(null);
        if (replacement) setText("");
        props.onView(v);
      },
      (err) => {
        const split = splitEnrolment(asAppError(err));
        setProblem(split.field);
        setError(split.general);
      },
    );
  useEffect(() => {
    if (shouldTryEnrolment(props.view)) void send(null);
  }, [props.view]);
  useEffect(() => {
    // Follow the attempt closely while it runs; the app polls more slowly otherwise.
    if (!trying) return;
    const timer = window.setInterval(() => void api.lockState().then(props.onView, () => undefined), 500);
    return () => window.clearInterval(timer);
  }, [trying]);
  useEffect(() => {
    // Coverage back: try again at once rather than wait for a tap.
    const online = () => {
      if (e.state === "pending" && e.problem?.retry_may_help) void send(null);
    };
    window.addEventListener("online", online);
    return () => window.removeEventListener("online", online);
  }, [e]);
  const replace = (ev: Event) => {
    ev.preventDefault();
    void send(text);
  };
  return (
    <Screen title="Joining the force">
      {e.state === "pending" ? (
        <p class="lede">
          This tablet is asking the force server at <code>{e.server_url}</code> to enrol it. Nothing can be recorded
          until it answers, because the answer names the officer the tablet belongs to.
        </p>
      ) : (
        <p class="lede">This tablet is not enrolled with the force. Enter the enrolment string from the force IT team.</p>
      )}
      {trying ? (
        <p role="status" data-testid="enrolment-trying">
          Contacting the force server…
        </p>
      ) : null}
      {e.state === "pending" && e.problem ? (
        <div class="card wipe-notice" role="alert" data-testid="enrolment-problem">
          <p>{e.problem.message}</p>
          {e.problem.retry_may_help ? (
            <p>The enrolment is kept on this tablet: try again when there is coverage.</p>
          ) : (
            <p>Ask the force IT team for a new enrolment string and enter it below.</p>
          )}
        </div>
      ) : null}
      {e.state === "pending" && !trying ? (
        <button type="button" class="btn primary big" data-testid="retry-enrolment" onClick={() => void send(null)}>
          Try again
        </button>
      ) : null}
      <ErrorBox error={error} />
      <form class="lock-form" onSubmit={replace} data-testid="replace-enrolment-form">
        <EnrolmentInput
          id="enrolment"
          label={e.state === "pending" ? "A new enrolment string" : "Enrolment string"}
          value={text}
          onInput={setText}
          error={problem}
        />
        <button
          type="submit"
          class="btn big"
          disabled={trying || text.trim() === ""}
          data-testid="replace-enrolment"
        >
          Use this string
        </button>
      </form>
    </Screen>
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

function SetUp(props: {
  view: LockView;
  onView: (v: LockView) => void;
  enrolment: string;
  server: EnrolmentCheck;
  onBack: () => void;
}) {
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
      const view = await api.setUpPasscode(passcode, props.enrolment);
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
      {props.view.key_guard === "software" ? (
        <p class="muted" data-testid="key-guard">
          This tablet has no security chip to hold the key, so only the passcode protects it: choose a longer one.
        </p>
      ) : null}
      <p class="muted" data-testid="enrolment-server">
        Then the tablet joins the force server at <code>{props.server.server_url}</code>
        {props.server.pins_force_ca ? ", trusting only the force's own certificate authority." : "."}
      </p>
      <ErrorBox error={error} />
      <form class="lock-form" onSubmit={(e) => void submit(e)} data-testid="set-up-form">
        <PasscodeInput
          id="passcode"
          label="Passcode"
          value={passcode}
          onInput={setPasscode}
          error={problems.passcode}
          hint={props.view.passcode_rule}
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
        <button type="button" class="btn ghost" disabled={busy} onClick={props.onBack}>
          Back to the enrolment string
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
