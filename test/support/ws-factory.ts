// A WebSocket constructor for the protocol client in Node: the `ws` package, sending the jar's
// session cookie and an Origin header on the upgrade, as a browser would. A SocketControl lets a
// test cut the network underneath the client: terminate its sockets (no close frame, as when a
// link dies) and make new connection attempts fail until it is back online.
import type { WebSocketCtor } from '@parley/web/client';
import WebSocket from 'ws';
import type { CookieJar } from './cookie-fetch';

export interface WsFactoryOptions {
  /** Origin header; null sends none. */
  origin: string | null;
  /** Extra upgrade headers (e.g. a forged cookie in a test). */
  headers?: Record<string, string>;
  /** Sees every socket the client opens (to cut them, or to refuse new ones). */
  control?: SocketControl;
}

/** The network between one simulated browser and the relay, as a test drives it. */
export class SocketControl {
  readonly #live = new Set<WebSocket>();
  #offline = false;
  #attempts = 0;
  #refused = 0;

  /** Sockets the client tried to open so far (including refused ones). */
  get attempts(): number {
    return this.#attempts;
  }

  /** Attempts that failed because the network was offline. */
  get refused(): number {
    return this.#refused;
  }

  /** Sockets currently connecting or open. */
  get live(): number {
    return this.#live.size;
  }

  /** Terminates every socket (TCP destroyed, no close frame: the client sees 1006); returns how many. */
  cut(): number {
    const sockets = [...this.#live];
    for (const ws of sockets) ws.terminate();
    return sockets.length;
  }

  /** From now on every new socket fails before its handshake completes, until `online()`. */
  offline(): void {
    this.#offline = true;
  }

  online(): void {
    this.#offline = false;
  }

  /** Called by the factory for each socket it builds. */
  adopt(ws: WebSocket): void {
    this.#attempts += 1;
    if (this.#offline) {
      this.#refused += 1;
      // Aborts the handshake; `ws` emits error and close (1006) on the next tick.
      ws.terminate();
      return;
    }
    this.#live.add(ws);
    ws.once('close', () => this.#live.delete(ws));
  }
}

export function wsFactory(jar: CookieJar, options: WsFactoryOptions): WebSocketCtor {
  return class NodeWebSocket extends WebSocket {
    constructor(url: string) {
      const headers: Record<string, string> = { ...options.headers };
      const cookie = jar.header();
      if (cookie && headers.cookie === undefined) headers.cookie = cookie;
      if (options.origin && headers.origin === undefined) headers.origin = options.origin;
      super(url, { headers });
      options.control?.adopt(this);
    }
  };
}
