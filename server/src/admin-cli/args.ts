// Arguments of one command, parsed strictly with node:util's parseArgs (unknown options refused)
// and the values the CLI takes checked here: usernames by the protocol's own schema, durations,
// counts, origins and ids. Every failure is a UsageError naming the argument.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { MAX_INVITE_SECONDS, MAX_INVITE_USES, MIN_INVITE_SECONDS, Username } from '../protocol';
import { UsageError } from './errors';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

export function parseCommandArgs(
  command: string,
  argv: string[],
  options: OptionSpec,
  positionals: { min: number; max: number },
): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('.')[0] ?? 'bad arguments', command);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError('missing argument', command);
  if (count > positionals.max) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}`,
      command,
    );
  }
  // Every option is declared without `multiple`, so no value is an array.
  return { positionals: parsed.positionals, values: parsed.values as ParsedArgs['values'] };
}

export function usernameArg(command: string, value: string | undefined): string {
  const result = Username.safeParse(value);
  if (!result.success) {
    throw new UsageError(`${JSON.stringify(value ?? '')} is not a username (3-32 of a-z 0-9 . _ -)`, command);
  }
  return result.data;
}

const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400 };

/** `30m`, `24h`, `7d` → seconds, within the invite bounds. A unit is required: "7" is ambiguous. */
export function durationArg(command: string, value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const match = typeof value === 'string' ? /^([1-9][0-9]{0,5})([mhd])$/.exec(value) : null;
  const seconds = match ? Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? 0) : Number.NaN;
  if (!(seconds >= MIN_INVITE_SECONDS && seconds <= MAX_INVITE_SECONDS)) {
    throw new UsageError(
      `--expires ${String(value)}: give a duration like 30m, 24h or 7d, from ${MIN_INVITE_SECONDS / 60}m to ${MAX_INVITE_SECONDS / 86_400}d`,
      command,
    );
  }
  return seconds;
}

export function usesArg(command: string, value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^[0-9]{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= MAX_INVITE_USES)) {
    throw new UsageError(
      `--uses ${String(value)}: give a whole number from 1 to ${MAX_INVITE_USES}`,
      command,
    );
  }
  return n;
}

export function labelArg(command: string, value: string | boolean | undefined): string | null {
  if (value === undefined) return null;
  const label = typeof value === 'string' ? value.trim() : '';
  if (label.length < 1 || label.length > 64) throw new UsageError('--label: 1 to 64 characters', command);
  return label;
}

export function originArg(command: string, value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(String(value));
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    // refused below
  }
  throw new UsageError(
    `--origin ${String(value)}: give the relay's address, like https://chat.example.org`,
    command,
  );
}

export function idArg(command: string, value: string | undefined): string {
  const result = z.uuid().safeParse(value);
  if (!result.success) {
    throw new UsageError(`${JSON.stringify(value ?? '')} is not an invite id (see: invites)`, command);
  }
  return result.data;
}
