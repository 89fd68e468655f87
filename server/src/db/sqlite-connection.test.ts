import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteConnection } from './sqlite-connection';

const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-conn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openSqliteConnection', () => {
  it('binds a lone blob parameter by position', () => {
    const db = openSqliteConnection(join(dir, 'a.db'), 1000);
    const blob = new Uint8Array([1, 2, 250]);
    const row = db.prepare('select ? as v, length(?) as n').get(blob, blob) as { v: Uint8Array; n: number };
    expect(row.n).toBe(3);
    const [v] = db.prepare('select ? as v').raw().get(blob) as [Uint8Array];
    expect(new Uint8Array(v)).toEqual(blob);
    db.close();
  });

  it('prepares a statement once per text and resets raw mode for each use', () => {
    const db = openSqliteConnection(join(dir, 'b.db'), 1000);
    const first = db.prepare('select 1 as one');
    expect(first.raw().get()).toEqual([1]);
    const again = db.prepare('select 1 as one');
    expect(again).toBe(first);
    const row = again.get();
    expect(Array.isArray(row)).toBe(false);
    expect(row).toMatchObject({ one: 1 });
    db.close();
  });
});
