import { afterEach, describe, expect, it } from 'vitest';
import { type InviteRequest, makeInvite } from '../../admin/invites';
import { silentLogger } from '../../log';
import { ErrorBody, RegistrationResponse, SessionResponse } from '../../protocol';
import { createHarness, type Harness, makeBundle, rand, storeSnapshot, TEST_KDF } from '../testing';

let h: Harness;
afterEach(async () => {
  await h.close();
});

async function errorOf(res: Response) {
  return ErrorBody.parse(await res.json()).error;
}

/** A valid register body (fresh keys) for `username`. */
function bodyFor(username: string, extra: Record<string, unknown> = {}) {
  return {
    username,
    salt: rand(16),
    kdf: TEST_KDF,
    authKey: rand(32),
    bundle: makeBundle(),
    keyBlob: rand(136),
    pins: rand(120),
    ...extra,
  };
}

const register = (username: string, invite?: string) =>
  h.request('POST', '/api/auth/register', {
    body: bodyFor(username, invite === undefined ? {} : { invite }),
  });

/** An invite made as the panel (or with `source: 'cli'`, the CLI) makes it; returns its code. */
async function inviteCode(request: Partial<InviteRequest> = {}): Promise<{ code: string; id: string }> {
  const { invite, code } = await makeInvite(
    h.store,
    silentLogger(),
    {
      source: 'panel',
      createdBy: null,
      label: null,
      username: null,
      role: 'user',
      maxUses: 1,
      expiresInSeconds: 3600,
      ...request,
    },
    h.clock.now,
  );
  return { code, id: invite.id };
}

async function expectRefused(res: Response, code: string, reason?: string) {
  expect(res.status).toBe(403);
  const error = await errorOf(res);
  expect(error.code).toBe(code);
  if (reason !== undefined) expect(error.details).toEqual({ reason });
  expect(res.headers.get('set-cookie')).toBeNull();
  return error;
}

describe('REGISTRATION modes without an invite', () => {
  it('open: registers as before', async () => {
    h = await createHarness({ env: { REGISTRATION: 'open' } });
    expect((await register('alice')).status).toBe(201);
  });

  it('invite: refuses a registration without a code with 403 invite_required and creates nothing', async () => {
    h = await createHarness({ env: { REGISTRATION: 'invite' } });
    const before = await storeSnapshot(h);
    await expectRefused(await register('alice'), 'invite_required');
    expect(await storeSnapshot(h)).toEqual(before);
  });

  it('closed: refuses a registration without a code with 403 registration_closed', async () => {
    h = await createHarness({ env: { REGISTRATION: 'closed' } });
    const error = await expectRefused(await register('alice'), 'registration_closed');
    expect(error.message).toMatch(/closed/);
    expect(await h.store.listUsers()).toEqual([]);
  });
});

describe('REGISTRATION=invite', () => {
  it('registers with a valid code and counts its use', async () => {
    h = await createHarness({ env: { REGISTRATION: 'invite' } });
    const { code, id } = await inviteCode({ maxUses: 2 });
    const res = await register('alice', code);
    expect(res.status).toBe(201);
    expect(SessionResponse.parse(await res.json()).user.username).toBe('alice');
    expect((await h.store.getInvite(id))?.uses).toBe(1);
  });

  it('refuses an unknown code with invite_invalid / unknown', async () => {
    h = await createHarness({ env: { REGISTRATION: 'invite' } });
    await inviteCode();
    await expectRefused(await register('alice', rand(16)), 'invite_invalid', 'unknown');
    expect(await h.store.listUsers()).toEqual([]);
  });

  it('refuses an expired code', async () => {
    h = await createHarness({ env: { REGISTRATION: 'invite' } });
    const { code, id } = await inviteCode({ expiresInSeconds: 600 });
    h.clock.now += 600_000;
    const error = await expectRefused(await register('alice', code), 'invite_invalid', 'expired');
    expect(error.message).toMatch(/expired/);
    expect((await h.store.getInvite(id))?.uses).toBe(0);
  });

  it('refuses a used-up code', async () => {
    h = await createHarness({ env: { REGISTRATION: 'invite' } });
    const { code } = await inviteCode({ maxUses: 2 });
    expect((await register('alice', code)).status).toBe(201);
    expect((await register('bob', code)).status).toBe(201);
    await expectRefused(await register('carol', code), 'invite_invalid', 'used_up');
    expect(await h.store.getUserByUsername('carol')).toBeNull();
  });

  it('refuses a revoked code', async () => {
    h = await createHarness({ env: { REGISTRATION: 'invite' } });
    const { code, id } = await inviteCode({ maxUses: 5 });
    await h.store.revokeInvite(id);
    await expectRefused(await register('alice', code), 'invite_invalid', 'revoked');
  });

  it('does not spend a use on a refused registration (username taken)', async () => {
    h = await createHarness({ env: { REGISTRATION: 'invite' } });
    const first = await inviteCode();
    expect((await register('alice', first.code)).status).toBe(201);
    const { code, id } = await inviteCode();
    expect((await register('ALICE', code)).status).toBe(409);
    expect((await h.store.getInvite(id))?.uses).toBe(0);
    expect((await register('bob', code)).status).toBe(201);
  });

  it('lets only the named username use an invite made for it, with its role', async () => {
    h = await createHarness({ env: { REGISTRATION: 'invite' } });
    expect((await register('first', (await inviteCode()).code)).status).toBe(201);
    const { code } = await inviteCode({ source: 'cli', username: 'Bob', role: 'admin' });
    await expectRefused(await register('mallory', code), 'invite_invalid', 'wrong_username');
    const res = await register('bob', code);
    expect(res.status).toBe(201);
    expect(SessionResponse.parse(await res.json()).user.role).toBe('admin');
  });

  it('lets exactly one of many concurrent registrations use a single-use code', async () => {
    h = await createHarness({ env: { REGISTRATION: 'invite' } });
    const { code, id } = await inviteCode();
    const names = Array.from({ length: 8 }, (_, i) => `racer${i}`);
    const answers = await Promise.all(names.map((name) => register(name, code)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 403, 403, 403, 403, 403, 403, 403]);
    for (const res of answers.filter((r) => r.status === 403)) {
      expect(await errorOf(res)).toMatchObject({ code: 'invite_invalid', details: { reason: 'used_up' } });
    }
    expect((await h.store.getInvite(id))?.uses).toBe(1);
    expect(await h.store.listUsers()).toHaveLength(1);
  });

  it('refuses a malformed code with 400 before looking it up', async () => {
    h = await createHarness({ env: { REGISTRATION: 'invite' } });
    for (const bad of ['short', `${rand(16)}=`, rand(32), 42]) {
      const res = await h.request('POST', '/api/auth/register', { body: bodyFor('alice', { invite: bad }) });
      expect(res.status).toBe(400);
      expect(JSON.stringify((await errorOf(res)).details)).toContain('invite');
    }
  });
});

describe('REGISTRATION=closed', () => {
  it('accepts an invite made with the admin CLI', async () => {
    h = await createHarness({ env: { REGISTRATION: 'closed' } });
    const { code } = await inviteCode({ source: 'cli', username: 'root', role: 'admin' });
    const res = await register('root', code);
    expect(res.status).toBe(201);
    expect(SessionResponse.parse(await res.json()).user.role).toBe('admin');
  });

  it('refuses an invite made in the panel, even an active one', async () => {
    h = await createHarness({ env: { REGISTRATION: 'closed' } });
    const { code, id } = await inviteCode({ maxUses: 10 });
    const error = await expectRefused(await register('alice', code), 'registration_closed');
    expect(error.message).toMatch(/admin CLI/);
    expect((await h.store.getInvite(id))?.uses).toBe(0);
  });

  it('refuses the panel making invites', async () => {
    h = await createHarness({ env: { REGISTRATION: 'closed' } });
    const { code } = await inviteCode({ source: 'cli' });
    const admin = await h.register('alice', { invite: code });
    const res = await h.request('POST', '/api/admin/invites', {
      cookie: admin.cookie,
      body: { maxUses: 1, expiresInSeconds: 3600 },
    });
    await expectRefused(res, 'registration_closed');
    expect(await h.store.listInvites()).toHaveLength(1);
  });
});

describe('REGISTRATION=open with a code', () => {
  it('uses a valid code (for its role) and refuses a bad one', async () => {
    h = await createHarness({ env: { REGISTRATION: 'open' } });
    expect((await register('first')).status).toBe(201);
    const { code } = await inviteCode({ source: 'cli', role: 'admin' });
    const res = await register('second', code);
    expect(SessionResponse.parse(await res.json()).user.role).toBe('admin');
    await expectRefused(await register('third', code), 'invite_invalid', 'used_up');
  });
});

describe('GET /api/auth/registration', () => {
  const info = async (query = '') => {
    const res = await h.request('GET', `/api/auth/registration${query}`);
    expect(res.status).toBe(200);
    return RegistrationResponse.parse(await res.json());
  };

  it('reports the mode, and nothing about invites unless asked', async () => {
    for (const mode of ['open', 'invite', 'closed'] as const) {
      h = await createHarness({ env: { REGISTRATION: mode } });
      expect(await info()).toEqual({ mode, invite: null });
      await h.close();
    }
    h = await createHarness();
    expect((await info()).mode).toBe('open');
  });

  it('says what a code is worth without using it', async () => {
    h = await createHarness({ env: { REGISTRATION: 'invite' } });
    const { code, id } = await inviteCode({ source: 'cli', username: 'bob', role: 'admin' });
    expect(await info(`?invite=${code}`)).toEqual({
      mode: 'invite',
      invite: { status: 'valid', username: 'bob', role: 'admin', expiresAt: h.clock.now + 3_600_000 },
    });
    expect((await h.store.getInvite(id))?.uses).toBe(0);
    expect((await info(`?invite=${rand(16)}`)).invite).toEqual({
      status: 'unknown',
      username: null,
      role: null,
      expiresAt: null,
    });
    await h.store.revokeInvite(id);
    expect((await info(`?invite=${code}`)).invite?.status).toBe('revoked');
  });

  it('reports a panel invite as not accepted under REGISTRATION=closed', async () => {
    h = await createHarness({ env: { REGISTRATION: 'closed' } });
    const { code } = await inviteCode();
    expect((await info(`?invite=${code}`)).invite?.status).toBe('not_accepted');
  });

  it('refuses a malformed code or an unknown query field', async () => {
    h = await createHarness();
    for (const q of ['?invite=nope', '?mode=open']) {
      expect((await h.request('GET', `/api/auth/registration${q}`)).status).toBe(400);
    }
  });
});
