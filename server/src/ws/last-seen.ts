// lastSeenAt for socket connects, written in bulk: a burst of connects (a relay restart, 2,000
// clients reconnecting) would otherwise cost one durable write per socket. Users are marked, and
// one statement a second writes them all with that second's time: lastSeenAt is an admin's hint
// with a minute's resolution (middleware/session.ts), so the delay loses nothing.
import type { Store } from '../db/store';
import { type Logger, safeError } from '../log';

export const LAST_SEEN_FLUSH_MS = 1_000;

export class LastSeenWriter {
  #pending = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  mark(userId: string): void {
    this.#pending.add(userId);
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.flush();
    }, LAST_SEEN_FLUSH_MS);
    this.#timer.unref();
  }

  /** Writes what is marked (also at shutdown). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const ids = [...this.#pending];
    this.#pending.clear();
    if (ids.length === 0) return this.#flushing;
    this.#flushing = this.#flushing
      .then(() => this.store.touchLastSeen(ids, this.now()))
      .catch((err: unknown) => {
        this.logger.warn(
          { err: safeError(err), event: 'last-seen-failed', users: ids.length },
          'lastSeen write failed',
        );
      });
    return this.#flushing;
  }
}
