// Plugs the socket server into startServer (server.ts `overrides.attach`): /ws on the relay's own
// http(s) server, REST sends through the same rate limit and write batcher, and the live socket
// count for stats.
import { ApiError } from '../middleware/errors';
import type { RealtimeServices } from '../realtime/services';
import type { AttachContext, Attachment } from '../server';
import type { WsLimits } from './context';
import { attachWebSocketServer, type UpgradeSource } from './server';

export function socketAttachment(realtime: RealtimeServices, limits: WsLimits) {
  return (ctx: AttachContext): Attachment => {
    const sockets = attachWebSocketServer(ctx.server as UpgradeSource, {
      store: ctx.store,
      events: ctx.events,
      presence: realtime.presence,
      sendLimiter: realtime.sendLimiter,
      batcher: realtime.batcher,
      logger: ctx.logger,
      relayId: realtime.relayId,
      publicOrigins: ctx.config.publicOrigins,
      limits,
    });
    return {
      connectedSockets: sockets.connectedSockets,
      appendMessage: async (message) => {
        if (!(await realtime.sendLimiter.take(`send:${message.senderId}`))) {
          const retryAfterMs = Math.ceil(1000 / limits.sendRate.ratePerSec);
          throw new ApiError(
            429,
            'rate_limited',
            'sending too fast; slow down',
            { retryAfterMs },
            {
              'Retry-After': String(Math.ceil(retryAfterMs / 1000)),
            },
          );
        }
        return realtime.batcher.submit(message);
      },
      close: () => sockets.close(),
    };
  };
}
