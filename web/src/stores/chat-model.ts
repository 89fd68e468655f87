// Pure helpers of the chat store: user view models, channel titles, ordering, conversation rows.
import type { ChannelSummary, Me } from '@parley/server/protocol';
import type { Contact, MessageView } from '../client';
import { dayKey, withDaySeparators } from '../lib/format';

type ChannelKind = ChannelSummary['kind'];

export interface UserInfo {
  id: string;
  username: string;
  displayName: string;
  avatarVersion: number | null;
  verified: boolean;
  /** The relay shows a new identity key that was not acknowledged yet. */
  keyChanged: boolean;
  /** A verified contact whose new key was acknowledged but not re-verified. */
  mustReverify: boolean;
  /** Trust is unknown: nothing is pinned for this contact (DESIGN §7.4). */
  unpinned: boolean;
  /** The key log does not back this contact's key: why (DESIGN §7.5). */
  keyProblem: string | null;
  deleted: boolean;
}

export function userFromContact(c: Contact): UserInfo {
  return {
    id: c.id,
    username: c.username,
    displayName: c.displayName || c.username,
    avatarVersion: c.avatarVersion,
    verified: c.verified,
    keyChanged: c.keyChanged,
    mustReverify: c.mustReverify,
    unpinned: c.unpinned,
    keyProblem: c.keyProblem,
    deleted: false,
  };
}

export function userFromMe(me: Me): UserInfo {
  return {
    id: me.id,
    username: me.username,
    displayName: me.displayName || me.username,
    avatarVersion: me.avatarVersion,
    verified: true,
    keyChanged: false,
    mustReverify: false,
    unpinned: false,
    keyProblem: null,
    deleted: false,
  };
}

/** "Broadcast", a group's name, or the DM peer's display name. */
export function channelTitle(
  channel: ChannelSummary | undefined,
  meId: string,
  user: (id: string) => { displayName: string },
): string {
  if (!channel) return 'Conversation';
  if (channel.kind === 'broadcast') return 'Broadcast';
  if (channel.kind === 'group') return channel.name ?? 'Private channel';
  const peer = channel.members.find((m) => m.userId !== meId);
  return peer ? user(peer.userId).displayName : 'Direct message';
}

/** Sidebar order: broadcast first, then by name (groups) or peer name (DMs). */
export function sortChannels(
  channels: readonly ChannelSummary[],
  title: (c: ChannelSummary) => string,
): { broadcast: ChannelSummary[]; groups: ChannelSummary[]; dms: ChannelSummary[] } {
  const byTitle = (a: ChannelSummary, b: ChannelSummary) => title(a).localeCompare(title(b));
  return {
    broadcast: channels.filter((c) => c.kind === 'broadcast'),
    groups: channels.filter((c) => c.kind === 'group').sort(byTitle),
    dms: channels.filter((c) => c.kind === 'dm').sort(byTitle),
  };
}

export interface PendingLike {
  clientMsgId: string;
  text: string;
  createdAt: number;
  state: 'pending' | 'failed';
  error: string | null;
  /** The message it answers. */
  replyTo?: string;
}

export type Row =
  | { kind: 'edge'; key: string }
  | { kind: 'day'; key: string; at: number }
  | { kind: 'msg'; key: string; msg: MessageView; continued: boolean }
  | { kind: 'pending'; key: string; pending: PendingLike };

/**
 * Conversation rows: an edge row (loading / start of history), day separators in the viewer's
 * time zone, messages (grouped when the same sender posts again within 5 minutes), then pending
 * sends. `cache` keeps row objects stable across calls so the list does not re-render them.
 */
export function buildRows(
  messages: readonly MessageView[],
  pending: readonly PendingLike[],
  timeZone: string,
  cache: Map<string, Row>,
  channelKind?: ChannelKind,
): Row[] {
  const rows: Row[] = [];
  const keep = (row: Row): Row => {
    const old = cache.get(row.key);
    if (old && sameRow(old, row)) return old;
    cache.set(row.key, row);
    return row;
  };
  rows.push(keep({ kind: 'edge', key: 'edge' }));
  // A signed delete, an edit or a reaction is not a row of its own: it changes its target. Only
  // what the server did around one (withheld, reordered) is said where it happened.
  const visible = messages.filter((m) => m.status !== 'control' || (m.flags?.length ?? 0) > 0);
  const shown =
    channelKind === undefined
      ? visible
      : visible.filter((m, i) => !hiddenSystemEntry(m, visible[i - 1], channelKind));
  let lastDay = '';
  let prev: MessageView | null = null;
  for (const entry of withDaySeparators(shown, timeZone)) {
    if (entry.kind === 'day') {
      rows.push(keep({ kind: 'day', key: `day:${entry.key}`, at: entry.at }));
      lastDay = entry.key;
      prev = null;
      continue;
    }
    const msg = entry.item;
    const continued =
      prev !== null &&
      !isNote(msg) &&
      !isNote(prev) &&
      msg.flags === undefined &&
      prev.senderId === msg.senderId &&
      msg.sentAt - prev.sentAt < 5 * 60_000;
    rows.push(
      keep({ kind: 'msg', key: msg.clientMsgId ? `m:${msg.clientMsgId}` : `s:${msg.seq}`, msg, continued }),
    );
    prev = msg;
  }
  const sent = new Set(messages.map((m) => m.clientMsgId));
  const waiting = pending.filter((p) => !sent.has(p.clientMsgId));
  const today = dayKey(Date.now(), timeZone);
  if (waiting.length > 0 && lastDay !== today)
    rows.push(keep({ kind: 'day', key: `day:${today}`, at: Date.now() }));
  for (const p of waiting) rows.push(keep({ kind: 'pending', key: `m:${p.clientMsgId}`, pending: p }));
  return rows;
}

/** Rows that are a line of their own rather than a message: notices, flagged controls, rejected edits. */
export function isNote(m: MessageView): boolean {
  return m.status === 'system' || m.status === 'control' || m.status === 'rejected';
}

function sameRow(a: Row, b: Row): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'msg' && b.kind === 'msg') return a.msg === b.msg && a.continued === b.continued;
  if (a.kind === 'pending' && b.kind === 'pending') return a.pending === b.pending;
  return true;
}

/**
 * Membership entries that would only repeat the one next to them. A channel's creation is logged
 * as `create`, then a `join` of the creator (actor = themselves), then one `join` per other
 * member (actor = creator). In a DM the peer's join reads "X started this conversation", so the
 * creator's own join (and `create`) are left out; in a group the creator's own join right after
 * `create` is.
 */
export function hiddenSystemEntry(m: MessageView, prev: MessageView | undefined, kind: ChannelKind): boolean {
  const s = m.system;
  if (m.status !== 'system' || !s) return false;
  if (kind === 'dm') return s.event === 'create' || (s.event === 'join' && s.actorId === s.userId);
  const p = prev?.system;
  return (
    kind === 'group' &&
    s.event === 'join' &&
    s.actorId === s.userId &&
    prev?.status === 'system' &&
    p?.event === 'create' &&
    p.userId === s.userId
  );
}

/** The words for a membership entry; `name` gives a user's display name. */
export function systemText(m: MessageView, name: (id: string | null) => string, kind?: ChannelKind): string {
  const s = m.system;
  if (!s) return 'Membership changed';
  const user = name(s.userId);
  const actor = s.actorId && s.actorId !== s.userId ? name(s.actorId) : null;
  const created = kind === 'dm' ? 'started this conversation' : 'created this channel';
  switch (s.event) {
    case 'create':
      return `${actor ?? user} ${created}`;
    case 'join':
      if (kind === 'dm' && actor) return `${actor} started this conversation`;
      // Only a creator joins with themselves as the actor (broadcast joins have none).
      if (kind !== undefined && kind !== 'broadcast' && s.actorId === s.userId) return `${user} ${created}`;
      return actor ? `${actor} added ${user}` : `${user} joined`;
    case 'leave':
      return `${user} left`;
    case 'remove':
      return actor ? `${actor} removed ${user}` : `${user} was removed`;
    default:
      return 'Membership changed';
  }
}
