// The web app's critical path in bytes: what a first visit must download before the app can run.
// That is every script, modulepreload, script/style preload and stylesheet that dist/index.html
// names, plus every module those scripts import statically (transitively, through the page's
// import map for bare names); chunks reached only by `import()` are lazy and left out. Sizes raw
// and compressed with node:zlib's defaults (gzip level 6, brotli quality 11).
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

export interface CriticalBytes {
  js: Sizes;
  css: Sizes;
  files: ({ path: string; kind: 'js' | 'css' } & Sizes)[];
}

const TAG = /<(script|link)\b([^>]*)>/gi;
const attr = (attrs: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(attrs)?.[1];
/** Static imports in (minified) ES modules: `import{a}from"./x.js"`, `import"./y.js"`, `export*from"./z.js"`. */
const STATIC_IMPORT = /(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+)["']/g;

function isLocal(url: string): boolean {
  return !/^[a-z]+:|^\/\//i.test(url);
}

/** URL paths (rooted at dist) of the scripts and styles the page loads eagerly. */
function eagerAssets(html: string): { js: string[]; css: string[] } {
  const js: string[] = [];
  const css: string[] = [];
  for (const [, tag, attrs = ''] of html.matchAll(TAG)) {
    if (tag?.toLowerCase() === 'script') {
      const src = attr(attrs, 'src');
      if (src && isLocal(src)) js.push(src);
      continue;
    }
    const rel = attr(attrs, 'rel')?.toLowerCase();
    const as = attr(attrs, 'as')?.toLowerCase();
    const href = attr(attrs, 'href');
    if (!href || !isLocal(href)) continue;
    if (rel === 'modulepreload' || (rel === 'preload' && as === 'script')) js.push(href);
    else if (rel === 'stylesheet' || (rel === 'preload' && as === 'style')) css.push(href);
  }
  return { js, css };
}

/** The `imports` of the page's import map (bare name → URL), if it has one. */
function importMap(html: string): Record<string, string> {
  const json = /<script\b[^>]*type="importmap"[^>]*>([\s\S]*?)<\/script>/i.exec(html)?.[1];
  if (!json) return {};
  try {
    return (JSON.parse(json) as { imports?: Record<string, string> }).imports ?? {};
  } catch {
    return {};
  }
}

function sizes(bytes: Buffer): Sizes {
  return { raw: bytes.length, gzip: gzipSync(bytes).length, brotli: brotliCompressSync(bytes).length };
}

const total = (list: Sizes[]): Sizes =>
  list.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli }), {
    raw: 0,
    gzip: 0,
    brotli: 0,
  });

export function criticalBytes(distDir: string): CriticalBytes {
  const file = (urlPath: string) => posix.join(distDir, posix.normalize(`/${urlPath}`));
  const read = (urlPath: string) => readFileSync(file(urlPath));
  const html = read('/index.html').toString('utf8');
  const eager = eagerAssets(html);
  const mapped = importMap(html);
  const seen = new Set<string>();
  const queue = eager.js.map((p) => posix.normalize(`/${p}`));
  const files: CriticalBytes['files'] = [];
  while (queue.length > 0) {
    const path = queue.shift() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    const bytes = read(path);
    files.push({ path, kind: 'js', ...sizes(bytes) });
    for (const [, found] of bytes.toString('utf8').matchAll(STATIC_IMPORT)) {
      const spec = found && (mapped[found] ?? found);
      if (!spec || !/^\.{0,2}\//.test(spec)) continue;
      const target = spec.startsWith('/') ? spec : posix.join(posix.dirname(path), spec);
      if (existsSync(file(target))) queue.push(target); // a look-alike inside a string is not a module
    }
  }
  for (const href of eager.css) {
    const path = posix.normalize(`/${href}`);
    if (!seen.has(path)) files.push({ path, kind: 'css', ...sizes(read(path)) });
    seen.add(path);
  }
  return {
    js: total(files.filter((f) => f.kind === 'js')),
    css: total(files.filter((f) => f.kind === 'css')),
    files,
  };
}
