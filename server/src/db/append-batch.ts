// One appending transaction for a batch of sends, with a fixed number of statements whatever the
// batch size: one lock per channel, one duplicate lookup, one fact query per (channel, sender,
// key), one multi-row insert, one seq update per channel. Channels are locked up front in sorted
// order (no lock-order deadlocks between batches); nothing else changes them while the locks are
// held, so facts read once hold for the whole batch.
import { checkSend, type SendFacts } from '../channels/send-check';
import { MESSAGE_CHUNK, type Queries } from './backend';
import { type ChannelRow, type MessageRow, messageFromRow, messageRow } from './shared';
import type { AppendResult, NewMessage } from './store';

const clientKey = (senderId: string, clientMsgId: string) => `${senderId}\u0000${clientMsgId}`;

/** Stored messages of the batch's (sender, clientMsgId) pairs, by pair. */
async function storedOriginals(q: Queries, batch: NewMessage[]): Promise<Map<string, MessageRow>> {
  const senders = [...new Set(batch.map((m) => m.senderId))];
  const ids = [...new Set(batch.map((m) => m.clientMsgId))];
  const rows = await q.messagesByClientIds(senders, ids);
  // The lookup crosses senders with ids; keep only the pairs the batch names.
  const wanted = new Set(batch.map((m) => clientKey(m.senderId, m.clientMsgId)));
  const found = new Map<string, MessageRow>();
  for (const row of rows) {
    if (row.senderId === null || row.clientMsgId === null) continue;
    const key = clientKey(row.senderId, row.clientMsgId);
    if (wanted.has(key)) found.set(key, row);
  }
  return found;
}

/** The send facts of one (channel, sender, key), read with one statement in the usual case. */
async function readFacts(q: Queries, channel: ChannelRow, m: NewMessage): Promise<SendFacts> {
  const row = await q.sendFacts(channel.id, m.senderId, m.keyId);
  const missing = row.missingCount === 0 ? [] : await q.membersWithoutShare(channel.id, m.senderId, m.keyId);
  return {
    memberEpoch: channel.memberEpoch,
    senderIsMember: row.senderIsMember,
    keyEpoch: row.keyEpoch,
    missing,
  };
}

export async function appendBatch(q: Queries, batch: NewMessage[], now: number): Promise<AppendResult[]> {
  const channels = new Map<string, ChannelRow>();
  for (const id of [...new Set(batch.map((m) => m.channelId))].sort()) {
    const row = await q.lockChannel(id);
    if (row !== undefined) channels.set(id, row);
  }
  const originals = await storedOriginals(q, batch);
  const facts = new Map<string, Promise<SendFacts>>();
  const factsOf = (channel: ChannelRow, m: NewMessage): Promise<SendFacts> => {
    const name = `${clientKey(m.senderId, m.channelId)}\u0000${m.keyId}`;
    let f = facts.get(name);
    if (f === undefined) {
      f = readFacts(q, channel, m);
      facts.set(name, f);
    }
    return f;
  };

  const results: AppendResult[] = [];
  const rows: MessageRow[] = [];
  const touched = new Set<ChannelRow>();
  for (const m of batch) {
    const key = clientKey(m.senderId, m.clientMsgId);
    const original = originals.get(key);
    if (original !== undefined) {
      results.push(
        original.channelId === m.channelId
          ? { ok: true, message: messageFromRow(original), duplicate: true }
          : { ok: false, code: 'id_conflict' },
      );
      continue;
    }
    const channel = channels.get(m.channelId);
    if (channel === undefined) {
      results.push({ ok: false, code: 'not_found' });
      continue;
    }
    const rejection = checkSend(await factsOf(channel, m));
    if (rejection !== null) {
      results.push(rejection);
      continue;
    }
    const row = messageRow(m, channel.lastSeq + 1, now);
    channel.lastSeq = row.seq;
    touched.add(channel);
    rows.push(row);
    // A second copy later in the same batch is a duplicate of this one.
    originals.set(key, row);
    results.push({ ok: true, message: messageFromRow(row), duplicate: false });
  }
  for (let i = 0; i < rows.length; i += MESSAGE_CHUNK)
    await q.insertMessages(rows.slice(i, i + MESSAGE_CHUNK));
  for (const channel of touched) {
    await q.updateChannel(channel.id, { lastSeq: channel.lastSeq, memberEpoch: channel.memberEpoch });
  }
  return results;
}
