// The one send path (DESIGN §4 "Delivery semantics"), for REST and WebSocket alike: the per-user
// rate limit, the append (through the write batcher on a running relay), the refusal, the log line
// and the fan-out. Callers only render the outcome: as an HTTP answer or as an ack/error frame.
import type { AppendResult, MessageRecord, NewMessage } from '../db/store';
import type { Logger } from '../log';
import type { RelayMetrics } from '../metrics';
import type { ErrorCode } from '../protocol';
import type { EventBus } from './events';
import type { RateLimiter } from './rate-limit';

/** A send the relay refused; `code` and `details` are what the client sees. */
export class SendRefused extends Error {
  constructor(
    readonly code: Extract<
      ErrorCode,
      'not_found' | 'conflict' | 'stale_key' | 'missing_shares' | 'rate_limited'
    >,
    message: string,
    readonly details?: { missing: string[] } | { retryAfterMs: number },
  ) {
    super(message);
    this.name = 'SendRefused';
  }
}

export interface SendOutcome {
  message: MessageRecord;
  /** A retry of a send already stored: the original's seq and time. */
  duplicate: boolean;
}

export type SendMessage = (send: NewMessage) => Promise<SendOutcome>;

export interface SendDeps {
  /** Stores one send and settles after its commit. */
  append: (send: NewMessage) => Promise<AppendResult>;
  /** null: no rate limit (an app built without the real-time services, as in route tests). */
  limiter: RateLimiter | null;
  ratePerSec: number;
  events: EventBus;
  logger: Logger;
  metrics: RelayMetrics;
}

function refusal(result: Exclude<AppendResult, { ok: true }>): SendRefused {
  switch (result.code) {
    case 'not_member':
    case 'not_found':
      // A channel the sender is not in answers exactly like one that does not exist.
      return new SendRefused('not_found', 'channel not found');
    case 'id_conflict':
      return new SendRefused('conflict', 'this clientMsgId is already used for a message in another channel');
    case 'stale_key':
      return new SendRefused(
        'stale_key',
        'this sender key predates the last membership change: make a new key, share it and resend',
      );
    case 'missing_shares':
      return new SendRefused(
        'missing_shares',
        `the sender key has no share for ${result.missing.join(', ')}: seal it to them and resend`,
        { missing: result.missing },
      );
  }
}

export function messageSender(deps: SendDeps): SendMessage {
  const { append, limiter, events, logger, metrics } = deps;
  const retryAfterMs = Math.ceil(1000 / deps.ratePerSec);
  return async (send) => {
    metrics.sends.inc();
    if (limiter !== null && !(await limiter.take(`send:${send.senderId}`))) {
      metrics.refusals.inc({ code: 'rate_limited' });
      throw new SendRefused('rate_limited', 'sending too fast; slow down', { retryAfterMs });
    }
    const result = await append(send);
    if (!result.ok) {
      metrics.refusals.inc({ code: result.code });
      logger.info(
        { event: 'send-refused', userId: send.senderId, channelId: send.channelId, code: result.code },
        'send refused',
      );
      throw refusal(result);
    }
    const { message, duplicate } = result;
    logger.info(
      {
        event: 'send',
        userId: send.senderId,
        channelId: message.channelId,
        seq: message.seq,
        bytes: send.ciphertext.length,
        duplicate,
      },
      'message stored',
    );
    // A duplicate is published again: if the relay died between commit and publish, the retry is
    // the only fan-out the message ever gets. Clients keep one entry per (channelId, seq).
    events.publish({ type: 'message', message });
    metrics.acks.inc();
    return { message, duplicate };
  };
}
