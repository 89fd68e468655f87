// Structured logs (pino). Never a token, key, authKey, password or ciphertext: callers log ids,
// sizes and outcomes only, and the redaction below is a second line of defence for headers.
// Errors are logged through safeError: class, driver code and a masked first line, no SQL.
import { fileURLToPath } from 'node:url';
import { type DestinationStream, type Logger, pino } from 'pino';

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

/**
 * JSON lines on stdout, or on `destination` (the admin CLI writes them to stderr, tests capture
 * them); `service` names the process in them.
 */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  service: 'parley-relay' | 'parley-admin' = 'parley-relay',
): Logger {
  const options = {
    level,
    base: { service },
    redact: { paths: REDACT, censor: '[redacted]' },
    // Replaces pino's own err serializer, which logs the whole message and stack of an Error and
    // renames the class of an already safe one to "Object".
    serializers: { err: (err: unknown) => (err instanceof Error ? safeError(err) : err) },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** What of a thrown error may be logged (docs/configuration.md "Logs"). */
export interface SafeError {
  /** The thrown error's class (`DrizzleQueryError`, `TypeError`…). */
  type: string;
  /** The driver's or the system's code, from the error or its causes (`SQLITE_CONSTRAINT_UNIQUE`, `ER_DUP_ENTRY`, `ECONNREFUSED`). */
  code?: string;
  errno?: number;
  /** The first line of the message that says what went wrong, with quoted values and install paths masked. */
  message: string;
  /** The class of the cause that `code` and `message` come from, when it is not the thrown error. */
  cause?: string;
  /** For an error without a code (a relay bug): the relay's own top frames, paths relative to the install. */
  at?: string[];
}

const INSTALL_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/+$/, '');
const MAX_FRAMES = 4;

/**
 * The loggable part of an unexpected error. Drizzle wraps every driver error in one whose message
 * is the SQL text and its parameters (ciphertext, verifiers): that message is never used; the
 * driver's error in `cause` supplies the code and the first line. Quoted strings, which carry
 * values in MySQL and SQLite messages, and the install path are masked.
 */
export function safeError(err: unknown): SafeError {
  if (!(err instanceof Error)) return { type: typeof err, message: 'non-error thrown' };
  const chain = causes(err);
  const source =
    chain.find((e) => codeOf(e) !== undefined || errnoOf(e) !== undefined) ?? chain.at(-1) ?? err;
  const safe: SafeError = { type: className(err), message: firstLine(source) };
  const code = codeOf(source);
  const errno = errnoOf(source);
  if (code !== undefined) safe.code = code;
  if (errno !== undefined) safe.errno = errno;
  if (source !== err) safe.cause = className(source);
  if (code === undefined && errno === undefined) {
    const at = ownFrames(err);
    if (at.length > 0) safe.at = at;
  }
  return safe;
}

function causes(err: Error): Error[] {
  const chain = [err];
  for (let e: unknown = err.cause; e instanceof Error && chain.length < 6; e = e.cause) chain.push(e);
  return chain;
}

function className(err: Error): string {
  if (err.name && err.name !== 'Error') return err.name;
  const ctor = (err.constructor as { name?: unknown } | undefined)?.name;
  return typeof ctor === 'string' && ctor !== '' && ctor !== 'Object' ? ctor : 'Error';
}

function codeOf(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code) ? code : undefined;
}

function errnoOf(err: Error): number | undefined {
  const errno = (err as { errno?: unknown }).errno;
  return typeof errno === 'number' && Number.isInteger(errno) ? errno : undefined;
}

function firstLine(err: Error): string {
  const line = err.message.split('\n')[0] ?? '';
  // Drizzle's own message is the SQL text; its parameters follow on the next line.
  if (line.startsWith('Failed query:')) return 'Failed query';
  return scrub(line).slice(0, 300);
}

function scrub(text: string): string {
  let out = text.replaceAll(INSTALL_ROOT, '…');
  const cwd = process.cwd();
  if (cwd.length > 1) out = out.replaceAll(cwd, '…');
  return out.replace(/'(?:[^'\\]|\\.)*'/g, "'…'").replace(/"(?:[^"\\]|\\.)*"/g, '"…"');
}

/** The relay's own frames of the stack (no dependencies, no node internals), install-relative. */
function ownFrames(err: Error): string[] {
  return (err.stack ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at ') && !line.includes('node_modules') && !line.includes('node:'))
    .slice(0, MAX_FRAMES)
    .map((line) =>
      line
        .slice(3)
        .replaceAll('file://', '')
        .replaceAll(`${INSTALL_ROOT}/`, '')
        .replace(/(^|[\s(])\/[^\s()]*\/([^/\s()]+:\d+)/g, '$1…/$2'),
    );
}
