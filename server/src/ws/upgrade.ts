// The /ws upgrade gate: the session cookie must name a live session of an enabled user (the same
// lookup as REST), and a browser's Origin must be the relay's own or a configured public origin.
// A refused upgrade gets a plain HTTP answer with a JSON error body and no upgrade.
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type LiveSession, resolveSession, sessionTokenFromHeader } from '../auth/sessions';
import type { Store } from '../db/store';
import { isAllowedOrigin } from '../middleware/csrf';
import type { ErrorCode } from '../protocol';

export type UpgradeDecision =
  | { ok: true; live: LiveSession }
  | { ok: false; status: 401 | 403 | 404; code: ErrorCode; message: string };

export const WS_PATH = '/ws';

export async function authorizeUpgrade(
  req: IncomingMessage,
  store: Store,
  publicOrigins: string[],
  now: number,
): Promise<UpgradeDecision> {
  const path = (req.url ?? '').split('?')[0];
  if (path !== WS_PATH) return { ok: false, status: 404, code: 'not_found', message: 'no socket here' };
  // Browsers always send Origin on a WebSocket handshake, so a foreign page is refused here
  // (cross-site WebSocket hijacking). Non-browser clients send none and are not a CSRF vector.
  const origin = req.headers.origin;
  if (origin !== undefined && !isAllowedOrigin(origin, req.headers.host, { publicOrigins })) {
    return { ok: false, status: 403, code: 'forbidden', message: 'cross-origin socket refused' };
  }
  const live = await resolveSession(store, sessionTokenFromHeader(req.headers.cookie), now);
  if (!live) return { ok: false, status: 401, code: 'unauthorized', message: 'sign in first' };
  return { ok: true, live };
}

/** Answers the upgrade request with a plain HTTP response and closes the connection. */
export function refuseUpgrade(socket: Duplex, status: number, code: ErrorCode, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  );
}
