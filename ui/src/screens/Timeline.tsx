// The operation's timeline: every kind, newest first, filterable by kind and sector, loaded a
// page at a time (keyset paging in the core), so 5,000 records never load at once.
import { useEffect, useRef, useState } from "preact/hooks";
import type { AppError, Cursor, RecordKind, RecordSummary } from "../bindings";
import { api, onWrite } from "../api";
import { when } from "../format";
import { QUICK_CAPTURE } from "../forms";
import { href } from "../router";
import { ErrorBox, Screen, useApp, useAsync } from "../ui";

const PAGE = 50;

export function Timeline(props: { op: string; saved: string | null }) {
  const { kindLabel } = useApp();
  const [kind, setKind] = useState<RecordKind | null>(null);
  const [sector, setSector] = useState<string>("");
  const [items, setItems] = useState<RecordSummary[]>([]);
  const [next, setNext] = useState<Cursor | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [loading, setLoading] = useState(false);
  const [generation, setGeneration] = useState(0);
  const sentinel = useRef<HTMLDivElement>(null);
  const defaults = useAsync(() => api.captureDefaults(props.op), [props.op]);

  async function page(after: Cursor | null, gen: number) {
    setLoading(true);
    try {
      const p = await api.timeline({
        operation_id: props.op,
        kinds: kind ? [kind] : [],
        sector: sector || null,
        after,
        limit: PAGE,
      });
      if (gen !== generationRef.current) return;
      setItems((old) => (after ? [...old, ...p.items] : p.items));
      setNext(p.next);
      setError(null);
    } catch (e) {
      setError(e as AppError);
    } finally {
      setLoading(false);
    }
  }
  const generationRef = useRef(0);
  useEffect(() => {
    generationRef.current += 1;
    void page(null, generationRef.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.op, kind, sector, generation]);
  useEffect(() => onWrite(() => setGeneration((g) => g + 1)), []);

  // Loads the next page when the end of the list scrolls into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !next || typeof IntersectionObserver === "undefined") return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !loading) void page(next, generationRef.current);
    });
    io.observe(el);
    return () => io.disconnect();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [next, loading]);

  const kinds: RecordKind[] = QUICK_CAPTURE;
  return (
    <Screen title="Timeline">
      <div class="filters" role="group" aria-label="Filter by kind">
        <button type="button" class="chip" aria-pressed={kind === null} onClick={() => setKind(null)}>
          All
        </button>
        {kinds.map((k) => (
          <button type="button" key={k} class="chip" aria-pressed={kind === k} onClick={() => setKind(k)} data-testid={`filter-${k}`}>
            {kindLabel(k)}
          </button>
        ))}
        <label class="inline-select">
          <span>Sector</span>
          <select value={sector} onChange={(e) => setSector((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">All sectors</option>
            {(defaults.data?.sectors ?? []).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={error} />
      <ol class="timeline" data-testid="timeline">
        {items.map((s) => (
          <li key={s.record_id} class={s.record_id === props.saved ? "just-saved" : undefined}>
            <a class="row" href={href({ name: "record", id: s.record_id })} data-record={s.record_id}>
              <span class={`kind kind-${s.kind}`}>{kindLabel(s.kind)}</span>
              <span class="row-title">{s.title}</span>
              <span class="row-meta">
                {when(s.occurred_at)}
                {s.sector ? ` · ${s.sector}` : ""} · {s.author}
                {s.revision_count > 1 ? ` · edited` : ""}
              </span>
            </a>
          </li>
        ))}
      </ol>
      {props.saved && items.some((i) => i.record_id === props.saved) ? (
        <p class="toast" role="status" data-testid="saved-toast">
          Saved.
        </p>
      ) : null}
      <div ref={sentinel} />
      {next ? (
        <button type="button" class="btn secondary" disabled={loading} onClick={() => void page(next, generationRef.current)}>
          {loading ? "Loading…" : "Load more"}
        </button>
      ) : (
        <p class="muted">{items.length ? "End of the timeline." : loading ? "Loading…" : "Nothing recorded yet."}</p>
      )}
    </Screen>
  );
}
