// `npm run kt-audit -- <relay url> [--state <file>]`: audits a relay's key log (DESIGN §7.5) with
// the protocol client's own code. Prints one line per problem, then a summary line, and exits 1
// when there were problems. With --state, it keeps what it verified in that file, so that the
// next run checks only the new epochs and that the old head is still on the chain.
import { readFile, writeFile } from 'node:fs/promises';
import { ready } from '@parley/crypto-core';
import { Api } from '../src/client/api';
import { type AuditState, auditKeyLog } from '../src/client/kt-audit';

function usage(): never {
  console.error('usage: npm run kt-audit -- <relay url> [--state <file>]');
  process.exit(2);
}

const args = process.argv.slice(2);
const url = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--state');
const stateAt = args.indexOf('--state');
const stateFile = stateAt >= 0 ? args[stateAt + 1] : undefined;
if (!url || (stateAt >= 0 && !stateFile)) usage();

await ready();
let state: AuditState | undefined;
if (stateFile) {
  try {
    state = JSON.parse(await readFile(stateFile, 'utf8')) as AuditState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
const api = new Api({ baseUrl: url, fetch: (input, init) => fetch(input, init) });
const result = await auditKeyLog(api, {
  ...(state ? { state } : {}),
  onProblem: (line) => console.log(`problem: ${line}`),
});
if (stateFile && result.state) await writeFile(stateFile, `${JSON.stringify(result.state)}\n`);
console.log(
  `kt-audit: ${result.problems.length === 0 ? 'ok' : `${result.problems.length} problem(s)`}, ` +
    `epochs ${result.checked} checked${state ? ' (since the saved state)' : ''}, users ${result.users}, ` +
    `head ${result.head ? `${result.head.epoch} ${result.head.hash}` : 'none'}, log key ${result.logKeyFingerprint}`,
);
process.exit(result.problems.length === 0 ? 0 : 1);
