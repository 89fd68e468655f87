// The admin CLI: `npm run admin -- <command> [arguments]`. It reads the relay's environment with
// the relay's own parser (parseEnv) and opens the same store, so it acts on what the relays serve.
// Exit codes: 0 done, 1 refused or failed, 2 a bad command line.
import { pathToFileURL } from 'node:url';
import { ConfigError, parseEnv } from '../env';
import { safeError } from '../log';
import type { Command } from './command';
import { COMMAND_GROUPS, findCommand } from './commands';
import { CliContext, type Output } from './context';
import { EXIT_OK, EXIT_REFUSED, EXIT_USAGE, Refusal, UsageError } from './errors';

const PROGRAM = 'parley-admin';

function usageLine(command: Command): string {
  return `${command.name}${command.usage ? ` ${command.usage}` : ''}`;
}

function help(io: Output, name?: string): void {
  if (name !== undefined) {
    const command = findCommand(name);
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    io.out(`Usage: npm run admin -- ${usageLine(command)}`);
    io.out('');
    io.out(`${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.`);
    for (const line of command.details ?? []) io.out(line);
    return;
  }
  io.out(`${PROGRAM}: administer a Parley relay on its own database and files (DATABASE_URL, DATA_DIR,`);
  io.out('REDIS_URL, ... read as the relay reads them).');
  io.out('');
  io.out('Usage: npm run admin -- <command> [arguments]');
  for (const group of COMMAND_GROUPS) {
    io.out('');
    io.out(group.title);
    for (const command of group.commands) {
      io.out(`  ${usageLine(command)}`);
      io.out(`      ${command.summary}`);
    }
  }
  io.out('');
  io.out('  help [command]');
  io.out("      this list, or one command's details");
  io.out('');
  io.out('Exit codes: 0 done, 1 refused or failed, 2 bad command line.');
}

/** Runs one command line; returns the exit code. Never throws. */
export async function run(
  argv: string[],
  env: Record<string, string | undefined>,
  io: Output,
): Promise<number> {
  const [name, ...rest] = argv;
  let ctx: CliContext | null = null;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      help(io, name === 'help' ? rest[0] : undefined);
      return name === undefined ? EXIT_USAGE : EXIT_OK;
    }
    const command = findCommand(name);
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      help(io, name);
      return EXIT_OK;
    }
    const config = parseEnv(env);
    ctx = new CliContext(config, io, env.LOG_LEVEL?.trim() ? config.logLevel : 'warn');
    await command.run(ctx, rest);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${PROGRAM}: ${err.message}`);
      const command = err.command ? findCommand(err.command) : undefined;
      io.err(command ? `usage: npm run admin -- ${usageLine(command)}` : 'see: npm run admin -- help');
      return EXIT_USAGE;
    }
    if (err instanceof Refusal) {
      io.err(`${PROGRAM}: ${err.message}`);
      return EXIT_REFUSED;
    }
    if (err instanceof ConfigError) {
      io.err(`${PROGRAM}: ${err.message}`);
      return EXIT_REFUSED;
    }
    io.err(`${PROGRAM}: failed: ${safeError(err).message}`);
    return EXIT_REFUSED;
  } finally {
    await ctx?.close().catch(() => {});
  }
}

const stdio: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2), process.env, stdio).then(
    (code) => process.exit(code),
    () => process.exit(EXIT_REFUSED),
  );
}
