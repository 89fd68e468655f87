import { encodeFields, generateIdentity } from '@parley/crypto-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BROADCAST_CHANNEL_ID, ErrorBody, KdfResponse, SessionResponse } from '../../protocol';
import {
  createHarness,
  type Harness,
  makeBundle,
  must,
  rand,
  sessionCookie,
  signBytes,
  storeSnapshot,
  TEST_KDF,
} from '../testing';
import { toB64 } from '../views';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

function registerBody(username: string, extra: Record<string, unknown> = {}) {
  return {
    username,
    salt: rand(16),
    kdf: TEST_KDF,
    authKey: rand(32),
    bundle: makeBundle(),
    keyBlob: rand(136),
    pins: rand(120),
    ...extra,
  };
}

async function errorOf(res: Response) {
  return ErrorBody.parse(await res.json()).error;
}

describe('GET /api/auth/kdf', () => {
  it('answers with the salt and params a user registered with', async () => {
    const salt = rand(16);
    await h.request('POST', '/api/auth/register', { body: registerBody('alice', { salt }) });
    const res = await h.request('GET', '/api/auth/kdf?username=Alice');
    expect(res.status).toBe(200);
    expect(KdfResponse.parse(await res.json())).toEqual({ salt, kdf: TEST_KDF });
  });

  it('answers an unknown username with a stable fake salt of the same shape', async () => {
    await h.register('alice');
    const real = KdfResponse.parse(await (await h.request('GET', '/api/auth/kdf?username=alice')).json());
    const a = await h.request('GET', '/api/auth/kdf?username=nobody');
    const b = await h.request('GET', '/api/auth/kdf?username=NOBODY');
    expect(a.status).toBe(200);
    const fake = KdfResponse.parse(await a.json());
    expect(KdfResponse.parse(await b.json())).toEqual(fake);
    expect(Object.keys(fake)).toEqual(Object.keys(real));
    expect(fake.salt).toHaveLength(real.salt.length);
    expect(fake.kdf).toEqual({ alg: 'argon2id13', opslimit: 2, memlimit: 67108864 });
    const other = KdfResponse.parse(await (await h.request('GET', '/api/auth/kdf?username=someone')).json());
    expect(other.salt).not.toBe(fake.salt);
  });

  it('refuses a missing or malformed username and unknown query fields', async () => {
    for (const q of ['', '?username=a', '?username=bad%20name', '?username=alice&x=1']) {
      const res = await h.request('GET', `/api/auth/kdf${q}`);
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe('bad_request');
    }
  });
});

describe('POST /api/auth/register', () => {
  it('creates the account, sets an HttpOnly SameSite=Lax session cookie and joins broadcast', async () => {
    const body = registerBody('Alice', { displayName: 'Alice A.' });
    const res = await h.request('POST', '/api/auth/register', { body });
    expect(res.status).toBe(201);
    const session = SessionResponse.parse(await res.json());
    expect(session.user).toMatchObject({ username: 'alice', displayName: 'Alice A.', role: 'admin' });
    expect(session.bundle).toEqual(body.bundle);
    expect(session.keyBlob).toBe(body.keyBlob);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^parley_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain(`Max-Age=${h.config.sessionTtlSeconds}`);
    expect(cookie).not.toContain('Secure');
    expect(await h.store.getMember(BROADCAST_CHANNEL_ID, session.user.id)).not.toBeNull();
    expect(h.events.some((e) => e.type === 'membership' && e.channelId === BROADCAST_CHANNEL_ID)).toBe(true);
  });

  it('stores a slow hash of the authKey, never the authKey itself', async () => {
    const body = registerBody('alice');
    await h.request('POST', '/api/auth/register', { body });
    const user = await h.store.getUserByUsername('alice');
    expect(user?.verifier).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(user?.verifier).not.toContain(body.authKey);
  });

  it('makes the first user admin and later users plain users', async () => {
    const first = await h.register('alice');
    const second = await h.register('bob');
    expect(first.session.user.role).toBe('admin');
    expect(second.session.user.role).toBe('user');
  });

  it('makes users named in PARLEY_ADMINS admin', async () => {
    const h2 = await createHarness({ env: { PARLEY_ADMINS: 'Carol, dave' } });
    try {
      await h2.register('alice');
      expect((await h2.register('bob')).session.user.role).toBe('user');
      expect((await h2.register('carol')).session.user.role).toBe('admin');
    } finally {
      await h2.close();
    }
  });

  it('refuses a taken username, whatever its case, with 409 username_taken', async () => {
    await h.register('alice');
    const before = await storeSnapshot(h);
    const res = await h.request('POST', '/api/auth/register', { body: registerBody('ALICE') });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('username_taken');
    expect(await storeSnapshot(h)).toEqual(before);
  });

  it('refuses a bundle whose encKeySig does not verify', async () => {
    const bundle = makeBundle();
    const other = makeBundle();
    const res = await h.request('POST', '/api/auth/register', {
      body: registerBody('alice', { bundle: { ...bundle, encKey: other.encKey } }),
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain('encKeySig');
    expect(await h.store.getUserByUsername('alice')).toBeNull();
  });

  it('refuses a validly signed bundle whose encryption key has small order', async () => {
    const identity = generateIdentity();
    const zero = new Uint8Array(32);
    const encKeySig = signBytes(encodeFields('parley/enckey/v1', identity.signPk, zero), identity);
    const bundle = {
      v: 1,
      identityKey: toB64(identity.signPk),
      encKey: toB64(zero),
      encKeySig: toB64(encKeySig),
    };
    const res = await h.request('POST', '/api/auth/register', { body: registerBody('alice', { bundle }) });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/encKey/);
    expect(await h.store.getUserByUsername('alice')).toBeNull();
  });

  it('stores the first pins blob with the account, and requires one', async () => {
    const pins = rand(150);
    const res = await h.request('POST', '/api/auth/register', { body: registerBody('alice', { pins }) });
    expect(res.status).toBe(201);
    const user = await h.store.getUserByUsername('alice');
    expect(toB64(must(await h.store.getPins(user?.id ?? ''), 'pins'))).toBe(pins);
    const { pins: _omitted, ...without } = registerBody('bob');
    expect((await h.request('POST', '/api/auth/register', { body: without })).status).toBe(400);
  });

  it('stores the recovery verifier when a recovery blob is given', async () => {
    const res = await h.request('POST', '/api/auth/register', {
      body: registerBody('alice', { recovery: { authKey: rand(32), keyBlob: rand(136) } }),
    });
    expect(SessionResponse.parse(await res.json()).user.hasRecovery).toBe(true);
  });

  describe('refuses bad input with a precise 4xx and creates nothing', () => {
    const cases: [string, () => { body: unknown; headers?: Record<string, string> }, number][] = [
      ['malformed JSON', () => ({ body: '{"username": "alice",' }), 400],
      ['a JSON array', () => ({ body: '[]' }), 400],
      ['an unknown field', () => ({ body: registerBody('alice', { role: 'admin' }) }), 400],
      ['a wrong type', () => ({ body: registerBody('alice', { authKey: 42 }) }), 400],
      ['bad base64', () => ({ body: registerBody('alice', { authKey: `${rand(31)}+/` }) }), 400],
      ['padded base64', () => ({ body: registerBody('alice', { salt: `${rand(15)}=` }) }), 400],
      ['a short authKey', () => ({ body: registerBody('alice', { authKey: rand(16) }) }), 400],
      ['a bad username', () => ({ body: registerBody('al ice') }), 400],
      [
        'weak KDF params',
        () => ({ body: registerBody('alice', { kdf: { ...TEST_KDF, opslimit: 1 } }) }),
        400,
      ],
      [
        'a non-JSON content type',
        () => ({ body: JSON.stringify(registerBody('alice')), headers: { 'content-type': 'text/plain' } }),
        415,
      ],
      [
        'an oversized body',
        () => ({ body: registerBody('alice', { keyBlob: 'A'.repeat(600 * 1024) }) }),
        413,
      ],
    ];
    for (const [name, make, status] of cases) {
      it(name, async () => {
        const before = await storeSnapshot(h);
        const { body, headers } = make();
        const res = await h.request('POST', '/api/auth/register', {
          body,
          ...(headers ? { headers } : {}),
        });
        expect(res.status).toBe(status);
        const error = await errorOf(res);
        expect(error.code).toBe(
          status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request',
        );
        expect(res.headers.get('set-cookie')).toBeNull();
        expect(await storeSnapshot(h)).toEqual(before);
      });
    }

    it('names the failing field in the details', async () => {
      const res = await h.request('POST', '/api/auth/register', {
        body: registerBody('alice', { authKey: 42 }),
      });
      const error = await errorOf(res);
      expect(JSON.stringify(error.details)).toContain('authKey');
    });
  });
});

describe('POST /api/auth/login', () => {
  it('starts a session and returns the key blob and bundle', async () => {
    const alice = await h.register('alice');
    const res = await h.login('ALICE', alice.authKey);
    expect(res.status).toBe(200);
    const session = SessionResponse.parse(await res.json());
    expect(session).toEqual(alice.session);
    const me = await h.request('GET', '/api/me', { cookie: sessionCookie(res) });
    expect(me.status).toBe(200);
  });

  it('answers a wrong key and an unknown user identically', async () => {
    await h.register('alice');
    const wrong = await h.login('alice', rand(32));
    const unknown = await h.login('mallory', rand(32));
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(unknown.headers.get('set-cookie')).toBeNull();
  });

  it('throttles failures per account with 429 and Retry-After, even for the right key', async () => {
    const h2 = await createHarness({
      env: { LOGIN_MAX_ATTEMPTS: '3', LOGIN_WINDOW_MS: '60000', TRUST_PROXY: 'true' },
    });
    try {
      const alice = await h2.register('alice');
      for (let i = 0; i < 3; i++) {
        expect((await h2.login('alice', rand(32), { 'x-forwarded-for': `10.0.0.${i}` })).status).toBe(401);
      }
      const blocked = await h2.login('alice', alice.authKey);
      expect(blocked.status).toBe(429);
      expect((await errorOf(blocked)).code).toBe('rate_limited');
      expect(blocked.headers.get('retry-after')).toBe('60');
    } finally {
      await h2.close();
    }
  });

  it('throttles failures per IP across accounts', async () => {
    const h2 = await createHarness({
      env: { LOGIN_MAX_ATTEMPTS: '3', TRUST_PROXY: 'true' },
    });
    try {
      const bob = await h2.register('bob');
      const ip = { 'x-forwarded-for': '203.0.113.9' };
      for (const name of ['user1', 'user2', 'user3'])
        expect((await h2.login(name, rand(32), ip)).status).toBe(401);
      expect((await h2.login('bob', bob.authKey, ip)).status).toBe(429);
      expect((await h2.login('bob', bob.authKey, { 'x-forwarded-for': '203.0.113.10' })).status).toBe(200);
    } finally {
      await h2.close();
    }
  });

  it('caps registrations per IP with 429, and creates nothing past the cap', async () => {
    const h2 = await createHarness({ env: { REGISTER_MAX_PER_IP: '2', TRUST_PROXY: 'true' } });
    const from = (ip: string, username: string) =>
      h2.request('POST', '/api/auth/register', {
        headers: { 'x-forwarded-for': ip },
        body: registerBody(username),
      });
    try {
      expect((await from('198.51.100.7', 'one')).status).toBe(201);
      expect((await from('198.51.100.7', 'two')).status).toBe(201);
      const third = await from('198.51.100.7', 'three');
      expect(third.status).toBe(429);
      expect((await errorOf(third)).code).toBe('rate_limited');
      expect(await h2.store.getUserByUsername('three')).toBeNull();
      expect((await from('198.51.100.8', 'three')).status).toBe(201);
    } finally {
      await h2.close();
    }
  });

  it('forgets an account’s failures after a successful login', async () => {
    const h2 = await createHarness({ env: { LOGIN_MAX_ATTEMPTS: '3', TRUST_PROXY: 'true' } });
    let n = 0;
    const ip = () => ({ 'x-forwarded-for': `10.1.0.${n++}` });
    try {
      const alice = await h2.register('alice');
      for (let i = 0; i < 2; i++) expect((await h2.login('alice', rand(32), ip())).status).toBe(401);
      expect((await h2.login('alice', alice.authKey, ip())).status).toBe(200);
      for (let i = 0; i < 2; i++) expect((await h2.login('alice', rand(32), ip())).status).toBe(401);
      expect((await h2.login('alice', alice.authKey, ip())).status).toBe(200);
    } finally {
      await h2.close();
    }
  });

  it('says account_disabled only after a correct key', async () => {
    const bob = await h.register('bob');
    await h.store.setDisabled(bob.id, true);
    const wrong = await h.login('bob', rand(32));
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).code).toBe('invalid_credentials');
    const right = await h.login('bob', bob.authKey);
    expect(right.status).toBe(403);
    expect((await errorOf(right)).code).toBe('account_disabled');
    expect(right.headers.get('set-cookie')).toBeNull();
  });

  it('refuses unknown fields', async () => {
    const res = await h.request('POST', '/api/auth/login', {
      body: { username: 'alice', authKey: rand(32), password: 'hunter2' },
    });
    expect(res.status).toBe(400);
  });
});

describe('POST /api/auth/logout', () => {
  it('ends the session and clears the cookie', async () => {
    const alice = await h.register('alice');
    const res = await h.request('POST', '/api/auth/logout', { cookie: alice.cookie });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/parley_session=;.*Max-Age=0/);
    expect((await h.request('GET', '/api/me', { cookie: alice.cookie })).status).toBe(401);
  });

  it('is harmless without a session', async () => {
    expect((await h.request('POST', '/api/auth/logout')).status).toBe(204);
  });
});

describe('recovery', () => {
  async function withRecovery() {
    const recovery = { authKey: rand(32), keyBlob: rand(136) };
    const alice = await h.register('alice', { recovery });
    return { alice, recovery };
  }

  it('fetch returns the recovery blob and bundle for the right recovery key', async () => {
    const { alice, recovery } = await withRecovery();
    const res = await h.request('POST', '/api/auth/recovery/fetch', {
      body: { username: 'alice', recoveryAuthKey: recovery.authKey },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ keyBlob: recovery.keyBlob, bundle: alice.session.bundle });
  });

  it('fetch answers 401 invalid_credentials for a wrong key, an unknown user, or no recovery set', async () => {
    await withRecovery();
    await h.register('bob');
    const answers = await Promise.all(
      [
        { username: 'alice', recoveryAuthKey: rand(32) },
        { username: 'nobody', recoveryAuthKey: rand(32) },
        { username: 'bob', recoveryAuthKey: rand(32) },
      ].map((body) => h.request('POST', '/api/auth/recovery/fetch', { body })),
    );
    const bodies = await Promise.all(answers.map((r) => r.json()));
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401]);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
  });

  it('reset replaces the credentials, ends every other session and signs in', async () => {
    const { alice, recovery } = await withRecovery();
    const other = sessionCookie(await h.login('alice', alice.authKey));
    const newKey = rand(32);
    const newBlob = rand(136);
    const newSalt = rand(16);
    const res = await h.request('POST', '/api/auth/recovery/reset', {
      body: {
        username: 'alice',
        recoveryAuthKey: recovery.authKey,
        salt: newSalt,
        kdf: TEST_KDF,
        authKey: newKey,
        keyBlob: newBlob,
      },
    });
    expect(res.status).toBe(200);
    expect(SessionResponse.parse(await res.json()).keyBlob).toBe(newBlob);
    expect((await h.request('GET', '/api/me', { cookie: sessionCookie(res) })).status).toBe(200);
    expect((await h.request('GET', '/api/me', { cookie: other })).status).toBe(401);
    expect((await h.request('GET', '/api/me', { cookie: alice.cookie })).status).toBe(401);
    expect((await h.login('alice', alice.authKey)).status).toBe(401);
    expect((await h.login('alice', newKey)).status).toBe(200);
    const kdf = KdfResponse.parse(await (await h.request('GET', '/api/auth/kdf?username=alice')).json());
    expect(kdf.salt).toBe(newSalt);
  });

  it('reset with a wrong recovery key changes nothing', async () => {
    await withRecovery();
    const before = await storeSnapshot(h);
    const res = await h.request('POST', '/api/auth/recovery/reset', {
      body: {
        username: 'alice',
        recoveryAuthKey: rand(32),
        salt: rand(16),
        kdf: TEST_KDF,
        authKey: rand(32),
        keyBlob: rand(136),
      },
    });
    expect(res.status).toBe(401);
    expect(await storeSnapshot(h)).toEqual(before);
  });
});
