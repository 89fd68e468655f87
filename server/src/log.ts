// Structured logs (pino). Never a token, key, authKey, password or ciphertext: callers log ids,
// sizes and outcomes only, and the redaction below is a second line of defence for headers.
import { type Logger, pino } from 'pino';

export type { Logger };

const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'headers["set-cookie"]',
  '*.authKey',
  '*.oldAuthKey',
  '*.recoveryAuthKey',
  '*.token',
];

/** JSON lines on stdout (the relay), or on another file descriptor (the admin CLI: 2). */
export function createLogger(level: string, fd: 1 | 2 = 1): Logger {
  const options = {
    level,
    base: { service: fd === 1 ? 'parley-relay' : 'parley-admin' },
    redact: { paths: REDACT, censor: '[redacted]' },
  };
  return fd === 1 ? pino(options) : pino(options, pino.destination({ fd, sync: true }));
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * What of an unexpected error may be logged: its class, the first line of its message and the
 * stack frames. Driver errors can carry query parameters (ciphertext, verifiers) after the first
 * line, so the rest of the message is dropped.
 */
export function safeError(err: unknown): { type: string; message: string; stack?: string } {
  if (!(err instanceof Error)) return { type: typeof err, message: 'non-error thrown' };
  const message = (err.message.split('\n')[0] ?? '').slice(0, 300);
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
  return frames ? { type: err.name, message, stack: frames } : { type: err.name, message };
}
