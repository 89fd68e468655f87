// Accounts through the protocol client against a real relay: the password never leaves the client,
// keys unlock only locally, and password change and recovery keep the same identity.
import { CloseCode } from '@parley/server/protocol';
import { ApiError, createClient, TrustError } from '@parley/web/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../support/assert';
import { cookieFetch } from '../support/cookie-fetch';
import { type Relay, startRelay } from '../support/relay';
import { type Recorded, recording } from '../support/traffic';
import { connected, loginAgain, makeUser, newClient, type TestUser, texts } from '../support/users';
import { RawSocket } from './realtime-support';

const HEARTBEAT_MS = 600_000;
/** "At once": well under the heartbeat, with room for a loaded CI machine. */
const AT_ONCE_MS = 3_000;

/** `p`, or a rejection naming `what` if it takes longer than `ms`. */
function within<T>(p: Promise<T>, what: string, ms = AT_ONCE_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe('accounts', () => {
  let relay: Relay;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    // A slow heartbeat: a socket closed within the test's short wait was closed by the event, not
    // by the periodic session re-check.
    relay = await startRelay({ name: 'accounts', env: { HEARTBEAT_MS: String(HEARTBEAT_MS) } });
    alice = await makeUser(relay, 'alice', { withRecovery: true });
    bob = await makeUser(relay, 'bob');
  });
  afterAll(async () => {
    alice?.client.lock();
    bob?.client.lock();
    await relay?.dispose();
  });

  it('never sends the password, and reports the slow steps', async () => {
    const log: Recorded[] = [];
    const { client } = newClient(relay, { wrapFetch: (f) => recording(f, log) });
    const steps: string[] = [];
    await client.login({
      username: alice.username,
      password: alice.password,
      onProgress: (s) => steps.push(s),
    });
    expect(steps).toContain('derive');
    expect(steps.at(-1)).toBe('done');
    expect(JSON.stringify(log)).not.toContain(alice.password);
    expect(log.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toContain('POST /api/auth/login');
    expect(client.session.identity.signPk).toEqual(alice.client.session.identity.signPk);
    client.lock();
  });

  it('refuses a wrong password exactly like an unknown user', async () => {
    const wrong = await newClient(relay)
      .client.login({ username: alice.username, password: 'not the password' })
      .catch((e: unknown) => e);
    const unknown = await newClient(relay)
      .client.login({ username: 'nobody-here', password: 'whatever' })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ApiError);
    expect(unknown).toBeInstanceOf(ApiError);
    expect({ ...(wrong as ApiError), message: (wrong as ApiError).message }).toEqual({
      ...(unknown as ApiError),
      message: (unknown as ApiError).message,
    });
    expect(wrong).toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  it('refuses a taken username', async () => {
    const err = await newClient(relay)
      .client.register({ username: alice.username.toUpperCase(), password: 'x-password-1' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 409, code: 'username_taken' });
  });

  it('changes the password: same keys, other sessions ended, old password refused', async () => {
    const dm = await alice.client.openDm(bob.id);
    await bob.client.send(dm.id, 'before the password change');
    const other = await loginAgain(relay, alice);
    const newPassword = `${alice.password}-new`;
    await alice.client.changePassword({ oldPassword: alice.password, newPassword });

    const ended = await other.client.api.me().catch((e: unknown) => e);
    expect(ended).toMatchObject({ status: 401 });
    await expect(alice.client.api.me()).resolves.toMatchObject({ id: alice.id });

    const old = await newClient(relay)
      .client.login({ username: alice.username, password: alice.password })
      .catch((e: unknown) => e);
    expect(old).toMatchObject({ code: 'invalid_credentials' });

    const fresh = await loginAgain(relay, { username: alice.username, password: newPassword });
    expect(fresh.client.session.identity.signPk).toEqual(alice.client.session.identity.signPk);
    await fresh.client.loadNewer(dm.id);
    expect(texts(fresh.client, dm.id)).toContain('before the password change');
    alice.password = newPassword;
    fresh.client.lock();
    other.client.lock();
  });

  it('recovers with the recovery code: new password, same identity, history readable', async () => {
    expect(alice.recoveryCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){13}$/);
    const dm = await alice.client.openDm(bob.id);
    const { client } = newClient(relay);
    const newPassword = 'recovered-password-42';
    await client.recoverWithCode({
      username: alice.username,
      code: must(alice.recoveryCode, 'a recovery code'),
      newPassword,
    });
    expect(client.session.identity.signPk).toEqual(alice.client.session.identity.signPk);
    await client.loadNewer(dm.id);
    expect(texts(client, dm.id)).toContain('before the password change');
    client.lock();
    const again = await loginAgain(relay, { username: alice.username, password: newPassword });
    expect(again.client.user?.id).toBe(alice.id);
    again.client.lock();
    alice.password = newPassword;
  });

  it('refuses a mistyped recovery code locally, before asking the relay', async () => {
    const log: Recorded[] = [];
    const { client } = newClient(relay, { wrapFetch: (f) => recording(f, log) });
    const code = must(alice.recoveryCode, 'a recovery code');
    const typo = `${code.slice(0, -1)}${code.endsWith('0') ? '1' : '0'}`;
    await expect(
      client.recoverWithCode({ username: alice.username, code: typo, newPassword: 'x-y-z-1234' }),
    ).rejects.toThrow(/checksum/);
    expect(log).toEqual([]);
  });

  it('sets a new recovery key for a user who had none', async () => {
    const code = await bob.client.setRecovery();
    const { client } = newClient(relay);
    await client.recoverWithCode({ username: bob.username, code, newPassword: 'bob-recovered-1' });
    expect(client.session.identity.signPk).toEqual(bob.client.session.identity.signPk);
    client.lock();
  });

  it("resumes a live session with keys the app kept, and refuses keys that are not the account's", async () => {
    const tab = await loginAgain(relay, alice);
    const kept = tab.client.session.identity;
    const reloaded = createClient({ baseUrl: relay.url, fetch: cookieFetch(relay.origin, tab.fetch.jar) });
    await expect(reloaded.resume(kept)).resolves.toMatchObject({ id: alice.id });
    const stranger = createClient({ baseUrl: relay.url, fetch: cookieFetch(relay.origin, tab.fetch.jar) });
    await expect(stranger.resume(bob.client.session.identity)).rejects.toBeInstanceOf(TrustError);
    reloaded.lock();
    tab.client.lock();
  });

  it('reports the session as ended when an admin disables the account', async () => {
    const admin = (await loginAgain(relay, alice)).client;
    expect(admin.user?.role).toBe('admin');
    const carol = await makeUser(relay, 'carol');
    await connected(carol);
    const ended = new Promise<string>((resolve) =>
      carol.client.events.on('sessionEnded', (e) => resolve(e.reason)),
    );
    await admin.api.adminSetDisabled(carol.id, true);
    await expect(ended).resolves.toBeTypeOf('string');
    expect(carol.client.socket).toBeNull();
    const listed = (await admin.api.adminUsers()).find((u) => u.id === carol.id);
    expect(listed).toMatchObject({ disabled: true });
    carol.client.lock();
    admin.lock();
  });

  it('logs out: the cookie stops working and the keys are gone from the client', async () => {
    const session = await loginAgain(relay, alice);
    await session.client.logout();
    expect(session.client.user).toBeNull();
    expect(() => session.client.session).toThrow(/locked/);
    const me = await session.client.api.me().catch((e: unknown) => e);
    expect(me).toMatchObject({ status: 401 });
  });

  describe('sockets of ended sessions', () => {
    /** A raw socket on a session cookie (another tab of that browser), hello acked. */
    const socketOf = async (cookie: string) => {
      const s = await RawSocket.open(relay.wsUrl, { cookie, origin: relay.origin });
      expect(await s.request({ type: 'hello', since: {} })).toMatchObject({ type: 'ack' });
      return s;
    };
    const stillOpen = async (s: RawSocket) => {
      expect(s.ws.readyState).toBe(s.ws.OPEN);
      expect(await s.request({ type: 'ping' })).toMatchObject({ type: 'ack' });
    };

    it("closes the logged-out session's sockets at once with 4001, and only that session's", async () => {
      const dan = await makeUser(relay, 'dan');
      const tab = await loginAgain(relay, dan);
      await connected(dan);
      const ended: string[] = [];
      dan.client.events.on('sessionEnded', (e) => ended.push(e.reason));
      const leaving = await socketOf(tab.fetch.jar.header() as string);
      const staying = await socketOf(dan.fetch.jar.header() as string);
      try {
        await tab.client.logout();
        expect((await within(leaving.closed, 'logged-out socket closed')).code).toBe(CloseCode.sessionEnded);
        // The other session of the same user keeps its sockets: the raw one and the client's.
        await new Promise((r) => setTimeout(r, 200));
        await stillOpen(staying);
        expect(dan.client.socket?.ready).toBe(true);
        expect(ended).toEqual([]);
      } finally {
        leaving.close();
        staying.close();
        dan.client.lock();
      }
    });

    it("closes every other session's sockets at once on a password change, and keeps the changer's", async () => {
      const erin = await makeUser(relay, 'erin');
      const other = await loginAgain(relay, erin);
      await Promise.all([connected(erin), connected(other)]);
      const ended = new Promise<string>((resolve) =>
        other.client.events.on('sessionEnded', (e) => resolve(e.reason)),
      );
      const otherTab = await socketOf(other.fetch.jar.header() as string);
      const ownTab = await socketOf(erin.fetch.jar.header() as string);
      try {
        await erin.client.changePassword({ oldPassword: erin.password, newPassword: `${erin.password}-2` });
        expect((await within(otherTab.closed, 'other session socket closed')).code).toBe(
          CloseCode.sessionEnded,
        );
        // The other browser's client learns it at once too, and stops.
        await within(ended, 'the other client reports its session ended');
        expect(other.client.socket).toBeNull();
        await new Promise((r) => setTimeout(r, 200));
        await stillOpen(ownTab);
        expect(erin.client.socket?.ready).toBe(true);
      } finally {
        otherTab.close();
        ownTab.close();
        erin.client.lock();
        other.client.lock();
      }
    });
  });
});
