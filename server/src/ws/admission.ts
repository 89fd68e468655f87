// Room for another socket (DESIGN §4 "Limits"). The relay's cap (WS_MAX_SOCKETS) is checked before
// the session lookup, so a full relay spends nothing on an upgrade; the user's cap
// (WS_MAX_SOCKETS_PER_USER) and frame debt once the user is known. Every cap is per relay: each
// relay guards its own memory, file descriptors and event loop.
import type { WsContext } from './context';
import type { UpgradeRefusal } from './upgrade';

/** `pending`: upgrades accepted so far whose session lookup is still running. */
export function relayFull(ctx: WsContext, pending: number): UpgradeRefusal | null {
  if (ctx.hub.size + pending < ctx.limits.maxSockets) return null;
  return { status: 503, code: 'internal', message: 'this relay is at its socket limit; try again later' };
}

export function userRefusal(ctx: WsContext, userId: string): UpgradeRefusal | null {
  if (ctx.hub.countOf(userId) >= ctx.limits.maxSocketsPerUser) {
    return { status: 429, code: 'rate_limited', message: 'too many open sockets for this account' };
  }
  // A user closed for a frame flood comes back only once its budget has refilled.
  const debtMs = ctx.frames.debtMs(userId);
  if (debtMs > 0) {
    return { status: 429, code: 'rate_limited', message: 'too many frames; slow down', retryAfterMs: debtMs };
  }
  return null;
}
