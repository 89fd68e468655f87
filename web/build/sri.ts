// Build step for a CSP- and SRI-friendly index.html: after Vite writes web/dist, add `integrity`
// (sha384) and `crossorigin` to every local <script src> and <link href>, put every module's hash,
// import()ed ones included, in an import map, refuse inline scripts and styles, and publish
// build-hash.txt (SHA-256 over every file in dist but the compressed twins, reproducible with
// sha256sum).
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';
import { COMPRESSED_SUFFIXES } from './compress.ts';
import { type BundleLike, lazyChunks } from './lazy-chunks.ts';

export const BUILD_HASH_FILE = 'build-hash.txt';

export class InlineCodeError extends Error {
  override name = 'InlineCodeError';
}

/** `sha384-<base64>` of some bytes, the form the `integrity` attribute wants. */
export function sriDigest(bytes: Uint8Array): string {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/** Every file under `dir`, as `./`-prefixed POSIX paths, sorted byte-wise (like `LC_ALL=C sort`). */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => `./${relative(dir, join(e.parentPath, e.name)).split(sep).join('/')}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Whether the build hash covers `file`: not itself, nor the `.br`/`.gz` twins of compress.ts. */
function hashed(file: string): boolean {
  return file !== `./${BUILD_HASH_FILE}` && !COMPRESSED_SUFFIXES.some((suffix) => file.endsWith(suffix));
}

/**
 * The published build hash: SHA-256 of the `sha256sum` listing of every file in dist except this
 * one and the compressed twins, i.e. the output of
 * `cd web/dist && find . -type f ! -name build-hash.txt ! -name '*.br' ! -name '*.gz' | LC_ALL=C sort | xargs sha256sum | sha256sum`.
 */
export async function buildHash(dir: string): Promise<string> {
  const files = (await listFiles(dir)).filter(hashed);
  const listing = createHash('sha256');
  for (const file of files) {
    const digest = createHash('sha256')
      .update(await readFile(join(dir, file)))
      .digest('hex');
    listing.update(`${digest}  ${file}\n`);
  }
  return listing.digest('hex');
}

const TAG = /<(script|link)\b([^>]*)>/gi;
const ATTR_URL = /\b(src|href)="([^"]+)"/i;

/** Adds integrity + crossorigin to local script/link tags; throws on inline script or style. */
export async function addIntegrity(html: string, dir: string): Promise<string> {
  if (/<style\b/i.test(html) || /\sstyle="/i.test(html))
    throw new InlineCodeError('sri: inline style in index.html');
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\bsrc="/.test(m[1] ?? '') || (m[2] ?? '').trim() !== '') {
      throw new InlineCodeError('sri: inline script in index.html');
    }
  }
  const replacements = new Map<string, string>();
  for (const m of html.matchAll(TAG)) {
    const [tag, kind, attrs = ''] = m;
    const url = ATTR_URL.exec(attrs)?.[2];
    if (!url?.startsWith('/') || url.startsWith('//') || /\bintegrity=/.test(attrs)) continue;
    if (kind?.toLowerCase() === 'link' && !/\brel="(stylesheet|modulepreload)"/.test(attrs)) continue;
    const bytes = await readFile(join(dir, url.split(/[?#]/)[0] ?? url));
    const extra = ` integrity="${sriDigest(bytes)}"${/\bcrossorigin\b/.test(attrs) ? '' : ' crossorigin="anonymous"'}`;
    replacements.set(
      tag,
      tag.replace(/\s*\/?>$/, (end) => `${extra}${end}`),
    );
  }
  let out = html;
  for (const [from, to] of replacements) out = out.split(from).join(to);
  return out;
}

const MODULE_TAG = /<(?:script\b[^>]*\btype="module"|link\b[^>]*\brel="modulepreload")[^>]*>/gi;

/**
 * Adds an import map whose `integrity` section holds the hash of every module the page may load:
 * those index.html names (run this after addIntegrity) and the `lazy` ones it reaches only by
 * import(), which no tag can carry a hash for. The browser then checks those URLs however they
 * are loaded (Chrome 127+, Firefox 138+, Safari 18+). The map is the page's one inline script;
 * the relay's CSP allows it by its hash (server/src/middleware/web-app.ts).
 */
export async function addImportMap(html: string, lazy: string[], dir: string): Promise<string> {
  const integrity: Record<string, string> = {};
  let first = -1;
  for (const m of html.matchAll(MODULE_TAG)) {
    const url = ATTR_URL.exec(m[0])?.[2];
    const hash = /\bintegrity="([^"]+)"/.exec(m[0])?.[1];
    if (!url || !hash) continue;
    integrity[url] = hash;
    if (first < 0) first = m.index;
  }
  for (const url of lazy) integrity[url] = sriDigest(await readFile(join(dir, url)));
  if (Object.keys(integrity).length === 0) return html;
  // An import map must come before the first module the page loads.
  const at = first >= 0 ? first : html.indexOf('</head>');
  const json = JSON.stringify({ integrity }).replace(/</g, '\\u003c');
  return `${html.slice(0, at)}<script type="importmap">${json}</script>\n    ${html.slice(at)}`;
}

/** Vite plugin: runs after the bundle is written (so hashes cover the final bytes). */
export function sri(): Plugin {
  let outDir = '';
  let base = '/';
  return {
    name: 'parley-sri',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
      base = config.base;
    },
    async writeBundle(_options, bundle) {
      const indexPath = join(outDir, 'index.html');
      const html = await readFile(indexPath, 'utf8');
      const lazy = lazyChunks(bundle as BundleLike).map((file) => `${base}${file}`);
      await writeFile(indexPath, await addImportMap(await addIntegrity(html, outDir), lazy, outDir));
      const hash = await buildHash(outDir);
      await writeFile(join(outDir, BUILD_HASH_FILE), `${hash}\n`);
    },
  };
}
