// Sign-in: username and password. Refusals say what to do: a wrong password, a locked account
// (until when, and whom to ask), too many attempts from this address.
import { useEffect, useState } from "preact/hooks";
import type { ConsoleError, Me } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { ErrorSummary, Notice, TextField } from "../ui";

const TITLES: { [code: string]: string } = {
  locked: "This account is locked",
  rate_limited: "Too many attempts",
  unauthenticated: "Sign-in refused",
};

export function SignInPage(props: { notice: string | null; onSignedIn: (me: Me) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ConsoleError | null>(null);
  useEffect(() => {
    document.title = "Sign in — Liaison force console";
  }, []);
  const placed = placeErrors(error, ["username", "password"]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api.signIn(username.trim(), password);
      setPassword("");
      props.onSignedIn(me);
    } catch (err) {
      setError(asConsoleError(err));
      setPassword("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin-main">
      <div class="signin">
        <p class="brand">Liaison force console</p>
        <h1 id="page-title">Sign in</h1>
        {props.notice && !error ? <Notice>{props.notice}</Notice> : null}
        <ErrorSummary title={error ? (TITLES[error.code] ?? "Sign-in refused") : undefined} messages={placed.general} />
        <form onSubmit={submit} noValidate>
          <TextField
            id="username"
            label="Username"
            value={username}
            onInput={setUsername}
            autoComplete="username"
            errors={placed.byKey.get("username")}
            required
          />
          <TextField
            id="password"
            label="Password"
            type="password"
            value={password}
            onInput={setPassword}
            autoComplete="current-password"
            errors={placed.byKey.get("password")}
            required
          />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
        <p class="hint">
          Too many wrong passwords lock the account for a while; force IT can unlock it sooner. A session unused for a
          while ends, and you are asked to sign in again.
        </p>
      </div>
    </main>
  );
}
