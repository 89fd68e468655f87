// Messages between the page and kdf.worker.ts.
import type { KdfParams } from '@parley/server/protocol';

export interface KdfRequest {
  id: number;
  password: string;
  salt: Uint8Array;
  params: KdfParams;
}

export type KdfResponse =
  | { id: number; ok: true; authKey: Uint8Array; wrapKey: Uint8Array }
  | { id: number; ok: false; message: string };
