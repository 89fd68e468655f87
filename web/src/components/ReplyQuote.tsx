// The quote at the top of a reply: who wrote the original and how it began. A click jumps to the
// original, paging older history in when it is not loaded. When it cannot be seen, it says why.
import { type Component, Match, Switch } from 'solid-js';
import type { ReplyPreview } from '../client';
import { useChat } from '../stores/chat';

const SNIPPET_CHARS = 140;

export const ReplyQuote: Component<{
  channelId: string;
  reply: ReplyPreview;
  onJump: (clientMsgId: string) => void;
}> = (props) => {
  const chat = useChat();
  const sender = () => chat.user(props.reply.senderId ?? null).displayName;
  const h = () => chat.state.history[props.channelId];
  // Not held: maybe in older history not loaded yet; once all of it is, it was never visible.
  const mayLoad = () => !h()?.loaded || h()?.hasMore === true;
  const snippet = () => {
    const t = (props.reply.text ?? '').replace(/\s+/g, ' ').trim();
    return t.length > SNIPPET_CHARS ? `${t.slice(0, SNIPPET_CHARS)}…` : t;
  };
  const jump = () => props.onJump(props.reply.clientMsgId);
  return (
    <Switch>
      <Match when={props.reply.state === 'shown'}>
        <button
          type="button"
          class="reply-quote"
          aria-label={`Show the original message from ${sender()}: ${snippet()}`}
          onClick={jump}
        >
          <span class="reply-sender">{sender()}</span>
          <span class="reply-text">{snippet()}</span>
        </button>
      </Match>
      <Match when={props.reply.state === 'missing' && mayLoad()}>
        <button type="button" class="reply-quote faint" onClick={jump}>
          <span class="reply-text">Reply to an earlier message · show it</span>
        </button>
      </Match>
      <Match when={true}>
        <div class="reply-quote faint" role="note">
          <span class="reply-text">
            <Switch>
              <Match when={props.reply.state === 'deleted'}>Reply to a message {sender()} deleted.</Match>
              <Match when={props.reply.state === 'removed'}>Reply to a message the server removed.</Match>
              <Match when={props.reply.state === 'unreadable'}>
                Reply to a message that could not be decrypted.
              </Match>
              <Match when={true}>
                Reply to a message you cannot see: it was deleted, or sent before you joined.
              </Match>
            </Switch>
          </span>
        </div>
      </Match>
    </Switch>
  );
};
