// Key transparency on the client (DESIGN §7.5). The relay commits to every user's key binding in
// a sparse Merkle map under signed, chained heads. This client pins the log key on first use,
// accepts a newer head only when the chain from the one it kept verifies, checks each contact's
// key against a map proof, watches its own entry (a binding it did not make is an alarm that
// cannot be dismissed), and checks the heads other members gossip in their messages.

import type { KtHeadRef, KtPins } from '@parley/crypto-core';
import {
  CryptoError,
  constantTimeEqual,
  fromBase64,
  type KtBinding,
  type KtHead,
  ktBindingFromWire,
  ktHeadFromWire,
  ktHeadHash,
  ktLeafValue,
  ktMapKey,
  ktProofFromWire,
  ktVerifyProof,
  type PublicBundle,
  toBase64,
  verifyKtChain,
  verifyKtHead,
} from '@parley/crypto-core';
import type { Session } from './account';
import type { Api } from './api';

/** What is kept in the pins blob across sessions (crypto-core's pins `kt` field). */
export type KtState = KtPins;
/** A head reference as messages carry it (`kt`, DESIGN §7.3). */
export type { KtHeadRef };

export type ContactCheck =
  | { ok: true; version: number; epoch: number }
  | { ok: false; reason: string }
  /** Not in the map yet (a new account waits for the next epoch). */
  | { ok: 'pending' };

/** How long an account may be missing from the map before that is a problem. */
const PUBLISH_GRACE_MS = 60_000;
const CHECK_REUSE_MS = 5 * 60_000;
const PAGE = 500;

export class KeyTransparency {
  readonly #api: Api;
  readonly #session: Session;
  #logKey: Uint8Array | null = null;
  #ownVersion: number;
  /** The newest head verified, and the hashes of every head verified this session. */
  #head: KtHead | null = null;
  readonly #hashes = new Map<number, string>();
  /** Earliest epoch in #hashes and its prevHash, to extend the known chain backwards. */
  #earliest: { epoch: number; prevHash: Uint8Array } | null = null;
  #kept: { epoch: number; hash: string } | null;
  #alarm: string | null = null;
  /** Contact checks by (user, key, minimum version), reused for a while: the contact's own browser watches its entry in between. */
  readonly #checks = new Map<string, { at: number; result: ContactCheck }>();
  readonly #missingSince = new Map<string, number>();
  readonly #now: () => number;
  /** Called once when an alarm is raised; the alarm stays for the session. */
  onAlarm: (reason: string) => void = () => {};

  constructor(api: Api, session: Session, saved: KtState | undefined, now: () => number = Date.now) {
    this.#api = api;
    this.#session = session;
    this.#now = now;
    this.#ownVersion = 1;
    this.#kept = null;
    this.restore(saved);
  }

  /**
   * Takes up the state kept in the pins (the pinned log key, the last verified head, the own
   * version), once the pins are loaded; before that nothing is trusted on first use.
   */
  restore(saved: KtState | undefined): void {
    this.#logKey = saved ? fromBase64(saved.logKey) : null;
    this.#ownVersion = saved?.ownVersion ?? 1;
    this.#kept = saved ? { epoch: saved.epoch, hash: saved.headHash } : null;
  }

  /** Why the key log is not to be trusted for this account, or null. Never cleared. */
  get alarm(): string | null {
    return this.#alarm;
  }

  /** The newest verified head's epoch, if any. */
  get epoch(): number | null {
    return this.#head?.epoch ?? null;
  }

  /** What to keep in the pins blob, or null before any head was verified. */
  state(): KtState | null {
    if (!this.#logKey || !this.#head) return null;
    return {
      logKey: toBase64(this.#logKey),
      epoch: this.#head.epoch,
      headHash: toBase64(ktHeadHash(this.#head)),
      ownVersion: this.#ownVersion,
    };
  }

  /** The head to sign into a message (`kt`), once one is verified. */
  ref(): KtHeadRef | undefined {
    const head = this.#head;
    return head ? { epoch: head.epoch, hash: toBase64(ktHeadHash(head)) } : undefined;
  }

  /**
   * Fetches the newest head and verifies it: signed by the pinned log key (pinned now if none),
   * and on one chain with every head verified before, the one kept in the pins included.
   * Returns true when a newer head was accepted.
   */
  async refresh(): Promise<boolean> {
    const answer = await this.#api.ktHead();
    if (!answer.head) return false;
    if (!this.#logKey) this.#logKey = fromBase64(answer.logKey);
    else if (answer.logKey !== toBase64(this.#logKey)) {
      this.#raise('the server now signs its key log with another key than the one this account pinned');
      return false;
    }
    const head = this.#parse(answer.head);
    if (!head || !this.#verifyOne(head)) return false;
    const hash = ktHeadHash(head);
    // What the new head must follow: the newest verified this session, else the one kept in the pins.
    const base = this.#head ? { epoch: this.#head.epoch, hash: ktHeadHash(this.#head) } : this.#keptBase();
    if (base === null) {
      this.#accept([head]); // first use: the log key and this head are pinned from here on
      return true;
    }
    if (head.epoch < base.epoch) {
      this.#raise(`the server's key log went back from epoch ${base.epoch} to ${head.epoch}`);
      return false;
    }
    if (head.epoch === base.epoch) {
      if (!constantTimeEqual(hash, base.hash))
        this.#raise(`the server's key log forked at epoch ${head.epoch}`);
      else if (!this.#head) this.#accept([head]);
      return false;
    }
    const chain = await this.#fetchChain(base.epoch + 1, head.epoch);
    if (!chain) return false;
    try {
      const last = verifyKtChain(chain, this.#logKey, base);
      if (!constantTimeEqual(last, hash)) throw new CryptoError(`epoch ${head.epoch} has two heads`);
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      this.#raise(
        `the server's key log does not continue the history this browser verified (${err.message})`,
      );
      return false;
    }
    this.#hashes.set(base.epoch, toBase64(base.hash));
    this.#accept(chain);
    return true;
  }

  #keptBase(): { epoch: number; hash: Uint8Array } | null {
    return this.#kept ? { epoch: this.#kept.epoch, hash: fromBase64(this.#kept.hash) } : null;
  }

  /**
   * Self-monitoring (§7.5): under the newest head, the map must hold this account's own keys at
   * its own version. Anything else raises the alarm. A missing entry is allowed for a minute
   * after the account was made (it waits for the next epoch).
   */
  async checkSelf(): Promise<void> {
    const me = this.#session.user;
    const bundle = this.#session.bundle;
    const found = await this.#lookup(me.id);
    if (found === null) return;
    if (typeof found === 'string') return this.#raise(found);
    const { binding, head } = found;
    if (binding === null) {
      if (head.timeMs > me.createdAt + PUBLISH_GRACE_MS) {
        this.#raise('the server has not published your key in its key log');
      }
      return;
    }
    if (!sameBundle(binding, bundle) || binding.userId !== me.id) {
      this.#raise('the server published a different key for you in its key log');
    } else if (binding.version !== this.#ownVersion) {
      this.#raise(
        `the server's key log shows version ${binding.version} of your key, but you only ever made version ${this.#ownVersion}: your key was changed and changed back`,
      );
    }
  }

  /**
   * Checks a contact's key against the map: the binding must be the bundle in force and its
   * version must not go below `minVersion`. A result is reused for CHECK_REUSE_MS.
   */
  async checkContact(
    userId: string,
    username: string,
    bundle: PublicBundle,
    minVersion = 1,
  ): Promise<ContactCheck> {
    // The whole bundle: a result for one encryption key says nothing about another.
    const cacheKey = `${userId}|${toBase64(bundle.identityKey)}|${toBase64(bundle.encKey)}|${minVersion}`;
    const cached = this.#checks.get(cacheKey);
    if (cached && cached.result.ok !== 'pending' && this.#now() - cached.at < CHECK_REUSE_MS) {
      return cached.result;
    }
    const found = await this.#lookup(userId);
    let result: ContactCheck;
    if (found === null && this.#alarm !== null) {
      result = { ok: false, reason: `the server's key log cannot be trusted (${this.#alarm})` };
    } else if (found === null) result = { ok: 'pending' };
    else if (typeof found === 'string') result = { ok: false, reason: found };
    else if (found.binding === null) {
      const since = this.#missingSince.get(userId) ?? this.#now();
      this.#missingSince.set(userId, since);
      result =
        this.#now() - since > PUBLISH_GRACE_MS
          ? { ok: false, reason: 'the server does not publish this key in its key log' }
          : { ok: 'pending' };
    } else if (!sameBundle(found.binding, bundle) || found.binding.username !== username) {
      result = { ok: false, reason: 'the server’s key log publishes another key for this person' };
    } else if (found.binding.version < minVersion) {
      result = {
        ok: false,
        reason: `the key log’s version for this person went down (from ${minVersion} to ${found.binding.version})`,
      };
    } else {
      result = { ok: true, version: found.binding.version, epoch: found.head.epoch };
    }
    this.#checks.set(cacheKey, { at: this.#now(), result });
    return result;
  }

  /**
   * Gossip (§7.5): a head another member verified must lie on this client's chain. Returns
   * false when it does not (a fork the server shows some members only), or when the server does
   * not show this client a head a member has seen.
   */
  async checkRef(ref: KtHeadRef): Promise<boolean> {
    if (!this.#logKey) return true; // no log pinned yet: nothing to compare with
    const hash = await this.#hashAt(ref.epoch);
    if (hash === undefined) return ref.epoch <= (this.#head?.epoch ?? -1);
    return hash === ref.hash;
  }

  /**
   * The hash of the head at `epoch` on the verified chain: fetched forwards (a newer head) or
   * backwards (older than anything verified this session, linked by prevHash), or undefined.
   */
  async #hashAt(epoch: number): Promise<string | undefined> {
    if (epoch > (this.#head?.epoch ?? -1)) await this.refresh();
    const known = this.#hashes.get(epoch);
    if (known !== undefined || !this.#logKey) return known;
    const earliest = this.#earliest;
    if (!earliest || epoch >= earliest.epoch) return undefined;
    const chain = await this.#fetchChain(epoch, earliest.epoch - 1);
    if (!chain) return undefined;
    try {
      if (!constantTimeEqual(verifyKtChain(chain, this.#logKey), earliest.prevHash)) {
        throw new CryptoError(`epoch ${earliest.epoch - 1} is not the head epoch ${earliest.epoch} follows`);
      }
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      this.#raise(
        `the server's key log does not continue the history this browser verified (${err.message})`,
      );
      return undefined;
    }
    for (const h of chain) this.#hashes.set(h.epoch, toBase64(ktHeadHash(h)));
    const first = chain[0] as KtHead;
    this.#earliest = { epoch: first.epoch, prevHash: first.prevHash };
    return this.#hashes.get(epoch);
  }

  // ---- internals ----

  /** A binding and its head, verified; a problem as a string; null before any epoch. */
  async #lookup(userId: string): Promise<{ binding: KtBinding | null; head: KtHead } | string | null> {
    if (!this.#head) await this.refresh();
    if (!this.#head || !this.#logKey) return null;
    // Under the newest verified head only: an older head on the chain would let the server show a
    // binding it has since replaced (a key changed and changed back would look untouched).
    const newest = this.#head.epoch;
    const answer = await this.#api.ktLookup(userId, newest);
    const head = this.#parse(answer.head);
    if (!head) return 'the server’s key-log answer is malformed';
    if (head.epoch < newest) {
      return `the key-log proof is under an old head (epoch ${head.epoch}), not the newest verified one (epoch ${newest})`;
    }
    if ((await this.#hashAt(head.epoch)) !== toBase64(ktHeadHash(head))) {
      return `the key-log proof is under a head (epoch ${head.epoch}) that is not on the verified chain`;
    }
    let binding: KtBinding | null = null;
    try {
      binding = answer.binding ? ktBindingFromWire(answer.binding) : null;
      const value = binding ? ktLeafValue(binding) : null;
      if (binding && binding.userId !== userId) return 'the key log answered for another account';
      if (!ktVerifyProof(head.root, ktMapKey(userId), value, ktProofFromWire(answer.proof))) {
        return 'the server’s key-log proof does not verify';
      }
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      return `the server’s key-log proof is malformed (${err.message})`;
    }
    return { binding, head };
  }

  /** Heads `from`..`to`, in order (whatever else a page holds is ignored). */
  async #fetchChain(from: number, to: number): Promise<KtHead[] | null> {
    const out: KtHead[] = [];
    while (from + out.length <= to) {
      const next = from + out.length;
      const page = await this.#api.ktHeads(next, Math.min(PAGE, to - next + 1));
      const wanted = page.filter((w) => w.epoch >= next && w.epoch <= to);
      if (wanted.length === 0) break;
      for (const w of wanted) {
        const h = this.#parse(w);
        if (!h) return null;
        out.push(h);
      }
    }
    if (out.length !== to - from + 1) {
      this.#raise(`the server withholds key-log heads between epochs ${from} and ${to}`);
      return null;
    }
    return out;
  }

  #parse(wire: unknown): KtHead | null {
    try {
      return ktHeadFromWire(wire);
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      this.#raise(`the server sent a malformed key-log head (${err.message})`);
      return null;
    }
  }

  #verifyOne(head: KtHead): boolean {
    try {
      verifyKtHead(head, this.#logKey as Uint8Array);
      return true;
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      this.#raise(`a key-log head is not signed by the pinned log key (${err.message})`);
      return false;
    }
  }

  #accept(chain: readonly KtHead[]): void {
    for (const h of chain) this.#hashes.set(h.epoch, toBase64(ktHeadHash(h)));
    const first = chain[0];
    if (first && (this.#earliest === null || first.epoch < this.#earliest.epoch)) {
      this.#earliest = { epoch: first.epoch, prevHash: first.prevHash };
    }
    this.#head = chain.at(-1) ?? this.#head;
  }

  #raise(reason: string): void {
    if (this.#alarm !== null) return;
    this.#alarm = reason;
    // Results checked before the alarm rest on the log it distrusts: check again.
    this.#checks.clear();
    this.onAlarm(reason);
  }
}

function sameBundle(b: KtBinding, bundle: PublicBundle): boolean {
  return (
    constantTimeEqual(b.identityKey, bundle.identityKey) &&
    constantTimeEqual(b.encKey, bundle.encKey) &&
    constantTimeEqual(b.encKeySig, bundle.encKeySig)
  );
}
