// A conversation: header, key-change warnings, the virtualised timeline with paging, typing
// indicator and the composer (blocked while a member's key change is unresolved). Replies and
// edits are started from a message's menu and finished in the composer; a reply's quote jumps
// to the original, paging history in as needed.
import { type Component, createEffect, createMemo, createSignal, For, on, onCleanup, Show } from 'solid-js';
import type { MessageView } from '../client';
import { Avatar } from '../components/Avatar';
import { ChannelAlerts } from '../components/ChannelAlerts';
import { Composer, type ComposerContext } from '../components/Composer';
import { ConfirmDialog } from '../components/Dialog';
import { EditHistoryDialog } from '../components/EditHistoryDialog';
import { Icon } from '../components/Icon';
import { KeyChangeBanner } from '../components/KeyChangeBanner';
import { MessageRow, type RowActions } from '../components/MessageRow';
import { Topbar } from '../components/Topbar';
import { VirtualList } from '../components/VirtualList';
import { viewerTimeZone } from '../lib/format';
import { notify } from '../stores/announcer';
import { useChat } from '../stores/chat';
import { buildRows, isNote, type Row } from '../stores/chat-model';
import { routeHref } from '../stores/router';

const HIGHLIGHT_MS = 2500;

const snippetOf = (m: MessageView) => {
  const t = (m.text ?? '').replace(/\s+/g, ' ').trim();
  return t.length > 100 ? `${t.slice(0, 100)}…` : t;
};

export const ConversationPage: Component<{ channelId: string }> = (props) => {
  const chat = useChat();
  const timeZone = viewerTimeZone();
  const [toDelete, setToDelete] = createSignal<number | null>(null);
  const [atBottom, setAtBottom] = createSignal(true);
  const [replying, setReplying] = createSignal<MessageView | null>(null);
  const [editing, setEditing] = createSignal<MessageView | null>(null);
  const [historyOf, setHistoryOf] = createSignal<MessageView | null>(null);
  const [highlight, setHighlight] = createSignal<string | null>(null);
  const [scrollTo, setScrollTo] = createSignal<{ key: string } | null>(null);
  let highlightTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(highlightTimer));
  // Another conversation: whatever was being answered or edited belongs to the last one.
  createEffect(
    on(
      () => props.channelId,
      () => {
        setReplying(null);
        setEditing(null);
        setHighlight(null);
      },
      { defer: true },
    ),
  );
  let rowCache = new Map<string, Row>();
  let cacheFor = '';

  const channel = () => chat.state.channels[props.channelId];
  const peer = () => chat.dmPeer(props.channelId);
  const title = () => chat.title(props.channelId);
  const blocked = createMemo(() => chat.blockedMembers(props.channelId));

  const rows = createMemo(() => {
    if (cacheFor !== props.channelId) {
      rowCache = new Map();
      cacheFor = props.channelId;
    }
    return buildRows(
      chat.state.messages[props.channelId] ?? [],
      chat.state.pending[props.channelId] ?? [],
      timeZone,
      rowCache,
      channel()?.kind,
    );
  });
  const isEmpty = () =>
    chat.state.history[props.channelId]?.loaded === true &&
    (chat.state.messages[props.channelId] ?? []).every(isNote) &&
    (chat.state.pending[props.channelId] ?? []).length === 0;

  const typers = createMemo(() =>
    Object.keys(chat.state.typing[props.channelId] ?? {})
      .filter((id) => id !== chat.me().id)
      .map((id) => chat.user(id).displayName),
  );
  const typingText = () => {
    const t = typers();
    if (t.length === 0) return '';
    if (t.length === 1) return `${t[0]} is typing…`;
    if (t.length === 2) return `${t[0]} and ${t[1]} are typing…`;
    return 'Several people are typing…';
  };

  const subtitle = () => {
    const c = channel();
    if (!c) return undefined;
    if (c.kind === 'dm') return peer() ? `@${peer()?.username}` : undefined;
    // DESIGN §7.2: anyone with an account is in broadcast, and the server can make accounts.
    if (c.kind === 'broadcast')
      return 'Everyone on this server · encrypted, but not private from its operator';
    const n = (chat.state.verified[props.channelId] ?? c.members).length;
    return `${n} member${n === 1 ? '' : 's'} · end-to-end encrypted`;
  };

  const composerContext = createMemo((): ComposerContext | null => {
    const e = editing();
    if (e?.clientMsgId) {
      return {
        kind: 'edit',
        key: `edit:${e.clientMsgId}`,
        title: 'Editing your message',
        snippet: snippetOf(e),
        text: e.text ?? '',
        onCancel: () => setEditing(null),
      };
    }
    const r = replying();
    if (r?.clientMsgId) {
      return {
        kind: 'reply',
        key: `reply:${r.clientMsgId}`,
        title: `Replying to ${chat.user(r.senderId).displayName}`,
        snippet: snippetOf(r),
        onCancel: () => setReplying(null),
      };
    }
    return null;
  });

  const onSend = (text: string) => {
    const e = editing();
    if (e?.clientMsgId) {
      setEditing(null);
      if (text !== e.text) void chat.edit(props.channelId, e.clientMsgId, text);
      return;
    }
    const r = replying();
    setReplying(null);
    chat.send(props.channelId, text, r?.clientMsgId ? { replyTo: r.clientMsgId } : {});
  };

  /** Up in an empty composer edits my newest message, as in most messengers. */
  const editLast = () => {
    const list = chat.state.messages[props.channelId] ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const m = list[i];
      if (m?.status === 'ok' && m.payload?.kind === 'text' && m.senderId === chat.me().id) {
        setReplying(null);
        setEditing(m);
        return;
      }
    }
  };

  const jumpTo = async (clientMsgId: string) => {
    const channelId = props.channelId;
    const found = await chat.locate(channelId, clientMsgId);
    if (channelId !== props.channelId) return;
    if (!found) {
      notify('info', 'You cannot see the original message: it was deleted, or sent before you joined.');
      return;
    }
    setScrollTo({ key: `m:${clientMsgId}` });
    setHighlight(clientMsgId);
    clearTimeout(highlightTimer);
    highlightTimer = setTimeout(() => setHighlight(null), HIGHLIGHT_MS);
    // Move the focus there too, once the row is rendered, so keyboard and screen-reader users follow.
    requestAnimationFrame(() =>
      requestAnimationFrame(() =>
        document
          .querySelector<HTMLElement>(`[data-msg-id="${CSS.escape(clientMsgId)}"]`)
          ?.focus({ preventScroll: true }),
      ),
    );
  };

  const rowActions: RowActions = {
    onDelete: (seq) => setToDelete(seq),
    onReply: (m) => {
      setEditing(null);
      setReplying(m);
    },
    onEdit: (m) => {
      setReplying(null);
      setEditing(m);
    },
    onHistory: (m) => setHistoryOf(m),
    onJump: (id) => void jumpTo(id),
  };

  const emptyText = () => {
    const c = channel();
    if (c?.kind === 'dm') return `This is the start of your conversation with ${title()}.`;
    if (c?.kind === 'broadcast')
      return 'Nothing here yet. Everyone on this server can read Broadcast, and so can its operator, who can create accounts: keep secrets for private channels and direct messages.';
    return 'No messages yet. Invite people from the members view and start the conversation.';
  };

  return (
    <Show
      when={channel()}
      fallback={
        <>
          <Topbar title="Conversation" />
          <div class="empty">
            <h2>Not found</h2>
            <p>This conversation does not exist or you are no longer a member.</p>
            <a class="btn" href={routeHref({ name: 'channel', channelId: 'broadcast', panel: null })}>
              Go to Broadcast
            </a>
          </div>
        </>
      }
    >
      <section class="conversation" aria-label={`Conversation: ${title()}`}>
        <Topbar
          title={channel()?.kind === 'group' ? `# ${title()}` : title()}
          subtitle={subtitle()}
          leading={
            <Show when={peer()}>
              {(p) => <Avatar userId={p().id} name={p().displayName} src={chat.avatarUrl(p().id)} />}
            </Show>
          }
          badge={
            <Show when={peer()?.verified && !peer()?.keyChanged && !peer()?.keyProblem}>
              <span class="badge badge-ok" data-testid="verified-badge">
                ✔ Verified
              </span>
            </Show>
          }
        >
          <Show when={peer()}>
            {(p) => (
              <a
                class="btn btn-sm"
                href={routeHref({ name: 'verify', userId: p().id, channelId: props.channelId })}
              >
                <Icon name="shield" />
                <span class="btn-label">Safety number</span>
              </a>
            )}
          </Show>
          <a
            class="btn btn-sm"
            href={routeHref({ name: 'channel', channelId: props.channelId, panel: 'members' })}
          >
            <Icon name="users" />
            <span class="btn-label">Members</span>
          </a>
        </Topbar>
        <ChannelAlerts channelId={props.channelId} />
        <KeyChangeBanner channelId={props.channelId} users={blocked()} />
        <div class="conv-body">
          <VirtualList
            items={rows()}
            itemKey={(r) => r.key}
            isAnchor={(r) => r.kind === 'msg' || r.kind === 'pending'}
            label={`Messages in ${title()}`}
            resetKey={props.channelId}
            onReachTop={() => void chat.loadOlder(props.channelId)}
            onAtBottomChange={setAtBottom}
            loadingOlder={chat.state.history[props.channelId]?.loading ?? false}
            scrollTo={scrollTo()}
            renderItem={(row) => (
              <MessageRow
                row={row}
                channelId={props.channelId}
                timeZone={timeZone}
                actions={rowActions}
                highlight={highlight()}
              />
            )}
          />
          <Show when={isEmpty()}>
            <div class="conv-empty">
              <div class="empty">
                <h2>No messages yet</h2>
                <p>{emptyText()}</p>
              </div>
            </div>
          </Show>
          <Show when={!atBottom()}>
            <button
              type="button"
              class="btn btn-sm jump-latest"
              onClick={(e) => {
                const list = e.currentTarget.parentElement?.querySelector('.vlist');
                if (list) list.scrollTop = list.scrollHeight;
              }}
            >
              ↓ Latest
            </button>
          </Show>
        </div>
        <div class="typing" aria-live="polite">
          {typingText()}
        </div>
        <Show when={chat.sendBlockedReason(props.channelId)}>
          {(reason) => (
            <div class="composer-blocked" role="status" data-testid="send-blocked">
              {reason()}
            </div>
          )}
        </Show>
        <Show when={chat.sendBlockedReason(props.channelId) === null}>
          <Show
            when={blocked().length === 0}
            fallback={
              <div class="composer-blocked" role="status">
                Sending is blocked until you review the changed security key
                {blocked().length > 1 ? 's' : ''} of{' '}
                <For each={blocked()}>
                  {(u, i) => (
                    <>
                      {i() > 0 ? ', ' : ''}
                      {u.displayName}
                    </>
                  )}
                </For>
                .
              </div>
            }
          >
            <Composer
              label={`Message ${channel()?.kind === 'dm' ? title() : channel()?.kind === 'group' ? `#${title()}` : 'Broadcast'}`}
              onSend={onSend}
              onTyping={() => chat.typing(props.channelId)}
              context={composerContext()}
              mentionCandidates={() => chat.mentionCandidates(props.channelId)}
              onEditLast={editLast}
            />
          </Show>
        </Show>
        <EditHistoryDialog
          open={historyOf() !== null}
          versions={(() => {
            const m = historyOf();
            return m?.clientMsgId ? chat.editHistory(props.channelId, m.clientMsgId) : [];
          })()}
          timeZone={timeZone}
          onClose={() => setHistoryOf(null)}
        />
        <ConfirmDialog
          open={toDelete() !== null}
          title="Delete message?"
          message="It will be removed for everyone in this conversation. This cannot be undone."
          confirmLabel="Delete"
          danger
          onCancel={() => setToDelete(null)}
          onConfirm={() => {
            const seq = toDelete();
            setToDelete(null);
            if (seq !== null) void chat.deleteMessage(props.channelId, seq);
          }}
        />
      </section>
    </Show>
  );
};
