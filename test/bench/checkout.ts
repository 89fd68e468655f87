// Another commit's sources, for running an earlier relay side by side with this one: exported
// from git into a temp directory that borrows this checkout's node_modules.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/relay';

/** The checkout of `ref`, or undefined (and why, on stdout) when the commit is not in this clone. */
export function exportCheckout(ref: string, purpose: string): string | undefined {
  const dir = join(tmpdir(), `parley-bench-${ref.replace(/[^\w.-]/g, '_')}`);
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    execSync(`git archive ${ref} | tar -x -C ${dir}`, { cwd: REPO_ROOT, stdio: 'pipe' });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    if (!existsSync(join(dir, 'server/src/index.ts'))) throw new Error('no server/src/index.ts');
    return dir;
  } catch (err) {
    console.log(`${purpose} skipped: ${ref} unavailable (${(err as Error).message.split('\n')[0]})`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}
