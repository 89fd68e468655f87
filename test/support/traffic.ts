// Fetch wrappers for tests that watch or tamper with what a client exchanges with the relay.
import type { FetchLike } from '@parley/web/client';

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
  status: number;
}

/** Records every request's method, path, JSON body and status. */
export function recording(inner: FetchLike, log: Recorded[]): FetchLike {
  return async (input, init = {}) => {
    const res = await inner(input, init);
    let body: unknown = null;
    if (typeof init.body === 'string') {
      try {
        body = JSON.parse(init.body);
      } catch {
        body = init.body;
      }
    }
    log.push({
      method: init.method ?? 'GET',
      path: new URL(input).pathname + new URL(input).search,
      body,
      status: res.status,
    });
    return res;
  };
}

/**
 * Lets a test rewrite JSON answers of GET requests whose path matches, as a malicious relay would.
 * `rewrite` gets the parsed body and returns the body to hand to the client.
 */
export function tampering(
  inner: FetchLike,
  rules: { match: RegExp; rewrite: (body: unknown) => unknown }[],
): FetchLike {
  return async (input, init = {}) => {
    const res = await inner(input, init);
    const path = new URL(input).pathname;
    const rule = (init.method ?? 'GET') === 'GET' ? rules.find((r) => r.match.test(path)) : undefined;
    if (!rule || !res.ok) return res;
    const body = rule.rewrite(await res.json());
    return new Response(JSON.stringify(body), {
      status: res.status,
      headers: { 'content-type': 'application/json' },
    });
  };
}
