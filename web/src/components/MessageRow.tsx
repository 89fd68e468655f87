// One row of the conversation: a message (decrypted, deleted or undecryptable), a pending send,
// a membership entry, a day separator, or the edge of history. What the signed data shows the
// server did (a replay, a removal, a withheld or reordered message, an unsigned notice) is said
// on the row itself. Text is always bound as text (links and mentions are elements built by
// RichText, never HTML). Each message has a small menu: react, reply, and for my own, edit and
// delete.
import { type Component, createSignal, Match, Show, Switch } from 'solid-js';
import type { IntegrityFlag, MessageView } from '../client';
import { dayLabel, formatDateTime, formatTime } from '../lib/format';
import type { MentionedUser } from '../lib/rich-text';
import { useChat } from '../stores/chat';
import { type PendingLike, type Row, systemText } from '../stores/chat-model';
import { ActionIcon } from './ActionIcon';
import { Avatar } from './Avatar';
import { ReactionBar, ReactionPicker } from './ReactionPicker';
import { ReplyQuote } from './ReplyQuote';
import { RichText } from './RichText';

/** What a message's menu and quote ask the conversation to do. */
export interface RowActions {
  onDelete: (seq: number) => void;
  onReply: (msg: MessageView) => void;
  onEdit: (msg: MessageView) => void;
  onHistory: (msg: MessageView) => void;
  /** Show the message with this clientMsgId (a reply's original). */
  onJump: (clientMsgId: string) => void;
}

interface RowProps {
  row: Row;
  channelId: string;
  timeZone: string;
  actions: RowActions;
  /** clientMsgId of the message to highlight (just jumped to). */
  highlight?: string | null;
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

/** The message's menu: react, reply, and for my own, edit and delete. Shown on hover and focus. */
const MessageMenu: Component<{ msg: MessageView; channelId: string; actions: RowActions }> = (props) => {
  const chat = useChat();
  const [picking, setPicking] = createSignal(false);
  const own = () => props.msg.senderId === chat.me().id;
  const mine = () => (props.msg.reactions ?? []).filter((r) => r.mine).map((r) => r.emoji);
  let reactButton!: HTMLButtonElement;
  const closePicker = () => {
    setPicking(false);
    reactButton?.focus();
  };
  return (
    <div class={`msg-menu ${picking() ? 'open' : ''}`} role="toolbar" aria-label="Message actions">
      <Show
        when={picking()}
        fallback={
          <>
            <button
              ref={reactButton}
              type="button"
              class="msg-menu-btn"
              aria-label="React"
              title="React"
              onClick={() => setPicking(true)}
            >
              <ActionIcon name="smile" />
            </button>
            <button
              type="button"
              class="msg-menu-btn"
              aria-label="Reply"
              title="Reply"
              onClick={() => props.actions.onReply(props.msg)}
            >
              <ActionIcon name="reply" />
            </button>
            <Show when={own()}>
              <button
                type="button"
                class="msg-menu-btn"
                aria-label="Edit message"
                title="Edit"
                onClick={() => props.actions.onEdit(props.msg)}
              >
                <ActionIcon name="edit" />
              </button>
              <button
                type="button"
                class="msg-menu-btn danger"
                aria-label="Delete message"
                title="Delete"
                onClick={() => props.actions.onDelete(props.msg.seq)}
              >
                <ActionIcon name="trash" />
              </button>
            </Show>
          </>
        }
      >
        <ReactionPicker
          mine={mine()}
          onClose={closePicker}
          onPick={(emoji) => {
            closePicker();
            if (props.msg.clientMsgId)
              void chat.toggleReaction(props.channelId, props.msg.clientMsgId, emoji);
          }}
        />
      </Show>
    </div>
  );
};

const MessageItem: Component<{
  msg: MessageView;
  channelId: string;
  continued: boolean;
  timeZone: string;
  actions: RowActions;
  highlighted: boolean;
}> = (props) => {
  const chat = useChat();
  const own = () => props.msg.senderId === chat.me().id;
  const sender = () => chat.user(props.msg.senderId);
  // The sender's signed time; the relay's only orders the timeline (DESIGN §7.3).
  const at = () => props.msg.signedAt ?? props.msg.sentAt;
  const flagged = (flag: IntegrityFlag) => props.msg.flags?.includes(flag) === true;
  const readable = () => props.msg.status === 'ok' && props.msg.payload?.kind === 'text';
  // The users the newest version names, as signed by the sender.
  const mentioned = (): MentionedUser[] => {
    const p = props.msg.payload;
    const ids = props.msg.edits?.at(-1)?.mentions ?? (p?.kind === 'text' ? p.mentions : undefined) ?? [];
    return ids.map((id) => chat.user(id));
  };
  const label = () =>
    `${sender().displayName}, ${formatTime(at(), props.timeZone)}${props.msg.mentionsMe ? ', mentions you' : ''}`;
  return (
    <article
      class={`msg ${own() ? 'own' : ''} ${props.continued ? 'continued' : ''} ${props.msg.mentionsMe ? 'mentioned' : ''} ${props.highlighted ? 'highlight' : ''}`}
      aria-label={label()}
      tabindex="-1"
      data-seq={props.msg.seq}
      data-msg-id={props.msg.clientMsgId ?? undefined}
      data-status={props.msg.status}
      data-flags={props.msg.flags?.join(' ')}
    >
      <Show when={readable()}>
        <MessageMenu msg={props.msg} channelId={props.channelId} actions={props.actions} />
      </Show>
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
      <Show when={props.msg.reply}>
        {(reply) => <ReplyQuote channelId={props.channelId} reply={reply()} onJump={props.actions.onJump} />}
      </Show>
      <Switch>
        <Match when={props.msg.status === 'ok'}>
          <div class="msg-body">
            <Show when={props.msg.text !== undefined} fallback="(unsupported message)">
              <RichText text={props.msg.text ?? ''} mentioned={mentioned()} meId={chat.me().id} />
            </Show>
            <Show when={props.msg.edits}>
              {' '}
              <button
                type="button"
                class="edited-mark"
                aria-label="Edited: show the edit history"
                onClick={() => props.actions.onHistory(props.msg)}
              >
                (edited)
              </button>
            </Show>
          </div>
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
      <Show when={readable() && props.msg.reactions}>
        {(reactions) => (
          <ReactionBar
            reactions={reactions()}
            onToggle={(emoji) => {
              if (props.msg.clientMsgId)
                void chat.toggleReaction(props.channelId, props.msg.clientMsgId, emoji);
            }}
          />
        )}
      </Show>
      <Show when={own() && props.msg.status === 'ok'}>
        <div class="msg-meta">
          <span class="msg-state" data-state="sent">
            ✓ Sent
          </span>
          <Show when={props.continued}>
            <Time at={at()} timeZone={props.timeZone} />
          </Show>
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

/**
 * An edit, reaction or delete is no row; one is shown only when the signed data says the server
 * withheld or reordered something around it, or when it is an edit someone forged.
 */
const HiddenEntryNote: Component<{ msg: MessageView }> = (props) => {
  const chat = useChat();
  const who = () => chat.user(props.msg.senderId).displayName;
  const what = () => {
    const kind = props.msg.payload?.kind;
    return kind === 'reaction' ? 'reacting' : kind === 'edit' ? 'editing' : 'deleting';
  };
  return (
    <div
      class="system-entry unsigned"
      role="note"
      data-status={props.msg.status}
      data-flags={props.msg.flags?.join(' ')}
    >
      <Switch>
        <Match when={props.msg.status === 'rejected'}>
          ⚠ {who()} sent an edit of someone else’s message. It was ignored: only a message’s sender can edit
          it.
        </Match>
        <Match when={props.msg.flags?.includes('withheld')}>
          ⚠ The server withheld a message here: {who()} had seen a message before {what()} that the server
          does not show you.
        </Match>
        <Match when={props.msg.flags?.includes('out-of-order')}>
          ⚠ Out of order: {who()} was {what()} after a message the server shows below this point.
        </Match>
      </Switch>
    </div>
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
        if (row.msg.status === 'control' || row.msg.status === 'rejected') {
          return <HiddenEntryNote msg={row.msg} />;
        }
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
            channelId={props.channelId}
            continued={row.continued}
            timeZone={props.timeZone}
            actions={props.actions}
            highlighted={row.msg.clientMsgId !== null && row.msg.clientMsgId === props.highlight}
          />
        );
    }
  };
  return <>{render(props.row)}</>;
};
