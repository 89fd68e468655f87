// The /ws upgrade gate: the session cookie must name a live session of an enabled user (the same
// lookup as REST), and the handshake must pass the CSRF rule REST requests pass (an allowed
// Origin, else a same-origin Sec-Fetch-Site; middleware/csrf.ts). Room for the socket is decided in
// admission.ts. A refused upgrade gets a plain HTTP answer with a JSON error body and no upgrade.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type LiveSession, resolveSession, sessionTokenFromHeader } from '../auth/sessions';
import type { Store } from '../db/store';
import { crossSiteRefusal } from '../middleware/csrf';
import { rawErrorResponse } from '../middleware/errors';
import type { ErrorCode } from '../protocol';

export interface UpgradeRefusal {
  status: 401 | 403 | 404 | 429 | 500 | 503;
  code: ErrorCode;
  message: string;
  /** Sent as Retry-After (whole seconds). */
  retryAfterMs?: number;
}

export type UpgradeDecision = { ok: true; live: LiveSession } | ({ ok: false } & UpgradeRefusal);

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
  // (cross-site WebSocket hijacking). Non-browser clients send neither header and pass.
  const site = req.headers['sec-fetch-site'];
  const refusal = crossSiteRefusal(
    {
      origin: req.headers.origin,
      secFetchSite: typeof site === 'string' ? site : undefined,
      host: req.headers.host,
    },
    { publicOrigins },
  );
  if (refusal !== null) return { ok: false, status: 403, code: 'forbidden', message: refusal };
  const live = await resolveSession(store, sessionTokenFromHeader(req.headers.cookie), now);
  if (!live) return { ok: false, status: 401, code: 'unauthorized', message: 'sign in first' };
  return { ok: true, live };
}

/** Answers the upgrade request with a plain HTTP response and closes the connection. */
export function refuseUpgrade(socket: Duplex, refusal: UpgradeRefusal): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, message, retryAfterMs } = refusal;
  const retry =
    retryAfterMs === undefined ? {} : { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
  socket.end(rawErrorResponse(status, code, message, retry));
}
