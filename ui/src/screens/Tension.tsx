// The tension timeline: mood (1 calm … 5 hostile) by sector over time, drawn in SVG. Lines
// differ by dash and marker as well as colour; the same data is available as a table.
import type { TensionSeries } from "../bindings";
import { api } from "../api";
import { layoutChart } from "../chart";
import { when } from "../format";
import { href } from "../router";
import { Loading, Screen, useApp, useAsync } from "../ui";

const BOX = { width: 960, height: 420, left: 130, right: 20, top: 20, bottom: 40 };
const DASHES = ["", "10 6", "3 5", "14 4 3 4", "1 0"];

export function Tension(props: { op: string }) {
  const state = useAsync(() => api.tensionSeries(props.op), [props.op]);
  return (
    <Screen
      title="Tension by sector"
      actions={
        <a class="btn primary" href={href({ name: "capture", op: props.op, kind: "tension_reading" })}>
          New reading
        </a>
      }
    >
      <Loading state={state}>{(s) => <Chart series={s} />}</Loading>
    </Screen>
  );
}

function Chart({ series }: { series: TensionSeries }) {
  const { vocab } = useApp();
  const c = layoutChart(series, BOX);
  return (
    <>
      <figure class="chart">
        <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-labelledby="chart-title chart-desc" data-testid="tension-chart">
          <title id="chart-title">Mood by sector over time</title>
          <desc id="chart-desc">
            {c.lines.map((l) => `${l.sector}: ${l.points.length} readings, latest level ${l.points[l.points.length - 1]?.level ?? "none"}`).join(". ")}
          </desc>
          {c.yTicks.map((t) => (
            <g key={t.label}>
              <line class="grid" x1={BOX.left} x2={BOX.width - BOX.right} y1={t.pos} y2={t.pos} />
              <text class="axis" x={BOX.left - 8} y={t.pos + 5} text-anchor="end">
                {t.label}
              </text>
            </g>
          ))}
          {c.xTicks.map((t) => (
            <text key={t.pos} class="axis" x={t.pos} y={BOX.height - 12} text-anchor="middle">
              {t.label}
            </text>
          ))}
          {c.lines.map((l) => (
            <g key={l.sector} class={`series s${l.style % 6}`}>
              <path d={l.path} fill="none" stroke-dasharray={DASHES[l.style % DASHES.length]} />
              {l.points.map((p) => (
                <circle key={`${p.x}-${p.y}`} cx={p.x} cy={p.y} r={5} />
              ))}
            </g>
          ))}
        </svg>
        <figcaption>
          <ul class="legend">
            {c.lines.map((l) => (
              <li key={l.sector} class={`series s${l.style % 6}`}>
                <svg width="40" height="14" aria-hidden="true">
                  <line x1="0" x2="40" y1="7" y2="7" stroke-dasharray={DASHES[l.style % DASHES.length]} />
                </svg>
                {l.sector}
              </li>
            ))}
          </ul>
        </figcaption>
      </figure>
      <details>
        <summary>Readings as a table</summary>
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Sector</th>
              <th scope="col">Mood</th>
              <th scope="col">Crowd</th>
            </tr>
          </thead>
          <tbody>
            {series.points.map((p) => (
              <tr key={p.record_id}>
                <td>{when(p.at)}</td>
                <td>{p.sector ?? "—"}</td>
                <td>
                  {p.level} · {vocab.mood.find((m) => m.value === p.mood)?.label}
                </td>
                <td>{p.crowd_estimate ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}
