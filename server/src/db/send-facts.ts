// The send check's facts as one SQL selection, the same text in both dialects (each passes its own
// tables). Columns are written table-qualified: drizzle renders a bare column reference unqualified,
// which inside the correlated NOT EXISTS would bind to the inner table.
import { type AnyColumn, type SQL, sql, type Table } from 'drizzle-orm';

interface FactTables {
  members: Table & { channelId: AnyColumn; userId: AnyColumn };
  senderKeys: Table & { channelId: AnyColumn; senderId: AnyColumn; keyId: AnyColumn; epoch: AnyColumn };
  shares: Table & { channelId: AnyColumn; senderId: AnyColumn; keyId: AnyColumn; recipientId: AnyColumn };
}

/** `table.column`, qualified. */
const col = (table: Table, column: AnyColumn): SQL => sql`${table}.${sql.identifier(column.name)}`;

export function sendFactsSelection(t: FactTables, channelId: string, senderId: string, keyId: number) {
  const { members: m, senderKeys: k, shares: s } = t;
  return {
    member:
      sql<number>`exists(select 1 from ${m} where ${col(m, m.channelId)} = ${channelId} and ${col(m, m.userId)} = ${senderId})`.mapWith(
        Number,
      ),
    keyEpoch: sql<
      number | null
    >`(select ${col(k, k.epoch)} from ${k} where ${col(k, k.channelId)} = ${channelId} and ${col(k, k.senderId)} = ${senderId} and ${col(k, k.keyId)} = ${keyId})`,
    missing:
      sql<number>`(select count(*) from ${m} where ${col(m, m.channelId)} = ${channelId} and not exists (select 1 from ${s} where ${col(s, s.channelId)} = ${col(m, m.channelId)} and ${col(s, s.senderId)} = ${senderId} and ${col(s, s.keyId)} = ${keyId} and ${col(s, s.recipientId)} = ${col(m, m.userId)}))`.mapWith(
        Number,
      ),
  };
}

/** Reads the selection's row into the store's shape. */
export function sendFactsFromRow(
  row: { member: number; keyEpoch: number | null; missing: number } | undefined,
) {
  return {
    senderIsMember: row?.member === 1,
    keyEpoch: row?.keyEpoch === null || row?.keyEpoch === undefined ? undefined : Number(row.keyEpoch),
    missingCount: row?.missing ?? 0,
  };
}
