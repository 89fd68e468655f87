// RelayEvent <-> JSON for Redis: the one place events leave the process. A MessageRecord travels as
// the protocol's WireMessage (ciphertext as base64url, no padding), the shape clients get too.
// Decoding validates with zod: a foreign or newer relay's malformed payload is dropped, not trusted.
import { z } from 'zod';
import { bytes, MAX_CIPHERTEXT_BYTES, WireMessage } from '../protocol';
import { fromB64, toWireMessage } from '../routes/views';
import type { RelayEvent } from './events';

/** Bumped when the envelope changes; relays drop envelopes of another version. */
export const EVENT_ENVELOPE_VERSION = 1;

/** A committed entry; its ciphertext is checked as base64url so that decoding it is safe. */
const WireRecord = WireMessage.extend({ ciphertext: bytes(0, MAX_CIPHERTEXT_BYTES).nullable() });

const WireEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), message: WireRecord }),
  z.object({ type: z.literal('deleted'), channelId: z.string(), seq: z.number().int() }),
  z.object({ type: z.literal('membership'), channelId: z.string(), userIds: z.array(z.string()) }),
  z.object({ type: z.literal('user-closed'), userId: z.string() }),
  z.object({ type: z.literal('sessions-ended'), userId: z.string() }),
  z.object({ type: z.literal('typing'), channelId: z.string(), userId: z.string() }),
  z.object({ type: z.literal('presence'), userId: z.string(), online: z.boolean() }),
  z.object({ type: z.literal('resync') }),
]);
type WireEvent = z.infer<typeof WireEvent>;

const Envelope = z.object({ v: z.literal(EVENT_ENVELOPE_VERSION), relay: z.string(), event: WireEvent });

export interface DecodedEnvelope {
  /** Id of the relay that published the event. */
  relay: string;
  event: RelayEvent;
}

export class EventDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventDecodeError';
  }
}

export function encodeEnvelope(relay: string, event: RelayEvent): string {
  const wire: WireEvent =
    event.type === 'message' ? { type: 'message', message: toWireMessage(event.message) } : event;
  return JSON.stringify({ v: EVENT_ENVELOPE_VERSION, relay, event: wire });
}

/**
 * Whether `text` is an envelope `relay` published: its echo from Redis, which it already delivered
 * locally. Read from the envelope's fixed start (JSON.stringify keeps key order), so that a relay
 * does not parse and validate its own traffic again.
 */
export function isOwnEnvelope(text: string, relay: string): boolean {
  return text.startsWith(envelopeStart(relay));
}

function envelopeStart(relay: string): string {
  return `{"v":${EVENT_ENVELOPE_VERSION},"relay":${JSON.stringify(relay)},`;
}

/** Throws EventDecodeError for anything that is not a well-formed envelope of this version. */
export function decodeEnvelope(text: string): DecodedEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EventDecodeError('decodeEnvelope: not JSON');
  }
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) throw new EventDecodeError('decodeEnvelope: not a relay event envelope');
  const { relay, event } = parsed.data;
  if (event.type === 'message') {
    const { message } = event;
    const ciphertext = message.ciphertext === null ? null : fromB64(message.ciphertext);
    return { relay, event: { type: 'message', message: { ...message, ciphertext } } };
  }
  return { relay, event };
}
