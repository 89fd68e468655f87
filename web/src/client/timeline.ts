// One channel's timeline: entries ordered by seq, never two with the same seq, and the "head" up to
// which the relay's gap-free sequence is known to be complete (so gaps can be detected and fetched).

export interface Sequenced {
  seq: number;
}

export type InsertOutcome = 'added' | 'replaced' | 'duplicate';

export class Timeline<T extends Sequenced> {
  readonly #entries: T[] = [];
  /** Every seq in (start, head] is present, or known not to exist for this member. null: untracked. */
  #head: number | null;

  constructor(head: number | null = null) {
    this.#head = head;
  }

  /** The highest seq up to which the timeline is complete; null until something anchors it. */
  get head(): number | null {
    return this.#head;
  }

  /** The highest seq held (may be above head while a gap is open). */
  get maxSeq(): number | null {
    return this.#entries.at(-1)?.seq ?? null;
  }

  /** The lowest seq held: where paging into older history continues. */
  get minSeq(): number | null {
    return this.#entries[0]?.seq ?? null;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** True when entries above the head are held, i.e. something between is missing. */
  get hasGap(): boolean {
    const max = this.maxSeq;
    return this.#head !== null && max !== null && max > this.#head;
  }

  entries(): readonly T[] {
    return this.#entries;
  }

  get(seq: number): T | undefined {
    const i = this.#indexOf(seq);
    return i >= 0 ? this.#entries[i] : undefined;
  }

  /**
   * Anchors an untracked timeline (e.g. at a channel's lastSeq when first seen), or moves the head
   * forward past seqs that are known not to exist for this member. Never moves it back.
   */
  advanceHead(seq: number): void {
    if (this.#head === null || seq > this.#head) this.#head = seq;
    this.#extendHead();
  }

  /**
   * Inserts an entry in seq order. An entry whose seq is already held is a duplicate, unless
   * `prefer(old, next)` says the new one should replace it (e.g. a tombstone replacing a message).
   */
  insert(entry: T, prefer?: (old: T, next: T) => boolean): InsertOutcome {
    const i = this.#indexOf(entry.seq);
    if (i >= 0) {
      const old = this.#entries[i] as T;
      if (prefer?.(old, entry)) {
        this.#entries[i] = entry;
        return 'replaced';
      }
      return 'duplicate';
    }
    const at = -i - 1;
    this.#entries.splice(at, 0, entry);
    if (this.#head === null) this.#head = entry.seq - 1;
    this.#extendHead();
    return 'added';
  }

  /**
   * Applies one page of a listing that answered "entries after `after`": nothing exists for this
   * member between `after` and the page's first seq (e.g. entries before they joined), so the head
   * may skip that range. Returns the entries that were new.
   */
  applyPage(after: number, entries: readonly T[], prefer?: (old: T, next: T) => boolean): T[] {
    const first = entries[0];
    if (first && (this.#head === null || (this.#head >= after && this.#head < first.seq - 1))) {
      this.#head = Math.max(this.#head ?? after, first.seq - 1);
    }
    const added: T[] = [];
    for (const entry of entries) {
      if (this.insert(entry, prefer) !== 'duplicate') added.push(entry);
    }
    return added;
  }

  /** Replaces the entry at `seq` with `update(entry)`; returns the new entry or undefined. */
  update(seq: number, update: (entry: T) => T): T | undefined {
    const i = this.#indexOf(seq);
    if (i < 0) return undefined;
    const next = update(this.#entries[i] as T);
    this.#entries[i] = next;
    return next;
  }

  /** Forgets entries below `seq` (the head stays); returns how many were dropped. */
  trimBelow(seq: number): number {
    let i = this.#indexOf(seq);
    if (i < 0) i = -i - 1;
    this.#entries.splice(0, i);
    return i;
  }

  #extendHead(): void {
    if (this.#head === null) return;
    let i = this.#indexOf(this.#head + 1);
    while (i >= 0) {
      this.#head += 1;
      i = i + 1 < this.#entries.length && this.#entries[i + 1]?.seq === this.#head + 1 ? i + 1 : -1;
    }
  }

  /** Binary search: index of seq, or -(insertion point) - 1. */
  #indexOf(seq: number): number {
    let lo = 0;
    let hi = this.#entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = (this.#entries[mid] as T).seq;
      if (s === seq) return mid;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }
}
