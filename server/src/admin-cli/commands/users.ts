// Accounts: list them, make a link for a new one, change roles, disable, enable and delete. The
// account actions are the admin panel's (server/src/admin/accounts.ts).
//
// The CLI never creates an account itself: Parley accounts are keys made in the browser from a
// password the relay must never see. `create-user` and `create-admin` make a single-use,
// short-lived invite link bound to the username; the person opens it and chooses the password
// in their own browser. See docs/configuration.md "Admin CLI" for why.
import {
  type ActorId,
  deleteAccount,
  disableAccount,
  enableAccount,
  setAccountRole,
} from '../../admin/accounts';
import type { UserRecord } from '../../db/store';
import { SESSION_RECHECK_MS } from '../../ws/context';
import { durationArg, originArg, parseCommandArgs, usernameArg } from '../args';
import type { Command, CommandGroup } from '../command';
import type { CliContext } from '../context';
import { Refusal } from '../errors';
import { table, utc } from '../format';
import { printInviteLink, startInvite } from './invites';

/** The CLI acts as no user. */
const CLI: ActorId = null;
const ACCOUNT_LINK_SECONDS = 24 * 3600;

async function findUser(ctx: CliContext, username: string): Promise<UserRecord> {
  const user = await (await ctx.store()).getUserByUsername(username);
  if (!user) throw new Refusal(`there is no user ${username} (see: users)`);
  return user;
}

/** Says whether running relays heard of it, and what happens when they did not. */
async function reportRelays(ctx: CliContext, what: string): Promise<void> {
  const bus = await ctx.bus();
  if (bus.reachesRelays) {
    ctx.io.out(`Running relays were told through Redis: ${what} now.`);
    return;
  }
  const seconds = Math.round((SESSION_RECHECK_MS + ctx.config.realtime.heartbeatMs) / 1000);
  ctx.io.out(
    `Not sent to running relays: ${bus.why}. Its sessions are gone, so the relays refuse its requests now, and ${what} at their next session check, within ${seconds} s.`,
  );
}

const list: Command = {
  name: 'users',
  usage: '[--json]',
  summary: 'list accounts: role, status, created, last seen, messages sent',
  async run(ctx, argv) {
    const { values } = parseCommandArgs('users', argv, { json: { type: 'boolean' } }, { min: 0, max: 0 });
    const users = await (await ctx.store()).listUsersForAdmin();
    if (values.json) {
      const rows = users.map((u) => ({
        id: u.id,
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        disabled: u.disabled,
        createdAt: u.createdAt,
        lastSeenAt: u.lastSeenAt,
        messageCount: u.messageCount,
      }));
      ctx.io.out(JSON.stringify(rows, null, 2));
      return;
    }
    if (users.length === 0) {
      ctx.io.out('No accounts yet. Make the first admin with: create-admin <username>');
      return;
    }
    const rows = users.map((u) => [
      u.username,
      u.role,
      u.disabled ? 'disabled' : 'active',
      utc(u.createdAt),
      utc(u.lastSeenAt),
      String(u.messageCount),
    ]);
    for (const line of table([['USERNAME', 'ROLE', 'STATUS', 'CREATED', 'LAST SEEN', 'MESSAGES'], ...rows]))
      ctx.io.out(line);
  },
};

function accountLink(name: 'create-user' | 'create-admin'): Command {
  const role = name === 'create-admin' ? 'admin' : 'user';
  return {
    name,
    usage: '<username> [--expires 24h] [--origin URL]',
    summary:
      role === 'admin'
        ? 'make a single-use link that creates an admin account with this username'
        : 'make a single-use link that creates an account with this username',
    details: [
      'The person opens the link and chooses the password in their own browser: it never',
      'reaches the relay or this command. Works whatever REGISTRATION says.',
      '--expires: 5m to 90d (default 24h). --origin: the relay address for the link',
      '(default: the first PUBLIC_ORIGIN).',
    ],
    async run(ctx, argv) {
      const { positionals, values } = parseCommandArgs(
        name,
        argv,
        { expires: { type: 'string' }, origin: { type: 'string' } },
        { min: 1, max: 1 },
      );
      const username = usernameArg(name, positionals[0]);
      const expiresInSeconds = durationArg(name, values.expires, ACCOUNT_LINK_SECONDS);
      const origin = originArg(name, values.origin);
      if (await (await ctx.store()).getUserByUsername(username)) {
        throw new Refusal(
          `username ${username} is taken${role === 'admin' ? ' (to make it admin: promote)' : ''}`,
        );
      }
      const made = await startInvite(ctx, {
        source: 'cli',
        createdBy: null,
        label: null,
        username,
        role,
        maxUses: 1,
        expiresInSeconds,
      });
      printInviteLink(
        ctx,
        made,
        origin,
        `Link to create ${role === 'admin' ? 'the admin' : 'the'} account ${username}`,
      );
    },
  };
}

function roleChange(name: 'promote' | 'demote'): Command {
  const role = name === 'promote' ? 'admin' : 'user';
  return {
    name,
    usage: '<username>',
    summary: name === 'promote' ? 'make an existing account an admin' : 'make an admin a plain user again',
    async run(ctx, argv) {
      const { positionals } = parseCommandArgs(name, argv, {}, { min: 1, max: 1 });
      const user = await findUser(ctx, usernameArg(name, positionals[0]));
      if (user.role === role) {
        ctx.io.out(
          `${user.username} is already ${role === 'admin' ? 'an admin' : 'a plain user'}; nothing to do.`,
        );
        return;
      }
      if (role === 'user') {
        const admins = (await (await ctx.store()).listUsers()).filter(
          (u) => u.role === 'admin' && !u.disabled,
        );
        if (admins.every((a) => a.id === user.id)) {
          throw new Refusal(`${user.username} is the only active admin: promote someone else first`);
        }
      }
      await setAccountRole(await ctx.adminDeps(), user, role, CLI);
      ctx.io.out(`${user.username} is now ${role === 'admin' ? 'an admin' : 'a plain user'}.`);
    },
  };
}

const disable: Command = {
  name: 'disable',
  usage: '<username>',
  summary: 'disable an account: ends its sessions and closes its sockets; login is refused',
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('disable', argv, {}, { min: 1, max: 1 });
    const user = await findUser(ctx, usernameArg('disable', positionals[0]));
    if (user.disabled) {
      ctx.io.out(`${user.username} is already disabled; nothing to do.`);
      return;
    }
    await disableAccount(await ctx.adminDeps(), user, CLI);
    ctx.io.out(`${user.username} is disabled and signed out everywhere.`);
    await reportRelays(ctx, 'they close its sockets');
  },
};

const enable: Command = {
  name: 'enable',
  usage: '<username>',
  summary: 'enable a disabled account again',
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('enable', argv, {}, { min: 1, max: 1 });
    const user = await findUser(ctx, usernameArg('enable', positionals[0]));
    if (!user.disabled) {
      ctx.io.out(`${user.username} is not disabled; nothing to do.`);
      return;
    }
    await enableAccount(await ctx.adminDeps(), user, CLI);
    ctx.io.out(`${user.username} is enabled and can log in again.`);
  },
};

const remove: Command = {
  name: 'delete',
  usage: '<username> --yes',
  summary: 'delete an account, its sessions, memberships and the ciphertext of its messages',
  details: ['This cannot be undone: --yes confirms it.'],
  async run(ctx, argv) {
    const { positionals, values } = parseCommandArgs(
      'delete',
      argv,
      { yes: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    const username = usernameArg('delete', positionals[0]);
    if (!values.yes) throw new Refusal(`deleting ${username} cannot be undone: add --yes to confirm`);
    const user = await findUser(ctx, username);
    await deleteAccount(await ctx.adminDeps(), user, CLI);
    ctx.io.out(`${user.username} is deleted.`);
    await reportRelays(ctx, 'they close its sockets and tell its channels');
  },
};

export const userCommands: CommandGroup = {
  title: 'Accounts',
  commands: [
    list,
    accountLink('create-user'),
    accountLink('create-admin'),
    roleChange('promote'),
    roleChange('demote'),
    disable,
    enable,
    remove,
  ],
};
