// Key transparency (DESIGN §7.5) against a real relay that lies: its database edited behind its
// back, its answers rewritten by a fetch wrapper, driven by the project's own protocol client and
// auditor. Each attack must be refused or raise an alarm.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  bundleToWire,
  generateIdentity,
  type IdentityKeys,
  ktHeadFromWire,
  ktHeadHash,
  ktHeadToWire,
  makeBundle,
  ready,
  signKtHead,
} from '@parley/crypto-core';
import type { KtHeadResponse, KtHeadsResponse, KtLookupResponse } from '@parley/server/protocol';
import { Api, auditKeyLog, KeyChangeBlockedError, type ParleyClient } from '@parley/web/client';
import _sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../support/assert';
import { registerFast } from '../support/fast-register';
import { REPO_ROOT, type Relay, startRelay } from '../support/relay';
import { openRelayDb, type RelayDb } from '../support/relay-db';
import { tampering } from '../support/traffic';
import { makeUser, newClient, type TestUser, waitFor } from '../support/users';

const EPOCH_MS = 100;
let relay: Relay;
let db: RelayDb;
const clients: ParleyClient[] = [];

beforeAll(async () => {
  await ready();
  await _sodium.ready;
  relay = await startRelay({ name: 'kt', env: { KT_EPOCH_MS: String(EPOCH_MS) } });
  db = openRelayDb(relay);
});
afterAll(async () => {
  for (const c of clients) c.lock();
  db?.close();
  await relay?.dispose();
});

async function user(name: string): Promise<TestUser> {
  const u = await makeUser(relay, name);
  clients.push(u.client);
  return u;
}

/** Another browser of an existing user (fresh state), optionally behind a lying relay. */
async function login(u: TestUser, opts: Parameters<typeof newClient>[1] = {}): Promise<ParleyClient> {
  const c = newClient(relay, opts);
  clients.push(c.client);
  await c.client.login({ username: u.username, password: u.password });
  return c.client;
}

const newestEpoch = async () =>
  (await db.rows<{ e: number | null }>('SELECT max(epoch) AS e FROM kt_heads'))[0]?.e ?? -1;

/** Waits until every binding written so far is published in an epoch. */
async function published(): Promise<number> {
  await waitFor(
    async () =>
      (await db.rows<{ n: number }>('SELECT count(*) AS n FROM kt_bindings WHERE epoch IS NULL'))[0]?.n === 0,
    'the key log to publish what waits',
  );
  return newestEpoch();
}

function forgedBundle(keys: IdentityKeys = generateIdentity()) {
  return bundleToWire(makeBundle(keys));
}

/** Writes a binding straight into the key log, as a server rewriting its map would. */
async function forgeBinding(u: TestUser, version: number, bundle: ReturnType<typeof forgedBundle>) {
  const b = (s: string) => Buffer.from(s, 'base64url');
  await db.run(
    'INSERT INTO kt_bindings (user_id, version, username, identity_key, enc_key, enc_key_sig, epoch) VALUES (?, ?, ?, ?, ?, ?, NULL)',
    [u.id, version, u.username, b(bundle.identityKey), b(bundle.encKey), b(bundle.encKeySig)],
  );
}

const setBundle = (u: TestUser, bundle: ReturnType<typeof forgedBundle>) =>
  db.run('UPDATE users SET bundle = ? WHERE id = ?', [JSON.stringify(bundle), u.id]);

describe('key transparency', () => {
  it('publishes every new account, and each client checks its own key and its contacts’', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const epoch = await published();
    const a = await login(alice);
    const dm = await a.openDm(bob.id);
    await a.send(dm.id, 'checked against the key log');
    expect(await a.keyLogStatus(bob.id)).toEqual({ status: { version: 1, epoch }, epoch });
    expect(a.keyLogAlarm).toBeNull();
    expect(a.contacts.pins.kt).toMatchObject({ epoch, ownVersion: 1 });
  });

  it('refuses a key swapped in the directory that the key log does not publish', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    await published();
    await setBundle(bob, forgedBundle());
    const a = await login(alice);
    const dm = await a.openDm(bob.id);
    await expect(a.send(dm.id, 'to whoever holds that key')).rejects.toBeInstanceOf(KeyChangeBlockedError);
    expect(a.contacts.peek(bob.id)?.keyProblem).toMatch(/key log publishes another key/);
    expect(
      await db.rows('SELECT 1 FROM sender_key_shares WHERE channel_id = ? AND recipient_id = ?', [
        dm.id,
        bob.id,
      ]),
    ).toEqual([]);
  });

  it('raises Bob’s own alarm when the server rewrites the map to publish another key for him', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    await published();
    const real = JSON.parse(
      must((await db.rows<{ bundle: string }>('SELECT bundle FROM users WHERE id = ?', [bob.id]))[0], 'bob')
        .bundle,
    );
    const forged = forgedBundle();
    await setBundle(bob, forged);
    await forgeBinding(bob, 2, forged);
    await published();
    // Alice is shown the forged key, and the map backs it: she accepts it.
    const a = await login(alice);
    expect(await a.contacts.checkKeyLog(bob.id, { wait: true })).toBeNull();
    expect(a.contacts.keyLogStatus(bob.id)?.version).toBe(2);
    // Bob is shown his real bundle again, but his entry in the map is not his.
    await setBundle(bob, real);
    const b = await login(bob);
    expect(b.keyLogAlarm).toMatch(/published a different key for you/);
  });

  it('raises Bob’s alarm when his key was changed and changed back: his version grew twice', async () => {
    const bob = await user('bob');
    await published();
    const real = JSON.parse(
      must((await db.rows<{ bundle: string }>('SELECT bundle FROM users WHERE id = ?', [bob.id]))[0], 'bob')
        .bundle,
    );
    await forgeBinding(bob, 2, forgedBundle());
    await published();
    await forgeBinding(bob, 3, real);
    await published();
    const b = await login(bob);
    expect(b.keyLogAlarm).toMatch(/version 3 .*changed and changed back/);
  });

  it('does not let the server answer a lookup under an old head: changed and changed back, shown as before', async () => {
    const erin = await user('erin');
    const before = await published();
    const real = JSON.parse(
      must((await db.rows<{ bundle: string }>('SELECT bundle FROM users WHERE id = ?', [erin.id]))[0], 'erin')
        .bundle,
    );
    await forgeBinding(erin, 2, forgedBundle());
    await published();
    await forgeBinding(erin, 3, real);
    await published();
    // Every lookup of Erin's own entry is answered from the epoch before the swap, on the real chain.
    const e = await login(erin, {
      wrapFetch: (f) => (input, init) => {
        const url = new URL(input);
        if (url.pathname === `/api/kt/lookup/${erin.id}`) url.searchParams.set('epoch', String(before));
        return f(url.toString(), init);
      },
    });
    expect(e.keyLogAlarm).not.toBeNull();
  });

  it('catches a head shown to Alice only, through the head Bob’s next message carries', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const epoch = await published();
    const logSk = logSecretKey(relay);
    const page = (await (
      await fetch(`${relay.url}/api/kt/heads?from=${epoch}&limit=1`)
    ).json()) as KtHeadsResponse;
    const latest = page.heads[0];
    const real = ktHeadFromWire(must(latest, 'the newest head'));
    // The fork: epoch + 1 with a root of the server's choosing, signed by the real log key.
    const fork = ktHeadToWire(
      signKtHead(
        { epoch: epoch + 1, root: randomBytes(32), prevHash: ktHeadHash(real), timeMs: Date.now() },
        logSk,
      ),
    );
    const a = await login(alice, {
      wrapFetch: (f) =>
        tampering(f, [
          { match: /^\/api\/kt\/head$/, rewrite: (b) => ({ ...(b as KtHeadResponse), head: fork }) },
          {
            match: /^\/api\/kt\/heads$/,
            rewrite: (b) => ({
              heads: [...(b as KtHeadsResponse).heads.filter((h) => h.epoch <= epoch), fork],
            }),
          },
        ]),
    });
    expect(a.keyLogAlarm).toBeNull();
    // Meanwhile the real log moves to epoch + 1, and Bob verifies that head.
    await user('carol');
    expect(await published()).toBe(epoch + 1);
    const b = await login(bob);
    const dm = await b.openDm(alice.id);
    await b.send(dm.id, 'my head is the real one');
    await a.refreshChannels();
    await a.loadNewer(dm.id);
    await expect.poll(() => a.alerts(dm.id).map((x) => x.kind)).toContain('kt-fork');
  });
});

describe('the relay’s log key', () => {
  it('remembers the log key across logins: a whole chain re-signed by another key raises the alarm', async () => {
    const dana = await user('dana');
    await published();
    // An honest login keeps the log key and head in the pins.
    const honest = await login(dana);
    await waitFor(() => honest.contacts.pins.kt, 'the key-log state in the pins');
    honest.lock();
    const real = (await (
      await fetch(`${relay.url}/api/kt/heads?from=0&limit=100`)
    ).json()) as KtHeadsResponse;
    // The server's own log, with the real roots, re-signed from epoch 0 by a key of its own.
    const other = _sodium.crypto_sign_keypair();
    const forged = new Map<number, ReturnType<typeof ktHeadToWire>>();
    let prev: Uint8Array | null = null;
    for (const wire of real.heads) {
      const h = ktHeadFromWire(wire);
      const head = signKtHead({ ...h, prevHash: prev ?? h.prevHash }, other.privateKey);
      forged.set(h.epoch, ktHeadToWire(head));
      prev = ktHeadHash(head);
    }
    const swap = (h: { epoch: number }) => must(forged.get(h.epoch), `forged head ${h.epoch}`);
    const d = await login(dana, {
      wrapFetch: (f) =>
        tampering(f, [
          {
            match: /^\/api\/kt\/head$/,
            rewrite: (b) => {
              const r = b as KtHeadResponse;
              return {
                head: r.head && swap(r.head),
                logKey: Buffer.from(other.publicKey).toString('base64url'),
              };
            },
          },
          {
            match: /^\/api\/kt\/heads$/,
            rewrite: (b) => ({ heads: (b as KtHeadsResponse).heads.map(swap) }),
          },
          {
            match: /^\/api\/kt\/lookup\//,
            rewrite: (b) => ({ ...(b as KtLookupResponse), head: swap((b as KtLookupResponse).head) }),
          },
        ]),
    });
    expect(d.keyLogAlarm).not.toBeNull();
  });

  it('refuses to start with a log key other than the one that signed the log, naming the fix', async () => {
    const r = await startRelay({ name: 'kt-key' });
    try {
      await registerFast(r, 'first');
      const rdb = openRelayDb(r);
      await waitFor(async () => (await rdb.rows('SELECT 1 FROM kt_heads')).length > 0, 'a first epoch');
      rdb.close();
      await r.stop();
      const file = join(r.dataDir, 'kt-log-key');
      const original = readFileSync(file, 'utf8');
      writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`);
      await expect(r.restart()).rejects.toThrow(
        /signed by another key .* every relay of a deployment must use the same key file/,
      );
      writeFileSync(file, original);
      await r.restart();
      expect(r.logs()).toContain('kt-log-key');
    } finally {
      await r.dispose();
    }
  });
});

describe('the key-log auditor', () => {
  let auditRelay: Relay;
  let auditDb: RelayDb;
  let api: Api;

  beforeAll(async () => {
    auditRelay = await startRelay({ name: 'kt-audit', env: { KT_EPOCH_MS: '50' } });
    auditDb = openRelayDb(auditRelay);
    api = new Api({ baseUrl: auditRelay.url, fetch: (input, init) => fetch(input, init) });
    for (let i = 0; i < 100; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => registerFast(auditRelay, `u${i + j}`)));
    }
    await waitFor(
      async () =>
        (await auditDb.rows<{ n: number }>('SELECT count(*) AS n FROM kt_bindings WHERE epoch IS NULL'))[0]
          ?.n === 0,
      'all 100 bindings published',
    );
  });
  afterAll(async () => {
    auditDb?.close();
    await auditRelay?.dispose();
  });

  it('passes on an honest relay after 100 registrations, from the command line too, and resumes from its state', async () => {
    const result = await auditKeyLog(api);
    expect(result.problems).toEqual([]);
    expect(result.users).toBe(100);
    const stateFile = join(mkdtempSync(join(tmpdir(), 'kt-audit-')), 'state.json');
    const run = () =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'web/cli/kt-audit.ts', auditRelay.url, '--state', stateFile],
        {
          cwd: REPO_ROOT,
        },
      );
    const first = await run();
    expect(first.stdout).toMatch(/^kt-audit: ok, epochs \d+ checked, users 100, head \d+ /m);
    await registerFast(auditRelay, 'late');
    await waitFor(async () => (await auditKeyLog(api)).users === 101, 'the late account published');
    const second = await run();
    expect(second.stdout).toMatch(/kt-audit: ok, epochs 1 checked \(since the saved state\), users 101/);
  });

  it('reports a chain served short of the relay’s own head', async () => {
    const short = new Api({
      baseUrl: auditRelay.url,
      fetch: tampering(
        (input, init) => fetch(input, init),
        [
          // Every page of heads loses its last two: the log looks shorter than the head says.
          {
            match: /^\/api\/kt\/heads$/,
            rewrite: (b) => ({ heads: (b as KtHeadsResponse).heads.slice(0, -2) }),
          },
        ],
      ),
    });
    const result = await auditKeyLog(short);
    expect(result.problems.join('\n')).toMatch(/not reached/);
  });

  it('reports an edited change list and a broken chain', async () => {
    await auditDb.run("UPDATE kt_bindings SET username = 'mallory' WHERE epoch = 1");
    const edited = await auditKeyLog(api);
    expect(edited.problems).toContainEqual('epoch 1: root does not match the published changes');
    // The server re-signs epoch 2 with another prevHash: a second history, validly signed.
    const [row] = await auditDb.rows<{ root: Uint8Array; time_ms: number }>(
      'SELECT root, time_ms FROM kt_heads WHERE epoch = 2',
    );
    const forked = signKtHead(
      {
        epoch: 2,
        root: new Uint8Array(must(row, 'epoch 2').root),
        prevHash: new Uint8Array(32),
        timeMs: row?.time_ms ?? 0,
      },
      logSecretKey(auditRelay),
    );
    await auditDb.run('UPDATE kt_heads SET prev_hash = ?, sig = ?, hash = ? WHERE epoch = 2', [
      Buffer.from(forked.prevHash),
      Buffer.from(forked.sig),
      Buffer.from(ktHeadHash(forked)),
    ]);
    const broken = await auditKeyLog(api);
    expect(broken.problems).toContainEqual('epoch 2: prevHash does not chain to epoch 1');
    expect(broken.problems).toContainEqual('epoch 3: prevHash does not chain to epoch 2');
    expect(broken.problems.some((p) => p.includes('bad signature'))).toBe(false);
  });
});

/** The relay's key-log signing key, read from its data directory (the server holds it). */
function logSecretKey(r: Relay): Uint8Array {
  const seed = Buffer.from(readFileSync(join(r.dataDir, 'kt-log-key'), 'utf8').trim(), 'base64url');
  return _sodium.crypto_sign_seed_keypair(seed).privateKey;
}
