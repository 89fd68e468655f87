import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addIntegrity, buildHash, InlineCodeError, sriDigest } from '../build/sri';

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

  it('refuses inline scripts and inline styles', async () => {
    await expect(addIntegrity(page('<script>alert(1)</script>'), dir)).rejects.toThrow(InlineCodeError);
    await expect(addIntegrity(page('<style>body{}</style>'), dir)).rejects.toThrow(InlineCodeError);
    await expect(addIntegrity(page('<div style="color:red"></div>'), dir)).rejects.toThrow(InlineCodeError);
  });
});

describe('buildHash', () => {
  it('equals the documented sha256sum pipeline and ignores its own file', async () => {
    writeFileSync(join(dir, 'index.html'), page(''));
    const hash = await buildHash(dir);
    writeFileSync(join(dir, 'build-hash.txt'), `${hash}\n`);
    expect(await buildHash(dir)).toBe(hash);
    const shell = execFileSync(
      'sh',
      ['-c', 'find . -type f ! -name build-hash.txt | LC_ALL=C sort | xargs sha256sum | sha256sum'],
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
