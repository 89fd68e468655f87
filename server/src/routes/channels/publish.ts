// Relay events after a membership commit: the system entries as timeline messages, then one
// `membership` event naming everyone whose view of the channel changed.
import type { MessageRecord } from '../../db/store';
import type { ResolvedDeps } from '../../middleware/types';
import { BROADCAST_CHANNEL_ID } from '../../protocol';

/** What publishing needs: the bus and the store (the relay's deps, or the admin CLI's). */
export type PublishDeps = Pick<ResolvedDeps, 'store' | 'events'>;

export async function publishMembership(
  deps: PublishDeps,
  channelId: string,
  entries: MessageRecord[],
  removedUserIds: string[],
): Promise<void> {
  for (const message of entries) deps.events.publish({ type: 'message', message });
  deps.events.publish({
    type: 'membership',
    channelId,
    userIds: await affectedUsers(deps, channelId, entries, removedUserIds),
  });
}

/**
 * Broadcast holds everyone, so refreshing every member's summary on each registration would cost
 * O(members) queries and frames per join. A broadcast join therefore refreshes only the user who
 * joined; the others learn of it from the system entry (a broadcast join does not bump the epoch,
 * and the relay names any member a sender key misses). Every other change, a broadcast ban
 * included, refreshes every member, so that senders rotate away from the removed user at once.
 */
async function affectedUsers(
  deps: PublishDeps,
  channelId: string,
  entries: MessageRecord[],
  removedUserIds: string[],
): Promise<string[]> {
  const onlyJoins = removedUserIds.length === 0 && entries.every((e) => e.system?.event === 'join');
  if (channelId === BROADCAST_CHANNEL_ID && onlyJoins) {
    return [...new Set(entries.flatMap((e) => (e.system ? [e.system.userId] : [])))];
  }
  const members = await deps.store.getMembers(channelId);
  return [...new Set([...members.map((m) => m.userId), ...removedUserIds])];
}
