// The Parley relay under test: the real process (test/support/relay.ts), pinned to the server core,
// with real accounts, a sender key per sender shared with every member, and authenticated sockets
// that said `hello` and went live. All members are in the broadcast channel of a fresh relay.
import { randomBytes } from 'node:crypto';
import { generateSenderKey, sealShare, toBase64 } from '@parley/crypto-core';
import { BROADCAST_CHANNEL_ID } from '@parley/server/protocol';
import WebSocket from 'ws';
import { registerFast } from '../support/fast-register';
import { freePort, type Relay, startRelay } from '../support/relay';
import { exportCheckout } from './checkout';
import { pinToCore, SERVER_CORE } from './cpu';
import type { Cast, Member, Sender } from './envelopes';
import { ackedId, refusedId } from './frames';
import type { BenchSocket, FrameSink, Server, StartOptions } from './server';

export interface ParleyServer extends Server {
  readonly relay: Relay;
  /** Registers `n` accounts (all in the broadcast channel); the first `senders` share a sender key. */
  enroll(n: number, senders: number): Promise<Cast>;
}

/** Sends are limited per user in production; the load is many sends per user, on purpose. */
const RELAY_ENV = {
  SEND_RATE_PER_SEC: '1000000',
  SEND_BURST: '1000000',
  LOG_LEVEL: process.env.BENCH_RELAY_LOG_LEVEL ?? 'warn',
  KT_EPOCH_MS: '1000',
};

/**
 * BENCH_PARLEY_REF: measure the relay of that commit instead of this checkout's (run the bench once
 * with it and once without, to compare a change on the same harness). Exported once per process.
 */
const PARLEY_REF = process.env.BENCH_PARLEY_REF;
let refCheckout: string | undefined;
function parleyCheckout(): string | undefined {
  if (PARLEY_REF === undefined || PARLEY_REF === '') return undefined;
  refCheckout ??= exportCheckout(PARLEY_REF, 'BENCH_PARLEY_REF');
  if (refCheckout === undefined) throw new Error(`BENCH_PARLEY_REF: ${PARLEY_REF} is not in this clone`);
  return refCheckout;
}

export async function startParley(opts: StartOptions = {}): Promise<ParleyServer> {
  const inspectPort = opts.inspect ? await freePort() : undefined;
  const checkout = parleyCheckout();
  const relay = await startRelay({
    name: 'bench',
    env: RELAY_ENV,
    ...(checkout ? { checkout } : {}),
    ...(inspectPort ? { nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`] } : {}),
  });
  pinToCore(relay.pid, SERVER_CORE);
  return {
    name: 'Parley relay',
    relay,
    get pid() {
      return relay.pid ?? -1;
    },
    acksByEcho: false,
    inspectPort,
    outgoing: (e) => e.sendFrame,
    open: (member, sink) => openSocket(relay, member, sink),
    enroll: (n, senders) => enroll(relay, n, senders),
    async restart() {
      await relay.restart();
      pinToCore(relay.pid, SERVER_CORE);
    },
    stop: () => relay.dispose(),
  };
}

async function enroll(relay: Relay, n: number, senderCount: number): Promise<Cast> {
  const members: Member[] = new Array(n);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) members[i] = await registerFast(relay, `bench${i}`);
  };
  await Promise.all(Array.from({ length: Math.min(16, n) }, worker));
  const senders: Sender[] = [];
  for (const member of members.slice(0, Math.min(senderCount, n))) {
    const sender: Sender = { ...member, keyId: 1, senderKey: generateSenderKey() };
    await shareKey(relay, sender, members);
    senders.push(sender);
  }
  return { channelId: BROADCAST_CHANNEL_ID, members, senders };
}

/** Uploads one sealed share of the sender's key per member: full coverage, so sends are accepted. */
async function shareKey(relay: Relay, sender: Sender, members: Member[]): Promise<void> {
  const shares = members.map((r) => ({
    recipientId: r.id,
    sealed: toBase64(
      sealShare({
        channelId: BROADCAST_CHANNEL_ID,
        senderId: sender.id,
        keyId: sender.keyId,
        recipientId: r.id,
        key: sender.senderKey,
        senderSignSk: sender.identity.signSk,
        recipientEncPk: r.identity.boxPk,
      }),
    ),
  }));
  const res = await fetch(`${relay.url}/api/channels/${BROADCAST_CHANNEL_ID}/shares`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: relay.origin, cookie: sender.cookie },
    body: JSON.stringify({ keyId: sender.keyId, shares }),
  });
  if (!res.ok) throw new Error(`shares: ${res.status} ${await res.text()}`);
}

/** A socket as a browser opens one: cookie and Origin on the upgrade, then `hello`, live at its ack. */
function openSocket(relay: Relay, member: Member, sink: FrameSink): Promise<BenchSocket> {
  const helloId = `hello-${randomBytes(4).toString('hex')}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(relay.wsUrl, {
      headers: { cookie: member.cookie, origin: relay.origin },
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    let live = false;
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', (err) => {
      if (!live) reject(err);
    });
    ws.once('close', (code) => {
      if (!live) reject(new Error(`closed before hello: ${code}`));
    });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', id: helloId, since: {} })));
    ws.on('message', (data: Buffer) => {
      if (!live && ackedId(data) === helloId) {
        live = true;
        resolve({ write: (text) => ws.send(text), terminate: () => ws.terminate() });
      } else if (!live && refusedId(data) === helloId) {
        reject(new Error(`hello refused: ${data.toString('utf8').slice(0, 200)}`));
      }
      sink(data);
    });
  });
}
