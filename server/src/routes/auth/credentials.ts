// Checking an account secret (authKey or recovery authKey) the same way everywhere: throttled per
// account and per IP, the same slow hash whether or not the account exists, one answer for
// "unknown user" and "wrong key", and `account_disabled` only after a correct key.
import type { UserRecord } from '../../db/store';
import { ApiError, invalidCredentials } from '../../middleware/errors';
import { throttle } from '../../middleware/rate-limit';
import type { ResolvedDeps } from '../../middleware/types';
import { fromB64 } from '../views';

type SecretKind = 'login' | 'recovery';

export async function authenticate(
  deps: ResolvedDeps,
  kind: SecretKind,
  username: string,
  secret: string,
  ip: string,
): Promise<UserRecord> {
  const ipKey = `${kind}:ip:${ip}`;
  const userKey = `${kind}:user:${username}`;
  await throttle(deps.limiters.auth, [ipKey, userKey]);
  const user = await deps.store.getUserByUsername(username);
  const verifier = kind === 'login' ? user?.verifier : user?.recoveryVerifier;
  const ok = await deps.verifier.check(verifier, fromB64(secret));
  if (!user || !ok) {
    deps.logger.info({ event: `${kind}-failed`, username, ip }, `${kind} failed`);
    throw invalidCredentials();
  }
  await deps.limiters.auth.reset(userKey);
  await deps.limiters.auth.refund(ipKey);
  if (user.disabled) {
    deps.logger.info({ event: `${kind}-disabled`, username, ip }, `${kind} refused: account disabled`);
    throw new ApiError(403, 'account_disabled', 'this account is disabled');
  }
  return user;
}

/** Re-checks the signed-in user's current authKey (password change), throttled per account. */
export async function confirmAuthKey(deps: ResolvedDeps, user: UserRecord, authKey: string): Promise<void> {
  const key = `password:user:${user.id}`;
  await throttle(deps.limiters.auth, [key]);
  if (!(await deps.verifier.check(user.verifier, fromB64(authKey)))) {
    deps.logger.info({ event: 'password-change-failed', userId: user.id }, 'password change: wrong key');
    throw invalidCredentials();
  }
  await deps.limiters.auth.reset(key);
}
