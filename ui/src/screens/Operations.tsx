// Operations list and operation home: briefing, area, sectors, groups, team, and the team's
// picture at a glance, with one-tap quick capture, and the operation's map (sectors shaded by
// tension, located records as pins that open them, the officer's own position).
import { useEffect } from "preact/hooks";
import type { OperationHome } from "../bindings";
import { api } from "../api";
import { when } from "../format";
import { QUICK_CAPTURE } from "../forms";
import { FieldMap } from "../fieldMap";
import { pinLetter } from "../geo/geo";
import { coords, mapPins, mapPoints, mapSectors, pinTitle } from "../map";
import { go, href } from "../router";
import { Loading, Screen, useApp, useAsync } from "../ui";
import { DebriefSection } from "./Debrief";
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
          <OperationMapSection op={props.op} />
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
            </section>
          </div>
          <DebriefSection op={props.op} />
        </Screen>
      )}
    </Loading>
  );
}

/**
 * The operation's map: the area, each sector shaded by its latest tension, the records with a
 * position as pins (a tap opens the record), the officer's own position. The same records are
 * listed below it as links, for anyone who cannot use the picture.
 */
function OperationMapSection(props: { op: string }) {
  const { vocab, kindLabel } = useApp();
  const state = useAsync(() => api.operationMap(props.op), [props.op]);
  const moodLabel = (m: string) => vocab.mood.find((v) => v.value === m)?.label ?? m;
  return (
    <section aria-labelledby="map-title" class="op-map">
      <h2 id="map-title">Map</h2>
      <Loading state={state}>
        {(m) => {
          const pins = mapPins(m, kindLabel);
          return (
            <>
              <FieldMap
                id="op-map"
                label="Map of the operation: its sectors shaded by their latest tension, and the located records as pins"
                describedBy="op-map-help"
                area={m.area}
                sectors={mapSectors(m, moodLabel)}
                pins={pins}
                onPin={(pin) => go({ name: "record", id: pin.record_id })}
                fitTo={mapPoints(m)}
              />
              <p id="op-map-help" class="muted">
                Each sector is shaded by its latest tension reading (1 calm to 5 hostile). Pins: T tension, E escalation,
                R rumour, N negotiation, C contact note; tap one to open it. {pins.length} located record
                {pins.length === 1 ? "" : "s"}
                {m.more_located ? " (the newest; the timeline lists them all)" : ""}:
              </p>
              {m.pins.length > 0 ? (
                <ul class="plain located" data-testid="located-records">
                  {[...m.pins].reverse().map((p) => (
                    <li key={p.record_id}>
                      <a href={href({ name: "record", id: p.record_id })} data-testid="map-pin-link" data-record={p.record_id}>
                        <span class="pin-letter" aria-hidden="true">
                          {pinLetter(p.kind)}
                        </span>
                        {pinTitle(kindLabel(p.kind), p.title)}
                      </a>
                      <span class="muted">
                        {" "}
                        {when(p.occurred_at)}
                        {p.sector ? ` · ${p.sector}` : ""} · {coords(p.location)}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : null}
            </>
          );
        }}
      </Loading>
    </section>
  );
}
