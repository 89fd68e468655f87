// DESIGN §3 step 5: for an unknown username the KDF answer is a deterministic fake, an HMAC of
// the username under the server secret, served with crypto-core's INTERACTIVE_KDF_PARAMS, so
// that asking for a salt does not reveal whether the account exists.
import { createHmac } from 'node:crypto';

const SALT_BYTES = 16;

export function fakeSalt(serverSecret: Uint8Array, username: string): Uint8Array {
  const mac = createHmac('sha256', serverSecret).update(`parley/fake-salt/v1\0${username}`, 'utf8').digest();
  return new Uint8Array(mac.subarray(0, SALT_BYTES));
}
