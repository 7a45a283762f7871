// People, groups, venues and agencies, with search as you type. Opening a person is a logged
// consultation (the detail screen asks why).
import { useState } from "preact/hooks";
import type { RecordKind } from "../bindings";
import { api } from "../api";
import { filterDirectory } from "../directory";
import { when } from "../format";
import { href } from "../router";
import { Loading, Screen, useApp, useAsync } from "../ui";

const KINDS: RecordKind[] = ["person", "group", "venue", "agency"];

/** A directory entry nobody has confirmed (edited, or confirmed still current) for this long
 * is marked for checking: numbers and contacts go stale. */
const STALE_AFTER_MS = 183 * 24 * 3600 * 1000;

function stale(updatedAt: string): boolean {
  return Date.now() - Date.parse(updatedAt) > STALE_AFTER_MS;
}

export function Directory() {
  const { kindLabel } = useApp();
  const state = useAsync(() => api.directory(), []);
  const [q, setQ] = useState("");
  const [kind, setKind] = useState<RecordKind | null>(null);
  return (
    <Screen title="Directory">
      <div class="field search-field">
        <label for="dir-q">
          <span class="label-text">Find a person, group, venue or agency</span>
        </label>
        <input id="dir-q" type="search" value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <div class="filters" role="group" aria-label="Filter by kind">
        <button type="button" class="chip" aria-pressed={kind === null} onClick={() => setKind(null)}>
          All
        </button>
        {KINDS.map((k) => (
          <button type="button" key={k} class="chip" aria-pressed={kind === k} onClick={() => setKind(k)}>
            {kindLabel(k)}
          </button>
        ))}
      </div>
      <div class="screen-actions">
        {KINDS.map((k) => (
          <a key={k} class="btn secondary" href={href({ name: "new", kind: k })}>
            New {kindLabel(k).toLowerCase()}
          </a>
        ))}
      </div>
      <Loading state={state}>
        {(entries) => {
          const shown = filterDirectory(entries, q, kind, kindLabel);
          return (
            <>
              <p class="muted" role="status">
                {shown.length} of {entries.length}
              </p>
              <ul class="list" data-testid="directory">
                {shown.map((e) => (
                  <li key={e.record_id}>
                    <a class="row" href={href({ name: "record", id: e.record_id })}>
                      <span class={`kind kind-${e.kind}`}>{kindLabel(e.kind)}</span>
                      <span class="row-title">{e.title}</span>
                      <span class={stale(e.updated_at) ? "row-meta stale" : "row-meta"} data-testid="confirmed">
                        {stale(e.updated_at) ? "Not confirmed for over six months · " : ""}
                        Last confirmed {when(e.updated_at)} by {e.updated_by}
                      </span>
                    </a>
                  </li>
                ))}
              </ul>
            </>
          );
        }}
      </Loading>
    </Screen>
  );
}
