// The relay's configuration: parsed once from the environment with zod, typed, and refused at
// start when anything is wrong. Every variable is documented here and in the README.
import { join } from 'node:path';
import { z } from 'zod';
import { resolveFileVariables, withDatabasePassword } from './env-files';
import { REPO_ROOT } from './paths';
import { MAX_CIPHERTEXT_BYTES } from './protocol';

const KiB = 1024;
const MiB = 1024 * KiB;
/** A send frame carrying the largest ciphertext (base64url) plus its JSON: smaller caps would close honest senders. */
const MIN_WS_PAYLOAD = Math.ceil((MAX_CIPHERTEXT_BYTES * 4) / 3) + 4 * KiB;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
/** Longest delay a Node timer honours (about 24.8 days); a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes' || v === 'on');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const commaList = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  );

const origin = z.url().transform((u, ctx) => {
  const parsed = new URL(u);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `${u}: an origin is http(s)://host[:port]` });
    return z.NEVER;
  }
  return parsed.origin;
});

/**
 * Every environment variable the relay reads. Defaults suit `npm start` on a fresh machine.
 * Keep this list in step with the README's configuration table.
 */
export const EnvSchema = z.object({
  /** TCP port to listen on; 0 picks a free one (tests). */
  PORT: int(0, 65535).default(8080),
  /** Interface to bind. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** `mysql://user:pass@host:port/db` or a SQLite file path; defaults to `<DATA_DIR>/parley.db`. */
  DATABASE_URL: optionalString,
  /** Password of a mysql:// DATABASE_URL, kept out of the URL (usually as DATABASE_PASSWORD_FILE). */
  DATABASE_PASSWORD: z.string().min(1).optional(),
  /** Directory for the embedded database and the generated server secret. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** Comma list of extra origins allowed to make state-changing requests (besides the request's own host). */
  PUBLIC_ORIGIN: commaList.pipe(z.array(origin)),
  /** PEM certificate and key files; both or neither. When set, the relay serves HTTPS and WSS. */
  TLS_CERT: optionalString,
  TLS_KEY: optionalString,
  /** Mark the session cookie Secure. Defaults to on under TLS; turn on behind a TLS-terminating proxy. */
  COOKIE_SECURE: bool.optional(),
  /** Send HSTS. Defaults to on under TLS; turn on behind a TLS-terminating proxy. */
  HSTS: bool.optional(),
  /** Use the first X-Forwarded-For address as the client IP (only behind a proxy you control). */
  TRUST_PROXY: bool.default(false),
  /** Secret for the fake KDF salts of unknown usernames (at least 32 characters). Generated and kept in DATA_DIR when unset; all relays of one deployment must share it. */
  SERVER_SECRET: optionalString.pipe(z.string().min(32).optional()),
  /** Session lifetime in seconds (cookie Max-Age and server-side expiry). */
  SESSION_TTL: int(60).default(30 * 24 * 3600),
  /** Failed logins allowed per account and per IP within LOGIN_WINDOW_MS. */
  LOGIN_MAX_ATTEMPTS: int(1).default(10),
  /** Accounts one IP may register per LOGIN_WINDOW_MS, across relays with Redis. */
  REGISTER_MAX_PER_IP: int(1).default(20),
  /** Window of the login throttle in milliseconds. */
  LOGIN_WINDOW_MS: int(1000, MAX_TIMER_MS).default(15 * 60 * 1000),
  /** Maximum JSON body in bytes (every route except shares and avatars). */
  BODY_MAX_BYTES: int(1 * KiB).default(512 * KiB),
  /** Maximum body of a sender-key share upload in bytes (one sealed share per member). */
  SHARES_MAX_BYTES: int(1 * KiB).default(4 * MiB),
  /** Maximum avatar size in bytes. */
  AVATAR_MAX_BYTES: int(1 * KiB).default(512 * KiB),
  /** Maximum members of a private channel. */
  MAX_CHANNEL_MEMBERS: int(2).default(1000),
  /** Who may create an account: `open` (anyone), `invite` (an admin's invite link), `closed` (only links made with the admin CLI). */
  REGISTRATION: z.enum(['open', 'invite', 'closed']).default('open'),
  /** Comma list of usernames that are admins (besides the first registered user). */
  PARLEY_ADMINS: commaList.transform((names) => names.map((n) => n.toLowerCase())),
  /** scrypt cost of the authKey verifier: log2(N). 15 (N=32768, 32 MiB) or more in production. */
  SCRYPT_LOG_N: int(10, 20).default(15),
  /** Built web app to serve; defaults to web/dist of this repository. Served only when it exists. */
  WEB_DIST: optionalString,
  // ---- real-time (/ws) and scale-out; see docs/protocol.md "WebSocket" ----
  /** `redis://host:port` shared by every relay of a deployment: cross-relay fan-out, presence and send rate limits. Unset: one relay alone, all in process. */
  REDIS_URL: optionalString,
  /** Prefix of every Redis key and pub/sub channel; relays of one deployment share it. */
  REDIS_PREFIX: z.string().min(1).max(64).default('parley:'),
  /** Longest wait for one Redis command, in ms; past it (or at once when the connection is lost) the relay uses local rate limits, presence and fan-out until Redis answers again. */
  REDIS_TIMEOUT_MS: int(20, 10_000).default(500),
  /** This relay's id on the bus and in logs; random (`host-pid-xxxxxx`) when unset. Must differ between relays. */
  RELAY_ID: optionalString.pipe(z.string().max(64).optional()),
  /** Largest WebSocket frame in bytes; a bigger one closes the socket with 1009. At least one maximum-size send (~92 KiB). */
  WS_MAX_PAYLOAD: int(MIN_WS_PAYLOAD, 16 * MiB).default(128 * KiB),
  /** Per-socket send-buffer cap in bytes; past it the relay closes the socket as a slow consumer (4008). */
  WS_MAX_BUFFERED_BYTES: int(64 * KiB).default(8 * MiB),
  /** How long a socket the relay closes has to finish the close handshake (e.g. a slow consumer reading its backlog and then the 4008) before it is cut off. */
  WS_CLOSE_GRACE_MS: int(100, 600_000).default(10_000),
  /** Frames per second per user on this relay (token bucket refill), every frame counted, invalid ones too. Default: 50, or twice SEND_RATE_PER_SEC when that is more. */
  WS_FRAME_RATE_PER_SEC: z.coerce.number().positive().max(10_000_000).optional(),
  /** Frames a user may send in a burst; over it frames get `rate_limited`, and a socket that keeps going for another burst is closed (4029). Default: 200, or twice SEND_BURST when that is more. */
  WS_FRAME_BURST: int(1).optional(),
  /** Open sockets per user on this relay; another upgrade gets 429. */
  WS_MAX_SOCKETS_PER_USER: int(1).default(32),
  /** Open sockets on this relay; another upgrade gets 503. */
  WS_MAX_SOCKETS: int(1).default(10_000),
  /** WebSocket ping period in ms; a socket that misses one pong is terminated. */
  HEARTBEAT_MS: int(100, MAX_TIMER_MS).default(30_000),
  /** Messages per second per user (token bucket refill), across all relays when REDIS_URL is set. */
  SEND_RATE_PER_SEC: z.coerce.number().positive().max(1_000_000).default(20),
  /** Bucket size: messages a user may send in a burst before SEND_RATE_PER_SEC applies. */
  SEND_BURST: int(1).default(40),
  /** Most sends committed in one transaction by the write batcher. */
  WRITE_BATCH_MAX: int(1, 10_000).default(200),
  /** How long the write batcher waits to gather sends before committing, in ms (0: next tick). */
  WRITE_BATCH_DELAY_MS: int(0, 1000).default(2),
  /** Presence heartbeat of each relay in Redis, in ms; a relay silent for 3 beats is swept (its users go offline). */
  PRESENCE_BEAT_MS: int(100, MAX_TIMER_MS).default(10_000),
  // ---- key transparency (DESIGN §7.5); see docs/protocol.md "Key transparency" ----
  /** Shortest time between two key-log epochs, in ms; an epoch is made only when a binding changed. */
  KT_EPOCH_MS: int(50, MAX_TIMER_MS).default(1000),
  /** File of the relay's Ed25519 log key (made on first start, mode 0600); default `<DATA_DIR>/kt-log-key`. Every relay of a deployment must use the same one. */
  KT_LOG_KEY_FILE: optionalString,
  /** Bearer token that /metrics requires (at least 16 characters); unset, /metrics answers 404. */
  METRICS_TOKEN: optionalString.pipe(z.string().min(16).optional()),
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  dataDir: string;
  publicOrigins: string[];
  tls: { certFile: string; keyFile: string } | null;
  cookieSecure: boolean;
  hsts: boolean;
  trustProxy: boolean;
  serverSecret: string | null;
  sessionTtlSeconds: number;
  login: { maxAttempts: number; windowMs: number; registerMaxPerIp: number };
  limits: {
    bodyMaxBytes: number;
    sharesMaxBytes: number;
    avatarMaxBytes: number;
    maxChannelMembers: number;
  };
  registration: z.infer<typeof EnvSchema>['REGISTRATION'];
  admins: string[];
  scrypt: { logN: number };
  webDist: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** null: /metrics is off. */
  metricsToken: string | null;
  kt: { epochMs: number; logKeyFile: string };
  realtime: {
    redisUrl: string | null;
    redisPrefix: string;
    redisTimeoutMs: number;
    relayId: string | null;
    maxPayload: number;
    maxBufferedBytes: number;
    closeGraceMs: number;
    frameRate: { ratePerSec: number; burst: number };
    maxSockets: number;
    maxSocketsPerUser: number;
    heartbeatMs: number;
    sendRate: { ratePerSec: number; burst: number };
    attempts: { max: number; windowMs: number };
    registrations: { max: number; windowMs: number };
    batch: { maxBatch: number; maxDelayMs: number };
    presenceBeatMs: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_WEB_DIST = join(REPO_ROOT, 'web', 'dist');

/** Parses the environment; throws ConfigError naming every bad variable. */
export function parseEnv(rawEnv: Record<string, string | undefined> = process.env): Config {
  const { env, problems } = resolveFileVariables(rawEnv);
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError([
      ...problems,
      ...(parsed.error?.issues ?? []).map((i) => `${i.path.join('.') || 'env'}: ${i.message}`),
    ]);
  }
  const e = parsed.data;
  let databaseUrl = e.DATABASE_URL ?? `${e.DATA_DIR.replace(/\/+$/, '')}/parley.db`;
  try {
    databaseUrl = withDatabasePassword(databaseUrl, e.DATABASE_PASSWORD);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
  if ((e.TLS_CERT === undefined) !== (e.TLS_KEY === undefined)) {
    throw new ConfigError(['TLS_CERT and TLS_KEY: set both or neither']);
  }
  const tls = e.TLS_CERT && e.TLS_KEY ? { certFile: e.TLS_CERT, keyFile: e.TLS_KEY } : null;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl,
    dataDir: e.DATA_DIR,
    publicOrigins: e.PUBLIC_ORIGIN,
    tls,
    cookieSecure: e.COOKIE_SECURE ?? tls !== null,
    hsts: e.HSTS ?? tls !== null,
    trustProxy: e.TRUST_PROXY,
    serverSecret: e.SERVER_SECRET ?? null,
    sessionTtlSeconds: e.SESSION_TTL,
    login: {
      maxAttempts: e.LOGIN_MAX_ATTEMPTS,
      windowMs: e.LOGIN_WINDOW_MS,
      registerMaxPerIp: e.REGISTER_MAX_PER_IP,
    },
    limits: {
      bodyMaxBytes: e.BODY_MAX_BYTES,
      sharesMaxBytes: e.SHARES_MAX_BYTES,
      avatarMaxBytes: e.AVATAR_MAX_BYTES,
      maxChannelMembers: e.MAX_CHANNEL_MEMBERS,
    },
    registration: e.REGISTRATION,
    admins: e.PARLEY_ADMINS,
    scrypt: { logN: e.SCRYPT_LOG_N },
    webDist: e.WEB_DIST ?? DEFAULT_WEB_DIST,
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN ?? null,
    kt: {
      epochMs: e.KT_EPOCH_MS,
      logKeyFile: e.KT_LOG_KEY_FILE ?? `${e.DATA_DIR.replace(/\/+$/, '')}/kt-log-key`,
    },
    realtime: {
      redisUrl: e.REDIS_URL ?? null,
      redisPrefix: e.REDIS_PREFIX,
      redisTimeoutMs: e.REDIS_TIMEOUT_MS,
      relayId: e.RELAY_ID ?? null,
      maxPayload: e.WS_MAX_PAYLOAD,
      maxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
      closeGraceMs: e.WS_CLOSE_GRACE_MS,
      // Never tighter than the send limit unless asked: a deployment that raises one raises both.
      frameRate: {
        ratePerSec: e.WS_FRAME_RATE_PER_SEC ?? Math.max(50, 2 * e.SEND_RATE_PER_SEC),
        burst: e.WS_FRAME_BURST ?? Math.max(200, 2 * e.SEND_BURST),
      },
      maxSockets: e.WS_MAX_SOCKETS,
      maxSocketsPerUser: e.WS_MAX_SOCKETS_PER_USER,
      heartbeatMs: e.HEARTBEAT_MS,
      sendRate: { ratePerSec: e.SEND_RATE_PER_SEC, burst: e.SEND_BURST },
      attempts: { max: e.LOGIN_MAX_ATTEMPTS, windowMs: e.LOGIN_WINDOW_MS },
      registrations: { max: e.REGISTER_MAX_PER_IP, windowMs: e.LOGIN_WINDOW_MS },
      batch: { maxBatch: e.WRITE_BATCH_MAX, maxDelayMs: e.WRITE_BATCH_DELAY_MS },
      presenceBeatMs: e.PRESENCE_BEAT_MS,
    },
  };
}
