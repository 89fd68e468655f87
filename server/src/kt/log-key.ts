// The relay's key-log signing key (DESIGN §7.5): an Ed25519 pair made on first start and kept in
// KT_LOG_KEY_FILE (default <DATA_DIR>/kt-log-key, mode 0600) as its 32-byte seed. Clients pin its
// public half on first use; its fingerprint is printed at start and shown in the admin panel.
// Every relay of a deployment must use the same file, or clients would see two signers.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ktLogKeyFingerprint } from '@parley/crypto-core';

export interface LogKey {
  publicKey: Uint8Array;
  /** libsodium's 64-byte form: seed || public key. */
  secretKey: Uint8Array;
  fingerprint: string;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function fromSeed(seed: Buffer): LogKey {
  const priv = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const x = createPublicKey(priv).export({ format: 'jwk' }).x;
  const publicKey = new Uint8Array(Buffer.from(x ?? '', 'base64url'));
  const secretKey = new Uint8Array(Buffer.concat([seed, publicKey]));
  return { publicKey, secretKey, fingerprint: ktLogKeyFingerprint(publicKey) };
}

/** The key in `file`, or null when there is none yet (the admin CLI reads it without making one). */
export async function readLogKey(file: string): Promise<LogKey | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const seed = Buffer.from(text.trim(), 'base64url');
  if (seed.length !== 32) throw new Error(`${file}: not a 32-byte key-log seed`);
  return fromSeed(seed);
}

export async function loadLogKey(file: string): Promise<LogKey> {
  const existing = await readLogKey(file);
  if (existing !== null) return existing;
  await mkdir(dirname(file), { recursive: true });
  const d = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }).d ?? '';
  try {
    await writeFile(file, `${d}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another relay process on the same data dir made it first: use that one.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadLogKey(file);
    throw err;
  }
  return fromSeed(Buffer.from(d, 'base64url'));
}
