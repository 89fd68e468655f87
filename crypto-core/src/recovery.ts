// Recovery key (DESIGN §3, account keys, step 7): 32 random bytes shown once as a Crockford base32
// code with a 24-bit BLAKE2b checksum. It wraps the same private keys as the password does, as a
// second key blob; there is no server-side recovery without it.
//
// Why this shape:
// - The recovery key is 256 bits from the CSPRNG, so unlike a password it needs no slow KDF: two
//   crypto_kdf subkeys (contexts "parleyra", id 1 and "parleyrw", id 2) are enough, and the
//   contexts differ from the password's ("parleyau"/"parleywr"), so no recovery subkey can ever
//   equal a password subkey.
// - recoveryAuthKey is what a holder of the code presents to the relay to fetch the recovery blob.
//   The relay stores only a slow hash of it, as for the password authKey, so a database leak does
//   not hand out the blob's access credential; the blob itself is useless without recoveryWrapKey.
// - recoveryWrapKey never leaves the client. The recovery blob is `wrapKeys(recoveryWrapKey,
//   identity)`: the same format and tag ("parley/keyblob/v1", bound to the identity key) as the
//   password blob, so one `unwrapKeys` opens both.

import type { AccountKeys } from './account';
import { checkBytes, concatBytes, constantTimeEqual, KEY_BYTES, wipe } from './bytes';
import { FormatError } from './errors';
import { randomBytes } from './random';
import { sodium } from './sodium';
import { KDF_CONTEXTS } from './tags';

export const RECOVERY_KEY_BYTES = 32;
const CHECKSUM_BYTES = 3;
/** 35 bytes = 280 bits = exactly 56 base32 characters, shown as 14 groups of 4. */
const CODE_CHARS = ((RECOVERY_KEY_BYTES + CHECKSUM_BYTES) * 8) / 5;
const GROUP = 4;

// Crockford's base32: no I, L, O or U, so the code survives handwriting and reading aloud.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A fresh recovery key from the platform CSPRNG (crypto.getRandomValues). */
export function generateRecoveryKey(): Uint8Array {
  return randomBytes(RECOVERY_KEY_BYTES);
}

function checksum(key: Uint8Array): Uint8Array {
  return sodium().crypto_generichash(32, key, null).slice(0, CHECKSUM_BYTES);
}

/** `XXXX-XXXX-…` (14 groups): Crockford base32 of key || first 3 bytes of BLAKE2b-256(key). */
export function formatRecoveryCode(key: Uint8Array): string {
  checkBytes('formatRecoveryCode', 'key', key, RECOVERY_KEY_BYTES);
  const bytes = concatBytes(key, checksum(key));
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
  }
  wipe(bytes);
  const groups: string[] = [];
  for (let i = 0; i < out.length; i += GROUP) groups.push(out.slice(i, i + GROUP));
  return groups.join('-');
}

/**
 * Parses a recovery code. Tolerates lower case, spaces and dashes, and reads I/L as 1 and O as 0
 * (Crockford). Throws FormatError on a bad character, a wrong length or a bad checksum.
 */
export function parseRecoveryCode(code: string): Uint8Array {
  const fn = 'parseRecoveryCode';
  if (typeof code !== 'string') throw new FormatError(`${fn}: not a string`);
  const chars = code.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (chars.length !== CODE_CHARS) {
    throw new FormatError(`${fn}: expected ${CODE_CHARS} characters, got ${chars.length}`);
  }
  const bytes = new Uint8Array(RECOVERY_KEY_BYTES + CHECKSUM_BYTES);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (const c of chars) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) throw new FormatError(`${fn}: invalid character`);
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[n++] = (acc >>> bits) & 0xff;
    }
  }
  const key = bytes.slice(0, RECOVERY_KEY_BYTES);
  const ok = constantTimeEqual(checksum(key), bytes.subarray(RECOVERY_KEY_BYTES));
  wipe(bytes);
  if (!ok) {
    wipe(key);
    throw new FormatError(`${fn}: bad checksum (mistyped code?)`);
  }
  return key;
}

/** recoveryAuthKey = kdf(32, 1, "parleyra", key); recoveryWrapKey = kdf(32, 2, "parleyrw", key). */
export function deriveRecoveryKeys(recoveryKey: Uint8Array): AccountKeys {
  checkBytes('deriveRecoveryKeys', 'recoveryKey', recoveryKey, RECOVERY_KEY_BYTES);
  const s = sodium();
  return {
    authKey: s.crypto_kdf_derive_from_key(KEY_BYTES, 1, KDF_CONTEXTS.recoveryAuth, recoveryKey),
    wrapKey: s.crypto_kdf_derive_from_key(KEY_BYTES, 2, KDF_CONTEXTS.recoveryWrap, recoveryKey),
  };
}
