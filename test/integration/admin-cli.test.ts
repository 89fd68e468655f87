// The admin CLI as an operator runs it (a child process on the relay's own DATA_DIR and database),
// against relays that are running: accounts made through its links in the browser's protocol
// client, refusals of bad input, and what running relays learn of a disable with and without Redis.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloseCode, KdfResponse } from '@parley/server/protocol';
import { ApiError } from '@parley/web/client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, linkCode, runAdmin } from '../support/admin-cli';
import { dropDatabase, freshDatabaseUrl, mysqlUrlFromEnv } from '../support/mysql';
import { type Relay, startRelay } from '../support/relay';
import { newClient, uniqueName, waitFor } from '../support/users';
import { RawSocket, redisUrlFromEnv } from './realtime-support';

/** SESSION_RECHECK_MS in server/src/ws/context.ts: how often a relay re-reads a socket's session. */
const SESSION_RECHECK_MS = 60_000;

function freshDir(name: string): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), `parley-cli-${name}-`));
  return { dir, env: { DATA_DIR: dir, DATABASE_URL: join(dir, 'parley.db'), LOG_LEVEL: 'warn' } };
}

/** Runs the CLI for each case, a few processes at a time (the machine is shared). */
async function eachCase<C>(cases: C[], check: (c: C) => Promise<void>): Promise<void> {
  for (let i = 0; i < cases.length; i += 4) await Promise.all(cases.slice(i, i + 4).map(check));
}

function expectExit(result: CliResult, code: number, what: string) {
  expect(result.code, `${what}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(code);
}

/** Registers `username` through an invite link's code with the real protocol client. */
async function registerWith(relay: Relay, username: string, code?: string) {
  const { client, fetch } = newClient(relay);
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const { user } = await client.register({ username, password, ...(code ? { invite: code } : {}) });
  return { client, fetch, user, password };
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('admin CLI: bad input', () => {
  const { dir, env } = freshDir('input');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every command in help, also through npm run admin', async () => {
    const direct = await runAdmin(['help'], env);
    expectExit(direct, 0, 'help');
    for (const name of [
      'users',
      'create-user',
      'create-admin',
      'promote',
      'demote',
      'disable',
      'enable',
      'delete',
      'invite',
      'invites',
      'revoke-invite',
      'stats',
      'migrate',
      'rotate-secret',
      'key-log',
    ]) {
      expect(direct.stdout).toMatch(new RegExp(`^  ${name}( |$)`, 'm'));
    }
    const npm = await runAdmin(['help'], env, { viaNpm: true });
    expectExit(npm, 0, 'npm run admin -- help');
    expect(npm.stdout).toBe(direct.stdout);
  });

  it('refuses a bad command line with exit 2 and a precise message, before opening the database', async () => {
    const cases: [string[], RegExp][] = [
      [['bogus'], /unknown command "bogus"/],
      [['users', 'extra'], /unexpected argument "extra"/],
      [['users', '--nope'], /Unknown option '--nope'/],
      [['promote'], /missing argument/],
      [['promote', 'bad name'], /"bad name" is not a username/],
      [['disable', 'ab'], /"ab" is not a username/],
      [['create-admin', 'root', '--expires'], /argument missing/],
      [['create-admin', 'root', '--expires', '24'], /--expires 24: give a duration/],
      [['invite', '--uses', '0'], /--uses 0: give a whole number from 1 to 1000/],
      [['invite', '--uses', '1001'], /--uses 1001/],
      [['invite', '--uses', 'two'], /--uses two/],
      [['invite', '--expires', '1m'], /from 5m to 90d/],
      [['invite', '--expires', '91d'], /from 5m to 90d/],
      [['invite', '--origin', 'ftp://relay'], /--origin ftp:\/\/relay/],
      [['invite', '--label', ''], /--label: 1 to 64 characters/],
      [['revoke-invite', 'not-an-id'], /"not-an-id" is not an invite id/],
      [['migrate', 'now'], /unexpected argument "now"/],
    ];
    await eachCase(cases, async ([args, message]) => {
      const result = await runAdmin(args, env);
      expectExit(result, 2, args.join(' '));
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/usage: npm run admin -- |see: npm run admin -- help/);
      expect(result.stdout).toBe('');
    });
    expect(existsSync(join(dir, 'parley.db'))).toBe(false);
  });

  it('refuses a bad environment with exit 1, naming the variable', async () => {
    const result = await runAdmin(['users'], { ...env, REGISTRATION: 'sometimes' });
    expectExit(result, 1, 'bad REGISTRATION');
    expect(result.stderr).toContain('REGISTRATION');
  });

  it('refuses what it cannot carry out with exit 1, saying why', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['promote', 'nobody'], {}, /there is no user nobody/],
      [['delete', 'nobody'], {}, /cannot be undone: add --yes/],
      [['delete', 'nobody', '--yes'], {}, /there is no user nobody/],
      [['revoke-invite', '6f1c2a3e-0000-4000-8000-000000000000'], {}, /there is no invite/],
      [['rotate-secret'], { SERVER_SECRET: 'x'.repeat(40) }, /SERVER_SECRET is set in the environment/],
      [['key-log'], {}, /there is no key-log key at .* yet/],
    ];
    // One at a time: the first one opens (and migrates) the new database.
    for (const [args, extra, message] of cases) {
      const result = await runAdmin(args, { ...env, ...extra });
      expectExit(result, 1, args.join(' '));
      expect(result.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'server-secret'))).toBe(false);
  });
});

describe('admin CLI with a running relay (SQLite, REGISTRATION=closed, no Redis)', () => {
  const fresh = freshDir('closed');
  const dir = fresh.dir;
  // The CLI reads the relay's environment: the same REGISTRATION.
  const env = { ...fresh.env, REGISTRATION: 'closed' };
  let relay: Relay;
  const admin = (args: string[]) => runAdmin(args, env);

  beforeAll(async () => {
    // `migrate` before the first relay start, as a deployment of several relays does.
    const migrated = await admin(['migrate']);
    expectExit(migrated, 0, 'migrate');
    expect(migrated.stdout).toContain('Migrations applied: sqlite');
    relay = await startRelay({
      name: 'cli',
      env: { ...env, LOG_LEVEL: 'debug', HEARTBEAT_MS: '1000' },
    });
  });
  afterAll(async () => {
    await relay?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the first admin through a single-use link; the relay refuses anyone without one', async () => {
    const closed = await refusal(registerWith(relay, 'walkin'));
    expect(closed.code).toBe('registration_closed');

    const made = await admin(['create-admin', 'Root', '--origin', relay.url]);
    expectExit(made, 0, 'create-admin');
    const { link, code } = linkCode(made.stdout);
    expect(link).toBe(`${relay.url}/#/register?invite=${code}`);
    expect(made.stdout).toMatch(/admin, single use, expires .* UTC, in 1d/);

    const wrongName = await refusal(registerWith(relay, 'mallory', code));
    expect(wrongName.code).toBe('invite_invalid');
    const root = await registerWith(relay, 'root', code);
    expect(root.user.role).toBe('admin');
    const again = await refusal(registerWith(relay, 'root2', code));
    expect(again.details).toEqual({ reason: 'used_up' });
    // The code never reached the store: only its hash.
    for (const file of ['parley.db', 'parley.db-wal'].map((f) => join(dir, f)).filter(existsSync)) {
      expect(readFileSync(file).includes(Buffer.from(code)), file).toBe(false);
    }

    const taken = await admin(['create-user', 'root']);
    expectExit(taken, 1, 'create-user of a taken name');
    expect(taken.stderr).toMatch(/username root is taken/);

    // The panel cannot make invites when registration is closed.
    const panel = await refusal(root.client.api.adminCreateInvite({ maxUses: 1, expiresInSeconds: 3600 }));
    expect(panel.code).toBe('registration_closed');
    root.client.lock();
  });

  it('makes multi-use invites, lists them and revokes them', async () => {
    const made = await admin(['invite', '--uses', '2', '--label', 'book club', '--origin', relay.url]);
    expectExit(made, 0, 'invite');
    const { code } = linkCode(made.stdout);
    const a = await registerWith(relay, uniqueName('club'), code);
    const b = await registerWith(relay, uniqueName('club'), code);
    expect((await refusal(registerWith(relay, uniqueName('club'), code))).details).toEqual({
      reason: 'used_up',
    });
    a.client.lock();
    b.client.lock();

    const spare = linkCode((await admin(['invite', '--origin', relay.url])).stdout);
    const listed = await admin(['invites', '--json']);
    expectExit(listed, 0, 'invites --json');
    const invites = JSON.parse(listed.stdout) as {
      id: string;
      state: string;
      label: string | null;
      uses: number;
    }[];
    expect(invites.map((i) => [i.state, i.uses, i.label])).toEqual([
      ['active', 0, null],
      ['used_up', 2, 'book club'],
      ['used_up', 1, null],
    ]);
    expect(listed.stdout).not.toContain(code);
    const spareId = invites[0]?.id ?? '';
    expectExit(await admin(['revoke-invite', spareId]), 0, 'revoke-invite');
    expect((await refusal(registerWith(relay, uniqueName('late'), spare.code))).details).toEqual({
      reason: 'revoked',
    });
    const table = await admin(['invites']);
    expect(table.stdout).toMatch(/^REGISTRATION=closed$/m);
    expect(table.stdout).toMatch(new RegExp(`^${spareId}  revoked`, 'm'));
  });

  it('lists users, shows stats, promotes and demotes, and shows the key-log fingerprint', async () => {
    const bob = await registerWith(relay, 'bob', linkCode((await admin(['create-user', 'bob'])).stdout).code);
    const users = JSON.parse((await admin(['users', '--json'])).stdout) as {
      username: string;
      role: string;
    }[];
    expect(users.find((u) => u.username === 'root')?.role).toBe('admin');
    expect(users.find((u) => u.username === 'bob')?.role).toBe('user');
    expect((await admin(['users'])).stdout).toMatch(/^USERNAME +ROLE +STATUS/);

    const stats = JSON.parse((await admin(['stats', '--json'])).stdout) as Record<string, number>;
    expect(stats).toMatchObject({ users: users.length, disabledUsers: 0, invites: 4 });
    expect(stats.channels).toBeGreaterThanOrEqual(1);

    expectExit(await admin(['promote', 'BOB']), 0, 'promote');
    expect((await bob.client.api.me()).role).toBe('admin');
    expect((await admin(['promote', 'bob'])).stdout).toMatch(/already an admin; nothing to do/);
    expectExit(await admin(['demote', 'bob']), 0, 'demote');
    expect((await bob.client.api.me()).role).toBe('user');
    const last = await admin(['demote', 'root']);
    expectExit(last, 1, 'demote the only admin');
    expect(last.stderr).toMatch(/only active admin/);
    bob.client.lock();

    const keyLog = await admin(['key-log']);
    expectExit(keyLog, 0, 'key-log');
    const fingerprint = /"fingerprint":"([0-9a-f ]+)"/.exec(relay.logs())?.[1];
    expect(fingerprint).toBeTruthy();
    expect(keyLog.stdout).toContain(`Key log signing key: ${fingerprint}`);
  });

  it('disables without Redis: requests are refused at once, the socket closes at the next session check', async () => {
    const carol = await registerWith(
      relay,
      'carol',
      linkCode((await admin(['create-user', 'carol'])).stdout).code,
    );
    const socket = await RawSocket.open(relay.wsUrl, {
      cookie: carol.fetch.jar.header() as string,
      origin: relay.origin,
    });
    expect(await socket.request({ type: 'hello', since: {} })).toMatchObject({ type: 'ack' });
    try {
      const disabled = await admin(['disable', 'carol']);
      expectExit(disabled, 0, 'disable');
      const started = Date.now();
      expect(disabled.stdout).toMatch(/Not sent to running relays: REDIS_URL is not set/);
      expect(await refusal(carol.client.api.me())).toMatchObject({ status: 401 });
      // The relay did not hear of it: the socket is still open.
      expect(await socket.request({ type: 'ping' })).toMatchObject({ type: 'ack' });
      const closed = await socket.closed;
      expect(closed.code).toBe(CloseCode.sessionEnded);
      expect(Date.now() - started).toBeLessThan(SESSION_RECHECK_MS + 5_000);
      expect(
        (await refusal(newClient(relay).client.login({ username: 'carol', password: carol.password }))).code,
      ).toBe('account_disabled');

      expectExit(await admin(['enable', 'carol']), 0, 'enable');
      const back = newClient(relay).client;
      await back.login({ username: 'carol', password: carol.password });
      back.lock();

      const removed = await admin(['delete', 'carol', '--yes']);
      expectExit(removed, 0, 'delete');
      expect(
        (await refusal(newClient(relay).client.login({ username: 'carol', password: carol.password }))).code,
      ).toBe('invalid_credentials');
      expect((await admin(['users'])).stdout).not.toMatch(/^carol /m);
    } finally {
      socket.close();
      carol.client.lock();
    }
  });

  it('rotates the generated server secret: the fake salts change once the relay restarts, nothing else', async () => {
    const fake = async (username: string) =>
      KdfResponse.parse(await (await fetch(`${relay.url}/api/auth/kdf?username=${username}`)).json()).salt;
    const before = await fake('nobody-here');
    const real = await fake('root');
    const rotated = await admin(['rotate-secret']);
    expectExit(rotated, 0, 'rotate-secret');
    expect(rotated.stdout).toMatch(/fake salts for unknown usernames change; nothing else/);
    expect(await fake('nobody-here')).toBe(before);
    await relay.restart();
    expect(await fake('nobody-here')).not.toBe(before);
    expect(await fake('root')).toBe(real);
  });
});

describe('admin CLI with Redis', () => {
  const redisUrl = redisUrlFromEnv();
  const { dir, env } = freshDir('redis');
  const prefix = `parley-cli-${randomBytes(4).toString('hex')}:`;
  let relay: Relay;

  beforeAll(async () => {
    if (!redisUrl) return;
    relay = await startRelay({
      name: 'cli-redis',
      redisUrl,
      env: { ...env, REDIS_PREFIX: prefix, HEARTBEAT_MS: '600000' },
    });
  });
  afterAll(async () => {
    await relay?.dispose();
    rmSync(dir, { recursive: true, force: true });
    if (!redisUrl) return;
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it.runIf(redisUrl)(
    'tells running relays through Redis: a disabled account’s socket closes at once',
    async () => {
      const env2 = { ...env, REDIS_URL: redisUrl ?? '', REDIS_PREFIX: prefix };
      await registerWith(relay, 'first');
      const dave = await registerWith(relay, 'dave');
      const socket = await RawSocket.open(relay.wsUrl, {
        cookie: dave.fetch.jar.header() as string,
        origin: relay.origin,
      });
      expect(await socket.request({ type: 'hello', since: {} })).toMatchObject({ type: 'ack' });
      try {
        const disabled = await runAdmin(['disable', 'dave'], env2);
        expectExit(disabled, 0, 'disable with Redis');
        expect(disabled.stdout).toMatch(/Running relays were told through Redis/);
        const closed = await waitFor(
          () => Promise.race([socket.closed, new Promise<null>((r) => setTimeout(() => r(null), 50))]),
          'socket closed by the published event',
          { timeoutMs: 3_000 },
        );
        expect(closed.code).toBe(CloseCode.accountClosed);
      } finally {
        socket.close();
        dave.client.lock();
      }
    },
  );

  it.runIf(redisUrl)('still acts on the store when Redis cannot be reached, and says so', async () => {
    await registerWith(relay, 'erin');
    const result = await runAdmin(['disable', 'erin'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expectExit(result, 0, 'disable with Redis down');
    expect(result.stdout).toMatch(/Not sent to running relays: Redis at REDIS_URL could not be reached/);
    expect((await runAdmin(['users', '--json'], env)).stdout).toMatch(
      /"username": "erin",[^}]*"disabled": true/,
    );
  });
});

describe('admin CLI on MySQL', () => {
  const baseUrl = mysqlUrlFromEnv();
  const { dir, env } = freshDir('mysql');
  const db = baseUrl ? freshDatabaseUrl(baseUrl, 'parley_cli') : null;
  afterAll(async () => {
    if (db) await dropDatabase(db.url);
    rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(db)('migrates, makes links and lists them on the relay’s MySQL database', async () => {
    const mysqlEnv = { ...env, DATABASE_URL: db?.url ?? '' };
    const migrated = await runAdmin(['migrate'], mysqlEnv);
    expectExit(migrated, 0, 'migrate on MySQL');
    expect(migrated.stdout).toMatch(/Migrations applied: mysql database mysql:\/\/[^ @]+\/parley_cli_/);
    expect(migrated.stdout).not.toMatch(/root@/);
    const made = await runAdmin(['create-admin', 'root', '--origin', 'https://chat.example.org'], mysqlEnv);
    expectExit(made, 0, 'create-admin on MySQL');
    expect(linkCode(made.stdout).link).toMatch(/^https:\/\/chat\.example\.org\/#\/register\?invite=/);
    const invites = JSON.parse((await runAdmin(['invites', '--json'], mysqlEnv)).stdout) as {
      username: string;
    }[];
    expect(invites.map((i) => i.username)).toEqual(['root']);
    expectExit(await runAdmin(['promote', 'root'], mysqlEnv), 1, 'promote before the account exists');
    const stats = JSON.parse((await runAdmin(['stats', '--json'], mysqlEnv)).stdout) as Record<
      string,
      number
    >;
    expect(stats).toMatchObject({ users: 0, invites: 1 });
  });
});
