// Relay events -> frames for the sockets on this relay. Every relay receives every event (from its
// own handlers at once, from the others through Redis) and delivers to its own sockets only.
import type { MessageRecord } from '../db/store';
import { safeError } from '../log';
import type { RelayEvent } from '../realtime/events';
import { toWireMessage } from '../routes/views';
import { EncodedFrame } from './connection';
import type { WsContext } from './context';
import { CloseCode } from './errors';
import { sharesPresence } from './presence-scope';
import { checkSession } from './session-check';
import { refreshChannel } from './sync';

export function onRelayEvent(ctx: WsContext, event: RelayEvent): void {
  switch (event.type) {
    case 'message':
      deliverEntry(ctx, event.message);
      return;
    case 'deleted': {
      const item = { kind: 'deleted', seq: event.seq, frame: new EncodedFrame({ ...event }) } as const;
      for (const conn of ctx.hub.inChannel(event.channelId)) conn.deliver(event.channelId, item);
      return;
    }
    case 'membership': {
      ctx.members.invalidate(event.channelId);
      for (const userId of new Set(event.userIds)) {
        for (const conn of ctx.hub.ofUser(userId)) {
          conn
            .serially(() => refreshChannel(ctx, conn, event.channelId))
            .catch((err: unknown) => {
              ctx.logger.error(
                { err: safeError(err), event: 'ws-membership-failed', userId, channelId: event.channelId },
                'could not push a membership change',
              );
            });
        }
      }
      return;
    }
    case 'user-closed': {
      for (const conn of ctx.hub.ofUser(event.userId)) {
        ctx.logger.info(
          { event: 'ws-account-closed', userId: event.userId, conn: conn.id },
          'closing socket',
        );
        conn.close(CloseCode.accountClosed, 'account disabled or deleted');
      }
      return;
    }
    case 'sessions-ended': {
      const now = ctx.now();
      for (const conn of ctx.hub.ofUser(event.userId)) void checkSession(ctx, conn, now);
      return;
    }
    case 'typing': {
      const frame = new EncodedFrame({ type: 'typing', channelId: event.channelId, userId: event.userId });
      for (const conn of ctx.hub.inChannel(event.channelId)) {
        if (conn.userId !== event.userId) conn.send(frame);
      }
      return;
    }
    case 'presence':
      pushPresence(ctx, event.userId, event.online).catch((err: unknown) => {
        ctx.logger.error({ err: safeError(err), event: 'ws-presence-failed' }, 'could not push presence');
      });
      return;
    case 'resync':
      ctx.catchUp.request(ctx);
      return;
  }
}

/** A committed timeline entry to every socket on this relay that follows its channel. */
export function deliverEntry(ctx: WsContext, message: MessageRecord): void {
  const sockets = ctx.hub.inChannel(message.channelId);
  if (sockets.size === 0) return;
  const frame = new EncodedFrame({ type: 'message', message: toWireMessage(message) });
  const item = { kind: 'message', seq: message.seq, frame } as const;
  for (const conn of sockets) conn.deliver(message.channelId, item);
  ctx.hub.noteDelivered(message.channelId, message.seq);
  ctx.metrics.deliveries.inc(sockets.size);
}

/**
 * Presence goes to every socket on this relay whose user shares a DM or group with `userId`. Not
 * broadcast: everyone is in it, so each connect would cost a frame to every socket (N² frames
 * for N users connecting).
 */
async function pushPresence(ctx: WsContext, userId: string, online: boolean): Promise<void> {
  const channels = [...ctx.hub.followedChannels()].filter(sharesPresence);
  const members = await Promise.all(channels.map((id) => ctx.members.get(id)));
  const frame = new EncodedFrame({ type: 'presence', userId, online });
  const sent = new Set<number>();
  channels.forEach((channelId, i) => {
    if (!members[i]?.ids.has(userId)) return;
    for (const conn of ctx.hub.inChannel(channelId)) {
      if (conn.userId === userId || sent.has(conn.id)) continue;
      sent.add(conn.id);
      conn.send(frame);
    }
  });
}
