// Typed crypto errors. Every message starts with the name of the public function that threw it
// (`openShare: bad signature`), so a failure in the UI or a log points at the check that fired.
// Callers catch `CryptoError` to handle any of them; they never receive an error as a value.

/** Base class of every error crypto-core throws on purpose. */
export class CryptoError extends Error {
  override readonly name: string = 'CryptoError';
}

/**
 * An AEAD or sealed box did not authenticate: wrong key, tampered or truncated ciphertext,
 * wrong associated data (another channel, sender, keyId, clientMsgId or identity).
 */
export class DecryptError extends CryptoError {
  override readonly name: string = 'DecryptError';
}

/** An Ed25519 signature did not verify under the expected identity key and tag. */
export class SignatureError extends CryptoError {
  override readonly name: string = 'SignatureError';
}

/**
 * A key, nonce, salt, signature or KDF parameter has the wrong type or length, or is too weak.
 * Usually a programming error or a malformed public record; never a reason to retry.
 */
export class KeyError extends CryptoError {
  override readonly name: string = 'KeyError';
}

/** A string or decrypted payload is not in the expected encoding or schema. */
export class FormatError extends CryptoError {
  override readonly name: string = 'FormatError';
}

/**
 * A membership-log entry breaks the chain (wrong index or prev) or a rule of DESIGN §7.1 (for
 * example a remove by a non-owner). A log with one is not a log of this channel: do not use it.
 */
export class MembershipError extends CryptoError {
  override readonly name: string = 'MembershipError';
}

/**
 * Key-transparency heads that do not form one chain (DESIGN §7.5): an epoch skipped or repeated, a
 * prevHash that is not the hash of the head before, or an epoch 0 that does not start from
 * KT_GENESIS_PREV. Signed heads that do not chain are a rewritten or forked history: an alarm.
 */
export class KtChainError extends CryptoError {
  override readonly name: string = 'KtChainError';
}
