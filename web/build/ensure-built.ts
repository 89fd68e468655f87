// `npm start` calls this: builds the web app when web/dist is missing or older than any source it
// is built from, so a fresh clone serves the app and an unchanged tree starts at once.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('..', import.meta.url));
const sources = [
  join(webDir, 'src'),
  join(webDir, 'public'),
  join(webDir, 'index.html'),
  join(webDir, 'vite.config.ts'),
  join(webDir, 'build'),
  join(webDir, '..', 'crypto-core', 'src'),
  // The app imports the wire schemas (`@parley/server/protocol`).
  join(webDir, '..', 'server', 'src', 'protocol'),
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const built = join(webDir, 'dist', 'index.html');
const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
if (builtAt < Math.max(...sources.map(newestMtime))) {
  console.log('parley: building the web app (web/dist)…');
  execFileSync(process.execPath, [join(webDir, '..', 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
    cwd: webDir,
    stdio: 'inherit',
  });
}
