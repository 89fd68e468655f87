// Conversations: channels, the people in them, decrypted timelines, pending sends, unread counts,
// typing, trust (verified / key changed) and the connection state. Built on the ParleyClient's
// events; exposed to pages through context as state plus actions.
import type { ChannelSummary, Me } from '@parley/server/protocol';
import { batch, createContext, type JSX, onCleanup, useContext } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import {
  ApiError,
  type ChannelAlert,
  type ConnectionEvent,
  type Contact,
  type EditVersion,
  KeyChangeBlockedError,
  type MentionCandidate,
  type MessageView,
  type ParleyClient,
  type SafetyNumber,
  TrustUnknownError,
  type VerifiedMember,
} from '../client';
import { announce, errorText, notify } from './announcer';
import { channelTitle, type PendingLike, type UserInfo, userFromContact, userFromMe } from './chat-model';
import { navigate } from './router';
import { SESSION_ENDED_TEXT } from './session';

export type { UserInfo } from './chat-model';

export interface HistoryState {
  loaded: boolean;
  loading: boolean;
  hasMore: boolean;
  error: string | null;
}

export interface ChatState {
  channels: Record<string, ChannelSummary>;
  users: Record<string, UserInfo>;
  messages: Record<string, MessageView[]>;
  pending: Record<string, PendingLike[]>;
  history: Record<string, HistoryState>;
  unread: Record<string, number>;
  /** Unread messages that mention me, per channel (counted as they arrive). */
  mentions: Record<string, number>;
  /** channelId → userId → time the indicator expires. */
  typing: Record<string, Record<string, number>>;
  online: Record<string, boolean>;
  connection: ConnectionEvent;
  active: string | null;
  ready: boolean;
  /** What the client caught the relay doing, per channel (DESIGN §7). */
  alerts: Record<string, ChannelAlert[]>;
  /** Members as the client verified them (a group's signed log); null: not verified. */
  verified: Record<string, VerifiedMember[] | null>;
  /** Why trust is unknown (the pins blob failed closed), or null. */
  trustUnknown: string | null;
  /** The key log shows something wrong with my own key, or forked (DESIGN §7.5); never cleared. */
  keyLogAlarm: string | null;
}

export interface ChatActions {
  readonly state: ChatState;
  me(): Me;
  title(channelId: string): string;
  /** Members other than me whose key change blocks sending in this channel. */
  blockedMembers(channelId: string): UserInfo[];
  /** Members other than me whose key changed and is not yet acknowledged. */
  changedMembers(channelId: string): UserInfo[];
  dmPeer(channelId: string): UserInfo | null;
  /** Why sending in this channel is paused, or null (trust unknown, forked views, unsigned members). */
  sendBlockedReason(channelId: string): string | null;
  /** The owner of a group made before signed membership signs its current members. */
  signMembers(channelId: string): Promise<void>;
  /** Leaves trust unknown: keep the contacts re-verified since, or start over. */
  resolveTrust(how: 'reverified' | 'reset'): Promise<void>;
  /** Contacts re-verified while trust is unknown. */
  reverified(): string[];
  /** The key log's confirmation of a contact's key: version and the epoch it was checked at. */
  keyLogStatus(userId: string): Promise<{ version: number; epoch: number } | null>;
  user(userId: string | null): UserInfo;
  avatarUrl(userId: string): string | null;
  openChannel(channelId: string | null): void;
  loadOlder(channelId: string): Promise<void>;
  /** Sends a text; `replyTo` names the message it answers. */
  send(channelId: string, text: string, opts?: { replyTo?: string }): void;
  /** Replaces the text of one of my messages. */
  edit(channelId: string, clientMsgId: string, text: string): Promise<void>;
  /** Every version of a message's text, the original first. */
  editHistory(channelId: string, clientMsgId: string): EditVersion[];
  /** Puts my emoji on a message, or takes it back. */
  toggleReaction(channelId: string, clientMsgId: string, emoji: string): Promise<void>;
  /** The members `@` can name here. */
  mentionCandidates(channelId: string): MentionCandidate[];
  /** Pages older history in until the message is held; false when it never was visible. */
  locate(channelId: string, clientMsgId: string): Promise<boolean>;
  retry(channelId: string, clientMsgId: string): void;
  discard(channelId: string, clientMsgId: string): void;
  deleteMessage(channelId: string, seq: number): Promise<void>;
  typing(channelId: string): void;
  markRead(channelId: string): void;
  openDm(userId: string): Promise<void>;
  createGroup(name: string): Promise<void>;
  invite(channelId: string, userId: string): Promise<void>;
  removeMember(channelId: string, userId: string): Promise<void>;
  leave(channelId: string): Promise<void>;
  safetyNumber(userId: string): Promise<SafetyNumber>;
  setVerified(userId: string, verified: boolean): Promise<void>;
  acknowledgeKeyChange(userId: string): Promise<void>;
  refreshContacts(): Promise<void>;
  setMe(me: Me): void;
}

const ChatContext = createContext<ChatActions>();

const PAGE = 50;
const TYPING_MS = 6000;

export function ChatProvider(props: {
  client: ParleyClient;
  me: Me;
  avatarUrl: (userId: string, version: number | null) => string | null;
  onSessionEnded: (reason: string) => void;
  children: JSX.Element;
}): JSX.Element {
  const client = props.client;
  const [state, setState] = createStore<ChatState>({
    channels: {},
    users: { [props.me.id]: userFromMe(props.me) },
    messages: {},
    pending: {},
    history: {},
    unread: {},
    mentions: {},
    typing: {},
    online: {},
    connection: { state: client.socket?.state ?? 'idle', attempt: 0 },
    active: null,
    ready: false,
    alerts: {},
    verified: {},
    trustUnknown: client.trustUnknown,
    keyLogAlarm: client.keyLogAlarm,
  });
  let me: Me = props.me;
  /** Highest seq already counted (unread) or announced per channel. */
  const highWater = new Map<string, number>();
  const dirtyChannels = new Set<string>();
  let flushQueued = false;
  const lastTypingSent = new Map<string, number>();
  let lastContactsRefresh = 0;

  const isAuthError = (err: unknown) => err instanceof ApiError && err.status === 401;
  const sessionOver = () => props.onSessionEnded(SESSION_ENDED_TEXT);
  const fail = (err: unknown, prefix?: string) => {
    if (isAuthError(err)) {
      sessionOver();
      return;
    }
    notify('error', prefix ? `${prefix}: ${errorText(err)}` : errorText(err));
  };

  // ---- store updates from the client ----

  const setUsers = (contacts: readonly Contact[]) => {
    const users: Record<string, UserInfo> = { [me.id]: userFromMe(me) };
    for (const c of contacts) users[c.id] = userFromContact(c);
    // Keep users we knew who left the directory (deleted accounts) so old messages keep a name.
    for (const [id, u] of Object.entries(state.users)) if (!users[id]) users[id] = { ...u, deleted: true };
    setState('users', reconcile(users));
  };

  /** Members the directory leaves out (disabled accounts) are looked up one by one, once. */
  const lookedUp = new Set<string>();
  const learnMembers = (c: ChannelSummary) => {
    for (const { userId } of c.members) {
      if (state.users[userId] || lookedUp.has(userId)) continue;
      lookedUp.add(userId);
      client.contacts
        .get(userId)
        .then(() => setUsers(client.contacts.list()))
        .catch(() => {}); // a deleted account stays "Unknown user"
    }
  };

  const putChannel = (c: ChannelSummary) => {
    const isNew = !state.channels[c.id];
    setState('channels', c.id, reconcile(c));
    setState('verified', c.id, client.members(c.id));
    learnMembers(c);
    if (isNew) {
      setState('unread', c.id, c.unread);
      highWater.set(c.id, Math.max(highWater.get(c.id) ?? 0, c.lastSeq));
      // The open conversation only now became known (e.g. a DM someone just started).
      if (state.active === c.id) queueMicrotask(() => actions.openChannel(c.id));
    }
  };

  const dropChannel = (channelId: string) => {
    setState(
      produce((s) => {
        delete s.channels[channelId];
        delete s.messages[channelId];
        delete s.pending[channelId];
        delete s.history[channelId];
        delete s.unread[channelId];
        delete s.mentions[channelId];
        delete s.typing[channelId];
        delete s.alerts[channelId];
        delete s.verified[channelId];
      }),
    );
    if (state.active === channelId)
      navigate({ name: 'channel', channelId: 'broadcast', panel: null }, { replace: true });
  };

  /** Copies the client's decrypted timeline into the store (coalesced per microtask). */
  const scheduleFlush = (channelId: string) => {
    dirtyChannels.add(channelId);
    if (flushQueued) return;
    flushQueued = true;
    queueMicrotask(() => {
      flushQueued = false;
      for (const ch of dirtyChannels) flush(ch);
      dirtyChannels.clear();
    });
  };

  const flush = (channelId: string) => {
    if (!state.channels[channelId] && !client.channels.peek(channelId)) return;
    const views = client.timeline(channelId).map((v) => ({ ...v }));
    const held = new Set(views.map((v) => v.clientMsgId).filter((id): id is string => id !== null));
    batch(() => {
      setState('messages', channelId, reconcile(views, { key: 'seq', merge: false }));
      if ((state.pending[channelId] ?? []).some((p) => held.has(p.clientMsgId))) {
        setState('pending', channelId, (list) => list.filter((p) => !held.has(p.clientMsgId)));
      }
    });
  };

  const onMessage = (v: MessageView) => {
    scheduleFlush(v.channelId);
    const hw = highWater.get(v.channelId) ?? 0;
    if (v.seq <= hw) return;
    highWater.set(v.channelId, v.seq);
    if (v.status === 'system' || v.status === 'deleted' || v.senderId === me.id) return;
    // A signed delete, an edit or a reaction changes another message; it is none to read.
    const kind = v.payload?.kind;
    if (kind === 'delete' || kind === 'edit' || kind === 'reaction') return;
    const mentioned = v.payload?.kind === 'text' && v.payload.mentions?.includes(me.id) === true;
    const visible = state.active === v.channelId && document.visibilityState === 'visible';
    if (visible) markReadSoon(v.channelId);
    else {
      setState('unread', v.channelId, (n) => (n ?? 0) + 1);
      if (mentioned) setState('mentions', v.channelId, (n) => (n ?? 0) + 1);
    }
    const who = actions.user(v.senderId).displayName;
    const where = actions.title(v.channelId);
    const body = v.status === 'ok' ? (v.text ?? '').slice(0, 140) : 'a message that could not be decrypted';
    announce(mentioned ? `${who} mentioned you in ${where}: ${body}` : `${who} in ${where}: ${body}`);
    // Someone stopped typing once their message arrives.
    if (v.senderId && state.typing[v.channelId]?.[v.senderId]) {
      setState(
        'typing',
        v.channelId,
        produce((t) => void delete t[v.senderId as string]),
      );
    }
  };

  let readTimer: ReturnType<typeof setTimeout> | null = null;
  const markReadSoon = (channelId: string) => {
    if (readTimer) clearTimeout(readTimer);
    readTimer = setTimeout(() => actions.markRead(channelId), 400);
  };

  const offs = [
    client.events.on('message', onMessage),
    client.events.on('deleted', (d) => scheduleFlush(d.channelId)),
    client.events.on('channel', ({ channelId, channel }) =>
      channel ? putChannel(channel) : dropChannel(channelId),
    ),
    client.events.on('contacts', setUsers),
    client.events.on('typing', ({ channelId, userId }) => {
      if (userId === me.id) return;
      setState('typing', channelId, (t) => ({ ...(t ?? {}), [userId]: Date.now() + TYPING_MS }));
    }),
    client.events.on('presence', ({ userId, online }) => setState('online', userId, online)),
    client.events.on('connection', (c) => setState('connection', reconcile(c))),
    client.events.on('keyChange', (e) => {
      const name = state.users[e.userId]?.displayName ?? e.username;
      notify('error', `${name}'s security key changed. Check the conversation before you send anything.`);
    }),
    client.events.on('badBundle', (e) =>
      notify('error', `Ignored a forged key bundle for a user (${e.reason}).`),
    ),
    client.events.on('warning', (e) => {
      if (isAuthError(e)) return sessionOver();
      if (e.name === 'TrustError') notify('error', e.message);
    }),
    client.events.on('alert', (a) => {
      setState('alerts', a.channelId, [...client.alerts(a.channelId)]);
      notify('error', `${actions.title(a.channelId)}: ${a.message}`);
    }),
    client.events.on('alertCleared', ({ channelId }) =>
      setState('alerts', channelId, [...client.alerts(channelId)]),
    ),
    client.events.on('membership', ({ channelId }) => {
      setState('verified', channelId, client.members(channelId));
      scheduleFlush(channelId);
    }),
    client.events.on('trust', ({ unknown }) => setState('trustUnknown', unknown)),
    client.events.on('keyLogAlarm', ({ reason }) => setState('keyLogAlarm', reason)),
    client.events.on('keyProblem', (e) => {
      const name = state.users[e.userId]?.displayName ?? 'A contact';
      notify('error', `${name}’s key is not the one the server’s key log publishes: ${e.reason}.`);
    }),
  ];

  const typingSweep = setInterval(() => {
    const now = Date.now();
    for (const [ch, who] of Object.entries(state.typing)) {
      for (const [uid, until] of Object.entries(who)) {
        if (until < now)
          setState(
            'typing',
            ch,
            produce((t) => void delete t[uid]),
          );
      }
    }
  }, 1000);

  const onVisible = () => {
    if (document.visibilityState === 'visible' && state.active) actions.markRead(state.active);
  };
  document.addEventListener('visibilitychange', onVisible);

  onCleanup(() => {
    for (const off of offs) off();
    clearInterval(typingSweep);
    if (readTimer) clearTimeout(readTimer);
    document.removeEventListener('visibilitychange', onVisible);
  });

  // Initial load: what the client fetched while unlocking.
  for (const c of client.channels.list()) putChannel(c);
  for (const c of client.channels.list()) setState('alerts', c.id, [...client.alerts(c.id)]);
  setUsers(client.contacts.list());
  setState('ready', true);

  const sendNow = (channelId: string, clientMsgId: string, text: string, replyTo?: string) => {
    client
      .send(channelId, text, { clientMsgId, ...(replyTo !== undefined ? { replyTo } : {}) })
      .then(() => {
        setState('pending', channelId, (list) => (list ?? []).filter((p) => p.clientMsgId !== clientMsgId));
      })
      .catch((err: unknown) => {
        if (isAuthError(err)) return sessionOver();
        const reason =
          err instanceof KeyChangeBlockedError
            ? 'Blocked: a member’s security key changed. Verify it to send.'
            : err instanceof TrustUnknownError
              ? 'Blocked: your saved contacts could not be checked. Re-verify or reset them first.'
              : err instanceof ApiError && err.code === 'rate_limited'
                ? 'Too many messages at once. Retry in a moment.'
                : errorText(err);
        setState('pending', channelId, (p) => p.clientMsgId === clientMsgId, {
          state: 'failed',
          error: reason,
        });
        announce(`Message not sent: ${reason}`, true);
      });
  };

  const actions: ChatActions = {
    state,
    me: () => me,

    title(channelId) {
      return channelTitle(state.channels[channelId], me.id, (id) => actions.user(id));
    },

    user(userId) {
      if (userId && state.users[userId]) return state.users[userId] as UserInfo;
      return {
        id: userId ?? 'unknown',
        username: 'unknown',
        displayName: 'Unknown user',
        avatarVersion: null,
        verified: false,
        keyChanged: false,
        mustReverify: false,
        unpinned: false,
        keyProblem: null,
        deleted: true,
      };
    },

    avatarUrl(userId) {
      const u = state.users[userId];
      return u ? props.avatarUrl(userId, u.avatarVersion) : null;
    },

    dmPeer(channelId) {
      const c = state.channels[channelId];
      if (c?.kind !== 'dm') return null;
      const peer = c.members.find((m) => m.userId !== me.id);
      return peer ? actions.user(peer.userId) : null;
    },

    blockedMembers(channelId) {
      const c = state.channels[channelId];
      if (!c) return [];
      const members = state.verified[channelId] ?? c.members;
      return members
        .filter((m) => m.userId !== me.id)
        .map((m) => actions.user(m.userId))
        .filter((u) => u.keyChanged || u.mustReverify || u.keyProblem !== null);
    },

    sendBlockedReason(channelId) {
      if (state.trustUnknown !== null) {
        return 'Sending is paused: your saved contacts could not be checked. Re-verify your contacts or reset them first.';
      }
      const alerts = state.alerts[channelId] ?? [];
      if (alerts.some((a) => a.kind === 'views-differ')) {
        return 'Sending is paused: the server is showing members different member lists, so nobody can tell whom to share your key with.';
      }
      if (
        state.channels[channelId]?.kind === 'group' &&
        alerts.some((a) => a.kind === 'unverified-membership')
      ) {
        return 'Sending is paused until the owner re-signs the member list of this channel.';
      }
      return null;
    },

    async signMembers(channelId) {
      try {
        putChannel(await client.signMembers(channelId));
        setState('alerts', channelId, [...client.alerts(channelId)]);
        notify('ok', 'The member list is signed.');
      } catch (err) {
        fail(err, 'Could not sign the member list');
      }
    },

    async resolveTrust(how) {
      await client.resolveTrust(how);
      setState('trustUnknown', null);
      setUsers(client.contacts.list());
    },

    reverified() {
      return client.contacts.reverified;
    },

    async keyLogStatus(userId) {
      const { status } = await client.keyLogStatus(userId);
      setUsers(client.contacts.list());
      return status;
    },

    changedMembers(channelId) {
      return actions.blockedMembers(channelId).filter((u) => u.keyChanged);
    },

    openChannel(channelId) {
      setState('active', channelId);
      if (!channelId) return;
      if (!state.channels[channelId]) return;
      actions.markRead(channelId);
      if (!state.history[channelId]?.loaded) void actions.loadOlder(channelId);
      if (Date.now() - lastContactsRefresh > 15_000) void actions.refreshContacts();
    },

    async loadOlder(channelId) {
      const h = state.history[channelId];
      if (h?.loading || (h?.loaded && !h.hasMore)) return;
      setState('history', channelId, {
        loaded: h?.loaded ?? false,
        loading: true,
        hasMore: h?.hasMore ?? true,
        error: null,
      });
      try {
        const page = await client.loadOlder(channelId, PAGE);
        for (const v of page.messages)
          highWater.set(channelId, Math.max(highWater.get(channelId) ?? 0, v.seq));
        setState('history', channelId, { loaded: true, loading: false, hasMore: page.hasMore, error: null });
        scheduleFlush(channelId);
      } catch (err) {
        setState('history', channelId, { loading: false, error: errorText(err) });
        if (isAuthError(err)) sessionOver();
      }
    },

    send(channelId, text, opts = {}) {
      const clientMsgId = crypto.randomUUID();
      const pending: PendingLike = {
        clientMsgId,
        text,
        createdAt: Date.now(),
        state: 'pending',
        error: null,
        ...(opts.replyTo !== undefined ? { replyTo: opts.replyTo } : {}),
      };
      setState('pending', channelId, (list) => [...(list ?? []), pending]);
      sendNow(channelId, clientMsgId, text, opts.replyTo);
    },

    async edit(channelId, clientMsgId, text) {
      try {
        await client.edit(channelId, clientMsgId, text);
        announce('Message edited.');
      } catch (err) {
        fail(err, 'Could not edit the message');
      }
    },

    editHistory(channelId, clientMsgId) {
      return client.editHistory(channelId, clientMsgId);
    },

    async toggleReaction(channelId, clientMsgId, emoji) {
      try {
        await client.toggleReaction(channelId, clientMsgId, emoji);
      } catch (err) {
        fail(err, 'Could not react');
      }
    },

    mentionCandidates(channelId) {
      return client.mentionCandidates(channelId);
    },

    async locate(channelId, clientMsgId) {
      const held = () => client.timeline(channelId).some((m) => m.clientMsgId === clientMsgId);
      // Older pages until it is there or history runs out (the relay serves nothing before my join).
      for (let pages = 0; pages < 1000 && !held(); pages++) {
        const h = state.history[channelId];
        if (h?.loaded && !h.hasMore && !h.loading) break;
        if (h?.loading) await new Promise((r) => setTimeout(r, 50));
        else await actions.loadOlder(channelId);
        if (state.history[channelId]?.error) break;
      }
      scheduleFlush(channelId);
      await Promise.resolve();
      return held();
    },

    retry(channelId, clientMsgId) {
      const p = state.pending[channelId]?.find((x) => x.clientMsgId === clientMsgId);
      if (!p) return;
      setState('pending', channelId, (x) => x.clientMsgId === clientMsgId, { state: 'pending', error: null });
      sendNow(channelId, clientMsgId, p.text, p.replyTo);
    },

    discard(channelId, clientMsgId) {
      setState('pending', channelId, (list) => (list ?? []).filter((p) => p.clientMsgId !== clientMsgId));
    },

    async deleteMessage(channelId, seq) {
      try {
        await client.deleteMessage(channelId, seq);
        scheduleFlush(channelId);
        announce('Message deleted.');
      } catch (err) {
        fail(err, 'Could not delete the message');
      }
    },

    typing(channelId) {
      const now = Date.now();
      if (now - (lastTypingSent.get(channelId) ?? 0) < 3000) return;
      lastTypingSent.set(channelId, now);
      client.typing(channelId);
    },

    markRead(channelId) {
      const list = state.messages[channelId];
      const last = list?.[list.length - 1]?.seq ?? state.channels[channelId]?.lastSeq ?? 0;
      const had = state.unread[channelId] ?? 0;
      setState('unread', channelId, 0);
      setState('mentions', channelId, 0);
      const c = state.channels[channelId];
      if (last > 0 && (had > 0 || (c && last > c.readSeq))) {
        if (c) setState('channels', channelId, 'readSeq', last);
        client.markRead(channelId, last).catch(() => {});
      }
    },

    async openDm(userId) {
      try {
        const c = await client.openDm(userId);
        putChannel(c);
        navigate({ name: 'channel', channelId: c.id, panel: null });
      } catch (err) {
        fail(err, 'Could not open the conversation');
        throw err;
      }
    },

    async createGroup(name) {
      try {
        const c = await client.createGroup(name);
        putChannel(c);
        navigate({ name: 'channel', channelId: c.id, panel: null });
      } catch (err) {
        fail(err, 'Could not create the channel');
        throw err;
      }
    },

    async invite(channelId, userId) {
      try {
        const updated = await client.invite(channelId, userId);
        putChannel(updated);
        notify('ok', `${actions.user(userId).displayName} was added.`);
      } catch (err) {
        fail(err, 'Could not invite');
      }
    },

    async removeMember(channelId, userId) {
      try {
        await client.removeMember(channelId, userId);
        const c = client.channels.peek(channelId);
        if (c) setState('channels', channelId, reconcile(c));
        notify('ok', `${actions.user(userId).displayName} was removed.`);
      } catch (err) {
        fail(err, 'Could not remove the member');
      }
    },

    async leave(channelId) {
      try {
        await client.leave(channelId);
        dropChannel(channelId);
        navigate({ name: 'channel', channelId: 'broadcast', panel: null }, { replace: true });
      } catch (err) {
        fail(err, 'Could not leave the channel');
      }
    },

    safetyNumber(userId) {
      return client.contacts.safetyNumber(userId);
    },

    async setVerified(userId, verified) {
      await client.contacts.markVerified(userId, verified);
      setUsers(client.contacts.list());
    },

    async acknowledgeKeyChange(userId) {
      await client.contacts.acknowledgeKeyChange(userId);
      setUsers(client.contacts.list());
    },

    async refreshContacts() {
      lastContactsRefresh = Date.now();
      try {
        await client.contacts.refresh();
        setUsers(client.contacts.list());
      } catch (err) {
        if (isAuthError(err)) sessionOver();
      }
    },

    setMe(next) {
      me = next;
      setState('users', next.id, userFromMe(next));
    },
  };

  return <ChatContext.Provider value={actions}>{props.children}</ChatContext.Provider>;
}

export function useChat(): ChatActions {
  const ctx = useContext(ChatContext);
  if (!ctx) throw new Error('useChat: no ChatProvider');
  return ctx;
}
