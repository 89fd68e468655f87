// /api/me: the signed-in user's profile, password change, recovery blob, avatar and pins.
import { Hono } from 'hono';
import { ApiError, badRequest, notFound } from '../../middleware/errors';
import { requireSession } from '../../middleware/session';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';
import { jsonBody, refuseQuery } from '../../middleware/validate';
import {
  type AvatarResponse,
  PasswordChangeBody,
  PinsBody,
  type PinsResponse,
  ProfilePatchBody,
  RecoverySetBody,
} from '../../protocol';
import { confirmAuthKey } from '../auth/credentials';
import { fromB64, toB64, toMe } from '../views';
import { detectImageType } from './image-type';

export function meRoutes(deps: ResolvedDeps): Hono<AppEnv> {
  const { store, logger } = deps;
  const r = new Hono<AppEnv>();
  r.use('*', requireSession(store, deps.now));

  r.get('/', refuseQuery, (c) => c.json(toMe(c.get('user'))));

  r.patch('/', async (c) => {
    const body = await jsonBody(c, ProfilePatchBody);
    const patch: { displayName?: string; email?: string | null } = {};
    if (body.displayName !== undefined) patch.displayName = body.displayName;
    if (body.email !== undefined) patch.email = body.email;
    const user = await store.updateProfile(c.get('user').id, patch);
    if (!user) throw notFound('user');
    return c.json(toMe(user));
  });

  r.post('/password', async (c) => {
    const body = await jsonBody(c, PasswordChangeBody);
    const user = c.get('user');
    await confirmAuthKey(deps, user, body.oldAuthKey);
    await store.updateCredentials(user.id, {
      kdfSalt: fromB64(body.salt),
      kdf: body.kdf,
      verifier: await deps.verifier.hash(fromB64(body.authKey)),
      keyBlob: fromB64(body.keyBlob),
    });
    await store.deleteUserSessions(user.id, c.get('session').tokenHash);
    deps.events.publish({ type: 'sessions-ended', userId: user.id });
    logger.info({ event: 'password-change', userId: user.id }, 'password changed, other sessions ended');
    return c.body(null, 204);
  });

  r.put('/recovery', async (c) => {
    const body = await jsonBody(c, RecoverySetBody);
    const user = c.get('user');
    await store.setRecovery(user.id, {
      verifier: await deps.verifier.hash(fromB64(body.authKey)),
      blob: fromB64(body.keyBlob),
    });
    logger.info({ event: 'recovery-set', userId: user.id }, 'recovery key set');
    return c.body(null, 204);
  });

  r.delete('/recovery', async (c) => {
    await store.setRecovery(c.get('user').id, null);
    return c.body(null, 204);
  });

  r.put('/avatar', async (c) => {
    const data = new Uint8Array(await c.req.arrayBuffer());
    if (data.length === 0) throw badRequest('empty avatar');
    const mime = detectImageType(data);
    if (!mime)
      throw new ApiError(415, 'unsupported_media_type', 'an avatar is a PNG, JPEG, GIF or WebP image');
    const avatarVersion = await store.putAvatar(c.get('user').id, mime, data);
    const answer: AvatarResponse = { avatarVersion };
    return c.json(answer);
  });

  r.delete('/avatar', async (c) => {
    await store.deleteAvatar(c.get('user').id);
    return c.body(null, 204);
  });

  r.get('/pins', refuseQuery, async (c) => {
    const blob = await store.getPins(c.get('user').id);
    const answer: PinsResponse = { blob: blob ? toB64(blob) : null };
    return c.json(answer);
  });

  r.put('/pins', async (c) => {
    const { blob } = await jsonBody(c, PinsBody);
    await store.putPins(c.get('user').id, fromB64(blob));
    return c.body(null, 204);
  });

  return r;
}
