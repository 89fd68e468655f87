// Real Parley envelopes for the load: who is in the room, what a typical message looks like, and
// the two ways a load uses them. The relay load seals its envelopes before the timed window (each
// with its own clientMsgId: the id is bound into the AEAD data and the signature, so an envelope
// cannot be reused without the relay treating it as a retry); the end-to-end load seals at send
// time and counts a delivery only once the receiver has decrypted it and checked its signature.
import { randomBytes } from 'node:crypto';
import {
  decryptMessage,
  encryptMessage,
  fromBase64,
  type IdentityKeys,
  newClientMsgId,
  type Payload,
  toBase64,
} from '@parley/crypto-core';
import type { Frame } from './frames';

export interface Member {
  id: string;
  identity: IdentityKeys;
  /** `parley_session=…` on the Parley relay; unused by the baselines. */
  cookie: string;
}

export interface Sender extends Member {
  keyId: number;
  senderKey: Uint8Array;
}

/** One room: every member is in the channel, the first few also send. */
export interface Cast {
  channelId: string;
  members: Member[];
  senders: Sender[];
}

/** One message, sealed, in both the form a client sends to the relay and the form the relay delivers. */
export interface Envelope {
  clientMsgId: string;
  sender: number;
  /** Parley's `send` frame; its request id is the clientMsgId. */
  sendFrame: string;
  /** The `message` frame the relay delivers for it; the baselines forward this text as it is. */
  messageFrame: string;
}

/** A typical chat line with the timeline fields every client sends (previous id, key-log head). */
const TEXT =
  'Are we still on for the review tomorrow? I moved it to 10:30 so that Sam can join after the stand-up.';
const KT_HASH = toBase64Lazy(32);

function toBase64Lazy(n: number): () => string {
  let value: string | undefined;
  return () => {
    value ??= toBase64(new Uint8Array(randomBytes(n)));
    return value;
  };
}

function payload(n: number, after: string | undefined): Payload {
  return {
    v: 1,
    kind: 'text',
    sentAt: Date.now(),
    text: `${TEXT} (${n})`,
    ...(after ? { after } : {}),
    kt: { epoch: 42, hash: KT_HASH() },
  };
}

/** Per sender: the last clientMsgId it sent (the next payload's `after`) and a counter. */
const lastSent = new WeakMap<Sender, { id: string | undefined; n: number }>();

export function seal(cast: Cast, senderIndex: number): Envelope {
  const sender = cast.senders[senderIndex];
  if (!sender) throw new Error(`seal: no sender ${senderIndex}`);
  const last = lastSent.get(sender) ?? { id: undefined, n: 0 };
  const clientMsgId = newClientMsgId();
  const ciphertext = toBase64(
    encryptMessage({
      channelId: cast.channelId,
      senderId: sender.id,
      keyId: sender.keyId,
      clientMsgId,
      senderKey: sender.senderKey,
      senderSignSk: sender.identity.signSk,
      payload: payload(last.n, last.id),
    }),
  );
  lastSent.set(sender, { id: clientMsgId, n: last.n + 1 });
  const { channelId } = cast;
  return {
    clientMsgId,
    sender: senderIndex,
    sendFrame: JSON.stringify({
      type: 'send',
      id: clientMsgId,
      channelId,
      clientMsgId,
      keyId: sender.keyId,
      ciphertext,
    }),
    messageFrame: JSON.stringify({
      type: 'message',
      message: {
        channelId,
        seq: 0,
        kind: 'msg',
        senderId: sender.id,
        keyId: sender.keyId,
        clientMsgId,
        ciphertext,
        sentAt: Date.now(),
        deleted: false,
        system: null,
      },
    }),
  };
}

/** `count` envelopes, the senders taking turns; made before a timed window. */
export function sealMany(cast: Cast, count: number): Envelope[] {
  return Array.from({ length: count }, (_, i) => seal(cast, i % cast.senders.length));
}

interface DeliveredMessage {
  message: { channelId: string; senderId: string; keyId: number; clientMsgId: string; ciphertext: string };
}

/**
 * What a receiving client does with a delivered message frame: parse it, decrypt it with the
 * sender's key and verify the sender's signature. Throws on any failure.
 */
export function openDelivery(frame: Frame, senders: ReadonlyMap<string, Sender>): Payload {
  const { message } = JSON.parse(
    typeof frame === 'string' ? frame : frame.toString('utf8'),
  ) as DeliveredMessage;
  const sender = senders.get(message.senderId);
  if (!sender) throw new Error(`openDelivery: unknown sender ${message.senderId}`);
  return decryptMessage({
    channelId: message.channelId,
    senderId: message.senderId,
    keyId: message.keyId,
    clientMsgId: message.clientMsgId,
    senderKey: sender.senderKey,
    senderIdentityPk: sender.identity.signPk,
    ciphertext: fromBase64(message.ciphertext),
  });
}
