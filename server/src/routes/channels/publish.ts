// Relay events after a membership commit: the system entries as timeline messages, then one
// `membership` event naming everyone whose view of the channel changed (members and removed).
import type { MessageRecord } from '../../db/store';
import type { ResolvedDeps } from '../../middleware/types';

export async function publishMembership(
  deps: ResolvedDeps,
  channelId: string,
  entries: MessageRecord[],
  removedUserIds: string[],
): Promise<void> {
  for (const message of entries) deps.events.publish({ type: 'message', message });
  const members = await deps.store.getMembers(channelId);
  const userIds = [...new Set([...members.map((m) => m.userId), ...removedUserIds])];
  deps.events.publish({ type: 'membership', channelId, userIds });
}
