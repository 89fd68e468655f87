// startServer over real sockets: HTTP on a free port, the attach seam, graceful close, and HTTPS
// with a self-signed pair made the way the README documents.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEnv } from '../src/env';
import { silentLogger } from '../src/log';
import { BROADCAST_CHANNEL_ID } from '../src/protocol';
import { type AttachContext, startServer } from '../src/server';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-server-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) =>
  parseEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    SCRYPT_LOG_N: '10',
    ...extra,
  });

describe('startServer', () => {
  it('serves the API on a free port with the embedded store and broadcast in place', async () => {
    const relay = await startServer(env(), { logger: silentLogger() });
    try {
      expect(relay.url).toBe(`http://127.0.0.1:${relay.port}`);
      const res = await fetch(`${relay.url}/api/auth/kdf?username=alice`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("'wasm-unsafe-eval'");
      expect(await relay.store.getChannel(BROADCAST_CHANNEL_ID)).not.toBeNull();
      expect(existsSync(join(dir, 'parley.db'))).toBe(true);
      expect(existsSync(join(dir, 'server-secret'))).toBe(true);
    } finally {
      await relay.close();
    }
  });

  it('hands attached servers the node server before listening and closes them first', async () => {
    const calls: string[] = [];
    let seen: AttachContext | null = null;
    const relay = await startServer(env(), {
      logger: silentLogger(),
      attach: [
        (ctx) => {
          seen = ctx;
          calls.push(`attach:${ctx.server.listening}`);
          return { connectedSockets: () => 7, close: async () => void calls.push('close') };
        },
      ],
    });
    expect(seen).not.toBeNull();
    await relay.close();
    expect(calls).toEqual(['attach:false', 'close']);
    expect(relay.server.listening).toBe(false);
  });

  it('refuses to start when the port is taken', async () => {
    const first = await startServer(env(), { logger: silentLogger() });
    try {
      await expect(
        startServer(env({ PORT: String(first.port) }), { logger: silentLogger() }),
      ).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });

  it('serves HTTPS with HSTS and Secure cookies when given TLS_CERT and TLS_KEY', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1,DNS:localhost',
        ],
        { stdio: 'ignore' },
      );
    } catch {
      if (process.env.CI === 'true') throw new Error('openssl is required under CI');
      return;
    }
    const relay = await startServer(env({ TLS_CERT: cert, TLS_KEY: key }), { logger: silentLogger() });
    try {
      expect(relay.url.startsWith('https://')).toBe(true);
      const ca = await readFile(cert);
      const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
        get(`${relay.url}/api/auth/kdf?username=alice`, { ca }, (res) => {
          res.resume();
          resolve(res.headers);
        }).on('error', reject);
      });
      expect(headers['strict-transport-security']).toMatch(/^max-age=/);
    } finally {
      await relay.close();
    }
  });
});
