// The WebSocket server on /ws (DESIGN §4 "HTTP and WebSocket"), sharing the relay's http(s)
// server: authenticated upgrade within the socket caps, one Connection per socket, frames to
// handlers, relay events to sockets, a heartbeat that terminates dead sockets and closes stalled
// slow consumers, and presence kept per user.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { safeError } from '../log';
import { logLimiter } from '../log-limit';
import { RelayMetrics } from '../metrics';
import { relayFull, userRefusal } from './admission';
import { CatchUp } from './catch-up';
import { Connection } from './connection';
import { SESSION_RECHECK_MS, type WsContext, type WsDeps } from './context';
import { CloseCode } from './errors';
import { onRelayEvent } from './fanout';
import { FrameLimiter } from './frame-limit';
import { handleRaw } from './handlers';
import { Hub } from './hub';
import { LastSeenWriter } from './last-seen';
import { MemberCache } from './member-cache';
import { checkSession } from './session-check';
import { followMemberships } from './sync';
import { authorizeUpgrade, refuseUpgrade, type UpgradeRefusal } from './upgrade';

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
  const now = deps.now ?? Date.now;
  const ctx: WsContext = {
    ...deps,
    now,
    metrics: deps.metrics ?? new RelayMetrics(),
    hub: new Hub(),
    members: new MemberCache(deps.store),
    catchUp: new CatchUp(),
    frames: new FrameLimiter(deps.limits.frameRate, now),
  };
  const { logger, relayId } = ctx;
  // Refusals and socket errors repeat as fast as a client retries: their lines are rate-limited.
  const log = logLimiter(logger);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: ctx.limits.maxPayload,
    perMessageDeflate: false,
  });
  let closing = false;
  const lastSeen = new LastSeenWriter(ctx.store, logger, ctx.now);
  /** Presence updates of closed sockets still running; shutdown waits for them. */
  const departures = new Set<Promise<void>>();

  /** Upgrades past the relay cap check whose session lookup is still running. */
  let pending = 0;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Errors on the raw socket during the async checks must not crash the process.
    const swallow = () => socket.destroy();
    socket.on('error', swallow);
    const refuse = (refusal: UpgradeRefusal) => {
      ctx.metrics.upgradeRefusals.inc({ status: String(refusal.status) });
      log.info(
        `ws-refused:${refusal.status}`,
        { event: 'ws-refused', relay: relayId, status: refusal.status, reason: refusal.message },
        'socket upgrade refused',
      );
      refuseUpgrade(socket, refusal);
    };
    if (closing) {
      refuse({ status: 503, code: 'internal', message: 'relay shutting down' });
      return;
    }
    const full = relayFull(ctx, pending);
    if (full) {
      refuse(full);
      return;
    }
    pending++;
    authorizeUpgrade(req, ctx.store, ctx.publicOrigins, ctx.now()).then(
      (decision) => {
        pending--;
        if (!decision.ok) {
          refuse(decision);
          return;
        }
        const { session, user } = decision.live;
        const crowded = userRefusal(ctx, user.id);
        if (crowded) {
          refuse(crowded);
          return;
        }
        if (socket.destroyed) return;
        socket.off('error', swallow);
        // Synchronous without verifyClient: the socket is in the hub before the next cap check.
        wss.handleUpgrade(req, socket, head, (ws) => {
          const conn = new Connection(
            ws,
            user.id,
            { tokenHash: session.tokenHash, expiresAt: session.expiresAt },
            {
              maxBufferedBytes: ctx.limits.maxBufferedBytes,
              closeGraceMs: ctx.limits.closeGraceMs,
              logger,
              metrics: ctx.metrics,
            },
          );
          onConnection(conn);
        });
      },
      (err: unknown) => {
        pending--;
        log.error(
          'ws-upgrade-failed',
          { err: safeError(err), event: 'ws-upgrade-failed' },
          'socket upgrade failed',
        );
        refuseUpgrade(socket, { status: 500, code: 'internal', message: 'internal error' });
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
      log.info('ws-error', { event: 'ws-error', userId, conn: conn.id, err: safeError(err) }, 'socket error');
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
      // Closing already: its close handshake has the grace period to finish.
      if (conn.closed) continue;
      if (!conn.alive) {
        // A client that stopped reading misses pongs too: with a backlog over the cap it is a
        // slow consumer and gets 4008 (if it reads again in time); otherwise it is dead.
        if (conn.overBuffered) {
          conn.closeSlowConsumer();
          continue;
        }
        logger.info({ event: 'ws-dead', userId: conn.userId, conn: conn.id }, 'terminating a dead socket');
        conn.terminate();
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
      log.flush();
      unsubscribe();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
