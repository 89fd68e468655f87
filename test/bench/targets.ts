// The servers under test: the Parley relay (real process, real accounts, real envelopes) and two
// baselines, a bare `ws` broadcast server and Socket.IO, each in its own process.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { encryptMessage, generateSenderKey, newClientMsgId, sealShare, toBase64 } from '@parley/crypto-core';
import { BROADCAST_CHANNEL_ID } from '@parley/server/protocol';
import { io as ioClient } from 'socket.io-client';
import WebSocket from 'ws';
import { type FastUser, registerFast } from '../support/fast-register';
import { freePort, type Relay, startRelay } from '../support/relay';
import type { BenchConnection } from './load';

export interface Target {
  name: string;
  pid: number;
  /** Sets up what `n` clients need before they connect (accounts, keys); not part of the memory figure. */
  prepare?(n: number): Promise<void>;
  /** Opens `n` connections in the same room. */
  connect(n: number): Promise<BenchConnection[]>;
  stop(): Promise<void>;
}

/** Frames of the same size as a Parley envelope of a typical message. */
const FILLER = randomBytes(340).toString('base64url');

// ---- baselines ----

async function spawnBaseline(script: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url))],
    {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.stdout?.once('data', () => resolve());
  });
  return { child, port };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** For servers without acks: a send counts as accepted when the sender sees its own echo. */
function echoAcks() {
  const pending = new Map<string, () => void>();
  return {
    wait: (id: string) => new Promise<void>((resolve) => pending.set(id, resolve)),
    seen: (id: string) => {
      pending.get(id)?.();
      pending.delete(id);
    },
  };
}

export async function wsBaseline(): Promise<Target> {
  const { child, port } = await spawnBaseline('./baselines/ws-broadcast.ts');
  return {
    name: 'bare ws',
    pid: child.pid ?? -1,
    stop: () => stopChild(child),
    connect: (n) =>
      Promise.all(
        Array.from({ length: n }, async () => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}`);
          await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
          const acks = echoAcks();
          const conn: BenchConnection = {
            onDelivery: () => {},
            send: (id) => {
              const accepted = acks.wait(id);
              ws.send(JSON.stringify({ id, body: FILLER }));
              return accepted;
            },
            close: () => ws.close(),
          };
          ws.on('message', (data) => {
            const { id } = JSON.parse(String(data)) as { id: string };
            acks.seen(id);
            conn.onDelivery(id);
          });
          return conn;
        }),
      ),
  };
}

export async function socketIoBaseline(): Promise<Target> {
  const { child, port } = await spawnBaseline('./baselines/socketio-broadcast.ts');
  return {
    name: 'Socket.IO',
    pid: child.pid ?? -1,
    stop: () => stopChild(child),
    connect: (n) =>
      Promise.all(
        Array.from({ length: n }, async () => {
          const socket = ioClient(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true });
          await new Promise((resolve, reject) =>
            socket.once('connect', () => resolve(undefined)).once('connect_error', reject),
          );
          const acks = echoAcks();
          const conn: BenchConnection = {
            onDelivery: () => {},
            send: (id) => {
              const accepted = acks.wait(id);
              socket.emit('m', { id, body: FILLER });
              return accepted;
            },
            close: () => socket.close(),
          };
          socket.on('m', (frame: { id: string }) => {
            acks.seen(frame.id);
            conn.onDelivery(frame.id);
          });
          return conn;
        }),
      ),
  };
}

// ---- the Parley relay ----

type BenchUser = FastUser;

async function api(relay: Relay, user: BenchUser, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${relay.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: relay.origin, cookie: user.cookie },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

export async function parleyRelay(): Promise<Target> {
  const relay = await startRelay({
    name: 'bench',
    env: { SCRYPT_LOG_N: '10', SEND_RATE_PER_SEC: '1000000', SEND_BURST: '1000000', LOG_LEVEL: 'warn' },
  });
  const users: BenchUser[] = [];
  const keys = new Map<string, Uint8Array>();
  return {
    name: 'Parley relay',
    get pid() {
      return relay.pid ?? -1;
    },
    stop: () => relay.dispose(),
    async prepare(n) {
      for (let i = 0; i < n; i++) users.push(await registerFast(relay, `bench${i}`));
      // Every sender shares one sender key with every member (once), then encrypts each message.
      for (const sender of users.slice(0, 4)) {
        const key = generateSenderKey();
        keys.set(sender.id, key);
        const shares = users.map((r) => ({
          recipientId: r.id,
          sealed: toBase64(
            sealShare({
              channelId: BROADCAST_CHANNEL_ID,
              senderId: sender.id,
              keyId: 1,
              recipientId: r.id,
              key,
              senderSignSk: sender.identity.signSk,
              recipientEncPk: r.identity.boxPk,
            }),
          ),
        }));
        await api(relay, sender, `/api/channels/${BROADCAST_CHANNEL_ID}/shares`, { keyId: 1, shares });
      }
    },
    connect: () => Promise.all(users.map((u) => parleyConnection(relay, u, keys.get(u.id)))),
  };
}

/** clientMsgId → bench message id, for every send of this process (receivers share it). */
const benchIds = new Map<string, string>();

/** The relay frames the bench reads; the bench does not validate the relay (the tests do). */
type RelayFrame =
  | { type: 'ack'; id: string }
  | { type: 'error'; id: string | null; error: { message: string } }
  | { type: 'message'; message: { clientMsgId: string | null } }
  | { type: 'other' };

async function parleyConnection(relay: Relay, user: BenchUser, senderKey: Uint8Array | undefined) {
  const ws = new WebSocket(relay.wsUrl, { headers: { cookie: user.cookie, origin: relay.origin } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const acks = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const conn: BenchConnection = {
    onDelivery: () => {},
    send: (id) => {
      if (!senderKey) throw new Error('not a sender');
      const clientMsgId = newClientMsgId();
      benchIds.set(clientMsgId, id);
      const ciphertext = encryptMessage({
        channelId: BROADCAST_CHANNEL_ID,
        senderId: user.id,
        keyId: 1,
        clientMsgId,
        senderKey,
        senderSignSk: user.identity.signSk,
        payload: { v: 1, kind: 'text', sentAt: Date.now(), text: `bench message ${id}`.padEnd(180, '.') },
      });
      return new Promise<void>((resolve, reject) => {
        acks.set(id, { resolve, reject });
        ws.send(
          JSON.stringify({
            type: 'send',
            id,
            channelId: BROADCAST_CHANNEL_ID,
            clientMsgId,
            keyId: 1,
            ciphertext: toBase64(ciphertext),
          }),
        );
      });
    },
    close: () => ws.close(),
  };
  const hello = new Promise<void>((resolve, reject) => acks.set('hello', { resolve, reject }));
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as RelayFrame;
    if (frame.type === 'ack') acks.get(frame.id)?.resolve();
    else if (frame.type === 'error' && frame.id) acks.get(frame.id)?.reject(new Error(frame.error.message));
    else if (frame.type === 'message' && frame.message.clientMsgId) {
      conn.onDelivery(benchIds.get(frame.message.clientMsgId) ?? '');
    }
  });
  // Until `hello`, the relay holds live messages for the sync that follows it.
  ws.send(JSON.stringify({ type: 'hello', id: 'hello', since: {} }));
  await hello;
  return conn;
}
