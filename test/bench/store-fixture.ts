// A relay Store (server/src/db, the code the relay runs) on SQLite or MySQL with one channel ready
// for sends: `members` accounts in the broadcast channel, the first few of them with a sender key
// shared with every member, so that every append passes the send check (membership, key epoch,
// full share coverage). MySQL gets a database of its own, dropped at close.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bundleToWire,
  generateIdentity,
  INTERACTIVE_KDF_PARAMS,
  KEY_BLOB_BYTES,
  makeBundle,
  SEALED_SHARE_BYTES,
} from '@parley/crypto-core';
import { BROADCAST_CHANNEL_ID } from '@parley/server/protocol';
import { openStore, type Store } from '../../server/src/db';
import { dropDatabase, freshDatabaseUrl } from '../support/mysql';

export type Dialect = 'sqlite' | 'mysql';

export interface StoreFixture {
  dialect: Dialect;
  store: Store;
  channelId: string;
  senders: { id: string; keyId: number }[];
  /** The SQLite file or mysql:// URL the store opened, for the raw driver to open too. */
  location: string;
  close(): Promise<void>;
}

const SENDERS = 4;

export async function openFixture(
  dialect: Dialect,
  members: number,
  mysqlUrl: string,
): Promise<StoreFixture> {
  const dir = dialect === 'sqlite' ? mkdtempSync(join(tmpdir(), 'parley-bench-store-')) : undefined;
  const location = dir ? join(dir, 'parley.db') : freshDatabaseUrl(mysqlUrl, 'parley_bench').url;
  const dispose = async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    else await dropDatabase(location);
  };
  let store: Store | undefined;
  try {
    store = await openStore(location);
    const ids = await addMembers(store, members);
    const senders = ids.slice(0, Math.min(SENDERS, ids.length)).map((id) => ({ id, keyId: 1 }));
    for (const s of senders) {
      const shares = ids.map((recipientId) => ({
        recipientId,
        sealed: new Uint8Array(randomBytes(SEALED_SHARE_BYTES)),
      }));
      await store.putShares(BROADCAST_CHANNEL_ID, s.id, s.keyId, shares);
    }
    const opened = store;
    return {
      dialect,
      store: opened,
      channelId: BROADCAST_CHANNEL_ID,
      senders,
      location,
      close: async () => {
        await opened.close();
        await dispose();
      },
    };
  } catch (err) {
    await store?.close();
    await dispose();
    throw err;
  }
}

async function addMembers(store: Store, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const user = await store.createUser({
      id: randomUUID(),
      username: `bench${i}-${randomBytes(3).toString('hex')}`,
      displayName: `bench ${i}`,
      email: null,
      kdfSalt: new Uint8Array(randomBytes(16)),
      kdf: INTERACTIVE_KDF_PARAMS,
      verifier: 'bench: no login',
      bundle: bundleToWire(makeBundle(generateIdentity())),
      keyBlob: new Uint8Array(randomBytes(KEY_BLOB_BYTES)),
      recoveryVerifier: null,
      recoveryBlob: null,
      createdAt: Date.now(),
    });
    ids.push(user.id);
  }
  return ids;
}
