// The SQL text of the Store's append, per dialect, as drizzle renders the queries of
// server/src/db/{sqlite,mysql}-store.ts (lockChannel, messagesByClientIds, sendFacts,
// insertMessages, updateChannel; send-facts.ts). Kept by hand: when the Store's queries change,
// change these (MariaDB's general log shows both side by side).
import type { NewMessage } from '../../server/src/db/store';

const MESSAGE_COLUMNS = [
  'channel_id',
  'seq',
  'kind',
  'sender_id',
  'key_id',
  'client_msg_id',
  'ciphertext',
  'sent_at',
  'deleted',
  'system_event',
  'system_user_id',
  'system_actor_id',
  'system_log_index',
];
const CHANNEL_COLUMNS = ['id', 'kind', 'name', 'member_epoch', 'last_seq', 'log_length', 'created_at'];

export type RawSql = ReturnType<typeof rawSql>;

export function rawSql(dialect: 'sqlite' | 'mysql') {
  const q = (name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  const col = (table: string, name: string) => `${q(table)}.${q(name)}`;
  return {
    memberEpochColumn: CHANNEL_COLUMNS.indexOf('member_epoch'),
    lastSeqColumn: CHANNEL_COLUMNS.indexOf('last_seq'),
    lock: `select ${CHANNEL_COLUMNS.map(q).join(', ')} from ${q('channels')} where ${col('channels', 'id')} = ? limit ?${dialect === 'mysql' ? ' for update' : ''}`,
    originals: (senders: number, ids: number) =>
      `select ${MESSAGE_COLUMNS.map(q).join(', ')} from ${q('messages')} where (${col('messages', 'sender_id')} in (${marks(senders)}) and ${col('messages', 'client_msg_id')} in (${marks(ids)}))`,
    // server/src/db/send-facts.ts: every column table-qualified.
    facts: [
      `select exists(select 1 from ${q('members')} where ${col('members', 'channel_id')} = ? and ${col('members', 'user_id')} = ?),`,
      `(select ${col('sender_keys', 'epoch')} from ${q('sender_keys')} where ${col('sender_keys', 'channel_id')} = ? and ${col('sender_keys', 'sender_id')} = ? and ${col('sender_keys', 'key_id')} = ?),`,
      `(select count(*) from ${q('members')} where ${col('members', 'channel_id')} = ? and not exists (select 1 from ${q('sender_key_shares')} where ${col('sender_key_shares', 'channel_id')} = ${col('members', 'channel_id')} and ${col('sender_key_shares', 'sender_id')} = ? and ${col('sender_key_shares', 'key_id')} = ? and ${col('sender_key_shares', 'recipient_id')} = ${col('members', 'user_id')}))`,
      `from ${q('channels')} where ${col('channels', 'id')} = ?`,
    ].join(' '),
    insert: (rows: number) =>
      `insert into ${q('messages')} (${MESSAGE_COLUMNS.map(q).join(', ')}) values ${Array.from({ length: rows }, () => `(${marks(MESSAGE_COLUMNS.length)})`).join(', ')}`,
    update: `update ${q('channels')} set ${q('member_epoch')} = ?, ${q('last_seq')} = ? where ${col('channels', 'id')} = ?`,
    lastSeq: `select ${q('last_seq')} from ${q('channels')} where ${q('id')} = ?`,
    /** One message row's parameters, typed as drizzle passes them to the driver. */
    messageArgs(m: NewMessage, seq: number, now: number): unknown[] {
      const ciphertext = dialect === 'mysql' ? Buffer.from(m.ciphertext) : m.ciphertext;
      const deleted = dialect === 'mysql' ? false : 0;
      return [
        m.channelId,
        seq,
        'msg',
        m.senderId,
        m.keyId,
        m.clientMsgId,
        ciphertext,
        now,
        deleted,
        null,
        null,
        null,
        null,
      ];
    },
  };
}
