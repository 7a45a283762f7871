// Shared pieces of the console's pages: the page frame, labelled fields with their errors
// beside them, the error summary, data loading, and a confirm dialog.
import type { ComponentChildren, JSX, Ref } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { ConsoleError } from "./bindings";
import { asConsoleError } from "./api";

export function Page(props: { title: string; intro?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren }) {
  const h = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} — Liaison force console`;
  }, [props.title]);
  return (
    <div class="page">
      <header class="page-head">
        <h1 id="page-title" ref={h} tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions ? <div class="page-actions">{props.actions}</div> : null}
      </header>
      {props.intro ? <div class="intro">{props.intro}</div> : null}
      {props.children}
    </div>
  );
}

export interface Load<T> {
  data: T | null;
  error: ConsoleError | null;
  loading: boolean;
  reload: () => void;
  set: (t: T) => void;
}

/** Loads once per change of `deps`, and again on `reload()`; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Load<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(asConsoleError(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data, error, loading, reload, set: setData };
}

export function Loading<T>(props: { state: Load<T>; what: string; children: (data: T) => ComponentChildren }) {
  const { data, error, loading } = props.state;
  if (error && data === null) return <ErrorSummary messages={[error.message]} />;
  if (data === null) return <p role="status">{loading ? `Loading ${props.what}…` : `No ${props.what}.`}</p>;
  return <>{props.children(data)}</>;
}

/** The messages a form could not place beside a field, at its top; focused when they appear. */
export function ErrorSummary(props: { messages: string[]; title?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const key = props.messages.join("\n");
  useEffect(() => {
    if (props.messages.length > 0) ref.current?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (props.messages.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabIndex={-1} ref={ref}>
      {props.title ? <h2 class="error-title">{props.title}</h2> : null}
      {props.messages.map((m, i) => (
        <p key={`${i}-${m}`}>{sentence(m)}</p>
      ))}
    </div>
  );
}

/** The server's messages start in lower case ("check the form: …"): capitalise for display. */
export function sentence(m: string): string {
  const t = m.trim();
  if (!t) return t;
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(s) ? s : `${s}.`;
}

export function Notice(props: { children: ComponentChildren; kind?: "ok" | "warn" }) {
  return (
    <div class={`notice ${props.kind ?? "ok"}`} role="status">
      {props.children}
    </div>
  );
}

export function FieldErrors(props: { id: string; messages: string[] | undefined }) {
  if (!props.messages || props.messages.length === 0) return null;
  return (
    <p class="field-error" id={props.id}>
      {props.messages.map((m) => sentence(m)).join(" ")}
    </p>
  );
}

interface BaseProps {
  id: string;
  label: string;
  hint?: ComponentChildren;
  errors?: string[] | undefined;
  required?: boolean;
}

function described(p: BaseProps): { "aria-describedby"?: string; "aria-invalid"?: true } {
  const ids = [p.hint ? `${p.id}-hint` : "", p.errors?.length ? `${p.id}-error` : ""].filter(Boolean).join(" ");
  return {
    ...(ids ? { "aria-describedby": ids } : {}),
    ...(p.errors?.length ? { "aria-invalid": true as const } : {}),
  };
}

function Wrap(p: BaseProps & { children: ComponentChildren }) {
  return (
    <div class={`field${p.errors?.length ? " invalid" : ""}`}>
      <label for={p.id}>
        {p.label}
        {p.required ? <span class="req"> (required)</span> : null}
      </label>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <FieldErrors id={`${p.id}-error`} messages={p.errors} />
      {p.children}
    </div>
  );
}

export function TextField(
  p: BaseProps & {
    value: string;
    onInput: (v: string) => void;
    type?: string;
    autoComplete?: string;
    inputRef?: Ref<HTMLInputElement>;
    extra?: JSX.InputHTMLAttributes<HTMLInputElement>;
  },
) {
  return (
    <Wrap {...p}>
      <input
        id={p.id}
        name={p.id}
        type={p.type ?? "text"}
        value={p.value}
        ref={p.inputRef}
        required={p.required}
        autoComplete={p.autoComplete}
        onInput={(e) => p.onInput(e.currentTarget.value)}
        {...described(p)}
        {...p.extra}
      />
    </Wrap>
  );
}

export function TextArea(p: BaseProps & { value: string; onInput: (v: string) => void; rows?: number }) {
  return (
    <Wrap {...p}>
      <textarea
        id={p.id}
        name={p.id}
        rows={p.rows ?? 4}
        value={p.value}
        required={p.required}
        onInput={(e) => p.onInput(e.currentTarget.value)}
        {...described(p)}
      />
    </Wrap>
  );
}

export function SelectField(
  p: BaseProps & { value: string; onChange: (v: string) => void; options: { value: string; label: string }[] },
) {
  return (
    <Wrap {...p}>
      <select id={p.id} name={p.id} value={p.value} required={p.required} onChange={(e) => p.onChange(e.currentTarget.value)} {...described(p)}>
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Wrap>
  );
}

/**
 * A modal confirm dialog (the platform's <dialog>: focus kept inside, Escape cancels). The
 * caller renders it while open; it returns focus to what opened it when it closes.
 */
export function ConfirmDialog(props: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => {
      if (d?.open) d.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby="dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id="dialog-title">{props.title}</h2>
      {props.children}
      <div class="actions">
        <button type="button" class="secondary" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </button>
        <button type="button" class={props.danger ? "danger" : "primary"} onClick={props.onConfirm} disabled={props.busy}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** A table that may be wider than the page: scrolls sideways, and can be reached and scrolled by keyboard. */
export function TableWrap(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.label}>
      {props.children}
    </div>
  );
}
