// Channel list, DMs, private channels and their membership (DESIGN §3 "Channels and sender
// keys"). Every join and leave is a system entry and bumps memberEpoch (inside the store).
import type { Hono } from 'hono';
import { dmChannelId, newGroupChannelId } from '../../channels/ids';
import { ApiError, badRequest, forbidden, notFound } from '../../middleware/errors';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';
import { jsonBody, paramsOf, refuseQuery } from '../../middleware/validate';
import { ChannelParams, CreateGroupBody, InviteBody, MemberParams, OpenDmBody } from '../../protocol';
import { toChannelSummary } from '../views';
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
    const { name } = await jsonBody(c, CreateGroupBody);
    const me = c.get('user');
    const id = newGroupChannelId();
    await store.createChannel({
      id,
      kind: 'group',
      name,
      members: [{ userId: me.id, role: 'owner' }],
      createdAt: deps.now(),
    });
    logger.info({ event: 'channel-create', channelId: id, userId: me.id }, 'channel created');
    await publishMembership(deps, id, await creationEntries(deps, id), []);
    return c.json(await channelSummary(store, id, me.id), 201);
  });

  r.get('/:id', refuseQuery, async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    return c.json(await channelSummary(store, id, c.get('user').id));
  });

  r.post('/:id/members', async (c) => {
    const { id } = paramsOf(c, ChannelParams);
    const me = c.get('user');
    const { channel } = await requireMember(store, id, me.id);
    const { userId } = await jsonBody(c, InviteBody);
    if (channel.kind === 'dm') throw badRequest('a direct message has exactly two members');
    if (channel.kind === 'broadcast') throw badRequest('everyone is already in broadcast');
    const invitee = await store.getUserById(userId);
    if (!invitee || invitee.disabled) throw notFound('user');
    const members = await store.getMembers(id);
    if (members.some((m) => m.userId === userId)) {
      throw new ApiError(409, 'conflict', 'already a member of this channel');
    }
    if (members.length >= config.limits.maxChannelMembers) {
      throw new ApiError(
        409,
        'channel_full',
        `a channel holds at most ${config.limits.maxChannelMembers} members`,
      );
    }
    const change = await store.addMember(id, userId, me.id);
    logger.info({ event: 'join', channelId: id, userId, actorId: me.id }, 'member invited');
    await publishMembership(deps, id, [change.entry], []);
    return c.json(await channelSummary(store, id, me.id), 201);
  });

  r.delete('/:id/members/:userId', async (c) => {
    const { id, userId } = paramsOf(c, MemberParams);
    const me = c.get('user');
    const { channel, member: mine } = await requireMember(store, id, me.id);
    const self = userId === me.id;
    if (channel.kind === 'dm') throw badRequest('a direct message has exactly two members');
    if (channel.kind === 'broadcast') {
      if (self) throw badRequest('nobody leaves broadcast');
      if (me.role !== 'admin') throw forbidden('only admins remove people from broadcast');
    } else if (!self && mine.role !== 'owner') {
      throw forbidden('only the owner removes members');
    }
    if (!self && !(await store.getMember(id, userId))) throw notFound('member');
    const change = await store.removeMember(id, userId, me.id);
    logger.info({ event: self ? 'leave' : 'remove', channelId: id, userId, actorId: me.id }, 'member left');
    await publishMembership(deps, id, [change.entry], [userId]);
    return c.body(null, 204);
  });
}

/** The `create` and `join` entries a new channel starts with. */
async function creationEntries(deps: ResolvedDeps, channelId: string) {
  const { messages } = await deps.store.listMessages(channelId, { after: 0, limit: 200, minSeq: 0 });
  return messages;
}
