// A WebSocket constructor for the protocol client in Node: the `ws` package, sending the jar's
// session cookie and an Origin header on the upgrade, as a browser would.
import type { WebSocketCtor } from '@parley/web/client';
import WebSocket from 'ws';
import type { CookieJar } from './cookie-fetch';

export interface WsFactoryOptions {
  /** Origin header; null sends none. */
  origin: string | null;
  /** Extra upgrade headers (e.g. a forged cookie in a test). */
  headers?: Record<string, string>;
}

export function wsFactory(jar: CookieJar, options: WsFactoryOptions): WebSocketCtor {
  return class NodeWebSocket extends WebSocket {
    constructor(url: string) {
      const headers: Record<string, string> = { ...options.headers };
      const cookie = jar.header();
      if (cookie && headers.cookie === undefined) headers.cookie = cookie;
      if (options.origin && headers.origin === undefined) headers.origin = options.origin;
      super(url, { headers });
    }
  };
}

/** Opens a raw socket (no protocol client) and resolves once open, or rejects with the refusal status. */
export function openRawSocket(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(new UpgradeRefused(res.statusCode ?? 0));
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

export class UpgradeRefused extends Error {
  override readonly name = 'UpgradeRefused';
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}
