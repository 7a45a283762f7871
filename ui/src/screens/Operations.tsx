// Operations list and operation home: briefing, area, sectors, groups, team, and the team's
// picture at a glance, with one-tap quick capture.
import { useEffect } from "preact/hooks";
import type { OperationHome } from "../bindings";
import { api } from "../api";
import { when } from "../format";
import { QUICK_CAPTURE } from "../forms";
import { layoutMap } from "../map";
import { href } from "../router";
import { Loading, Screen, useApp, useAsync } from "../ui";
import { WithdrawButton } from "./Withdraw";

export function Operations() {
  const state = useAsync(() => api.operations(), []);
  return (
    <Screen
      title="Operations"
      actions={
        <a class="btn secondary" href={href({ name: "new", kind: "operation" })}>
          New operation
        </a>
      }
    >
      <Loading state={state}>
        {(ops) =>
          ops.length === 0 ? (
            <p>No operations on this device yet.</p>
          ) : (
            <ul class="cards">
              {ops.map((o) => (
                <li key={o.record_id}>
                  <a class="card link-card" href={href({ name: "home", op: o.record_id })} data-testid="operation">
                    <span class="card-title">{o.title}</span>
                    <span class="muted">Briefed {when(o.occurred_at)}</span>
                  </a>
                </li>
              ))}
            </ul>
          )
        }
      </Loading>
    </Screen>
  );
}

export function Home(props: { op: string }) {
  const { kindLabel, vocab } = useApp();
  const state = useAsync(() => api.operationHome(props.op), [props.op]);
  useEffect(() => {
    // For scripts/measure.sh: when the home first became usable (ms since the page started).
    const w = window as unknown as { liaisonHomeInteractive?: number };
    if (state.data && w.liaisonHomeInteractive === undefined) w.liaisonHomeInteractive = performance.now();
  }, [state.data]);
  return (
    <Loading state={state}>
      {(h: OperationHome) => (
        <Screen title={h.operation.name}>
          <p class="muted">
            {vocab.event_kind.find((k) => k.value === h.operation.event_kind)?.label} · {when(h.operation.starts_at)} to{" "}
            {when(h.operation.ends_at)}
          </p>
          <nav class="quick-capture" aria-label="Quick capture">
            {QUICK_CAPTURE.map((k) => (
              <a key={k} class="btn capture" href={href({ name: "capture", op: props.op, kind: k })} data-testid={`capture-${k}`}>
                <span aria-hidden="true" class="plus">+</span> {kindLabel(k)}
              </a>
            ))}
            <WithdrawButton op={props.op} />
          </nav>
          <ul class="tiles" aria-label="At a glance">
            <li>
              <a class="tile" href={href({ name: "rumours", op: props.op })} data-testid="open-rumours">
                <span class="tile-n">{h.rumours.open}</span> open rumours
              </a>
            </li>
            <li>
              <a class="tile" href={href({ name: "negotiations", op: props.op })}>
                <span class="tile-n">{h.agreements}</span> agreements
                <span class="tile-sub">{h.awaiting_compliance} awaiting compliance · {h.broken_agreements} not kept</span>
              </a>
            </li>
            <li>
              <a class="tile" href={href({ name: "timeline", op: props.op, saved: null })}>
                <span class="tile-n">{h.escalations}</span> escalations
              </a>
            </li>
            <li>
              <a class="tile" href={href({ name: "timeline", op: props.op, saved: null })}>
                <span class="tile-n">{h.contact_notes}</span> contact notes
              </a>
            </li>
          </ul>
          <section aria-labelledby="tension-title">
            <h2 id="tension-title">
              <a href={href({ name: "tension", op: props.op })}>Latest tension by sector</a>
            </h2>
            <ul class="sector-tension">
              {h.tension.map((t) => (
                <li key={t.sector} class={`mood-pill level-${t.latest?.level ?? 0}`}>
                  <span>{t.sector}</span>
                  <strong>
                    {t.latest
                      ? `${t.latest.level} · ${vocab.mood.find((m) => m.value === t.latest?.mood)?.label} (${when(t.latest.at)})`
                      : "No reading"}
                  </strong>
                </li>
              ))}
            </ul>
          </section>
          <div class="two-col">
            <section aria-labelledby="briefing-title">
              <h2 id="briefing-title">Briefing</h2>
              <p class="prose">{h.operation.briefing || "—"}</p>
              <h3>Command structure</h3>
              <p class="prose">{h.operation.command_structure || "—"}</p>
            </section>
            <section aria-labelledby="who-title">
              <h2 id="who-title">Groups expected</h2>
              <ul class="plain">
                {h.groups_expected.map((g) => (
                  <li key={g.record_id}>
                    <a href={href({ name: "record", id: g.record_id })}>{g.title}</a>
                  </li>
                ))}
              </ul>
              <h3>Team</h3>
              <ul class="plain">
                {(h.operation.team ?? []).map((m) => (
                  <li key={m.officer}>
                    {m.officer} — {m.role}
                  </li>
                ))}
              </ul>
              <h3>Area and sectors</h3>
              <SectorMap home={h} />
            </section>
          </div>
        </Screen>
      )}
    </Loading>
  );
}

/** The operation's area and sectors, each sector shaded by its latest mood. */
function SectorMap({ home }: { home: OperationHome }) {
  const { vocab } = useApp();
  const m = layoutMap(home.operation.area ?? [], home.operation.sectors ?? [], 480, 240);
  if (!m.area && m.sectors.length === 0) return <p class="muted">No area drawn for this operation.</p>;
  const levelOf = (name: string) => home.tension.find((t) => t.sector === name)?.latest?.level ?? 0;
  const summary = (home.operation.sectors ?? [])
    .map((s) => {
      const t = home.tension.find((x) => x.sector === s.name)?.latest;
      return `${s.name}: ${t ? vocab.mood.find((v) => v.value === t.mood)?.label : "no reading"}`;
    })
    .join("; ");
  return (
    <>
    <svg class="sector-map" viewBox="0 0 480 240" role="img" aria-label={`Map of the area. ${summary}`}>
      {m.area ? <polygon class="area" points={m.area} /> : null}
      {m.sectors.map((s, i) => (
        <g key={s.name} class={`sector level-${levelOf(s.name)}`}>
          <polygon points={s.points} />
          <text x={s.label.x} y={s.label.y} text-anchor="middle" dominant-baseline="middle">
            {i + 1}
          </text>
        </g>
      ))}
    </svg>
    <ol class="plain sector-list">
      {(home.operation.sectors ?? []).map((s, i) => (
        <li key={s.name}>
          <strong>{i + 1}</strong> {s.name}
        </li>
      ))}
    </ol>
    </>
  );
}
