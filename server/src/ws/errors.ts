// One error type for the socket: handlers throw FrameError and the dispatcher renders it as the
// request's `error` frame. Anything else becomes `internal` (logged, never sent in detail).
import type { ErrorCode } from '../protocol';

export class FrameError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/** A channel the user is not in answers exactly like one that does not exist (as on REST). */
export const channelNotFound = () => new FrameError('not_found', 'channel not found');

/**
 * Close codes the relay uses (besides ws's own 1009 for an oversized frame and 1006 for a
 * terminated dead socket). Documented in docs/protocol.md.
 */
export { CloseCode } from '../protocol';
