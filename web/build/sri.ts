// Build step for a CSP- and SRI-friendly index.html: after Vite writes web/dist, add `integrity`
// (sha384) and `crossorigin` to every local <script src> and <link href>, refuse inline scripts and
// styles, and publish build-hash.txt (SHA-256 over every file in dist, reproducible with sha256sum).
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';

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

/**
 * The published build hash: SHA-256 of the `sha256sum` listing of every file in dist except this
 * one, i.e. the output of
 * `cd web/dist && find . -type f ! -name build-hash.txt | LC_ALL=C sort | xargs sha256sum | sha256sum`.
 */
export async function buildHash(dir: string): Promise<string> {
  const files = (await listFiles(dir)).filter((f) => f !== `./${BUILD_HASH_FILE}`);
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

/** Vite plugin: runs after the bundle is written (so hashes cover the final bytes). */
export function sri(): Plugin {
  let outDir = '';
  return {
    name: 'parley-sri',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    async writeBundle() {
      const indexPath = join(outDir, 'index.html');
      const html = await readFile(indexPath, 'utf8');
      await writeFile(indexPath, await addIntegrity(html, outDir));
      const hash = await buildHash(outDir);
      await writeFile(join(outDir, BUILD_HASH_FILE), `${hash}\n`);
    },
  };
}
