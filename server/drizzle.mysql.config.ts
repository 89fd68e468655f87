// drizzle-kit config for the MySQL / MariaDB store. `npm run db:generate` writes migrations to the
// root drizzle/mysql folder, which the store applies at open. Generation needs no database.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'mysql',
  schema: './src/db/schema.mysql.ts',
  out: '../drizzle/mysql',
});
