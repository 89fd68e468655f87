// Checks a public key bundle's encKeySig (DESIGN §3 "Identity"): an Ed25519 signature by the
// identity key over encodeFields("parley/enckey/v1", identityPk, encPk). The server cannot be
// trusted by clients anyway (they verify bundles themselves); refusing a bad bundle at
// registration is hygiene, so a broken client fails early.
import { createPublicKey, verify } from 'node:crypto';
import type { WireBundle } from '../protocol';

const ED25519_PUBLIC_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
/** DER SubjectPublicKeyInfo header for a raw Ed25519 key (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** `utf8(tag) || 0x00 || for each field: u32be(len) || bytes` (DESIGN §3 "Byte helpers"). */
export function encodeFields(tag: string, ...fields: Uint8Array[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from(tag, 'utf8'), Buffer.from([0])];
  for (const field of fields) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(field.length);
    parts.push(len, Buffer.from(field));
  }
  return new Uint8Array(Buffer.concat(parts));
}

export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES)
    return false;
  try {
    const key = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]),
      format: 'der',
      type: 'spki',
    });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** True when the bundle's encryption key is signed by its identity key. */
export function bundleSignatureValid(bundle: WireBundle): boolean {
  const identityPk = Buffer.from(bundle.identityKey, 'base64url');
  const encPk = Buffer.from(bundle.encKey, 'base64url');
  const sig = Buffer.from(bundle.encKeySig, 'base64url');
  return ed25519Verify(identityPk, encodeFields('parley/enckey/v1', identityPk, encPk), sig);
}
