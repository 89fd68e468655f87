// What the socket server is built from, shared by the upgrade, frame handlers and fan-out.
import type { Store } from '../db/store';
import type { Logger } from '../log';
import type { RelayMetrics } from '../metrics';
import type { EventBus } from '../realtime/events';
import type { Presence } from '../realtime/presence';
import type { RateLimit } from '../realtime/rate-limit';
import type { SendMessage } from '../realtime/send-message';
import type { CatchUp } from './catch-up';
import type { FrameLimiter } from './frame-limit';
import type { Hub } from './hub';
import type { MemberCache } from './member-cache';

export interface WsLimits {
  /** Largest accepted frame in bytes; a bigger one closes the socket with 1009. */
  maxPayload: number;
  /** Send-buffer cap per socket; past it the socket is closed as a slow consumer (4008). */
  maxBufferedBytes: number;
  /** How long a closing socket may take to read its backlog and the close frame before it is cut off. */
  closeGraceMs: number;
  /** Per-user frame budget on this relay, every frame counted (frame-limit.ts). */
  frameRate: RateLimit;
  /** Open sockets on this relay, and per user; upgrades past them are refused. */
  maxSockets: number;
  maxSocketsPerUser: number;
  /** Ping period; a socket that has not answered the previous ping is terminated. */
  heartbeatMs: number;
  /** Per-user send rate (for the retry hint in `rate_limited`). */
  sendRate: RateLimit;
}

export interface WsDeps {
  store: Store;
  events: EventBus;
  presence: Presence;
  sendMessage: SendMessage;
  logger: Logger;
  relayId: string;
  /** Extra origins allowed besides the relay's own host (PUBLIC_ORIGIN). */
  publicOrigins: string[];
  limits: WsLimits;
  /** This relay's metrics; a fresh registry when omitted (socket tests). */
  metrics?: RelayMetrics;
  now?: () => number;
}

export interface WsContext extends Omit<WsDeps, 'now' | 'metrics'> {
  now: () => number;
  metrics: RelayMetrics;
  hub: Hub;
  members: MemberCache;
  catchUp: CatchUp;
  frames: FrameLimiter;
}

/** Entries per sync page read from the store. */
export const SYNC_PAGE_SIZE = 100;
/** Byte budget of one sync frame or fetch ack. */
export const PAGE_MAX_BYTES = 1024 * 1024;
/** Requests one socket may have unanswered at once. */
export const MAX_IN_FLIGHT = 256;
/** How often a socket's session is re-checked against the store (logout, expiry). */
export const SESSION_RECHECK_MS = 60_000;
/** A user's typing in a channel is relayed at most this often. */
export const TYPING_MIN_INTERVAL_MS = 1_000;
