import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryResponse, PublicUser } from '../../protocol';
import { createHarness, type Harness, uuid } from '../testing';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

describe('GET /api/users', () => {
  it('lists enabled users with their bundles', async () => {
    const alice = await h.register('alice');
    const bob = await h.register('bob');
    const carol = await h.register('carol');
    await h.store.setDisabled(carol.id, true);
    const res = await h.request('GET', '/api/users', { cookie: alice.cookie });
    expect(res.status).toBe(200);
    const { users } = DirectoryResponse.parse(await res.json());
    expect(users.map((u) => u.username).sort()).toEqual(['alice', 'bob']);
    expect(users.find((u) => u.id === bob.id)?.bundle).toEqual(bob.session.bundle);
    expect(JSON.stringify(users)).not.toMatch(/verifier|keyBlob|scrypt/);
  });

  it('requires a session', async () => {
    expect((await h.request('GET', '/api/users')).status).toBe(401);
  });
});

describe('GET /api/users/:id', () => {
  it('returns one user', async () => {
    const alice = await h.register('alice');
    const bob = await h.register('bob');
    const res = await h.request('GET', `/api/users/${bob.id}`, { cookie: alice.cookie });
    expect(PublicUser.parse(await res.json())).toMatchObject({ id: bob.id, username: 'bob' });
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const alice = await h.register('alice');
    expect((await h.request('GET', `/api/users/${uuid()}`, { cookie: alice.cookie })).status).toBe(404);
    expect((await h.request('GET', '/api/users/not-a-uuid', { cookie: alice.cookie })).status).toBe(400);
  });
});
