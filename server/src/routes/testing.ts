// Test harness for route tests: a temp SQLite store, a recording event bus, a movable clock, and
// helpers that register users with random authKeys and valid bundles (no Argon2 needed).
import { createPrivateKey, sign as cryptoSign, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bundleToWire,
  generateIdentity,
  type IdentityKeys,
  INTERACTIVE_KDF_PARAMS,
  type MemberAction,
  type MemberEntryFields,
  MembershipLog,
  makeBundle as makeCryptoBundle,
  memberEntryBody,
  memberEntryFromWire,
  memberEntryToWire,
  newGroupChannelId,
  ready,
  sealPins,
  signMemberEntry,
} from '@parley/crypto-core';
import type { Hono } from 'hono';
import { buildApp } from '../app';
import { openStore } from '../db';
import type { Store } from '../db/store';
import { type Config, parseEnv } from '../env';
import { KeyLog } from '../kt/key-log';
import { loadLogKey } from '../kt/log-key';
import { silentLogger } from '../log';
import type { AppDeps, AppEnv } from '../middleware/types';
import type {
  ChannelSummary,
  KdfParams,
  LogEntry,
  LogResponse,
  SessionResponse,
  WireBundle,
} from '../protocol';
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
  /** The keys behind the registered bundle (to sign membership entries). */
  identity: IdentityKeys;
}

export interface Harness {
  app: Hono<AppEnv>;
  store: Store;
  /** The key log, not on a timer: `keyLog.tick()` makes an epoch of what waits. */
  keyLog: KeyLog;
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
  /** A private channel created by `owner` with its signed `create` entry. */
  createGroup(owner: TestUser, name?: string): Promise<ChannelSummary>;
  /**
   * `actor`'s signed membership entry for `subject` in a group, against the log the relay serves
   * now (`add` binds the subject's registered key).
   */
  signEntry(actor: TestUser, channelId: string, action: MemberAction, subject: TestUser): Promise<LogEntry>;
  /** Invites `subject` with `actor`'s signed `add`; throws unless the relay answers 201. */
  invite(actor: TestUser, channelId: string, subject: TestUser): Promise<ChannelSummary>;
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
  const keyLog = new KeyLog({
    store,
    logKey: await loadLogKey(join(dir, 'kt-log-key')),
    logger: silentLogger(),
    holder: 'test-relay',
    epochMs: config.kt.epochMs,
    now: () => clock.now,
  });
  const app = buildApp({
    keyLog,
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
    const identity = generateIdentity();
    const res = await request('POST', '/api/auth/register', {
      body: {
        username,
        salt: rand(16),
        kdf: TEST_KDF,
        authKey,
        bundle: bundleToWire(makeCryptoBundle(identity)),
        keyBlob: rand(136),
        pins: toB64(sealPins({ v: 1, version: 1, contacts: {} }, identity)),
        ...extra,
      },
    });
    if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
    const session = (await res.json()) as SessionResponse;
    return { id: session.user.id, username, authKey, cookie: sessionCookie(res), session, identity };
  };

  const createGroup: Harness['createGroup'] = async (owner, name = 'Group') => {
    const id = newGroupChannelId();
    const fields = MembershipLog.empty(id).next('create', owner.id, owner.id, owner.identity.signPk);
    const entry = memberEntryToWire(signMemberEntry(fields, owner.identity.signSk));
    const res = await request('POST', '/api/channels', { cookie: owner.cookie, body: { id, name, entry } });
    if (res.status !== 201) throw new Error(`create group: ${res.status} ${await res.text()}`);
    return (await res.json()) as ChannelSummary;
  };

  const signEntry: Harness['signEntry'] = async (actor, channelId, action, subject) => {
    const res = await request('GET', `/api/channels/${channelId}/log`, { cookie: actor.cookie });
    if (res.status !== 200) throw new Error(`log: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as LogResponse;
    const log = MembershipLog.verify(
      channelId,
      page.entries.map((e) => memberEntryFromWire(channelId, e)),
    );
    const key = action === 'add' ? subject.identity.signPk : undefined;
    const fields = log.next(action, actor.id, subject.id, key);
    return memberEntryToWire(signMemberEntry(fields, actor.identity.signSk));
  };

  const invite: Harness['invite'] = async (actor, channelId, subject) => {
    const entry = await signEntry(actor, channelId, 'add', subject);
    const res = await request('POST', `/api/channels/${channelId}/members`, {
      cookie: actor.cookie,
      body: { userId: subject.id, entry },
    });
    if (res.status !== 201) throw new Error(`invite: ${res.status} ${await res.text()}`);
    return (await res.json()) as ChannelSummary;
  };

  const login: Harness['login'] = (username, authKey, headers) =>
    request('POST', '/api/auth/login', { body: { username, authKey }, ...(headers ? { headers } : {}) });

  return {
    app,
    store,
    keyLog,
    events,
    config,
    clock,
    request,
    register,
    createGroup,
    signEntry,
    invite,
    login,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const uuid = randomUUID;

/**
 * Signs membership-entry fields as they are, with no rule checks (crypto-core's signMemberEntry
 * refuses what readers would refuse): for tests of what the relay does with a bad entry.
 */
export function signEntryUnchecked(fields: MemberEntryFields, identity: IdentityKeys): LogEntry {
  return memberEntryToWire({ ...fields, sig: signBytes(memberEntryBody(fields), identity) });
}

/** An Ed25519 signature by Node's own implementation, with the identity's seed. */
export function signBytes(message: Uint8Array, identity: IdentityKeys): Uint8Array {
  const seed = Buffer.from(identity.signSk.subarray(0, 32));
  const key = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  return new Uint8Array(cryptoSign(null, message, key));
}

/** The value, or a thrown error naming what was missing. */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`);
  return value;
}

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
