// Plugs the socket server into startServer (server.ts `overrides.attach`): /ws on the relay's own
// http(s) server, sending through the relay's one send path, and the live socket count for stats.

import type { AttachContext, Attachment } from '../attachment';
import type { SendMessage } from '../realtime/send-message';
import type { RealtimeServices } from '../realtime/services';
import type { WsLimits } from './context';
import { attachWebSocketServer, type UpgradeSource } from './server';

export function socketAttachment(realtime: RealtimeServices, sendMessage: SendMessage, limits: WsLimits) {
  return (ctx: AttachContext): Attachment => {
    const sockets = attachWebSocketServer(ctx.server as UpgradeSource, {
      store: ctx.store,
      events: ctx.events,
      presence: realtime.presence,
      sendMessage,
      logger: ctx.logger,
      relayId: realtime.relayId,
      publicOrigins: ctx.config.publicOrigins,
      limits,
      metrics: ctx.metrics,
    });
    return {
      connectedSockets: sockets.connectedSockets,
      close: () => sockets.close(),
    };
  };
}
