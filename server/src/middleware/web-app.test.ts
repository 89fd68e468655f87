import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from './security-headers';
import { acceptedCodings, pagePolicy, webApp } from './web-app';

const IMPORT_MAP = '{"integrity":{"/assets/app-abc123.js":"sha384-abc"}}';
const INDEX = `<!doctype html><html><head><script type="importmap">${IMPORT_MAP}</script><script type="module" src="/assets/app-abc123.js"></script></head></html>`;
const JS = `export const app = "${'parley '.repeat(200)}";`;
const CSS = `body { color: ${'red '.repeat(100)}; }`;

let dir: string;
let app: Hono;

/** A web/dist as compress.ts leaves it: app JS with both twins, CSS with only gzip, index.html with both. */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-web-'));
  mkdirSync(join(dir, 'assets'));
  const put = (name: string, text: string, twins: ('br' | 'gz')[]) => {
    writeFileSync(join(dir, name), text);
    if (twins.includes('br')) writeFileSync(join(dir, `${name}.br`), brotliCompressSync(text));
    if (twins.includes('gz')) writeFileSync(join(dir, `${name}.gz`), gzipSync(text));
  };
  put('index.html', INDEX, ['br', 'gz']);
  put('assets/app-abc123.js', JS, ['br', 'gz']);
  put('assets/app-def456.css', CSS, ['gz']);
  writeFileSync(join(dir, 'assets', 'logo-0a1b2c.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
  app = new Hono().use('*', webApp(dir));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const get = (path: string, acceptEncoding?: string, method = 'GET') =>
  app.request(path, {
    method,
    headers: acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding },
  });

const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer());

describe('acceptedCodings', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['identity', []],
    ['gzip, deflate, br, zstd', ['br', 'gzip']],
    ['gzip', ['gzip']],
    ['BR', ['br']],
    ['br;q=0, gzip', ['gzip']],
    ['gzip;q=1.0, br;q=0.5', ['gzip', 'br']],
    ['br;q=0.5, gzip;q=0.5', ['br', 'gzip']],
    ['*', ['br', 'gzip']],
    ['*;q=0.1, gzip;q=0', ['br']],
    ['gzip; q = 0', []],
    ['br;q=nonsense', []],
  ])('reads %j as %j', (header, expected) => {
    expect(acceptedCodings(header)).toEqual(expected);
  });
});

describe('webApp: compressed twins', () => {
  it('serves the brotli twin when br is accepted, with the original type and Vary', async () => {
    const res = await get('/assets/app-abc123.js', 'gzip, deflate, br');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Encoding')).toBe('br');
    expect(res.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('Vary')).toBe('Accept-Encoding');
    const body = await bytes(res);
    expect(res.headers.get('Content-Length')).toBe(String(body.length));
    expect(body.length).toBeLessThan(JS.length);
    expect(brotliDecompressSync(body).toString()).toBe(JS);
  });

  it('serves the gzip twin when only gzip is accepted', async () => {
    const res = await get('/assets/app-abc123.js', 'gzip');
    expect(res.headers.get('Content-Encoding')).toBe('gzip');
    expect(res.headers.get('Vary')).toBe('Accept-Encoding');
    expect(gunzipSync(await bytes(res)).toString()).toBe(JS);
  });

  it('falls back to gzip when the preferred brotli twin is missing', async () => {
    const res = await get('/assets/app-def456.css', 'br, gzip');
    expect(res.headers.get('Content-Encoding')).toBe('gzip');
    expect(res.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
    expect(gunzipSync(await bytes(res)).toString()).toBe(CSS);
  });

  it.each([
    ['no Accept-Encoding', undefined],
    ['identity only', 'identity'],
    ['codings it has no twin for', 'deflate, zstd'],
    ['br and gzip refused with q=0', 'br;q=0, gzip;q=0'],
  ])('serves the file as it is for %s, still with Vary', async (_label, acceptEncoding) => {
    const res = await get('/assets/app-abc123.js', acceptEncoding);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Encoding')).toBeNull();
    expect(res.headers.get('Vary')).toBe('Accept-Encoding');
    expect(res.headers.get('Content-Length')).toBe(String(JS.length));
    expect(await res.text()).toBe(JS);
  });

  it('serves a file without twins as it is and without Vary', async () => {
    const res = await get('/assets/logo-0a1b2c.png', 'br, gzip');
    expect(res.headers.get('Content-Encoding')).toBeNull();
    expect(res.headers.get('Vary')).toBeNull();
    expect(res.headers.get('Content-Type')).toBe('image/png');
  });

  it('answers HEAD with the headers of the twin it would send and no body', async () => {
    const res = await get('/assets/app-abc123.js', 'br', 'HEAD');
    expect(res.headers.get('Content-Encoding')).toBe('br');
    expect(res.headers.get('Content-Length')).toBe(String(brotliCompressSync(JS).length));
    expect(await res.text()).toBe('');
  });
});

describe('pagePolicy', () => {
  it("adds each import map's sha256 to script-src and changes nothing else", () => {
    const hash = `'sha256-${createHash('sha256').update(IMPORT_MAP).digest('base64')}'`;
    const policy = pagePolicy(INDEX);
    expect(policy).toContain(`script-src 'self' 'wasm-unsafe-eval' ${hash};`);
    expect(policy.replace(` ${hash}`, '')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('is the plain policy for a page without an import map; other inline scripts gain nothing', () => {
    expect(pagePolicy('<script>alert(1)</script><script type="module">1</script>')).toBe(
      CONTENT_SECURITY_POLICY,
    );
  });

  it('is sent with index.html, compressed or not, and not with assets', async () => {
    for (const acceptEncoding of ['br', undefined]) {
      expect((await get('/', acceptEncoding)).headers.get('Content-Security-Policy')).toBe(pagePolicy(INDEX));
    }
    expect((await get('/assets/app-abc123.js', 'br')).headers.get('Content-Security-Policy')).toBeNull();
  });
});

describe('webApp: caching', () => {
  it('caches hashed assets for a year as immutable, compressed or not', async () => {
    for (const acceptEncoding of ['br', undefined]) {
      const res = await get('/assets/app-abc123.js', acceptEncoding);
      expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    }
  });

  it.each(['/', '/index.html', '/c/broadcast', '/register'])(
    'serves %s as index.html, revalidated every time and compressed',
    async (path) => {
      const res = await get(path, 'gzip, br');
      expect(res.status).toBe(200);
      expect(res.headers.get('Cache-Control')).toBe('no-cache');
      expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('Content-Encoding')).toBe('br');
      expect(brotliDecompressSync(await bytes(res)).toString()).toBe(INDEX);
    },
  );

  it('does not fall back to index.html for a missing asset, nor serve /api or /ws', async () => {
    expect((await get('/assets/app-missing.js', 'br')).status).toBe(404);
    expect((await get('/api/nothing')).status).toBe(404);
    expect((await get('/ws')).status).toBe(404);
  });

  it('refuses paths that climb out of the web root', async () => {
    expect((await get('/assets/..%2f..%2f..%2fetc%2fpasswd')).status).toBe(404);
  });
});
