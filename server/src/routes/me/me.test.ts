import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorBody, Me, PinsResponse } from '../../protocol';
import { createHarness, type Harness, must, rand, sessionCookie, storeSnapshot, TEST_KDF } from '../testing';
import { toB64 } from '../views';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const codeOf = async (res: Response) => ErrorBody.parse(await res.json()).error.code;

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]);
const GIF = new Uint8Array([...Buffer.from('GIF89a'), 1, 0, 1, 0]);

describe('GET /api/me', () => {
  it('returns the signed-in user', async () => {
    const alice = await h.register('alice', { displayName: 'Alice' });
    const res = await h.request('GET', '/api/me', { cookie: alice.cookie });
    expect(res.status).toBe(200);
    expect(Me.parse(await res.json())).toEqual(alice.session.user);
  });

  it('answers 401 unauthorized without a session, with a forged one, or an expired one', async () => {
    const alice = await h.register('alice');
    expect((await h.request('GET', '/api/me')).status).toBe(401);
    const forged = await h.request('GET', '/api/me', { cookie: `parley_session=${rand(32)}` });
    expect(forged.status).toBe(401);
    expect(await codeOf(forged)).toBe('unauthorized');
    expect((await h.request('GET', '/api/me', { cookie: 'parley_session=x' })).status).toBe(401);
    h.clock.now += h.config.sessionTtlSeconds * 1000 + 1;
    expect((await h.request('GET', '/api/me', { cookie: alice.cookie })).status).toBe(401);
  });

  it('refuses the session of a disabled user', async () => {
    const alice = await h.register('alice');
    const bob = await h.register('bob');
    await h.store.setDisabled(bob.id, true);
    expect((await h.request('GET', '/api/me', { cookie: bob.cookie })).status).toBe(401);
    expect((await h.request('GET', '/api/me', { cookie: alice.cookie })).status).toBe(200);
  });
});

describe('PATCH /api/me', () => {
  it('changes the display name and email', async () => {
    const alice = await h.register('alice');
    const res = await h.request('PATCH', '/api/me', {
      cookie: alice.cookie,
      body: { displayName: '  Alice Liddell ', email: 'alice@example.org' },
    });
    expect(res.status).toBe(200);
    expect(Me.parse(await res.json())).toMatchObject({
      displayName: 'Alice Liddell',
      email: 'alice@example.org',
    });
    const cleared = await h.request('PATCH', '/api/me', { cookie: alice.cookie, body: { email: null } });
    expect(Me.parse(await cleared.json()).email).toBeNull();
  });

  it('refuses an empty patch, a bad email, and fields that are not the profile’s', async () => {
    const alice = await h.register('alice');
    const before = await storeSnapshot(h);
    for (const body of [
      {},
      { email: 'not-an-email' },
      { role: 'admin' },
      { displayName: '' },
      { username: 'eve' },
    ]) {
      const res = await h.request('PATCH', '/api/me', { cookie: alice.cookie, body });
      expect(res.status).toBe(400);
    }
    expect(await storeSnapshot(h)).toEqual(before);
  });
});

describe('POST /api/me/password', () => {
  function change(oldAuthKey: string, authKey = rand(32)) {
    return { oldAuthKey, salt: rand(16), kdf: TEST_KDF, authKey, keyBlob: rand(136) };
  }

  it('replaces the credentials and ends every other session', async () => {
    const alice = await h.register('alice');
    const other = sessionCookie(await h.login('alice', alice.authKey));
    const newKey = rand(32);
    const res = await h.request('POST', '/api/me/password', {
      cookie: alice.cookie,
      body: change(alice.authKey, newKey),
    });
    expect(res.status).toBe(204);
    expect((await h.request('GET', '/api/me', { cookie: alice.cookie })).status).toBe(200);
    expect((await h.request('GET', '/api/me', { cookie: other })).status).toBe(401);
    expect((await h.login('alice', alice.authKey)).status).toBe(401);
    expect((await h.login('alice', newKey)).status).toBe(200);
  });

  it('refuses a wrong old key with 401 invalid_credentials and changes nothing', async () => {
    const alice = await h.register('alice');
    const before = await storeSnapshot(h);
    const res = await h.request('POST', '/api/me/password', { cookie: alice.cookie, body: change(rand(32)) });
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('invalid_credentials');
    expect(await storeSnapshot(h)).toEqual(before);
  });

  it('throttles wrong old keys', async () => {
    const h2 = await createHarness({ env: { LOGIN_MAX_ATTEMPTS: '2' } });
    try {
      const alice = await h2.register('alice');
      for (let i = 0; i < 2; i++) {
        expect(
          (await h2.request('POST', '/api/me/password', { cookie: alice.cookie, body: change(rand(32)) }))
            .status,
        ).toBe(401);
      }
      const res = await h2.request('POST', '/api/me/password', {
        cookie: alice.cookie,
        body: change(alice.authKey),
      });
      expect(res.status).toBe(429);
    } finally {
      await h2.close();
    }
  });
});

describe('PUT /api/me/recovery', () => {
  it('sets and removes the recovery blob', async () => {
    const alice = await h.register('alice');
    const recovery = { authKey: rand(32), keyBlob: rand(136) };
    expect(
      (await h.request('PUT', '/api/me/recovery', { cookie: alice.cookie, body: recovery })).status,
    ).toBe(204);
    const me = Me.parse(await (await h.request('GET', '/api/me', { cookie: alice.cookie })).json());
    expect(me.hasRecovery).toBe(true);
    const fetched = await h.request('POST', '/api/auth/recovery/fetch', {
      body: { username: 'alice', recoveryAuthKey: recovery.authKey },
    });
    expect(fetched.status).toBe(200);
    expect((await h.request('DELETE', '/api/me/recovery', { cookie: alice.cookie })).status).toBe(204);
    const after = await h.request('POST', '/api/auth/recovery/fetch', {
      body: { username: 'alice', recoveryAuthKey: recovery.authKey },
    });
    expect(after.status).toBe(401);
  });
});

describe('avatar', () => {
  it('accepts a PNG, serves it with its detected type and nosniff, and bumps the version', async () => {
    const alice = await h.register('alice');
    const put = await h.request('PUT', '/api/me/avatar', {
      cookie: alice.cookie,
      body: PNG,
      headers: { 'content-type': 'image/gif' },
    });
    expect(put.status).toBe(200);
    const { avatarVersion } = (await put.json()) as { avatarVersion: number };
    const res = await h.request('GET', `/api/users/${alice.id}/avatar`, { cookie: alice.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(res.headers.get('content-disposition')).toBe('inline');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
    const me = Me.parse(await (await h.request('GET', '/api/me', { cookie: alice.cookie })).json());
    expect(me.avatarVersion).toBe(avatarVersion);

    const again = await h.request('PUT', '/api/me/avatar', { cookie: alice.cookie, body: GIF });
    const next = ((await again.json()) as { avatarVersion: number }).avatarVersion;
    expect(next).toBeGreaterThan(avatarVersion);
    const gif = await h.request('GET', `/api/users/${alice.id}/avatar`, { cookie: alice.cookie });
    expect(gif.headers.get('content-type')).toBe('image/gif');
  });

  it('answers 304 to a matching ETag and caches a requested version for good', async () => {
    const alice = await h.register('alice');
    const { avatarVersion } = (await (
      await h.request('PUT', '/api/me/avatar', { cookie: alice.cookie, body: PNG })
    ).json()) as { avatarVersion: number };
    const first = await h.request('GET', `/api/users/${alice.id}/avatar?v=${avatarVersion}`, {
      cookie: alice.cookie,
    });
    expect(first.headers.get('cache-control')).toContain('immutable');
    const etag = first.headers.get('etag') ?? '';
    const second = await h.request('GET', `/api/users/${alice.id}/avatar`, {
      cookie: alice.cookie,
      headers: { 'if-none-match': etag },
    });
    expect(second.status).toBe(304);
  });

  it('refuses what is not PNG, JPEG, GIF or WebP with 415, whatever the Content-Type says', async () => {
    const alice = await h.register('alice');
    const svg = new TextEncoder().encode(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    );
    const res = await h.request('PUT', '/api/me/avatar', {
      cookie: alice.cookie,
      body: svg,
      headers: { 'content-type': 'image/png' },
    });
    expect(res.status).toBe(415);
    expect(await codeOf(res)).toBe('unsupported_media_type');
    expect(await h.store.getAvatar(alice.id)).toBeNull();
  });

  it('refuses an avatar over AVATAR_MAX_BYTES with 413', async () => {
    const alice = await h.register('alice');
    const big = new Uint8Array(h.config.limits.avatarMaxBytes + 1);
    big.set(PNG);
    const res = await h.request('PUT', '/api/me/avatar', { cookie: alice.cookie, body: big });
    expect(res.status).toBe(413);
    expect(await codeOf(res)).toBe('payload_too_large');
    expect(await h.store.getAvatar(alice.id)).toBeNull();
  });

  it('deletes the avatar', async () => {
    const alice = await h.register('alice');
    await h.request('PUT', '/api/me/avatar', { cookie: alice.cookie, body: PNG });
    expect((await h.request('DELETE', '/api/me/avatar', { cookie: alice.cookie })).status).toBe(204);
    expect((await h.request('GET', `/api/users/${alice.id}/avatar`, { cookie: alice.cookie })).status).toBe(
      404,
    );
  });
});

describe('pins', () => {
  it('starts with the blob saved at registration and keeps the last blob put', async () => {
    const alice = await h.register('alice');
    const first = await h.request('GET', '/api/me/pins', { cookie: alice.cookie });
    expect(PinsResponse.parse(await first.json()).blob).toBe(
      toB64(must(await h.store.getPins(alice.id), 'pins')),
    );
    const blob = rand(200);
    expect((await h.request('PUT', '/api/me/pins', { cookie: alice.cookie, body: { blob } })).status).toBe(
      204,
    );
    expect(await (await h.request('GET', '/api/me/pins', { cookie: alice.cookie })).json()).toEqual({ blob });
  });

  it('keeps pins per user', async () => {
    const alice = await h.register('alice');
    const bob = await h.register('bob');
    const blob = rand(200);
    await h.request('PUT', '/api/me/pins', { cookie: alice.cookie, body: { blob } });
    const bobs = PinsResponse.parse(
      await (await h.request('GET', '/api/me/pins', { cookie: bob.cookie })).json(),
    );
    expect(bobs.blob).not.toBeNull();
    expect(bobs.blob).not.toBe(blob);
  });

  it('refuses a blob that is not base64url or too short', async () => {
    const alice = await h.register('alice');
    const saved = await h.store.getPins(alice.id);
    for (const blob of ['@@@@', rand(10), 7]) {
      expect((await h.request('PUT', '/api/me/pins', { cookie: alice.cookie, body: { blob } })).status).toBe(
        400,
      );
    }
    expect(await h.store.getPins(alice.id)).toEqual(saved);
  });
});
