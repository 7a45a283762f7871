// A one-line notice carried to the next page (after creating an operation the editor opens on
// it and says it was saved).
let pending: string | null = null;

export function flash(message: string): void {
  pending = message;
}

export function takeFlash(): string | null {
  const m = pending;
  pending = null;
  return m;
}
