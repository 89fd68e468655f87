// Helpers shared by the realtime-*.test.ts files: Redis from the environment, and a raw protocol
// socket (no protocol client) for frame-level checks.

import type { ServerFrame } from '@parley/server/protocol';
import WebSocket from 'ws';

/** REDIS_URL, or undefined (the caller skips); under CI=true a missing REDIS_URL is an error. */
export function redisUrlFromEnv(): string | undefined {
  const url = process.env.REDIS_URL?.trim();
  if (url) return url;
  if (process.env.CI === 'true') throw new Error('REDIS_URL must be set under CI=true');
  return undefined;
}

type Answer = Extract<ServerFrame, { type: 'ack' | 'error' }>;

/** A raw socket that records every frame and matches answers to requests by id. */
export class RawSocket {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<number>;
  #waiters: { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  #next = 1;

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
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  static open(url: string, headers: Record<string, string>): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new RawSocket(ws)));
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }));
      });
      ws.once('error', reject);
    });
  }

  next(pred: (f: ServerFrame) => boolean, timeoutMs = 5_000): Promise<ServerFrame> {
    const seen = this.frames.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('RawSocket.next: timed out')), timeoutMs);
      this.#waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  async request(frame: Record<string, unknown>): Promise<Answer> {
    const id = `q${this.#next++}`;
    this.ws.send(JSON.stringify({ ...frame, id }));
    return (await this.next((f) => (f.type === 'ack' || f.type === 'error') && f.id === id)) as Answer;
  }

  close(): void {
    this.ws.close();
  }
}
