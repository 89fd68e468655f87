// Typed JSON over an injected fetch: every answer is validated against the protocol's zod schema,
// and every refusal becomes an ApiError carrying the relay's code.
import { ErrorBody } from '@parley/server/protocol';
import type { z } from 'zod';
import { ApiError, ProtocolError } from './errors';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type Query = Record<string, string | number | undefined>;

export interface HttpOptions {
  /** e.g. `http://localhost:8080`; '' for same-origin relative paths in the browser. */
  baseUrl: string;
  fetch: FetchLike;
  /** Sent as the Origin header where the platform allows it (Node); browsers add their own. */
  origin?: string;
}

export class HttpClient {
  readonly #baseUrl: string;
  readonly #fetch: FetchLike;
  readonly #origin: string | undefined;

  constructor(options: HttpOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch;
    this.#origin = options.origin;
  }

  get<S extends z.ZodType>(path: string, schema: S, query?: Query): Promise<z.infer<S>> {
    return this.request('GET', withQuery(path, query), schema);
  }

  post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    return this.request('POST', path, schema, body);
  }

  put<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    return this.request('PUT', path, schema, body);
  }

  patch<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    return this.request('PATCH', path, schema, body);
  }

  delete<S extends z.ZodType>(path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    return this.request('DELETE', path, schema, body);
  }

  /** Uploads raw bytes (e.g. an avatar) with the given content type. */
  async putBytes<S extends z.ZodType>(
    path: string,
    bytes: Uint8Array,
    mime: string,
    schema: S,
  ): Promise<z.infer<S>> {
    const res = await this.#send('PUT', path, { 'content-type': mime }, bytes as unknown as BodyInit);
    return this.#parse(res, schema, 'PUT', path);
  }

  async request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.infer<S>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await this.#send(method, path, headers, payload);
    return this.#parse(res, schema, method, path);
  }

  async #send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: BodyInit,
  ): Promise<Response> {
    if (this.#origin) headers.origin = this.#origin;
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = body;
    return this.#fetch(`${this.#baseUrl}${path}`, init);
  }

  async #parse<S extends z.ZodType>(
    res: Response,
    schema: S,
    method: string,
    path: string,
  ): Promise<z.infer<S>> {
    const text = await res.text();
    let json: unknown;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        if (!res.ok)
          throw new ApiError(res.status, statusCode(res.status), `${method} ${path}: HTTP ${res.status}`);
        throw new ProtocolError(`${method} ${path}: answer is not JSON`);
      }
    }
    if (!res.ok) {
      const err = ErrorBody.safeParse(json);
      if (err.success) {
        const { code, message, details } = err.data.error;
        throw new ApiError(res.status, code, message, details);
      }
      throw new ApiError(res.status, statusCode(res.status), `${method} ${path}: HTTP ${res.status}`);
    }
    const parsed = schema.safeParse(json ?? {});
    if (!parsed.success) {
      throw new ProtocolError(
        `${method} ${path}: unexpected answer: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    }
    return parsed.data;
  }
}

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/** The error code a bare status implies, for answers that carry no error body. */
function statusCode(status: number): ApiError['code'] {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    default:
      return 'internal';
  }
}
