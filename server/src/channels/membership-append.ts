// Whether signed membership-log entries may be appended to a group (DESIGN §7.1). The relay checks
// every entry with crypto-core exactly as clients do: index and prev against its head, the rules,
// and the signature under the key the log bound to the actor. Clients never rely on this check;
// it keeps a broken or hostile client from writing a log that honest members would reject.
import {
  CryptoError,
  constantTimeEqual,
  type MemberEntry,
  MembershipLog,
  memberEntryFromWire,
  memberEntryHash,
} from '@parley/crypto-core';
import type { LogAppend, LogEntryRecord, Store } from '../db/store';
import { ApiError, badRequest } from '../middleware/errors';
import type { LogEntry } from '../protocol';

/** Verified logs cached per channel, so that an append costs one signature check, not all of them. */
const CACHE_MAX = 1_000;
const PAGE = 500;

export class MembershipLogs {
  readonly #store: Store;
  readonly #cache = new Map<string, MembershipLog>();

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * The group's stored log of `length` entries, verified. A stored log that does not verify means
   * the database was edited behind the relay: that is a 500, never a silent repair.
   */
  async current(channelId: string, length: number): Promise<MembershipLog> {
    let log = this.#cache.get(channelId);
    if (log !== undefined && log.length > 0 && log.length <= length) {
      // The cached head must still be the stored entry at its index.
      const [head] = await this.#store.getMembershipLog(channelId, log.length - 1, 1);
      if (head === undefined || !constantTimeEqual(head.hash, log.head)) log = undefined;
    } else log = undefined;
    if (log === undefined) {
      log = MembershipLog.verify(channelId, await this.#read(channelId, 0, length));
    } else {
      for (const row of await this.#read(channelId, log.length, length)) log = log.withEntry(row);
    }
    if (log.length !== length) throw new Error(`membership log of ${channelId} is shorter than recorded`);
    this.remember(log);
    return log;
  }

  async #read(channelId: string, from: number, length: number): Promise<LogEntryRecord[]> {
    const rows: LogEntryRecord[] = [];
    while (from + rows.length < length) {
      const page = await this.#store.getMembershipLog(channelId, from + rows.length, PAGE);
      if (page.length === 0) break;
      rows.push(...page);
    }
    return rows;
  }

  remember(log: MembershipLog): void {
    this.#cache.delete(log.channelId);
    this.#cache.set(log.channelId, log);
    if (this.#cache.size > CACHE_MAX) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
  }
}

/** Parses wire entries for a channel; a malformed one is a 400 naming the problem. */
export function parseEntries(channelId: string, wire: readonly LogEntry[]): MemberEntry[] {
  return wire.map((w) => {
    try {
      return memberEntryFromWire(channelId, w);
    } catch (err) {
      if (err instanceof CryptoError) throw badRequest(`membership entry refused: ${err.message}`);
      throw err;
    }
  });
}

/**
 * Checks `entries` as the next entries of `log`. An entry that does not continue the head is a
 * 409 `log_conflict` (someone appended first: fetch the log and sign again); one that breaks a
 * rule or whose signature fails is a 400. Returns what the store must append.
 */
export function planAppend(
  log: MembershipLog,
  entries: readonly MemberEntry[],
  mode: LogAppend['mode'],
  createdAt: number,
): { append: LogAppend; next: MembershipLog } {
  const first = entries[0];
  if (first === undefined) throw badRequest('no membership entry');
  if (first.index !== log.length || !constantTimeEqual(first.prev, log.head)) {
    throw new ApiError(
      409,
      'log_conflict',
      `the membership log has ${log.length} entries: sign against its head`,
      {
        length: log.length,
      },
    );
  }
  let next = log;
  const records: LogEntryRecord[] = [];
  for (const entry of entries) {
    try {
      next = next.withEntry(entry);
    } catch (err) {
      if (err instanceof CryptoError) throw badRequest(`membership entry refused: ${err.message}`);
      throw err;
    }
    records.push({ ...entry, hash: memberEntryHash(entry) });
  }
  return {
    next,
    append: {
      channelId: log.channelId,
      expectLength: log.length,
      expectHead: log.head,
      entries: records,
      owner: next.owner,
      mode,
      createdAt,
    },
  };
}
