// Invite codes and what an invite is worth now. A code is 16 random bytes from Node's CSPRNG,
// shown once as a link; the store keeps only the SHA-256 of its bytes, so a database leak gives no
// working link. Codes carry 128 bits: guessing one is hopeless, so checking one needs no throttle.
import { createHash, randomBytes } from 'node:crypto';
import type { InviteRecord } from '../db/store';
import {
  INVITE_CODE_BYTES,
  INVITE_LINK_HASH,
  type InviteState,
  type InviteStatus,
  type RegistrationMode,
} from '../protocol';

export function newInviteCode(): { code: string; codeHash: string } {
  const code = randomBytes(INVITE_CODE_BYTES).toString('base64url');
  return { code, codeHash: inviteCodeHash(code) };
}

/** SHA-256 (hex) of the code's bytes; the code is the canonical base64url InviteCode accepts. */
export function inviteCodeHash(code: string): string {
  return createHash('sha256').update(Buffer.from(code, 'base64url')).digest('hex');
}

/** The link that opens the web app's register page with the code: `<origin>/#/register?invite=…`. */
export function inviteLink(origin: string, code: string): string {
  return `${origin.replace(/\/+$/, '')}/${INVITE_LINK_HASH}${code}`;
}

/** An invite's state, whatever the relay's mode (the admin's list). */
export function inviteState(invite: InviteRecord, now: number): InviteState {
  if (invite.revoked) return 'revoked';
  if (invite.expiresAt <= now) return 'expired';
  if (invite.uses >= invite.maxUses) return 'used_up';
  return 'active';
}

/**
 * What a code is worth to someone registering now. Under REGISTRATION=closed only the admin CLI
 * makes accounts, so an active invite made in the panel is `not_accepted`.
 */
export function inviteStatus(mode: RegistrationMode, invite: InviteRecord | null, now: number): InviteStatus {
  if (invite === null) return 'unknown';
  const state = inviteState(invite, now);
  if (state !== 'active') return state;
  return mode === 'closed' && invite.source !== 'cli' ? 'not_accepted' : 'valid';
}
