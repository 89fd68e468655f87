// XChaCha20-Poly1305-IETF with a random 24-byte nonce carried in front: nonce24 || ciphertext || tag16.
// Confidentiality and integrity of the plaintext and the associated data under one 32-byte key;
// 192-bit random nonces make collisions negligible. Not sender authentication: anyone holding the
// key can produce a valid box, so callers sign inside when the key is shared (internal module).
import { AEAD_TAG_BYTES, checkBytes, concatBytes, KEY_BYTES, NONCE_BYTES } from './bytes';
import { DecryptError } from './errors';
import { randomOrTestValue } from './random';
import { sodium } from './sodium';

/** Smallest possible box: nonce and tag around an empty plaintext. */
export const AEAD_OVERHEAD_BYTES = NONCE_BYTES + AEAD_TAG_BYTES;

/** `nonce || XChaCha20-Poly1305(key, plaintext, ad)`; `testNonce` only under a test runner. */
export function aeadSeal(
  fn: string,
  key: Uint8Array,
  plaintext: Uint8Array,
  ad: Uint8Array,
  testNonce: Uint8Array | undefined,
): Uint8Array {
  checkBytes(fn, 'key', key, KEY_BYTES);
  const nonce = randomOrTestValue(fn, 'dangerousTestOnlyNonce', NONCE_BYTES, testNonce);
  const ciphertext = sodium().crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key);
  return concatBytes(nonce, ciphertext);
}

/** Opens `aeadSeal`'s output. Throws DecryptError `${fn}: ...` on any authentication failure. */
export function aeadOpen(fn: string, key: Uint8Array, box: Uint8Array, ad: Uint8Array): Uint8Array {
  checkBytes(fn, 'key', key, KEY_BYTES);
  if (!(box instanceof Uint8Array) || box.length < AEAD_OVERHEAD_BYTES) {
    throw new DecryptError(`${fn}: ciphertext too short`);
  }
  try {
    return sodium().crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      box.subarray(NONCE_BYTES),
      ad,
      box.subarray(0, NONCE_BYTES),
      key,
    );
  } catch {
    throw new DecryptError(`${fn}: decryption failed (wrong key, tampered ciphertext or wrong context)`);
  }
}
