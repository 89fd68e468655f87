// Build step: a brotli (`.br`) and a gzip (`.gz`) twin next to every text file in web/dist, made
// once at the highest levels, so the relay can send compressed bytes without compressing per
// request (server/src/middleware/web-app.ts picks one by Accept-Encoding). A twin is kept only if
// it is smaller. It runs after sri.ts, so index.html's twins carry the integrity attributes; the
// build hash leaves the twins out (their bytes depend on the zlib version, not on Parley's source,
// and browsers check SRI on the decoded bytes).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Text formats worth compressing; images and fonts in dist are compressed already. */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|wasm|map)$/;

/** The suffixes of the twins, which the build hash skips. */
export const COMPRESSED_SUFFIXES = ['.br', '.gz'] as const;

/** Writes `file.br` and `file.gz` where they are smaller than `file`; returns the paths written. */
export async function compressFile(file: string): Promise<string[]> {
  const data = await readFile(file);
  const variants: [string, Buffer][] = [
    [
      `${file}.br`,
      await brotli(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }),
    ],
    [`${file}.gz`, await gz(data, { level: constants.Z_BEST_COMPRESSION })],
  ];
  const written: string[] = [];
  for (const [path, bytes] of variants) {
    if (bytes.length >= data.length) continue;
    await writeFile(path, bytes);
    written.push(path);
  }
  return written;
}

/** Compresses every compressible file under `dir`, in parallel; returns the twins written. */
export async function compressDir(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && COMPRESSIBLE.test(e.name))
    .map((e) => join(e.parentPath, e.name));
  return (await Promise.all(files.map(compressFile))).flat();
}

/** Vite plugin: compresses web/dist once everything, index.html's integrity included, is written. */
export function compress(): Plugin {
  let outDir = '';
  let written = false;
  return {
    name: 'parley-compress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle() {
      written = true;
    },
    // closeBundle, not writeBundle: writeBundle hooks of different plugins may run in parallel,
    // and index.html must already have its integrity attributes from sri.ts.
    async closeBundle() {
      if (written) await compressDir(outDir);
    },
  };
}
