// Serves the built web app (web/dist): hashed /assets/* cached for a year, everything else
// revalidated, and index.html for any other GET that is not /api or /ws (client-side routes).
// Text files go out as the `.br` or `.gz` twin that web/build/compress.ts wrote at build time
// when the request's Accept-Encoding allows it, so nothing is compressed per request. HTML pages
// get the CSP with their import map's hash added.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Context, MiddlewareHandler } from 'hono';
import { getMimeType } from 'hono/utils/mime';
import { CONTENT_SECURITY_POLICY } from './security-headers';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export type ContentCoding = 'br' | 'gzip';

/** The server's order of preference (brotli is the smaller) and each twin's file suffix. */
const CODINGS: readonly ContentCoding[] = ['br', 'gzip'];
const SUFFIX: Record<ContentCoding, string> = { br: '.br', gzip: '.gz' };

/**
 * The codings an Accept-Encoding header allows, best first: by q-value, then brotli before gzip.
 * A coding with q=0 is refused; `*` stands for any coding not named. No header: none (RFC 9110
 * would allow any, but the file as it is is the safe answer to a client that says nothing).
 */
export function acceptedCodings(header: string | undefined): ContentCoding[] {
  const q = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (name === '') continue;
    // A malformed q-value counts as a refusal: the file as it is always decodes.
    const qParam = params.find((p) => /^q\s*=/.test(p));
    const value = qParam === undefined ? 1 : Number(qParam.replace(/^q\s*=\s*/, ''));
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const weight = (c: ContentCoding) => q.get(c) ?? q.get('*') ?? 0;
  return CODINGS.filter((c) => weight(c) > 0).sort((a, b) => weight(b) - weight(a));
}

const IMPORT_MAP = /<script type="importmap">([\s\S]*?)<\/script>/g;

/**
 * The relay's CSP for an HTML page, with script-src also allowing the page's inline import maps
 * by their SHA-256 (web/build/sri.ts writes one: the module hashes that make the browser check
 * import()ed chunks). Nothing else inline is allowed.
 */
export function pagePolicy(html: string): string {
  const hashes = [...html.matchAll(IMPORT_MAP)].map(
    (m) =>
      `'sha256-${createHash('sha256')
        .update(m[1] ?? '')
        .digest('base64')}'`,
  );
  if (hashes.length === 0) return CONTENT_SECURITY_POLICY;
  return CONTENT_SECURITY_POLICY.replace(
    /script-src [^;]*/,
    (directive) => `${directive} ${hashes.join(' ')}`,
  );
}

function isReserved(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/ws' || path.startsWith('/ws/');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The file under `root` that `urlPath` names, or null (missing, a directory, or outside root). */
async function fileFor(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = resolve(root, `.${decoded}`);
  if (!full.startsWith(root + sep)) return null;
  return (await isFile(full)) ? full : null;
}

/** Whether `file` has twins at all, and the one to send for this Accept-Encoding (if any). */
async function pickTwin(
  file: string,
  acceptEncoding: string | undefined,
): Promise<{ varies: boolean; coding: ContentCoding | null }> {
  const present: ContentCoding[] = [];
  for (const coding of CODINGS) if (await isFile(file + SUFFIX[coding])) present.push(coding);
  const coding = acceptedCodings(acceptEncoding).find((c) => present.includes(c)) ?? null;
  return { varies: present.length > 0, coding };
}

async function send(c: Context, file: string, cacheControl: string): Promise<Response> {
  const { varies, coding } = await pickTwin(file, c.req.header('Accept-Encoding'));
  const data = await readFile(coding ? file + SUFFIX[coding] : file);
  // The type is the original file's; a twin only adds a content coding on top of it.
  c.header('Content-Type', getMimeType(file) ?? 'application/octet-stream');
  c.header('Cache-Control', cacheControl);
  if (varies) c.header('Vary', 'Accept-Encoding');
  if (coding) c.header('Content-Encoding', coding);
  if (file.endsWith('.html')) c.header('Content-Security-Policy', pagePolicy(await readFile(file, 'utf8')));
  c.header('Content-Length', String(data.length));
  if (c.req.method === 'HEAD') return c.body(null, 200);
  return c.body(new Uint8Array(data), 200);
}

export function webApp(root: string): MiddlewareHandler {
  const rootAbs = resolve(root);
  const index = resolve(rootAbs, 'index.html');
  return async (c, next) => {
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || isReserved(c.req.path)) return next();
    const path = c.req.path;
    const file = path === '/' ? null : await fileFor(rootAbs, path);
    if (file) return send(c, file, path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE);
    if (path.startsWith('/assets/')) return next();
    return send(c, index, REVALIDATE);
  };
}
