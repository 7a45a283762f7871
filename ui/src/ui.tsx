// Shared pieces of the screens: data loading, the vocabulary context, and the record form.
import { createContext, type ComponentChildren } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";
import type { AppError, AppStatus, RecordKind, Vocabulary } from "./bindings";
import { asAppError, onWrite } from "./api";
import type { Placed } from "./errors";
import { chosen, FORMS, toggleChoice, type FieldSpec, type Values } from "./forms";

export interface AppContextValue {
  vocab: Vocabulary;
  status: AppStatus | null;
  kindLabel: (k: RecordKind) => string;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error("AppContext missing");
  return v;
}

export interface Async<T> {
  data: T | null;
  error: AppError | null;
  loading: boolean;
  reload: () => void;
}

/** Loads data, reloads it after any write, and keeps the last data while reloading. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => onWrite(reload), [reload]);
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
        setError(asAppError(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data, error, loading, reload };
}

export function Screen(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  const h = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} — Liaison`;
  }, [props.title]);
  return (
    <section class="screen" aria-labelledby="screen-title">
      <header class="screen-head">
        <h1 id="screen-title" ref={h} tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions ? <div class="screen-actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  );
}

export function Loading<T>(props: { state: Async<T>; children: (data: T) => ComponentChildren }) {
  const { data, error, loading } = props.state;
  if (error && !data) return <ErrorBox error={error} />;
  if (!data) return <p class="muted" role="status">{loading ? "Loading…" : "Nothing here."}</p>;
  return <>{props.children(data)}</>;
}

export function ErrorBox(props: { error: AppError | null; messages?: string[] }) {
  const msgs = props.messages ?? (props.error ? [props.error.message] : []);
  if (msgs.length === 0) return null;
  return (
    <div class="error-box" role="alert">
      {msgs.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}

export function fieldId(name: string): string {
  return `f-${name.replace(/[^a-z0-9_-]/gi, "-")}`;
}

interface FieldProps {
  spec: FieldSpec;
  value: string | boolean | undefined;
  onInput: (v: string | boolean) => void;
  errors: string[] | undefined;
  vocab: Vocabulary;
}

export function Field({ spec, value, onInput, errors, vocab }: FieldProps) {
  const id = fieldId(spec.name);
  const errId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [errors?.length ? errId : "", spec.hint ? hintId : ""].filter(Boolean).join(" ") || undefined;
  const invalid = errors && errors.length > 0 ? true : undefined;
  const s = typeof value === "string" ? value : "";
  const label = (
    <span class="label-text">
      {spec.label}
      {spec.required ? <span class="req"> (required)</span> : null}
    </span>
  );
  const messages = errors?.length ? (
    <p class="field-error" id={errId} data-field-error={spec.name}>
      {spec.label} {errors.join("; ")}
    </p>
  ) : null;
  const hint = spec.hint ? (
    <p class="hint" id={hintId}>
      {spec.hint}
    </p>
  ) : null;

  if (spec.type === "checkbox") {
    return (
      <div class={`field field-check${invalid ? " invalid" : ""}`}>
        <label for={id}>
          <input
            id={id}
            name={spec.name}
            type="checkbox"
            checked={value === true}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(e) => onInput((e.currentTarget as HTMLInputElement).checked)}
          />
          {label}
        </label>
        {messages}
      </div>
    );
  }
  if (spec.type === "choices" && spec.list) {
    const options = vocab[spec.list] as { value: string; label: string }[];
    const ticked = chosen(value);
    const order = options.map((o) => o.value);
    return (
      <fieldset class={`field choices-field${invalid ? " invalid" : ""}`} aria-describedby={describedBy}>
        <legend>{label}</legend>
        {hint}
        <div class="choices">
          {options.map((o) => (
            <label key={o.value} class={`choice${ticked.includes(o.value) ? " chosen" : ""}`}>
              <input
                type="checkbox"
                name={spec.name}
                value={o.value}
                checked={ticked.includes(o.value)}
                onChange={(e) => onInput(toggleChoice(value, o.value, (e.currentTarget as HTMLInputElement).checked, order))}
              />
              <span>{o.label}</span>
            </label>
          ))}
        </div>
        {messages}
      </fieldset>
    );
  }
  if (spec.type === "mood") {
    return (
      <fieldset class={`field mood-field${invalid ? " invalid" : ""}`} aria-describedby={describedBy}>
        <legend>{label}</legend>
        <div class="mood-choices">
          {vocab.mood.map((m, i) => (
            <label key={m.value} class={`mood-choice level-${i + 1}${s === m.value ? " chosen" : ""}`}>
              <input
                type="radio"
                name={spec.name}
                value={m.value}
                checked={s === m.value}
                onChange={() => onInput(m.value)}
              />
              <span>
                {i + 1} · {m.label}
              </span>
            </label>
          ))}
        </div>
        {messages}
      </fieldset>
    );
  }
  let input;
  if (spec.type === "textarea" || spec.type === "lines") {
    input = (
      <textarea
        id={id}
        name={spec.name}
        rows={spec.type === "lines" ? 3 : 4}
        value={s}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        onInput={(e) => onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
    );
  } else if (spec.type === "select" && spec.list) {
    const options = vocab[spec.list] as { value: string; label: string; unsuited_category?: string | null }[];
    input = (
      <select
        id={id}
        name={spec.name}
        value={s}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        onChange={(e) => onInput((e.currentTarget as HTMLSelectElement).value)}
      >
        {spec.nullable ? <option value="">Not recorded</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
            {o.unsuited_category ? " ⚠" : ""}
          </option>
        ))}
      </select>
    );
  } else {
    input = (
      <input
        id={id}
        name={spec.name}
        type={spec.type === "datetime" ? "datetime-local" : spec.type === "number" ? "text" : "text"}
        inputMode={spec.type === "number" ? "numeric" : undefined}
        value={s}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
      />
    );
  }
  return (
    <div class={`field${invalid ? " invalid" : ""}`}>
      <label for={id}>{label}</label>
      {input}
      {hint}
      {messages}
    </div>
  );
}

export function RecordFields(props: {
  kind: RecordKind;
  values: Values;
  set: (name: string, v: string | boolean) => void;
  placed: Placed;
  editing: boolean;
}) {
  const { vocab } = useApp();
  return (
    <>
      {FORMS[props.kind]
        .filter((f) => props.editing || !f.editOnly)
        .map((f) => (
          <Field
            key={f.name}
            spec={f}
            value={props.values[f.name]}
            onInput={(v) => props.set(f.name, v)}
            errors={props.placed.byField.get(f.name)}
            vocab={vocab}
          />
        ))}
    </>
  );
}

/** Calls `save` after `delay` ms without further calls (drafts as the officer types). */
export function useDebounced<A extends unknown[]>(save: (...a: A) => void, delay: number): (...a: A) => void {
  const timer = useRef<number | undefined>(undefined);
  const latest = useRef(save);
  latest.current = save;
  useEffect(() => () => window.clearTimeout(timer.current), []);
  return useCallback(
    (...a: A) => {
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => latest.current(...a), delay);
    },
    [delay],
  );
}
