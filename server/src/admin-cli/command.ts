// The shape of one admin CLI command. Commands live in commands/, one module per group, and are
// listed in commands/index.ts (which `help` prints).
import type { CliContext } from './context';

export interface Command {
  name: string;
  /** One line: the arguments, e.g. `<username> [--expires 24h]`. */
  usage: string;
  summary: string;
  /** More lines for `help <command>`. */
  details?: string[];
  run(ctx: CliContext, argv: string[]): Promise<void>;
}

export interface CommandGroup {
  title: string;
  commands: Command[];
}
