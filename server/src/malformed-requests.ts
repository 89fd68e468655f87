// Requests that never reach the app get the API's error format too (docs/protocol.md "Errors"):
// node's parser errors (`clientError`: an unknown method, broken framing, headers over the limit,
// a header timeout) and the adaptor's request errors (a bad or missing Host, a backslash in the
// path). A scanner sends thousands of these, so their log lines are rate-limited.
import type { Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { getRequestListener, RequestError } from '@hono/node-server';
import type { NodeServer } from './attachment';
import { type Logger, safeError } from './log';
import { type LogLimiter, logLimiter } from './log-limit';
import { body, rawErrorResponse } from './middleware/errors';
import type { ErrorCode } from './protocol';

interface Answer {
  status: number;
  code: ErrorCode;
  message: string;
}

const PARSER_ANSWERS: Record<string, Answer> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'payload_too_large', message: 'request headers too large' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    code: 'payload_too_large',
    message: 'chunk extensions too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'bad_request', message: 'request not received in time' },
  HPE_INVALID_METHOD: { status: 400, code: 'bad_request', message: 'unknown HTTP method' },
};
const MALFORMED: Answer = { status: 400, code: 'bad_request', message: 'malformed HTTP request' };

/**
 * Answers a request node's parser refused, as node's default would, in JSON. Nothing is written
 * to a reset socket, nor to one whose current response has already started: a second status line
 * would corrupt it.
 */
export function answerParserError(err: Error & { code?: string }, socket: Duplex, log: LogLimiter): void {
  const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const answer = PARSER_ANSWERS[err.code ?? ''] ?? MALFORMED;
  log.info(
    `http-malformed:${answer.status}`,
    { event: 'http-malformed', status: answer.status, code: err.code },
    'malformed request refused',
  );
  socket.end(rawErrorResponse(answer.status, answer.code, answer.message), () => socket.destroy());
}

/** The adaptor's answer to a request it could not turn into a Request (or a fetch that threw). */
function requestErrorAnswer(log: LogLimiter) {
  return (err: unknown): Response => {
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (err instanceof RequestError) {
      const message = err.message.charAt(0).toLowerCase() + err.message.slice(1);
      log.info(
        'http-malformed:400',
        { event: 'http-malformed', status: 400, reason: message },
        'malformed request refused',
      );
      return Response.json(body('bad_request', message), { status: 400, headers });
    }
    log.error(
      'http-adaptor-failed',
      { err: safeError(err), event: 'http-adaptor-failed' },
      'unhandled error',
    );
    return Response.json(body('internal', 'internal error'), { status: 500, headers });
  };
}

/**
 * Gives `server` both answers. createAdaptorServer passes no errorHandler to its request listener,
 * so the app is served through an equivalent listener that has one.
 */
export function answerMalformedRequests(
  nodeServer: NodeServer,
  fetch: Parameters<typeof getRequestListener>[0],
  logger: Logger,
): void {
  const server = nodeServer as Server;
  const log = logLimiter(logger);
  server.removeAllListeners('request');
  server.on('request', getRequestListener(fetch, { errorHandler: requestErrorAnswer(log) }));
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) =>
    answerParserError(err, socket, log),
  );
}
