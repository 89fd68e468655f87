// The production build as a browser gets it: the first screen's JavaScript stays within budget
// and never contains libsodium, which is import()ed later under a hash in index.html's import
// map; every file the page loads has brotli and gzip twins, and the build hash leaves them out.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_HASH_FILE, buildHash, sriDigest } from '../build/sri';

/** Critical-path budget: the gzipped JavaScript the first paint waits for. */
const EAGER_JS_GZIP_BUDGET = 170 * 1024;
/** Only libsodium has these: its WebAssembly inlined as base64 ("\0asm"), and one of its messages. */
const LIBSODIUM_MARKERS = ['AGFzbQ', 'No secure random number generator found'];

let dist: string;
let html: string;

interface Tag {
  url: string;
  attrs: string;
}

/** Local <script src> and <link href> tags of index.html. */
function tags(): Tag[] {
  return [...html.matchAll(/<(?:script|link)\b([^>]*)>/g)]
    .map((m) => ({
      attrs: m[1] ?? '',
      url: /\b(?:src|href)="(\/assets\/[^"]+)"/.exec(m[1] ?? '')?.[1] ?? '',
    }))
    .filter((t) => t.url !== '');
}

const read = (url: string) => readFileSync(join(dist, url));
const hasLibsodium = (bytes: Buffer) => LIBSODIUM_MARKERS.some((m) => bytes.includes(m));

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'parley-dist-'));
  const configFile = fileURLToPath(new URL('../vite.config.ts', import.meta.url));
  await build({ configFile, logLevel: 'silent', build: { outDir: dist, emptyOutDir: true } });
  html = readFileSync(join(dist, 'index.html'), 'utf8');
}, 120_000);
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('the built web app', () => {
  it('keeps libsodium out of the first paint and its JavaScript within the gzip budget', () => {
    const eagerJs = tags().filter((t) => t.url.endsWith('.js'));
    expect(eagerJs.length).toBeGreaterThan(0);
    for (const t of eagerJs) expect(hasLibsodium(read(t.url)), t.url).toBe(false);
    const gzipped = eagerJs.reduce((sum, t) => sum + gzipSync(read(t.url), { level: 9 }).length, 0);
    expect(gzipped).toBeLessThanOrEqual(EAGER_JS_GZIP_BUDGET);
  });

  it("holds the hash of every module in the import map, libsodium's (loaded by import()) included", () => {
    const integrity: Record<string, string> =
      JSON.parse(/<script type="importmap">(.*?)<\/script>/.exec(html)?.[1] ?? '{}').integrity ?? {};
    for (const t of tags().filter((t) => t.url.endsWith('.js')))
      expect(integrity[t.url]).toBe(sriDigest(read(t.url)));
    const lazy = Object.keys(integrity).filter((url) => !tags().some((t) => t.url === url));
    expect(lazy.filter((url) => hasLibsodium(read(url)))).toHaveLength(1);
    for (const url of lazy) expect(integrity[url]).toBe(sriDigest(read(url)));
  });

  it('has brotli and gzip twins of index.html and of every module, decoding to the same bytes', () => {
    const integrity = JSON.parse(
      /<script type="importmap">(.*?)<\/script>/.exec(html)?.[1] ?? '{}',
    ).integrity;
    for (const url of ['/index.html', ...tags().map((t) => t.url), ...Object.keys(integrity)]) {
      const bytes = read(url);
      expect(brotliDecompressSync(read(`${url}.br`)).equals(bytes), `${url}.br`).toBe(true);
      expect(gunzipSync(read(`${url}.gz`)).equals(bytes), `${url}.gz`).toBe(true);
    }
  });

  it('publishes a build hash that leaves the twins out', async () => {
    expect(existsSync(join(dist, 'index.html.br'))).toBe(true);
    expect(read(`/${BUILD_HASH_FILE}`).toString()).toBe(`${await buildHash(dist)}\n`);
  });
});
