// The relay's real-time services, chosen once at start: with REDIS_URL, a Redis event bus,
// presence and send-rate buckets shared by every relay; without it, in-process equivalents for a
// single relay. The write batcher is always per process (it batches this relay's sends).
// With Redis, one RedisHealth watches both connections: while Redis is down every service answers
// from its local equivalent at once (see redis-health.ts), and catches up when it returns.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../db/store';
import type { ReadinessCheck } from '../health/readiness';
import { type Logger, safeError } from '../log';
import type { RelayMetrics } from '../metrics';
import { type RateLimiter as AttemptLimiter, MemoryRateLimiter } from '../middleware/rate-limit';
import { type BatcherOptions, WriteBatcher } from './batcher';
import { type EventBus, LocalEventBus } from './events';
import { LocalPresence, type Presence, RedisPresence } from './presence';
import { LocalRateLimiter, type RateLimit, type RateLimiter, RedisRateLimiter } from './rate-limit';
import { connectRedis, type Redis } from './redis';
import { RedisEventBus } from './redis-bus';
import { RedisHealth } from './redis-health';
import { RedisWindowLimiter } from './window-limit';

export interface RealtimeConfig {
  /** null: one relay alone, everything in process. */
  redisUrl: string | null;
  /** Prefix of every Redis key and channel; relays of one deployment share it. */
  redisPrefix: string;
  /** Longest wait for one Redis command before this relay falls back to local services. */
  redisTimeoutMs: number;
  /** This process's id on the bus; random when null. */
  relayId: string | null;
  sendRate: RateLimit;
  /** Login, recovery and registration attempts per window (see LOGIN_MAX_ATTEMPTS). */
  attempts: { max: number; windowMs: number };
  /** Registrations per IP per window (see REGISTER_MAX_PER_IP). */
  registrations: { max: number; windowMs: number };
  batch: BatcherOptions;
  presenceBeatMs: number;
}

export interface RealtimeServices {
  readonly relayId: string;
  readonly events: EventBus;
  readonly presence: Presence;
  readonly sendLimiter: RateLimiter;
  /** Attempt counters for the HTTP auth routes, shared by every relay with Redis. */
  readonly attemptLimiter: AttemptLimiter;
  readonly registrationLimiter: AttemptLimiter;
  readonly batcher: WriteBatcher;
  /** What /readyz asks of these services: that Redis answers, when there is one. */
  readonly readinessChecks: ReadinessCheck[];
  /** Commits queued sends, forgets this relay's presence, and closes the bus and Redis. */
  close(): Promise<void>;
}

export function newRelayId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export async function createRealtimeServices(
  config: RealtimeConfig,
  store: Store,
  logger: Logger,
  metrics: RelayMetrics,
): Promise<RealtimeServices> {
  const relayId = config.relayId ?? newRelayId();
  const batcher = new WriteBatcher(
    async (batch, now) => {
      const stopTimer = metrics.commitSeconds.startTimer();
      const results = await store.appendMessages(batch, now);
      stopTimer();
      metrics.batchSize.observe(batch.length);
      return results;
    },
    config.batch,
    logger,
  );

  if (config.redisUrl === null) {
    const events = new LocalEventBus();
    const presence = new LocalPresence();
    return {
      relayId,
      events,
      presence,
      sendLimiter: new LocalRateLimiter(config.sendRate),
      attemptLimiter: new MemoryRateLimiter(config.attempts.max, config.attempts.windowMs),
      registrationLimiter: new MemoryRateLimiter(config.registrations.max, config.registrations.windowMs),
      batcher,
      readinessChecks: [],
      async close() {
        await batcher.close();
        await presence.close();
        await events.close();
      },
    };
  }

  const url = config.redisUrl;
  const prefix = config.redisPrefix;
  const timeoutMs = config.redisTimeoutMs;
  const cmd = await connectRedis(url, `parley-cmd-${relayId}`, logger, { autoPipeline: true, timeoutMs });
  let sub: Redis;
  try {
    sub = await connectRedis(url, `parley-sub-${relayId}`, logger, { timeoutMs });
  } catch (err) {
    cmd.disconnect();
    throw err;
  }
  const health = new RedisHealth({ connections: [cmd, sub], timeoutMs, logger, metrics });
  metrics.gauge('parley_redis_up', 'Whether this relay uses Redis now (0: local fallback).', () =>
    health.up ? 1 : 0,
  );
  const events = await RedisEventBus.start({ pub: cmd, sub, health, prefix, relayId, logger });
  const presence = await RedisPresence.start({
    redis: cmd,
    health,
    prefix,
    relayId,
    beatMs: config.presenceBeatMs,
    logger,
    announce: (userId, online) => events.publish({ type: 'presence', userId, online }),
  });
  // When Redis is back: this relay counted again first, then every relay catches its sockets up.
  health.onRestored(() => presence.reregister());
  health.onRestored(() => events.resync());
  logger.info({ relay: relayId, redisPrefix: prefix }, 'real-time scale-out through redis');
  return {
    relayId,
    events,
    presence,
    sendLimiter: new RedisRateLimiter(cmd, health, prefix, config.sendRate),
    attemptLimiter: new RedisWindowLimiter(
      cmd,
      health,
      prefix,
      config.attempts.max,
      config.attempts.windowMs,
    ),
    registrationLimiter: new RedisWindowLimiter(
      cmd,
      health,
      prefix,
      config.registrations.max,
      config.registrations.windowMs,
    ),
    batcher,
    readinessChecks: [
      {
        name: 'redis',
        async check() {
          await cmd.ping();
        },
      },
    ],
    async close() {
      await batcher.close();
      try {
        const offline = await presence.close();
        for (const userId of offline) events.publish({ type: 'presence', userId, online: false });
      } catch (err) {
        logger.warn({ err: safeError(err) }, 'presence cleanup failed');
      }
      health.close();
      await events.close();
      await Promise.allSettled([sub, cmd].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
