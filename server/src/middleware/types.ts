// What the app is built from, and what middleware leaves on the request context.
import type { Verifier } from '../auth/verifier';
import type { MembershipLogs } from '../channels/membership-append';
import type { SessionRecord, Store, UserRecord } from '../db/store';
import type { Config } from '../env';
import type { ReadinessCheck } from '../health/readiness';
import type { KeyLog } from '../kt/key-log';
import type { Logger } from '../log';
import type { RelayMetrics } from '../metrics';
import type { EventBus } from '../realtime/events';
import type { SendMessage } from '../realtime/send-message';
import type { RateLimiter } from './rate-limit';

export interface RateLimiters {
  /** Login, recovery and password-change attempts, keyed per account and per IP. */
  auth: RateLimiter;
  /** Registrations, keyed per IP. */
  register: RateLimiter;
}

export interface AppDeps {
  config: Config;
  store: Store;
  events: EventBus;
  logger: Logger;
  /** Key of the fake-salt HMAC; at least 32 bytes. */
  serverSecret: Uint8Array;
  /** Defaults to in-memory limiters built from `config.login`. */
  limiters?: RateLimiters;
  /** Live WebSocket count for admin statistics; 0 without a socket server. */
  connectedSockets?: () => number;
  /**
   * The send path REST and WebSocket share (realtime/send-message.ts). Defaults to one without a
   * rate limit that appends each send on its own at `now()`.
   */
  sendMessage?: SendMessage;
  /** Clock in ms (tests move it). */
  now?: () => number;
  /** Directory of the built web app to serve, or null for API only. */
  webDist?: string | null;
  /** Process start, for uptime. */
  startedAt?: number;
  /** The key-transparency log (its map, heads and epoch maker). */
  keyLog: KeyLog;
  /** This relay's Prometheus metrics; a fresh registry when omitted (route tests). */
  metrics?: RelayMetrics;
  /** Readiness checks besides the database's (Redis, when configured). */
  readinessChecks?: ReadinessCheck[];
}

/** Deps with every default filled in, plus the services built from them; what routes receive. */
export type ResolvedDeps = Required<Omit<AppDeps, 'webDist'>> & {
  webDist: string | null;
  verifier: Verifier;
  membershipLogs: MembershipLogs;
};

export interface AppVariables {
  requestId: string;
  clientIp: string;
  /** Set by `requireSession`. */
  user: UserRecord;
  session: SessionRecord;
}

export interface AppEnv {
  Variables: AppVariables;
}
