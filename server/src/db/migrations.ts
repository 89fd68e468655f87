// Where the generated migrations live: the repository's root drizzle/ folder, found relative to
// this module so that the relay can start from any working directory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function migrationsFolder(dialect: 'sqlite' | 'mysql'): string {
  return fileURLToPath(new URL(`../../../drizzle/${dialect}`, import.meta.url));
}

/** The journal time of the newest migration this relay ships: what a ready database has applied. */
export function shippedMigration(dialect: 'sqlite' | 'mysql'): number {
  const journal = JSON.parse(
    readFileSync(join(migrationsFolder(dialect), 'meta', '_journal.json'), 'utf8'),
  ) as {
    entries: Array<{ when: number }>;
  };
  return Math.max(...journal.entries.map((e) => e.when));
}
