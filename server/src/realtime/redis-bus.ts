// Cross-relay event bus on Redis pub/sub. A relay delivers its own events to its listeners at once
// (no round trip through Redis) and publishes them with its relay id; from Redis it delivers only
// what other relays published, so nothing is delivered twice. While Redis is down (RedisHealth)
// events stay on this relay: nothing is queued, and Redis pub/sub keeps nothing for a relay that
// was away. So when Redis returns, the relay publishes a `resync` event (delivered here too):
// every relay then catches its sockets up from the store (ws/catch-up.ts) and clients fetch any
// gap before the newest entry, as they do for any gap.
import type { Logger } from '../log';
import { safeError } from '../log';
import { decodeEnvelope, encodeEnvelope, isOwnEnvelope } from './codec';
import type { EventBus, RelayEvent, RelayEventListener } from './events';
import type { Redis } from './redis';
import type { RedisHealth } from './redis-health';

/** The pub/sub channel every relay of a deployment (and the admin CLI) publishes events on. */
export function eventsChannel(prefix: string): string {
  return `${prefix}events`;
}

export interface RedisEventBusOptions {
  /** Connection for PUBLISH (may be shared with other commands). */
  pub: Redis;
  /** Dedicated connection for SUBSCRIBE (Redis allows nothing else on it). */
  sub: Redis;
  health: RedisHealth;
  /** Key/channel prefix shared by every relay of one deployment, e.g. `parley:`. */
  prefix: string;
  relayId: string;
  logger: Logger;
}

export class RedisEventBus implements EventBus {
  readonly #listeners = new Set<RelayEventListener>();
  readonly #channel: string;

  private constructor(
    readonly relayId: string,
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly health: RedisHealth,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.#channel = eventsChannel(prefix);
  }

  /** Subscribes and returns the bus. The connections stay owned by the caller. */
  static async start(opts: RedisEventBusOptions): Promise<RedisEventBus> {
    const bus = new RedisEventBus(opts.relayId, opts.pub, opts.sub, opts.health, opts.prefix, opts.logger);
    opts.sub.on('message', (channel: string, text: string) => bus.#onRemote(channel, text));
    await opts.sub.subscribe(bus.#channel);
    return bus;
  }

  publish(event: RelayEvent): void {
    this.#deliver(event);
    void this.health.run(
      'publish',
      () => this.pub.publish(this.#channel, encodeEnvelope(this.relayId, event)),
      () => 0,
    );
  }

  /**
   * Redis is back (a RedisHealth restore hook): subscribed again (ioredis re-subscribes; once more
   * is harmless), then asks every relay, this one included, to catch its sockets up.
   */
  async resync(): Promise<void> {
    await this.sub.subscribe(this.#channel);
    this.publish({ type: 'resync' });
  }

  subscribe(listener: RelayEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.sub.unsubscribe(this.#channel).catch(() => {});
  }

  #onRemote(channel: string, text: string): void {
    if (channel !== this.#channel || isOwnEnvelope(text, this.relayId)) return;
    try {
      const { relay, event } = decodeEnvelope(text);
      if (relay !== this.relayId) this.#deliver(event);
    } catch (err) {
      this.logger.warn({ err: safeError(err) }, 'dropped a malformed relay event');
    }
  }

  #deliver(event: RelayEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err: safeError(err), event: event.type }, 'relay event listener failed');
      }
    }
  }
}
