// What an admin does to an account, one path for the admin panel (routes/admin) and the admin CLI:
// the store change, then the relay events that close the account's sockets and tell the channels.
// The CLI's bus reaches running relays only through Redis; without it, relays notice a disabled or
// deleted account at their next session check (see docs/configuration.md "Admin CLI").
import type { Role, Store, UserRecord } from '../db/store';
import type { Logger } from '../log';
import type { EventBus } from '../realtime/events';
import { publishMembership } from '../routes/channels/publish';

export interface AdminDeps {
  store: Store;
  events: EventBus;
  logger: Logger;
}

/** Who acts: an admin's user id (panel), or null for the admin CLI. */
export type ActorId = string | null;

function actorFields(actorId: ActorId) {
  return actorId === null ? { via: 'cli' } : { via: 'panel', actorId };
}

/** Disables the account, ends every session of it and closes its sockets. */
export async function disableAccount(deps: AdminDeps, user: UserRecord, actorId: ActorId): Promise<void> {
  await deps.store.setDisabled(user.id, true);
  await deps.store.deleteUserSessions(user.id);
  deps.events.publish({ type: 'user-closed', userId: user.id });
  deps.logger.info({ event: 'user-disable', userId: user.id, ...actorFields(actorId) }, 'user disabled');
}

export async function enableAccount(deps: AdminDeps, user: UserRecord, actorId: ActorId): Promise<void> {
  await deps.store.setDisabled(user.id, false);
  deps.logger.info({ event: 'user-enable', userId: user.id, ...actorFields(actorId) }, 'user enabled');
}

/** Deletes the account (Store.deleteUser), closes its sockets and tells every channel it was in. */
export async function deleteAccount(deps: AdminDeps, user: UserRecord, actorId: ActorId): Promise<void> {
  const changes = await deps.store.deleteUser(user.id);
  deps.events.publish({ type: 'user-closed', userId: user.id });
  for (const change of changes) await publishMembership(deps, change.channel.id, [change.entry], [user.id]);
  deps.logger.info({ event: 'user-delete', userId: user.id, ...actorFields(actorId) }, 'user deleted');
}

export async function setAccountRole(
  deps: AdminDeps,
  user: UserRecord,
  role: Role,
  actorId: ActorId,
): Promise<void> {
  await deps.store.setRole(user.id, role);
  deps.logger.info(
    { event: 'user-role', userId: user.id, role, ...actorFields(actorId) },
    `role set to ${role}`,
  );
}
