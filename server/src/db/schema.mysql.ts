// MySQL / MariaDB schema (drizzle-orm/mysql-core), the production store. Must stay
// column-for-column equal to schema.sqlite.ts: shared.ts checks at compile time that both infer
// the same row types. Times are BIGINT milliseconds; client bytes are BLOBs.
import {
  bigint,
  boolean,
  customType,
  foreignKey,
  index,
  int,
  mysqlTable,
  primaryKey,
  text,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/mysql-core';

/** Opaque client bytes as Uint8Array in rows; mysql2 wants and returns Buffers. */
function bytesColumn(sqlType: 'blob' | 'mediumblob') {
  return customType<{ data: Uint8Array; driverData: Buffer }>({
    dataType: () => sqlType,
    toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
    fromDriver: (value) => new Uint8Array(value),
  });
}
/** Up to 64 KiB - 1: salts, key blobs, sealed shares. */
const blob = bytesColumn('blob');
/** Up to 16 MiB: ciphertexts (64 KiB is allowed, one byte too many for BLOB), avatars, pins. */
const mediumblob = bytesColumn('mediumblob');

const ms = (name: string) => bigint(name, { mode: 'number' });
const uuid = (name: string) => varchar(name, { length: 36 });
const channelId = (name: string) => varchar(name, { length: 64 });

export const users = mysqlTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    username: varchar('username', { length: 32 }).notNull(),
    displayName: varchar('display_name', { length: 128 }).notNull(),
    email: varchar('email', { length: 254 }),
    role: varchar('role', { length: 8, enum: ['user', 'admin'] }).notNull(),
    disabled: boolean('disabled').notNull(),
    kdfSalt: blob('kdf_salt').notNull(),
    kdfAlg: varchar('kdf_alg', { length: 16, enum: ['argon2id13'] }).notNull(),
    kdfOpslimit: int('kdf_opslimit').notNull(),
    kdfMemlimit: bigint('kdf_memlimit', { mode: 'number' }).notNull(),
    verifier: varchar('verifier', { length: 255 }).notNull(),
    /** The signed public bundle as JSON (WireBundle). */
    bundle: text('bundle').notNull(),
    keyBlob: blob('key_blob').notNull(),
    recoveryVerifier: varchar('recovery_verifier', { length: 255 }),
    recoveryBlob: blob('recovery_blob'),
    avatarVersion: ms('avatar_version'),
    createdAt: ms('created_at').notNull(),
    lastSeenAt: ms('last_seen_at'),
  },
  (t) => [uniqueIndex('users_username_uq').on(t.username)],
);

export const sessions = mysqlTable(
  'sessions',
  {
    tokenHash: varchar('token_hash', { length: 128 }).primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

export const channels = mysqlTable('channels', {
  id: channelId('id').primaryKey(),
  kind: varchar('kind', { length: 16, enum: ['broadcast', 'dm', 'group'] }).notNull(),
  name: varchar('name', { length: 128 }),
  memberEpoch: int('member_epoch').notNull(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
  /** Entries in the group's membership log; 0 for DMs, broadcast and groups older than the log. */
  logLength: int('log_length').notNull().default(0),
  createdAt: ms('created_at').notNull(),
});

export const members = mysqlTable(
  'members',
  {
    channelId: channelId('channel_id')
      .notNull()
      .references(() => channels.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 8, enum: ['owner', 'member'] }).notNull(),
    joinedSeq: bigint('joined_seq', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] }), index('members_user_idx').on(t.userId)],
);

/** One row per sender key: its epoch is fixed at the first upload of its shares. */
export const senderKeys = mysqlTable(
  'sender_keys',
  {
    channelId: channelId('channel_id')
      .notNull()
      .references(() => channels.id),
    senderId: uuid('sender_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    keyId: bigint('key_id', { mode: 'number' }).notNull(),
    epoch: int('epoch').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.senderId, t.keyId] }),
    index('sender_keys_sender_idx').on(t.senderId),
  ],
);

export const senderKeyShares = mysqlTable(
  'sender_key_shares',
  {
    channelId: channelId('channel_id').notNull(),
    senderId: uuid('sender_id').notNull(),
    keyId: bigint('key_id', { mode: 'number' }).notNull(),
    recipientId: uuid('recipient_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sealed: blob('sealed').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.senderId, t.keyId, t.recipientId] }),
    foreignKey({
      name: 'shares_key_fk',
      columns: [t.channelId, t.senderId, t.keyId],
      foreignColumns: [senderKeys.channelId, senderKeys.senderId, senderKeys.keyId],
    }).onDelete('cascade'),
    index('shares_recipient_idx').on(t.channelId, t.recipientId),
    index('shares_recipient_user_idx').on(t.recipientId),
  ],
);

export const messages = mysqlTable(
  'messages',
  {
    channelId: channelId('channel_id')
      .notNull()
      .references(() => channels.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    kind: varchar('kind', { length: 8, enum: ['msg', 'system'] }).notNull(),
    /** No foreign key: tombstones outlive a deleted account. */
    senderId: uuid('sender_id'),
    keyId: bigint('key_id', { mode: 'number' }),
    clientMsgId: uuid('client_msg_id'),
    ciphertext: mediumblob('ciphertext'),
    sentAt: ms('sent_at').notNull(),
    deleted: boolean('deleted').notNull(),
    systemEvent: varchar('system_event', { length: 8, enum: ['create', 'join', 'leave', 'remove'] }),
    systemUserId: uuid('system_user_id'),
    systemActorId: uuid('system_actor_id'),
    /** For a group's membership entries: the index of the signed log entry it reports. */
    systemLogIndex: int('system_log_index'),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.seq] }),
    uniqueIndex('messages_client_msg_uq').on(t.senderId, t.clientMsgId),
  ],
);

/**
 * The signed membership log of each group (DESIGN §7.1): the only source of its member set,
 * owner and epoch. Entries are stored as signed; `hash` is computed by the relay on append.
 * No foreign keys on the ids: the log outlives deleted accounts.
 */
export const membershipLog = mysqlTable(
  'membership_log',
  {
    channelId: channelId('channel_id')
      .notNull()
      .references(() => channels.id),
    idx: int('idx').notNull(),
    prev: blob('prev').notNull(),
    action: varchar('action', { length: 8, enum: ['create', 'add', 'remove', 'leave'] }).notNull(),
    actorId: uuid('actor_id').notNull(),
    subjectId: uuid('subject_id').notNull(),
    subjectIdentityPk: blob('subject_identity_pk').notNull(),
    sig: blob('sig').notNull(),
    hash: blob('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.idx] })],
);

/**
 * Every key binding ever published in the key-transparency map (DESIGN §7.5), one row per
 * (user, version): append-only, so that auditors can replay each epoch's changes. `epoch` is
 * null while the binding waits for the next epoch. No foreign key: bindings outlive accounts.
 */
export const ktBindings = mysqlTable(
  'kt_bindings',
  {
    userId: uuid('user_id').notNull(),
    version: int('version').notNull(),
    username: varchar('username', { length: 32 }).notNull(),
    identityKey: blob('identity_key').notNull(),
    encKey: blob('enc_key').notNull(),
    encKeySig: blob('enc_key_sig').notNull(),
    epoch: int('epoch'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.version] }), index('kt_bindings_epoch_idx').on(t.epoch)],
);

/** The signed heads of the key map, one per epoch, chained by prevHash. */
export const ktHeads = mysqlTable('kt_heads', {
  epoch: int('epoch').primaryKey(),
  root: blob('root').notNull(),
  prevHash: blob('prev_hash').notNull(),
  timeMs: ms('time_ms').notNull(),
  sig: blob('sig').notNull(),
  hash: blob('hash').notNull(),
});

/** Which relay makes epochs: a lease in the database, so that one relay does at a time. */
export const ktLease = mysqlTable('kt_lease', {
  id: int('id').primaryKey(),
  holder: varchar('holder', { length: 64 }).notNull(),
  expiresAt: ms('expires_at').notNull(),
});

export const avatars = mysqlTable('avatars', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  mime: varchar('mime', { length: 64 }).notNull(),
  data: mediumblob('data').notNull(),
  version: ms('version').notNull(),
});

export const readMarkers = mysqlTable(
  'read_markers',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    channelId: channelId('channel_id')
      .notNull()
      .references(() => channels.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] })],
);

export const contactPins = mysqlTable('contact_pins', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  blob: mediumblob('blob').notNull(),
});

/**
 * Registration invites (REGISTRATION=invite|closed). Only a SHA-256 of the code is kept: the
 * link is shown once, to whoever made it. `uses` moves only inside the registering transaction.
 */
export const invites = mysqlTable(
  'invites',
  {
    id: uuid('id').primaryKey(),
    codeHash: varchar('code_hash', { length: 64 }).notNull(),
    /** `panel` (an admin in the web app) or `cli` (the admin CLI; the only kind REGISTRATION=closed takes). */
    source: varchar('source', { length: 8, enum: ['panel', 'cli'] }).notNull(),
    /** The admin who made it in the panel; null for the CLI. No foreign key: it outlives the admin. */
    createdBy: uuid('created_by'),
    label: varchar('label', { length: 64 }),
    /** The one username that may use it (the CLI's create-user / create-admin); null: any. */
    username: varchar('username', { length: 32 }),
    role: varchar('role', { length: 8, enum: ['user', 'admin'] }).notNull(),
    maxUses: int('max_uses').notNull(),
    uses: int('uses').notNull(),
    expiresAt: ms('expires_at').notNull(),
    revoked: boolean('revoked').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [uniqueIndex('invites_code_hash_uq').on(t.codeHash)],
);
