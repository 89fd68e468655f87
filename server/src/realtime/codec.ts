// RelayEvent <-> JSON for Redis: the one place events leave the process. MessageRecord carries
// ciphertext as Uint8Array, which JSON cannot hold, so bytes travel as base64url (no padding).
// Decoding validates with zod: a foreign or newer relay's malformed payload is dropped, not trusted.
import { z } from 'zod';
import type { MessageRecord } from '../db/store';
import type { RelayEvent } from './events';

/** Bumped when the envelope changes; relays drop envelopes of another version. */
export const EVENT_ENVELOPE_VERSION = 1;

const Base64Url = z.string().regex(/^[A-Za-z0-9_-]*$/);

const WireRecord = z.object({
  channelId: z.string(),
  seq: z.number().int(),
  kind: z.enum(['msg', 'system']),
  senderId: z.string().nullable(),
  keyId: z.number().int().nullable(),
  clientMsgId: z.string().nullable(),
  ciphertext: Base64Url.nullable(),
  sentAt: z.number(),
  deleted: z.boolean(),
  system: z
    .object({
      event: z.enum(['create', 'join', 'leave', 'remove']),
      userId: z.string(),
      actorId: z.string().nullable(),
    })
    .nullable(),
});

const WireEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), message: WireRecord }),
  z.object({ type: z.literal('deleted'), channelId: z.string(), seq: z.number().int() }),
  z.object({ type: z.literal('membership'), channelId: z.string(), userIds: z.array(z.string()) }),
  z.object({ type: z.literal('user-closed'), userId: z.string() }),
  z.object({ type: z.literal('sessions-ended'), userId: z.string() }),
  z.object({ type: z.literal('typing'), channelId: z.string(), userId: z.string() }),
  z.object({ type: z.literal('presence'), userId: z.string(), online: z.boolean() }),
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

function recordToWire(m: MessageRecord): z.infer<typeof WireRecord> {
  return {
    ...m,
    ciphertext: m.ciphertext === null ? null : Buffer.from(m.ciphertext).toString('base64url'),
    system: m.system === null ? null : { ...m.system },
  };
}

function recordFromWire(w: z.infer<typeof WireRecord>): MessageRecord {
  return {
    ...w,
    ciphertext: w.ciphertext === null ? null : new Uint8Array(Buffer.from(w.ciphertext, 'base64url')),
  };
}

export function encodeEnvelope(relay: string, event: RelayEvent): string {
  const wire: WireEvent =
    event.type === 'message' ? { type: 'message', message: recordToWire(event.message) } : event;
  return JSON.stringify({ v: EVENT_ENVELOPE_VERSION, relay, event: wire });
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
    return { relay, event: { type: 'message', message: recordFromWire(event.message) } };
  }
  return { relay, event };
}
