// Trust on first use, safety numbers and key changes, with a relay that lies about a contact's
// identity key (the threat model's attacker): the change is reported, never silently accepted,
// and sending to a verified contact is blocked until re-verified.
import { bundleToWire, generateIdentity, makeBundle, ready, toBase64 } from '@parley/crypto-core';
import type { DirectoryResponse } from '@parley/server/protocol';
import { KeyChangeBlockedError, type KeyChangeEvent } from '@parley/web/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../support/assert';
import { type Relay, startRelay } from '../support/relay';
import { tampering } from '../support/traffic';
import { loginAgain, makeUser, type TestUser, texts } from '../support/users';

describe('contact trust', () => {
  let relay: Relay;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  /** Users whose directory entry the relay (as seen by Alice) replaces with a forged bundle. */
  const forged = new Map<string, ReturnType<typeof bundleToWire>>();
  const changes: KeyChangeEvent[] = [];
  const badBundles: string[] = [];

  beforeAll(async () => {
    await ready();
    relay = await startRelay({ name: 'trust' });
    const lie = (body: unknown) => {
      const dir = body as DirectoryResponse;
      return { users: dir.users.map((u) => (forged.has(u.id) ? { ...u, bundle: forged.get(u.id) } : u)) };
    };
    bob = await makeUser(relay, 'bob');
    carol = await makeUser(relay, 'carol');
    alice = await makeUser(relay, 'alice', {
      client: { wrapFetch: (f) => tampering(f, [{ match: /^\/api\/users$/, rewrite: lie }]) },
    });
    alice.client.events.on('keyChange', (e) => changes.push(e));
    alice.client.events.on('badBundle', (e) => badBundles.push(e.userId));
  });
  afterAll(async () => {
    for (const u of [alice, bob, carol]) u?.client.lock();
    await relay?.dispose();
  });

  it('pins contacts on first use and shows both sides the same safety number', async () => {
    const a = await alice.client.contacts.get(bob.id);
    expect(a.verified).toBe(false);
    expect(a.keyChanged).toBe(false);
    expect(a.identityKey).toEqual(bob.client.session.identity.signPk);
    const fromAlice = await alice.client.contacts.safetyNumber(bob.id);
    const fromBob = await bob.client.contacts.safetyNumber(alice.id);
    expect(fromAlice.digits).toMatch(/^\d{60}$/);
    expect(fromAlice.digits).toBe(fromBob.digits);
    expect(fromAlice.groups).toHaveLength(12);
    // Each side accepts the QR code shown on the other's screen, and not its own.
    expect(await alice.client.contacts.checkScannedQr(bob.id, fromBob.qr)).toBe(true);
    expect(await alice.client.contacts.checkScannedQr(bob.id, fromAlice.qr)).toBe(false);
  });

  it('keeps verified flags in the encrypted pins blob, which follows the user to another browser', async () => {
    await alice.client.contacts.markVerified(bob.id);
    const laptop = await loginAgain(relay, alice);
    try {
      expect(laptop.client.contacts.peek(bob.id)?.verified).toBe(true);
      expect(laptop.client.contacts.peek(carol.id)?.verified).toBe(false);
    } finally {
      laptop.client.lock();
    }
  });

  it('fails closed on a pins blob rolled back to an older version, until the user re-verifies', async () => {
    const old = await alice.client.api.getPins();
    await alice.client.contacts.markVerified(carol.id);
    await alice.client.contacts.markVerified(carol.id, false);
    // The relay serves the old blob again.
    await alice.client.api.putPins(must(old, 'a pins blob'));
    await alice.client.contacts.pins.load();
    expect(alice.client.trustUnknown).toMatch(/older copy/);
    expect(alice.client.contacts.peek(bob.id)).toMatchObject({ unpinned: true, verified: false });
    // Re-verifying Bob (safety numbers compared again) is one of the two ways out.
    await alice.client.contacts.markVerified(bob.id);
    expect(await alice.client.api.getPins()).toBe(old); // nothing uploaded meanwhile
    await alice.client.resolveTrust('reverified');
    expect(alice.client.trustUnknown).toBeNull();
    expect(alice.client.contacts.peek(bob.id)).toMatchObject({ unpinned: false, verified: true });
    expect(alice.client.contacts.peek(carol.id)).toMatchObject({ unpinned: false, verified: false });
  });

  it('reports a changed key of a verified contact and blocks sending until re-verified', async () => {
    const dm = await alice.client.openDm(bob.id);
    await alice.client.send(dm.id, 'before the change');
    const evilKeys = generateIdentity();
    const evil = makeBundle(evilKeys);
    forged.set(bob.id, bundleToWire(evil));
    await alice.client.contacts.refresh();

    expect(changes).toEqual([
      expect.objectContaining({ userId: bob.id, wasVerified: true, newKey: toBase64(evil.identityKey) }),
    ]);
    const c = must(alice.client.contacts.peek(bob.id), 'Bob as a contact');
    expect(c.keyChanged).toBe(true);
    // The old key stays in force until the change is acknowledged.
    expect(c.identityKey).toEqual(bob.client.session.identity.signPk);
    await expect(alice.client.send(dm.id, 'blocked')).rejects.toBeInstanceOf(KeyChangeBlockedError);

    await alice.client.contacts.acknowledgeKeyChange(bob.id);
    expect(alice.client.contacts.peek(bob.id)).toMatchObject({
      keyChanged: false,
      mustReverify: true,
      verified: false,
    });
    await expect(alice.client.send(dm.id, 'still blocked')).rejects.toBeInstanceOf(KeyChangeBlockedError);

    const safety = await alice.client.contacts.safetyNumber(bob.id);
    const real = await bob.client.contacts.safetyNumber(alice.id);
    expect(safety.digits).not.toBe(real.digits);
    await alice.client.contacts.markVerified(bob.id);
    // Verified or not, the forged key is not the one the relay's key log publishes for Bob
    // (DESIGN §7.5): sending stays blocked, with the reason, and nothing is sealed to it.
    await expect(alice.client.send(dm.id, 'after re-verifying')).rejects.toBeInstanceOf(
      KeyChangeBlockedError,
    );
    expect(alice.client.contacts.peek(bob.id)?.keyProblem).toMatch(/key log publishes another key/);
    const shares = await bob.client.api.shares(dm.id, { senderId: alice.id });
    expect(shares.map((x) => x.keyId)).toEqual([1]);
    await bob.client.loadNewer(dm.id);
    expect(texts(bob.client, dm.id)).toEqual(['before the change']);
    expect(changes).toHaveLength(1);
  });

  it('blocks an unverified contact with a changed key only until the change is acknowledged', async () => {
    const dm = await alice.client.openDm(carol.id);
    await alice.client.send(dm.id, 'hi carol');
    forged.set(carol.id, bundleToWire(makeBundle(generateIdentity())));
    await alice.client.contacts.refresh();
    expect(changes.at(-1)).toMatchObject({ userId: carol.id, wasVerified: false });
    await expect(alice.client.send(dm.id, 'blocked')).rejects.toBeInstanceOf(KeyChangeBlockedError);
    await alice.client.contacts.acknowledgeKeyChange(carol.id);
    expect(alice.client.contacts.peek(carol.id)).toMatchObject({ keyChanged: false, mustReverify: false });
    // Accepted, but not what the key log publishes for Carol: still blocked, with the reason.
    await expect(alice.client.send(dm.id, 'accepted')).rejects.toBeInstanceOf(KeyChangeBlockedError);
    expect(alice.client.contacts.peek(carol.id)?.keyProblem).toMatch(/key log/);
  });

  it('reports messages signed by a key other than the pinned one as undecryptable, not dropped', async () => {
    // Bob (real key) writes in the DM; Alice now has the forged key in force for him.
    const dm = await bob.client.openDm(alice.id);
    const sent = await bob.client.send(dm.id, 'from the real Bob');
    await alice.client.loadNewer(dm.id);
    const view = alice.client.timeline(dm.id).find((m) => m.seq === sent.seq);
    expect(view).toMatchObject({ status: 'undecryptable' });
    expect(view?.error).toMatch(/signature/i);
  });

  it('ignores a directory entry whose bundle signature is bad, and never pins it', async () => {
    const dave = await makeUser(relay, 'dave');
    try {
      const real = await alice.client.api.user(dave.id);
      forged.set(dave.id, { ...real.bundle, encKey: toBase64(generateIdentity().boxPk) });
      await alice.client.contacts.refresh();
      expect(badBundles).toContain(dave.id);
      expect(alice.client.contacts.peek(dave.id)).toBeUndefined();
      expect(alice.client.contacts.pins.get(dave.id)).toBeUndefined();
    } finally {
      dave.client.lock();
    }
  });
});
