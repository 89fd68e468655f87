// Starts one relay: opens the store, makes sure broadcast exists, builds the app and serves it
// over HTTP or HTTPS. Extra servers (the /ws socket server) attach to the node server through
// `overrides.attach` before it listens, and are closed first on shutdown.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { ready, verifyKtHead } from '@parley/crypto-core';
import { buildApp } from './app';
import type { AttachContext, Attachment, NodeServer } from './attachment';
import { loadServerSecret } from './auth/secret';
import { quarantineUnusableAccounts } from './auth/unusable-keys';
import { openStore } from './db';
import type { KtHeadRecord, Store } from './db/store';
import type { Config } from './env';
import { KeyLog } from './kt/key-log';
import { type LogKey, loadLogKey } from './kt/log-key';
import { createLogger, type Logger, safeError } from './log';
import { answerMalformedRequests } from './malformed-requests';
import { RelayMetrics } from './metrics';
import type { RateLimiters } from './middleware/types';
import type { EventBus } from './realtime/events';
import { messageSender } from './realtime/send-message';
import { createRealtimeServices } from './realtime/services';
import { socketAttachment } from './ws/attach';

export type { AttachContext, Attachment, NodeServer } from './attachment';

export interface ServerOverrides {
  /** Use this store instead of opening `config.databaseUrl` (not closed by `close()`). */
  store?: Store;
  /** Use this bus instead of the one chosen by REDIS_URL (not closed by `close()`). */
  events?: EventBus;
  logger?: Logger;
  limiters?: RateLimiters;
  serverSecret?: Uint8Array;
  attach?: Array<(ctx: AttachContext) => Attachment | Promise<Attachment>>;
}

export interface RunningServer {
  url: string;
  port: number;
  server: NodeServer;
  store: Store;
  events: EventBus;
  logger: Logger;
  close(): Promise<void>;
}

const SESSION_SWEEP_MS = 60 * 60 * 1000;
const DRAIN_MS = 5_000;

export async function startServer(config: Config, overrides: ServerOverrides = {}): Promise<RunningServer> {
  await ready(); // crypto-core checks bundles and membership entries
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const serverSecret =
    overrides.serverSecret ?? (await loadServerSecret(config.serverSecret, config.dataDir));
  const store = overrides.store ?? (await openStore(config.databaseUrl));
  const cleanups: Array<() => Promise<void>> = [];
  if (!overrides.store) cleanups.push(() => store.close());

  try {
    // Real-time services (ws/, realtime/): the event bus (Redis when REDIS_URL is set, else in
    // process), presence, send rate limits and the write batcher; /ws is attached below.
    const metrics = new RelayMetrics();
    const realtime = await createRealtimeServices(config.realtime, store, logger, metrics);
    cleanups.push(() => realtime.close());
    const events = overrides.events ?? realtime.events;

    await store.ensureBroadcast();
    await promoteConfiguredAdmins(store, config.admins, logger);
    await quarantineUnusableAccounts(store, logger);

    // Key transparency: the signing key, every account's binding, and the epoch maker.
    const logKey = await loadLogKey(config.kt.logKeyFile);
    const backfilled = await store.ktBackfill();
    const keyLog = new KeyLog({
      store,
      logKey,
      logger,
      holder: realtime.relayId,
      epochMs: config.kt.epochMs,
    });
    await keyLog.tick();
    requireOwnLog(keyLog.head, logKey);
    keyLog.start();
    cleanups.push(() => keyLog.stop());
    logger.info(
      { event: 'kt-log-key', fingerprint: logKey.fingerprint, backfilled, epoch: keyLog.head?.epoch ?? null },
      `key log signing key ${logKey.fingerprint}`,
    );

    // The one send path, for REST and the socket server: rate limit, write batcher, fan-out.
    const sendMessage = messageSender({
      append: (send) => realtime.batcher.submit(send),
      limiter: realtime.sendLimiter,
      ratePerSec: config.realtime.sendRate.ratePerSec,
      events,
      logger,
      metrics,
    });
    const attachments: Attachment[] = [];
    const connectedSockets = () => attachments.reduce((n, a) => n + (a.connectedSockets?.() ?? 0), 0);
    metrics.gauge('parley_sockets', 'Open WebSockets on this relay.', connectedSockets);
    const app = buildApp({
      config,
      store,
      events,
      logger,
      serverSecret,
      limiters: overrides.limiters ?? {
        auth: realtime.attemptLimiter,
        register: realtime.registrationLimiter,
      },
      connectedSockets,
      sendMessage,
      metrics,
      readinessChecks: realtime.readinessChecks,
      webDist: existsSync(config.webDist) ? config.webDist : null,
      keyLog,
    });

    const server = config.tls
      ? createAdaptorServer({
          fetch: app.fetch,
          createServer: createHttpsServer,
          serverOptions: {
            cert: await readFile(config.tls.certFile),
            key: await readFile(config.tls.keyFile),
            requireHostHeader: false,
          },
        })
      : createAdaptorServer({ fetch: app.fetch, serverOptions: { requireHostHeader: false } });
    // Malformed requests (node's parser errors, a bad or missing Host) answer in the JSON error format.
    answerMalformedRequests(server, app.fetch, logger);

    for (const attach of [
      socketAttachment(realtime, sendMessage, config.realtime),
      ...(overrides.attach ?? []),
    ]) {
      attachments.push(await attach({ server, config, store, events, logger, metrics }));
    }

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const url = `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;

    const sweep = setInterval(() => {
      store
        .deleteExpiredSessions(Date.now())
        .catch((err: unknown) => logger.warn({ err: safeError(err) }, 'session sweep failed'));
    }, SESSION_SWEEP_MS);
    sweep.unref();

    let closing: Promise<void> | null = null;
    const close = () => {
      closing ??= (async () => {
        clearInterval(sweep);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        if ('closeIdleConnections' in server) server.closeIdleConnections();
        for (const a of attachments.reverse()) {
          await a
            .close()
            .catch((err: unknown) => logger.warn({ err: safeError(err) }, 'attachment close failed'));
        }
        const drain = setTimeout(() => {
          if ('closeAllConnections' in server) server.closeAllConnections();
        }, DRAIN_MS);
        drain.unref();
        await stopped;
        clearTimeout(drain);
        for (const cleanup of cleanups.reverse()) await cleanup();
        logger.info('relay stopped');
      })();
      return closing;
    };

    logger.info({ url, dialect: store.dialect, tls: config.tls !== null }, 'relay listening');
    return { url, port, server, store, events, logger, close };
  } catch (err) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    throw err;
  }
}

/**
 * A relay whose key differs from the one that signed the log in the database would sign heads no
 * client accepts: refuse to start, naming the fix (every relay shares KT_LOG_KEY_FILE).
 */
function requireOwnLog(head: KtHeadRecord | null, logKey: LogKey): void {
  if (head === null) return;
  try {
    verifyKtHead(head, logKey.publicKey);
  } catch {
    throw new Error(
      `the key log in the database was signed by another key than KT_LOG_KEY_FILE's (${logKey.fingerprint}): every relay of a deployment must use the same key file`,
    );
  }
}

/** Makes every user named in PARLEY_ADMINS an admin (registration covers users created later). */
async function promoteConfiguredAdmins(store: Store, admins: string[], logger: Logger): Promise<void> {
  for (const username of admins) {
    const user = await store.getUserByUsername(username);
    if (user && user.role !== 'admin') {
      await store.setRole(user.id, 'admin');
      logger.info(
        { event: 'admin-promote', userId: user.id, username },
        'promoted to admin by PARLEY_ADMINS',
      );
    }
  }
}
