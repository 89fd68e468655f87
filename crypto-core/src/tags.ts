// Domain-separation tags (DESIGN §3). Each is part of the wire format: every signed message and
// every piece of AEAD associated data starts with exactly one of them, via `encodeFields`.
// Changing a tag is a format break; add a new version (`/v2`) instead.

export const TAGS = {
  /** Signed: binds the X25519 encryption key to the Ed25519 identity key. */
  encKey: 'parley/enckey/v1',
  /** AEAD associated data of the password- or recovery-wrapped private keys. */
  keyBlob: 'parley/keyblob/v1',
  /** Signed: a sender-key share for one recipient. */
  share: 'parley/share/v1',
  /** AEAD associated data of a message envelope. */
  msgAd: 'parley/msg/ad/v1',
  /** Signed: a message envelope (its AD and payload). */
  msgSig: 'parley/msg/sig/v1',
  /** Hashed: derivation input of the contact-pins key. */
  pinsKey: 'parley/pins/key/v1',
  /** AEAD associated data of the contact-pins blob. */
  pinsAd: 'parley/pins/ad/v1',
  /** Signed: the contact-pins blob. */
  pinsSig: 'parley/pins/sig/v1',
  /** Signed: one membership-log entry of a group (DESIGN §7.1). */
  memberEntry: 'parley/member/v1',
  /** Hashed: a membership-log entry and its signature, giving the entry's hash (the next prev). */
  memberHash: 'parley/member/hash/v1',
  /** Hashed: a key-transparency leaf, one user's key binding (DESIGN §7.5). */
  ktLeaf: 'parley/kt/leaf/v1',
  /** Signed: a key-transparency head, one epoch of the relay's key log. */
  ktHead: 'parley/kt/head/v1',
  /** Hashed: a key-transparency head and its signature, giving the head's hash (the next prevHash). */
  ktHeadHash: 'parley/kt/head/hash/v1',
  /** Hashed: the relay's log key, for its fingerprint. */
  ktLogKey: 'parley/kt/logkey/v1',
} as const;

export type Tag = (typeof TAGS)[keyof typeof TAGS];

/** crypto_kdf contexts (exactly 8 bytes each, as libsodium requires). */
export const KDF_CONTEXTS = {
  accountAuth: 'parleyau',
  accountWrap: 'parleywr',
  recoveryAuth: 'parleyra',
  recoveryWrap: 'parleyrw',
  pins: 'parleypn',
} as const;
