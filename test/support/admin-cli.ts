// The admin CLI as an operator runs it: a child process (`node --import tsx
// server/src/admin-cli/main.ts`) with its own environment, its exit code and its two streams.
import { spawn } from 'node:child_process';
import { REPO_ROOT, stripRelayEnv } from './relay';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run admin -- <args>` without npm's banner; `env` is the relay environment to use. */
export function runAdmin(
  args: string[],
  env: Record<string, string>,
  opts: { viaNpm?: boolean } = {},
): Promise<CliResult> {
  const [cmd, argv] = opts.viaNpm
    ? ['npm', ['run', '--silent', 'admin', '--', ...args]]
    : [process.execPath, ['--import', 'tsx', 'server/src/admin-cli/main.ts', ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      cwd: REPO_ROOT,
      env: { ...stripRelayEnv(process.env), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** The code of the one invite link in a CLI answer. */
export function linkCode(stdout: string): { link: string; code: string } {
  const match = /(https?:\/\/\S+\/#\/register\?invite=([A-Za-z0-9_-]{22}))/.exec(stdout);
  if (!match?.[1] || !match[2]) throw new Error(`no invite link in:\n${stdout}`);
  return { link: match[1], code: match[2] };
}
