// Delivery semantics over /ws (DESIGN §4 "Delivery semantics") with real relay processes and
// protocol clients: reconnect and sync, order under concurrent senders, and a relay killed with
// SIGKILL mid-send. Runs on SQLite, and the restart test on MySQL too when MYSQL_URL is set.
import { randomUUID } from 'node:crypto';
import { BROADCAST_CHANNEL_ID as B } from '@parley/server/protocol';
import type { ConnectionEvent } from '@parley/web/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGapFree } from '../support/assert';
import { dropDatabase, freshDatabaseUrl, mysqlUrlFromEnv } from '../support/mysql';
import { type Relay, startRelay } from '../support/relay';
import { connected, loginAgain, makeUser, type TestUser, texts, waitFor } from '../support/users';
import { SocketControl } from '../support/ws-factory';
import { RawSocket } from './realtime-support';

const FAST = { SEND_RATE_PER_SEC: '10000', SEND_BURST: '10000' };

/** Seqs of a channel's timeline that carry one of `wanted`, in timeline order. */
const seqsOf = (u: TestUser, channelId: string, wanted: Set<string>) =>
  u.client
    .timeline(channelId)
    .filter((m) => m.text !== undefined && wanted.has(m.text))
    .map((m) => m.seq);

describe('reconnect and ordering', () => {
  const bobNet = new SocketControl();
  let relay: Relay;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    relay = await startRelay({ name: 'rt-delivery', env: FAST });
    alice = await makeUser(relay, 'alice');
    bob = await makeUser(relay, 'bob', { client: { sockets: bobNet } });
    await Promise.all([connected(alice), connected(bob)]);
  });
  afterAll(async () => {
    alice?.client.lock();
    bob?.client.lock();
    await relay?.dispose();
  });

  it('reconnects by itself after its connection is cut, and gets the 50 messages sent meanwhile once, in order', async () => {
    await alice.client.send(B, 'before the drop');
    await waitFor(() => texts(bob.client, B).includes('before the drop'), 'bob has the first message');
    const socket = bob.client.socket;
    const states: ConnectionEvent[] = [];
    const arrivals: string[] = [];
    const offs = [
      bob.client.events.on('connection', (c) => states.push(c)),
      bob.client.events.on('message', (m) => {
        if (m.text?.startsWith('while away')) arrivals.push(m.text);
      }),
    ];
    try {
      // The link dies under the client (no close frame) and stays down while Alice sends.
      bobNet.offline();
      expect(bobNet.cut()).toBe(1);
      await waitFor(() => states.some((c) => c.state === 'closed' && c.code === 1006), 'bob sees the drop');
      const sent = Array.from({ length: 50 }, (_, i) => `while away ${i}`);
      for (const text of sent) await alice.client.send(B, text);
      // At least one reconnect attempt failed and was retried with backoff.
      await waitFor(() => bobNet.refused >= 1 && states.some((c) => c.attempt >= 2), 'a failed retry');
      expect(arrivals).toEqual([]);
      const closedStates = states.filter((c) => c.state === 'closed');
      expect(closedStates.every((c) => (c.retryInMs ?? 0) > 0)).toBe(true);
      bobNet.online();

      await waitFor(() => bob.client.socket?.ready, 'bob reconnected by himself');
      await waitFor(() => arrivals.length >= 50, 'the 50 missed messages');
      await new Promise((r) => setTimeout(r, 200));
      // The same client object reconnected (not a fresh one from connect()).
      expect(bob.client.socket).toBe(socket);
      expect(bobNet.live).toBe(1);
      expect(arrivals).toEqual(sent);
      expect(texts(bob.client, B).filter((t) => t.startsWith('while away'))).toEqual(sent);
    } finally {
      bobNet.online();
      for (const off of offs) off();
    }
  });

  it('sends each entry once across a sync that overlaps live traffic', async () => {
    const { lastSeq } = await bob.client.api.channel(B);
    const cookie = bob.fetch.jar.header() as string;
    // Alice keeps sending while a raw socket syncs from 20 entries back.
    const sending = (async () => {
      for (let i = 0; i < 30; i++) await alice.client.send(B, `overlap ${i}`);
    })();
    const raw = await RawSocket.open(relay.wsUrl, { cookie, origin: relay.origin });
    try {
      await raw.request({ type: 'hello', since: { [B]: lastSeq - 20 } });
      await sending;
      const { lastSeq: end } = await bob.client.api.channel(B);
      await raw.next((f) => f.type === 'message' && f.message.seq === end);
      const seqs = raw.frames.flatMap((f) =>
        f.type === 'sync' ? f.messages.map((m) => m.seq) : f.type === 'message' ? [f.message.seq] : [],
      );
      const expected = Array.from({ length: end - lastSeq + 20 }, (_, i) => lastSeq - 19 + i);
      expect(seqs).toEqual(expected);
    } finally {
      raw.close();
    }
  });

  it('gives five concurrent senders the same gap-free sequence', async () => {
    const others = await Promise.all(['cat', 'dan', 'eve'].map((n) => makeUser(relay, n)));
    const clients = [alice, bob, ...others];
    try {
      await Promise.all(others.map((u) => connected(u)));
      const wanted = new Set<string>();
      await Promise.all(
        clients.map((u, k) =>
          Promise.all(
            Array.from({ length: 20 }, (_, i) => {
              const text = `concurrent ${k}.${i}`;
              wanted.add(text);
              return u.client.send(B, text);
            }),
          ),
        ),
      );
      for (const u of clients) {
        await waitFor(() => seqsOf(u, B, wanted).length === 100, `all 100 messages at ${u.username}`);
      }
      const reference = seqsOf(alice, B, wanted);
      const timeline = alice.client.timeline(B).map((m) => m.seq);
      const from = timeline.indexOf(reference[0] as number);
      const slice = timeline.slice(from, timeline.indexOf(reference.at(-1) as number) + 1);
      // Gap-free: consecutive seqs, nothing else in between.
      expect(slice).toEqual(Array.from({ length: slice.length }, (_, i) => (reference[0] as number) + i));
      expect(slice).toHaveLength(100);
      for (const u of clients) {
        expect(seqsOf(u, B, wanted)).toEqual(reference);
        expect(
          u.client
            .timeline(B)
            .map((m) => m.text)
            .filter((t) => t !== undefined && wanted.has(t)),
        ).toHaveLength(100);
      }
    } finally {
      for (const u of others) u.client.lock();
    }
  });
});

const MYSQL_URL = mysqlUrlFromEnv();
const backends = [{ name: 'SQLite', mysql: false }, ...(MYSQL_URL ? [{ name: 'MySQL', mysql: true }] : [])];

describe.each(backends)('relay killed with SIGKILL while clients send ($name)', ({ mysql }) => {
  let relay: Relay;
  let db: { url: string } | null = null;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    db = mysql ? freshDatabaseUrl(MYSQL_URL as string, 'parley_rt') : null;
    relay = await startRelay({ name: 'rt-restart', env: FAST, ...(db ? { databaseUrl: db.url } : {}) });
    alice = await makeUser(relay, 'alice');
    bob = await makeUser(relay, 'bob');
    await Promise.all([connected(alice), connected(bob)]);
  });
  afterAll(async () => {
    alice?.client.lock();
    bob?.client.lock();
    await relay?.dispose();
    if (db) await dropDatabase(db.url);
  });

  it('keeps every acked message exactly once, and retried sends do not duplicate', async () => {
    const total = 80;
    const acked = new Map<string, number>();
    const ids: string[] = Array.from({ length: total }, () => randomUUID());
    let killed: Promise<void> | null = null;
    let ackedBeforeCrash = new Map<string, number>();
    // Each send keeps its clientMsgId. The socket retries unacked frames after reconnecting; a send
    // that failed outright (e.g. its REST key lookup hit the dead relay) is retried here, as an app would.
    const sendUntilAcked = async (clientMsgId: string, text: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await alice.client.send(B, text, { clientMsgId });
          acked.set(clientMsgId, r.seq);
          if (acked.size === 10 && !killed) {
            ackedBeforeCrash = new Map(acked);
            killed = relay.kill('SIGKILL');
          }
          return r;
        } catch (err) {
          if (attempt >= 50) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    // Eight senders, ten messages each, one after the other: the crash lands mid-stream.
    const workers = Array.from({ length: 8 }, async (_, w) => {
      const results = [];
      for (let i = w; i < total; i += 8) results.push(await sendUntilAcked(ids[i] as string, `crash ${i}`));
      return results;
    });
    await waitFor(() => killed !== null, 'the crash');
    await killed;
    expect(acked.size).toBeLessThan(total);
    await relay.restart();

    const results = (await Promise.all(workers)).flat();
    // An ack from before the crash still names the same stored message.
    for (const [id, seq] of ackedBeforeCrash) expect(acked.get(id)).toBe(seq);

    const history = await bob.client.api.history(B, { after: 0, limit: 200 });
    const stored = history.messages.filter((m) => m.clientMsgId !== null && ids.includes(m.clientMsgId));
    expect(stored).toHaveLength(total);
    expect(new Set(stored.map((m) => m.clientMsgId)).size).toBe(total);
    for (const r of results) expect(stored.find((m) => m.clientMsgId === r.clientMsgId)?.seq).toBe(r.seq);
    const seqs = history.messages.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => (seqs[0] as number) + i));

    // Bob's client, reconnected on its own, ends with every stored entry once. (Entries are checked
    // by seq, not text: a message whose share lookup hit the dead relay shows as undecryptable.)
    const storedSeqs = stored.map((m) => m.seq);
    const bobSeqs = () => bob.client.timeline(B).map((m) => m.seq);
    await waitFor(() => storedSeqs.every((seq) => bobSeqs().includes(seq)), 'bob holds every stored entry', {
      timeoutMs: 15_000,
    });
    expect(new Set(bobSeqs()).size).toBe(bobSeqs().length);

    // Alice's own client, which did the retrying: nothing left unacked, every send held once
    // under the stored seq, and what she holds is a gap-free run without duplicates.
    expect(alice.client.socket?.unacked).toBe(0);
    const aliceView = () => alice.client.timeline(B);
    await waitFor(
      () => storedSeqs.every((seq) => aliceView().some((m) => m.seq === seq && m.status === 'ok')),
      'alice holds every stored entry, decrypted',
      { timeoutMs: 15_000 },
    );
    const aliceSeqs = aliceView().map((m) => m.seq);
    expect(new Set(aliceSeqs).size).toBe(aliceSeqs.length);
    expect(isGapFree(aliceSeqs)).toBe(true);
    expect(aliceView().filter((m) => m.status === 'undecryptable')).toEqual([]);
    const mine = aliceView().filter((m) => m.clientMsgId !== null && ids.includes(m.clientMsgId));
    expect(mine).toHaveLength(total);
    expect(new Set(mine.map((m) => m.clientMsgId)).size).toBe(total);
    for (const m of mine) {
      expect(m.seq).toBe(stored.find((s) => s.clientMsgId === m.clientMsgId)?.seq);
      expect(m.text).toBe(`crash ${ids.indexOf(m.clientMsgId as string)}`);
    }

    // A fresh browser reads every acked message, intact, once.
    const fresh = await loginAgain(relay, bob);
    try {
      await fresh.client.loadNewer(B);
      const crashTexts = texts(fresh.client, B).filter((t) => t.startsWith('crash '));
      expect(crashTexts.sort()).toEqual(Array.from({ length: total }, (_, i) => `crash ${i}`).sort());
    } finally {
      fresh.client.lock();
    }
  });
});
