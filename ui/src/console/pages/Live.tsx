// The live picture of an operation: sectors shaded by their latest tension, located records as
// pins, tension over time, escalations (open first), the rumour board, agreements and their
// compliance, and the team's tablets. It loads the picture, then follows the server's event
// stream from the picture's position and merges each record as it arrives, without a reload.
import { useEffect, useRef, useState } from "preact/hooks";
import type { LiveRecord, Me, Picture } from "../bindings";
import { api, asConsoleError } from "../api";
import { layoutChart } from "../../chart";
import {
  agreements,
  ESCALATION_LABELS,
  escalations,
  kindLabel,
  latestTension,
  mergeAll,
  mergeRecord,
  MOOD_LABELS,
  MOODS,
  pins,
  recordTitle,
  rumourBoard,
  tensionSeries,
  tickMinutes,
  timeToVerifyS,
  verifyTimes,
} from "../live";
import { duration, median } from "../../format";
import { fitView, type View } from "../../geo/geo";
import { MapView } from "../../geo/MapView";
import { can } from "../roles";
import { href } from "../router";
import { ago, localTime } from "../time";
import { ErrorSummary, Page } from "../ui";
import { Attachments } from "../attachments";
import { DEFAULT_VIEW } from "./OperationEditor";
import { TO_LABELS } from "./Alerts";

type Link = "loading" | "live" | "reconnecting" | "closed";

const LINK_TEXT: { [L in Link]: string } = {
  loading: "Loading the picture…",
  live: "Live: records appear here as tablets sync.",
  reconnecting: "Reconnecting to the force server… what arrives meanwhile is shown when the link is back.",
  closed: "Not connected: the picture is not updating.",
};

/** Loads the picture and keeps it current from the event stream. */
function useLivePicture(id: string) {
  const [picture, setPicture] = useState<Picture | null>(null);
  const [records, setRecords] = useState<LiveRecord[]>([]);
  const [link, setLink] = useState<Link>("loading");
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const source = useRef<EventSource | null>(null);
  const alive = useRef(true);
  const teamTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // The team's last contacts are not in the stream: a record arriving means a tablet has just
  // synced, so they are fetched again shortly after (once for a burst), and every minute.
  const refreshTeam = () => {
    api.picture(id).then(
      (p) => alive.current && setPicture((old) => (old ? { ...old, team: p.team } : p)),
      () => undefined,
    );
  };
  const refreshTeamSoon = () => {
    if (teamTimer.current) clearTimeout(teamTimer.current);
    teamTimer.current = setTimeout(refreshTeam, 1500);
  };

  const connect = (after: Picture["position"]) => {
    source.current?.close();
    const es = new EventSource(`${api.eventsUrl(id)}?after=${encodeURIComponent(String(after))}`);
    source.current = es;
    es.onopen = () => setLink("live");
    es.onerror = () => setLink(es.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
    es.addEventListener("record", (e: MessageEvent<string>) => {
      let r: LiveRecord;
      try {
        r = JSON.parse(e.data);
      } catch {
        return;
      }
      setRecords((rs) => mergeRecord(rs, r));
      setUpdatedAt(new Date());
      setLink("live");
      refreshTeamSoon();
    });
    es.addEventListener("reload", (e: MessageEvent<string>) => {
      es.close();
      setNote(`${e.data || "The picture was too far behind."} Reloading the picture…`);
      void load(true);
    });
  };

  const load = async (again = false) => {
    try {
      const p = await api.picture(id);
      if (!alive.current) return;
      setPicture(p);
      setRecords((rs) => (again ? mergeAll(rs, p.records) : p.records));
      setError(null);
      setUpdatedAt(new Date());
      connect(p.position);
      if (again) setNote("The picture was reloaded.");
    } catch (e) {
      if (!alive.current) return;
      setError(asConsoleError(e).message);
      setLink("closed");
    }
  };

  useEffect(() => {
    alive.current = true;
    setPicture(null);
    setRecords([]);
    setLink("loading");
    void load();
    return () => {
      alive.current = false;
      source.current?.close();
      source.current = null;
      if (teamTimer.current) clearTimeout(teamTimer.current);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  useEffect(() => {
    const t = setInterval(refreshTeam, 60_000);
    return () => clearInterval(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  return { picture, records, link, note, error, updatedAt, reconnect: () => void load(true) };
}

const BOX = { width: 900, height: 320, left: 120, right: 20, top: 16, bottom: 36 };
const DASHES = ["", "10 6", "3 5", "14 4 3 4", "1 0", "6 3"];
const MARKERS = ["circle", "square", "triangle", "diamond", "circle", "square"] as const;

function Marker({ kind, x, y }: { kind: (typeof MARKERS)[number]; x: number; y: number }) {
  switch (kind) {
    case "square":
      return <rect class="marker" x={x - 5} y={y - 5} width={10} height={10} />;
    case "triangle":
      return <path class="marker" d={`M${x} ${y - 6} L${x + 6} ${y + 5} L${x - 6} ${y + 5} Z`} />;
    case "diamond":
      return <path class="marker" d={`M${x} ${y - 7} L${x + 7} ${y} L${x} ${y + 7} L${x - 7} ${y} Z`} />;
    default:
      return <circle class="marker" cx={x} cy={y} r={5} />;
  }
}

export function LivePage({ id, me }: { id: string; me: Me }) {
  const live = useLivePicture(id);
  const [view, setView] = useState<View | null>(null);
  const { picture, records } = live;
  const op = picture?.operation.operation;

  useEffect(() => {
    if (op && !view) {
      setView(fitView([...(op.area ?? []), ...(op.sectors ?? []).flatMap((s) => s.boundary)], 800, 420, DEFAULT_VIEW));
    }
  }, [op, view]);

  const title = op ? `Live: ${op.name}` : "Live picture";
  const status = (
    <div class={`link-status ${live.link}`}>
      <p role="status" aria-live="polite" id="live-status">
        <span class="dot" aria-hidden="true" /> {LINK_TEXT[live.link]}
        {live.note ? ` ${live.note}` : ""}
      </p>
      {live.updatedAt ? <p class="hint">Last update {live.updatedAt.toLocaleTimeString("en-GB")}.</p> : null}
      {live.link === "closed" ? (
        <button type="button" class="secondary" onClick={live.reconnect}>
          Reconnect
        </button>
      ) : null}
    </div>
  );

  if (!picture || !op) {
    return (
      <Page title={title}>
        {status}
        {live.error ? <ErrorSummary messages={[live.error]} /> : null}
      </Page>
    );
  }

  const moods = latestTension(records);
  const sectors = (op.sectors ?? []).map((s) => {
    const m = moods.get(s.name);
    return { ...s, level: m?.level, note: m ? `${m.level} ${MOOD_LABELS[m.mood]}` : "No reading" };
  });
  const series = tensionSeries(records, op);
  const chart = layoutChart(series, BOX, tickMinutes(series.starts_at, series.ends_at));
  const escal = escalations(records);
  const openCount = escal.filter((e) => e.open).length;
  const board = rumourBoard(records);
  const agreed = agreements(records);
  const located = pins(records);

  return (
    <Page
      title={title}
      actions={
        can(me.staff.role, "operations.edit") ? (
          <a class="button secondary" href={href({ name: "operation-edit", id })}>
            Edit operation
          </a>
        ) : null
      }
      intro={
        <p class="hint">
          {localTime(op.starts_at)} to {localTime(op.ends_at)} · {records.length} record{records.length === 1 ? "" : "s"}
        </p>
      }
    >
      {status}
      {live.error ? <ErrorSummary messages={[live.error]} /> : null}

      <section aria-labelledby="h-sectors" class="panel">
        <h2 id="h-sectors">Sectors and tension</h2>
        <div class="map-layout">
          <div class="map-col">
            {view ? (
              <MapView
                id="live-map"
                label="Map of the sectors, shaded by their latest tension, with located records as pins"
                describedBy="live-map-help"
                view={view}
                onView={setView}
                area={op.area ?? []}
                sectors={sectors}
                pins={located}
                height={420}
              />
            ) : null}
            <p id="live-map-help" class="hint">
              Each sector is shaded by its latest tension reading and labelled with its level (1 calm to 5 hostile).
              Pins: T tension, E escalation, R rumour, N negotiation, C contact note. {located.length} located
              record{located.length === 1 ? "" : "s"}.
            </p>
          </div>
          <div class="sector-col">
            <h3>Legend</h3>
            <ul class="mood-legend">
              {MOODS.map((m, i) => (
                <li key={m}>
                  <span class={`swatch level-${i + 1}`} aria-hidden="true" />
                  {i + 1} {MOOD_LABELS[m]}
                </li>
              ))}
              <li>
                <span class="swatch none" aria-hidden="true" />
                No reading
              </li>
            </ul>
            <table class="compact" id="sector-tension">
              <caption>Latest tension by sector</caption>
              <thead>
                <tr>
                  <th scope="col">Sector</th>
                  <th scope="col">Level</th>
                  <th scope="col">At</th>
                </tr>
              </thead>
              <tbody>
                {sectors.length === 0 ? (
                  <tr>
                    <td colSpan={3}>No sectors drawn.</td>
                  </tr>
                ) : null}
                {sectors.map((s) => {
                  const m = moods.get(s.name);
                  return (
                    <tr key={s.name}>
                      <th scope="row">{s.name}</th>
                      <td>{m ? `${m.level} ${MOOD_LABELS[m.mood]}` : "No reading"}</td>
                      <td>{m ? localTime(m.at) : "—"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      </section>

      <section aria-labelledby="h-escalations" class="panel">
        <h2 id="h-escalations">
          Escalations <span class="count">({openCount} open)</span>
        </h2>
        {escal.length === 0 ? (
          <p>No escalations.</p>
        ) : (
          <ul class="cards" id="escalations">
            {escal.map((e) => (
              <li key={e.live.record_id} class={`card${e.open ? " open" : ""}`}>
                <p class="card-head">
                  <strong>{e.open ? "Open" : "Answered"}</strong> · {ESCALATION_LABELS[e.body.category]} ·{" "}
                  {localTime(e.body.told_at || e.live.record.occurred_at)}
                  {e.live.record.sector ? ` · ${e.live.record.sector}` : ""}
                </p>
                <p>{e.body.summary}</p>
                <p class="hint">
                  {e.body.addressed_to ? `To: ${TO_LABELS[e.body.addressed_to]}` : `Told: ${e.body.told || "—"}`}
                  {e.body.acknowledged
                    ? ` · Acknowledged by ${e.body.acknowledged.name}, ${localTime(e.body.acknowledged.at)}`
                    : " · Not acknowledged"}
                  {e.body.response ? ` · Response: ${e.body.response}` : ""}
                </p>
                <Attachments attachments={e.live.record.attachments} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="h-chart" class="panel">
        <h2 id="h-chart">Tension over time</h2>
        {series.points.length === 0 ? (
          <p>No tension readings yet.</p>
        ) : (
          <figure class="chart">
            <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-labelledby="chart-title chart-desc">
              <title id="chart-title">Tension by sector over time</title>
              <desc id="chart-desc">
                {chart.lines.map((l) => `${l.sector}: ${l.points.length} readings, latest level ${l.points[l.points.length - 1]?.level ?? "none"}`).join(". ")}
              </desc>
              {chart.yTicks.map((t, i) => (
                <g key={t.label}>
                  <line class="gridline" x1={BOX.left} x2={BOX.width - BOX.right} y1={t.pos} y2={t.pos} />
                  <text class="axis" x={BOX.left - 8} y={t.pos + 5} text-anchor="end">
                    {i + 1} {t.label}
                  </text>
                </g>
              ))}
              {chart.xTicks.map((t) => (
                <text key={t.pos} class="axis" x={t.pos} y={BOX.height - 10} text-anchor="middle">
                  {t.label}
                </text>
              ))}
              {chart.lines.map((l) => (
                <g key={l.sector} class={`series s${l.style % 6}`}>
                  <path d={l.path} fill="none" stroke-dasharray={DASHES[l.style % DASHES.length]} />
                  {l.points.map((pt) => (
                    <Marker key={`${pt.x}-${pt.y}`} kind={MARKERS[l.style % MARKERS.length] ?? "circle"} x={pt.x} y={pt.y} />
                  ))}
                </g>
              ))}
            </svg>
            <figcaption>
              <ul class="legend">
                {chart.lines.map((l) => (
                  <li key={l.sector} class={`series s${l.style % 6}`}>
                    <svg width="44" height="16" aria-hidden="true">
                      <line x1="0" x2="44" y1="8" y2="8" stroke-dasharray={DASHES[l.style % DASHES.length]} />
                      <Marker kind={MARKERS[l.style % MARKERS.length] ?? "circle"} x={22} y={8} />
                    </svg>
                    {l.sector}
                  </li>
                ))}
              </ul>
            </figcaption>
          </figure>
        )}
        {series.points.length > 0 ? (
          <details>
            <summary>Readings as a table</summary>
            <table class="compact">
              <caption class="visually-hidden">Tension readings, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Sector</th>
                  <th scope="col">Level</th>
                  <th scope="col">Crowd</th>
                </tr>
              </thead>
              <tbody>
                {series.points.map((pt) => (
                  <tr key={pt.record_id}>
                    <td>{localTime(pt.at)}</td>
                    <td>{pt.sector ?? "—"}</td>
                    <td>
                      {pt.level} {MOOD_LABELS[pt.mood]}
                    </td>
                    <td>{pt.crowd_estimate ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ) : null}
      </section>

      <section aria-labelledby="h-rumours" class="panel">
        <h2 id="h-rumours">Rumour board</h2>
        <VerifyFigure records={records} />
        <div class="board">
          {board.map((col) => (
            <section key={col.status} aria-labelledby={`rumours-${col.status}`} class="board-col">
              <h3 id={`rumours-${col.status}`}>
                {col.label} <span class="count">({col.items.length})</span>
              </h3>
              {col.items.length === 0 ? <p class="hint">None.</p> : null}
              <ul class="cards">
                {col.items.map((r) => (
                  <li key={r.live.record_id} class="card">
                    <p>{r.body.content}</p>
                    <p class="hint">
                      Risk {r.body.risk}, spread {r.body.spread} · {localTime(r.live.record.occurred_at)}
                      {r.body.findings ? ` · Found: ${r.body.findings}` : ""}
                      {timeToVerifyS(r) != null ? ` · Verified in ${duration(timeToVerifyS(r) ?? 0)}` : ""}
                    </p>
                    <Attachments attachments={r.live.record.attachments} />
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      </section>

      <section aria-labelledby="h-agreements" class="panel">
        <h2 id="h-agreements">Agreements</h2>
        {agreed.length === 0 ? (
          <p>No agreements recorded.</p>
        ) : (
          <table class="compact">
            <caption class="visually-hidden">Agreements and their compliance</caption>
            <thead>
              <tr>
                <th scope="col">With</th>
                <th scope="col">Subject</th>
                <th scope="col">Agreed</th>
                <th scope="col">Compliance</th>
              </tr>
            </thead>
            <tbody>
              {agreed.map((a) => (
                <tr key={a.live.record_id}>
                  <td>{a.body.parties}</td>
                  <td>{a.body.subject.replace(/_/g, " ")}</td>
                  <td>{a.body.agreed || (a.body.conditions ?? []).join("; ") || "—"}</td>
                  <td>
                    {a.compliance}
                    {a.body.compliance_note ? ` — ${a.body.compliance_note}` : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="h-team" class="panel">
        <h2 id="h-team">Team</h2>
        {picture.team.length === 0 ? (
          <p>No one on the team.</p>
        ) : (
          <table class="compact">
            <caption class="visually-hidden">Team members and their tablets</caption>
            <thead>
              <tr>
                <th scope="col">Officer</th>
                <th scope="col">Role</th>
                <th scope="col">Tablet</th>
                <th scope="col">Last contact</th>
              </tr>
            </thead>
            <tbody>
              {picture.team.map((t, i) => (
                <tr key={`${t.officer}-${t.device_id ?? i}`}>
                  <th scope="row">{t.officer}</th>
                  <td>{t.role}</td>
                  <td>{t.device_id ? t.device_id.slice(0, 8) : "No tablet enrolled"}</td>
                  <td>{t.device_id ? `${ago(t.last_contact)}${t.last_contact ? ` (${localTime(t.last_contact)})` : ""}` : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="h-latest" class="panel">
        <h2 id="h-latest">Latest records</h2>
        {records.length === 0 ? (
          <p>Nothing recorded yet.</p>
        ) : (
          <ol class="latest" id="latest-records">
            {records.slice(0, 30).map((r) => (
              <li key={r.record_id}>
                <strong>{kindLabel(r.record.body.kind)}</strong>: {recordTitle(r)}{" "}
                <span class="hint">
                  · {r.author} · {localTime(r.record.occurred_at)}
                </span>
                <Attachments attachments={r.record.attachments} label={`Attachments of ${recordTitle(r)}`} />
              </li>
            ))}
          </ol>
        )}
      </section>
    </Page>
  );
}

/** The operation's time to verify: from heard to confirmed or refuted. */
function VerifyFigure({ records }: { records: LiveRecord[] }) {
  const times = verifyTimes(records);
  const m = median(times);
  return (
    <p class="hint" data-testid="time-to-verify">
      {m == null
        ? "No rumour verified yet."
        : `Time to verify: median ${duration(m)} over ${times.length} confirmed or refuted (from heard to settled).`}
    </p>
  );
}
