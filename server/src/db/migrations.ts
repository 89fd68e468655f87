// Where the generated migrations live: the repository's root drizzle/ folder, found relative to
// this module so that the relay can start from any working directory.
import { fileURLToPath } from 'node:url';

export function migrationsFolder(dialect: 'sqlite' | 'mysql'): string {
  return fileURLToPath(new URL(`../../../drizzle/${dialect}`, import.meta.url));
}
