// libsodium readiness: the WebAssembly module loads asynchronously, so `await ready()` once at start;
// every other module reaches libsodium through `sodium()`, which fails loudly if that was skipped.
import _sodium from 'libsodium-wrappers-sumo';
import { CryptoError } from './errors';

export type Sodium = typeof _sodium;

let loaded = false;

/** Loads libsodium. Await it once before calling anything else in crypto-core; repeat calls are cheap. */
export async function ready(): Promise<void> {
  await _sodium.ready;
  loaded = true;
}

/** The loaded libsodium instance (internal). Throws if `ready()` has not completed. */
export function sodium(): Sodium {
  if (!loaded) {
    throw new CryptoError('crypto-core: libsodium is not loaded; await ready() before using crypto-core');
  }
  return _sodium;
}
