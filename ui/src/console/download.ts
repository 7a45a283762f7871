// Files the server makes (exports), fetched rather than linked so that a refusal (no purpose,
// not allowed) comes back as a `ConsoleError` the page places beside its field, and then saved
// under the name the server gave. `fileName` is pure; tested in test/console-download.test.ts.

/** The file name of a `Content-Disposition: attachment; filename="…"` header, or `fallback`. */
export function fileName(disposition: string | null, fallback: string): string {
  const m = /filename="([^"]+)"/i.exec(disposition ?? "") ?? /filename=([^;\s]+)/i.exec(disposition ?? "");
  const name = m?.[1]?.trim() ?? "";
  // Only a plain name: never a path.
  return name && !/[\\/]/.test(name) ? name : fallback;
}

/** Offers `blob` to the browser as a download named `name`. */
export function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
