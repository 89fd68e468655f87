// Serves the built web app (web/dist): hashed /assets/* cached for a year, everything else
// revalidated, and index.html for any other GET that is not /api or /ws (client-side routes).
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Context, MiddlewareHandler } from 'hono';
import { getMimeType } from 'hono/utils/mime';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

function isReserved(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/ws' || path.startsWith('/ws/');
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
  try {
    return (await stat(full)).isFile() ? full : null;
  } catch {
    return null;
  }
}

async function send(c: Context, file: string, cacheControl: string): Promise<Response> {
  const data = await readFile(file);
  c.header('Content-Type', getMimeType(file) ?? 'application/octet-stream');
  c.header('Cache-Control', cacheControl);
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
