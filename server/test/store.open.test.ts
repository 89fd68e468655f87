// openStore: which backend and file a DATABASE_URL selects, and reopening an existing database.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, sqlitePath } from '../src/db';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-open-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('sqlitePath', () => {
  it('reads plain paths, file: paths and file:// URLs', () => {
    expect(sqlitePath('data/x.db')).toBe(resolve('data/x.db'));
    expect(sqlitePath('file:data/x.db')).toBe(resolve('data/x.db'));
    expect(sqlitePath('file:/srv/parley.db')).toBe('/srv/parley.db');
    expect(sqlitePath(pathToFileURL('/srv/my db.db').href)).toBe('/srv/my db.db');
  });
});

describe('openStore', () => {
  it('opens SQLite at a path, creating missing directories', async () => {
    const path = join(tempDir(), 'nested', 'dir', 'parley.db');
    const store = await openStore(path);
    expect(store.dialect).toBe('sqlite');
    await store.close();
    expect(existsSync(path)).toBe(true);
  });

  it('keeps the data of an existing SQLite database when reopened', async () => {
    const url = pathToFileURL(join(tempDir(), 'parley.db')).href;
    const first = await openStore(url);
    const channel = await first.ensureBroadcast();
    await first.close();
    const again = await openStore(url);
    expect(await again.getChannel('broadcast')).toEqual(channel);
    await again.close();
  });

  it('gives a throwaway SQLite database for :memory:', async () => {
    const store = await openStore(':memory:');
    expect((await store.ensureBroadcast()).id).toBe('broadcast');
    await store.close();
  });

  it('refuses a URL scheme it does not know', async () => {
    await expect(openStore(`postgres://localhost/${randomUUID()}`)).rejects.toThrow(/DATABASE_URL/);
  });

  it('refuses a MySQL URL without a database name', async () => {
    await expect(openStore('mysql://root@127.0.0.1:1/')).rejects.toThrow(/name a database/);
  });
});
