// `npm run build` (with the web app): compiles the relay to plain JavaScript in server/dist, so
// that production runs `node server/dist/index.js` and not a TypeScript loader. esbuild bundles
// the relay's own sources and the workspace packages it imports (crypto-core is TypeScript);
// every registry package stays an import resolved from node_modules at run time.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
export const SERVER_DIST = join(serverDir, 'dist');
/** Entry points: the relay, and the admin command line. */
export const ENTRIES = { index: join(serverDir, 'src', 'index.ts') };

export async function compileServer(): Promise<void> {
  rmSync(SERVER_DIST, { recursive: true, force: true });
  await build({
    entryPoints: ENTRIES,
    outdir: SERVER_DIST,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    // Bundled into the output are only our own workspaces; everything else is required from node_modules.
    plugins: [
      {
        name: 'registry-packages-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@parley/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
    // Bundled ESM has no `require`; some dependencies' CommonJS interop needs one.
    banner: {
      js: "import { createRequire as __parleyRequire } from 'node:module'; const require = __parleyRequire(import.meta.url);",
    },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await compileServer();
  console.log(`parley: relay compiled to ${SERVER_DIST}`);
}
