// An operation's editor: name, kind, times (typed in local time, sent as UTC), the briefing
// under IIMARCH headings, the command structure, the team from the directory, and the map on
// which the area and the named sectors are drawn. The server checks it with the core's
// validators; their problems are shown beside the field, the sector or the map they name.
import { useMemo, useRef, useState } from "preact/hooks";
import type { EventKind, LatLon, Operation, Sector, TeamMember } from "../../bindings";
import type { ConsoleError, Me, OfficerEntry, OperationView } from "../bindings";
import { api, asConsoleError } from "../api";
import { composeBriefing, emptyBriefing, IIMARCH, isBlank, parseBriefing, TEMPLATE_HINTS, type Briefing } from "../briefing";
import { flash, takeFlash } from "../flash";
import { clickDraft, finishProblem, fitView, parseLatLon, type Pt, type View } from "../../geo/geo";
import { placeErrors } from "../fields";
import { MapView } from "../../geo/MapView";
import { href } from "../router";
import { fromLocalInput, localTime, toLocalInput, utcLabel } from "../time";
import { ErrorSummary, FieldErrors, Loading, Notice, Page, SelectField, TextArea, TextField, useLoad } from "../ui";

export const EVENT_KINDS: { value: EventKind; label: string }[] = [
  { value: "protest", label: "Protest" },
  { value: "march", label: "March" },
  { value: "static_demo", label: "Static demonstration" },
  { value: "football", label: "Football" },
  { value: "community_event", label: "Community event" },
  { value: "pride", label: "Pride" },
  { value: "other", label: "Other" },
];

/** Where a new operation's map opens: Birmingham city centre. */
export const DEFAULT_VIEW: View = { center: { lat: 52.4797, lon: -1.9026 }, zoom: 14, width: 800, height: 480 };

export function OperationEditor({ id, me }: { id: string | null; me: Me }) {
  const officers = useLoad(() => api.officers(), []);
  const existing = useLoad(() => (id ? api.operation(id) : Promise.resolve(null)), [id]);
  if (id && existing.data === null) {
    return (
      <Page title="Edit operation">
        <Loading state={existing} what="the operation">
          {() => null}
        </Loading>
      </Page>
    );
  }
  return (
    <Editor
      key={existing.data?.revision ?? "new"}
      base={existing.data}
      officers={officers.data ?? []}
      me={me}
      onSaved={(v) => existing.set(v)}
    />
  );
}

interface Drawing {
  target: "area" | { sector: number | null };
  points: LatLon[];
}

function nextHour(offsetHours: number): string {
  const d = new Date();
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1 + offsetHours);
  return toLocalInput(d.toISOString());
}

function Editor(props: { base: OperationView | null; officers: OfficerEntry[]; me: Me; onSaved: (v: OperationView) => void }) {
  const { base, officers, me, onSaved } = props;
  const op = base?.operation;
  const [name, setName] = useState(op?.name ?? "");
  const [kind, setKind] = useState<EventKind>(op?.event_kind ?? "protest");
  const [starts, setStarts] = useState(op ? toLocalInput(op.starts_at) : nextHour(0));
  const [ends, setEnds] = useState(op ? toLocalInput(op.ends_at) : nextHour(6));
  const [briefing, setBriefing] = useState<Briefing>(() => (op?.briefing ? parseBriefing(op.briefing) : emptyBriefing()));
  const [command, setCommand] = useState(op?.command_structure ?? "");
  const [team, setTeam] = useState<TeamMember[]>(op?.team ?? []);
  const [area, setArea] = useState<LatLon[]>(op?.area ?? []);
  const [sectors, setSectors] = useState<Sector[]>(op?.sectors ?? []);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<ConsoleError | null>(null);
  const [notice, setNotice] = useState<string | null>(() => takeFlash());
  const [busy, setBusy] = useState(false);
  const [view, setView] = useState<View>(() => fitView([...(op?.area ?? []), ...(op?.sectors ?? []).flatMap((s) => s.boundary)], 800, 480, DEFAULT_VIEW));
  const [drawing, setDrawing] = useState<Drawing | null>(null);
  const [drawProblem, setDrawProblem] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [centreText, setCentreText] = useState("");
  const [centreError, setCentreError] = useState<string | null>(null);
  const [addOfficer, setAddOfficer] = useState("");
  const [addRole, setAddRole] = useState("");
  const mapStatus = useRef<HTMLParagraphElement>(null);

  const keys = useMemo(
    () => [
      "name",
      "event_kind",
      "starts_at",
      "ends_at",
      "briefing",
      "command_structure",
      "groups_expected",
      "team",
      "area",
      "sectors",
      "reason",
      "parent",
      ...sectors.map((_, i) => `sectors[${i}]`),
      ...team.map((_, i) => `team[${i}]`),
    ],
    [sectors.length, team.length],
  );
  const placed = placeErrors(error, keys);
  const errs = (k: string) => placed.byKey.get(k);
  const mapErrors = [...(errs("area") ?? []).map((m) => `Area: ${m}`), ...(errs("sectors") ?? [])];
  const sectorErrorCount = sectors.filter((_, i) => (errs(`sectors[${i}]`) ?? []).length > 0).length;

  // ---- drawing ----------------------------------------------------------------------------
  const startDrawing = (target: Drawing["target"]) => {
    setDrawing({ target, points: [] });
    setDrawProblem(null);
    document.getElementById("op-map")?.focus();
  };
  const finish = (points: LatLon[]) => {
    const problem = finishProblem(points);
    if (problem) {
      setDrawProblem(problem);
      return;
    }
    const d = drawing;
    if (!d) return;
    setDrawing(null);
    setDrawProblem(null);
    if (d.target === "area") {
      setArea(points);
      setStatus("The operation area is drawn.");
    } else if (d.target.sector === null) {
      const n = sectors.length;
      setSectors([...sectors, { name: `Sector ${n + 1}`, boundary: points }]);
      setSelected(n);
      setStatus(`Sector ${n + 1} drawn. Give it a name in the list of sectors.`);
      requestAnimationFrame(() => {
        const input = document.getElementById(`sector-name-${n}`);
        if (input instanceof HTMLInputElement) {
          input.focus();
          input.select();
        }
      });
    } else {
      const i = d.target.sector;
      setSectors(sectors.map((s, j) => (j === i ? { ...s, boundary: points } : s)));
      setStatus(`${sectors[i]?.name ?? "The sector"} redrawn.`);
    }
  };
  const setStatus = (m: string) => {
    if (mapStatus.current) mapStatus.current.textContent = m;
  };
  const onPick = (pt: Pt) => {
    if (!drawing) return;
    const step = clickDraft(view, drawing.points, pt);
    if (step.kind === "closed") finish(step.points);
    else {
      setDrawing({ ...drawing, points: step.points });
      setDrawProblem(null);
      setStatus(`Point ${step.points.length} added.`);
    }
  };
  const drawingWhat = drawing
    ? drawing.target === "area"
      ? "the operation area"
      : drawing.target.sector === null
        ? "a new sector"
        : `${sectors[drawing.target.sector]?.name ?? "the sector"} again`
    : "";

  const centre = (e: Event) => {
    e.preventDefault();
    const p = parseLatLon(centreText);
    if (!p) {
      setCentreError("Type a latitude and longitude in degrees, e.g. 52.4797, -1.9026.");
      return;
    }
    setCentreError(null);
    setView({ ...view, center: p, zoom: Math.max(view.zoom, 13) });
  };
  const showAll = () => {
    setView(fitView([...area, ...sectors.flatMap((s) => s.boundary)], view.width, view.height, view));
  };

  // ---- team -------------------------------------------------------------------------------
  const available = officers.filter((o) => !team.some((m) => m.officer === o.officer));
  const addToTeam = () => {
    const o = officers.find((x) => x.officer === addOfficer);
    if (!o) return;
    setTeam([...team, { officer: o.officer, role: addRole.trim() || o.role }]);
    setAddOfficer("");
    setAddRole("");
  };
  const officerName = (id: string) => officers.find((o) => o.officer === id)?.name;

  // ---- saving -----------------------------------------------------------------------------
  const save = async (e: Event) => {
    e.preventDefault();
    const starts_at = fromLocalInput(starts);
    const ends_at = fromLocalInput(ends);
    const local: { field: string; message: string }[] = [];
    if (!starts_at) local.push({ field: "starts_at", message: "is required: when the operation starts" });
    if (!ends_at) local.push({ field: "ends_at", message: "is required: when the operation ends" });
    if (base && !reason.trim()) local.push({ field: "reason", message: "is required: why the operation is being changed" });
    if (drawing) local.push({ field: "area", message: `finish or cancel drawing ${drawingWhat} first` });
    if (local.length > 0 || !starts_at || !ends_at) {
      setError({ code: "invalid", message: "Check the form.", fields: local });
      return;
    }
    const operation: Operation = {
      name: name.trim(),
      event_kind: kind,
      starts_at,
      ends_at,
      area,
      sectors: sectors.map((s) => ({ ...s, name: s.name.trim() })),
      briefing: isBlank(briefing) ? "" : composeBriefing(briefing),
      command_structure: command,
      groups_expected: op?.groups_expected ?? [],
      team: team.map((m) => ({ ...m, role: m.role.trim() })),
    };
    setBusy(true);
    setNotice(null);
    try {
      if (base) {
        const saved = await api.editOperation(base.id, { parent: base.revision, operation, reason: reason.trim() });
        flash("Saved. Tablets on the team receive the change at their next sync.");
        // The editor starts again on the new revision: it is what the next edit must name.
        onSaved(saved);
      } else {
        const created = await api.createOperation({ parent: null, operation, reason: null });
        flash(`Operation “${created.operation.name}” created. Tablets on the team receive it at their next sync.`);
        location.hash = href({ name: "operation-edit", id: created.id });
      }
    } catch (err) {
      setError(asConsoleError(err));
    } finally {
      setBusy(false);
    }
  };

  const title = base ? `Edit ${base.operation.name}` : "New operation";
  return (
    <Page
      title={title}
      actions={
        base ? (
          <a class="button secondary" href={href({ name: "live", id: base.id })}>
            Live picture
          </a>
        ) : null
      }
      intro={
        base ? (
          <p class="hint">
            Revision made by {base.edited_by}, {localTime(base.edited_at)}. Editing as {me.staff.display_name}.
          </p>
        ) : null
      }
    >
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorSummary
        title={error ? (error.code === "conflict" ? "Changed by someone else" : "The operation was not saved") : undefined}
        messages={
          error?.code === "conflict"
            ? [...placed.general, "Load their version to see what changed, then make your change again."]
            : [
                ...placed.general,
                ...(sectorErrorCount > 0 ? [`${sectorErrorCount} sector${sectorErrorCount === 1 ? " has" : "s have"} problems: see the list of sectors.`] : []),
              ]
        }
      />
      {error?.code === "conflict" && base ? (
        <p>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              api.operation(base.id).then(
                (latest) => {
                  flash(`This is the operation as ${latest.edited_by} left it, ${localTime(latest.edited_at)}. Your unsaved changes were set aside.`);
                  onSaved(latest);
                },
                (e: unknown) => setError(asConsoleError(e)),
              );
            }}
          >
            Load their version (your unsaved changes are set aside)
          </button>
        </p>
      ) : null}
      <form onSubmit={save} noValidate class="form wide">
        <fieldset>
          <legend>The operation</legend>
          <TextField id="op-name" label="Operation name" value={name} onInput={setName} autoComplete="off" errors={errs("name")} required />
          <SelectField
            id="op-kind"
            label="Kind of event"
            value={kind}
            onChange={(v) => setKind(EVENT_KINDS.find((k) => k.value === v)?.value ?? "other")}
            options={EVENT_KINDS}
            errors={errs("event_kind")}
            required
          />
          <div class="two">
            <TextField
              id="op-starts"
              label="Starts (local time)"
              type="datetime-local"
              value={starts}
              onInput={setStarts}
              hint={<span>Sent as {utcLabel(fromLocalInput(starts)) || "—"}</span>}
              errors={errs("starts_at")}
              required
            />
            <TextField
              id="op-ends"
              label="Ends (local time)"
              type="datetime-local"
              value={ends}
              onInput={setEnds}
              hint={<span>Sent as {utcLabel(fromLocalInput(ends)) || "—"}</span>}
              errors={errs("ends_at")}
              required
            />
          </div>
        </fieldset>

        <fieldset>
          <legend>Briefing (IIMARCH)</legend>
          <FieldErrors id="briefing-error" messages={errs("briefing")} />
          {IIMARCH.map((h) => (
            <TextArea
              key={h}
              id={`briefing-${h.toLowerCase().replace(/\s+/g, "-")}`}
              label={h}
              hint={TEMPLATE_HINTS[h]}
              rows={3}
              value={briefing[h]}
              onInput={(v) => setBriefing((b) => ({ ...b, [h]: v }))}
            />
          ))}
          <p class="hint">Saved as one briefing text under these seven headings; tablets show it as written.</p>
        </fieldset>

        <fieldset>
          <legend>Command structure</legend>
          <TextArea
            id="op-command"
            label="Gold, Silver, Bronze and the PLT chain"
            rows={4}
            value={command}
            onInput={setCommand}
            errors={errs("command_structure")}
          />
        </fieldset>

        <fieldset>
          <legend>Team</legend>
          <FieldErrors id="team-error" messages={errs("team")} />
          {team.length === 0 ? <p>No one on the team yet.</p> : null}
          <ul class="team-list">
            {team.map((m, i) => (
              <li key={m.officer}>
                <span class="who-line">
                  <strong>{m.officer}</strong> {officerName(m.officer) ?? "(not in the directory)"}
                </span>
                <TextField
                  id={`team-role-${i}`}
                  label={`Role of ${m.officer} on the operation`}
                  value={m.role}
                  onInput={(v) => setTeam(team.map((x, j) => (j === i ? { ...x, role: v } : x)))}
                  errors={errs(`team[${i}]`)}
                  autoComplete="off"
                />
                <button type="button" class="secondary small" onClick={() => setTeam(team.filter((_, j) => j !== i))}>
                  Remove<span class="visually-hidden"> {m.officer} from the team</span>
                </button>
              </li>
            ))}
          </ul>
          <div class="add-row">
            <SelectField
              id="team-add-officer"
              label="Officer to add"
              value={addOfficer}
              onChange={(v) => {
                setAddOfficer(v);
                setAddRole(officers.find((o) => o.officer === v)?.role ?? "");
              }}
              options={[{ value: "", label: available.length ? "Choose an officer" : "Everyone in the directory is on the team" }, ...available.map((o) => ({ value: o.officer, label: `${o.officer} — ${o.name} (${o.role})` }))]}
            />
            <TextField id="team-add-role" label="Their role on the operation" value={addRole} onInput={setAddRole} autoComplete="off" hint="PLO, PLT team leader, Bronze…" />
            <button type="button" class="secondary" onClick={addToTeam} disabled={!addOfficer}>
              Add to team
            </button>
          </div>
          {(op?.groups_expected ?? []).length > 0 ? (
            <p class="hint">{op?.groups_expected?.length} expected group record(s) are linked; they are kept as they are.</p>
          ) : null}
        </fieldset>

        <fieldset class="map-fieldset">
          <legend>Area and sectors</legend>
          <p id="map-help" class="hint">
            Drag, use the arrow keys or the buttons to move the map; the wheel, + and − zoom. To draw, choose what to draw,
            then click each corner in turn (or press Enter to place a corner at the cross in the centre), and finish the
            polygon or click its first corner. The basemap shows coastlines and a latitude/longitude grid only.
          </p>
          <div class="map-layout">
            <div class="map-col">
              <MapView
                id="op-map"
                label={drawing ? `Map: drawing ${drawingWhat}, ${drawing.points.length} points so far` : "Map of the operation area and sectors"}
                describedBy="map-help"
                view={view}
                onView={setView}
                area={area}
                sectors={sectors}
                selected={selected}
                draft={drawing?.points ?? null}
                onPick={drawing ? onPick : undefined}
              />
              <p class="visually-hidden" role="status" aria-live="polite" ref={mapStatus} />
              {mapErrors.length > 0 ? (
                <div class="field-error block" id="map-error">
                  {mapErrors.map((m) => (
                    <p key={m}>{m}</p>
                  ))}
                </div>
              ) : null}
              <div class="draw-tools" role="group" aria-label="Drawing">
                {drawing ? (
                  <>
                    <p class="drawing-now">
                      Drawing {drawingWhat}: {drawing.points.length} point{drawing.points.length === 1 ? "" : "s"}.
                    </p>
                    <button type="button" class="primary" onClick={() => finish(drawing.points)} disabled={drawing.points.length < 3}>
                      Finish polygon
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      onClick={() => setDrawing({ ...drawing, points: drawing.points.slice(0, -1) })}
                      disabled={drawing.points.length === 0}
                    >
                      Undo last point
                    </button>
                    <button type="button" class="secondary" onClick={() => setDrawing(null)}>
                      Cancel drawing
                    </button>
                    {drawProblem ? <p class="field-error" role="alert">{drawProblem}</p> : null}
                  </>
                ) : (
                  <>
                    <button type="button" class="secondary" onClick={() => startDrawing("area")}>
                      {area.length ? "Redraw the operation area" : "Draw the operation area"}
                    </button>
                    {area.length ? (
                      <button type="button" class="secondary" onClick={() => setArea([])}>
                        Clear the area
                      </button>
                    ) : null}
                    <button type="button" class="primary" onClick={() => startDrawing({ sector: null })}>
                      Draw a new sector
                    </button>
                    <button type="button" class="secondary" onClick={showAll} disabled={area.length + sectors.length === 0}>
                      Show the whole area
                    </button>
                  </>
                )}
              </div>
              <div class="centre-row">
                <TextField id="map-centre" label="Centre the map on (latitude, longitude)" value={centreText} onInput={setCentreText} errors={centreError ? [centreError] : undefined} autoComplete="off" />
                <button type="button" class="secondary" onClick={centre}>
                  Go
                </button>
              </div>
            </div>
            <div class="sector-col">
              <h2 class="h3">Sectors</h2>
              <p>
                {area.length ? `Operation area: ${area.length} corners.` : "No operation area drawn (optional)."}
              </p>
              {sectors.length === 0 ? <p>No sectors yet. Draw them on the map.</p> : null}
              <ol class="sector-list">
                {sectors.map((s, i) => (
                  <li key={i} class={selected === i ? "selected" : ""}>
                    <TextField
                      id={`sector-name-${i}`}
                      label={`Sector ${i + 1} name`}
                      value={s.name}
                      onInput={(v) => setSectors(sectors.map((x, j) => (j === i ? { ...x, name: v } : x)))}
                      errors={errs(`sectors[${i}]`)}
                      autoComplete="off"
                      extra={{ onFocus: () => setSelected(i) }}
                    />
                    <p class="hint">{s.boundary.length} corners</p>
                    <div class="actions">
                      <button type="button" class="secondary small" onClick={() => startDrawing({ sector: i })} disabled={!!drawing}>
                        Redraw<span class="visually-hidden"> sector {i + 1}</span>
                      </button>
                      <button
                        type="button"
                        class="danger small"
                        onClick={() => {
                          setSectors(sectors.filter((_, j) => j !== i));
                          setSelected(null);
                          setStatus(`${s.name || `Sector ${i + 1}`} deleted.`);
                        }}
                        disabled={!!drawing}
                      >
                        Delete<span class="visually-hidden"> sector {i + 1}</span>
                      </button>
                    </div>
                  </li>
                ))}
              </ol>
            </div>
          </div>
        </fieldset>

        {base ? (
          <TextField id="op-reason" label="Reason for the change" value={reason} onInput={setReason} errors={errs("reason")} autoComplete="off" required hint="Kept with the revision: tablets and the audit show it." />
        ) : null}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Saving…" : base ? "Save changes" : "Create operation"}
          </button>
          <a class="button secondary" href={href({ name: "operations" })}>
            Back to operations
          </a>
        </div>
      </form>
    </Page>
  );
}
