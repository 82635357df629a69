// The express app factory: JSON API, dashboard pages, live streams and static assets, over injected services.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createApiRouter } from './routes/api.js';
import { createPageRoutes, renderErrorResponse } from './routes/pages.js';
import { createStreamRoutes } from './routes/streams.js';
import { errorStatus, NotFoundError } from './errors.js';
import { jsonNestsDeeperThan, JsonTooDeepError, MAX_JSON_DEPTH } from './json-depth.js';
import type { AppDeps } from './app-deps.js';
import { staticDir } from './paths.js';
import { loopbackHostGuard, sameOriginGuard, securityHeaders, tokenGuard } from './security.js';


const require = createRequire(import.meta.url);

/** Files served from node_modules under /assets/vendor/ (never a CDN). */
function vendorFiles(): Record<string, string> {
  const htmxDist = dirname(require.resolve('htmx.org/dist/htmx.min.js'));
  const uplotDist = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return {
    'htmx.min.js': join(htmxDist, 'htmx.min.js'),
    'hx-sse.js': join(htmxDist, 'ext', 'hx-sse.js'),
    'uPlot.iife.min.js': join(uplotDist, 'uPlot.iife.min.js'),
    'uPlot.min.css': join(uplotDist, 'uPlot.min.css'),
  };
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(securityHeaders);
  app.use(deps.token ? tokenGuard(deps.token) : loopbackHostGuard);
  app.use(sameOriginGuard);

  const vendor = vendorFiles();
  app.get('/assets/vendor/:file', (req, res, next) => {
    const file = Object.hasOwn(vendor, req.params.file) ? vendor[req.params.file] : undefined; // not __proto__
    if (!file) return next();
    res.sendFile(file, { maxAge: '1h' });
  });
  app.use('/assets', express.static(staticDir, { maxAge: '10m' }));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, running: deps.scheduler.runningCount });
  });
  // The depth check runs on the bytes before JSON.parse, which is slow on very deep text.
  const verify = (_req: unknown, _res: unknown, body: Buffer) => {
    if (jsonNestsDeeperThan(body, MAX_JSON_DEPTH)) throw new JsonTooDeepError(MAX_JSON_DEPTH);
  };
  app.use('/api', express.json({ limit: '1mb', verify }), createApiRouter(deps));
  app.use(createStreamRoutes(deps));
  app.use(express.urlencoded({ extended: false, limit: '1mb' }), createPageRoutes(deps));

  app.use((req, _res, next) => next(new NotFoundError('page', req.path)));
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, code, message } = errorStatus(error);
    if (status >= 500) console.error('initlab: request failed:', error);
    if (res.headersSent) return res.end();
    if (req.path.startsWith('/api/') || req.path === '/healthz') {
      const issues = (error as { issues?: unknown }).issues;
      res.status(status).json({ error: { code, message, ...(Array.isArray(issues) ? { issues } : {}) } });
      return;
    }
    renderErrorResponse(res, status, message);
  });
  return app;
}
