// Refuses a public bundle that crypto-core rejects (DESIGN §3 "Identity"): a bad encKeySig, an
// identity key that is not a valid Ed25519 point, or a small-order X25519 encryption key nobody
// can seal to. Clients verify bundles themselves and cannot trust the relay anyway; refusing a
// bad one at registration keeps one account from breaking every broadcast send.
import { bundleFromWire, CryptoError, ready } from '@parley/crypto-core';
import type { WireBundle } from '../protocol';

/** Why crypto-core rejects the bundle, or null when it is sound. */
export async function bundleProblem(bundle: WireBundle): Promise<string | null> {
  await ready();
  try {
    bundleFromWire(bundle);
    return null;
  } catch (err) {
    if (err instanceof CryptoError) return err.message;
    throw err;
  }
}
