// Redis plumbing shared by the bus, presence and the rate limiter: one way to connect (fail fast
// at start, reconnect quietly afterwards) and Lua scripts run by SHA with an EVAL fallback.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../log';

export type { Redis };

/**
 * Opens a connection and waits until it is ready; throws when Redis cannot be reached at start.
 * `autoPipeline`: commands issued in one event-loop turn (the rate-limit checks of a burst of
 * sends, their publishes) go to Redis in one write and come back in one round trip.
 */
export async function connectRedis(
  url: string,
  name: string,
  logger: Logger,
  opts: { autoPipeline?: boolean } = {},
): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: opts.autoPipeline === true,
  });
  let lastError = '';
  redis.on('error', (err: Error) => {
    // ioredis reports every failed reconnect; log each distinct problem once.
    if (err.message !== lastError) logger.warn({ redis: name, err: err.message }, 'redis connection problem');
    lastError = err.message;
  });
  redis.on('ready', () => {
    if (lastError !== '') logger.info({ redis: name }, 'redis connection restored');
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
