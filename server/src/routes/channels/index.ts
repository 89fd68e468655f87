// /api/channels: everything about conversations. Requires a session.
import { Hono } from 'hono';
import { requireSession } from '../../middleware/session';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';
import { registerChannelRoutes } from './channels';
import { registerMessageRoutes } from './messages';
import { registerShareRoutes } from './shares';

export function channelRoutes(deps: ResolvedDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use('*', requireSession(deps.store, deps.now));
  registerChannelRoutes(r, deps);
  registerShareRoutes(r, deps);
  registerMessageRoutes(r, deps);
  return r;
}
