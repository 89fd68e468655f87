// Test harness for route tests: a temp SQLite store, a recording event bus, a movable clock, and
// helpers that register users with random authKeys and valid bundles (no Argon2 needed).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bundleToWire,
  generateIdentity,
  INTERACTIVE_KDF_PARAMS,
  makeBundle as makeCryptoBundle,
  ready,
} from '@parley/crypto-core';
import type { Hono } from 'hono';
import { buildApp } from '../app';
import { openStore } from '../db';
import type { Store } from '../db/store';
import { type Config, parseEnv } from '../env';
import { silentLogger } from '../log';
import type { AppDeps, AppEnv } from '../middleware/types';
import type { KdfParams, SessionResponse, WireBundle } from '../protocol';
import { LocalEventBus, type RelayEvent } from '../realtime/events';
import { toB64 } from './views';

export const rand = (n: number): string => toB64(randomBytes(n));

export const TEST_KDF: KdfParams = INTERACTIVE_KDF_PARAMS;

export function testConfig(env: Record<string, string> = {}): Config {
  // Every test user registers from one address: lift the per-IP registration cap (tested on its own).
  return parseEnv({
    LOG_LEVEL: 'silent',
    SCRYPT_LOG_N: '10',
    DATA_DIR: tmpdir(),
    REGISTER_MAX_PER_IP: '100000',
    ...env,
  });
}

/** A signed bundle of a fresh identity, made by crypto-core (call after `await ready()`). */
export function makeBundle(): WireBundle {
  return bundleToWire(makeCryptoBundle(generateIdentity()));
}

export interface TestUser {
  id: string;
  username: string;
  authKey: string;
  cookie: string;
  session: SessionResponse;
}

export interface Harness {
  app: Hono<AppEnv>;
  store: Store;
  events: RelayEvent[];
  config: Config;
  clock: { now: number };
  /** Sends a request; objects and strings go as JSON, bytes as they are. */
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; cookie?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  register(username: string, extra?: Record<string, unknown>): Promise<TestUser>;
  login(username: string, authKey: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** The `name=value` pair of the session cookie a response set. */
export function sessionCookie(res: Response): string {
  const set = res.headers.get('set-cookie') ?? '';
  const match = /parley_session=([^;]*)/.exec(set);
  if (!match?.[1]) throw new Error(`no session cookie in: ${set}`);
  return `parley_session=${match[1]}`;
}

export async function createHarness(
  opts: { env?: Record<string, string>; deps?: Partial<AppDeps> } = {},
): Promise<Harness> {
  await ready();
  const dir = mkdtempSync(join(tmpdir(), 'parley-routes-'));
  const config = testConfig({ DATA_DIR: dir, ...opts.env });
  const store = await openStore(join(dir, 'test.db'));
  await store.ensureBroadcast();
  const bus = new LocalEventBus();
  const events: RelayEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const clock = { now: Date.now() };
  const app = buildApp({
    config,
    store,
    events: bus,
    logger: silentLogger(),
    serverSecret: new Uint8Array(randomBytes(32)),
    now: () => clock.now,
    ...opts.deps,
  });

  const request: Harness['request'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.cookie) headers.cookie = o.cookie;
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (o.body !== undefined) {
      if (o.body instanceof Uint8Array) {
        body = o.body as Uint8Array<ArrayBuffer>;
      } else if (typeof o.body === 'string') {
        body = o.body;
        headers['content-type'] ??= 'application/json';
      } else {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    return app.request(`http://relay.test${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
  };

  const register: Harness['register'] = async (username, extra = {}) => {
    const authKey = rand(32);
    const res = await request('POST', '/api/auth/register', {
      body: {
        username,
        salt: rand(16),
        kdf: TEST_KDF,
        authKey,
        bundle: makeBundle(),
        keyBlob: rand(136),
        ...extra,
      },
    });
    if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
    const session = (await res.json()) as SessionResponse;
    return { id: session.user.id, username, authKey, cookie: sessionCookie(res), session };
  };

  const login: Harness['login'] = (username, authKey, headers) =>
    request('POST', '/api/auth/login', { body: { username, authKey }, ...(headers ? { headers } : {}) });

  return {
    app,
    store,
    events,
    config,
    clock,
    request,
    register,
    login,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const uuid = randomUUID;

/**
 * Everything a refused request could have changed, as one comparable value: counts, users and
 * their credentials, every user's memberships, shares and pins.
 */
export async function storeSnapshot(h: Harness): Promise<unknown> {
  const { store } = h;
  const users = await store.listUsers();
  const perUser = await Promise.all(
    users.map(async (u) => {
      const memberships = await store.listMemberships(u.id);
      const shares = await Promise.all(memberships.map((m) => store.getShares(m.channel.id, u.id)));
      return {
        user: { ...u, lastSeenAt: null },
        memberships: memberships.map((m) => ({ ...m, members: null })),
        shares,
        pins: await store.getPins(u.id),
        avatar: await store.getAvatar(u.id),
      };
    }),
  );
  return { stats: await store.stats(h.clock.now), perUser };
}
