import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../middleware/security-headers';
import { ErrorBody } from '../protocol';
import { createHarness, type Harness, storeSnapshot } from './testing';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ env: { PUBLIC_ORIGIN: 'https://chat.example.org' } });
});
afterEach(async () => {
  await h.close();
});

describe('security headers', () => {
  it('sets the strict CSP, nosniff, no-referrer and framing protection on every response', async () => {
    for (const res of [
      await h.request('GET', '/api/me'),
      await h.request('GET', '/api/auth/kdf?username=alice'),
    ]) {
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
  });

  it('adds HSTS and Secure cookies under TLS', async () => {
    const h2 = await createHarness({ env: { HSTS: 'true', COOKIE_SECURE: 'true' } });
    try {
      const res = await h2.request('GET', '/api/auth/kdf?username=alice');
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      const alice = await h2.register('alice');
      const login = await h2.login('alice', alice.authKey);
      expect(login.headers.get('set-cookie')).toContain('Secure');
    } finally {
      await h2.close();
    }
  });
});

describe('CSRF', () => {
  it('refuses a state-changing request from a foreign Origin with 403, changing nothing', async () => {
    const alice = await h.register('alice');
    const before = await storeSnapshot(h);
    const res = await h.request('PATCH', '/api/me', {
      cookie: alice.cookie,
      body: { displayName: 'pwned' },
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('forbidden');
    const register = await h.request('POST', '/api/auth/login', {
      body: { username: 'alice', authKey: alice.authKey },
      headers: { origin: 'null' },
    });
    expect(register.status).toBe(403);
    const crossSite = await h.request('POST', '/api/auth/logout', {
      cookie: alice.cookie,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(await storeSnapshot(h)).toEqual(before);
    expect((await h.request('GET', '/api/me', { cookie: alice.cookie })).status).toBe(200);
  });

  it('accepts the relay’s own host and configured public origins', async () => {
    const alice = await h.register('alice');
    for (const origin of ['http://relay.test', 'https://chat.example.org']) {
      const res = await h.request('PATCH', '/api/me', {
        cookie: alice.cookie,
        body: { displayName: origin },
        headers: { origin },
      });
      expect(res.status).toBe(200);
    }
  });

  it('leaves safe methods alone', async () => {
    const res = await h.request('GET', '/api/auth/kdf?username=alice', {
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(200);
  });
});

describe('errors', () => {
  it('answers unknown API routes with a JSON 404', async () => {
    const res = await h.request('GET', '/api/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(ErrorBody.parse(await res.json()).error.code).toBe('not_found');
  });

  it('turns an unexpected failure into a bare 500 internal with no details', async () => {
    const h2 = await createHarness();
    try {
      const alice = await h2.register('alice');
      h2.store.listUsers = () => Promise.reject(new Error('database on fire\nparams: secret-ciphertext'));
      const res = await h2.request('GET', '/api/users', { cookie: alice.cookie });
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(JSON.parse(body)).toEqual({ error: { code: 'internal', message: 'internal error' } });
      expect(body).not.toContain('fire');
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await h2.close();
    }
  });
});

describe('web app', () => {
  let dist: string;
  let w: Harness;
  beforeEach(async () => {
    dist = mkdtempSync(join(tmpdir(), 'parley-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Parley</title>');
    writeFileSync(join(dist, 'assets', 'app-1a2b3c.js'), 'console.log(1)');
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
    w = await createHarness({ deps: { webDist: dist } });
  });
  afterEach(async () => {
    await w.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves hashed assets for a year and index.html revalidated', async () => {
    const asset = await w.request('GET', '/assets/app-1a2b3c.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const index = await w.request('GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await index.text()).toContain('<title>Parley</title>');
  });

  it('falls back to index.html for client routes but not for /api, /ws or missing assets', async () => {
    expect(await (await w.request('GET', '/channels/dm-123')).text()).toContain('Parley');
    expect((await w.request('GET', '/api/unknown')).status).toBe(404);
    expect((await w.request('GET', '/assets/missing.js')).status).toBe(404);
    expect((await w.request('GET', '/ws')).status).toBe(404);
  });

  it('does not serve files outside the dist directory', async () => {
    const res = await w.request('GET', '/..%2f..%2fetc%2fpasswd');
    expect(await res.text()).not.toContain('root:');
  });
});

describe('query strings', () => {
  it('refuses unknown query parameters on endpoints that take none, naming them', async () => {
    const alice = await h.register('alice');
    for (const path of ['/api/channels?foo=1', '/api/users?x=2', '/api/me?debug=1', '/api/me/pins?a=b']) {
      const res = await h.request('GET', path, { cookie: alice.cookie });
      expect(res.status, path).toBe(400);
      const body = ErrorBody.parse(await res.json());
      expect(body.error.code).toBe('bad_request');
      expect(JSON.stringify(body.error.details)).toContain(path.split('?')[1]?.split('=')[0]);
    }
    expect((await h.request('GET', '/api/channels', { cookie: alice.cookie })).status).toBe(200);
  });
});
