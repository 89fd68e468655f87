// CSRF defence (DESIGN §4 "Sessions"): a state-changing request that carries an Origin must come
// from the relay's own host or a configured public origin. Browsers always send Origin on
// cross-origin POST/PUT/PATCH/DELETE, so a foreign page cannot pass; clients that are not
// browsers (no Origin, no Sec-Fetch-Site) are not a CSRF vector and pass. The session cookie is
// SameSite=Lax on top of this. The WebSocket upgrade (ws/upgrade.ts) takes the same decision,
// crossSiteRefusal, so the two cannot drift apart.
import type { MiddlewareHandler } from 'hono';
import { forbidden } from './errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface OriginPolicy {
  /** Extra allowed origins, normalised (`https://chat.example.org`). */
  publicOrigins: string[];
}

/**
 * True when `origin` may act on this relay: it equals a configured public origin, or its host
 * (name and port) is the host the request was sent to.
 */
export function isAllowedOrigin(
  origin: string,
  requestHost: string | undefined,
  policy: OriginPolicy,
): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (policy.publicOrigins.includes(parsed.origin)) return true;
  return requestHost !== undefined && parsed.host.toLowerCase() === requestHost.toLowerCase();
}

/** The headers the CSRF rule reads. */
export interface RequestOrigin {
  origin: string | undefined;
  secFetchSite: string | undefined;
  host: string | undefined;
}

/**
 * The CSRF rule (docs/protocol.md "CSRF"): why a request is refused, or null when it may act.
 * An Origin must be allowed; without one, a Sec-Fetch-Site must be `same-origin` or `none`.
 */
export function crossSiteRefusal(req: RequestOrigin, policy: OriginPolicy): string | null {
  if (req.origin !== undefined) {
    return isAllowedOrigin(req.origin, req.host, policy) ? null : 'cross-origin request refused';
  }
  const site = req.secFetchSite;
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'cross-site request refused';
  return null;
}

export function csrfGuard(policy: OriginPolicy): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const refusal = crossSiteRefusal(
      {
        origin: c.req.header('origin'),
        secFetchSite: c.req.header('sec-fetch-site'),
        host: c.req.header('host') ?? new URL(c.req.url).host,
      },
      policy,
    );
    if (refusal !== null) throw forbidden(refusal);
    return next();
  };
}
