// drizzle-kit config for the embedded SQLite store. `npm run db:generate` writes migrations to the
// root drizzle/sqlite folder, which the store applies at open. Generation needs no database.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.sqlite.ts',
  out: '../drizzle/sqlite',
});
