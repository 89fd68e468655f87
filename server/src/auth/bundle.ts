// Refuses a public bundle whose encKeySig does not verify (DESIGN §3 "Identity"), using
// crypto-core's own check. Clients verify bundles themselves and cannot trust the relay anyway;
// refusing a bad one at registration is hygiene, so a broken client fails early.
import { bundleFromWire, CryptoError, ready } from '@parley/crypto-core';
import type { WireBundle } from '../protocol';

/** True when the bundle's encryption key is signed by its identity key. */
export async function bundleSignatureValid(bundle: WireBundle): Promise<boolean> {
  await ready();
  try {
    bundleFromWire(bundle);
    return true;
  } catch (err) {
    if (err instanceof CryptoError) return false;
    throw err;
  }
}
