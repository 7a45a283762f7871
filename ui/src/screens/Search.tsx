// Full-text search across everything on the device, as you type; matched words highlighted.
import { useEffect, useState } from "preact/hooks";
import type { AppError, SearchHit } from "../bindings";
import { api } from "../api";
import { when } from "../format";
import { href } from "../router";
import { ErrorBox, Screen, useApp, useDebounced } from "../ui";

export function Search(props: { q: string }) {
  const { kindLabel } = useApp();
  const [q, setQ] = useState(props.q);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  async function run(text: string) {
    if (!text.trim()) {
      setHits(null);
      return;
    }
    try {
      const h = await api.search({ text, operation_id: null, kind: null, from: null, to: null, sector: null, author: null, limit: 50 });
      setHits(h);
      setError(null);
      history.replaceState(null, "", href({ name: "search", q: text }));
    } catch (e) {
      setError(e as AppError);
    }
  }
  const later = useDebounced(run, 200);
  useEffect(() => {
    void run(props.q);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <Screen title="Search">
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void run(q);
        }}
      >
        <div class="field search-field">
          <label for="search-q">
            <span class="label-text">Search every record on this device</span>
          </label>
          <input
            id="search-q"
            type="search"
            value={q}
            onInput={(e) => {
              const v = (e.currentTarget as HTMLInputElement).value;
              setQ(v);
              later(v);
            }}
          />
        </div>
      </form>
      <ErrorBox error={error} />
      {hits ? (
        <>
          <p class="muted" role="status">
            {hits.length === 0 ? "No matches." : `${hits.length} matches`}
          </p>
          <ul class="list" data-testid="search-results">
            {hits.map((h) => (
              <li key={h.record_id}>
                <a class="row" href={href({ name: "record", id: h.record_id })}>
                  <span class={`kind kind-${h.kind}`}>{kindLabel(h.kind)}</span>
                  <span class="row-title">{h.title}</span>
                  <span class="snippet">
                    {h.snippet.map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
                  </span>
                  <span class="row-meta">
                    {when(h.occurred_at)}
                    {h.sector ? ` · ${h.sector}` : ""} · {h.author}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Screen>
  );
}
