// Every admin CLI command, in the order `help` lists them.
import type { Command, CommandGroup } from '../command';
import { inviteCommands } from './invites';
import { serverCommands } from './server';
import { userCommands } from './users';

export const COMMAND_GROUPS: CommandGroup[] = [userCommands, inviteCommands, serverCommands];

export function findCommand(name: string): Command | undefined {
  for (const group of COMMAND_GROUPS) {
    const found = group.commands.find((c) => c.name === name);
    if (found) return found;
  }
  return undefined;
}
