import type { WireMessage } from '@parley/server/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, ClosedError, TimeoutError } from './errors';
import { RealtimeSocket } from './socket';

type Frame = { type: string; id?: string; [k: string]: unknown };

/** A scripted stand-in for the relay's end of the socket. */
class FakeWebSocket {
  static all: FakeWebSocket[] = [];
  readyState = 0;
  sent: Frame[] = [];
  onopen: ((e: unknown) => unknown) | null = null;
  onmessage: ((e: { data: unknown }) => unknown) | null = null;
  onclose: ((e: { code: number; reason: string }) => unknown) | null = null;
  onerror: ((e: unknown) => unknown) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.all.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Frame);
  }
  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  // ---- test side ----
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  last(type: string): Frame {
    const f = this.sent.filter((x) => x.type === type).at(-1);
    if (!f) throw new Error(`no ${type} frame sent`);
    return f;
  }
  ack(type: string, result: Record<string, unknown> = {}): void {
    this.push({ type: 'ack', id: this.last(type).id, result });
  }
}

const CH = 'group-1';
const ME = '00000000-0000-4000-8000-000000000001';
const clientMsgId = '11111111-1111-4111-8111-111111111111';
const ciphertext = 'A'.repeat(140);

function msg(seq: number, channelId = CH): WireMessage {
  return {
    channelId,
    seq,
    kind: 'msg',
    senderId: ME,
    keyId: 1,
    clientMsgId: crypto.randomUUID(),
    ciphertext,
    sentAt: 1000 + seq,
    deleted: false,
    system: null,
  };
}

const tick = () => vi.advanceTimersByTimeAsync(0);
const current = () => FakeWebSocket.all.at(-1) as FakeWebSocket;

function make(opts: Partial<ConstructorParameters<typeof RealtimeSocket>[0]> = {}) {
  const socket = new RealtimeSocket({
    url: 'ws://relay/ws',
    WebSocket: FakeWebSocket,
    userId: ME,
    requestTimeoutMs: 1_000,
    pingIntervalMs: 0,
    backoff: { baseMs: 100, maxMs: 1_000, factor: 2 },
    random: () => 1,
    ...opts,
  });
  const seen: number[] = [];
  socket.events.on('message', (m) => seen.push(m.seq));
  return { socket, seen };
}

async function connect(socket: RealtimeSocket): Promise<FakeWebSocket> {
  if (socket.state === 'idle') socket.start();
  const ws = current();
  ws.open();
  ws.ack('hello');
  await tick();
  return ws;
}

beforeEach(() => {
  FakeWebSocket.all = [];
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RealtimeSocket', () => {
  it('says hello with the last seq of every tracked channel', async () => {
    const { socket } = make();
    socket.track(CH, 7);
    socket.track('broadcast', 42);
    socket.start();
    current().open();
    expect(current().last('hello').since).toEqual({ [CH]: 7, broadcast: 42 });
    socket.stop();
  });

  it('resolves a send with the seq of its ack and puts it in the timeline', async () => {
    const { socket, seen } = make();
    socket.track(CH, 0);
    const ws = await connect(socket);
    const sent = socket.send({ channelId: CH, clientMsgId, keyId: 1, ciphertext });
    await tick();
    ws.ack('send', { seq: 1, sentAt: 5 });
    await expect(sent).resolves.toEqual({ seq: 1, sentAt: 5 });
    expect(seen).toEqual([1]);
    ws.push({ type: 'message', message: { ...msg(1), clientMsgId } });
    expect(seen).toEqual([1]);
    socket.stop();
  });

  it('rejects a refused send with the relay error code', async () => {
    const { socket } = make();
    const ws = await connect(socket);
    const sent = socket.send({ channelId: CH, clientMsgId, keyId: 1, ciphertext });
    await tick();
    ws.push({
      type: 'error',
      id: ws.last('send').id,
      error: { code: 'missing_shares', message: 'missing', details: { missing: [ME] } },
    });
    const err = await sent.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('missing_shares');
    expect((err as ApiError).missingMembers).toEqual([ME]);
    expect(socket.unacked).toBe(0);
    socket.stop();
  });

  it('applies sync pages in order and ignores entries it already has', async () => {
    const { socket, seen } = make();
    socket.track(CH, 2);
    socket.start();
    const ws = current();
    ws.open();
    ws.push({ type: 'sync', channelId: CH, messages: [msg(3), msg(4)], hasMore: true });
    ws.push({ type: 'message', message: msg(4) });
    ws.push({ type: 'sync', channelId: CH, messages: [msg(5)], hasMore: false });
    ws.ack('hello');
    await tick();
    expect(seen).toEqual([3, 4, 5]);
    expect(socket.timeline(CH).head).toBe(5);
    expect(socket.since()).toEqual({ [CH]: 5 });
    socket.stop();
  });

  it('fetches the missing range when a message frame skips seqs', async () => {
    const { socket, seen } = make();
    socket.track(CH, 1);
    const ws = await connect(socket);
    ws.push({ type: 'message', message: msg(5) });
    await tick();
    const fetch = ws.last('fetch');
    expect(fetch).toMatchObject({ channelId: CH, after: 1 });
    ws.ack('fetch', { messages: [msg(2), msg(3), msg(4), msg(5)], hasMore: false });
    await tick();
    expect(seen).toEqual([5, 2, 3, 4]);
    expect(
      socket
        .timeline(CH)
        .entries()
        .map((m) => m.seq),
    ).toEqual([2, 3, 4, 5]);
    expect(socket.timeline(CH).hasGap).toBe(false);
    socket.stop();
  });

  it('replaces a message with its tombstone when deleted', async () => {
    const { socket } = make();
    socket.track(CH, 0);
    const ws = await connect(socket);
    ws.push({ type: 'message', message: msg(1) });
    const deleted: number[] = [];
    socket.events.on('deleted', (d) => deleted.push(d.seq));
    ws.push({ type: 'deleted', channelId: CH, seq: 1 });
    expect(deleted).toEqual([1]);
    expect(socket.timeline(CH).get(1)).toMatchObject({ deleted: true, ciphertext: null });
    socket.stop();
  });

  it('retries an unacked send after reconnecting, with the same clientMsgId', async () => {
    const { socket } = make();
    socket.track(CH, 0);
    const first = await connect(socket);
    const sent = socket.send({ channelId: CH, clientMsgId, keyId: 1, ciphertext });
    await tick();
    expect(first.last('send').clientMsgId).toBe(clientMsgId);
    first.close(1006);
    expect(socket.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(100);
    const second = current();
    expect(second).not.toBe(first);
    second.open();
    second.ack('hello');
    await tick();
    expect(second.last('send').clientMsgId).toBe(clientMsgId);
    second.ack('send', { seq: 1, sentAt: 9 });
    await expect(sent).resolves.toEqual({ seq: 1, sentAt: 9 });
    socket.stop();
  });

  it('backs off exponentially between failed attempts and resets after a hello', async () => {
    const { socket } = make();
    const delays: number[] = [];
    socket.events.on('connection', (e) => {
      if (e.state === 'closed' && e.retryInMs !== undefined) delays.push(e.retryInMs);
    });
    socket.start();
    for (let i = 0; i < 4; i++) {
      current().close(1006);
      await vi.advanceTimersByTimeAsync(delays.at(-1) ?? 0);
    }
    expect(delays).toEqual([100, 200, 400, 800]);
    await connect(socket);
    current().close(1006);
    expect(delays.at(-1)).toBe(100);
    socket.stop();
  });

  it('does not reconnect after the relay closed the account (4003)', async () => {
    const { socket } = make();
    const events: { state: string; code?: number; retryInMs?: number }[] = [];
    socket.events.on('connection', (e) => events.push(e));
    const ws = await connect(socket);
    ws.close(4003, 'account disabled or deleted');
    expect(socket.state).toBe('closed');
    expect(events.at(-1)).toEqual({ state: 'closed', attempt: 1, code: 4003 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    socket.stop();
  });

  it('does not reconnect after the session ended (4001) until told to resume', async () => {
    const { socket } = make();
    socket.track(CH, 0);
    const ws = await connect(socket);
    const sent = socket.send({ channelId: CH, clientMsgId, keyId: 1, ciphertext });
    await tick();
    ws.close(4001, 'session ended');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    // The relay still knows the session after all: connect again and finish the send.
    socket.resume();
    await vi.advanceTimersByTimeAsync(100);
    const again = current();
    expect(again).not.toBe(ws);
    again.open();
    again.ack('hello');
    await tick();
    again.ack('send', { seq: 1, sentAt: 9 });
    await expect(sent).resolves.toEqual({ seq: 1, sentAt: 9 });
    socket.stop();
  });

  it('times out an unanswered request and reconnects', async () => {
    const { socket } = make();
    const ws = await connect(socket);
    const req = socket.request({ type: 'ping' });
    const caught = req.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await caught).toBeInstanceOf(TimeoutError);
    expect(ws.readyState).toBe(3);
    expect(socket.state).toBe('closed');
    socket.stop();
  });

  it('reports a malformed frame and keeps working', async () => {
    const { socket, seen } = make();
    socket.track(CH, 0);
    const ws = await connect(socket);
    const errors: Error[] = [];
    socket.events.on('error', (e) => errors.push(e));
    ws.onmessage?.({ data: 'not json' });
    ws.push({ type: 'bogus' });
    ws.push({ type: 'message', message: msg(1) });
    expect(errors).toHaveLength(2);
    expect(seen).toEqual([1]);
    socket.stop();
  });

  it('rejects pending work with ClosedError when stopped', async () => {
    const { socket } = make();
    await connect(socket);
    const sent = socket.send({ channelId: CH, clientMsgId, keyId: 1, ciphertext }).catch((e: unknown) => e);
    socket.stop();
    expect(await sent).toBeInstanceOf(ClosedError);
    expect(socket.state).toBe('stopped');
  });

  it('forgets a channel the user was removed from', async () => {
    const { socket } = make();
    socket.track(CH, 3);
    const ws = await connect(socket);
    ws.push({ type: 'channel', channelId: CH, channel: null });
    expect(socket.since()).toEqual({});
    socket.stop();
  });
});
