// Builds the relay's HTTP app from its dependencies. Never listens: server.ts serves it, and
// tests call `app.request()` with no socket.
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { Verifier } from './auth/verifier';
import { MembershipLogs } from './channels/membership-append';
import { RelayMetrics } from './metrics';
import { bodyLimits } from './middleware/body-limit';
import { csrfGuard } from './middleware/csrf';
import { renderError, renderNotFound } from './middleware/errors';
import { MemoryRateLimiter } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { securityHeaders } from './middleware/security-headers';
import type { AppDeps, AppEnv, ResolvedDeps } from './middleware/types';
import { webApp } from './middleware/web-app';
import { messageSender, type SendMessage } from './realtime/send-message';
import { adminRoutes } from './routes/admin';
import { authRoutes } from './routes/auth';
import { channelRoutes } from './routes/channels';
import { ktRoutes } from './routes/kt';
import { meRoutes } from './routes/me';
import { opsRoutes } from './routes/ops';
import { userRoutes } from './routes/users';

export type { AppDeps, AppEnv, ResolvedDeps } from './middleware/types';

/** The send path of an app without the real-time services: each send appended on its own. */
function directSender(deps: AppDeps, now: () => number, metrics: RelayMetrics): SendMessage {
  return messageSender({
    append: async (send) => {
      const [result] = await deps.store.appendMessages([send], now());
      if (!result) throw new Error('appendMessages returned no result');
      return result;
    },
    limiter: null,
    ratePerSec: deps.config.realtime.sendRate.ratePerSec,
    events: deps.events,
    logger: deps.logger,
    metrics,
  });
}

function resolveDeps(deps: AppDeps): ResolvedDeps {
  const now = deps.now ?? Date.now;
  const metrics = deps.metrics ?? new RelayMetrics();
  return {
    ...deps,
    now,
    limiters: deps.limiters ?? {
      auth: new MemoryRateLimiter(deps.config.login.maxAttempts, deps.config.login.windowMs, now),
      register: new MemoryRateLimiter(deps.config.login.registerMaxPerIp, deps.config.login.windowMs, now),
    },
    connectedSockets: deps.connectedSockets ?? (() => 0),
    sendMessage: deps.sendMessage ?? directSender(deps, now, metrics),
    metrics,
    readinessChecks: deps.readinessChecks ?? [],
    webDist: deps.webDist ?? null,
    startedAt: deps.startedAt ?? now(),
    verifier: new Verifier(deps.config.scrypt.logN),
    membershipLogs: new MembershipLogs(deps.store),
  };
}

export function buildApp(deps: AppDeps): Hono<AppEnv> {
  const d = resolveDeps(deps);
  const app = new Hono<AppEnv>();

  app.use('*', requestContext(d.logger, d.config.trustProxy));
  app.use('*', async (c, next) => {
    await next();
    d.metrics.httpResponses.inc({ status: String(c.res.status) });
  });
  app.use('*', securityHeaders({ hsts: d.config.hsts }));
  app.use('/api/*', async (c, next) => {
    await next();
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  });
  app.use('/api/*', csrfGuard({ publicOrigins: d.config.publicOrigins }));
  app.use('/api/*', bodyLimits(d.config.limits));
  // JSON answers go gzipped to clients that accept it (history pages are mostly base64). No
  // body mixes a secret with text an attacker chose (sessions live in cookies), so BREACH-style
  // length probing has nothing to find. Static assets are precompressed (web-app.ts).
  app.use('/api/*', compress({ encoding: 'gzip', contentTypeFilter: /^application\/json/ }));
  app.use('/metrics', compress({ encoding: 'gzip' }));

  app.route('/api/auth', authRoutes(d));
  app.route('/api/me', meRoutes(d));
  app.route('/api/users', userRoutes(d));
  app.route('/api/channels', channelRoutes(d));
  app.route('/api/admin', adminRoutes(d));
  app.route('/api/kt', ktRoutes(d));
  app.route('/', opsRoutes(d));
  app.all('/api/*', renderNotFound);

  if (d.webDist) app.use('*', webApp(d.webDist));

  app.notFound(renderNotFound);
  app.onError((err, c) => renderError(err, c, d.logger));
  return app;
}
