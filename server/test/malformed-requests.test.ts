// Requests node or the adaptor refuse before the app sees them (issue 13, fault 6): a bad method,
// oversized headers, a bad or missing Host. They get the API's JSON error body, like any other
// refusal, over a raw TCP socket so that nothing tidies the request up on the way.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../src/env';
import { silentLogger } from '../src/log';
import { type RunningServer, startServer } from '../src/server';

let dir: string;
let relay: RunningServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-malformed-'));
  const config = parseEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    SCRYPT_LOG_N: '10',
  });
  relay = await startServer(config, { logger: silentLogger() });
});
afterAll(async () => {
  await relay.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `request` as is and reads the whole answer until the relay closes or 1 s passes. */
async function rawExchange(request: string): Promise<string> {
  const socket = connect(relay.port, '127.0.0.1');
  let answer = '';
  socket.on('data', (chunk: Buffer) => {
    answer += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(request);
  await new Promise((resolve) => {
    socket.once('close', resolve);
    setTimeout(resolve, 1_000);
  });
  socket.destroy();
  return answer;
}

function parse(answer: string): { status: number; headers: string; body: unknown } {
  const [head = '', ...rest] = answer.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const raw = rest.join('\r\n\r\n');
  // A chunked body (the adaptor's answers) is one chunk here: size line, data, terminator.
  const body = /transfer-encoding: chunked/i.test(head) ? (raw.split('\r\n')[1] ?? '') : raw;
  return { status, headers: head, body: body === '' ? null : JSON.parse(body) };
}

describe('requests refused before the app', () => {
  it.each([
    ['an unknown method', 'BREW /api/me HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    [
      'a malformed header line',
      'GET /api/me HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
      400,
      'bad_request',
    ],
    [
      'headers over the limit',
      `GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'payload_too_large',
    ],
    ['a Host with a space', 'GET /api/me HTTP/1.1\r\nHost: exa mple\r\n\r\n', 400, 'bad_request'],
    ['no Host at all', 'GET /api/me HTTP/1.1\r\n\r\n', 400, 'bad_request'],
    ['a backslash in the path', 'GET /api\\me HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
  ])('answers %s with the JSON error format', async (_what, request, status, code) => {
    const answer = parse(await rawExchange(request));
    expect(answer.status).toBe(status);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expect(answer.body).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('still serves well-formed requests afterwards', async () => {
    const res = await fetch(`${relay.url}/api/auth/kdf?username=alice`);
    expect(res.status).toBe(200);
  });
});
