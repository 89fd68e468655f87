// Contacts: the directory, with every bundle verified before use and identity keys pinned on first
// use (DESIGN §3 "Fingerprints and verification"). A changed identity key is never accepted
// silently: it is reported, and the old key stays in force until the app acknowledges the change;
// a verified contact whose key changed blocks sending until re-verified.
import {
  bundleFromWire,
  type ContactPin,
  compareQrPayload,
  constantTimeEqual,
  expectedQrPayload,
  fingerprintQrPayload,
  formatSafetyNumber,
  fromBase64,
  type PublicBundle,
  safetyNumber,
  toBase64,
} from '@parley/crypto-core';
import type { PublicUser } from '@parley/server/protocol';
import type { Session } from './account';
import type { Api } from './api';
import type { Emitter } from './emitter';
import { ApiError, TrustError } from './errors';
import type { KeyTransparency } from './kt';
import { PinStore } from './pins';

/** Waiting for a new contact to appear in the key log: rounds of this many ms (about 10 s in all). */
const KEY_LOG_WAIT_ROUNDS = 20;
const KEY_LOG_WAIT_MS = 500;

export interface Contact {
  id: string;
  username: string;
  displayName: string;
  avatarVersion: number | null;
  /** The identity key in force: the pinned one, or a change the app acknowledged. */
  identityKey: Uint8Array;
  /** Encryption key signed by `identityKey`, or null when the relay's bundle is not (sealing is refused). */
  encKey: Uint8Array | null;
  verified: boolean;
  /** The relay shows another identity key than the one in force; not yet acknowledged. */
  keyChanged: boolean;
  /** A verified contact whose key change was acknowledged: sending waits for re-verification. */
  mustReverify: boolean;
  /**
   * Trust is unknown (DESIGN §7.4): nothing is pinned, and `identityKey` is simply the one the
   * relay shows now, until the user re-verifies the contact or resets.
   */
  unpinned: boolean;
  /**
   * The key log disagrees with the key in force (DESIGN §7.5): why. Sending to the contact is
   * blocked, as for a key change, until the key in force is one the key log publishes.
   */
  keyProblem: string | null;
}

export interface KeyChangeEvent {
  userId: string;
  username: string;
  /** Base64url identity keys. */
  previousKey: string;
  newKey: string;
  wasVerified: boolean;
}

export interface ContactEvents extends Record<string, unknown> {
  keyChange: KeyChangeEvent;
  /** A directory entry whose bundle signature failed: ignored, never pinned. */
  badBundle: { userId: string; reason: string };
  contacts: Contact[];
  /** The key a contact's signatures are checked with changed by the user's decision (accepted, verified). */
  keyInForce: { userId: string };
  /** The key log does not back a contact's key (DESIGN §7.5). */
  keyProblem: { userId: string; reason: string };
}

/** A contact's key as the key log last confirmed it. */
export interface KeyLogStatus {
  version: number;
  epoch: number;
}

export interface SafetyNumber {
  /** 60 digits. */
  digits: string;
  /** 12 groups of 5 digits. */
  groups: string[];
  /** What this side's QR code shows. */
  qr: string;
}

interface Entry {
  user: PublicUser;
  /** The relay's current bundle, verified; null if its signature failed. */
  bundle: PublicBundle | null;
}

export class Contacts {
  readonly pins: PinStore;
  readonly #api: Api;
  readonly #session: Session;
  readonly #events: Emitter<ContactEvents>;
  readonly #entries = new Map<string, Entry>();
  /** Acknowledged new keys of verified contacts (in force for reading, not for sending). */
  readonly #acknowledged = new Map<string, string>();
  readonly #reported = new Set<string>();
  /** In trust unknown: contacts the user re-verified since, with the key they verified. */
  readonly #reverified = new Map<string, string>();
  #kt: KeyTransparency | null = null;
  readonly #ktProblems = new Map<string, string>();
  readonly #ktStatus = new Map<string, KeyLogStatus>();
  #refreshing: Promise<void> | null = null;
  readonly #now: () => number;

  constructor(
    api: Api,
    session: Session,
    events: Emitter<ContactEvents>,
    opts: { pinsVersion?: number; now?: () => number } = {},
  ) {
    this.#api = api;
    this.#session = session;
    this.#events = events;
    this.pins = new PinStore(api, session.identity, opts.pinsVersion ?? 0);
    this.#now = opts.now ?? Date.now;
  }

  get me(): string {
    return this.#session.user.id;
  }

  /** Why trust is unknown (the pins blob failed closed), or null. */
  get trustUnknown(): string | null {
    return this.pins.unknown;
  }

  /** Checks contacts' keys against this key log from now on. */
  useKeyLog(kt: KeyTransparency): void {
    this.#kt = kt;
  }

  /** The key log's last confirmation of a contact's key, if any. */
  keyLogStatus(userId: string): KeyLogStatus | undefined {
    return this.#ktStatus.get(userId);
  }

  /**
   * Checks the contact's key in force against the key log (DESIGN §7.5). A binding that differs,
   * a proof that fails or a version that went down is a key problem (blocked like a key change);
   * with `wait`, a contact not yet in the map is waited for, briefly, and one still missing after
   * that is refused for now (TrustError): a key the log does not back is never sealed to.
   * Returns the problem, if any.
   */
  async checkKeyLog(userId: string, opts: { wait?: boolean } = {}): Promise<string | null> {
    const kt = this.#kt;
    const entry = this.#entries.get(userId);
    const c = this.#contact(userId);
    if (!kt || !entry?.bundle || !c || userId === this.me) return this.#ktProblems.get(userId) ?? null;
    // A directory key other than the one in force is the key-change flow's; check the one in force.
    if (!constantTimeEqual(entry.bundle.identityKey, c.identityKey))
      return this.#ktProblems.get(userId) ?? null;
    const pin = this.pins.get(userId);
    for (let attempt = 0; ; attempt++) {
      const result = await kt.checkContact(userId, entry.user.username, entry.bundle, pin?.ktVersion ?? 1);
      if (result.ok === true) {
        this.#ktStatus.set(userId, { version: result.version, epoch: result.epoch });
        if (this.#ktProblems.delete(userId)) this.#events.emit('contacts', this.list());
        if (pin && this.trustUnknown === null && (pin.ktVersion ?? 0) < result.version) {
          this.pins.set(userId, { ...pin, ktVersion: result.version });
          await this.pins.save();
        }
        return null;
      }
      if (result.ok === false) {
        if (this.#ktProblems.get(userId) !== result.reason) {
          this.#ktProblems.set(userId, result.reason);
          this.#events.emit('keyProblem', { userId, reason: result.reason });
          this.#events.emit('contacts', this.list());
        }
        return result.reason;
      }
      if (!opts.wait) return null;
      if (attempt >= KEY_LOG_WAIT_ROUNDS) {
        throw new TrustError(
          `${entry.user.username}'s key is not in the server's key log yet; try again in a moment`,
        );
      }
      await new Promise((r) => setTimeout(r, KEY_LOG_WAIT_MS));
      await kt.refresh();
    }
  }

  /** Loads the pins blob and the directory. */
  async load(): Promise<void> {
    await this.pins.load();
    await this.refresh();
  }

  /** Re-reads the directory, pins new contacts and reports key changes. One refresh at a time. */
  refresh(): Promise<void> {
    if (!this.#refreshing) {
      this.#refreshing = this.#refresh().finally(() => {
        this.#refreshing = null;
      });
    }
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    const users = await this.#api.directory();
    for (const user of users) {
      if (user.id === this.me) continue;
      this.#absorb(user);
    }
    if (this.pins.dirty) await this.pins.save();
    this.#events.emit('contacts', this.list());
  }

  /** Reads one user (e.g. someone who just joined a channel) instead of the whole directory. */
  async learn(userId: string): Promise<void> {
    if (userId === this.me) return;
    this.#absorb(await this.#api.user(userId));
    if (this.pins.dirty) await this.pins.save();
    this.#events.emit('contacts', this.list());
  }

  #absorb(user: PublicUser): void {
    let bundle: PublicBundle | null = null;
    try {
      bundle = bundleFromWire(user.bundle);
    } catch (err) {
      this.#events.emit('badBundle', { userId: user.id, reason: (err as Error).message });
    }
    this.#entries.set(user.id, { user, bundle });
    if (this.trustUnknown !== null) return; // pins nothing (DESIGN §7.4)
    if (bundle && !this.pins.get(user.id)) {
      this.pins.set(user.id, {
        identityKey: toBase64(bundle.identityKey),
        firstSeenAt: this.#now(),
        verified: false,
      });
    }
    const c = this.#contact(user.id);
    if (c?.keyChanged && bundle) {
      const newKey = toBase64(bundle.identityKey);
      const tag = `${user.id}:${newKey}`;
      if (!this.#reported.has(tag)) {
        this.#reported.add(tag);
        this.#events.emit('keyChange', {
          userId: user.id,
          username: user.username,
          previousKey: toBase64(c.identityKey),
          newKey,
          wasVerified: c.verified,
        });
      }
    }
  }

  /** Every known contact (not yourself). */
  list(): Contact[] {
    const out: Contact[] = [];
    for (const id of this.#entries.keys()) {
      const c = this.#contact(id);
      if (c) out.push(c);
    }
    return out;
  }

  /**
   * A contact; if unknown, re-reads the directory, then asks for the user alone (the directory
   * leaves out disabled accounts, whose old messages must stay verifiable). Throws TrustError if
   * the user has no usable identity.
   */
  async get(userId: string): Promise<Contact> {
    let c = this.#contact(userId);
    if (!c) {
      await this.refresh();
      c = this.#contact(userId);
    }
    if (!c && userId !== this.me) {
      try {
        this.#absorb(await this.#api.user(userId));
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      }
      if (this.pins.dirty) await this.pins.save();
      c = this.#contact(userId);
    }
    if (!c) throw new TrustError(`contacts: no usable identity for user ${userId}`);
    return c;
  }

  /** Synchronous view of a known contact. */
  peek(userId: string): Contact | undefined {
    return this.#contact(userId);
  }

  /** The identity key to check a user's signatures with (our own for ourselves). */
  async identityKeyFor(userId: string): Promise<Uint8Array> {
    if (userId === this.me) return this.#session.identity.signPk;
    const pin = this.pins.get(userId);
    if (!this.#entries.has(userId) && pin) return fromBase64(pin.identityKey); // e.g. a deleted account
    return (await this.get(userId)).identityKey;
  }

  /** Why sending to this user is blocked, if it is. */
  blockReason(userId: string): 'trust-unknown' | 'key-changed' | 'must-reverify' | 'no-key' | null {
    if (userId === this.me) return null;
    if (this.trustUnknown !== null) return 'trust-unknown';
    if (this.#ktProblems.has(userId)) return 'key-changed';
    const c = this.#contact(userId);
    if (!c) return 'no-key';
    if (c.keyChanged) return 'key-changed';
    if (c.mustReverify) return 'must-reverify';
    if (!c.encKey) return 'no-key';
    return null;
  }

  /**
   * Leaves trust unknown on the user's explicit word: `reverified` keeps the contacts verified
   * since (their pins start the new set), `reset` starts from nothing. Either way every other
   * contact is trusted on first use again, from the relay's current keys.
   */
  async resolveTrust(how: 'reverified' | 'reset'): Promise<void> {
    if (this.trustUnknown === null) return;
    const at = this.#now();
    const contacts: Record<string, ContactPin> = {};
    if (how === 'reverified') {
      for (const [id, key] of this.#reverified) {
        contacts[id] = { identityKey: key, firstSeenAt: at, verified: true, verifiedAt: at };
      }
    }
    await this.pins.restart(contacts);
    this.#reverified.clear();
    this.#reported.clear();
    await this.refresh();
  }

  /** Contacts re-verified while trust is unknown. */
  get reverified(): string[] {
    return [...this.#reverified.keys()];
  }

  /** Accepts a reported key change: it comes into force (for a verified contact: until re-verified, read only). */
  async acknowledgeKeyChange(userId: string): Promise<void> {
    if (this.trustUnknown !== null)
      throw new TrustError('contacts: trust is unknown; re-verify or reset first');
    const entry = this.#entries.get(userId);
    const pin = this.pins.get(userId);
    if (!entry?.bundle || !pin) throw new TrustError(`contacts: nothing to acknowledge for ${userId}`);
    const newKey = toBase64(entry.bundle.identityKey);
    if (newKey === pin.identityKey) return;
    if (pin.verified) this.#acknowledged.set(userId, newKey);
    else {
      this.pins.set(userId, { identityKey: newKey, firstSeenAt: this.#now(), verified: false });
      await this.pins.save();
    }
    this.#events.emit('contacts', this.list());
    this.#events.emit('keyInForce', { userId });
  }

  /** Marks the key in force as verified (after comparing safety numbers). */
  async markVerified(userId: string, verified = true): Promise<void> {
    const c = await this.get(userId);
    if (this.trustUnknown !== null) {
      // Held in memory only: nothing is pinned or uploaded until the user leaves trust unknown.
      if (verified) this.#reverified.set(userId, toBase64(c.identityKey));
      else this.#reverified.delete(userId);
      this.#events.emit('contacts', this.list());
      return;
    }
    if (c.keyChanged) throw new TrustError('contacts: acknowledge the key change before verifying');
    const pin = this.pins.get(userId);
    const at = this.#now();
    const sameKey = pin?.identityKey === toBase64(c.identityKey);
    this.pins.set(userId, {
      identityKey: toBase64(c.identityKey),
      firstSeenAt: pin?.firstSeenAt ?? at,
      verified,
      ...(verified ? { verifiedAt: at } : {}),
      ...(sameKey && pin?.ktVersion ? { ktVersion: pin.ktVersion } : {}),
    });
    this.#acknowledged.delete(userId);
    await this.pins.save();
    this.#events.emit('contacts', this.list());
    if (pin?.identityKey !== toBase64(c.identityKey)) this.#events.emit('keyInForce', { userId });
  }

  async safetyNumber(userId: string): Promise<SafetyNumber> {
    const c = await this.get(userId);
    const mine = this.#session.identity.signPk;
    const digits = safetyNumber(mine, this.me, c.identityKey, c.id);
    return {
      digits,
      groups: formatSafetyNumber(digits),
      qr: fingerprintQrPayload(mine, this.me, c.identityKey, c.id),
    };
  }

  /** True when a QR code scanned from the contact's screen matches the keys in force. */
  async checkScannedQr(userId: string, scanned: string): Promise<boolean> {
    const c = await this.get(userId);
    return compareQrPayload(
      scanned,
      expectedQrPayload(this.#session.identity.signPk, this.me, c.identityKey, c.id),
    );
  }

  #contact(userId: string): Contact | undefined {
    const c = this.#pinnedContact(userId);
    const problem = this.#ktProblems.get(userId) ?? null;
    return c && problem !== null ? { ...c, keyProblem: problem } : c;
  }

  #pinnedContact(userId: string): Contact | undefined {
    const entry = this.#entries.get(userId);
    if (entry && this.trustUnknown !== null) return this.#unpinnedContact(entry);
    const pin = this.pins.get(userId);
    if (!entry || !pin) return undefined;
    const pinned = fromBase64(pin.identityKey);
    const current = entry.bundle?.identityKey ?? null;
    const acknowledged = this.#acknowledged.get(userId);
    const base = {
      id: entry.user.id,
      username: entry.user.username,
      displayName: entry.user.displayName,
      avatarVersion: entry.user.avatarVersion,
      verified: pin.verified,
    };
    if (current && constantTimeEqual(current, pinned)) {
      return {
        ...base,
        identityKey: pinned,
        encKey: entry.bundle?.encKey ?? null,
        keyChanged: false,
        mustReverify: false,
        unpinned: false,
        keyProblem: null,
      };
    }
    if (current && acknowledged !== undefined && acknowledged === toBase64(current)) {
      return {
        ...base,
        verified: false,
        identityKey: current,
        encKey: entry.bundle?.encKey ?? null,
        keyChanged: false,
        mustReverify: true,
        unpinned: false,
        keyProblem: null,
      };
    }
    return {
      ...base,
      identityKey: pinned,
      encKey: null,
      keyChanged: current !== null,
      mustReverify: false,
      unpinned: false,
      keyProblem: null,
    };
  }

  /** In trust unknown: the relay's current key, verified only if the user re-verified it since. */
  #unpinnedContact(entry: Entry): Contact | undefined {
    if (!entry.bundle) return undefined;
    const key = toBase64(entry.bundle.identityKey);
    return {
      id: entry.user.id,
      username: entry.user.username,
      displayName: entry.user.displayName,
      avatarVersion: entry.user.avatarVersion,
      identityKey: entry.bundle.identityKey,
      encKey: entry.bundle.encKey,
      verified: this.#reverified.get(entry.user.id) === key,
      keyChanged: false,
      mustReverify: false,
      unpinned: true,
      keyProblem: null,
    };
  }
}
