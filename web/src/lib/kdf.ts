// Worker-backed password derivation: the same contract as crypto-core's deriveAccountKeys, but the
// Argon2id work happens in kdf.worker.ts so the UI keeps painting (and can show progress).
import type { AccountKeys } from '@parley/crypto-core';
import type { DeriveFn } from '../client';
import type { KdfRequest, KdfResponse } from './kdf-protocol';

export class KdfError extends Error {
  override name = 'KdfError';
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (k: AccountKeys) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('../kdf.worker.ts', import.meta.url), { type: 'module', name: 'parley-kdf' });
  w.onmessage = (event: MessageEvent<KdfResponse>) => {
    const reply = event.data;
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve({ authKey: reply.authKey, wrapKey: reply.wrapKey });
    else waiter.reject(new KdfError(`deriveAccountKeys: ${reply.message}`));
  };
  w.onerror = (event) => {
    event.preventDefault();
    for (const waiter of pending.values())
      waiter.reject(new KdfError('deriveAccountKeys: the key worker failed'));
    pending.clear();
    w.terminate();
    worker = null;
  };
  worker = w;
  return w;
}

/** Argon2id in a Web Worker. Resolves with the same `{authKey, wrapKey}` crypto-core would return. */
export const deriveInWorker: DeriveFn = (password, salt, params) =>
  new Promise<AccountKeys>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const request: KdfRequest = { id, password, salt: salt.slice(), params };
    getWorker().postMessage(request);
  });
