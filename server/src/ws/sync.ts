// Catching a socket up: the channel list at connect, sync pages after `hello`, and a channel
// joined while connected. Each runs on the socket's serial chain (Connection.serially).
import type { ChannelSummary } from '../protocol';
import { toChannelSummary, toWireMessage } from '../routes/views';
import type { Connection } from './connection';
import { PAGE_MAX_BYTES, SYNC_PAGE_SIZE, type WsContext } from './context';
import { chunkByBytes } from './pages';

/** At connect: follow every channel the user is in, catching up (queueing) until hello. */
export async function followMemberships(ctx: WsContext, conn: Connection): Promise<void> {
  const views = await ctx.store.listMemberships(conn.userId);
  for (const v of views) {
    const view = { joinedSeq: v.member.joinedSeq, queue: [], overflowed: false };
    ctx.hub.follow(conn, v.channel.id, view, v.channel.lastSeq);
  }
}

/**
 * Sends what the client missed after `since` in one channel as `sync` frames (never below the
 * user's join), then flushes live frames that arrived meanwhile. Returns false if the socket closed.
 */
export async function syncChannel(
  ctx: WsContext,
  conn: Connection,
  channelId: string,
  since: number,
): Promise<boolean> {
  const view = conn.channels.get(channelId);
  if (!view) return true;
  if (view.queue === null) view.queue = [];
  let after = Math.max(since, view.joinedSeq - 1);
  let announcedMore = false;
  do {
    // Frames dropped from an overflowing queue are re-read from the store.
    view.overflowed = false;
    for (;;) {
      const page = await ctx.store.listMessages(channelId, {
        after,
        limit: SYNC_PAGE_SIZE,
        minSeq: view.joinedSeq,
      });
      const chunks = chunkByBytes(page.messages, PAGE_MAX_BYTES);
      for (const [i, chunk] of chunks.entries()) {
        const hasMore = page.hasMore || i < chunks.length - 1;
        const ok = await conn.sendAndDrain({
          type: 'sync',
          channelId,
          messages: chunk.map(toWireMessage),
          hasMore,
        });
        if (!ok) return false;
        after = chunk.at(-1)?.seq ?? after;
        announcedMore = hasMore;
      }
      if (!page.hasMore || page.messages.length === 0) break;
    }
  } while (view.overflowed);
  if (announcedMore) {
    // A page promised more that never came (entries vanished meanwhile): close the sequence.
    if (!(await conn.sendAndDrain({ type: 'sync', channelId, messages: [], hasMore: false }))) return false;
  }
  conn.goLive(channelId, after);
  return true;
}

/** The channel as this user sees it now, or null when they are not a member. */
async function summaryFor(ctx: WsContext, userId: string, channelId: string): Promise<ChannelSummary | null> {
  const view = await ctx.store.getMembership(userId, channelId);
  if (!view) return null;
  const members = await ctx.members.get(channelId);
  return toChannelSummary(view, members.list);
}

/**
 * The user's membership of a channel changed (joined, left, removed, or others joined or left):
 * push a `channel` frame with the fresh summary (or null), and follow or unfollow the channel.
 * A newly followed channel queues live frames until the summary is out, then sends those after
 * the summary's lastSeq; the client fetches from its joinedSeq up to lastSeq itself.
 */
export async function refreshChannel(ctx: WsContext, conn: Connection, channelId: string): Promise<void> {
  const followed = conn.channels.has(channelId);
  if (!followed) ctx.hub.follow(conn, channelId, { joinedSeq: 0, queue: [], overflowed: false });
  const summary = await summaryFor(ctx, conn.userId, channelId);
  if (summary === null) {
    ctx.hub.unfollow(conn, channelId);
    conn.send({ type: 'channel', channelId, channel: null });
    return;
  }
  const view = conn.channels.get(channelId);
  if (view) view.joinedSeq = summary.joinedSeq;
  conn.send({ type: 'channel', channelId, channel: summary });
  if (!followed) conn.goLive(channelId, summary.lastSeq);
}
