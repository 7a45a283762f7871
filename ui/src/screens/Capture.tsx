// Capture and edit: one form for every record kind. A new record starts with the time now,
// the platform's position when it has one, and the officer's last sector; the position can be
// placed (or moved) by tapping the map instead, and is saved with the record; what is typed is
// kept as a draft in the device database until it is saved, so closing the app loses nothing.
// An edit asks for a reason. A failed save keeps everything typed and puts each problem
// beside its field.
import { useEffect, useRef, useState } from "preact/hooks";
import type { AppError, Attachment, IncidentType, Location, Record as LRecord, RecordDetail, RecordKind } from "../bindings";
import { api } from "../api";
import { placeErrors } from "../errors";
import { fromLocalInput, toLocalInput, when } from "../format";
import {
  belongsToOperation,
  buildBody,
  DRAFT_ATTACHMENTS,
  DRAFT_POSITION,
  draftAttachments,
  draftKey,
  draftPosition,
  FORMS,
  initialValues,
  parseDraft,
  positionForDraft,
  valuesOf,
  type Values,
} from "../forms";
import { FieldMap } from "../fieldMap";
import { AttachField } from "../media";
import { mapSectors, positionLine } from "../map";
import { go } from "../router";
import { ErrorBox, Field, RecordFields, Screen, useApp, useAsync, useDebounced } from "../ui";
import { CheckBanner } from "./Neighbourhood";

type Mode = { op: string | null; kind: RecordKind; edit: null } | { op: null; kind: null; edit: string };

interface Loaded {
  kind: RecordKind;
  op: string | null;
  values: Values;
  sectors: string[];
  draftSavedAt: string | null;
  existing: RecordDetail | null;
}

/** Asks the platform for a position; resolves null when there is none within the timeout. */
export function currentPosition(timeoutMs = 1500): Promise<Location | null> {
  return new Promise((resolve) => {
    if (!("geolocation" in navigator)) return resolve(null);
    const timer = window.setTimeout(() => resolve(null), timeoutMs);
    try {
      navigator.geolocation.getCurrentPosition(
        (p) => {
          window.clearTimeout(timer);
          resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy });
        },
        () => {
          window.clearTimeout(timer);
          resolve(null);
        },
        { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
      );
    } catch {
      window.clearTimeout(timer);
      resolve(null);
    }
  });
}

export function Capture(props: Mode & { purpose?: string }) {
  const { vocab, kindLabel } = useApp();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [values, setValues] = useState<Values>({});
  const [location, setLocation] = useState<Location | null>(null);
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [devicePosition, setDevicePosition] = useState<Location | null>(null);
  const [placing, setPlacing] = useState(false);
  // The officer chose the position (placed it, took the tablet's, or removed it), here or in a
  // restored draft: the tablet's position arriving later does not replace their choice.
  const chosen = useRef(false);
  const [error, setError] = useState<AppError | null>(null);
  const [saving, setSaving] = useState(false);
  const [purpose, setPurpose] = useState("");
  const [needPurpose, setNeedPurpose] = useState(false);

  const key = loaded ? draftKey(loaded.kind, loaded.op, props.edit) : null;

  async function load(p?: string) {
    try {
      let kind: RecordKind;
      let op: string | null;
      let base: Values;
      let sectors: string[] = [];
      let existing: RecordDetail | null = null;
      if (props.edit) {
        existing = await api.recordDetail(props.edit, p ?? null);
        kind = existing.current.kind;
        op = existing.current.record.operation_id ?? null;
        base = {
          ...valuesOf(kind, existing.current.record.body),
          occurred_at: toLocalInput(existing.current.record.occurred_at),
          sector: existing.current.record.sector ?? "",
          reason: "",
        };
        if (op) sectors = (await api.captureDefaults(op)).sectors;
        setLocation(existing.current.record.location ?? null);
        setAttachments(existing.current.record.attachments ?? []);
      } else {
        if (!props.kind) return;
        kind = props.kind;
        op = props.op;
        base = { ...initialValues(kind, vocab), occurred_at: toLocalInput(new Date().toISOString()) };
        if (op) {
          const d = await api.captureDefaults(op);
          sectors = d.sectors;
          base.occurred_at = toLocalInput(d.occurred_at);
          base.sector = d.sector ?? "";
        }
      }
      const draft = await api.loadDraft(draftKey(kind, op, props.edit));
      const restored = draft ? parseDraft(kind, draft.content) : null;
      const position = restored ? draftPosition(restored) : undefined;
      const attached = restored ? draftAttachments(restored) : undefined;
      if (attached !== undefined) setAttachments(attached);
      if (position !== undefined) {
        chosen.current = true;
        setLocation(position);
      }
      setValues(restored ? { ...base, ...restored } : base);
      setLoaded({ kind, op, values: base, sectors, draftSavedAt: restored && draft ? draft.saved_at : null, existing });
      setNeedPurpose(false);
      setError(null);
    } catch (e) {
      const err = e as AppError;
      if (err.kind === "purpose_required") setNeedPurpose(true);
      else setError(err);
    }
  }

  useEffect(() => {
    setLoaded(null);
    setPlacing(false);
    setLocation(null);
    setAttachments([]);
    chosen.current = false;
    void load();
    if (!props.edit)
      void currentPosition().then((p) => {
        setDevicePosition(p);
        // A position chosen meanwhile (or kept in the draft) is the officer's: keep it.
        if (!chosen.current) setLocation(p);
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.op, props.kind, props.edit]);

  const saveDraft = useDebounced((k: string, v: Values) => {
    void api.saveDraft(k, JSON.stringify(v)).catch(() => undefined);
  }, 300);

  function set(name: string, v: string | boolean) {
    setValues((old) => {
      const next = { ...old, [name]: v };
      if (key) saveDraft(key, next);
      return next;
    });
  }

  /** The officer chose a position: shown, and kept in the draft with what they typed. */
  function choose(l: Location | null) {
    chosen.current = true;
    setLocation(l);
    set(DRAFT_POSITION, positionForDraft(l));
  }

  /** The officer attached or removed a file: kept in the draft too. */
  function attach(a: Attachment[]) {
    setAttachments(a);
    set(DRAFT_ATTACHMENTS, JSON.stringify(a));
  }

  async function discard() {
    if (!loaded || !key) return;
    await api.discardDraft(key);
    chosen.current = false;
    setLocation(loaded.existing ? (loaded.existing.current.record.location ?? null) : devicePosition);
    setAttachments(loaded.existing ? (loaded.existing.current.record.attachments ?? []) : []);
    setValues(loaded.values);
    setLoaded({ ...loaded, draftSavedAt: null });
    setError(null);
  }

  async function save(e: Event) {
    e.preventDefault();
    if (!loaded || !key || saving) return;
    setSaving(true);
    const editing = loaded.existing !== null;
    const occurred = fromLocalInput(String(values.occurred_at ?? "")) ?? new Date().toISOString();
    const sector = String(values.sector ?? "").trim() || null;
    let body = buildBody(loaded.kind, values, loaded.existing?.current.record.body, editing);
    if (body.kind === "tasking") {
      // An override is recorded only where the policy restricts the task (2.8.3); one typed
      // for a type since changed to a suitable one is not kept.
      const incident = body.incident_type;
      const unsuited = vocab.incident_type.find((c) => c.value === incident)?.unsuited_category;
      if (!unsuited) body = { ...body, override_reason: "" };
    }
    const record: LRecord = loaded.existing
      ? { ...loaded.existing.current.record, occurred_at: occurred, sector, location, attachments, body }
      : {
          operation_id: loaded.op && belongsToOperation(loaded.kind) ? loaded.op : null,
          occurred_at: occurred,
          location,
          sector,
          links: [],
          tags: [],
          attachments,
          body,
        };
    try {
      // The draft goes in the same transaction as the save: both or neither.
      const saved = loaded.existing
        ? await api.editRecord(loaded.existing.current.record_id, record, String(values.reason ?? ""), key)
        : await api.createRecord(record, key);
      if (editing) go({ name: "record", id: saved.record_id });
      else if (record.operation_id) go({ name: "timeline", op: record.operation_id, saved: saved.record_id });
      else go({ name: "record", id: saved.record_id });
    } catch (err) {
      setError(err as AppError);
      setSaving(false);
      // Nothing typed is lost: the values stay and the draft is already stored.
      window.setTimeout(() => document.querySelector<HTMLElement>("[aria-invalid='true'], .error-box")?.focus(), 0);
    }
  }

  if (needPurpose) {
    return (
      <Screen title="Why are you opening this record?">
        <PurposePrompt purpose={purpose} setPurpose={setPurpose} onGo={() => void load(purpose)} />
      </Screen>
    );
  }
  if (!loaded) {
    return (
      <Screen title="Loading…">
        <ErrorBox error={error} />
      </Screen>
    );
  }
  const editing = loaded.existing !== null;
  const fieldNames = FORMS[loaded.kind].map((f) => f.name).concat(["occurred_at", "sector", "reason"]);
  const placed = placeErrors(error, fieldNames);
  const title = editing ? `Edit ${kindLabel(loaded.kind).toLowerCase()}` : `New ${kindLabel(loaded.kind).toLowerCase()}`;
  return (
    <Screen title={title}>
      <form class="record-form" onSubmit={save} noValidate>
        {loaded.draftSavedAt ? (
          <div class="notice" role="status">
            <span>Draft restored (last typed {when(loaded.draftSavedAt)}).</span>
            <button type="button" class="btn secondary" onClick={() => void discard()}>
              Discard draft
            </button>
          </div>
        ) : null}
        <ErrorBox error={error} messages={placed.general.length ? placed.general : []} />
        <div class="envelope">
          <Field
            spec={{ name: "occurred_at", label: "When", type: "datetime", required: true }}
            value={values.occurred_at}
            onInput={(v) => set("occurred_at", v)}
            errors={placed.byField.get("occurred_at")}
            vocab={vocab}
          />
          {loaded.sectors.length ? (
            <div class="field">
              <label for="f-sector">
                <span class="label-text">Sector</span>
              </label>
              <select
                id="f-sector"
                name="sector"
                value={String(values.sector ?? "")}
                onChange={(e) => set("sector", (e.currentTarget as HTMLSelectElement).value)}
                aria-invalid={placed.byField.has("sector") ? true : undefined}
              >
                <option value="">From the position, or none</option>
                {loaded.sectors.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
              {placed.byField.get("sector") ? <p class="field-error">Sector {placed.byField.get("sector")?.join("; ")}</p> : null}
            </div>
          ) : null}
          <PositionField
            op={loaded.op}
            location={location}
            devicePosition={devicePosition}
            placing={placing}
            setPlacing={setPlacing}
            setLocation={choose}
          />
        </div>
        <RecordFields kind={loaded.kind} values={values} set={set} placed={placed} editing={editing} />
        <AttachField attachments={attachments} setAttachments={attach} />
        {loaded.kind === "tasking" ? <TaskCheck incident={String(values.incident_type ?? "")} /> : null}
        {editing ? (
          <Field
            spec={{ name: "reason", label: "Reason for the change", type: "textarea", required: true, hint: "Kept with the revision, as in a pocket notebook." }}
            value={values.reason}
            onInput={(v) => set("reason", v)}
            errors={placed.byField.get("reason")}
            vocab={vocab}
          />
        ) : null}
        <div class="form-actions">
          <button type="submit" class="btn primary big" disabled={saving} data-testid="save">
            {saving ? "Saving…" : editing ? "Save change" : "Save"}
          </button>
          <button type="button" class="btn secondary big" onClick={() => history.back()}>
            Back
          </button>
        </div>
      </form>
    </Screen>
  );
}

/**
 * Where the record happened: the tablet's position, or one placed by tapping the map (which
 * opens on the operation's sectors), or none. Saved with the record; the sector follows from
 * it when none is picked.
 */
function PositionField(props: {
  op: string | null;
  location: Location | null;
  devicePosition: Location | null;
  placing: boolean;
  setPlacing: (on: boolean) => void;
  setLocation: (l: Location | null) => void;
}) {
  const { vocab } = useApp();
  const op = props.op;
  const map = useAsync(() => (op && props.placing ? api.operationMap(op) : Promise.resolve(null)), [op, props.placing]);
  const moodLabel = (m: string) => vocab.mood.find((v) => v.value === m)?.label ?? m;
  const fromDevice = props.devicePosition;
  const ready = !op || map.data !== null || map.error !== null;
  return (
    <div class="position-field">
      <p class="position" data-testid="position" aria-live="polite">
        {positionLine(props.location)}
      </p>
      <div class="position-actions">
        <button
          type="button"
          class="btn secondary"
          aria-expanded={props.placing}
          aria-controls="capture-map-block"
          data-testid="place-on-map"
          onClick={() => props.setPlacing(!props.placing)}
        >
          {props.placing ? "Close the map" : props.location ? "Move on the map" : "Place on the map"}
        </button>
        {fromDevice && props.location !== fromDevice ? (
          <button type="button" class="btn secondary" onClick={() => props.setLocation(fromDevice)}>
            Use the tablet's position
          </button>
        ) : null}
        {props.location ? (
          <button type="button" class="btn secondary" data-testid="clear-position" onClick={() => props.setLocation(null)}>
            Remove the position
          </button>
        ) : null}
      </div>
      {props.placing ? (
        <div id="capture-map-block">
          {ready ? (
            <FieldMap
              id="capture-map"
              label="Map: tap, or press Enter at the centre cross, to place the record there"
              describedBy="capture-map-help"
              area={map.data?.area ?? []}
              sectors={map.data ? mapSectors(map.data, moodLabel) : []}
              placed={props.location}
              onPlace={props.setLocation}
              fitTo={props.location ? [] : [...(map.data?.area ?? []), ...(map.data?.sectors ?? []).flatMap((s) => s.boundary)]}
              height={360}
            />
          ) : (
            <p class="muted">Loading the map…</p>
          )}
          <p id="capture-map-help" class="muted">
            Tap where it happened (or move the map with the arrow keys and press Enter at the centre cross). The red marker
            shows the position that will be saved; the line above says it in figures.
          </p>
        </div>
      ) : null}
    </div>
  );
}

export function PurposePrompt(props: { purpose: string; setPurpose: (s: string) => void; onGo: () => void }) {
  const quick = ["Contacting them", "Updating their details", "Briefing", "Safeguarding follow-up"];
  return (
    <form
      class="record-form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onGo();
      }}
    >
      <p>This record holds personal data. Every access is logged with its purpose.</p>
      <div class="chips" role="group" aria-label="Common purposes">
        {quick.map((q) => (
          <button type="button" key={q} class="chip" aria-pressed={props.purpose === q} onClick={() => props.setPurpose(q)}>
            {q}
          </button>
        ))}
      </div>
      <div class="field">
        <label for="f-purpose">
          <span class="label-text">Purpose</span>
        </label>
        <input id="f-purpose" name="purpose" value={props.purpose} onInput={(e) => props.setPurpose((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <div class="form-actions">
        <button type="submit" class="btn primary big" disabled={!props.purpose.trim()}>
          Open
        </button>
      </div>
    </form>
  );
}

/** The PCSO deployment check of the chosen incident type, as the core decides it. */
function TaskCheck({ incident }: { incident: string }) {
  const check = useAsync(
    () => (incident ? api.deploymentCheck(incident as IncidentType) : Promise.resolve(null)),
    [incident],
  );
  if (!check.data) return null;
  return (
    <>
      <CheckBanner check={check.data} />
      {check.data.verdict === "unsuited_as_first_response" ? (
        <p class="muted" data-testid="override-needed">
          To take it on anyway, say why in “Why a PCSO is sent anyway”: it is recorded with the task.
        </p>
      ) : null}
    </>
  );
}
