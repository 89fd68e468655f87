// /api/admin: user management and statistics, for admins only. Nothing here exposes message
// contents; the relay holds only ciphertext anyway.
import { Hono } from 'hono';
import { badRequest, notFound } from '../../middleware/errors';
import { requireAdmin, requireSession } from '../../middleware/session';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';
import { paramsOf, refuseQuery } from '../../middleware/validate';
import { AdminUserParams, type AdminUsersResponse, type StatsResponse } from '../../protocol';
import { publishMembership } from '../channels/publish';
import { toAdminUser } from '../views';

export function adminRoutes(deps: ResolvedDeps): Hono<AppEnv> {
  const { store, logger } = deps;
  const r = new Hono<AppEnv>();
  r.use('*', requireSession(store, deps.now), requireAdmin);

  /** The target of a user action: exists, and is not the acting admin. */
  async function target(id: string, actorId: string, action: string) {
    if (id === actorId) throw badRequest(`you cannot ${action} your own account`);
    const user = await store.getUserById(id);
    if (!user) throw notFound('user');
    return user;
  }

  r.get('/users', refuseQuery, async (c) => {
    const users = await store.listUsersForAdmin();
    const answer: AdminUsersResponse = { users: users.map(toAdminUser) };
    return c.json(answer);
  });

  r.post('/users/:id/disable', async (c) => {
    const { id } = paramsOf(c, AdminUserParams);
    const actor = c.get('user');
    await target(id, actor.id, 'disable');
    await store.setDisabled(id, true);
    await store.deleteUserSessions(id);
    deps.events.publish({ type: 'user-closed', userId: id });
    logger.info({ event: 'user-disable', userId: id, actorId: actor.id }, 'user disabled');
    return c.body(null, 204);
  });

  r.post('/users/:id/enable', async (c) => {
    const { id } = paramsOf(c, AdminUserParams);
    const actor = c.get('user');
    await target(id, actor.id, 'enable');
    await store.setDisabled(id, false);
    logger.info({ event: 'user-enable', userId: id, actorId: actor.id }, 'user enabled');
    return c.body(null, 204);
  });

  r.delete('/users/:id', async (c) => {
    const { id } = paramsOf(c, AdminUserParams);
    const actor = c.get('user');
    await target(id, actor.id, 'delete');
    const changes = await store.deleteUser(id);
    deps.events.publish({ type: 'user-closed', userId: id });
    for (const change of changes) await publishMembership(deps, change.channel.id, [change.entry], [id]);
    logger.info({ event: 'user-delete', userId: id, actorId: actor.id }, 'user deleted');
    return c.body(null, 204);
  });

  r.get('/stats', refuseQuery, async (c) => {
    const now = deps.now();
    const stats = await store.stats(now);
    const answer: StatsResponse = {
      ...stats,
      connectedSockets: deps.connectedSockets(),
      uptimeSeconds: Math.round((now - deps.startedAt) / 1000),
      keyLog: { fingerprint: deps.keyLog.logKey.fingerprint, epoch: deps.keyLog.head?.epoch ?? null },
    };
    return c.json(answer);
  });

  return r;
}
