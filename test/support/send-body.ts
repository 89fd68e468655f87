// Send bodies built by hand, as the protocol client (or a forger) would, for tests that post to the
// relay directly: a text payload encrypted and signed under a given sender key.
import { encryptMessage, newClientMsgId, toBase64 } from '@parley/crypto-core';
import type { TestUser } from './users';

/** `{ clientMsgId, keyId, ciphertext }` carrying `text` from `sender` in `channelId`, under `key`. */
export function sendBody(
  sender: TestUser,
  channelId: string,
  key: { keyId: number; key: Uint8Array },
  text: string,
  clientMsgId = newClientMsgId(),
): { clientMsgId: string; keyId: number; ciphertext: string } {
  const ciphertext = encryptMessage({
    channelId,
    senderId: sender.id,
    keyId: key.keyId,
    clientMsgId,
    senderKey: key.key,
    senderSignSk: sender.client.session.identity.signSk,
    payload: { v: 1, kind: 'text', sentAt: Date.now(), text },
  });
  return { clientMsgId, keyId: key.keyId, ciphertext: toBase64(ciphertext) };
}
