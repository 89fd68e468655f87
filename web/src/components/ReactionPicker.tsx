// Reactions: the picker (a small set of emoji, each toggled for me) and the chips under a message
// with their counts. Who reacted shows on hover or keyboard focus, and on a long press on touch
// screens. Reactions are signed, encrypted messages like any other; the relay sees only their size.
import { type Component, createSignal, For, onCleanup, onMount } from 'solid-js';
import { REACTION_EMOJI, type ReactionSummary } from '../client';
import { useChat } from '../stores/chat';

const LONG_PRESS_MS = 500;

/** A row of emoji buttons; Escape or a click elsewhere closes it. */
export const ReactionPicker: Component<{
  mine: readonly string[];
  onPick: (emoji: string) => void;
  onClose: () => void;
}> = (props) => {
  let el!: HTMLFieldSetElement;
  onMount(() => {
    el.querySelector<HTMLButtonElement>('button')?.focus();
    const away = (e: PointerEvent) => {
      if (!el.contains(e.target as Node)) props.onClose();
    };
    document.addEventListener('pointerdown', away, true);
    onCleanup(() => document.removeEventListener('pointerdown', away, true));
  });
  const onKey = (e: KeyboardEvent) => {
    const buttons = [...el.querySelectorAll<HTMLButtonElement>('button')];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      e.stopPropagation();
      props.onClose();
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const next = (i + (e.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length;
      buttons[next]?.focus();
    }
  };
  return (
    <fieldset ref={el} class="reaction-picker" onKeyDown={onKey}>
      <legend class="visually-hidden">Pick a reaction</legend>
      <For each={REACTION_EMOJI}>
        {(emoji) => (
          <button
            type="button"
            class="reaction-pick"
            aria-label={`React with ${emoji}`}
            aria-pressed={props.mine.includes(emoji) ? 'true' : 'false'}
            onClick={() => props.onPick(emoji)}
          >
            {emoji}
          </button>
        )}
      </For>
    </fieldset>
  );
};

/** The reactions on a message; a click toggles mine. */
export const ReactionBar: Component<{
  reactions: readonly ReactionSummary[];
  onToggle: (emoji: string) => void;
}> = (props) => {
  const chat = useChat();
  const [pressed, setPressed] = createSignal<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let longPressed = false;
  const names = (r: ReactionSummary) =>
    r.users.map((id) => (id === chat.me().id ? 'You' : chat.user(id).displayName)).join(', ');
  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  onCleanup(clear);
  const closeWho = () => setPressed(null);
  onMount(() => document.addEventListener('pointerdown', closeWho));
  onCleanup(() => document.removeEventListener('pointerdown', closeWho));

  return (
    <ul class="reactions" aria-label="Reactions">
      <For each={props.reactions}>
        {(r) => (
          <li class={`reaction ${pressed() === r.emoji ? 'show-who' : ''}`}>
            <button
              type="button"
              class={`reaction-chip ${r.mine ? 'mine' : ''}`}
              aria-pressed={r.mine ? 'true' : 'false'}
              aria-label={`${r.emoji} ${r.count}: ${names(r)}. ${r.mine ? 'Remove yours' : 'Add yours'}`}
              onPointerDown={(e) => {
                if (e.pointerType !== 'touch') return;
                longPressed = false;
                clear();
                timer = setTimeout(() => {
                  longPressed = true;
                  setPressed(r.emoji);
                }, LONG_PRESS_MS);
              }}
              onPointerUp={clear}
              onPointerCancel={clear}
              onContextMenu={(e) => {
                // A long press on touch opens the context menu too; it shows who instead.
                if (longPressed) e.preventDefault();
              }}
              onClick={() => {
                if (longPressed) {
                  longPressed = false;
                  return;
                }
                props.onToggle(r.emoji);
              }}
            >
              <span aria-hidden="true">{r.emoji}</span>
              <span class="reaction-count" aria-hidden="true">
                {r.count}
              </span>
            </button>
            <span class="reaction-who" aria-hidden="true">
              {names(r)}
            </span>
          </li>
        )}
      </For>
    </ul>
  );
};
