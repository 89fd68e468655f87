// The `@` completion list above the composer: the channel's members matching what follows the
// `@`. The composer keeps focus and moves the active option (aria-activedescendant); a click or
// Enter/Tab picks one.
import { type Component, For } from 'solid-js';
import type { MentionCandidate } from '../client';
import { useChat } from '../stores/chat';
import { Avatar } from './Avatar';

export const MENTION_LIST_ID = 'mention-list';
export const mentionOptionId = (i: number) => `mention-opt-${i}`;

export const MentionPopup: Component<{
  options: readonly MentionCandidate[];
  active: number;
  onPick: (c: MentionCandidate) => void;
}> = (props) => {
  const chat = useChat();
  return (
    <div id={MENTION_LIST_ID} class="mention-popup" role="listbox" aria-label="Members to mention">
      <For each={props.options}>
        {(c, i) => (
          <div
            id={mentionOptionId(i())}
            role="option"
            tabIndex={-1}
            class="mention-option"
            aria-selected={i() === props.active ? 'true' : 'false'}
            // Keep the focus in the composer: pick on mousedown, before it would blur.
            onMouseDown={(e) => {
              e.preventDefault();
              props.onPick(c);
            }}
          >
            <Avatar userId={c.id} name={c.displayName} src={chat.avatarUrl(c.id)} size="sm" />
            <span class="mention-name">{c.displayName}</span>
            <span class="mention-user">@{c.username}</span>
          </div>
        )}
      </For>
    </div>
  );
};
