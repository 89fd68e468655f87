// /api/auth: KDF parameters, registration, login, logout, and recovery-key use (DESIGN §3
// "Account keys from the password"). The server only ever sees authKeys, and stores their scrypt.
import { randomUUID } from 'node:crypto';
import { INTERACTIVE_KDF_PARAMS } from '@parley/crypto-core';
import { Hono } from 'hono';
import { bundleProblem } from '../../auth/bundle';
import { fakeSalt } from '../../auth/fake-salt';
import { inviteCodeHash, inviteStatus } from '../../auth/invites';
import { clearSessionCookie, resolveSession, sessionTokenFrom, startSession } from '../../auth/sessions';
import { hashSessionToken } from '../../auth/tokens';
import { InviteUnavailable, UniqueViolation, type UserRecord } from '../../db/store';
import { ApiError, badRequest, invalidCredentials } from '../../middleware/errors';
import { throttle } from '../../middleware/rate-limit';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';
import { jsonBody, queryOf } from '../../middleware/validate';
import {
  BROADCAST_CHANNEL_ID,
  KdfQuery,
  type KdfResponse,
  LoginBody,
  RecoveryFetchBody,
  type RecoveryFetchResponse,
  RecoveryResetBody,
  RegisterBody,
  RegistrationQuery,
  type RegistrationResponse,
  type SessionResponse,
} from '../../protocol';
import { publishMembership } from '../channels/publish';
import { fromB64, toB64, toMe } from '../views';
import { authenticate } from './credentials';
import { admissibleInvite } from './registration';

function sessionResponse(user: UserRecord, keyBlob: Uint8Array = user.keyBlob): SessionResponse {
  return { user: toMe(user), bundle: user.bundle, keyBlob: toB64(keyBlob) };
}

export function authRoutes(deps: ResolvedDeps): Hono<AppEnv> {
  const { store, config, logger } = deps;
  const cookie = { secure: config.cookieSecure, ttlSeconds: config.sessionTtlSeconds };
  const r = new Hono<AppEnv>();

  r.get('/kdf', async (c) => {
    const { username } = queryOf(c, KdfQuery);
    const user = await store.getUserByUsername(username);
    const answer: KdfResponse = user
      ? { salt: toB64(user.kdfSalt), kdf: user.kdf }
      : { salt: toB64(fakeSalt(deps.serverSecret, username)), kdf: INTERACTIVE_KDF_PARAMS };
    return c.json(answer);
  });

  /** The registration mode, and what an invite code is worth, for the register page. */
  r.get('/registration', async (c) => {
    const { invite: code } = queryOf(c, RegistrationQuery);
    let invite: RegistrationResponse['invite'] = null;
    if (code !== undefined) {
      const record = await store.getInviteByCodeHash(inviteCodeHash(code));
      const status = inviteStatus(config.registration, record, deps.now());
      const valid = status === 'valid' ? record : null;
      invite = {
        status,
        username: valid?.username ?? null,
        role: valid?.role ?? null,
        expiresAt: valid?.expiresAt ?? null,
      };
    }
    const answer: RegistrationResponse = { mode: config.registration, invite };
    return c.json(answer);
  });

  r.post('/register', async (c) => {
    const body = await jsonBody(c, RegisterBody);
    await throttle(deps.limiters.register, [`register:ip:${c.get('clientIp')}`]);
    const admissible = () =>
      admissibleInvite(store, config.registration, body.invite, body.username, deps.now());
    const invite = await admissible();
    const problem = await bundleProblem(body.bundle);
    if (problem !== null) {
      throw badRequest(`bundle refused: ${problem}`, {
        issues: [{ path: ['bundle'], message: problem, code: 'custom' }],
      });
    }
    const taken = () => new ApiError(409, 'username_taken', `username ${body.username} is taken`);
    if (await store.getUserByUsername(body.username)) throw taken();
    const verifier = await deps.verifier.hash(fromB64(body.authKey));
    const recovery = body.recovery
      ? {
          verifier: await deps.verifier.hash(fromB64(body.recovery.authKey)),
          blob: fromB64(body.recovery.keyBlob),
        }
      : null;
    let user: UserRecord;
    try {
      user = await store.createUser(
        {
          id: randomUUID(),
          username: body.username,
          displayName: body.displayName ?? body.username,
          email: null,
          kdfSalt: fromB64(body.salt),
          kdf: body.kdf,
          verifier,
          bundle: body.bundle,
          keyBlob: fromB64(body.keyBlob),
          recoveryVerifier: recovery?.verifier ?? null,
          recoveryBlob: recovery?.blob ?? null,
          createdAt: deps.now(),
        },
        {
          forceAdmin: config.admins.includes(body.username) || invite?.role === 'admin',
          pins: fromB64(body.pins),
          ...(invite ? { invite: { id: invite.id, now: deps.now() } } : {}),
        },
      );
    } catch (err) {
      if (err instanceof UniqueViolation) throw taken();
      if (err instanceof InviteUnavailable) {
        // Someone took its last use, or it was revoked, since the check above: say which.
        await admissible();
      }
      throw err;
    }
    await startSession(c, store, user.id, cookie, deps.now());
    logger.info(
      {
        event: 'register',
        userId: user.id,
        username: user.username,
        role: user.role,
        inviteId: invite?.id ?? null,
        ip: c.get('clientIp'),
      },
      'registered',
    );
    await announceBroadcastJoin(deps, user.id);
    return c.json(sessionResponse(user), 201);
  });

  r.post('/login', async (c) => {
    const body = await jsonBody(c, LoginBody);
    const ip = c.get('clientIp');
    const user = await authenticate(deps, 'login', body.username, body.authKey, ip);
    await startSession(c, store, user.id, cookie, deps.now());
    await store.touchLastSeen([user.id], deps.now());
    logger.info({ event: 'login', userId: user.id, username: user.username, ip }, 'logged in');
    return c.json(sessionResponse(user));
  });

  r.post('/logout', async (c) => {
    const token = sessionTokenFrom(c);
    const live = await resolveSession(store, token, deps.now());
    if (token) await store.deleteSession(hashSessionToken(token));
    clearSessionCookie(c, cookie);
    if (live) {
      deps.events.publish({ type: 'sessions-ended', userId: live.user.id });
      logger.info({ event: 'logout', userId: live.user.id }, 'logged out');
    }
    return c.body(null, 204);
  });

  r.post('/recovery/fetch', async (c) => {
    const body = await jsonBody(c, RecoveryFetchBody);
    const user = await authenticate(deps, 'recovery', body.username, body.recoveryAuthKey, c.get('clientIp'));
    if (!user.recoveryBlob) throw invalidCredentials();
    const answer: RecoveryFetchResponse = { keyBlob: toB64(user.recoveryBlob), bundle: user.bundle };
    logger.info({ event: 'recovery-fetch', userId: user.id, ip: c.get('clientIp') }, 'recovery blob fetched');
    return c.json(answer);
  });

  r.post('/recovery/reset', async (c) => {
    const body = await jsonBody(c, RecoveryResetBody);
    const ip = c.get('clientIp');
    const user = await authenticate(deps, 'recovery', body.username, body.recoveryAuthKey, ip);
    const keyBlob = fromB64(body.keyBlob);
    await store.updateCredentials(user.id, {
      kdfSalt: fromB64(body.salt),
      kdf: body.kdf,
      verifier: await deps.verifier.hash(fromB64(body.authKey)),
      keyBlob,
    });
    await store.deleteUserSessions(user.id);
    deps.events.publish({ type: 'sessions-ended', userId: user.id });
    await startSession(c, store, user.id, cookie, deps.now());
    logger.info({ event: 'recovery-reset', userId: user.id, ip }, 'password reset with recovery key');
    return c.json(sessionResponse(user, keyBlob));
  });

  return r;
}

/** Every new user joins broadcast inside createUser; tell connected members about it. */
async function announceBroadcastJoin(deps: ResolvedDeps, userId: string): Promise<void> {
  const member = await deps.store.getMember(BROADCAST_CHANNEL_ID, userId);
  if (!member) return;
  const entry = await deps.store.getMessage(BROADCAST_CHANNEL_ID, member.joinedSeq);
  await publishMembership(deps, BROADCAST_CHANNEL_ID, entry ? [entry] : [], []);
}
