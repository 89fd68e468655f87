// What every command runs with: the relay's own configuration (parseEnv, so the CLI opens the
// same store and files as the relay), the store opened on first use, the bus to running relays,
// output, and the clock. Opening the store applies pending migrations, as a relay start does.

import { pino } from 'pino';
import type { AdminDeps } from '../admin/accounts';
import type { Store } from '../db/store';
import type { Config } from '../env';
import { createLogger, type Logger } from '../log';
import type { CliBus } from './relay-bus';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export class CliContext {
  readonly logger: Logger;
  #store: Promise<Store> | null = null;
  #bus: Promise<CliBus> | null = null;

  constructor(
    readonly config: Config,
    readonly io: Output,
    /** LOG_LEVEL when the environment sets it; else `warn`, so that a terminal shows only the answer. */
    logLevel: string,
    readonly now: () => number = Date.now,
  ) {
    // Structured lines go to stderr (pino's destination 2), out of the way of the command's output.
    this.logger = createLogger(logLevel, pino.destination({ fd: 2, sync: true }), 'parley-admin');
  }

  // The drivers and Redis load on first use: `help` and refused command lines answer fast.
  store(): Promise<Store> {
    this.#store ??= import('../db').then((db) => db.openStore(this.config.databaseUrl));
    return this.#store;
  }

  bus(): Promise<CliBus> {
    this.#bus ??= import('./relay-bus').then((m) => m.openCliBus(this.config, this.logger));
    return this.#bus;
  }

  /** The store, bus and logger as the shared admin actions take them. */
  async adminDeps(): Promise<AdminDeps> {
    return { store: await this.store(), events: (await this.bus()).events, logger: this.logger };
  }

  /** The database, for messages: a SQLite path, or a MySQL URL without its credentials. */
  databaseName(): string {
    const url = this.config.databaseUrl;
    if (!/^mysql:\/\//i.test(url)) return url;
    const u = new URL(url);
    return `mysql://${u.host}${u.pathname}`;
  }

  async close(): Promise<void> {
    const [store, bus] = await Promise.allSettled([this.#store, this.#bus]);
    if (bus.status === 'fulfilled' && bus.value) await bus.value.events.close();
    if (store.status === 'fulfilled' && store.value) await store.value.close();
  }
}
