import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminUsersResponse, BROADCAST_CHANNEL_ID, ErrorBody, StatsResponse } from '../../protocol';
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
