import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compressDir, compressFile } from '../build/compress';

let dir: string;
const JS = `export const text = "${'parley '.repeat(500)}";`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-compress-'));
  mkdirSync(join(dir, 'assets'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('compressFile', () => {
  it('writes .br and .gz twins that decode to the file, smaller than it', async () => {
    const file = join(dir, 'assets', 'app-abc.js');
    writeFileSync(file, JS);
    expect(await compressFile(file)).toEqual([`${file}.br`, `${file}.gz`]);
    const br = readFileSync(`${file}.br`);
    const gz = readFileSync(`${file}.gz`);
    expect(br.length).toBeLessThan(gz.length);
    expect(gz.length).toBeLessThan(JS.length);
    expect(brotliDecompressSync(br).toString()).toBe(JS);
    expect(gunzipSync(gz).toString()).toBe(JS);
  });

  it('keeps no twin that would be larger than the file', async () => {
    const file = join(dir, 'tiny.txt');
    writeFileSync(file, 'a');
    expect(await compressFile(file)).toEqual([]);
    expect(existsSync(`${file}.br`) || existsSync(`${file}.gz`)).toBe(false);
  });
});

describe('compressDir', () => {
  it('compresses text files in every folder and leaves other files alone', async () => {
    writeFileSync(join(dir, 'index.html'), `<!doctype html>${'<p>hi</p>'.repeat(50)}`);
    writeFileSync(join(dir, 'assets', 'app-abc.js'), JS);
    writeFileSync(join(dir, 'assets', 'logo-abc.png'), Buffer.alloc(4096));
    const written = (await compressDir(dir)).map((f) => f.slice(dir.length)).sort();
    expect(written).toEqual([
      '/assets/app-abc.js.br',
      '/assets/app-abc.js.gz',
      '/index.html.br',
      '/index.html.gz',
    ]);
  });
});
