// Accounts made straight through the REST API with real keys but without Argon2id (a random
// authKey and key blob): for tests and benchmarks that need many accounts and measure something
// else. The keys are real, so bundles, shares and the key log behave as for any account.
import { randomBytes } from 'node:crypto';
import {
  bundleToWire,
  generateIdentity,
  type IdentityKeys,
  INTERACTIVE_KDF_PARAMS,
  makeBundle,
  sealPins,
  toBase64,
  wrapKeys,
} from '@parley/crypto-core';
import type { Relay } from './relay';

export interface FastUser {
  id: string;
  identity: IdentityKeys;
  /** `parley_session=…`, for requests as this user. */
  cookie: string;
}

export async function registerFast(relay: Relay, name: string): Promise<FastUser> {
  const identity = generateIdentity();
  const res = await fetch(`${relay.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: relay.origin },
    body: JSON.stringify({
      username: `${name.slice(0, 18)}-${randomBytes(4).toString('hex')}`,
      salt: toBase64(randomBytes(16)),
      kdf: INTERACTIVE_KDF_PARAMS,
      authKey: toBase64(randomBytes(32)),
      bundle: bundleToWire(makeBundle(identity)),
      keyBlob: toBase64(wrapKeys(randomBytes(32), identity)),
      pins: toBase64(sealPins({ v: 1, version: 1, contacts: {} }, identity)),
    }),
  });
  if (res.status !== 201) throw new Error(`register ${name}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const { user } = (await res.json()) as { user: { id: string } };
  return { id: user.id, identity, cookie };
}
