// One row of the conversation: a message (decrypted, deleted or undecryptable), a pending send,
// a membership entry, a day separator, or the edge of history. What the signed data shows the
// server did (a replay, a removal, a withheld or reordered message, an unsigned notice) is said
// on the row itself. Text is always bound as text.
import { type Component, Match, Show, Switch } from 'solid-js';
import type { IntegrityFlag, MessageView } from '../client';
import { dayLabel, formatDateTime, formatTime } from '../lib/format';
import { useChat } from '../stores/chat';
import { type PendingLike, type Row, systemText } from '../stores/chat-model';
import { Avatar } from './Avatar';

interface RowProps {
  row: Row;
  channelId: string;
  timeZone: string;
  onDelete: (seq: number) => void;
}

const Time: Component<{ at: number; timeZone: string }> = (props) => (
  <time
    class="msg-time"
    datetime={new Date(props.at).toISOString()}
    title={formatDateTime(props.at, props.timeZone)}
  >
    {formatTime(props.at, props.timeZone)}
  </time>
);

const SenderHead: Component<{ senderId: string | null; at: number; timeZone: string }> = (props) => {
  const chat = useChat();
  const user = () => chat.user(props.senderId);
  return (
    <div class="msg-head">
      <span class="msg-sender">{user().displayName}</span>
      <Show when={user().verified && props.senderId !== chat.me().id}>
        <span class="verified-badge" title="Verified">
          <span aria-hidden="true">✔</span>
          <span class="visually-hidden">(verified)</span>
        </span>
      </Show>
      <Time at={props.at} timeZone={props.timeZone} />
    </div>
  );
};

const MessageItem: Component<{
  msg: MessageView;
  continued: boolean;
  timeZone: string;
  onDelete: (seq: number) => void;
}> = (props) => {
  const chat = useChat();
  const own = () => props.msg.senderId === chat.me().id;
  const sender = () => chat.user(props.msg.senderId);
  // The sender's signed time; the relay's only orders the timeline (DESIGN §7.3).
  const at = () => props.msg.signedAt ?? props.msg.sentAt;
  const flagged = (flag: IntegrityFlag) => props.msg.flags?.includes(flag) === true;
  return (
    <article
      class={`msg ${own() ? 'own' : ''} ${props.continued ? 'continued' : ''}`}
      aria-label={`${sender().displayName}, ${formatTime(at(), props.timeZone)}`}
      data-seq={props.msg.seq}
      data-status={props.msg.status}
      data-flags={props.msg.flags?.join(' ')}
    >
      <Show when={!props.continued} fallback={<span aria-hidden="true" />}>
        <Avatar userId={sender().id} name={sender().displayName} src={chat.avatarUrl(sender().id)} />
        <SenderHead senderId={props.msg.senderId} at={at()} timeZone={props.timeZone} />
      </Show>
      <Show when={flagged('withheld')}>
        <div class="msg-integrity" role="note">
          ⚠ The server withheld a message here: {sender().displayName} had seen a message before writing this
          one that the server does not show you.
        </div>
      </Show>
      <Show when={flagged('out-of-order')}>
        <div class="msg-integrity" role="note">
          ⚠ Out of order: {sender().displayName} wrote this after a message the server shows below it.
        </div>
      </Show>
      <Switch>
        <Match when={props.msg.status === 'ok'}>
          <div class="msg-body">{props.msg.text ?? '(unsupported message)'}</div>
        </Match>
        <Match when={props.msg.status === 'deleted'}>
          <div class="msg-body deleted">This message was deleted.</div>
        </Match>
        <Match when={props.msg.status === 'removed'}>
          <div class="msg-body removed" role="note">
            ⚠ Removed by the server. {sender().displayName} did not delete this message.
          </div>
        </Match>
        <Match when={props.msg.status === 'replay'}>
          <div class="msg-body removed" role="note">
            ⚠ The server delivered a message again that is already shown earlier. It is shown once.
          </div>
        </Match>
        <Match when={props.msg.status === 'undecryptable'}>
          <div class="msg-body undecryptable" role="note">
            ⚠ Could not decrypt this message ({props.msg.error ?? 'unknown reason'})
          </div>
        </Match>
      </Switch>
      <Show when={flagged('clock-skew')}>
        <div class="msg-integrity subtle" role="note">
          Signed at {formatDateTime(at(), props.timeZone)} by the sender’s clock; the server received it at{' '}
          {formatDateTime(props.msg.sentAt, props.timeZone)}.
        </div>
      </Show>
      <Show when={own() && props.msg.status === 'ok'}>
        <div class="msg-meta">
          <span class="msg-state" data-state="sent">
            ✓ Sent
          </span>
          <Show when={props.continued}>
            <Time at={at()} timeZone={props.timeZone} />
          </Show>
          <span class="msg-actions">
            <button
              type="button"
              class="link-btn danger"
              aria-label="Delete message"
              onClick={() => props.onDelete(props.msg.seq)}
            >
              Delete
            </button>
          </span>
        </div>
      </Show>
    </article>
  );
};

const PendingItem: Component<{ pending: PendingLike; channelId: string; timeZone: string }> = (props) => {
  const chat = useChat();
  const me = () => chat.user(chat.me().id);
  return (
    <article class="msg own" aria-label="Your message" data-state={props.pending.state}>
      <Avatar userId={me().id} name={me().displayName} src={chat.avatarUrl(me().id)} />
      <SenderHead senderId={me().id} at={props.pending.createdAt} timeZone={props.timeZone} />
      <div class="msg-body">{props.pending.text}</div>
      <div class="msg-meta">
        <Show
          when={props.pending.state === 'failed'}
          fallback={
            <span class="msg-state" data-state="pending">
              Sending…
            </span>
          }
        >
          <span class="msg-state" data-state="failed" role="alert">
            Not sent: {props.pending.error}
          </span>
          <button
            type="button"
            class="link-btn"
            onClick={() => chat.retry(props.channelId, props.pending.clientMsgId)}
          >
            Retry
          </button>
          <button
            type="button"
            class="link-btn danger"
            onClick={() => chat.discard(props.channelId, props.pending.clientMsgId)}
          >
            Discard
          </button>
        </Show>
      </div>
    </article>
  );
};

export const HistoryEdge: Component<{ channelId: string }> = (props) => {
  const chat = useChat();
  const h = () => chat.state.history[props.channelId];
  return (
    <div class="history-edge">
      <Switch
        fallback={<span>Beginning of the conversation you can see. Messages are end-to-end encrypted.</span>}
      >
        <Match when={h()?.error}>
          <span role="alert">Could not load older messages. </span>
          <button type="button" class="link-btn" onClick={() => void chat.loadOlder(props.channelId)}>
            Try again
          </button>
        </Match>
        <Match when={!h()?.loaded || h()?.loading || h()?.hasMore}>
          <div class="spinner" role="status" aria-label="Loading older messages" />
        </Match>
      </Switch>
    </div>
  );
};

export const MessageRow: Component<RowProps> = (props) => {
  const chat = useChat();
  const render = (row: Row) => {
    switch (row.kind) {
      case 'edge':
        return <HistoryEdge channelId={props.channelId} />;
      case 'day':
        return <h2 class="day-sep">{dayLabel(row.at, Date.now(), props.timeZone)}</h2>;
      case 'pending':
        return <PendingItem pending={row.pending} channelId={props.channelId} timeZone={props.timeZone} />;
      case 'msg':
        if (row.msg.status === 'system') {
          const text = systemText(
            row.msg,
            (id) => chat.user(id).displayName,
            chat.state.channels[props.channelId]?.kind,
          );
          const unsigned = row.msg.flags?.includes('unsigned-notice') === true;
          return (
            <div
              class={`system-entry ${unsigned ? 'unsigned' : ''}`}
              role="note"
              data-flags={row.msg.flags?.join(' ')}
            >
              {unsigned ? `⚠ The server says: ${text}. No member signed this change.` : text}
              {' · '}
              <Time at={row.msg.sentAt} timeZone={props.timeZone} />
            </div>
          );
        }
        return (
          <MessageItem
            msg={row.msg}
            continued={row.continued}
            timeZone={props.timeZone}
            onDelete={props.onDelete}
          />
        );
    }
  };
  return <>{render(props.row)}</>;
};
