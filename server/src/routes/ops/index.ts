// Probes and metrics for operators (docs/operations.md): /healthz says the process is up,
// /readyz whether the database (and Redis, when configured) answer, /metrics is Prometheus text
// for whoever holds METRICS_TOKEN. None of them reads a cookie or needs a session.
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { checkReadiness, databaseChecks } from '../../health/readiness';
import { notFound } from '../../middleware/errors';
import type { AppEnv, ResolvedDeps } from '../../middleware/types';

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export function opsRoutes(deps: ResolvedDeps): Hono<AppEnv> {
  const checks = [...databaseChecks(deps.store), ...deps.readinessChecks];
  const token = deps.config.metricsToken;
  const r = new Hono<AppEnv>();

  r.get('/healthz', (c) => c.json({ status: 'ok' }, 200, { 'Cache-Control': 'no-store' }));

  r.get('/readyz', async (c) => {
    const { ready, checks: results } = await checkReadiness(checks);
    return c.json({ status: ready ? 'ready' : 'unready', checks: results }, ready ? 200 : 503, {
      'Cache-Control': 'no-store',
    });
  });

  // Without METRICS_TOKEN the endpoint does not exist: metrics show load and user counts.
  r.get('/metrics', async (c) => {
    if (token === null) throw notFound();
    if (!bearerMatches(c.req.header('authorization'), token)) {
      return c.json(
        { error: { code: 'unauthorized', message: 'send Authorization: Bearer <METRICS_TOKEN>' } },
        401,
        {
          'WWW-Authenticate': 'Bearer realm="metrics"',
        },
      );
    }
    return c.body(await deps.metrics.render(), 200, {
      'Content-Type': deps.metrics.contentType,
      'Cache-Control': 'no-store',
    });
  });
  return r;
}
