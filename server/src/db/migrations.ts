// Where the generated migrations live: the repository's root drizzle/ folder (see paths.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths';

export function migrationsFolder(dialect: 'sqlite' | 'mysql'): string {
  return join(REPO_ROOT, 'drizzle', dialect);
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
