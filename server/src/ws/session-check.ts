// Closes a socket whose session has expired or was ended (logout, password change, recovery).
// Runs on the heartbeat as a backstop, and at once when a `sessions-ended` event names the user.
import { safeError } from '../log';
import type { Connection } from './connection';
import type { WsContext } from './context';
import { CloseCode } from './errors';

/** Closes the socket when its session has expired or was ended (logout, password change). */
export async function checkSession(ctx: WsContext, conn: Connection, now: number): Promise<void> {
  try {
    const session = now >= conn.session.expiresAt ? null : await ctx.store.getSession(conn.session.tokenHash);
    if (session === null) {
      ctx.logger.info({ event: 'ws-session-ended', userId: conn.userId, conn: conn.id }, 'closing socket');
      conn.close(CloseCode.sessionEnded, 'session ended');
    }
  } catch (err) {
    ctx.logger.warn({ err: safeError(err), event: 'ws-session-check-failed' }, 'session check failed');
  }
}
