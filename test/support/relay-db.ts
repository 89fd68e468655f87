// The attacker's hand on a relay's SQLite database: tests of the threat model edit it directly,
// behind the relay's back, as a malicious operator would, then drive the real protocol client.

import { pathToFileURL } from 'node:url';
import { type Client, createClient, type InValue } from '@libsql/client';
import { must } from './assert';
import type { Relay } from './relay';

export interface RelayDb {
  run(sql: string, args?: InValue[]): Promise<number>;
  rows<T = Record<string, unknown>>(sql: string, args?: InValue[]): Promise<T[]>;
  close(): void;
}

export function openRelayDb(relay: Relay): RelayDb {
  const file = must(relay.sqliteFile, 'a SQLite relay');
  const client: Client = createClient({ url: pathToFileURL(file).href, timeout: 5_000 });
  return {
    async run(sql, args = []) {
      return (await client.execute({ sql, args })).rowsAffected;
    },
    async rows<T>(sql: string, args: InValue[] = []) {
      return (await client.execute({ sql, args })).rows as unknown as T[];
    },
    close: () => client.close(),
  };
}
