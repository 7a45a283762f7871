// A record's photos, audio notes and screenshots wherever the console shows the record: each
// with its thumbnail, kind, size and (pictures) whether its location was kept, and Open (Play
// for audio) showing the full file from the force server. The server gives a file only to
// someone who may see a record naming it, and says when the tablet has not sent it yet; that
// is said here in its words, in place of the picture, and the thumbnail is asked for again a
// little later (a tablet sends its files just after its records, which the live page shows at
// once).
import { useEffect, useRef, useState } from "preact/hooks";
import type { Attachment, AttachmentKind } from "./bindings";
import { api, mediaProblem } from "./api";

export const KIND_LABELS: { [K in AttachmentKind]: string } = {
  photo: "Photo",
  audio: "Audio note",
  screenshot: "Screenshot",
};

/** A size in words: "840 bytes", "12 KB", "2.3 MB". */
export function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} KB`;
  const mb = bytes / 1_000_000;
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

/** What a picture is for someone who cannot see it: its kind, and its caption when it has one. */
export function pictureAlt(a: Attachment, what = ""): string {
  const kind = KIND_LABELS[a.kind];
  const caption = (a.caption ?? "").trim();
  return `${what ? `${what} of ${kind.toLowerCase()}` : kind}${caption ? `: ${caption}` : ", no caption"}`;
}

/** Pictures only: whether the officer kept where it was taken. */
export function locationText(a: Attachment): string | null {
  if (a.kind === "audio") return null;
  return a.location_kept ? "Location kept" : "Location removed";
}

/** The button that shows the whole file, and what it says while it is shown. */
export function openLabel(a: Attachment, open: boolean): string {
  if (open) return "Close";
  return a.kind === "audio" ? "Play" : "Open";
}

/** How long to wait before asking again for a file the server did not have: 5 s, doubling, at most 2 minutes. */
export function retryDelayMs(attempt: number): number {
  return Math.min(5000 * 2 ** attempt, 120_000);
}

/**
 * A file an img or audio element loads: a key that remounts the element to load it again, the
 * server's words when it could not (asked again after `retryDelayMs`, when `retry`), and the
 * handler for the element's error.
 */
function useMedia(url: string, retry: boolean) {
  const [attempt, setAttempt] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const reloadedOnce = useRef(false);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  useEffect(() => {
    if (!problem || !retry) return;
    const t = setTimeout(() => {
      setProblem(null);
      setAttempt((n) => n + 1);
    }, retryDelayMs(attempt));
    return () => clearTimeout(t);
  }, [problem, attempt, retry]);
  const onError = () => {
    void mediaProblem(url).then((m) => {
      if (!alive.current) return;
      if (m === null && !reloadedOnce.current) {
        // It arrived between the element's request and this one: load it again, once.
        reloadedOnce.current = true;
        setAttempt((n) => n + 1);
      } else {
        setProblem(m ?? "This browser cannot show this file.");
      }
    });
  };
  const reset = () => {
    setProblem(null);
    setAttempt((n) => n + 1);
  };
  return { key: `${url}#${attempt}`, problem, onError, reset };
}

let instances = 0;

/** The attachments of one record; nothing when it has none. */
export function Attachments(props: { attachments: Attachment[] | undefined; label?: string }) {
  const items = props.attachments ?? [];
  if (items.length === 0) return null;
  return (
    <ul class="attachments" aria-label={props.label ?? `Attachments (${items.length})`}>
      {items.map((a) => (
        <li key={a.sha256}>
          <AttachmentItem a={a} />
        </li>
      ))}
    </ul>
  );
}

function AttachmentItem({ a }: { a: Attachment }) {
  // The same file may be shown twice on a page (a record on the live page is a card and a row).
  const [id] = useState(() => `attachment-${++instances}`);
  const [open, setOpen] = useState(false);
  const location = locationText(a);
  const thumbUrl = a.thumbnail ? api.mediaUrl(a.thumbnail.sha256) : null;
  const fullUrl = api.mediaUrl(a.sha256);
  const thumb = useMedia(thumbUrl ?? "", true);
  const full = useMedia(fullUrl, false);
  return (
    <div class="attachment" data-sha256={a.sha256}>
      <div class="attachment-thumb">
        {thumbUrl && !thumb.problem ? (
          <img key={thumb.key} src={thumbUrl} alt={pictureAlt(a)} loading="lazy" onError={thumb.onError} />
        ) : (
          <span class="attachment-kind" aria-hidden="true">
            {a.kind === "audio" ? "♪" : "▣"}
          </span>
        )}
      </div>
      <div class="attachment-text">
        <p>
          <strong>{KIND_LABELS[a.kind]}</strong> · {sizeText(a.size)}
          {location ? ` · ${location}` : ""}
        </p>
        {a.caption ? <p class="attachment-caption">{a.caption}</p> : null}
        {thumb.problem ? <p class="hint">No thumbnail yet: {thumb.problem}</p> : null}
        <button
          type="button"
          class="secondary"
          aria-expanded={open}
          aria-controls={id}
          onClick={() => {
            setOpen(!open);
            full.reset();
          }}
        >
          {openLabel(a, open)}
          <span class="visually-hidden"> {pictureAlt(a)}</span>
        </button>
      </div>
      <div id={id} class="attachment-full" hidden={!open}>
        {open && full.problem ? (
          <p role="alert" class="field-error">
            {full.problem}
          </p>
        ) : null}
        {open && !full.problem ? (
          a.kind === "audio" ? (
            <audio key={full.key} controls src={fullUrl} aria-label={pictureAlt(a)} onError={full.onError}>
              This browser cannot play {a.media_type} audio.
            </audio>
          ) : (
            <img key={full.key} src={fullUrl} alt={pictureAlt(a, "Full size")} onError={full.onError} />
          )
        ) : null}
      </div>
    </div>
  );
}
