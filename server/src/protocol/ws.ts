// WebSocket frames on /ws: JSON discriminated unions on `type`. Every client request carries an
// `id` and is answered by exactly one `ack` or `error` frame with that id.
import { z } from 'zod';
import { ChannelId, ClientMsgId, ErrorCode, KeyId, Seq, UserId } from './common';
import { ChannelSummary, Ciphertext, WireMessage } from './rest';

const RequestId = z.string().min(1).max(64);

// ---- client → relay ----

/** First frame after connecting: the last seq the client holds per channel. */
export const HelloFrame = z.strictObject({
  type: z.literal('hello'),
  id: RequestId,
  since: z.record(ChannelId, Seq),
});
export const SendFrame = z.strictObject({
  type: z.literal('send'),
  id: RequestId,
  channelId: ChannelId,
  clientMsgId: ClientMsgId,
  keyId: KeyId,
  ciphertext: Ciphertext,
});
/** Fetch a page of a channel's timeline, e.g. to fill a gap. */
export const FetchFrame = z.strictObject({
  type: z.literal('fetch'),
  id: RequestId,
  channelId: ChannelId,
  after: Seq,
  limit: z.number().int().min(1).max(200).default(100),
});
export const TypingFrame = z.strictObject({ type: z.literal('typing'), id: RequestId, channelId: ChannelId });
export const ReadFrame = z.strictObject({
  type: z.literal('read'),
  id: RequestId,
  channelId: ChannelId,
  seq: Seq,
});
export const PingFrame = z.strictObject({ type: z.literal('ping'), id: RequestId });

export const ClientFrame = z.discriminatedUnion('type', [
  HelloFrame,
  SendFrame,
  FetchFrame,
  TypingFrame,
  ReadFrame,
  PingFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

// ---- relay → client ----

export const AckFrame = z.object({
  type: z.literal('ack'),
  id: RequestId,
  /** `send`: `{seq, sentAt}`; `fetch`: `{messages, hasMore}`; others: `{}`. */
  result: z.record(z.string(), z.unknown()),
});
export const ErrorFrame = z.object({
  type: z.literal('error'),
  /** null when the frame could not be parsed far enough to read its id. */
  id: RequestId.nullable(),
  error: z.object({ code: ErrorCode, message: z.string(), details: z.unknown().optional() }),
});
/** A committed timeline entry (new message or membership event), pushed to every connected member. */
export const MessageFrame = z.object({ type: z.literal('message'), message: WireMessage });
/** A message was deleted: its ciphertext is gone, a tombstone remains at `seq`. */
export const DeletedFrame = z.object({ type: z.literal('deleted'), channelId: ChannelId, seq: Seq });
/** Sync after hello: one page of missed entries for a channel; more pages follow while hasMore. */
export const SyncFrame = z.object({
  type: z.literal('sync'),
  channelId: ChannelId,
  messages: z.array(WireMessage),
  hasMore: z.boolean(),
});
/** The user's view of a channel changed: joined, membership changed, or removed (channel null). */
export const ChannelFrame = z.object({
  type: z.literal('channel'),
  channelId: ChannelId,
  channel: ChannelSummary.nullable(),
});
export const TypingEventFrame = z.object({ type: z.literal('typing'), channelId: ChannelId, userId: UserId });
export const PresenceFrame = z.object({ type: z.literal('presence'), userId: UserId, online: z.boolean() });

export const ServerFrame = z.discriminatedUnion('type', [
  AckFrame,
  ErrorFrame,
  MessageFrame,
  DeletedFrame,
  SyncFrame,
  ChannelFrame,
  TypingEventFrame,
  PresenceFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** Close codes the relay uses on /ws, beyond the standard ones (1009 frame too big, 1011 error). */
export const CloseCode = {
  /** The relay is shutting down; reconnect (to another relay). */
  goingAway: 1001,
  /** The session expired or was ended (logout, password change); sign in again. */
  sessionEnded: 4001,
  /** The account was disabled or deleted by an admin; do not reconnect. */
  accountClosed: 4003,
  /** The client did not read fast enough (bufferedAmount over the cap); reconnect and sync. */
  slowConsumer: 4008,
  /** The user's sockets kept sending frames through a whole burst of `rate_limited`; back off. */
  tooManyFrames: 4029,
} as const;
