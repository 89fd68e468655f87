// Keeps the unlocked identity keys across reloads: the secrets are encrypted with AES-GCM under a
// NON-extractable WebCrypto key, and both the CryptoKey object and the ciphertext live in
// IndexedDB. Script on this origin can use the key but never read it out; logout wipes both.
import { KdfParamsSchema } from '@parley/crypto-core';
import { z } from 'zod';
import type { KdfMemory } from '../client';
import { decodeRecord, encodeRecord } from './record-codec';

const DB_NAME = 'parley';
const STORE = 'vault';
const KEY_ID = 'wrapping-key';
const BLOB_ID = 'unlocked';

export class VaultError extends Error {
  override name = 'VaultError';
}

interface SealedEntry {
  v: 1;
  userId: string;
  iv: Uint8Array<ArrayBuffer>;
  ciphertext: ArrayBuffer;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new VaultError(`vault: ${req.error?.message ?? 'IndexedDB request failed'}`));
  });
}

function openDb(): Promise<IDBDatabase> {
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => {
    if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
  };
  return request(req);
}

async function withStore<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => Promise<T>): Promise<T> {
  const db = await openDb();
  try {
    const tx = db.transaction(STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = tx.onerror = () =>
        reject(new VaultError(`vault: ${tx.error?.message ?? 'transaction failed'}`));
    });
    const result = await fn(tx.objectStore(STORE));
    await done;
    return result;
  } finally {
    db.close();
  }
}

/** True when this browser can hold a vault (IndexedDB and SubtleCrypto present). */
export function vaultAvailable(): boolean {
  return typeof indexedDB !== 'undefined' && typeof crypto !== 'undefined' && !!crypto.subtle;
}

/** Encrypts `secrets` under a fresh non-extractable AES-GCM key and stores key and blob. */
export async function saveUnlocked(userId: string, secrets: Record<string, Uint8Array>): Promise<void> {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = encodeRecord(secrets);
  const ad = new TextEncoder().encode(`parley/vault/v1:${userId}`);
  try {
    const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ad }, key, plain);
    const entry: SealedEntry = { v: 1, userId, iv, ciphertext };
    await withStore('readwrite', async (store) => {
      store.put(key, KEY_ID);
      store.put(entry, BLOB_ID);
    });
  } finally {
    plain.fill(0);
  }
}

/** The stored secrets, or null when there is no vault (or it cannot be opened: then it is wiped). */
export async function loadUnlocked(): Promise<{
  userId: string;
  secrets: Record<string, Uint8Array>;
} | null> {
  if (!vaultAvailable()) return null;
  const [key, entry] = await withStore('readonly', async (store) => {
    const k = request(store.get(KEY_ID) as IDBRequest<CryptoKey | undefined>);
    const e = request(store.get(BLOB_ID) as IDBRequest<SealedEntry | undefined>);
    return Promise.all([k, e]);
  });
  if (!key || !entry || entry.v !== 1) return null;
  try {
    const ad = new TextEncoder().encode(`parley/vault/v1:${entry.userId}`);
    const plain = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: entry.iv, additionalData: ad },
        key,
        entry.ciphertext,
      ),
    );
    const secrets = decodeRecord(plain);
    plain.fill(0);
    return { userId: entry.userId, secrets };
  } catch {
    await wipeVault();
    return null;
  }
}

/** Deletes the wrapping key and the blob (logout, account switch, disabled account). */
export async function wipeVault(): Promise<void> {
  if (!vaultAvailable()) return;
  await withStore('readwrite', async (store) => {
    store.delete(KEY_ID);
    store.delete(BLOB_ID);
  });
}

/** Remembers the highest contact-pins version seen for a user (not secret; kept across logouts). */
export async function savePinsVersion(username: string, version: number): Promise<void> {
  if (!vaultAvailable()) return;
  await withStore('readwrite', async (store) => {
    store.put(version, `pins-version:${username}`);
  });
}

export async function loadPinsVersion(username: string): Promise<number> {
  if (!vaultAvailable()) return 0;
  const v = await withStore('readonly', (store) => request(store.get(`pins-version:${username}`)));
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
}

/**
 * This browser's memory of each account's salt and KDF parameters (not secret; kept across
 * logouts), so that a login can warn when the relay offers weaker ones or another salt.
 */
export const kdfMemory: KdfMemory = {
  async get(username) {
    if (!vaultAvailable()) return null;
    const v = await withStore('readonly', (store) => request(store.get(`kdf:${username}`)));
    const parsed = KdfRecordSchema.safeParse(v);
    return parsed.success ? parsed.data : null;
  },
  async set(username, record) {
    if (!vaultAvailable()) return;
    await withStore('readwrite', async (store) => {
      store.put({ salt: record.salt, kdf: { ...record.kdf } }, `kdf:${username}`);
    });
  },
};

const KdfRecordSchema = z.object({ salt: z.string(), kdf: KdfParamsSchema });

/**
 * Remembers that a user was shown a new recovery code but has not confirmed saving it (no secret:
 * just the user id). The code itself lives only in memory, so after a reload the app offers to
 * make a new one. Kept across logouts so the next login asks too.
 */
export async function setRecoveryUnconfirmed(userId: string, unconfirmed: boolean): Promise<void> {
  if (!vaultAvailable()) return;
  await withStore('readwrite', async (store) => {
    if (unconfirmed) store.put(true, `recovery-unconfirmed:${userId}`);
    else store.delete(`recovery-unconfirmed:${userId}`);
  });
}

export async function isRecoveryUnconfirmed(userId: string): Promise<boolean> {
  if (!vaultAvailable()) return false;
  const v = await withStore('readonly', (store) => request(store.get(`recovery-unconfirmed:${userId}`)));
  return v === true;
}
