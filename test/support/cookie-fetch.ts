// A fetch for Node that behaves like a browser tab of the relay's page: it keeps the
// `parley_session` cookie from Set-Cookie, sends it back, and sends an Origin header equal to the
// relay's origin (as a browser does on every state-changing request).
import type { FetchLike } from '@parley/web/client';

export const SESSION_COOKIE = 'parley_session';

/** Holds the session cookie of one simulated browser. */
export class CookieJar {
  #value: string | null = null;

  /** The Cookie header value, or null without a session. */
  header(): string | null {
    return this.#value === null ? null : `${SESSION_COOKIE}=${this.#value}`;
  }

  /** Applies every Set-Cookie of a response. */
  absorb(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0 || pair.slice(0, eq).trim() !== SESSION_COOKIE) continue;
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k, v] = a.split('=').map((x) => x.trim());
        if (k?.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k?.toLowerCase() === 'expires') return v !== undefined && Date.parse(v) <= Date.now();
        return false;
      });
      this.#value = expired || value === '' ? null : value;
    }
  }
}

export interface CookieFetch extends FetchLike {
  jar: CookieJar;
}

/** A fetch bound to one cookie jar. `origin: null` sends no Origin header (a non-browser client). */
export function cookieFetch(origin: string | null, jar = new CookieJar()): CookieFetch {
  const f = (async (input: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    const cookie = jar.header();
    if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
    if (origin && !headers.has('origin')) headers.set('origin', origin);
    const res = await fetch(input, { ...init, headers });
    jar.absorb(res);
    return res;
  }) as CookieFetch;
  f.jar = jar;
  return f;
}
