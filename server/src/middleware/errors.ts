// One error type for the REST API and one place that renders every failure as
// `{error: {code, message, details?}}`. Unexpected errors become a bare 500 `internal`.
import { STATUS_CODES } from 'node:http';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { RecordNotFound, UniqueViolation } from '../db/store';
import { type Logger, safeError } from '../log';
import { logLimiter } from '../log-limit';
import type { ErrorBody, ErrorCode } from '../protocol';
import type { AppEnv } from './types';

/** An API failure with a wire error code. Throw it; `renderError` turns it into JSON. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(status, { message });
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, 'bad_request', message, details);
export const unauthorized = () => new ApiError(401, 'unauthorized', 'sign in first');
export const forbidden = (message = 'not allowed') => new ApiError(403, 'forbidden', message);
export const notFound = (what = 'resource') => new ApiError(404, 'not_found', `${what} not found`);
export const invalidCredentials = () => new ApiError(401, 'invalid_credentials', 'wrong username or key');

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

export function body(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/**
 * A whole HTTP/1.1 error response in the same format, for answers written straight to a socket
 * (a refused upgrade, a request node's parser refused); the connection closes after it.
 */
export function rawErrorResponse(
  status: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): string {
  const json = JSON.stringify(body(code, message));
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${json}`;
}

export function renderError(err: Error, c: Context<AppEnv>, logger: Logger): Response {
  if (err instanceof ApiError) {
    for (const [name, value] of Object.entries(err.headers ?? {})) c.header(name, value);
    return c.json(body(err.code, err.message, err.details), err.status);
  }
  // Races the routes' own checks could not see (a member added twice, a user deleted meanwhile).
  if (err instanceof RecordNotFound) return c.json(body('not_found', err.message), 404);
  if (err instanceof UniqueViolation) return c.json(body('conflict', err.message), 409);
  if (err instanceof HTTPException && err.status < 500) {
    const code = CODE_BY_STATUS[err.status] ?? 'bad_request';
    const message = err.status === 413 ? 'request body too large' : err.message || code;
    return c.json(body(code, message), err.status);
  }
  const log = logLimiter(logger);
  if (clientAborted(err, c)) {
    // The client went away mid-request (e.g. an upload cut short): nothing failed on this side.
    log.info(
      'request-aborted',
      { event: 'request-aborted', requestId: c.get('requestId'), method: c.req.method, path: c.req.path },
      'client aborted the request',
    );
    return c.json(body('bad_request', 'request aborted'), 400);
  }
  const safe = safeError(err);
  log.error(
    `unhandled:${safe.type}:${safe.code ?? ''}`,
    { err: safe, requestId: c.get('requestId'), path: c.req.path },
    'unhandled error',
  );
  return c.json(body('internal', 'internal error'), 500);
}

/**
 * The client went away while its body was read: node's own "aborted" (ECONNRESET), or the abort
 * of the request's signal. Any other error stays an error, even on an aborted request (a database
 * reset also says ECONNRESET, with another message).
 */
function clientAborted(err: Error, c: Context<AppEnv>): boolean {
  if ((err as { code?: unknown }).code === 'ECONNRESET' && err.message === 'aborted') return true;
  return err.name === 'AbortError' && c.req.raw.signal.aborted;
}

export function renderNotFound(c: Context<AppEnv>): Response {
  return c.json(body('not_found', `no route for ${c.req.method} ${c.req.path}`), 404);
}
