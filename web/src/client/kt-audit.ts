// The key-log auditor (DESIGN §7.5 "Auditing"): replays a relay's key log from epoch 0 (or from
// a saved state), recomputes every root from the published changes, checks every head's
// signature and the chain, and checks that each user's version only grows. Anyone can run it
// against any relay; it needs no account, only the public /api/kt endpoints.
import {
  CryptoError,
  constantTimeEqual,
  fromBase64,
  KT_GENESIS_PREV,
  type KtHead,
  KtMap,
  ktBindingFromWire,
  ktHeadFromWire,
  ktHeadHash,
  ktLeafValue,
  ktLogKeyFingerprint,
  ktMapKey,
  toBase64,
  verifyKtHead,
} from '@parley/crypto-core';
import type { Api } from './api';

/** What a later run needs to check only the new epochs: the last head and the whole map. */
export interface AuditState {
  logKey: string;
  epoch: number;
  headHash: string;
  /** userId → the version and leaf value (base64url) of their newest binding. */
  users: Record<string, { version: number; value: string }>;
}

export interface AuditResult {
  problems: string[];
  /** Epochs checked in this run. */
  checked: number;
  users: number;
  head: { epoch: number; hash: string } | null;
  logKeyFingerprint: string | null;
  state: AuditState | null;
}

const PAGE = 500;

export async function auditKeyLog(
  api: Api,
  opts: { state?: AuditState; onProblem?: (line: string) => void } = {},
): Promise<AuditResult> {
  const problems: string[] = [];
  const problem = (line: string) => {
    problems.push(line);
    opts.onProblem?.(line);
  };
  const { logKey: served, head: newest } = await api.ktHead();
  const saved = opts.state;
  const logKey = fromBase64(saved?.logKey ?? served);
  if (saved && saved.logKey !== served)
    problem(`log key changed: the relay now names ${served}, the state ${saved.logKey}`);

  const map = KtMap.fromEntries(
    Object.entries(saved?.users ?? {}).map(
      ([id, u]) => [ktMapKey(id), fromBase64(u.value)] as [Uint8Array, Uint8Array],
    ),
  );
  const users = new Map(Object.entries(saved?.users ?? {}));
  let prev: { epoch: number; hash: Uint8Array } | null = saved
    ? { epoch: saved.epoch, hash: fromBase64(saved.headHash) }
    : null;
  let checked = 0;

  // A later run first checks that the head it kept is still on the chain.
  let from = prev ? prev.epoch : 0;
  for (;;) {
    const page = await api.ktHeads(from, PAGE);
    if (page.length === 0) break;
    for (const wire of page) {
      let head: KtHead;
      try {
        head = ktHeadFromWire(wire);
      } catch (err) {
        if (!(err instanceof CryptoError)) throw err;
        problem(`epoch ${wire.epoch}: malformed head (${err.message})`);
        return finish();
      }
      if (prev && head.epoch === prev.epoch) {
        if (!constantTimeEqual(ktHeadHash(head), prev.hash))
          problem(`epoch ${head.epoch}: the kept head is no longer on the chain`);
        continue;
      }
      const expected = prev ? prev.epoch + 1 : 0;
      if (head.epoch !== expected) problem(`epoch ${head.epoch}: expected epoch ${expected}`);
      try {
        verifyKtHead(head, logKey);
      } catch (err) {
        if (!(err instanceof CryptoError)) throw err;
        problem(`epoch ${head.epoch}: bad signature`);
      }
      const link = prev ? prev.hash : KT_GENESIS_PREV;
      if (!constantTimeEqual(head.prevHash, link))
        problem(`epoch ${head.epoch}: prevHash does not chain to epoch ${head.epoch - 1}`);
      const { changes } = await api.ktChanges(head.epoch);
      if (changes.length === 0) problem(`epoch ${head.epoch}: no changes`);
      for (const wireBinding of changes) {
        try {
          const b = ktBindingFromWire(wireBinding);
          const before = users.get(b.userId)?.version ?? 0;
          if (b.version <= before)
            problem(`epoch ${head.epoch}: ${b.userId} version ${b.version} after ${before}`);
          const value = ktLeafValue(b);
          map.set(ktMapKey(b.userId), value);
          users.set(b.userId, { version: b.version, value: toBase64(value) });
        } catch (err) {
          if (!(err instanceof CryptoError)) throw err;
          problem(`epoch ${head.epoch}: malformed change (${err.message})`);
        }
      }
      if (!constantTimeEqual(map.root(), head.root))
        problem(`epoch ${head.epoch}: root does not match the published changes`);
      prev = { epoch: head.epoch, hash: ktHeadHash(head) };
      checked++;
    }
    from = (page.at(-1)?.epoch ?? from) + 1;
    if (page.length < PAGE) break;
  }
  // The chain must reach the head the relay serves to clients: a shorter one hides epochs.
  if (newest && (prev === null || prev.epoch < newest.epoch)) {
    problem(
      `epoch ${newest.epoch}: the relay's head was not reached by the chain it served (it ended at ${prev?.epoch ?? 'no epoch'})`,
    );
  }
  return finish();

  function finish(): AuditResult {
    const state: AuditState | null = prev
      ? {
          logKey: toBase64(logKey),
          epoch: prev.epoch,
          headHash: toBase64(prev.hash),
          users: Object.fromEntries(users),
        }
      : null;
    return {
      problems,
      checked,
      users: users.size,
      head: prev ? { epoch: prev.epoch, hash: toBase64(prev.hash) } : null,
      logKeyFingerprint: ktLogKeyFingerprint(logKey),
      state,
    };
  }
}
