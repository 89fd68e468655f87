// What an attached server (the WebSocket server, metrics…) gets from startServer and gives back.
// Its own module so that attachments need not import server.ts, which imports them.
import type { createAdaptorServer } from '@hono/node-server';
import type { Store } from './db/store';
import type { Config } from './env';
import type { Logger } from './log';
import type { RelayMetrics } from './metrics';
import type { EventBus } from './realtime/events';

export type NodeServer = ReturnType<typeof createAdaptorServer>;

/** What an attached server (WebSocket, metrics…) gets to work with. */
export interface AttachContext {
  server: NodeServer;
  config: Config;
  store: Store;
  events: EventBus;
  logger: Logger;
  metrics: RelayMetrics;
}

/** What an attached server gives back. */
export interface Attachment {
  /** Live socket count, summed into the admin statistics. */
  connectedSockets?: () => number;
  close(): Promise<void>;
}
