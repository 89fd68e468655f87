// Visible notifications plus the two screen-reader live regions (polite and assertive).
import { type Component, For } from 'solid-js';
import { assertive, dismiss, polite, toasts } from '../stores/announcer';

export const Toasts: Component = () => (
  <>
    <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="live-polite">
      {polite()}
    </div>
    <div class="visually-hidden" aria-live="assertive" aria-atomic="true">
      {assertive()}
    </div>
    <section class="toasts" aria-label="Notifications">
      <For each={toasts()}>
        {(t) => (
          <div class={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
            <p>{t.text}</p>
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              aria-label="Dismiss"
              onClick={() => dismiss(t.id)}
            >
              ✕
            </button>
          </div>
        )}
      </For>
    </section>
  </>
);
