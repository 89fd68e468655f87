// Making and revoking registration invites, one path for the admin panel and the admin CLI: a
// fresh code, its hash in the store, the code handed back once. Bounds are the protocol's
// (CreateInviteBody), checked by each caller's parser.
import { randomUUID } from 'node:crypto';
import { newInviteCode } from '../auth/invites';
import type { InviteRecord, InviteSource, Role, Store } from '../db/store';
import type { Logger } from '../log';

export interface InviteRequest {
  source: InviteSource;
  createdBy: string | null;
  label: string | null;
  username: string | null;
  role: Role;
  maxUses: number;
  expiresInSeconds: number;
}

export async function makeInvite(
  store: Store,
  logger: Logger,
  request: InviteRequest,
  now: number,
): Promise<{ invite: InviteRecord; code: string }> {
  const { code, codeHash } = newInviteCode();
  const invite = await store.createInvite({
    id: randomUUID(),
    codeHash,
    source: request.source,
    createdBy: request.createdBy,
    label: request.label,
    username: request.username?.toLowerCase() ?? null,
    role: request.role,
    maxUses: request.maxUses,
    expiresAt: now + request.expiresInSeconds * 1000,
    createdAt: now,
  });
  logger.info(
    {
      event: 'invite-create',
      inviteId: invite.id,
      source: invite.source,
      createdBy: invite.createdBy,
      role: invite.role,
      maxUses: invite.maxUses,
      expiresAt: invite.expiresAt,
    },
    'invite created',
  );
  return { invite, code };
}

/** Revokes the invite; false when there is none. `actorId` null: the admin CLI. */
export async function revokeInvite(
  store: Store,
  logger: Logger,
  id: string,
  actorId: string | null,
): Promise<boolean> {
  if (!(await store.revokeInvite(id))) return false;
  logger.info(
    {
      event: 'invite-revoke',
      inviteId: id,
      ...(actorId === null ? { via: 'cli' } : { via: 'panel', actorId }),
    },
    'invite revoked',
  );
  return true;
}
