// `npm start` calls this before it runs the compiled relay: builds the web app and compiles the
// relay when their output is missing or older than any source it is built from, so that a fresh
// clone (or a pull) starts what its sources say, and an unchanged tree starts at once.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileServer, SERVER_DIST } from './compile';

const root = fileURLToPath(new URL('../../', import.meta.url));
const at = (...paths: string[]) => paths.map((p) => join(root, p));

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Whether `output` is missing or older than any file under `inputs`. */
function outdated(output: string, inputs: string[]): boolean {
  const builtAt = existsSync(output) ? statSync(output).mtimeMs : 0;
  return builtAt < Math.max(...inputs.map(newestMtime));
}

// The app imports crypto-core and the wire schemas (`@parley/server/protocol`).
const webSources = at(
  'web/src',
  'web/public',
  'web/index.html',
  'web/vite.config.ts',
  'web/build',
  'crypto-core/src',
  'server/src/protocol',
);
if (outdated(join(root, 'web/dist/index.html'), webSources)) {
  console.log('parley: building the web app (web/dist)…');
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], {
    cwd: join(root, 'web'),
    stdio: 'inherit',
  });
}

if (outdated(join(SERVER_DIST, 'index.js'), at('server/src', 'server/build', 'crypto-core/src'))) {
  console.log('parley: compiling the relay (server/dist)…');
  await compileServer();
}
