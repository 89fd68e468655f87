// Crypto cost per message at group sizes 2, 100 and 1000, with real keys and real envelopes.
// Baseline, run side by side: encrypting every message to every member separately (a sealed box
// per recipient), which is what sender keys avoid. The sender-key scheme pays the per-member
// cost only when a key is (re)distributed.
import {
  decryptMessage,
  encryptMessage,
  generateIdentity,
  generateSenderKey,
  type IdentityKeys,
  newClientMsgId,
  ready,
  sealShare,
  utf8,
} from '@parley/crypto-core';
import sodium from 'libsodium-wrappers-sumo';
import { fmt, printTable, time } from './measure';

const TEXT = 'The quick brown fox jumps over the lazy dog. '.repeat(4); // ~180 chars, a typical message

export interface CryptoFigures {
  encryptUs: number;
  decryptUs: number;
  sealShareUs: number;
  /** Per group size: the sender-key cost per message against a sealed box per recipient. */
  bySize: { members: number; senderKeyUs: number; keyShareMs: number; pairwiseUs: number }[];
}

export async function runCryptoBench(groupSizes: number[]): Promise<CryptoFigures> {
  await ready();
  await sodium.ready;
  const sender = generateIdentity();
  const members: IdentityKeys[] = [];
  const maxSize = Math.max(...groupSizes);
  for (let i = 0; i < maxSize; i++) members.push(generateIdentity());
  const senderKey = generateSenderKey();
  const ctx = { channelId: 'bench', senderId: 'sender', keyId: 1 };
  const payload = () => ({ v: 1 as const, kind: 'text' as const, sentAt: Date.now(), text: TEXT });

  const encrypt = time(() => {
    encryptMessage({
      ...ctx,
      clientMsgId: newClientMsgId(),
      senderKey,
      senderSignSk: sender.signSk,
      payload: payload(),
    });
  });
  const clientMsgId = newClientMsgId();
  const sample = encryptMessage({
    ...ctx,
    clientMsgId,
    senderKey,
    senderSignSk: sender.signSk,
    payload: payload(),
  });
  const decrypt = time(() => {
    decryptMessage({ ...ctx, clientMsgId, senderKey, senderIdentityPk: sender.signPk, ciphertext: sample });
  });
  const seal = time(() => {
    sealShare({
      ...ctx,
      recipientId: 'r',
      key: senderKey,
      senderSignSk: sender.signSk,
      recipientEncPk: members[0]?.boxPk ?? sender.boxPk,
    });
  });
  // Baseline: the same plaintext signed once and sealed to each recipient (pairwise fan-out).
  const plaintext = utf8(JSON.stringify(payload()));
  const pairwisePerRecipient = time(() => {
    sodium.crypto_box_seal(plaintext, members[0]?.boxPk ?? sender.boxPk);
  });
  const sign = time(() => {
    sodium.crypto_sign_detached(plaintext, sender.signSk);
  });

  const bySize = groupSizes.map((n) => ({
    members: n,
    senderKeyUs: encrypt.perCallMicros, // O(1) in the group size
    keyShareMs: (seal.perCallMicros * n) / 1000, // once per key, not per message
    pairwiseUs: sign.perCallMicros + pairwisePerRecipient.perCallMicros * (n - 1),
  }));
  const rows = bySize.map((r) => [
    String(r.members),
    fmt(r.senderKeyUs),
    fmt(decrypt.perCallMicros),
    fmt(r.keyShareMs, 2),
    fmt(r.pairwiseUs),
    `${fmt(r.pairwiseUs / r.senderKeyUs, 1)}x`,
  ]);
  printTable(
    'Crypto cost per message (µs, one core; sender keys vs. a sealed box per recipient per message)',
    ['members', 'encrypt', 'decrypt', 'key share ms', 'pairwise encrypt', 'pairwise/sender-key'],
    rows,
  );
  return {
    encryptUs: encrypt.perCallMicros,
    decryptUs: decrypt.perCallMicros,
    sealShareUs: seal.perCallMicros,
    bySize,
  };
}
