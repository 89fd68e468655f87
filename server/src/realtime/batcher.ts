// Write batching (DESIGN §4 "Write batching"): sends from every socket on this relay are collected
// and committed together with ONE `appendMessages` call (one transaction); each caller's promise
// settles only after that commit. A batch closes after `maxDelayMs` or at `maxBatch` messages.
// One batch commits at a time: sends that arrive during a commit form the next batch, so batches
// grow with load (group commit) while an idle relay adds at most `maxDelayMs` of latency.
import type { AppendResult, NewMessage } from '../db/store';
import type { Logger } from '../log';
import { safeError } from '../log';

export interface BatcherOptions {
  maxBatch: number;
  maxDelayMs: number;
}

export type AppendFn = (batch: NewMessage[], now: number) => Promise<AppendResult[]>;

interface Pending {
  message: NewMessage;
  resolve: (result: AppendResult) => void;
  reject: (err: unknown) => void;
}

export class BatcherClosedError extends Error {
  constructor() {
    super('WriteBatcher: closed');
    this.name = 'BatcherClosedError';
  }
}

const dedupeKey = (m: NewMessage) => `${m.senderId}\u0000${m.clientMsgId}`;

/** A second copy of a queued send gets the first's result, unless it names another channel. */
function sameSendAs(message: NewMessage, first: AppendResult): AppendResult {
  if (!first.ok) return first;
  if (first.message.channelId !== message.channelId) return { ok: false, code: 'id_conflict' };
  return { ...first, duplicate: true };
}

export class WriteBatcher {
  #queue: Pending[] = [];
  /** Sends waiting in the queue by (sender, clientMsgId): a second copy shares the first's commit. */
  #waiting = new Map<string, Promise<AppendResult>>();
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<void> | null = null;
  #closed = false;

  constructor(
    private readonly append: AppendFn,
    private readonly opts: BatcherOptions,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {
    if (opts.maxBatch < 1 || opts.maxDelayMs < 0) throw new RangeError('WriteBatcher: bad options');
  }

  /** Queues one send; resolves with its result after the transaction holding it commits. */
  submit(message: NewMessage): Promise<AppendResult> {
    if (this.#closed) return Promise.reject(new BatcherClosedError());
    const key = dedupeKey(message);
    const twin = this.#waiting.get(key);
    if (twin) return twin.then((r) => sameSendAs(message, r));
    const promise = new Promise<AppendResult>((resolve, reject) => {
      this.#queue.push({ message, resolve, reject });
    });
    this.#waiting.set(key, promise);
    if (this.#queue.length >= this.opts.maxBatch) this.#flushSoon(0);
    else this.#flushSoon(this.opts.maxDelayMs);
    return promise;
  }

  /** Commits what is queued, waits for it, and refuses further sends. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#inFlight || this.#queue.length > 0) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      if (this.#inFlight) await this.#inFlight;
      else this.#flush();
    }
  }

  #flushSoon(delayMs: number): void {
    if (this.#inFlight) return; // the running commit flushes the queue when it finishes
    if (this.#timer && delayMs > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#flush();
    }, delayMs);
  }

  #flush(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.opts.maxBatch);
    for (const p of batch) this.#waiting.delete(dedupeKey(p.message));
    this.#inFlight = this.#commit(batch).finally(() => {
      this.#inFlight = null;
      if (this.#queue.length > 0) this.#flush();
    });
  }

  async #commit(batch: Pending[]): Promise<void> {
    const messages = batch.map((p) => p.message);
    let results: AppendResult[] | null = null;
    let failure: unknown = null;
    // A failed transaction rolled back or committed without telling us; either way a retry is safe
    // because sends are idempotent on (senderId, clientMsgId). Try twice, then fail the batch.
    for (let attempt = 1; attempt <= 2 && results === null; attempt++) {
      try {
        const r = await this.append(messages, this.now());
        if (r.length !== messages.length) throw new Error('WriteBatcher: result count mismatch');
        results = r;
      } catch (err) {
        failure = err;
        this.logger?.warn({ err: safeError(err), size: messages.length, attempt }, 'batch commit failed');
      }
    }
    if (results === null) {
      for (const p of batch) p.reject(failure);
      return;
    }
    this.logger?.debug({ event: 'batch', size: batch.length }, 'batch committed');
    for (const [i, p] of batch.entries()) p.resolve(results[i] as AppendResult);
  }
}
