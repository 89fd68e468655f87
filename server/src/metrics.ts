// The relay's Prometheus metrics (served at /metrics, see docs/operations.md "Metrics"). One
// registry per relay, not prom-client's global one: tests run several relays in one process.
// Metrics carry counts, sizes and durations only; never a user id, channel id or token.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export class RelayMetrics {
  readonly registry = new Registry();

  /** Sends handed to the one send path (REST and WebSocket). */
  readonly sends = new Counter({
    name: 'parley_sends_total',
    help: 'Message sends received (REST and WebSocket).',
    registers: [this.registry],
  });
  /** Sends stored and answered (an ack frame or a 201), duplicates included. */
  readonly acks = new Counter({
    name: 'parley_acks_total',
    help: 'Message sends stored and acknowledged (retried duplicates included).',
    registers: [this.registry],
  });
  /** Refused requests and frames, by the protocol's error code. */
  readonly refusals = new Counter({
    name: 'parley_refusals_total',
    help: 'Refused sends and frames, by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'parley_write_batch_size',
    help: 'Sends committed per write-batch transaction.',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'parley_write_batch_commit_seconds',
    help: 'Time to commit one write batch.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  /** Frames written to this relay's sockets by fan-out (messages, membership, presence…). */
  readonly deliveries = new Counter({
    name: 'parley_fanout_deliveries_total',
    help: 'Frames written to sockets by fan-out.',
    registers: [this.registry],
  });
  /** HTTP answers by status (the API, the web app and the probes). */
  readonly httpResponses = new Counter({
    name: 'parley_http_responses_total',
    help: 'HTTP responses, by status code.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  /** Sockets closed by the relay, by close code. */
  readonly socketCloses = new Counter({
    name: 'parley_socket_closes_total',
    help: 'WebSockets closed, by close code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  /** /ws upgrades answered with an HTTP error instead of a socket, by status. */
  readonly upgradeRefusals = new Counter({
    name: 'parley_socket_upgrades_refused_total',
    help: 'WebSocket upgrades refused, by HTTP status (401, 403, 404, 429 socket or frame limits, 503 full or stopping).',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  /** Redis operations answered locally: Redis was down, or the command failed or timed out. */
  readonly redisFallbacks = new Counter({
    name: 'parley_redis_fallbacks_total',
    help: 'Redis operations answered locally because Redis was down or did not answer in time.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Process CPU, memory, file descriptors and event-loop lag (nodejs_eventloop_lag_seconds…).
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge read when /metrics is scraped (open sockets, Redis state…). */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
