// Channel list, DMs, private channels and their membership (DESIGN §3 "Channels and sender
// keys", §7.1). A group's members, owner and epoch come from its signed membership log: the
// calls that create, invite, remove and leave carry the signed entry, checked here as every
// client checks it. DMs are fixed by their id; broadcast holds everyone.
import { constantTimeEqual, dmChannelId, fromBase64, type MemberEntry } from '@parley/crypto-core';
import type { Hono } from 'hono';

import { parseEntries, planAppend } from '../../channels/membership-append';
import type { ChannelRecord, LogAppend } from '../../db/store';
import { ApiError, badRequest, forbidden, notFound } from '../../middleware/errors';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';
import { jsonBody, optionalJsonBody, paramsOf, queryOf, refuseQuery } from '../../middleware/validate';
import {
  AdoptLogBody,
  ChannelParams,
  CreateGroupBody,
  InviteBody,
  LogQuery,
  type LogResponse,
  MemberParams,
  OpenDmBody,
  RemoveMemberBody,
} from '../../protocol';
import { toChannelSummary, toWireLogEntry } from '../views';
import { channelSummary, requireMember } from './access';
import { publishMembership } from './publish';

export function registerChannelRoutes(r: Hono<AppEnv>, deps: ResolvedDeps): void {
  const { store, logger, config } = deps;

  r.get('/', refuseQuery, async (c) => {
    const views = await store.listMemberships(c.get('user').id);
    const channels = await Promise.all(
      views.map(async (v) => toChannelSummary(v, await store.getMembers(v.channel.id))),
    );
    return c.json({ channels });
  });

  r.post('/dm', async (c) => {
    const { peerId } = await jsonBody(c, OpenDmBody);
    const me = c.get('user');
    if (peerId === me.id) throw new ApiError(400, 'dm_self', 'cannot open a direct message with yourself');
    const peer = await store.getUserById(peerId);
    if (!peer || peer.disabled) throw notFound('user');
    const id = dmChannelId(me.id, peer.id);
    const { created } = await store.createChannel({
      id,
      kind: 'dm',
      name: null,
      members: [
        { userId: me.id, role: 'member' },
        { userId: peer.id, role: 'member' },
      ],
      createdAt: deps.now(),
    });
    if (created) {
      logger.info({ event: 'dm-open', channelId: id, userId: me.id, peerId: peer.id }, 'dm opened');
      await publishMembership(deps, id, await creationEntries(deps, id), []);
    }
    return c.json(await channelSummary(store, id, me.id), created ? 201 : 200);
  });

  r.post('/', async (c) => {
    const body = await jsonBody(c, CreateGroupBody);
    const me = c.get('user');
    const [entry] = parseEntries(body.id, [body.entry]);
    if (entry?.action !== 'create' || entry.actorId !== me.id) {
      throw badRequest('a new channel starts with its creator’s signed `create` entry');
    }
    requireOwnKey(entry, me.bundle.identityKey);
    const empty = await deps.membershipLogs.current(body.id, 0);
    await appendSigned(deps, planAppend(empty, [entry], 'create', deps.now()), { name: body.name });
    logger.info({ event: 'channel-create', channelId: body.id, userId: me.id }, 'channel created');
    return c.json(await channelSummary(store, body.id, me.id), 201);
  });

  r.get('/:id', refuseQuery, async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    return c.json(await channelSummary(store, id, c.get('user').id));
  });

  r.get('/:id/log', async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    const { channel } = await requireMember(store, id, c.get('user').id);
    const { from, limit } = queryOf(c, LogQuery);
    const entries = await store.getMembershipLog(id, from, limit);
    const answer: LogResponse = { entries: entries.map(toWireLogEntry), length: channel.logLength };
    return c.json(answer);
  });

  // The owner of a group made before the log re-signs its current members (DESIGN §7.1).
  r.post('/:id/log', async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    const me = c.get('user');
    const { channel, member } = await requireMember(store, id, me.id);
    if (!isUnsignedGroup(channel))
      throw new ApiError(409, 'conflict', 'this channel’s members are signed already');
    if (member.role !== 'owner') throw forbidden('only the owner re-signs the members');
    const entries = parseEntries(id, (await jsonBody(c, AdoptLogBody)).entries);
    if (entries[0]?.action !== 'create' || entries[0].actorId !== me.id) {
      throw badRequest('the re-signed log starts with the owner’s `create` entry');
    }
    requireOwnKey(entries[0], me.bundle.identityKey);
    const plan = planAppend(await deps.membershipLogs.current(id, 0), entries, 'adopt', deps.now());
    const signed = plan.next.members().map((m) => m.userId);
    const current = (await store.getMembers(id)).map((m) => m.userId);
    if (signed.length !== current.length || !current.every((u) => signed.includes(u))) {
      throw badRequest('the re-signed log must name exactly the current members', { current });
    }
    await appendSigned(deps, plan);
    logger.info({ event: 'channel-resign', channelId: id, userId: me.id }, 'members re-signed');
    return c.json(await channelSummary(store, id, me.id), 201);
  });

  r.post('/:id/members', async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    const me = c.get('user');
    const { channel } = await requireMember(store, id, me.id);
    const body = await jsonBody(c, InviteBody);
    if (channel.kind === 'dm') throw badRequest('a direct message has exactly two members');
    if (channel.kind === 'broadcast') throw badRequest('everyone is already in broadcast');
    if (isUnsignedGroup(channel)) throw unsignedGroup();
    const invitee = await store.getUserById(body.userId);
    if (!invitee || invitee.disabled) throw notFound('user');
    const [entry] = parseEntries(id, [body.entry]);
    if (entry?.action !== 'add' || entry.actorId !== me.id || entry.subjectId !== invitee.id) {
      throw badRequest('an invitation carries the inviter’s signed `add` entry for the invitee');
    }
    // Defence in depth: the inviter binds the key it pinned; a stale or forged pin stops here.
    if (!constantTimeEqual(entry.subjectIdentityPk, fromBase64(invitee.bundle.identityKey))) {
      throw new ApiError(409, 'conflict', 'the entry binds a key that is not the invitee’s identity key');
    }
    const log = await deps.membershipLogs.current(id, channel.logLength);
    if (log.isMember(invitee.id)) throw new ApiError(409, 'conflict', 'already a member of this channel');
    if (log.members().length >= config.limits.maxChannelMembers) {
      throw new ApiError(
        409,
        'channel_full',
        `a channel holds at most ${config.limits.maxChannelMembers} members`,
      );
    }
    await appendSigned(deps, planAppend(log, [entry], 'append', deps.now()));
    logger.info({ event: 'join', channelId: id, userId: invitee.id, actorId: me.id }, 'member invited');
    return c.json(await channelSummary(store, id, me.id), 201);
  });

  r.delete('/:id/members/:userId', async (c) => {
    const { id, userId } = paramsOf(c, MemberParams);
    const me = c.get('user');
    const { channel } = await requireMember(store, id, me.id);
    const self = userId === me.id;
    const { entry: wire } = await optionalJsonBody(c, RemoveMemberBody);
    if (channel.kind === 'dm') throw badRequest('a direct message has exactly two members');
    if (channel.kind === 'group' && !isUnsignedGroup(channel)) {
      if (!wire) throw badRequest('removing or leaving carries the signed `remove` or `leave` entry');
      const [entry] = parseEntries(id, [wire]);
      const action = self ? 'leave' : 'remove';
      if (entry?.action !== action || entry.actorId !== me.id || entry.subjectId !== userId) {
        throw badRequest(`expected your signed \`${action}\` entry for this member`);
      }
      const log = await deps.membershipLogs.current(id, channel.logLength);
      if (!self && log.owner !== me.id) throw forbidden('only the owner removes members');
      if (!log.isMember(userId)) throw notFound('member');
      await appendSigned(deps, planAppend(log, [entry], 'append', deps.now()), { removed: userId });
    } else {
      // Broadcast bans by an admin, and leaving a group made before the log: no entry to sign.
      if (wire) throw badRequest('this channel has no membership log');
      if (channel.kind === 'broadcast') {
        if (self) throw badRequest('nobody leaves broadcast');
        if (me.role !== 'admin') throw forbidden('only admins remove people from broadcast');
        if (!(await store.getMember(id, userId))) throw notFound('member');
      } else if (!self) {
        throw unsignedGroup();
      }
      const change = await store.removeMember(id, userId, me.id);
      await publishMembership(deps, id, [change.entry], [userId]);
    }
    logger.info({ event: self ? 'leave' : 'remove', channelId: id, userId, actorId: me.id }, 'member left');
    return c.body(null, 204);
  });
}

/** Appends a checked plan and tells everyone concerned; a lost race is a 409 `log_conflict`. */
async function appendSigned(
  deps: ResolvedDeps,
  plan: ReturnType<typeof planAppend>,
  extra: { name?: string; removed?: string } = {},
): Promise<void> {
  const append: LogAppend = extra.name === undefined ? plan.append : { ...plan.append, name: extra.name };
  const result = await deps.store.appendMembershipLog(append);
  if (!result.ok) {
    if (result.code === 'not_found') throw notFound('channel');
    throw new ApiError(409, 'log_conflict', 'someone changed the members first: sign against the new head', {
      length: result.length,
    });
  }
  deps.membershipLogs.remember(plan.next);
  await publishMembership(deps, append.channelId, result.entries, extra.removed ? [extra.removed] : []);
}

/** A group made before the membership log, not yet re-signed by its owner. */
function isUnsignedGroup(channel: ChannelRecord): boolean {
  return channel.kind === 'group' && channel.logLength === 0;
}

function unsignedGroup(): ApiError {
  return new ApiError(
    409,
    'conflict',
    'this channel’s members are not signed yet: its owner must re-sign them',
  );
}

function requireOwnKey(entry: MemberEntry, identityKey: string): void {
  if (!constantTimeEqual(entry.subjectIdentityPk, fromBase64(identityKey))) {
    throw badRequest('the `create` entry must bind your own identity key');
  }
}

/** The `create` and `join` entries a new DM starts with. */
async function creationEntries(deps: ResolvedDeps, channelId: string) {
  const { messages } = await deps.store.listMessages(channelId, { after: 0, limit: 200, minSeq: 0 });
  return messages;
}
