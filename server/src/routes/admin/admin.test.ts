import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AdminInvitesResponse,
  AdminUsersResponse,
  BROADCAST_CHANNEL_ID,
  CreateInviteResponse,
  ErrorBody,
  RegistrationResponse,
  StatsResponse,
} from '../../protocol';
import { createHarness, type Harness, storeSnapshot, type TestUser, uuid } from '../testing';

let h: Harness;
let admin: TestUser;
let bob: TestUser;
beforeEach(async () => {
  h = await createHarness({ deps: { connectedSockets: () => 3 } });
  admin = await h.register('alice');
  bob = await h.register('bob');
});
afterEach(async () => {
  await h.close();
});

describe('admin guard', () => {
  it('refuses every admin route to a plain user with 403 and to a stranger with 401', async () => {
    const routes: [string, string][] = [
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/stats'],
      ['POST', `/api/admin/users/${admin.id}/disable`],
      ['POST', `/api/admin/users/${admin.id}/enable`],
      ['DELETE', `/api/admin/users/${admin.id}`],
      ['GET', '/api/admin/invites'],
      ['POST', '/api/admin/invites'],
      ['POST', `/api/admin/invites/${uuid()}/revoke`],
    ];
    const before = await storeSnapshot(h);
    for (const [method, path] of routes) {
      const res = await h.request(method, path, { cookie: bob.cookie });
      expect(res.status).toBe(403);
      expect(ErrorBody.parse(await res.json()).error.code).toBe('forbidden');
      expect((await h.request(method, path)).status).toBe(401);
    }
    expect(await storeSnapshot(h)).toEqual(before);
  });
});

describe('GET /api/admin/users', () => {
  it('lists users with metadata and nothing secret', async () => {
    const res = await h.request('GET', '/api/admin/users', { cookie: admin.cookie });
    expect(res.status).toBe(200);
    const { users } = AdminUsersResponse.parse(await res.json());
    expect(users.map((u) => [u.username, u.role, u.disabled, u.messageCount])).toEqual(
      expect.arrayContaining([
        ['alice', 'admin', false, 0],
        ['bob', 'user', false, 0],
      ]),
    );
    expect(JSON.stringify(users)).not.toMatch(/verifier|keyBlob|bundle/);
  });
});

describe('disable and enable', () => {
  it('disabling ends the user’s sessions, closes their sockets and blocks login', async () => {
    const res = await h.request('POST', `/api/admin/users/${bob.id}/disable`, { cookie: admin.cookie });
    expect(res.status).toBe(204);
    expect(h.events).toContainEqual({ type: 'user-closed', userId: bob.id });
    expect((await h.request('GET', '/api/me', { cookie: bob.cookie })).status).toBe(401);
    expect((await h.login('bob', bob.authKey)).status).toBe(403);
    const enabled = await h.request('POST', `/api/admin/users/${bob.id}/enable`, { cookie: admin.cookie });
    expect(enabled.status).toBe(204);
    expect((await h.login('bob', bob.authKey)).status).toBe(200);
  });

  it('refuses to act on yourself or an unknown user', async () => {
    const self = await h.request('POST', `/api/admin/users/${admin.id}/disable`, { cookie: admin.cookie });
    expect(self.status).toBe(400);
    expect(
      (await h.request('POST', `/api/admin/users/${uuid()}/disable`, { cookie: admin.cookie })).status,
    ).toBe(404);
    expect((await h.request('POST', '/api/admin/users/nope/disable', { cookie: admin.cookie })).status).toBe(
      400,
    );
  });
});

describe('DELETE /api/admin/users/:id', () => {
  it('deletes the account, its sessions and memberships', async () => {
    const res = await h.request('DELETE', `/api/admin/users/${bob.id}`, { cookie: admin.cookie });
    expect(res.status).toBe(204);
    expect(await h.store.getUserById(bob.id)).toBeNull();
    expect(await h.store.getMember(BROADCAST_CHANNEL_ID, bob.id)).toBeNull();
    expect((await h.request('GET', '/api/me', { cookie: bob.cookie })).status).toBe(401);
    expect(h.events).toContainEqual({ type: 'user-closed', userId: bob.id });
    expect(h.events.at(-1)).toMatchObject({ type: 'membership', channelId: BROADCAST_CHANNEL_ID });
  });

  it('refuses to delete yourself', async () => {
    const res = await h.request('DELETE', `/api/admin/users/${admin.id}`, { cookie: admin.cookie });
    expect(res.status).toBe(400);
    expect(await h.store.getUserById(admin.id)).not.toBeNull();
  });
});

describe('GET /api/admin/stats', () => {
  it('reports counts, sessions, connected sockets and uptime', async () => {
    h.clock.now += 5_000;
    const res = await h.request('GET', '/api/admin/stats', { cookie: admin.cookie });
    const stats = StatsResponse.parse(await res.json());
    expect(stats).toMatchObject({ users: 2, disabledUsers: 0, connectedSockets: 3, uptimeSeconds: 5 });
    expect(stats.activeSessions).toBe(2);
    expect(stats.channels).toBeGreaterThanOrEqual(1);
  });
});

describe('invites', () => {
  const create = (body: unknown) => h.request('POST', '/api/admin/invites', { cookie: admin.cookie, body });
  const list = async () => {
    const res = await h.request('GET', '/api/admin/invites', { cookie: admin.cookie });
    expect(res.status).toBe(200);
    return AdminInvitesResponse.parse(await res.json());
  };

  it('creates an invite whose code is answered once and never listed', async () => {
    const res = await create({ maxUses: 5, expiresInSeconds: 86_400, label: ' Book club ' });
    expect(res.status).toBe(201);
    const { invite, code } = CreateInviteResponse.parse(await res.json());
    expect(invite).toMatchObject({
      source: 'panel',
      createdBy: 'alice',
      label: 'Book club',
      username: null,
      role: 'user',
      maxUses: 5,
      uses: 0,
      expiresAt: h.clock.now + 86_400_000,
      state: 'active',
    });
    const listed = await list();
    expect(listed).toEqual({ mode: 'open', invites: [invite] });
    const stored = await h.store.getInvite(invite.id);
    expect(JSON.stringify(listed)).not.toContain(code);
    expect(JSON.stringify(listed)).not.toContain(stored?.codeHash);
    expect(JSON.stringify(stored)).not.toContain(code);
    const info = await h.request('GET', `/api/auth/registration?invite=${code}`);
    expect(RegistrationResponse.parse(await info.json()).invite?.status).toBe('valid');
  });

  it('revokes an invite, which then lists as revoked', async () => {
    const { invite } = CreateInviteResponse.parse(
      await (await create({ maxUses: 1, expiresInSeconds: 3600 })).json(),
    );
    const res = await h.request('POST', `/api/admin/invites/${invite.id}/revoke`, { cookie: admin.cookie });
    expect(res.status).toBe(204);
    expect((await list()).invites[0]?.state).toBe('revoked');
    const unknown = await h.request('POST', `/api/admin/invites/${uuid()}/revoke`, { cookie: admin.cookie });
    expect(unknown.status).toBe(404);
  });

  it('lists expired and used-up invites as such', async () => {
    const made = CreateInviteResponse.parse(
      await (await create({ maxUses: 1, expiresInSeconds: 600 })).json(),
    );
    expect((await h.register('carol', { invite: made.code })).username).toBe('carol');
    h.clock.now += 1_000;
    await create({ maxUses: 1, expiresInSeconds: 300 });
    h.clock.now += 300_000;
    expect((await list()).invites.map((i) => i.state)).toEqual(['expired', 'used_up']);
  });

  it('refuses bad invite bodies with 400', async () => {
    for (const body of [
      {},
      { maxUses: 0, expiresInSeconds: 3600 },
      { maxUses: 1001, expiresInSeconds: 3600 },
      { maxUses: 1, expiresInSeconds: 60 },
      { maxUses: 1, expiresInSeconds: 91 * 86_400 },
      { maxUses: 1.5, expiresInSeconds: 3600 },
      { maxUses: 1, expiresInSeconds: 3600, label: '' },
      { maxUses: 1, expiresInSeconds: 3600, role: 'admin' },
      { maxUses: 1, expiresInSeconds: 3600, username: 'bob' },
    ]) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await h.store.listInvites()).toEqual([]);
    const bad = await h.request('POST', '/api/admin/invites/nope/revoke', { cookie: admin.cookie });
    expect(bad.status).toBe(400);
  });
});
