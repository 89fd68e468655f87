// Whose presence a user gets: the people they share a DM or a group with. The broadcast channel
// does not count: everyone is in it, and pushing everyone's presence to everyone is N² frames.
import { BROADCAST_CHANNEL_ID } from '../protocol';

export function sharesPresence(channelId: string): boolean {
  return channelId !== BROADCAST_CHANNEL_ID;
}
