// Body size limits (DESIGN §4 "Limits"): a general cap for JSON bodies and larger caps for the
// two routes that need them. Over the cap: 413 `payload_too_large`, before anything is parsed.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors';

export interface BodyLimits {
  bodyMaxBytes: number;
  sharesMaxBytes: number;
  avatarMaxBytes: number;
}

const SHARES_PATH = /^\/api\/channels\/[^/]+\/shares$/;
const AVATAR_PATH = '/api/me/avatar';

function tooLarge(max: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: max,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `request body over ${max} bytes`);
    },
  });
}

export function bodyLimits(limits: BodyLimits): MiddlewareHandler {
  const general = tooLarge(limits.bodyMaxBytes);
  const shares = tooLarge(limits.sharesMaxBytes);
  const avatar = tooLarge(limits.avatarMaxBytes);
  return (c, next) => {
    if (c.req.path === AVATAR_PATH) return avatar(c, next);
    if (SHARES_PATH.test(c.req.path)) return shares(c, next);
    return general(c, next);
  };
}
