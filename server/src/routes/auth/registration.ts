// Who may register (REGISTRATION): `open` takes anyone, `invite` a valid invite code, `closed` only
// an invite made with the admin CLI. A code given under `open` must be valid too: it may carry a
// role or a username. Decided before the verifier is hashed, and again, atomically, when the
// account is created (createUser takes the invite's use in its transaction).
import { inviteCodeHash, inviteStatus } from '../../auth/invites';
import type { InviteRecord, Store } from '../../db/store';
import { ApiError } from '../../middleware/errors';
import type { InviteRefusal, RegistrationMode } from '../../protocol';

const CLOSED_MESSAGE =
  'registration is closed on this relay: an administrator creates accounts with the admin CLI';

const REFUSAL_MESSAGE: Record<Exclude<InviteRefusal, 'wrong_username'>, string> = {
  unknown: 'this invite link is not valid: check that you copied all of it',
  expired: 'this invite has expired: ask for a new one',
  used_up: 'this invite has been used up: ask for a new one',
  revoked: 'this invite was revoked: ask for a new one',
};

function refuse(reason: InviteRefusal, message: string): ApiError {
  return new ApiError(403, 'invite_invalid', message, { reason });
}

/**
 * The invite a registration may use (null: none needed), or a 403 naming why not:
 * `invite_required`, `registration_closed`, or `invite_invalid` with `details.reason`.
 */
export async function admissibleInvite(
  store: Store,
  mode: RegistrationMode,
  code: string | undefined,
  username: string,
  now: number,
): Promise<InviteRecord | null> {
  if (code === undefined) {
    if (mode === 'open') return null;
    if (mode === 'closed') throw new ApiError(403, 'registration_closed', CLOSED_MESSAGE);
    throw new ApiError(
      403,
      'invite_required',
      'this relay registers by invitation only: open the invite link an administrator gave you',
    );
  }
  const invite = await store.getInviteByCodeHash(inviteCodeHash(code));
  const status = inviteStatus(mode, invite, now);
  if (status === 'not_accepted') {
    throw new ApiError(
      403,
      'registration_closed',
      `${CLOSED_MESSAGE}; invites made in the admin panel no longer work`,
    );
  }
  if (status !== 'valid') throw refuse(status, REFUSAL_MESSAGE[status]);
  if (invite === null) throw refuse('unknown', REFUSAL_MESSAGE.unknown);
  if (invite.username !== null && invite.username !== username) {
    throw refuse('wrong_username', `this invite is for the username ${invite.username}`);
  }
  return invite;
}
