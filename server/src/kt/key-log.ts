// The relay's key-transparency log (DESIGN §7.5): a sparse Merkle map of every user's current
// key binding, kept in memory and in step with the database, published in signed epochs. An
// epoch is made at most every KT_EPOCH_MS and only when bindings wait (registration writes them
// in its own transaction). With several relays, the one holding the lease in the database makes
// epochs; every relay serves lookups from its own copy of the map, caught up from the database.
import {
  constantTimeEqual,
  KT_GENESIS_PREV,
  type KtBinding,
  KtMap,
  type KtProof,
  ktHeadHash,
  ktLeafValue,
  ktMapKey,
  signKtHead,
} from '@parley/crypto-core';
import type { KtBindingRecord, KtHeadRecord, Store } from '../db/store';
import type { Logger } from '../log';
import { safeError } from '../log';
import type { LogKey } from './log-key';

/** Most bindings one epoch publishes; more wait for the next one. */
const MAX_PER_EPOCH = 10_000;

export interface Lookup {
  head: KtHeadRecord;
  binding: KtBindingRecord | null;
  proof: KtProof;
}

/** The map as of one head, with each user's binding in it. */
interface MapState {
  map: KtMap;
  bindings: Map<string, KtBindingRecord>;
  head: KtHeadRecord | null;
  /** False when the stored bindings do not hash to the head's root (the database was edited). */
  consistent: boolean;
}

export class KeyLog {
  readonly logKey: LogKey;
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #holder: string;
  readonly #epochMs: number;
  readonly #now: () => number;
  #state: MapState = { map: new KtMap(), bindings: new Map(), head: null, consistent: true };
  /** One older map, for lookups at a given epoch. */
  #past: MapState | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy: Promise<void> = Promise.resolve();

  constructor(deps: {
    store: Store;
    logKey: LogKey;
    logger: Logger;
    /** This relay's id, the lease holder's name. */
    holder: string;
    epochMs: number;
    now?: () => number;
  }) {
    this.#store = deps.store;
    this.logKey = deps.logKey;
    this.#logger = deps.logger;
    this.#holder = deps.holder;
    this.#epochMs = deps.epochMs;
    this.#now = deps.now ?? Date.now;
  }

  /** The newest head this relay knows. */
  get head(): KtHeadRecord | null {
    return this.#state.head;
  }

  /** Makes epochs on a timer (the lease decides which relay actually does). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.#epochMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#busy;
  }

  /** One round: catch up with the database, then, holding the lease, publish what waits. */
  tick(): Promise<void> {
    const run = this.#busy.then(() => this.#tick());
    this.#busy = run.catch((err: unknown) =>
      this.#logger.error({ err: safeError(err), event: 'kt-epoch-failed' }, 'key log epoch failed'),
    );
    return this.#busy;
  }

  async #tick(): Promise<void> {
    await this.#catchUp();
    // Never sign a root over bindings edited behind the heads: that would launder the edit.
    if (!this.#state.consistent) return;
    // Read before taking the lease: an idle relay then writes nothing. Two relays that both see
    // pending bindings race for the lease, and ktCommitEpoch refuses all but the next epoch.
    const pending = await this.#store.ktPendingBindings(MAX_PER_EPOCH);
    if (pending.length === 0) return;
    const now = this.#now();
    if (!(await this.#store.ktTakeLease(this.#holder, now, Math.max(5 * this.#epochMs, 5_000)))) return;
    const next = cloneState(this.#state);
    const published: KtBindingRecord[] = [];
    for (const b of pending) {
      if (b.version <= (next.bindings.get(b.userId)?.version ?? 0)) {
        this.#logger.error(
          { event: 'kt-version', userId: b.userId, version: b.version },
          'stale key binding',
        );
        continue;
      }
      apply(next, b);
      published.push(b);
    }
    if (published.length === 0) return;
    const previous = this.#state.head;
    const epoch = previous === null ? 0 : previous.epoch + 1;
    const head = signKtHead(
      { epoch, root: next.map.root(), prevHash: previous?.hash ?? KT_GENESIS_PREV, timeMs: now },
      this.logKey.secretKey,
    );
    const record: KtHeadRecord = { ...head, hash: ktHeadHash(head) };
    if (await this.#store.ktCommitEpoch(record, published)) {
      this.#state = { ...next, head: record };
      this.#logger.info({ event: 'kt-epoch', epoch, bindings: published.length }, 'key log epoch');
    }
  }

  /** Applies the epochs another relay made since ours; rebuilds if the database disagrees. */
  async #catchUp(): Promise<void> {
    const latest = await this.#store.ktLatestHead();
    const mine = this.#state.head;
    if (
      latest === null ||
      (mine !== null && latest.epoch === mine.epoch && constantTimeEqual(latest.hash, mine.hash))
    )
      return;
    if (mine !== null && latest.epoch > mine.epoch) {
      const next = cloneState(this.#state);
      for (const b of await this.#store.ktPublishedBindings(mine.epoch, latest.epoch)) apply(next, b);
      if (constantTimeEqual(next.map.root(), latest.root)) {
        this.#state = { ...next, head: latest };
        return;
      }
    }
    this.#state = await this.#build(latest);
  }

  /** The map of every binding published up to `head`, checked against its root. */
  async #build(head: KtHeadRecord): Promise<MapState> {
    const state: MapState = { map: new KtMap(), bindings: new Map(), head, consistent: true };
    for (const b of await this.#store.ktPublishedBindings(-1, head.epoch)) apply(state, b);
    if (!constantTimeEqual(state.map.root(), head.root)) {
      // The database was edited behind the signed heads: say so, and make no more epochs on it.
      // Proofs from this map fail on every client, which is what should happen.
      state.consistent = false;
      this.#logger.error(
        { event: 'kt-root-mismatch', epoch: head.epoch },
        'key bindings do not match the signed head: no epochs until the database is restored',
      );
    }
    return state;
  }

  /**
   * A user's binding and its proof, under the newest head this relay holds (caught up at every
   * round, so at most KT_EPOCH_MS behind another relay's) or the head of `epoch`. Null before any
   * epoch. Answered from memory: a lookup costs no database query.
   */
  async lookup(userId: string, epoch?: number): Promise<Lookup | null> {
    if (this.#state.head === null || (epoch !== undefined && epoch > this.#state.head.epoch)) {
      await this.#catchUp();
    }
    let state = this.#state;
    if (state.head === null) return null;
    if (epoch !== undefined && epoch !== state.head.epoch) {
      if (epoch > state.head.epoch) return null;
      if (this.#past?.head?.epoch !== epoch) {
        const [head] = await this.#store.ktHeads(epoch, 1);
        if (head?.epoch !== epoch) return null;
        this.#past = await this.#build(head);
      }
      state = this.#past;
    }
    const head = state.head as KtHeadRecord;
    return { head, binding: state.bindings.get(userId) ?? null, proof: state.map.prove(ktMapKey(userId)) };
  }
}

function cloneState(s: MapState): MapState {
  return { map: s.map.clone(), bindings: new Map(s.bindings), head: s.head, consistent: s.consistent };
}

function apply(state: MapState, b: KtBindingRecord): void {
  state.map.set(ktMapKey(b.userId), ktLeafValue(toBinding(b)));
  state.bindings.set(b.userId, b);
}

export function toBinding(b: KtBindingRecord): KtBinding {
  return {
    userId: b.userId,
    username: b.username,
    version: b.version,
    identityKey: b.identityKey,
    encKey: b.encKey,
    encKeySig: b.encKeySig,
  };
}
