// How the admin CLI tells running relays what it changed. With REDIS_URL it publishes on the
// relays' own event channel (user-closed, membership, ...) and waits for every publish before
// exiting; the relays then close sockets at once. Without Redis, or when Redis cannot be reached,
// nothing is published: the store change stands, REST requests of a disabled or deleted account
// fail at once (its sessions are gone), and each relay closes its sockets at its next session
// check (SESSION_RECHECK_MS on the heartbeat).
import { hostname } from 'node:os';
import type { Config } from '../env';
import { type Logger, safeError } from '../log';
import { encodeEnvelope } from '../realtime/codec';
import { type EventBus, LocalEventBus, type RelayEvent } from '../realtime/events';
import { connectRedis, type Redis } from '../realtime/redis';
import { eventsChannel } from '../realtime/redis-bus';

const CONNECT_TIMEOUT_MS = 3_000;

export interface CliBus {
  events: EventBus;
  /** True when events reach running relays (Redis connected). */
  reachesRelays: boolean;
  /** Why not, for the operator. */
  why: string | null;
}

class RedisPublisher implements EventBus {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #channel: string;
  readonly #relayId = `admin-cli-${hostname()}-${process.pid}`;
  failures = 0;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.#channel = eventsChannel(prefix);
  }

  publish(event: RelayEvent): void {
    const sent = this.redis
      .publish(this.#channel, encodeEnvelope(this.#relayId, event))
      .catch((err: unknown) => {
        this.failures++;
        this.logger.warn({ err: safeError(err), event: event.type }, 'redis publish failed');
      })
      .finally(() => this.#pending.delete(sent));
    this.#pending.add(sent);
  }

  subscribe(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

export async function openCliBus(config: Config, logger: Logger): Promise<CliBus> {
  const url = config.realtime.redisUrl;
  if (url === null) {
    return { events: new LocalEventBus(), reachesRelays: false, why: 'REDIS_URL is not set' };
  }
  let timer: NodeJS.Timeout | undefined;
  const connecting = connectRedis(url, `parley-admin-${process.pid}`, logger);
  try {
    const redis = await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)),
          CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
    return {
      events: new RedisPublisher(redis, config.realtime.redisPrefix, logger),
      reachesRelays: true,
      why: null,
    };
  } catch (err) {
    connecting.then((r) => r.disconnect()).catch(() => {});
    return {
      events: new LocalEventBus(),
      reachesRelays: false,
      why: `Redis at REDIS_URL could not be reached (${safeError(err).message})`,
    };
  } finally {
    clearTimeout(timer);
  }
}
