// The catch-up after a Redis outage (a `resync` event from this or another relay): relays could
// not hear each other meanwhile, so sockets here may lack entries committed elsewhere. For each
// channel followed here whose last seq is above what its sockets were offered, the newest entry
// goes out as a live `message` frame; each client then sees the gap below it and fetches it, as
// for any gap (docs/protocol.md "Scale-out"). One store read per channel, not per socket.
import { safeError } from '../log';
import type { WsContext } from './context';
import { deliverEntry } from './fanout';

export class CatchUp {
  #running = false;
  #again = false;

  /** Starts a catch-up; one already running is followed by one more (several relays may ask at once). */
  request(ctx: WsContext): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#loop(ctx).finally(() => {
      this.#running = false;
    });
  }

  async #loop(ctx: WsContext): Promise<void> {
    do {
      this.#again = false;
      try {
        await catchUpOnce(ctx);
      } catch (err) {
        ctx.logger.error(
          { err: safeError(err), event: 'ws-catch-up-failed' },
          'catch-up after redis outage failed',
        );
      }
    } while (this.#again);
  }
}

async function catchUpOnce(ctx: WsContext): Promise<void> {
  const channels = [...ctx.hub.followedChannels()];
  let pushed = 0;
  for (const channelId of channels) {
    const channel = await ctx.store.getChannel(channelId);
    if (!channel || channel.lastSeq <= ctx.hub.newestDelivered(channelId)) continue;
    const newest = await ctx.store.getMessage(channelId, channel.lastSeq);
    if (!newest) continue;
    deliverEntry(ctx, newest);
    pushed++;
  }
  ctx.logger.info(
    { event: 'ws-catch-up', channels: channels.length, pushed },
    'sockets caught up after a redis outage',
  );
}
