// Protocol clients for tests: each one a simulated browser (own cookie jar, Origin header, `ws`
// socket with cookie and Origin) driving the real client code against a real relay.
import { randomBytes } from 'node:crypto';
import {
  type ClientOptions,
  createClient,
  type FetchLike,
  type MessageView,
  type ParleyClient,
} from '@parley/web/client';
import { type CookieFetch, cookieFetch } from './cookie-fetch';
import type { Relay } from './relay';
import { type SocketControl, wsFactory } from './ws-factory';

export interface TestClient {
  client: ParleyClient;
  fetch: CookieFetch;
}

export interface TestUser extends TestClient {
  id: string;
  username: string;
  password: string;
  recoveryCode: string | null;
}

export interface NewClientOptions extends Partial<ClientOptions> {
  /** Wraps the cookie fetch (to record or tamper with traffic); the jar stays shared with the socket. */
  wrapFetch?: (fetch: CookieFetch) => FetchLike;
  /** Lets the test cut the client's sockets or take its network offline. */
  sockets?: SocketControl;
}

/** A logged-out client bound to the relay, with its own cookie jar. */
export function newClient(relay: Relay, opts: NewClientOptions = {}): TestClient {
  const { wrapFetch, sockets, ...clientOpts } = opts;
  const fetch = cookieFetch(relay.origin);
  const client = createClient({
    baseUrl: relay.url,
    fetch: wrapFetch ? wrapFetch(fetch) : fetch,
    WebSocket: wsFactory(fetch.jar, { origin: relay.origin, ...(sockets ? { control: sockets } : {}) }),
    socket: { requestTimeoutMs: 5_000, backoff: { baseMs: 100, maxMs: 2_000, factor: 2 } },
    ...clientOpts,
  });
  return { client, fetch };
}

/** A unique username starting with `name` (3-32 of a-z 0-9 . _ -). */
export function uniqueName(name: string): string {
  return `${name.toLowerCase().slice(0, 20)}-${randomBytes(3).toString('hex')}`;
}

/** Registers a new user (Argon2id INTERACTIVE, ~0.1-0.3 s) and returns its unlocked client. */
export async function makeUser(
  relay: Relay,
  name: string,
  opts: { withRecovery?: boolean; displayName?: string; client?: NewClientOptions } = {},
): Promise<TestUser> {
  const { client, fetch } = newClient(relay, opts.client);
  const username = uniqueName(name);
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const { user, recoveryCode } = await client.register({
    username,
    password,
    displayName: opts.displayName ?? name,
    ...(opts.withRecovery ? { withRecovery: true } : {}),
  });
  return { client, fetch, id: user.id, username, password, recoveryCode };
}

/** Logs an existing user in on a fresh client (another "browser"). */
export async function loginAgain(
  relay: Relay,
  user: { username: string; password: string },
): Promise<TestClient> {
  const c = newClient(relay);
  await c.client.login({ username: user.username, password: user.password });
  return c;
}

/** Polls until `check` returns a truthy value; throws with `what` after the timeout. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  { timeoutMs = 10_000, intervalMs = 25 } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Connects the client's socket and waits until its hello is acked. */
export async function connected(c: TestClient, timeoutMs = 10_000): Promise<void> {
  c.client.connect();
  await waitFor(() => c.client.socket?.ready, 'socket ready', { timeoutMs });
}

/** Texts of a channel's timeline in seq order (ok messages only). */
export function texts(client: ParleyClient, channelId: string): string[] {
  return client
    .timeline(channelId)
    .filter((m: MessageView) => m.status === 'ok' && m.text !== undefined)
    .map((m) => m.text as string);
}

/** Waits until the channel's timeline holds a message with this text, and returns it. */
export function waitForText(client: ParleyClient, channelId: string, text: string, timeoutMs = 10_000) {
  return waitFor(
    () => client.timeline(channelId).find((m) => m.text === text),
    `"${text.slice(0, 40)}" in ${channelId}`,
    { timeoutMs },
  );
}
