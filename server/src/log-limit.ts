// Repeated log lines, rate-limited: a flood of refused upgrades, malformed requests or client
// aborts must not flood the log (or the disk). Each key gets LINES_PER_WINDOW lines per window;
// the rest are only counted, and one `log-suppressed` line at the end of the window says how many.
// Keys are fixed event names with a small qualifier (a status, an error class), never a user id or
// an address, so the set of keys stays small.
import type { Logger } from './log';

/** Lines written per key and window before the rest are suppressed. */
export const LINES_PER_WINDOW = 10;
export const LOG_WINDOW_MS = 60_000;

type Level = 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { info: 0, warn: 1, error: 2 };

interface Window {
  written: number;
  suppressed: number;
  /** The highest level among the suppressed lines: the summary's level. */
  level: Level;
  timer: ReturnType<typeof setTimeout>;
}

export class LogLimiter {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly logger: Logger,
    private readonly perWindow = LINES_PER_WINDOW,
    private readonly windowMs = LOG_WINDOW_MS,
  ) {}

  info(key: string, fields: object, msg: string): void {
    this.#log('info', key, fields, msg);
  }

  warn(key: string, fields: object, msg: string): void {
    this.#log('warn', key, fields, msg);
  }

  error(key: string, fields: object, msg: string): void {
    this.#log('error', key, fields, msg);
  }

  /** Writes the pending suppression counts now (at shutdown). */
  flush(): void {
    for (const key of [...this.#windows.keys()]) this.#end(key);
  }

  #log(level: Level, key: string, fields: object, msg: string): void {
    let w = this.#windows.get(key);
    if (!w) {
      w = {
        written: 0,
        suppressed: 0,
        level: 'info',
        timer: setTimeout(() => this.#end(key), this.windowMs),
      };
      w.timer.unref();
      this.#windows.set(key, w);
    }
    if (w.written < this.perWindow) {
      w.written++;
      this.logger[level](fields, msg);
      return;
    }
    w.suppressed++;
    if (RANK[level] > RANK[w.level]) w.level = level;
  }

  #end(key: string): void {
    const w = this.#windows.get(key);
    if (!w) return;
    clearTimeout(w.timer);
    this.#windows.delete(key);
    if (w.suppressed === 0) return;
    this.logger[w.level](
      { event: 'log-suppressed', of: key, suppressed: w.suppressed, windowMs: this.windowMs },
      `${w.suppressed} more "${key}" lines suppressed`,
    );
  }
}

const perLogger = new WeakMap<Logger, LogLimiter>();

/** The relay's one limiter for `logger`: every module logging repeatable lines shares its windows. */
export function logLimiter(logger: Logger): LogLimiter {
  let limiter = perLogger.get(logger);
  if (!limiter) {
    limiter = new LogLimiter(logger);
    perLogger.set(logger, limiter);
  }
  return limiter;
}
