// @parley/crypto-core: the one public crypto interface of Parley (DESIGN §3). Re-exports only.
// Call `await ready()` once before anything else.

export {
  type AccountKeys,
  deriveAccountKeys,
  INTERACTIVE_KDF_PARAMS,
  type KdfParams,
  KdfParamsSchema,
  KEY_BLOB_BYTES,
  MAX_MEMLIMIT,
  MAX_OPSLIMIT,
  MIN_MEMLIMIT,
  MIN_OPSLIMIT,
  newSalt,
  rewrapKeys,
  unwrapKeys,
  type WrapOptions,
  wrapKeys,
} from './account';
export {
  AEAD_TAG_BYTES,
  BOX_PUBLIC_KEY_BYTES,
  BOX_SECRET_KEY_BYTES,
  concatBytes,
  constantTimeEqual,
  encodeFields,
  fromBase64,
  fromHex,
  fromUtf8,
  KEY_BYTES,
  MAX_ID_BYTES,
  NONCE_BYTES,
  SALT_BYTES,
  SEAL_OVERHEAD_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
  SIGN_SECRET_KEY_BYTES,
  SIGN_SEED_BYTES,
  SIGNATURE_BYTES,
  toBase64,
  toHex,
  U32_MAX,
  u32be,
  u64be,
  utf8,
  wipe,
} from './bytes';
export { DM_PREFIX, dmChannelId, GROUP_PREFIX, newGroupChannelId } from './channel-ids';
export {
  type DecryptMessageInput,
  decryptMessage,
  type EncryptMessageInput,
  type EnvelopeContext,
  encryptMessage,
  type KtHeadRef,
  KtHeadRefSchema,
  MAX_EMOJI_CHARS,
  MAX_MENTIONS,
  MAX_TEXT_CHARS,
  type MembershipHead,
  MembershipHeadSchema,
  MIN_ENVELOPE_BYTES,
  newClientMsgId,
  type Payload,
  PayloadSchema,
} from './envelope';
export {
  CryptoError,
  DecryptError,
  FormatError,
  KeyError,
  KtChainError,
  MembershipError,
  SignatureError,
} from './errors';
export {
  compareQrPayload,
  expectedQrPayload,
  FINGERPRINT_ITERATIONS,
  fingerprintQrPayload,
  formatSafetyNumber,
  numericFingerprint,
  safetyNumber,
} from './fingerprint';
export {
  bundleFromWire,
  bundleToWire,
  generateIdentity,
  type IdentityKeys,
  identityFromSecretKeys,
  makeBundle,
  type PublicBundle,
  verifyBundle,
  type WireBundle,
  WireBundleSchema,
} from './keys';
export {
  KT_GENESIS_PREV,
  type KtHead,
  type KtHeadFields,
  ktHeadBytes,
  ktHeadFromWire,
  ktHeadHash,
  ktHeadToWire,
  ktLogKeyFingerprint,
  signKtHead,
  verifyKtChain,
  verifyKtHead,
  type WireKtHead,
  WireKtHeadSchema,
} from './kt-head';
export {
  type KtBinding,
  ktBindingFromWire,
  ktBindingToWire,
  ktLeafBytes,
  ktLeafValue,
  ktMapKey,
  type WireKtBinding,
  WireKtBindingSchema,
} from './kt-leaf';
export { KtMap } from './kt-map';
export {
  KT_BITMAP_BYTES,
  type KtProof,
  ktProofFromWire,
  ktProofToWire,
  ktVerifyProof,
  type WireKtProof,
  WireKtProofSchema,
} from './kt-proof';
export { KT_DEPTH, KT_HASH_BYTES, ktDefaultHash, ktLeafNodeHash, ktNodeHash } from './kt-tree';
export { type MemberInfo, MembershipLog } from './membership';
export {
  MEMBER_ACTIONS,
  MEMBER_HASH_BYTES,
  type MemberAction,
  type MemberEntry,
  type MemberEntryFields,
  memberEntryBody,
  memberEntryFromWire,
  memberEntryHash,
  memberEntryToWire,
  signMemberEntry,
  type WireMemberEntry,
  WireMemberEntrySchema,
} from './membership-entry';
export {
  type ContactPin,
  ContactPinSchema,
  type ContactPins,
  ContactPinsSchema,
  type KtPins,
  KtPinsSchema,
  openPins,
  type SealPinsOptions,
  sealPins,
} from './pins';
export { isUsableEncKey, isValidIdentityKey } from './public-keys';
export {
  deriveRecoveryKeys,
  formatRecoveryCode,
  generateRecoveryKey,
  parseRecoveryCode,
  RECOVERY_KEY_BYTES,
} from './recovery';
export {
  generateSenderKey,
  type OpenShareInput,
  openShare,
  SEALED_SHARE_BYTES,
  type SealShareInput,
  type ShareContext,
  sealShare,
} from './sender-keys';
export { ready } from './sodium';
export { KDF_CONTEXTS, TAGS, type Tag } from './tags';
