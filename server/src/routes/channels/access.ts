// Channel access for the signed-in user. A channel the caller is not a member of answers 404,
// exactly like one that does not exist, so channel ids reveal nothing.
import type { ChannelRecord, MemberRecord, Store } from '../../db/store';
import { notFound } from '../../middleware/errors';
import type { ChannelSummary } from '../../protocol';
import { toChannelSummary } from '../views';

export interface Membership {
  channel: ChannelRecord;
  member: MemberRecord;
}

export async function requireMember(store: Store, channelId: string, userId: string): Promise<Membership> {
  const member = await store.getMember(channelId, userId);
  const channel = member ? await store.getChannel(channelId) : null;
  if (!member || !channel) throw notFound('channel');
  return { channel, member };
}

/** The channel as `userId` sees it (read marker, unread count, members). */
export async function channelSummary(
  store: Store,
  channelId: string,
  userId: string,
): Promise<ChannelSummary> {
  const view = await store.getMembership(userId, channelId);
  if (!view) throw notFound('channel');
  return toChannelSummary(view, await store.getMembers(channelId));
}
