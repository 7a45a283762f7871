// The tablet's map (docs/maps.md): the map the console draws (geo/MapView: the bundled
// Natural Earth basemap in SVG, no WebGL, no network), with the force's own tiles over it
// when the tablet holds a usable file, and the tablet's own position when the platform gives
// one. Beside it, in words, what it cannot show: no position (absent or refused by the
// platform) or a refused map file. Neither is an error: the map works without them.
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import type { ForceMap, LatLon, Location } from "./bindings";
import { api, forceTileUrl } from "./api";
import { tappedLocation, type Pin, type View } from "./geo/geo";
import { MapView, type MapSector } from "./geo/MapView";
import { firstView, forceMapNote, forceTiles, ownPositionNote, STREET_ZOOM, type OwnPosition } from "./map";

/** The force's map file, asked for again each time a map opens (force IT may have replaced it). */
export function useForceMap(): ForceMap | null {
  const [force, setForce] = useState<ForceMap | null>(null);
  useEffect(() => {
    let live = true;
    api.forceMap().then(
      (f) => live && setForce(f),
      () => live && setForce({ state: "none" }),
    );
    return () => {
      live = false;
    };
  }, []);
  return force;
}

/** The tablet's position while the map is shown, from the webview's geolocation. */
export function useOwnPosition(): OwnPosition {
  const [own, setOwn] = useState<OwnPosition>(() =>
    typeof navigator !== "undefined" && "geolocation" in navigator ? { state: "finding" } : { state: "none" },
  );
  useEffect(() => {
    if (!("geolocation" in navigator)) return;
    let id: number | null = null;
    try {
      id = navigator.geolocation.watchPosition(
        (p) => setOwn({ state: "known", position: { lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy } }),
        (e) => setOwn(e.code === e.PERMISSION_DENIED ? { state: "denied" } : { state: "unavailable" }),
        { enableHighAccuracy: true, maximumAge: 10_000, timeout: 15_000 },
      );
    } catch {
      setOwn({ state: "none" });
    }
    return () => {
      if (id !== null) navigator.geolocation.clearWatch(id);
    };
  }, []);
  return own;
}

export interface FieldMapProps {
  id: string;
  label: string;
  /** What the map shows, in words (a hint paragraph's id). */
  describedBy: string;
  area: LatLon[];
  sectors: MapSector[];
  pins?: Pin[];
  onPin?: (pin: Pin) => void;
  /** A tap places a position: the capture form's. */
  onPlace?: (location: Location) => void;
  placed?: LatLon | null;
  /** What the first view should show (the area, sectors, pins); empty: round the position. */
  fitTo: LatLon[];
  height?: number;
  children?: ComponentChildren;
}

export function FieldMap(p: FieldMapProps) {
  const height = p.height ?? 420;
  const force = useForceMap();
  const own = useOwnPosition();
  const position = own.state === "known" ? own.position : null;
  const [view, setView] = useState<View>(() => firstView(p.fitTo, p.placed ?? null, 800, height));
  // A map with nothing to fit goes to the officer once the tablet says where they are.
  const [moved, setMoved] = useState(false);
  useEffect(() => {
    if (!moved && position && p.fitTo.length === 0 && !p.placed) setView((v) => ({ ...v, center: position, zoom: STREET_ZOOM }));
  }, [position, moved, p.fitTo.length, p.placed]);
  const onView = (v: View) => {
    if (v.center !== view.center || v.zoom !== view.zoom) setMoved(true);
    setView(v);
  };
  const note = forceMapNote(force);
  const tiles = useMemo(() => forceTiles(force, forceTileUrl), [force]);
  const onPlace = p.onPlace;
  return (
    <div class="field-map">
      <MapView
        id={p.id}
        label={p.label}
        describedBy={`${p.describedBy} ${p.id}-own`}
        view={view}
        onView={onView}
        area={p.area}
        sectors={p.sectors}
        pins={p.pins ?? []}
        onPin={p.onPin}
        onPick={onPlace ? (pt) => onPlace(tappedLocation(view, pt)) : undefined}
        position={position}
        placed={p.placed ?? null}
        tiles={tiles}
        height={height}
        tools={
          <>
            {p.fitTo.length > 0 ? (
              <button type="button" onClick={() => setView(firstView(p.fitTo, null, view.width, view.height))}>
                Show the whole area
              </button>
            ) : null}
            {position ? (
              <button type="button" data-testid="centre-on-me" onClick={() => setView({ ...view, center: position, zoom: Math.max(view.zoom, 16) })}>
                Centre on me
              </button>
            ) : null}
          </>
        }
      />
      <p id={`${p.id}-own`} class="muted" data-testid="own-position-note" data-state={own.state}>
        {ownPositionNote(own)}
      </p>
      {note ? (
        <p
          class={force?.state === "refused" ? "notice" : "muted"}
          role={force?.state === "refused" ? "status" : undefined}
          data-testid="force-map-note"
          data-state={force?.state}
        >
          {note}
        </p>
      ) : null}
      {p.children}
    </div>
  );
}
