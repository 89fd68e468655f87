// Screen-reader announcements and visible toasts. Polite for new messages, assertive for errors.
import { createSignal } from 'solid-js';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'ok';
  text: string;
}

const [polite, setPolite] = createSignal('');
const [assertive, setAssertive] = createSignal('');
const [toasts, setToasts] = createSignal<Toast[]>([]);
let nextId = 1;

export { assertive, polite, toasts };

/** Reads `text` to screen-reader users without moving focus. */
export function announce(text: string, urgent = false): void {
  const set = urgent ? setAssertive : setPolite;
  // Clear first so repeating the same text is announced again.
  set('');
  queueMicrotask(() => set(text));
}

/** A visible toast (also announced); errors stay until dismissed or replaced. */
export function notify(kind: Toast['kind'], text: string): void {
  const id = nextId++;
  setToasts((list) => [...list.slice(-3), { id, kind, text }]);
  announce(text, kind === 'error');
  setTimeout(() => dismiss(id), kind === 'error' ? 10_000 : 4_000);
}

export function dismiss(id: number): void {
  setToasts((list) => list.filter((t) => t.id !== id));
}

/** A human message for any thrown value (never a stack). */
export function errorText(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}

/** Removes every toast (e.g. when the session ends, so nothing of it lingers on screen). */
export function clearToasts(): void {
  setToasts([]);
}
