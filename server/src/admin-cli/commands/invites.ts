// Invites made on the server: any number of uses, any expiry in the protocol's bounds, shown as
// links. They work in every REGISTRATION mode, `closed` included (where the panel's do not).
import { type InviteRequest, makeInvite, revokeInvite } from '../../admin/invites';
import { inviteLink, inviteState } from '../../auth/invites';
import type { InviteRecord } from '../../db/store';
import { durationArg, idArg, labelArg, originArg, parseCommandArgs, usesArg } from '../args';
import type { Command, CommandGroup } from '../command';
import type { CliContext } from '../context';
import { Refusal } from '../errors';
import { duration, table, utc } from '../format';

const INVITE_SECONDS = 7 * 86_400;

export async function startInvite(
  ctx: CliContext,
  request: InviteRequest,
): Promise<{ invite: InviteRecord; code: string }> {
  return makeInvite(await ctx.store(), ctx.logger, request, ctx.now());
}

/** The relay's address for links: --origin, else the first PUBLIC_ORIGIN, else this host's port. */
function linkOrigin(ctx: CliContext, flag: string | undefined): string {
  if (flag !== undefined) return flag;
  const configured = ctx.config.publicOrigins[0];
  if (configured !== undefined) return configured;
  const scheme = ctx.config.tls ? 'https' : 'http';
  ctx.io.err(
    `note: PUBLIC_ORIGIN is not set, so the link names localhost:${ctx.config.port}; pass --origin https://your.relay for others to use it`,
  );
  return `${scheme}://localhost:${ctx.config.port}`;
}

export function printInviteLink(
  ctx: CliContext,
  made: { invite: InviteRecord; code: string },
  flag: string | undefined,
  title: string,
): void {
  const { invite } = made;
  const uses = invite.maxUses === 1 ? 'single use' : `${invite.maxUses} uses`;
  const expires = `expires ${utc(invite.expiresAt)}, in ${duration(Math.round((invite.expiresAt - invite.createdAt) / 1000))}`;
  ctx.io.out(`${title} (${invite.role === 'admin' ? 'admin, ' : ''}${uses}, ${expires}):`);
  ctx.io.out(`  ${inviteLink(linkOrigin(ctx, flag), made.code)}`);
  ctx.io.out(`Shown once: the relay keeps only a hash of it. Revoke it with: revoke-invite ${invite.id}`);
}

const create: Command = {
  name: 'invite',
  usage: '[--uses 1] [--expires 7d] [--label TEXT] [--origin URL]',
  summary: 'make an invite link for anyone (valid under every REGISTRATION mode)',
  details: ['--uses: 1 to 1000 (default 1). --expires: 5m to 90d (default 7d).'],
  async run(ctx, argv) {
    const { values } = parseCommandArgs(
      'invite',
      argv,
      {
        uses: { type: 'string' },
        expires: { type: 'string' },
        label: { type: 'string' },
        origin: { type: 'string' },
      },
      { min: 0, max: 0 },
    );
    const request: InviteRequest = {
      source: 'cli',
      createdBy: null,
      label: labelArg('invite', values.label),
      username: null,
      role: 'user',
      maxUses: usesArg('invite', values.uses, 1),
      expiresInSeconds: durationArg('invite', values.expires, INVITE_SECONDS),
    };
    const origin = originArg('invite', values.origin);
    printInviteLink(ctx, await startInvite(ctx, request), origin, 'Invite link');
  },
};

const list: Command = {
  name: 'invites',
  usage: '[--json]',
  summary: 'list invites with their uses, expiry and state (never their codes: only hashes are kept)',
  async run(ctx, argv) {
    const { values } = parseCommandArgs('invites', argv, { json: { type: 'boolean' } }, { min: 0, max: 0 });
    const store = await ctx.store();
    const [invites, users] = await Promise.all([store.listInvites(), store.listUsers()]);
    const names = new Map(users.map((u) => [u.id, u.username]));
    const now = ctx.now();
    const rows = invites.map((i) => ({
      id: i.id,
      state: inviteState(i, now),
      source: i.source,
      createdBy: i.createdBy === null ? null : (names.get(i.createdBy) ?? null),
      label: i.label,
      username: i.username,
      role: i.role,
      uses: i.uses,
      maxUses: i.maxUses,
      expiresAt: i.expiresAt,
      createdAt: i.createdAt,
    }));
    if (values.json) {
      ctx.io.out(JSON.stringify(rows, null, 2));
      return;
    }
    ctx.io.out(`REGISTRATION=${ctx.config.registration}`);
    if (rows.length === 0) {
      ctx.io.out('No invites yet. Make one with: invite');
      return;
    }
    const lines = table([
      ['ID', 'STATE', 'USES', 'EXPIRES', 'MADE BY', 'FOR'],
      ...rows.map((r) => [
        r.id,
        r.state,
        `${r.uses}/${r.maxUses}`,
        utc(r.expiresAt),
        r.source === 'cli' ? 'cli' : (r.createdBy ?? '(deleted admin)'),
        [r.username ? `${r.username}${r.role === 'admin' ? ' (admin)' : ''}` : '', r.label ?? '']
          .filter(Boolean)
          .join(' · '),
      ]),
    ]);
    for (const line of lines) ctx.io.out(line);
  },
};

const revoke: Command = {
  name: 'revoke-invite',
  usage: '<id>',
  summary: 'revoke an invite (its link stops working at once, on every relay)',
  async run(ctx, argv) {
    const { positionals } = parseCommandArgs('revoke-invite', argv, {}, { min: 1, max: 1 });
    const id = idArg('revoke-invite', positionals[0]);
    if (!(await revokeInvite(await ctx.store(), ctx.logger, id, null))) {
      throw new Refusal(`there is no invite ${id} (see: invites)`);
    }
    ctx.io.out(`Invite ${id} is revoked.`);
  },
};

export const inviteCommands: CommandGroup = { title: 'Invites', commands: [create, list, revoke] };
