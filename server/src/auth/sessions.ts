// Sessions: issuing one (token in an HttpOnly cookie, its hash in the store), and resolving a
// cookie back to a live session and enabled user. Shared by REST middleware and the /ws upgrade.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { SessionRecord, Store, UserRecord } from '../db/store';
import { hashSessionToken, isWellFormedToken, newSessionToken } from './tokens';

export const SESSION_COOKIE = 'parley_session';

export interface CookiePolicy {
  secure: boolean;
  ttlSeconds: number;
}

export interface LiveSession {
  session: SessionRecord;
  user: UserRecord;
}

/** Creates a session for the user and sets the cookie on the response. Returns the token hash. */
export async function startSession(
  c: Context,
  store: Store,
  userId: string,
  policy: CookiePolicy,
  now: number,
): Promise<string> {
  const token = newSessionToken();
  const tokenHash = hashSessionToken(token);
  await store.createSession({ tokenHash, userId, createdAt: now, expiresAt: now + policy.ttlSeconds * 1000 });
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: policy.secure,
    maxAge: policy.ttlSeconds,
  });
  return tokenHash;
}

export function clearSessionCookie(c: Context, policy: CookiePolicy): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: policy.secure, httpOnly: true, sameSite: 'Lax' });
}

export function sessionTokenFrom(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/** Parses the session token out of a raw Cookie header (for the WebSocket upgrade). */
export function sessionTokenFromHeader(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The live session and user behind a token, or null when the token is unknown, expired, or its
 * user is gone or disabled. Expired sessions are deleted on sight.
 */
export async function resolveSession(
  store: Store,
  token: string | undefined,
  now: number,
): Promise<LiveSession | null> {
  if (!token || !isWellFormedToken(token)) return null;
  const tokenHash = hashSessionToken(token);
  const session = await store.getSession(tokenHash);
  if (!session) return null;
  if (session.expiresAt <= now) {
    await store.deleteSession(tokenHash);
    return null;
  }
  const user = await store.getUserById(session.userId);
  if (!user || user.disabled) return null;
  return { session, user };
}
