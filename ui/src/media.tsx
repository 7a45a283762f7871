// Photos, audio notes and screenshots on records: attached on the capture screens (the file is
// read here, a thumbnail drawn on the tablet for a picture, and both handed to the shell, which
// takes the location out, encrypts and keeps them), and shown on a record's screen.
import { useEffect, useState } from "preact/hooks";
import type { Attached, Attachment, AttachmentKind, MediaType } from "./bindings";
import { api, asAppError } from "./api";
import { plural } from "./format";

/** Bytes as base64, for the shell. */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) s += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(s);
}

/** What a chosen file is, from its type as the platform says it (the shell checks the bytes). */
export function kindOf(file: { type: string; name: string }, screenshot: boolean): AttachmentKind {
  if (file.type.startsWith("audio/")) return "audio";
  return screenshot || /screenshot/i.test(file.name) ? "screenshot" : "photo";
}

/** "2.4 MB", "180 KB". */
export function size(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} KB`;
}

/** A JPEG thumbnail of a picture, at most 320 px on its longer side, drawn on the tablet. */
async function thumbnail(file: File): Promise<string | null> {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 320 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((done) => canvas.toBlob(done, "image/jpeg", 0.7));
    return blob ? toBase64(new Uint8Array(await blob.arrayBuffer())) : null;
  } catch {
    return null;
  }
}

/** A file a record names, as a `data:` URL: `loading` while the shell decrypts it (or, for a colleague's file not opened here before, fetches it from the force server), `error` saying why it is not to be had. */
export type MediaState = { url: string | null; loading: boolean; error: string | null };

export function useMedia(sha256: string | null | undefined, mime: string): MediaState {
  const [state, setState] = useState<MediaState>({ url: null, loading: false, error: null });
  useEffect(() => {
    let live = true;
    setState({ url: null, loading: !!sha256, error: null });
    if (sha256)
      api
        .mediaFile(sha256)
        .then((b64) => live && setState({ url: `data:${mime};base64,${b64}`, loading: false, error: null }))
        .catch((e: unknown) => live && setState({ url: null, loading: false, error: asAppError(e).message }));
    return () => {
      live = false;
    };
  }, [sha256, mime]);
  return state;
}

const MIME: Record<MediaType, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  mp4_audio: "audio/mp4",
  ogg: "audio/ogg",
  webm: "audio/webm",
  wav: "audio/wav",
};

function label(a: Attachment): string {
  return a.kind === "audio" ? "Audio note" : a.kind === "screenshot" ? "Screenshot" : "Photo";
}

/** What the card says about the file's location metadata: only pictures have it taken out. */
export function locationNote(a: Pick<Attachment, "kind" | "location_kept">): string {
  if (a.kind === "audio") return "Kept as recorded";
  return a.location_kept ? "Location kept" : "Location removed";
}

function AttachmentCard({ a, onRemove }: { a: Attachment; onRemove?: () => void }) {
  const thumb = useMedia(a.thumbnail?.sha256, "image/jpeg");
  const [open, setOpen] = useState(false);
  const full = useMedia(open ? a.sha256 : null, MIME[a.media_type]);
  const audio = a.kind === "audio";
  return (
    <li class="attachment" data-testid="attachment">
      {audio ? (
        <span class="attachment-icon" aria-hidden="true">
          ♪
        </span>
      ) : thumb.url ? (
        <img src={thumb.url} alt={`${label(a)}${a.caption ? `: ${a.caption}` : ""}`} data-testid="attachment-thumbnail" width={96} />
      ) : (
        <span class="attachment-icon" aria-hidden="true" title={thumb.loading ? undefined : "The thumbnail comes with the next sync"}>
          ▣
        </span>
      )}
      <span class="attachment-text">
        {label(a)}, {size(Number(a.size))}
        {a.caption ? ` · ${a.caption}` : ""}
        <br />
        <small>{locationNote(a)}</small>
      </span>
      <button type="button" class="btn ghost" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="open-attachment">
        {open ? "Close" : audio ? "Play" : "Open"}
      </button>
      {onRemove ? (
        <button type="button" class="btn ghost" onClick={onRemove} data-testid="remove-attachment">
          Remove
        </button>
      ) : null}
      {open && full.url && audio ? <audio class="attachment-full" src={full.url} controls data-testid="attachment-full" /> : null}
      {open && full.url && !audio ? <img class="attachment-full" src={full.url} alt={label(a)} data-testid="attachment-full" /> : null}
      {open && full.loading ? (
        <small role="status" data-testid="attachment-fetching">
          Opening… (a colleague's file is fetched from the force server the first time)
        </small>
      ) : null}
      {open && full.error ? (
        <small role="alert" data-testid="attachment-error">
          {full.error}
        </small>
      ) : null}
    </li>
  );
}

/** A record's attachments, read only. */
export function AttachmentList({ attachments }: { attachments: Attachment[] }) {
  if (attachments.length === 0) return null;
  return (
    <section aria-labelledby="h-attachments">
      <h2 id="h-attachments">{plural(attachments.length, "attachment")}</h2>
      <ul class="attachments">
        {attachments.map((a) => (
          <AttachmentCard key={a.sha256} a={a} />
        ))}
      </ul>
    </section>
  );
}

/** The capture screens' attachments: choose a file (or take a photo where the platform has a camera). */
export function AttachField({ attachments, setAttachments }: { attachments: Attachment[]; setAttachments: (a: Attachment[]) => void }) {
  const [keepLocation, setKeepLocation] = useState(false);
  const [screenshot, setScreenshot] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [removed, setRemoved] = useState<string | null>(null);

  async function chosen(input: HTMLInputElement) {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    setBusy(true);
    setError(null);
    setRemoved(null);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const kind = kindOf(file, screenshot);
      const thumb = kind === "audio" ? null : await thumbnail(file);
      const done: Attached = await api.attachFile({ kind, keep_location: keepLocation, caption: "" }, toBase64(bytes), thumb);
      if (!attachments.some((a) => a.sha256 === done.attachment.sha256)) setAttachments([...attachments, done.attachment]);
      if (done.removed.length) setRemoved(`Taken out of ${file.name}: ${done.removed.join(", ")}.`);
    } catch (e) {
      setError(asAppError(e).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <fieldset class="field attach-field">
      <legend>Photos, audio and screenshots</legend>
      <ul class="attachments">
        {attachments.map((a) => (
          <AttachmentCard key={a.sha256} a={a} onRemove={() => setAttachments(attachments.filter((b) => b.sha256 !== a.sha256))} />
        ))}
      </ul>
      <label for="attach-file" class="label-text">
        {busy ? "Keeping the file…" : "Attach a photo, audio note or screenshot"}
      </label>
      <input
        id="attach-file"
        type="file"
        accept="image/jpeg,image/png,image/webp,audio/*"
        data-testid="attach-file"
        disabled={busy}
        onChange={(e) => void chosen(e.currentTarget as HTMLInputElement)}
      />
      <label class="check">
        <input type="checkbox" checked={screenshot} onChange={(e) => setScreenshot((e.currentTarget as HTMLInputElement).checked)} />
        It is a screenshot
      </label>
      <label class="check">
        <input type="checkbox" checked={keepLocation} onChange={(e) => setKeepLocation((e.currentTarget as HTMLInputElement).checked)} />
        Keep where the picture was taken (removed otherwise)
      </label>
      {removed ? (
        <p class="hint" role="status" data-testid="attach-removed">
          {removed}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" role="alert" data-testid="attach-error">
          {error}
        </p>
      ) : null}
      <p class="hint">Kept encrypted on this tablet, and sent after the record when there is signal.</p>
    </fieldset>
  );
}
