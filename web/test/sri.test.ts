import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addImportMap, addIntegrity, buildHash, InlineCodeError, sriDigest } from '../build/sri';

let dir: string;
const JS = 'console.log("app")';
const CSS = 'body{color:red}';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-sri-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'index-abc.js'), JS);
  writeFileSync(join(dir, 'assets', 'index-def.css'), CSS);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const page = (head: string) =>
  `<!doctype html><html><head>${head}</head><body><div id="root"></div></body></html>`;

describe('addIntegrity', () => {
  it('adds sha384 integrity and crossorigin to local scripts and stylesheets', async () => {
    const html = page(
      '<script type="module" crossorigin src="/assets/index-abc.js"></script>' +
        '<link rel="stylesheet" href="/assets/index-def.css">' +
        '<link rel="icon" href="/favicon.svg">',
    );
    const out = await addIntegrity(html, dir);
    const jsHash = `sha384-${createHash('sha384').update(JS).digest('base64')}`;
    expect(out).toContain(`src="/assets/index-abc.js" integrity="${jsHash}"></script>`);
    expect(out).toContain(
      `href="/assets/index-def.css" integrity="${sriDigest(Buffer.from(CSS))}" crossorigin="anonymous">`,
    );
    expect(out).toContain('<link rel="icon" href="/favicon.svg">');
    expect(out.match(/crossorigin/g)).toHaveLength(2);
  });

  it('adds integrity to the modulepreload links Vite writes for static imports', async () => {
    writeFileSync(join(dir, 'assets', 'vendor-xyz.js'), 'export default 1');
    const html = page('<link rel="modulepreload" crossorigin href="/assets/vendor-xyz.js">');
    expect(await addIntegrity(html, dir)).toContain(
      `<link rel="modulepreload" crossorigin href="/assets/vendor-xyz.js" integrity="${sriDigest(Buffer.from('export default 1'))}">`,
    );
  });

  it('refuses inline scripts and inline styles', async () => {
    await expect(addIntegrity(page('<script>alert(1)</script>'), dir)).rejects.toThrow(InlineCodeError);
    await expect(addIntegrity(page('<style>body{}</style>'), dir)).rejects.toThrow(InlineCodeError);
    await expect(addIntegrity(page('<div style="color:red"></div>'), dir)).rejects.toThrow(InlineCodeError);
  });
});

describe('addImportMap', () => {
  it('puts the hash of every module, named or import()ed, in an import map before the first module', async () => {
    writeFileSync(join(dir, 'assets', 'libsodium-xyz.js'), 'export default 1');
    const html = await addIntegrity(
      page(
        '<link rel="icon" href="/favicon.svg">' +
          '<script type="module" crossorigin src="/assets/index-abc.js"></script>' +
          '<link rel="stylesheet" href="/assets/index-def.css">',
      ),
      dir,
    );
    const out = await addImportMap(html, ['/assets/libsodium-xyz.js'], dir);
    const map = /<script type="importmap">(.*?)<\/script>/.exec(out);
    expect(JSON.parse(map?.[1] ?? '')).toEqual({
      integrity: {
        '/assets/index-abc.js': sriDigest(Buffer.from(JS)),
        '/assets/libsodium-xyz.js': sriDigest(Buffer.from('export default 1')),
      },
    });
    expect(out.indexOf('<link rel="icon"')).toBeLessThan(out.indexOf('importmap'));
    expect(out.indexOf('importmap')).toBeLessThan(out.indexOf('<script type="module"'));
  });

  it('adds nothing to a page without modules', async () => {
    const html = page('<link rel="stylesheet" href="/assets/index-def.css" integrity="sha384-x">');
    expect(await addImportMap(html, [], dir)).toBe(html);
  });
});

describe('buildHash', () => {
  it('equals the documented sha256sum pipeline and ignores its own file and the compressed twins', async () => {
    writeFileSync(join(dir, 'index.html'), page(''));
    const hash = await buildHash(dir);
    writeFileSync(join(dir, 'build-hash.txt'), `${hash}\n`);
    writeFileSync(join(dir, 'index.html.br'), 'twin');
    writeFileSync(join(dir, 'assets', 'index-abc.js.gz'), 'twin');
    expect(await buildHash(dir)).toBe(hash);
    const shell = execFileSync(
      'sh',
      [
        '-c',
        "find . -type f ! -name build-hash.txt ! -name '*.br' ! -name '*.gz' | LC_ALL=C sort | xargs sha256sum | sha256sum",
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(shell.split(' ')[0]).toBe(hash);
  });

  it('changes when any asset changes', async () => {
    const before = await buildHash(dir);
    writeFileSync(join(dir, 'assets', 'index-abc.js'), `${JS};`);
    expect(await buildHash(dir)).not.toBe(before);
  });
});
