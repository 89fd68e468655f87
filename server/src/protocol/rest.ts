// REST bodies and responses under /api. Requests are strict (unknown fields are refused).
import {
  WireKtBindingSchema,
  WireKtHeadSchema,
  WireKtProofSchema,
  WireMemberEntrySchema,
} from '@parley/crypto-core';
import { z } from 'zod';
import {
  bytes,
  ChannelId,
  ChannelKind,
  ClientMsgId,
  DisplayName,
  Email,
  KdfParams,
  KeyId,
  Seq,
  UserId,
  Username,
  WireBundle,
} from './common';

export const MAX_KEY_BLOB_BYTES = 24 + 96 + 16;
export const MAX_CIPHERTEXT_BYTES = 64 * 1024;
export const MAX_SEALED_SHARE_BYTES = 48 + 64 + 32;
export const MAX_PINS_BYTES = 256 * 1024;

const AuthKey = bytes(32, 32);
const Salt = bytes(16, 16);
const KeyBlob = bytes(24 + 16 + 96, MAX_KEY_BLOB_BYTES);
/** A message envelope (nonce, tag, signature and payload), as sent over REST and /ws. */
export const Ciphertext = bytes(24 + 16 + 64, MAX_CIPHERTEXT_BYTES);
const UserRole = z.enum(['user', 'admin']);

// ---- registration and invites ----

/** An invite code: 16 random bytes (128 bits), unpadded base64url. Only its SHA-256 is stored. */
export const INVITE_CODE_BYTES = 16;
export const InviteCode = bytes(INVITE_CODE_BYTES, INVITE_CODE_BYTES);
/** The web app's route for an invite link: `<origin>/#/register?invite=<code>`. */
export const INVITE_LINK_HASH = '#/register?invite=';
export const MAX_INVITE_USES = 1000;
export const MIN_INVITE_SECONDS = 5 * 60;
export const MAX_INVITE_SECONDS = 90 * 24 * 3600;

/** REGISTRATION: who may create an account. */
export const RegistrationMode = z.enum(['open', 'invite', 'closed']);
export type RegistrationMode = z.infer<typeof RegistrationMode>;
/** An invite as the admin lists it, whatever the relay's mode. */
export const InviteState = z.enum(['active', 'expired', 'used_up', 'revoked']);
export type InviteState = z.infer<typeof InviteState>;
/**
 * What an invite code is worth to someone registering now: `not_accepted` is a panel invite under
 * REGISTRATION=closed, where only the admin CLI's invites work.
 */
export const InviteStatus = z.enum(['valid', 'unknown', 'expired', 'used_up', 'revoked', 'not_accepted']);
export type InviteStatus = z.infer<typeof InviteStatus>;
/** `details.reason` of an `invite_invalid` refusal. */
export const InviteRefusal = z.enum(['unknown', 'expired', 'used_up', 'revoked', 'wrong_username']);
export type InviteRefusal = z.infer<typeof InviteRefusal>;

export const RegistrationQuery = z.strictObject({ invite: InviteCode.optional() });
export const RegistrationResponse = z.object({
  mode: RegistrationMode,
  /** Present when the query named an invite. `username` and `role` only for a valid one. */
  invite: z
    .object({
      status: InviteStatus,
      username: z.string().nullable(),
      role: UserRole.nullable(),
      expiresAt: z.number().nullable(),
    })
    .nullable(),
});
export type RegistrationResponse = z.infer<typeof RegistrationResponse>;

// ---- accounts ----

export const KdfQuery = z.strictObject({ username: Username });
export const KdfResponse = z.object({ salt: z.string(), kdf: KdfParams });
export type KdfResponse = z.infer<typeof KdfResponse>;

/** The sealed contact-pins blob (crypto-core `sealPins`): nonce, tag, signature and JSON. */
const PinsBlob = bytes(24 + 16 + 64, MAX_PINS_BYTES);

export const RegisterBody = z.strictObject({
  username: Username,
  displayName: DisplayName.optional(),
  salt: Salt,
  kdf: KdfParams,
  authKey: AuthKey,
  bundle: WireBundle,
  keyBlob: KeyBlob,
  recovery: z.strictObject({ authKey: AuthKey, keyBlob: KeyBlob }).optional(),
  /** The first, empty pins blob (DESIGN §7.4): every account has one, so a missing blob is withheld. */
  pins: PinsBlob,
  /** The code of an invite link; required under REGISTRATION=invite and closed. */
  invite: InviteCode.optional(),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.strictObject({ username: Username, authKey: AuthKey });

export const Me = z.object({
  id: UserId,
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  role: UserRole,
  avatarVersion: z.number().int().nullable(),
  hasRecovery: z.boolean(),
  createdAt: z.number(),
});
export type Me = z.infer<typeof Me>;

/** Login, registration and recovery answer with the user and what the client needs to unlock. */
export const SessionResponse = z.object({
  user: Me,
  bundle: WireBundle,
  keyBlob: z.string(),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

export const PasswordChangeBody = z.strictObject({
  oldAuthKey: AuthKey,
  salt: Salt,
  kdf: KdfParams,
  authKey: AuthKey,
  keyBlob: KeyBlob,
});

export const RecoverySetBody = z.strictObject({ authKey: AuthKey, keyBlob: KeyBlob });
export const RecoveryFetchBody = z.strictObject({ username: Username, recoveryAuthKey: AuthKey });
export const RecoveryFetchResponse = z.object({ keyBlob: z.string(), bundle: WireBundle });
export type RecoveryFetchResponse = z.infer<typeof RecoveryFetchResponse>;
export const RecoveryResetBody = z.strictObject({
  username: Username,
  recoveryAuthKey: AuthKey,
  salt: Salt,
  kdf: KdfParams,
  authKey: AuthKey,
  keyBlob: KeyBlob,
});

// ---- profile and directory ----

export const ProfilePatchBody = z
  .strictObject({ displayName: DisplayName.optional(), email: Email.nullable().optional() })
  .refine((b) => b.displayName !== undefined || b.email !== undefined, 'nothing to change');

export const PublicUser = z.object({
  id: UserId,
  username: z.string(),
  displayName: z.string(),
  bundle: WireBundle,
  avatarVersion: z.number().int().nullable(),
});
export type PublicUser = z.infer<typeof PublicUser>;
export const DirectoryResponse = z.object({ users: z.array(PublicUser) });
export type DirectoryResponse = z.infer<typeof DirectoryResponse>;
export const UserParams = z.strictObject({ id: UserId });
/** `?v=` names the avatar version the client expects; a match is served as immutable. */
export const AvatarQuery = z.strictObject({ v: z.coerce.number().pipe(z.number().int().min(0)).optional() });
export const AvatarResponse = z.object({ avatarVersion: z.number().int() });
export type AvatarResponse = z.infer<typeof AvatarResponse>;

export const PinsBody = z.strictObject({ blob: PinsBlob });
export const PinsResponse = z.object({ blob: z.string().nullable() });
export type PinsResponse = z.infer<typeof PinsResponse>;

// ---- channels ----

export const Member = z.object({
  userId: UserId,
  role: z.enum(['owner', 'member']),
  joinedSeq: Seq,
});
export type Member = z.infer<typeof Member>;

export const ChannelSummary = z.object({
  id: ChannelId,
  kind: ChannelKind,
  name: z.string().nullable(),
  memberEpoch: z.number().int(),
  /** Entries in a group's signed membership log (0: none yet). A hint: clients verify the log. */
  logLength: z.number().int().min(0),
  lastSeq: Seq,
  joinedSeq: Seq,
  readSeq: Seq,
  unread: z.number().int(),
  members: z.array(Member),
});
export type ChannelSummary = z.infer<typeof ChannelSummary>;
export const ChannelListResponse = z.object({ channels: z.array(ChannelSummary) });

export const OpenDmBody = z.strictObject({ peerId: UserId });

/** A group's id, chosen by its creator (it is signed into every log entry): `g-` and a UUID. */
export const GroupChannelId = z
  .string()
  .regex(/^g-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'expected g-<uuid>');
/** A signed membership-log entry (DESIGN §7.1), as crypto-core's memberEntryToWire writes it. */
export const LogEntry = z.strictObject(WireMemberEntrySchema.shape);
export type LogEntry = z.infer<typeof LogEntry>;
/** Most entries one request may append (a group made before the log, re-signed by its owner). */
export const MAX_LOG_APPEND = 1001;

export const CreateGroupBody = z.strictObject({
  id: GroupChannelId,
  name: z.string().trim().min(1).max(64),
  /** Index 0: `create`, signed by the creator. */
  entry: LogEntry,
});
export const InviteBody = z.strictObject({ userId: UserId, entry: LogEntry });
/** Removing or leaving a group carries the signed entry; broadcast bans and older groups have none. */
export const RemoveMemberBody = z.strictObject({ entry: LogEntry.optional() });
/** The owner of a group made before the log re-signs its members: `create`, then one `add` each. */
export const AdoptLogBody = z.strictObject({ entries: z.array(LogEntry).min(1).max(MAX_LOG_APPEND) });
export const LogQuery = z.strictObject({
  from: z.coerce.number().pipe(z.number().int().min(0)).default(0),
  limit: z.coerce.number().pipe(z.number().int().min(1).max(500)).default(500),
});
export const LogResponse = z.object({
  entries: z.array(LogEntry),
  /** The log's length on the relay now. */
  length: z.number().int().min(0),
});
export type LogResponse = z.infer<typeof LogResponse>;
export const ChannelParams = z.strictObject({ id: ChannelId });
export const MemberParams = z.strictObject({ id: ChannelId, userId: UserId });

// ---- sender-key shares ----

export const SharesUploadBody = z.strictObject({
  keyId: KeyId,
  shares: z
    .array(z.strictObject({ recipientId: UserId, sealed: bytes(48 + 64 + 32, MAX_SEALED_SHARE_BYTES) }))
    .min(1)
    .max(10_000),
});
export const WireShare = z.object({
  channelId: ChannelId,
  senderId: UserId,
  keyId: KeyId,
  recipientId: UserId,
  sealed: z.string(),
  epoch: z.number().int(),
});
export type WireShare = z.infer<typeof WireShare>;
export const SharesQuery = z.strictObject({
  senderId: UserId.optional(),
  keyId: z.coerce.number().pipe(KeyId).optional(),
});
export const SharesResponse = z.object({ shares: z.array(WireShare) });
export type SharesResponse = z.infer<typeof SharesResponse>;

// ---- messages ----

export const SendBody = z.strictObject({
  clientMsgId: ClientMsgId,
  keyId: KeyId,
  ciphertext: Ciphertext,
});
export type SendBody = z.infer<typeof SendBody>;
export const SendResponse = z.object({ seq: Seq, sentAt: z.number() });
export type SendResponse = z.infer<typeof SendResponse>;

export const SystemEvent = z.object({
  event: z.enum(['create', 'join', 'leave', 'remove']),
  userId: UserId,
  actorId: UserId.nullable(),
  /** In a group with a membership log: the signed entry this notice reports (clients render that). */
  logIndex: z.number().int().min(0).nullable(),
});

/** One timeline entry: a ciphertext from a member, a tombstone, or a membership event. */
export const WireMessage = z.object({
  channelId: ChannelId,
  seq: Seq,
  kind: z.enum(['msg', 'system']),
  senderId: UserId.nullable(),
  keyId: KeyId.nullable(),
  clientMsgId: z.string().nullable(),
  ciphertext: z.string().nullable(),
  sentAt: z.number(),
  deleted: z.boolean(),
  system: SystemEvent.nullable(),
});
export type WireMessage = z.infer<typeof WireMessage>;

export const HistoryQuery = z
  .strictObject({
    after: z.coerce.number().pipe(Seq).optional(),
    before: z.coerce.number().pipe(Seq).optional(),
    limit: z.coerce.number().pipe(z.number().int().min(1).max(200)).default(50),
  })
  .refine((q) => q.after === undefined || q.before === undefined, 'use after or before, not both');
export const HistoryResponse = z.object({ messages: z.array(WireMessage), hasMore: z.boolean() });
export type HistoryResponse = z.infer<typeof HistoryResponse>;

export const MessageParams = z.strictObject({ id: ChannelId, seq: z.coerce.number().pipe(Seq) });
export const ReadBody = z.strictObject({ seq: Seq });

// ---- key transparency (DESIGN §7.5): public, read-only ----

/** A signed head of the key map, as crypto-core's ktHeadToWire writes it. */
export const KtHead = z.strictObject(WireKtHeadSchema.shape);
export type KtHead = z.infer<typeof KtHead>;
export const KtBinding = z.strictObject(WireKtBindingSchema.shape);
export type KtBinding = z.infer<typeof KtBinding>;
export const KtProof = z.strictObject(WireKtProofSchema.shape);
export type KtProof = z.infer<typeof KtProof>;

/** The newest head (null before the first epoch) and the public key that signs the heads. */
export const KtHeadResponse = z.object({ head: KtHead.nullable(), logKey: z.string() });
export type KtHeadResponse = z.infer<typeof KtHeadResponse>;
export const KtHeadsQuery = z.strictObject({
  from: z.coerce.number().pipe(z.number().int().min(0)).default(0),
  limit: z.coerce.number().pipe(z.number().int().min(1).max(500)).default(500),
});
export const KtHeadsResponse = z.object({ heads: z.array(KtHead) });
export type KtHeadsResponse = z.infer<typeof KtHeadsResponse>;
export const KtLookupParams = z.strictObject({ userId: UserId });
export const KtLookupQuery = z.strictObject({
  epoch: z.coerce.number().pipe(z.number().int().min(0)).optional(),
});
/** A user's binding (null: absent) with its map proof under `head`. */
export const KtLookupResponse = z.object({ head: KtHead, binding: KtBinding.nullable(), proof: KtProof });
export type KtLookupResponse = z.infer<typeof KtLookupResponse>;
export const KtChangesQuery = z.strictObject({ epoch: z.coerce.number().pipe(z.number().int().min(0)) });
/** The bindings an epoch published: the map's changed keys and values, for auditors. */
export const KtChangesResponse = z.object({ epoch: z.number().int(), changes: z.array(KtBinding) });
export type KtChangesResponse = z.infer<typeof KtChangesResponse>;

// ---- admin ----

export const AdminUser = z.object({
  id: UserId,
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  role: UserRole,
  disabled: z.boolean(),
  createdAt: z.number(),
  lastSeenAt: z.number().nullable(),
  messageCount: z.number().int(),
});
export type AdminUser = z.infer<typeof AdminUser>;
export const AdminUsersResponse = z.object({ users: z.array(AdminUser) });
export type AdminUsersResponse = z.infer<typeof AdminUsersResponse>;
export const AdminUserParams = UserParams;
export const StatsResponse = z.object({
  users: z.number().int(),
  disabledUsers: z.number().int(),
  channels: z.number().int(),
  messages: z.number().int(),
  ciphertextBytes: z.number().int(),
  activeSessions: z.number().int(),
  connectedSockets: z.number().int(),
  uptimeSeconds: z.number(),
  /** The key log: its signing key's fingerprint (for users to compare) and newest epoch. */
  keyLog: z.object({ fingerprint: z.string(), epoch: z.number().int().nullable() }),
});
export type StatsResponse = z.infer<typeof StatsResponse>;

export const AdminInvite = z.object({
  id: z.uuid(),
  source: z.enum(['panel', 'cli']),
  /** Username of the admin who made it in the panel; null for the CLI or a deleted admin. */
  createdBy: z.string().nullable(),
  label: z.string().nullable(),
  /** The only username that may use it; null: any. */
  username: z.string().nullable(),
  role: UserRole,
  maxUses: z.number().int(),
  uses: z.number().int(),
  expiresAt: z.number(),
  createdAt: z.number(),
  state: InviteState,
});
export type AdminInvite = z.infer<typeof AdminInvite>;
export const AdminInvitesResponse = z.object({ mode: RegistrationMode, invites: z.array(AdminInvite) });
export type AdminInvitesResponse = z.infer<typeof AdminInvitesResponse>;
export const CreateInviteBody = z.strictObject({
  maxUses: z.number().int().min(1).max(MAX_INVITE_USES),
  expiresInSeconds: z.number().int().min(MIN_INVITE_SECONDS).max(MAX_INVITE_SECONDS),
  label: z.string().trim().min(1).max(64).optional(),
});
/** The code is in this answer only: the relay keeps its hash. */
export const CreateInviteResponse = z.object({ invite: AdminInvite, code: InviteCode });
export type CreateInviteResponse = z.infer<typeof CreateInviteResponse>;
export const AdminInviteParams = z.strictObject({ id: z.uuid() });
