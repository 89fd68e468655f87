// libsodium readiness: the library (about 600 KB of JavaScript and WebAssembly) is imported
// dynamically by `ready()`, so that a page importing crypto-core does not wait for it on its first
// paint. `await ready()` once at start; every other module reaches libsodium through `sodium()`,
// which fails loudly if that was skipped.
import type _sodium from 'libsodium-wrappers-sumo';
import { CryptoError } from './errors';

export type Sodium = typeof _sodium;

let instance: Sodium | null = null;
let loading: Promise<void> | null = null;

async function load(): Promise<void> {
  const lib = (await import('libsodium-wrappers-sumo')).default;
  await lib.ready;
  instance = lib;
}

/**
 * Loads libsodium. Await it once before calling anything else in crypto-core; repeat and
 * concurrent calls share one load, and a failed load (say, a network error) is retried.
 */
export function ready(): Promise<void> {
  loading ??= load().catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

/** The loaded libsodium instance (internal). Throws if `ready()` has not completed. */
export function sodium(): Sodium {
  if (!instance) {
    throw new CryptoError('crypto-core: libsodium is not loaded; await ready() before using crypto-core');
  }
  return instance;
}
