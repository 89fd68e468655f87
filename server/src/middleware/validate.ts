// Reads a request's JSON body, query or params through a zod schema. Any failure is a 400
// `bad_request` carrying the zod issues; nothing reaches a handler unvalidated.
import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { ApiError, badRequest } from './errors';

type Issue = { path: (string | number)[]; message: string; code: string };

function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.message,
    code: i.code,
  }));
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw badRequest(`invalid ${where}`, { issues: issuesOf(result.error) });
  return result.data;
}

/** The JSON body, validated. Refuses a non-JSON content type (415) and malformed JSON (400). */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  let data: unknown;
  try {
    data = JSON.parse(await c.req.text());
  } catch {
    throw badRequest('malformed JSON body');
  }
  return parseWith(schema, data, 'body');
}

/** Like jsonBody, for requests whose body may be empty (a DELETE with or without one): `{}` then. */
export async function optionalJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  if ((await c.req.text()) === '') return parseWith(schema, {}, 'body');
  return jsonBody(c, schema);
}

/** For routes that take no query: refuses any, as strict bodies refuse unknown fields. */
export const refuseQuery: MiddlewareHandler = async (c, next) => {
  const keys = Object.keys(c.req.query());
  if (keys.length > 0) {
    throw badRequest('this endpoint takes no query parameters', {
      issues: keys.map((k) => ({ path: [k], message: 'unknown query parameter', code: 'unrecognized_keys' })),
    });
  }
  await next();
};

export function queryOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.query(), 'query');
}

export function paramsOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.param(), 'path');
}
