// The server secret keys the fake-salt HMAC. From SERVER_SECRET when set; otherwise 32 random
// bytes generated on first start and kept in `<DATA_DIR>/server-secret` (mode 0600). Several
// relays of one deployment must share it, or fake salts would differ between them.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FILE_NAME = 'server-secret';

export function serverSecretFile(dataDir: string): string {
  return join(dataDir, FILE_NAME);
}

export async function loadServerSecret(configured: string | null, dataDir: string): Promise<Uint8Array> {
  if (configured !== null) return new TextEncoder().encode(configured);
  const path = join(dataDir, FILE_NAME);
  try {
    const text = (await readFile(path, 'utf8')).trim();
    const secret = Buffer.from(text, 'base64url');
    if (secret.length >= 32) return new Uint8Array(secret);
    throw new Error(`${path}: too short; delete it to generate a new one`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32);
  try {
    await writeFile(path, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another relay process on the same data dir won the race: use its secret.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadServerSecret(null, dataDir);
    throw err;
  }
  return new Uint8Array(secret);
}

/**
 * Replaces the generated secret with 32 new random bytes (the admin CLI's rotate-secret), written
 * beside the old file and renamed over it, so a relay starting meanwhile reads one or the other.
 * Relays read the secret at start: each keeps the old one until restarted.
 */
export async function rotateServerSecret(dataDir: string): Promise<string> {
  const path = serverSecretFile(dataDir);
  await mkdir(dataDir, { recursive: true });
  const next = `${path}.${process.pid}.new`;
  await writeFile(next, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  await rename(next, path);
  return path;
}
