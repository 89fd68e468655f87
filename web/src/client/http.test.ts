import { SendResponse } from '@parley/server/protocol';
import { describe, expect, it } from 'vitest';
import { ApiError, ProtocolError } from './errors';
import { HttpClient } from './http';

function fakeFetch(status: number, body: string, seen: { url?: string; init?: RequestInit } = {}) {
  return async (url: string, init?: RequestInit) => {
    seen.url = url;
    if (init !== undefined) seen.init = init;
    return new Response(body === '' ? null : body, {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
}

describe('HttpClient', () => {
  it('sends JSON with the Origin it was given and returns the validated answer', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const http = new HttpClient({
      baseUrl: 'http://relay:8080/',
      fetch: fakeFetch(201, '{"seq":4,"sentAt":9}', seen),
      origin: 'http://relay:8080',
    });
    await expect(http.post('/api/x', { a: 1 }, SendResponse)).resolves.toEqual({ seq: 4, sentAt: 9 });
    expect(seen.url).toBe('http://relay:8080/api/x');
    const headers = seen.init?.headers as Record<string, string>;
    expect(headers.origin).toBe('http://relay:8080');
    expect(headers['content-type']).toBe('application/json');
    expect(seen.init?.body).toBe('{"a":1}');
  });

  it('encodes query parameters and leaves out undefined ones', async () => {
    const seen: { url?: string } = {};
    const http = new HttpClient({ baseUrl: '', fetch: fakeFetch(200, '{"seq":1,"sentAt":1}', seen) });
    await http.get('/api/y', SendResponse, { after: 3, before: undefined, name: 'a b' });
    expect(seen.url).toBe('/api/y?after=3&name=a+b');
  });

  it("turns the relay's error body into an ApiError with its code and details", async () => {
    const body = JSON.stringify({
      error: { code: 'missing_shares', message: 'seal', details: { missing: ['u1'] } },
    });
    const http = new HttpClient({ baseUrl: '', fetch: fakeFetch(409, body) });
    const err = await http.post('/api/z', {}, SendResponse).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'missing_shares', message: 'seal' });
    expect((err as ApiError).missingMembers).toEqual(['u1']);
  });

  it('maps a bare error status (no JSON body) to a code', async () => {
    const http = new HttpClient({ baseUrl: '', fetch: fakeFetch(502, 'Bad Gateway') });
    await expect(http.get('/api/z', SendResponse)).rejects.toMatchObject({ status: 502, code: 'internal' });
    const http404 = new HttpClient({ baseUrl: '', fetch: fakeFetch(404, '') });
    await expect(http404.get('/api/z', SendResponse)).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  it('refuses an answer that does not match the schema', async () => {
    const http = new HttpClient({ baseUrl: '', fetch: fakeFetch(200, '{"seq":"four"}') });
    await expect(http.get('/api/z', SendResponse)).rejects.toBeInstanceOf(ProtocolError);
  });

  it('accepts an empty 204 where the answer is ignored', async () => {
    const http = new HttpClient({ baseUrl: '', fetch: fakeFetch(204, '') });
    const { z } = await import('zod');
    await expect(http.delete('/api/z', z.unknown())).resolves.toEqual({});
  });
});
