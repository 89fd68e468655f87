// Session authentication for /api routes: a valid, unexpired session cookie of an enabled user,
// else 401. Also keeps `lastSeenAt` fresh (at most once a minute per user).
import type { MiddlewareHandler } from 'hono';
import { resolveSession, sessionTokenFrom } from '../auth/sessions';
import type { Store } from '../db/store';
import { forbidden, unauthorized } from './errors';
import type { AppEnv } from './types';

const LAST_SEEN_RESOLUTION_MS = 60_000;

export function requireSession(store: Store, now: () => number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const t = now();
    const live = await resolveSession(store, sessionTokenFrom(c), t);
    if (!live) throw unauthorized();
    c.set('session', live.session);
    c.set('user', live.user);
    if (live.user.lastSeenAt === null || t - live.user.lastSeenAt > LAST_SEEN_RESOLUTION_MS) {
      await store.touchLastSeen([live.user.id], t);
    }
    return next();
  };
}

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('user').role !== 'admin') throw forbidden('admins only');
  return next();
};
