// The user's contact pins (trust on first use and verified flags), kept as crypto-core's sealed,
// signed blob on the relay (GET/PUT /api/me/pins). The relay cannot read or edit it, but it could
// withhold it or serve an older one. Pins fail closed (DESIGN §7.4): a blob that does not open, is
// older than one seen, or is missing (every account saves one at registration) puts the store in
// "trust unknown": nothing is pinned or uploaded until the user re-verifies or resets on purpose.
import {
  type ContactPin,
  type ContactPins,
  fromBase64,
  type IdentityKeys,
  openPins,
  sealPins,
  toBase64,
} from '@parley/crypto-core';
import type { Api } from './api';
import { TrustError } from './errors';

export class PinStore {
  readonly #api: Api;
  readonly #identity: IdentityKeys;
  #pins: ContactPins = { v: 1, version: 0, contacts: {} };
  #highest: number;
  #dirty = false;
  #saving: Promise<void> = Promise.resolve();
  /** Why trust is unknown (DESIGN §7.4), or null while the pins are the user's own. */
  #unknown: string | null = null;

  /** `knownVersion`: the highest version this device saw before (e.g. kept by the app), if any. */
  constructor(api: Api, identity: IdentityKeys, knownVersion = 0) {
    this.#api = api;
    this.#identity = identity;
    this.#highest = knownVersion;
  }

  /** The highest pins version seen or written; the app may keep it to resist rollback across reloads. */
  get highestVersion(): number {
    return this.#highest;
  }

  get dirty(): boolean {
    return this.#dirty;
  }

  /** Why trust is unknown, or null when the pins loaded are the user's own and current. */
  get unknown(): string | null {
    return this.#unknown;
  }

  /**
   * Loads the blob from the relay. A blob that is missing, does not open or verify (not ours,
   * tampered) or is older than a version already seen (rollback) is never used or repaired: the
   * store enters trust unknown, with nothing pinned, and says why.
   */
  async load(): Promise<void> {
    const blob = await this.#api.getPins();
    // Every account saves a blob at registration, so a missing one was withheld.
    if (blob === null) return this.#enterUnknown('the server withheld your saved contacts (no pins blob)');
    let pins: ContactPins;
    try {
      pins = openPins(fromBase64(blob), this.#identity);
    } catch (err) {
      return this.#enterUnknown(`your saved contacts do not open or verify (${(err as Error).message})`);
    }
    if (pins.version < this.#highest) {
      return this.#enterUnknown(
        `the server served an older copy of your saved contacts (version ${pins.version}, this browser has seen ${this.#highest})`,
      );
    }
    this.#highest = pins.version;
    this.#pins = pins;
    this.#unknown = null;
  }

  #enterUnknown(reason: string): void {
    this.#unknown = reason;
    this.#pins = { v: 1, version: 0, contacts: {} };
    this.#dirty = false;
  }

  /**
   * Leaves trust unknown on the user's explicit decision: a fresh pin set holding only `contacts`
   * (those the user re-verified; none for a reset), saved with a version above every one seen.
   */
  async restart(contacts: Record<string, ContactPin>): Promise<void> {
    this.#unknown = null;
    this.#pins = { v: 1, version: this.#highest, contacts: { ...contacts } };
    this.#dirty = true;
    await this.save();
  }

  get(userId: string): ContactPin | undefined {
    return this.#pins.contacts[userId];
  }

  /** The key-transparency state kept with the pins (log key, newest head, own version). */
  get kt(): ContactPins['kt'] {
    return this.#pins.kt;
  }

  setKt(kt: NonNullable<ContactPins['kt']>): void {
    if (this.#unknown !== null) throw new TrustError('pins: trust is unknown; nothing is pinned');
    this.#pins = { ...this.#pins, kt };
    this.#dirty = true;
  }

  set(userId: string, pin: ContactPin): void {
    if (this.#unknown !== null) throw new TrustError('pins: trust is unknown; nothing is pinned');
    this.#pins = { ...this.#pins, contacts: { ...this.#pins.contacts, [userId]: pin } };
    this.#dirty = true;
  }

  /** Writes the pins with a version above every one seen. Saves run one after another. */
  save(): Promise<void> {
    if (this.#unknown !== null) {
      return Promise.reject(new TrustError('pins: trust is unknown; nothing is uploaded'));
    }
    const run = this.#saving.then(async () => {
      if (!this.#dirty) return;
      this.#dirty = false;
      const version = Math.max(this.#highest, this.#pins.version) + 1;
      const pins: ContactPins = { ...this.#pins, version };
      try {
        await this.#api.putPins(toBase64(sealPins(pins, this.#identity)));
      } catch (err) {
        this.#dirty = true;
        throw err;
      }
      // Keep pins set while the upload ran (they are still dirty and go out with the next save).
      this.#pins = { ...this.#pins, version };
      this.#highest = version;
    });
    this.#saving = run.catch(() => {});
    return run;
  }
}
