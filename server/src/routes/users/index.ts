// /api/users: the directory of enabled users with their public bundles, one user, and avatars.
import { Hono } from 'hono';
import { notFound } from '../../middleware/errors';
import { requireSession } from '../../middleware/session';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';
import { paramsOf, queryOf, refuseQuery } from '../../middleware/validate';
import { AvatarQuery, UserParams } from '../../protocol';
import { toPublicUser } from '../views';

export function userRoutes(deps: ResolvedDeps): Hono<AppEnv> {
  const { store } = deps;
  const r = new Hono<AppEnv>();
  r.use('*', requireSession(store, deps.now));

  r.get('/', refuseQuery, async (c) => {
    const users = await store.listUsers();
    return c.json({ users: users.filter((u) => !u.disabled).map(toPublicUser) });
  });

  /** Disabled users are still served here: their old messages must stay verifiable. */
  r.get('/:id', refuseQuery, async (c) => {
    const { id } = paramsOf(c, UserParams);
    const user = await store.getUserById(id);
    if (!user) throw notFound('user');
    return c.json(toPublicUser(user));
  });

  r.get('/:id/avatar', async (c) => {
    const { id } = paramsOf(c, UserParams);
    const { v } = queryOf(c, AvatarQuery);
    const avatar = await store.getAvatar(id);
    if (!avatar) throw notFound('avatar');
    const etag = `"avatar-${avatar.version}"`;
    c.header('ETag', etag);
    c.header(
      'Cache-Control',
      v === avatar.version ? 'private, max-age=31536000, immutable' : 'private, no-cache',
    );
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    c.header('Content-Type', avatar.mime);
    c.header('Content-Disposition', 'inline');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Content-Security-Policy', "default-src 'none'; sandbox");
    return c.body(avatar.data as Uint8Array<ArrayBuffer>, 200);
  });

  return r;
}
