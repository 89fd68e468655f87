// A message's text as DOM nodes: links (http and https only, opened in a new page with no opener
// and no referrer; their preview is never fetched) and @mentions of the users the sender signed
// in. Never HTML: every piece is a text node or an element built here.
import { type Component, For, Match, Switch } from 'solid-js';
import { type MentionedUser, pieces } from '../lib/rich-text';

export const RichText: Component<{ text: string; mentioned?: readonly MentionedUser[]; meId?: string }> = (
  props,
) => (
  <For each={pieces(props.text, props.mentioned ?? [])}>
    {(p) => (
      <Switch>
        <Match when={p.kind === 'link' && p}>
          {(link) => (
            <a
              class="msg-link"
              href={link().href}
              target="_blank"
              rel="noopener noreferrer"
              title={link().href}
            >
              {link().text}
            </a>
          )}
        </Match>
        <Match when={p.kind === 'mention' && p}>
          {(m) => (
            <span
              class={`mention ${m().user.id === props.meId ? 'mention-me' : ''}`}
              title={m().user.displayName}
            >
              {m().text}
            </span>
          )}
        </Match>
        <Match when={p.kind === 'text' && p}>{(t) => <>{t().text}</>}</Match>
      </Switch>
    )}
  </For>
);
