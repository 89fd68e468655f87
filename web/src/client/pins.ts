// The user's contact pins (trust on first use and verified flags), kept as crypto-core's sealed,
// signed blob on the relay (GET/PUT /api/me/pins). The relay cannot read or edit it, but it could
// serve an older blob: the highest version seen is kept, and anything lower is refused.
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

  /**
   * Loads the blob from the relay. Throws TrustError when it does not open (not ours, tampered) or
   * is older than a version already seen (rollback); the pins held so far stay in place.
   */
  async load(): Promise<void> {
    const blob = await this.#api.getPins();
    if (blob === null) {
      if (this.#highest > 0) throw new TrustError('pins: the relay lost or withheld the pins blob');
      return;
    }
    let pins: ContactPins;
    try {
      pins = openPins(fromBase64(blob), this.#identity);
    } catch (err) {
      throw new TrustError(`pins: blob rejected (${(err as Error).message})`);
    }
    if (pins.version < this.#highest) {
      throw new TrustError(`pins: rollback refused (version ${pins.version} < ${this.#highest})`);
    }
    this.#highest = pins.version;
    this.#pins = pins;
  }

  get(userId: string): ContactPin | undefined {
    return this.#pins.contacts[userId];
  }

  set(userId: string, pin: ContactPin): void {
    this.#pins = { ...this.#pins, contacts: { ...this.#pins.contacts, [userId]: pin } };
    this.#dirty = true;
  }

  /** Writes the pins with a version above every one seen. Saves run one after another. */
  save(): Promise<void> {
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
