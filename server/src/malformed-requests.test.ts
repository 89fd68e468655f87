import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './log';
import { LogLimiter } from './log-limit';
import { answerParserError } from './malformed-requests';

/** A socket that records what is written to it. */
function fakeSocket(inFlight?: { headersSent: boolean }) {
  const written: string[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      written.push(chunk.toString());
      done();
    },
  });
  Object.assign(socket, { _httpMessage: inFlight ?? null });
  return { socket, written };
}

const log = new LogLimiter(silentLogger());
const parserError = (code: string) => Object.assign(new Error('Parse Error'), { code });

describe('answerParserError', () => {
  it('answers with a JSON error body and closes', async () => {
    const { socket, written } = fakeSocket();
    answerParserError(parserError('HPE_HEADER_OVERFLOW'), socket, log);
    await new Promise((resolve) => socket.once('close', resolve));
    const [head, json] = written.join('').split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(json ?? '')).toEqual({
      error: { code: 'payload_too_large', message: 'request headers too large' },
    });
  });

  it('writes nothing on a socket whose response has started, and destroys it', () => {
    const { socket, written } = fakeSocket({ headersSent: true });
    answerParserError(parserError('HPE_INVALID_CONSTANT'), socket, log);
    expect(written).toEqual([]);
    expect(socket.destroyed).toBe(true);
  });

  it('writes nothing on a reset connection', () => {
    const { socket, written } = fakeSocket();
    answerParserError(parserError('ECONNRESET'), socket, log);
    expect(written).toEqual([]);
    expect(socket.destroyed).toBe(true);
  });
});
