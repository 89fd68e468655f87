// Runs Argon2id (crypto-core's deriveAccountKeys) off the main thread so the page stays responsive.
// One request per message; the answer carries the derived keys as transferable buffers.
import './lib/zod-config';
import { deriveAccountKeys, ready } from '@parley/crypto-core';
import type { KdfRequest, KdfResponse } from './lib/kdf-protocol';

/** The parts of DedicatedWorkerGlobalScope used here (the app's tsconfig has the DOM lib, not WebWorker). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<KdfRequest>) => void) | null;
  postMessage(message: KdfResponse, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = async (event: MessageEvent<KdfRequest>) => {
  const { id, password, salt, params } = event.data;
  try {
    await ready();
    const { authKey, wrapKey } = await deriveAccountKeys(password, salt, params);
    const reply: KdfResponse = { id, ok: true, authKey, wrapKey };
    scope.postMessage(reply, [authKey.buffer, wrapKey.buffer]);
  } catch (err) {
    const reply: KdfResponse = { id, ok: false, message: err instanceof Error ? err.message : String(err) };
    scope.postMessage(reply);
  }
};
