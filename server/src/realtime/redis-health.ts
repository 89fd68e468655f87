// Whether this relay can use Redis right now, shared by the bus, presence and the limiters. While
// Redis answers, operations run there; when one times out or a connection drops, Redis is marked
// down (one `warn`) and every operation answers locally at once, with no per-command wait, until
// a probe finds Redis back (one `info`). Then the restore hooks run: presence re-registers this
// relay's sockets and the bus tells every relay to catch its sockets up (see redis-bus.ts).
//
// Why not rely on ioredis alone: its retries and offline queue make each command wait seconds
// during an outage, and a send waits for the rate limiter, a socket's hello for presence.
import { ReplyError } from 'ioredis';
import type { Logger } from '../log';
import { safeError } from '../log';
import type { RelayMetrics } from '../metrics';
import type { Redis } from './redis';

/** What the services need to know: fall back now? And how to run one operation either way. */
export interface RedisHealthOptions {
  /** Connections that must all be ready; the first one answers the probe's PING. */
  connections: Redis[];
  /** The longest one Redis operation may take before Redis counts as down. */
  timeoutMs: number;
  logger: Logger;
  metrics: RelayMetrics;
  /** How often a down Redis is probed (also at once when a connection comes back). */
  probeMs?: number;
}

export type RestoreHook = () => Promise<void>;

class RedisTimeout extends Error {
  constructor(ms: number) {
    super(`redis did not answer within ${ms} ms`);
    this.name = 'RedisTimeout';
  }
}

export class RedisHealth {
  readonly #opts: Required<RedisHealthOptions>;
  readonly #hooks: RestoreHook[] = [];
  #up = true;
  #probe: NodeJS.Timeout | null = null;
  #probing = false;
  #closed = false;
  readonly #onClose = () => this.markDown('connection lost');
  readonly #onReady = () => void this.#tryRestore();

  constructor(opts: RedisHealthOptions) {
    this.#opts = { probeMs: 1_000, ...opts };
    for (const c of opts.connections) {
      c.on('close', this.#onClose);
      c.on('ready', this.#onReady);
    }
  }

  get up(): boolean {
    return this.#up;
  }

  /** Called (in order) each time Redis is back after an outage, once operations go to Redis again. */
  onRestored(hook: RestoreHook): void {
    this.#hooks.push(hook);
  }

  /**
   * Runs `remote` on Redis, or `local` instead: at once while Redis is down, or after `remote`
   * failed or took longer than the timeout. A reply error (Redis answered, e.g. a script error)
   * falls back for this call only; anything else marks Redis down.
   */
  async run<T>(operation: string, remote: () => Promise<T>, local: () => T | Promise<T>): Promise<T> {
    if (this.#up) {
      try {
        return await this.#withTimeout(remote());
      } catch (err) {
        if (err instanceof ReplyError) {
          this.#opts.logger.warn({ err: safeError(err), operation }, 'redis refused an operation');
        }
        this.failed(err);
      }
    }
    this.#opts.metrics.redisFallbacks.inc({ operation });
    return local();
  }

  /** A Redis command failed: unless Redis answered with an error, it is down. */
  failed(err: unknown): void {
    if (!(err instanceof ReplyError)) this.markDown(err instanceof Error ? err.message : String(err));
  }

  /** Redis failed (or a connection dropped): answer locally until a probe succeeds. */
  markDown(reason: string): void {
    if (this.#closed) return;
    if (this.#up) {
      this.#up = false;
      this.#opts.logger.warn(
        { event: 'redis-down', reason },
        'redis unavailable: rate limits, presence and fan-out are local to this relay until it returns',
      );
    }
    if (this.#probe === null) {
      this.#probe = setInterval(() => void this.#tryRestore(), this.#opts.probeMs);
      this.#probe.unref();
    }
  }

  close(): void {
    this.#closed = true;
    this.#stopProbe();
    for (const c of this.#opts.connections) {
      c.off('close', this.#onClose);
      c.off('ready', this.#onReady);
    }
  }

  #withTimeout<T>(work: Promise<T>): Promise<T> {
    const ms = this.#opts.timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new RedisTimeout(ms)), ms);
      work.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  async #tryRestore(): Promise<void> {
    if (this.#up || this.#probing || this.#closed) return;
    const { connections, logger } = this.#opts;
    if (!connections.every((c) => c.status === 'ready')) return;
    this.#probing = true;
    try {
      await this.#withTimeout(connections[0]?.ping() ?? Promise.resolve('PONG'));
      if (this.#closed || !connections.every((c) => c.status === 'ready')) return;
      // Up first: what changes while the hooks run goes to Redis, ordered after their commands.
      this.#up = true;
      this.#stopProbe();
      for (const hook of this.#hooks) await this.#withTimeout(hook());
      logger.info({ event: 'redis-up' }, 'redis available again: cross-relay fan-out resumed');
    } catch (err) {
      // Down again (or still): the next probe retries, hooks included.
      this.markDown(err instanceof Error ? err.message : String(err));
    } finally {
      this.#probing = false;
    }
  }

  #stopProbe(): void {
    if (this.#probe !== null) clearInterval(this.#probe);
    this.#probe = null;
  }
}
