// Test fixtures: decrypted timeline entries as judgeTimeline and enrichTimeline see them.
import type { Payload } from '@parley/crypto-core';
import type { MessageView } from './messages';

export const T0 = 1_700_000_000_000;

type Body = Payload extends infer P ? (P extends Payload ? Omit<P, 'v' | 'sentAt'> : never) : never;

/** An `ok` entry at `seq` from `senderId` with the given payload (signed at T0 + seq). */
export function view(seq: number, senderId: string, clientMsgId: string, body: Body): MessageView {
  const payload = { v: 1, sentAt: T0 + seq, ...body } as Payload;
  return {
    channelId: 'c',
    seq,
    senderId,
    sentAt: T0 + seq,
    signedAt: T0 + seq,
    status: 'ok',
    clientMsgId,
    keyId: 1,
    payload,
    ...(payload.kind === 'text' ? { text: payload.text } : {}),
  };
}

export const text = (seq: number, senderId: string, id: string, t = id, extra: object = {}) =>
  view(seq, senderId, id, { kind: 'text', text: t, ...extra });
export const edit = (seq: number, senderId: string, id: string, target: string, t: string) =>
  view(seq, senderId, id, { kind: 'edit', target, text: t });
export const react = (seq: number, senderId: string, id: string, target: string, emoji: string, on = true) =>
  view(seq, senderId, id, { kind: 'reaction', target, emoji, on });
export const del = (seq: number, senderId: string, id: string, target: string) =>
  view(seq, senderId, id, { kind: 'delete', target });
