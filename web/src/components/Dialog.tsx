// Modal dialogs on the native <dialog> element: focus is trapped and Escape closes, for free.
import { type Component, createEffect, type JSX, onCleanup, onMount, Show } from 'solid-js';

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: JSX.Element;
  /** Extra class on the <dialog>. */
  class?: string;
}

export const Dialog: Component<DialogProps> = (props) => {
  let el!: HTMLDialogElement;
  const titleId = `dlg-${Math.random().toString(36).slice(2, 9)}`;
  createEffect(() => {
    if (props.open && !el.open) el.showModal();
    else if (!props.open && el.open) el.close();
  });
  onMount(() => {
    const onCancel = (e: Event) => {
      e.preventDefault();
      props.onClose();
    };
    el.addEventListener('cancel', onCancel);
    onCleanup(() => el.removeEventListener('cancel', onCancel));
  });
  onCleanup(() => {
    if (el?.open) el.close();
  });
  return (
    <dialog ref={el} class={`dialog ${props.class ?? ''}`} aria-labelledby={titleId}>
      <Show when={props.open}>
        <div class="dialog-head">
          <h2 id={titleId}>{props.title}</h2>
          <button
            type="button"
            class="btn btn-ghost btn-icon"
            aria-label="Close"
            onClick={() => props.onClose()}
          >
            ✕
          </button>
        </div>
        <div class="dialog-body">{props.children}</div>
      </Show>
    </dialog>
  );
};

interface ConfirmProps {
  open: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** "Are you sure?" with the safe choice focused first. */
export const ConfirmDialog: Component<ConfirmProps> = (props) => (
  <Dialog open={props.open} title={props.title} onClose={props.onCancel} class="dialog-sm">
    <p>{props.message}</p>
    <div class="row dialog-actions">
      <span class="spacer" />
      <button type="button" class="btn" autofocus onClick={() => props.onCancel()}>
        Cancel
      </button>
      <button
        type="button"
        class={props.danger ? 'btn btn-danger-solid' : 'btn btn-primary'}
        disabled={props.busy}
        onClick={() => props.onConfirm()}
      >
        {props.confirmLabel}
      </button>
    </div>
  </Dialog>
);
