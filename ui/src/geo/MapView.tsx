// The map, in the force console and on the tablet: the offline basemap (Natural Earth, bundled),
// a force's own raster tiles over it when the tablet has them, a lat/lon grid, the operation's
// area and sectors, a polygon being drawn, pins, the device's own position and a position
// placed by hand. Pan by dragging, the arrow keys or the buttons; zoom by the wheel, +/- or the
// buttons. A tap on a pin is passed to `onPin`; any other tap (or Enter at the centre cross)
// to `onPick`. The picture itself is aria-hidden: every screen lists what the map shows in words.
//
// SVG, not WebGL: it draws the same everywhere (WebKitGTK with compositing off, a webview with
// no GPU, headless Chromium), needs no worker or blob: URL under the strict CSP, and its layers
// are elements the tests can count. What it draws is small (a culled coastline, a few sectors,
// tens of pins, at most MAX_TILES tiles). docs/maps.md.
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { LatLon, Location } from "../bindings";
import { DETAIL_ZOOM, loadLand } from "./basemap";
import {
  basemapPath,
  gridLines,
  labelPoint,
  metresToPx,
  panBy,
  pinAt,
  placePins,
  project,
  ringPath,
  scaleBar,
  tilesInView,
  zoomAt,
  type LandRing,
  type Pin,
  type Pt,
  type TileSource,
  type View,
} from "./geo";
import "./map.css";

export interface MapSector {
  name: string;
  boundary: LatLon[];
  /** 1..5: shaded by tension level; undefined: no reading. */
  level?: number | undefined;
  /** Second line of the label ("4 Tense"). */
  note?: string | undefined;
}

/** A force's tiles as the map draws them: where each tile is fetched from, and whose they are. */
export interface MapTiles extends TileSource {
  url: (z: number, x: number, y: number) => string;
  attribution: string;
}

export interface MapProps {
  id: string;
  label: string;
  describedBy?: string;
  view: View;
  onView: (v: View) => void;
  area: LatLon[];
  sectors: MapSector[];
  selected?: number | null;
  draft?: LatLon[] | null;
  onPick?: ((pt: Pt) => void) | undefined;
  pins?: Pin[];
  /** A tap on a pin (within 22 px of it: a 44 px target). */
  onPin?: ((pin: Pin) => void) | undefined;
  /** The device's own position, with its accuracy circle. */
  position?: Location | null;
  /** A position placed by hand (the capture form's). */
  placed?: LatLon | null;
  tiles?: MapTiles | null;
  /** More buttons for the tool row (centre on me, show the area). */
  tools?: ComponentChildren;
  height?: number;
}

const PAN_STEP = 80;

export function MapView(p: MapProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const svg = useRef<SVGSVGElement>(null);
  const [coarse, setCoarse] = useState<LandRing[]>([]);
  const [fine, setFine] = useState<LandRing[] | null>(null);
  const [basemapError, setBasemapError] = useState<string | null>(null);
  const [focused, setFocused] = useState(false);
  const height = p.height ?? 480;
  const view = p.view;
  const viewRef = useRef(view);
  viewRef.current = view;
  const onViewRef = useRef(p.onView);
  onViewRef.current = p.onView;

  // Fit the view to the element's width (and the given height).
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const measure = () => {
      const width = Math.max(200, Math.round(el.clientWidth));
      const v = viewRef.current;
      if (v.width !== width || v.height !== height) onViewRef.current({ ...v, width, height });
    };
    measure();
    const ro = typeof ResizeObserver === "function" ? new ResizeObserver(measure) : null;
    ro?.observe(el);
    return () => ro?.disconnect();
  }, [height]);

  useEffect(() => {
    loadLand("50m").then(setCoarse, () => setBasemapError("The basemap could not be loaded; the grid and sectors still show."));
  }, []);
  const wantFine = view.zoom >= DETAIL_ZOOM;
  useEffect(() => {
    if (wantFine && !fine) loadLand("10m").then(setFine, () => undefined);
  }, [wantFine, fine]);

  // The wheel needs a listener that may prevent the page from scrolling.
  useEffect(() => {
    const el = svg.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      const levels = Math.max(-1, Math.min(1, -e.deltaY / 250));
      onViewRef.current(zoomAt(viewRef.current, levels, { x: e.clientX - r.left, y: e.clientY - r.top }));
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  }, []);

  const drag = useRef<{ x: number; y: number; moved: boolean; id: number } | null>(null);
  const local = (e: PointerEvent): Pt => {
    const r = svg.current?.getBoundingClientRect();
    return { x: e.clientX - (r?.left ?? 0), y: e.clientY - (r?.top ?? 0) };
  };
  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    drag.current = { x: e.clientX, y: e.clientY, moved: false, id: e.pointerId };
  };
  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 5) return;
    if (!d.moved) svg.current?.setPointerCapture(e.pointerId);
    d.moved = true;
    d.x = e.clientX;
    d.y = e.clientY;
    p.onView(panBy(view, dx, dy));
  };
  const onPointerUp = (e: PointerEvent) => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.moved || d.id !== e.pointerId) return;
    const at = local(e);
    const pin = p.onPin ? pinAt(view, p.pins ?? [], at) : null;
    if (pin && p.onPin) p.onPin(pin);
    else p.onPick?.(at);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const keys: { [k: string]: () => View | null } = {
      ArrowLeft: () => panBy(view, PAN_STEP, 0),
      ArrowRight: () => panBy(view, -PAN_STEP, 0),
      ArrowUp: () => panBy(view, 0, PAN_STEP),
      ArrowDown: () => panBy(view, 0, -PAN_STEP),
      "+": () => zoomAt(view, 1),
      "=": () => zoomAt(view, 1),
      "-": () => zoomAt(view, -1),
    };
    const f = keys[e.key];
    if (f) {
      e.preventDefault();
      const v = f();
      if (v) p.onView(v);
      return;
    }
    if ((e.key === "Enter" || e.key === " ") && p.onPick) {
      e.preventDefault();
      p.onPick({ x: view.width / 2, y: view.height / 2 });
    }
  };

  const rings = wantFine && fine ? fine : coarse;
  const land = useMemo(() => basemapPath(view, rings), [view, rings]);
  const grid = useMemo(() => gridLines(view), [view]);
  const tiles = p.tiles ?? null;
  const placedTiles = useMemo(() => (tiles ? tilesInView(view, tiles) : []), [view, tiles]);
  const scale = scaleBar(view);
  const drawing = !!p.onPick;
  const own = p.position ?? null;
  const ownAt = own ? project(view, own) : null;
  const placed = p.placed ? project(view, p.placed) : null;
  const credit = tiles?.attribution ? `Map: ${tiles.attribution} · Coastline: Natural Earth` : "Coastline: Natural Earth";

  return (
    <div class="map-block">
      <div class="map-tools" role="group" aria-label="Map view">
        <button type="button" onClick={() => p.onView(zoomAt(view, 1))}>
          Zoom in
        </button>
        <button type="button" onClick={() => p.onView(zoomAt(view, -1))}>
          Zoom out
        </button>
        <button type="button" onClick={() => p.onView(panBy(view, 0, PAN_STEP))}>
          <span aria-hidden="true">↑ </span>North
        </button>
        <button type="button" onClick={() => p.onView(panBy(view, 0, -PAN_STEP))}>
          <span aria-hidden="true">↓ </span>South
        </button>
        <button type="button" onClick={() => p.onView(panBy(view, -PAN_STEP, 0))}>
          East<span aria-hidden="true"> →</span>
        </button>
        <button type="button" onClick={() => p.onView(panBy(view, PAN_STEP, 0))}>
          <span aria-hidden="true">← </span>West
        </button>
        {p.tools}
      </div>
      <div
        id={p.id}
        ref={wrap}
        class={`map${drawing ? " drawing" : ""}`}
        tabIndex={0}
        role="application"
        aria-label={p.label}
        aria-describedby={p.describedBy}
        onKeyDown={onKeyDown}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
      >
        <svg
          ref={svg}
          width={view.width}
          height={height}
          viewBox={`0 0 ${view.width} ${height}`}
          aria-hidden="true"
          focusable="false"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => (drag.current = null)}
        >
          <rect class="sea" x="0" y="0" width={view.width} height={height} />
          <path class="land" d={land} fill-rule="evenodd" />
          {tiles && placedTiles.length > 0 ? (
            <g class="force-tiles">
              {placedTiles.map((t) => (
                <image
                  key={`${t.z}/${t.x}/${t.y}`}
                  class="force-tile"
                  href={tiles.url(t.z, t.x, t.y)}
                  x={t.left}
                  y={t.top}
                  width={t.size}
                  height={t.size}
                  preserveAspectRatio="none"
                  onLoad={(e) => (e.currentTarget as Element).setAttribute("data-loaded", "")}
                  onError={(e) => (e.currentTarget as Element).setAttribute("data-failed", "")}
                />
              ))}
            </g>
          ) : null}
          <g class="grid">
            {grid.meridians.map((m) => (
              <g key={`m${m.label}`}>
                <line x1={m.pos} y1={0} x2={m.pos} y2={height} />
                <text x={m.pos + 3} y={height - 6}>
                  {m.label}
                </text>
              </g>
            ))}
            {grid.parallels.map((l) => (
              <g key={`p${l.label}`}>
                <line x1={0} y1={l.pos} x2={view.width} y2={l.pos} />
                <text x={4} y={l.pos - 4}>
                  {l.label}
                </text>
              </g>
            ))}
          </g>
          {p.area.length > 0 ? <path class="area" d={ringPath(view, p.area)} /> : null}
          {p.sectors.map((s, i) => (
            <path
              key={`s${i}`}
              class={`sector${s.level ? ` level-${s.level}` : ""}${p.selected === i ? " selected" : ""}`}
              d={ringPath(view, s.boundary)}
            />
          ))}
          {p.draft && p.draft.length > 0 ? (
            <g class="draft">
              <path d={ringPath(view, p.draft, true)} />
              {p.draft.map((v, i) => {
                const s = project(view, v);
                return <circle key={`d${i}`} cx={s.x} cy={s.y} r={i === 0 ? 8 : 5} class={i === 0 ? "first" : ""} />;
              })}
            </g>
          ) : null}
          {own && ownAt ? (
            <g class="own-position" data-testid="own-position" transform={`translate(${Math.round(ownAt.x)} ${Math.round(ownAt.y)})`}>
              {own.accuracy_m ? <circle class="accuracy" r={Math.min(2000, Math.max(8, metresToPx(view, own, own.accuracy_m)))} /> : null}
              <circle class="dot" r="8" />
            </g>
          ) : null}
          {placePins(view, p.pins ?? []).map(({ pin, at: s }) => {
            if (s.x < -20 || s.y < -20 || s.x > view.width + 20 || s.y > height + 20) return null;
            return (
              <g key={pin.record_id} class="pin" data-pin={pin.record_id} transform={`translate(${Math.round(s.x)} ${Math.round(s.y)})`}>
                <title>{pin.title}</title>
                {p.onPin ? <circle class="reach" r="22" /> : null}
                <circle r="11" />
                <text text-anchor="middle" dy="0.35em">
                  {pin.letter}
                </text>
              </g>
            );
          })}
          {/* Over the pins: where many records were made, the sector's name and tension still read. */}
          {p.sectors.map((s, i) => {
            const at = labelPoint(view, s.boundary);
            return (
              <text key={`l${i}`} class="sector-label" x={at.x} y={at.y} text-anchor="middle">
                <tspan x={at.x} dy="0">
                  {s.name}
                </tspan>
                {s.note ? (
                  <tspan x={at.x} dy="1.2em">
                    {s.note}
                  </tspan>
                ) : null}
              </text>
            );
          })}
          {placed ? (
            <g class="placed" data-testid="placed-position" transform={`translate(${Math.round(placed.x)} ${Math.round(placed.y)})`}>
              <path d="M0 0 L-10 -22 A11 11 0 1 1 10 -22 Z" />
              <circle cx="0" cy="-26" r="4" />
            </g>
          ) : null}
          {drawing && focused ? (
            <g class="cross">
              <line x1={view.width / 2 - 12} y1={height / 2} x2={view.width / 2 + 12} y2={height / 2} />
              <line x1={view.width / 2} y1={height / 2 - 12} x2={view.width / 2} y2={height / 2 + 12} />
            </g>
          ) : null}
          <g class="scale" transform={`translate(${view.width - scale.px - 16} 16)`}>
            <rect x="-6" y="-4" width={scale.px + 12} height="26" />
            <line x1="0" y1="14" x2={scale.px} y2="14" />
            <text x={scale.px / 2} y="10" text-anchor="middle">
              {scale.label}
            </text>
          </g>
          <text class="attribution" x={view.width - 8} y={height - 24} text-anchor="end">
            {credit}
          </text>
        </svg>
      </div>
      {basemapError ? <p class="hint">{basemapError}</p> : null}
    </div>
  );
}
