// SQLite schema (drizzle-orm/sqlite-core), the embedded default store. Must stay column-for-column
// equal to schema.mysql.ts: shared.ts checks at compile time that both infer the same row types.
import {
  customType,
  foreignKey,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

/** Opaque client bytes. libsql hands blobs back as ArrayBuffer; rows always carry Uint8Array. */
const bytes = customType<{ data: Uint8Array; driverData: ArrayBuffer | Uint8Array }>({
  dataType: () => 'blob',
  toDriver: (value) => value,
  fromDriver: (value) => new Uint8Array(value),
});

const bool = (name: string) => integer(name, { mode: 'boolean' });

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    email: text('email'),
    role: text('role', { enum: ['user', 'admin'] }).notNull(),
    disabled: bool('disabled').notNull(),
    kdfSalt: bytes('kdf_salt').notNull(),
    kdfAlg: text('kdf_alg', { enum: ['argon2id13'] }).notNull(),
    kdfOpslimit: integer('kdf_opslimit').notNull(),
    kdfMemlimit: integer('kdf_memlimit').notNull(),
    verifier: text('verifier').notNull(),
    /** The signed public bundle as JSON (WireBundle). */
    bundle: text('bundle').notNull(),
    keyBlob: bytes('key_blob').notNull(),
    recoveryVerifier: text('recovery_verifier'),
    recoveryBlob: bytes('recovery_blob'),
    avatarVersion: integer('avatar_version'),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at'),
  },
  (t) => [uniqueIndex('users_username_uq').on(t.username)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

export const channels = sqliteTable('channels', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['broadcast', 'dm', 'group'] }).notNull(),
  name: text('name'),
  memberEpoch: integer('member_epoch').notNull(),
  lastSeq: integer('last_seq').notNull(),
  /** Entries in the group's membership log; 0 for DMs, broadcast and groups older than the log. */
  logLength: integer('log_length').notNull().default(0),
  createdAt: integer('created_at').notNull(),
});

export const members = sqliteTable(
  'members',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'member'] }).notNull(),
    joinedSeq: integer('joined_seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] }), index('members_user_idx').on(t.userId)],
);

/** One row per sender key: its epoch is fixed at the first upload of its shares. */
export const senderKeys = sqliteTable(
  'sender_keys',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    senderId: text('sender_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    keyId: integer('key_id').notNull(),
    epoch: integer('epoch').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.senderId, t.keyId] }),
    index('sender_keys_sender_idx').on(t.senderId),
  ],
);

export const senderKeyShares = sqliteTable(
  'sender_key_shares',
  {
    channelId: text('channel_id').notNull(),
    senderId: text('sender_id').notNull(),
    keyId: integer('key_id').notNull(),
    recipientId: text('recipient_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sealed: bytes('sealed').notNull(),
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

export const messages = sqliteTable(
  'messages',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    seq: integer('seq').notNull(),
    kind: text('kind', { enum: ['msg', 'system'] }).notNull(),
    /** No foreign key: tombstones outlive a deleted account. */
    senderId: text('sender_id'),
    keyId: integer('key_id'),
    clientMsgId: text('client_msg_id'),
    ciphertext: bytes('ciphertext'),
    sentAt: integer('sent_at').notNull(),
    deleted: bool('deleted').notNull(),
    systemEvent: text('system_event', { enum: ['create', 'join', 'leave', 'remove'] }),
    systemUserId: text('system_user_id'),
    systemActorId: text('system_actor_id'),
    /** For a group's membership entries: the index of the signed log entry it reports. */
    systemLogIndex: integer('system_log_index'),
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
export const membershipLog = sqliteTable(
  'membership_log',
  {
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    idx: integer('idx').notNull(),
    prev: bytes('prev').notNull(),
    action: text('action', { enum: ['create', 'add', 'remove', 'leave'] }).notNull(),
    actorId: text('actor_id').notNull(),
    subjectId: text('subject_id').notNull(),
    subjectIdentityPk: bytes('subject_identity_pk').notNull(),
    sig: bytes('sig').notNull(),
    hash: bytes('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.idx] })],
);

/**
 * Every key binding ever published in the key-transparency map (DESIGN §7.5), one row per
 * (user, version): append-only, so that auditors can replay each epoch's changes. `epoch` is
 * null while the binding waits for the next epoch. No foreign key: bindings outlive accounts.
 */
export const ktBindings = sqliteTable(
  'kt_bindings',
  {
    userId: text('user_id').notNull(),
    version: integer('version').notNull(),
    username: text('username').notNull(),
    identityKey: bytes('identity_key').notNull(),
    encKey: bytes('enc_key').notNull(),
    encKeySig: bytes('enc_key_sig').notNull(),
    epoch: integer('epoch'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.version] }), index('kt_bindings_epoch_idx').on(t.epoch)],
);

/** The signed heads of the key map, one per epoch, chained by prevHash. */
export const ktHeads = sqliteTable('kt_heads', {
  epoch: integer('epoch').primaryKey(),
  root: bytes('root').notNull(),
  prevHash: bytes('prev_hash').notNull(),
  timeMs: integer('time_ms').notNull(),
  sig: bytes('sig').notNull(),
  hash: bytes('hash').notNull(),
});

/** Which relay makes epochs: a lease in the database, so that one relay does at a time. */
export const ktLease = sqliteTable('kt_lease', {
  id: integer('id').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

export const avatars = sqliteTable('avatars', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  mime: text('mime').notNull(),
  data: bytes('data').notNull(),
  version: integer('version').notNull(),
});

export const readMarkers = sqliteTable(
  'read_markers',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    channelId: text('channel_id')
      .notNull()
      .references(() => channels.id),
    seq: integer('seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] })],
);

export const contactPins = sqliteTable('contact_pins', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  blob: bytes('blob').notNull(),
});

/**
 * Registration invites (REGISTRATION=invite|closed). Only a SHA-256 of the code is kept: the
 * link is shown once, to whoever made it. `uses` moves only inside the registering transaction.
 */
export const invites = sqliteTable(
  'invites',
  {
    id: text('id').primaryKey(),
    codeHash: text('code_hash').notNull(),
    /** `panel` (an admin in the web app) or `cli` (the admin CLI; the only kind REGISTRATION=closed takes). */
    source: text('source', { enum: ['panel', 'cli'] }).notNull(),
    /** The admin who made it in the panel; null for the CLI. No foreign key: it outlives the admin. */
    createdBy: text('created_by'),
    label: text('label'),
    /** The one username that may use it (the CLI's create-user / create-admin); null: any. */
    username: text('username'),
    role: text('role', { enum: ['user', 'admin'] }).notNull(),
    maxUses: integer('max_uses').notNull(),
    uses: integer('uses').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revoked: bool('revoked').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('invites_code_hash_uq').on(t.codeHash)],
);
