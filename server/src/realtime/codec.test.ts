import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../db/store';
import { decodeEnvelope, EventDecodeError, encodeEnvelope, isOwnEnvelope } from './codec';
import type { RelayEvent } from './events';

const record: MessageRecord = {
  channelId: 'broadcast',
  seq: 7,
  kind: 'msg',
  senderId: '6f1c1f8e-6d2a-4b55-9a4f-0a8f2f7f6b11',
  keyId: 3,
  clientMsgId: '0e4b5e43-5a7c-4f3e-8d5b-0d8e7f6a5b4c',
  ciphertext: new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]),
  sentAt: 1_700_000_000_000,
  deleted: false,
  system: null,
};

describe('relay event codec', () => {
  it('round-trips a message event with its ciphertext bytes intact', () => {
    const text = encodeEnvelope('relay-a', { type: 'message', message: record });
    expect(text).toContain('"ciphertext":"AAEC-vv8_f7_"');
    const decoded = decodeEnvelope(text);
    expect(decoded.relay).toBe('relay-a');
    expect(decoded.event).toEqual({ type: 'message', message: record });
    if (decoded.event.type === 'message') expect(decoded.event.message.ciphertext).toBeInstanceOf(Uint8Array);
  });

  it('round-trips system entries and tombstones with null ciphertext', () => {
    const system: MessageRecord = {
      ...record,
      kind: 'system',
      senderId: null,
      keyId: null,
      clientMsgId: null,
      ciphertext: null,
      system: { event: 'join', userId: record.senderId as string, actorId: null, logIndex: null },
    };
    expect(decodeEnvelope(encodeEnvelope('r', { type: 'message', message: system })).event).toEqual({
      type: 'message',
      message: system,
    });
  });

  it('round-trips every other event type unchanged', () => {
    const events: RelayEvent[] = [
      { type: 'deleted', channelId: 'c', seq: 2 },
      { type: 'membership', channelId: 'c', userIds: ['a', 'b'] },
      { type: 'user-closed', userId: 'a' },
      { type: 'typing', channelId: 'c', userId: 'a' },
      { type: 'presence', userId: 'a', online: true },
      { type: 'resync' },
    ];
    for (const event of events) expect(decodeEnvelope(encodeEnvelope('r', event)).event).toEqual(event);
  });

  it('recognises its own envelopes without decoding them, and only its own', () => {
    const event = { type: 'typing', channelId: 'broadcast', userId: 'u' } as const;
    const mine = encodeEnvelope('relay-a', event);
    expect(isOwnEnvelope(mine, 'relay-a')).toBe(true);
    expect(isOwnEnvelope(mine, 'relay-')).toBe(false);
    expect(isOwnEnvelope(encodeEnvelope('relay-ab', event), 'relay-a')).toBe(false);
    expect(isOwnEnvelope(encodeEnvelope('relay-"a', event), 'relay-"a')).toBe(true);
    expect(isOwnEnvelope(encodeEnvelope('relay-"a', event), 'relay-')).toBe(false);
  });

  it('refuses text that is not an envelope of this version', () => {
    expect(() => decodeEnvelope('nope')).toThrow(EventDecodeError);
    expect(() => decodeEnvelope('{"v":2,"relay":"r","event":{"type":"user-closed","userId":"a"}}')).toThrow(
      EventDecodeError,
    );
    expect(() => decodeEnvelope('{"v":1,"relay":"r","event":{"type":"explode"}}')).toThrow(EventDecodeError);
  });
});
