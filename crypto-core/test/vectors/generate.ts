// Regenerates Parley's own format vectors: `npx tsx crypto-core/test/vectors/generate.ts`.
// The builders live in ../parley-vectors.ts so the tests can rebuild the same objects and compare.
// Review the diff before committing: a changed vector is a wire-format change.
import { ready } from '../../src/index';
import { buildParleyVectors } from '../parley-vectors';

type NodeProcess = { env: Record<string, string | undefined>; stdout: { write(s: string): void } };

// The nonce knobs refuse to run outside a test runner; this script is a test tool.
const proc = (globalThis as { process?: NodeProcess }).process;
if (!proc) throw new Error('generate.ts runs under Node (npx tsx)');
proc.env.NODE_ENV = 'test';

// Node built-ins through variable specifiers: crypto-core compiles without Node types.
const fsName = 'node:fs';
const urlName = 'node:url';
const fs = (await import(fsName)) as { writeFileSync(path: string, data: string): void };
const url = (await import(urlName)) as { fileURLToPath(u: string | object): string; URL: new (p: string, base: string) => object };

await ready();
const files = buildParleyVectors();
for (const [name, content] of Object.entries(files)) {
  const path = url.fileURLToPath(new url.URL(name, (import.meta as { url: string }).url));
  fs.writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
  proc.stdout.write(`wrote ${path}\n`);
}
