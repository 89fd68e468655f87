// Named errors of the protocol client. Relay refusals keep the relay's code; everything else has
// its own class so callers can tell a network problem from a key problem.
import type { ErrorCode } from '@parley/server/protocol';

/** The relay answered with `{error: {code, message, details?}}` (or a bad status without one). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** For `missing_shares`: the members the relay named, else []. */
  get missingMembers(): string[] {
    const d = this.details as { missing?: unknown } | undefined;
    return Array.isArray(d?.missing) ? d.missing.filter((x): x is string => typeof x === 'string') : [];
  }
}

/** The HTTP status the relay uses for each error code (socket errors carry only the code). */
const STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  invalid_credentials: 401,
  account_disabled: 403,
  username_taken: 409,
  dm_self: 400,
  not_member: 404,
  missing_shares: 409,
  stale_key: 409,
  channel_full: 409,
  log_conflict: 409,
  invite_required: 403,
  invite_invalid: 403,
  registration_closed: 403,
  internal: 500,
};

/** An ApiError for an `error` frame of the socket, with the status REST would have used. */
export function socketApiError(error: { code: ErrorCode; message: string; details?: unknown }): ApiError {
  return new ApiError(STATUS_BY_CODE[error.code], error.code, error.message, error.details);
}

/** The encrypted message exceeds what the relay accepts; shorten it. */
export class MessageTooLargeError extends Error {
  override readonly name = 'MessageTooLargeError';
}

/** The relay's answer did not match the protocol schema. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** A request over the socket was not answered in time. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** The client (or its socket) was closed while a request was pending. */
export class ClosedError extends Error {
  override readonly name = 'ClosedError';
}

/** Sending is blocked because a member's identity key changed (or needs re-verification). */
export class KeyChangeBlockedError extends Error {
  override readonly name = 'KeyChangeBlockedError';
  constructor(
    readonly channelId: string,
    readonly userIds: string[],
  ) {
    super(`send to ${channelId} blocked: identity key changed for ${userIds.join(', ')}`);
  }
}

/** A contact's bundle, share or channel failed a check the client enforces (DESIGN §3). */
export class TrustError extends Error {
  override readonly name = 'TrustError';
}

/**
 * The contact pins failed closed (DESIGN §7.4): until the user re-verifies contacts or resets,
 * nothing is sent to anyone.
 */
export class TrustUnknownError extends Error {
  override readonly name = 'TrustUnknownError';
  constructor(readonly reason: string) {
    super(`sending is blocked: trust is unknown (${reason})`);
  }
}

/** The operation needs unlocked keys (a logged-in session). */
export class LockedError extends Error {
  override readonly name = 'LockedError';
  constructor() {
    super('not logged in: keys are locked');
  }
}
