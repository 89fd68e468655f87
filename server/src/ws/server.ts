// The WebSocket server on /ws (DESIGN §4 "HTTP and WebSocket"), sharing the relay's http(s)
// server: authenticated upgrade, one Connection per socket, frames to handlers, relay events to
// sockets, a heartbeat that terminates dead sockets, and presence kept per user.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { safeError } from '../log';
import { RelayMetrics } from '../metrics';
import { CatchUp } from './catch-up';
import { Connection } from './connection';
import { SESSION_RECHECK_MS, type WsContext, type WsDeps } from './context';
import { CloseCode } from './errors';
import { onRelayEvent } from './fanout';
import { handleRaw } from './handlers';
import { Hub } from './hub';
import { LastSeenWriter } from './last-seen';
import { MemberCache } from './member-cache';
import { checkSession } from './session-check';
import { followMemberships } from './sync';
import { authorizeUpgrade, refuseUpgrade } from './upgrade';

/** The http(s) server whose upgrades are handled (node's http.Server and https.Server fit). */
export interface UpgradeSource {
  on(event: 'upgrade', listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
  off(event: 'upgrade', listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
}

export interface SocketServer {
  /** Open sockets on this relay. */
  connectedSockets(): number;
  /** Closes every socket (1001) and stops accepting upgrades. */
  close(): Promise<void>;
}

export function attachWebSocketServer(server: UpgradeSource, deps: WsDeps): SocketServer {
  const ctx: WsContext = {
    ...deps,
    now: deps.now ?? Date.now,
    metrics: deps.metrics ?? new RelayMetrics(),
    hub: new Hub(),
    members: new MemberCache(deps.store),
    catchUp: new CatchUp(),
  };
  const { logger, relayId } = ctx;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: ctx.limits.maxPayload,
    perMessageDeflate: false,
  });
  let closing = false;
  const lastSeen = new LastSeenWriter(ctx.store, logger, ctx.now);
  /** Presence updates of closed sockets still running; shutdown waits for them. */
  const departures = new Set<Promise<void>>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Errors on the raw socket during the async checks must not crash the process.
    const swallow = () => socket.destroy();
    socket.on('error', swallow);
    if (closing) {
      refuseUpgrade(socket, 503, 'internal', 'relay shutting down');
      return;
    }
    authorizeUpgrade(req, ctx.store, ctx.publicOrigins, ctx.now()).then(
      (decision) => {
        if (!decision.ok) {
          logger.info(
            { event: 'ws-refused', relay: relayId, status: decision.status, reason: decision.message },
            'socket upgrade refused',
          );
          refuseUpgrade(socket, decision.status, decision.code, decision.message);
          return;
        }
        if (socket.destroyed) return;
        socket.off('error', swallow);
        wss.handleUpgrade(req, socket, head, (ws) => {
          const { session, user } = decision.live;
          const conn = new Connection(
            ws,
            user.id,
            { tokenHash: session.tokenHash, expiresAt: session.expiresAt },
            { maxBufferedBytes: ctx.limits.maxBufferedBytes, logger },
          );
          onConnection(conn);
        });
      },
      (err: unknown) => {
        logger.error({ err: safeError(err), event: 'ws-upgrade-failed' }, 'socket upgrade failed');
        refuseUpgrade(socket, 500, 'internal', 'internal error');
      },
    );
  };

  const onConnection = (conn: Connection) => {
    const { ws, userId } = conn;
    ctx.hub.add(conn);
    logger.info(
      { event: 'ws-open', relay: relayId, userId, conn: conn.id, sockets: ctx.hub.size },
      'socket connected',
    );
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      conn.alive = true;
      void handleRaw(ctx, conn, data, isBinary);
    });
    ws.on('error', (err) => {
      // ws closes the socket itself after an error (1009 for an oversized frame, 1002 for bad framing).
      logger.info({ event: 'ws-error', userId, conn: conn.id, err: err.message }, 'socket error');
    });
    let counted = false;
    const connectTask = conn
      .serially(async () => {
        await followMemberships(ctx, conn);
        lastSeen.mark(userId);
        try {
          const cameOnline = await ctx.presence.connect(userId);
          counted = true;
          if (cameOnline) ctx.events.publish({ type: 'presence', userId, online: true });
        } catch (err) {
          logger.warn({ err: safeError(err), event: 'presence-failed' }, 'presence connect failed');
        }
      })
      .catch((err: unknown) => {
        logger.error({ err: safeError(err), event: 'ws-init-failed', userId }, 'socket setup failed');
        conn.close(1011, 'internal error');
      });
    ws.on('close', (code) => {
      ctx.hub.remove(conn);
      logger.info(
        { event: 'ws-close', relay: relayId, userId, conn: conn.id, code, ms: Date.now() - conn.openedAt },
        'socket closed',
      );
      // After the connect task, so a quick close cannot leave the user counted online.
      const leaving = connectTask
        .then(async () => {
          if (!counted) return;
          if (await ctx.presence.disconnect(userId)) {
            ctx.events.publish({ type: 'presence', userId, online: false });
          }
        })
        .catch((err: unknown) => logger.warn({ err: safeError(err) }, 'presence disconnect failed'))
        .finally(() => departures.delete(leaving));
      departures.add(leaving);
    });
  };

  const unsubscribe = ctx.events.subscribe((event) => onRelayEvent(ctx, event));
  server.on('upgrade', onUpgrade);

  const heartbeat = setInterval(() => {
    const now = ctx.now();
    for (const conn of ctx.hub.all()) {
      if (!conn.alive) {
        logger.info({ event: 'ws-dead', userId: conn.userId, conn: conn.id }, 'terminating a dead socket');
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
      if (now - conn.lastSessionCheck >= SESSION_RECHECK_MS || now >= conn.session.expiresAt) {
        conn.lastSessionCheck = now;
        void checkSession(ctx, conn, now);
      }
    }
    ctx.members.retain((id) => ctx.hub.hasChannel(id));
  }, ctx.limits.heartbeatMs);
  heartbeat.unref();

  return {
    connectedSockets: () => ctx.hub.size,
    async close() {
      closing = true;
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      const sockets = ctx.hub.all();
      for (const conn of sockets) conn.close(CloseCode.goingAway, 'relay shutting down');
      await Promise.all(
        sockets.map(
          (conn) =>
            new Promise<void>((resolve) => {
              if (conn.ws.readyState === conn.ws.CLOSED) resolve();
              else conn.ws.once('close', () => resolve());
              setTimeout(() => {
                conn.ws.terminate();
                resolve();
              }, 2_000).unref();
            }),
        ),
      );
      await Promise.allSettled([...departures]);
      await lastSeen.flush();
      unsubscribe();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
