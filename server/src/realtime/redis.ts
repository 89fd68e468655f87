// Redis plumbing shared by the bus, presence and the rate limiter: one way to connect (fail fast
// at start, reconnect quietly afterwards, never queue or retry a command) and Lua scripts run by
// SHA with an EVAL fallback.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../log';

export type { Redis };

/** Default of REDIS_TIMEOUT_MS: the longest one Redis command may take before Redis counts as down. */
export const DEFAULT_REDIS_TIMEOUT_MS = 500;

/**
 * Opens a connection and waits until it is ready; throws when Redis cannot be reached at start.
 * Afterwards a command fails at once while the connection is down (no offline queue, no retry,
 * no resend after a reconnect) and after `timeoutMs` when Redis does not answer: the caller
 * (RedisHealth) answers locally instead of waiting. ioredis keeps reconnecting in the background
 * and re-subscribes a subscriber connection.
 * `autoPipeline`: commands issued in one event-loop turn (the rate-limit checks of a burst of
 * sends, their publishes) go to Redis in one write and come back in one round trip.
 */
export async function connectRedis(
  url: string,
  name: string,
  logger: Logger,
  opts: { autoPipeline?: boolean; timeoutMs?: number } = {},
): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    commandTimeout: opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    enableAutoPipelining: opts.autoPipeline === true,
  });
  let lastError = '';
  redis.on('error', (err: Error) => {
    // ioredis reports every failed reconnect; RedisHealth logs the outage, this only the details.
    if (err.message !== lastError)
      logger.debug({ redis: name, err: err.message }, 'redis connection problem');
    lastError = err.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });
  await redis.connect();
  return redis;
}

/** A Lua script run with EVALSHA, loading it with EVAL when Redis does not know it yet. */
export class LuaScript {
  readonly #sha: string;

  constructor(
    readonly source: string,
    readonly numKeys: number,
  ) {
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (keys.length !== this.numKeys) throw new Error(`LuaScript: expected ${this.numKeys} keys`);
    try {
      return await redis.evalsha(this.#sha, this.numKeys, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await redis.eval(this.source, this.numKeys, ...keys, ...args);
    }
  }
}
