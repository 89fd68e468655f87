// /api/admin: user management, invites and statistics, for admins only. Nothing here exposes
// message contents; the relay holds only ciphertext anyway. The account actions and invite making
// are shared with the admin CLI (server/src/admin/).
import { Hono } from 'hono';
import { deleteAccount, disableAccount, enableAccount } from '../../admin/accounts';
import { makeInvite, revokeInvite } from '../../admin/invites';
import { ApiError, badRequest, notFound } from '../../middleware/errors';
import { requireAdmin, requireSession } from '../../middleware/session';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';
import { jsonBody, paramsOf, refuseQuery } from '../../middleware/validate';
import {
  AdminInviteParams,
  type AdminInvitesResponse,
  AdminUserParams,
  type AdminUsersResponse,
  CreateInviteBody,
  type CreateInviteResponse,
  type StatsResponse,
} from '../../protocol';
import { toAdminInvite, toAdminUser } from '../views';

export function adminRoutes(deps: ResolvedDeps): Hono<AppEnv> {
  const { store, logger, config } = deps;
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
    await disableAccount(deps, await target(id, actor.id, 'disable'), actor.id);
    return c.body(null, 204);
  });

  r.post('/users/:id/enable', async (c) => {
    const { id } = paramsOf(c, AdminUserParams);
    const actor = c.get('user');
    await enableAccount(deps, await target(id, actor.id, 'enable'), actor.id);
    return c.body(null, 204);
  });

  r.delete('/users/:id', async (c) => {
    const { id } = paramsOf(c, AdminUserParams);
    const actor = c.get('user');
    await deleteAccount(deps, await target(id, actor.id, 'delete'), actor.id);
    return c.body(null, 204);
  });

  r.get('/invites', refuseQuery, async (c) => {
    const [invites, users] = await Promise.all([store.listInvites(), store.listUsers()]);
    const names = new Map(users.map((u) => [u.id, u.username]));
    const now = deps.now();
    const answer: AdminInvitesResponse = {
      mode: config.registration,
      invites: invites.map((i) => toAdminInvite(i, names, now)),
    };
    return c.json(answer);
  });

  r.post('/invites', async (c) => {
    const body = await jsonBody(c, CreateInviteBody);
    if (config.registration === 'closed') {
      throw new ApiError(
        403,
        'registration_closed',
        'registration is closed: only invites made with the admin CLI work (npm run admin -- invite)',
      );
    }
    const actor = c.get('user');
    const now = deps.now();
    const { invite, code } = await makeInvite(
      store,
      logger,
      {
        source: 'panel',
        createdBy: actor.id,
        label: body.label ?? null,
        username: null,
        role: 'user',
        maxUses: body.maxUses,
        expiresInSeconds: body.expiresInSeconds,
      },
      now,
    );
    const answer: CreateInviteResponse = {
      invite: toAdminInvite(invite, new Map([[actor.id, actor.username]]), now),
      code,
    };
    return c.json(answer, 201);
  });

  r.post('/invites/:id/revoke', async (c) => {
    const { id } = paramsOf(c, AdminInviteParams);
    if (!(await revokeInvite(store, logger, id, c.get('user').id))) throw notFound('invite');
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
