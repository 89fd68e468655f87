// Test harness for socket tests: a real relay (startServer on a temp SQLite file, port 0), users
// registered over HTTP with valid bundles, sender-key shares put straight into the store (the
// relay only checks that they exist), and a raw `ws` client that correlates acks by id.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ready } from '@parley/crypto-core';
import WebSocket from 'ws';
import { type Logger, silentLogger } from '../log';
import type { RelayMetrics } from '../metrics';
import { MAX_SEALED_SHARE_BYTES, type ServerFrame } from '../protocol';
import { makeBundle, rand, sessionCookie, TEST_KDF, testConfig } from '../routes/testing';
import { type RunningServer, startServer } from '../server';

export interface TestUser {
  id: string;
  username: string;
  cookie: string;
  authKey: string;
}

export class TestSocket {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  #nextId = 1;

  /** Opens a socket; rejects with the HTTP status and body when the upgrade is refused. */
  static open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    const ws = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestSocket(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () =>
          reject(
            Object.assign(new Error(`upgrade refused: ${res.statusCode}`), {
              status: res.statusCode,
              body,
            }),
          ),
        );
      });
      ws.once('error', reject);
    });
  }

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  /** The first frame (already received or future) matching `pred`. */
  next(pred: (f: ServerFrame) => boolean, timeoutMs = 5_000): Promise<ServerFrame> {
    const seen = this.frames.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('TestSocket.next: timed out')), timeoutMs);
      this.#waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Sends a request frame and resolves with its ack or error frame. */
  async request(frame: Record<string, unknown>): Promise<Extract<ServerFrame, { type: 'ack' | 'error' }>> {
    const id = typeof frame.id === 'string' ? frame.id : `r${this.#nextId++}`;
    this.ws.send(JSON.stringify({ ...frame, id }));
    const answer = await this.next((f) => (f.type === 'ack' || f.type === 'error') && f.id === id);
    return answer as Extract<ServerFrame, { type: 'ack' | 'error' }>;
  }

  ofType<T extends ServerFrame['type']>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: T }> => f.type === type);
  }

  close(): void {
    this.ws.close();
  }
}

export interface SocketHarness {
  relay: RunningServer;
  /** The relay's metrics registry. */
  metrics: RelayMetrics;
  /** The relay's database: a SQLite file path, or the MYSQL URL given in env. */
  databaseUrl: string;
  url: string;
  wsUrl: string;
  register(username?: string): Promise<TestUser>;
  /** Opens /ws with the user's cookie; rejects with the HTTP status when the upgrade is refused. */
  connect(user: TestUser | null, headers?: Record<string, string>): Promise<TestSocket>;
  /** Logs the user in again (another session) and returns its cookie. */
  login(user: TestUser): Promise<string>;
  /** A valid password-change body for the user (new salt, verifier key and blob). */
  passwordChangeBody(user: TestUser): Record<string, unknown>;
  /** Gives the sender's key `keyId` a share for every current member of the channel. */
  share(channelId: string, senderId: string, keyId?: number): Promise<void>;
  close(): Promise<void>;
}

type Answer = Extract<ServerFrame, { type: 'ack' | 'error' }>;

/** The result of an ack; throws (failing the test) on an error frame. */
export function ackResult<T = Record<string, unknown>>(answer: Answer): T {
  if (answer.type !== 'ack') throw new Error(`expected an ack, got ${JSON.stringify(answer)}`);
  return answer.result as T;
}

export const ackSeq = (answer: Answer): number => ackResult<{ seq: number }>(answer).seq;

export const ciphertext = (n = 120): string => rand(n);

export function sendFrame(channelId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'send', channelId, clientMsgId: randomUUID(), keyId: 1, ciphertext: ciphertext(), ...extra };
}

/** The value of a counter for one label set (0 when never incremented). */
export async function counterValue(
  counter: { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await counter.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x));
  return hit?.value ?? 0;
}

export async function startSocketHarness(
  env: Record<string, string> = {},
  opts: { logger?: Logger } = {},
): Promise<SocketHarness> {
  await ready(); // register() signs bundles with crypto-core
  const dir = mkdtempSync(join(tmpdir(), 'parley-ws-'));
  const config = testConfig({
    DATA_DIR: dir,
    DATABASE_URL: join(dir, 'relay.db'),
    PORT: '0',
    HOST: '127.0.0.1',
    SEND_RATE_PER_SEC: '10000',
    SEND_BURST: '10000',
    ...env,
  });
  let metrics: RelayMetrics | undefined;
  const relay = await startServer(config, {
    logger: opts.logger ?? silentLogger(),
    serverSecret: new Uint8Array(randomBytes(32)),
    attach: [
      (ctx) => {
        metrics = ctx.metrics;
        return { close: async () => {} };
      },
    ],
  });
  if (!metrics) throw new Error('startSocketHarness: no metrics from the attach seam');
  const url = relay.url.replace('localhost', '127.0.0.1');
  const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
  let n = 0;

  return {
    relay,
    metrics,
    databaseUrl: config.databaseUrl,
    url,
    wsUrl,
    async register(username = `user${process.pid % 1000}x${++n}${randomBytes(2).toString('hex')}`) {
      const authKey = rand(32);
      const res = await fetch(`${url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username,
          salt: rand(16),
          kdf: TEST_KDF,
          authKey,
          bundle: makeBundle(),
          keyBlob: rand(136),
          pins: rand(120),
        }),
      });
      if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { user: { id: string } };
      return { id: body.user.id, username, cookie: sessionCookie(res), authKey };
    },
    async login(user) {
      const res = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: user.username, authKey: user.authKey }),
      });
      if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
      return sessionCookie(res);
    },
    passwordChangeBody(user) {
      return {
        oldAuthKey: user.authKey,
        salt: rand(16),
        kdf: TEST_KDF,
        authKey: rand(32),
        keyBlob: rand(136),
      };
    },
    connect(user, headers = {}) {
      return TestSocket.open(wsUrl, { ...(user ? { cookie: user.cookie } : {}), ...headers });
    },
    async share(channelId, senderId, keyId = 1) {
      const members = await relay.store.getMembers(channelId);
      await relay.store.putShares(
        channelId,
        senderId,
        keyId,
        members.map((m) => ({
          recipientId: m.userId,
          sealed: new Uint8Array(randomBytes(MAX_SEALED_SHARE_BYTES)),
        })),
      );
    },
    async close() {
      await relay.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
