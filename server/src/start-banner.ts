// What `npm start` tells a person in plain words (on stderr; the JSON logs go to stdout): where to
// open Parley, which store holds the data and where it lives, and on an empty store what to do next.
import { resolve } from 'node:path';
import { sqlitePath } from './db';
import type { Config } from './env';

/** The store without its password: `SQLite file /abs/parley.db` or `MySQL at host:port/db`. */
export function describeStore(databaseUrl: string): string {
  if (/^mysql:\/\//i.test(databaseUrl)) {
    const url = new URL(databaseUrl);
    return `MySQL database ${url.pathname.slice(1)} at ${url.hostname}:${url.port || 3306}`;
  }
  if (databaseUrl === ':memory:' || databaseUrl === 'file::memory:')
    return 'a throwaway SQLite file (:memory:)';
  return `the embedded SQLite file ${sqlitePath(databaseUrl)}`;
}

export function startBanner(config: Config, url: string, users: number): string {
  const lines = [
    `Parley is running at ${url}`,
    `  messages are stored in ${describeStore(config.databaseUrl)}`,
    `  other data (server secret, key-log signing key) lives in ${resolve(config.dataDir)}`,
  ];
  if (users === 0)
    lines.push('  no accounts yet: open the address above and register; the first account is the admin');
  return `${lines.join('\n')}\n`;
}
