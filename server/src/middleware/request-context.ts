// First middleware of every request: a request id (echoed as X-Request-Id), the client IP, and
// one access-log line with method, path, status and duration. Bodies and headers are never logged.
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from '../log';
import type { AppEnv } from './types';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** The peer address, or the first X-Forwarded-For entry when the relay trusts its proxy. */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const env = c.env as NodeBindings | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

export function requestContext(logger: Logger, trustProxy: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const requestId = randomUUID();
    c.set('requestId', requestId);
    c.set('clientIp', clientIp(c, trustProxy));
    await next();
    c.res.headers.set('X-Request-Id', requestId);
    logger.info(
      {
        requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  };
}
