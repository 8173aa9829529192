/**
 * `createApp(deps)`: the verifier as a Koa app that never listens (tests use port 0 or `app.callback()`;
 * `main.ts` listens). Middleware, in order: errors → draining guard → CORS → body parser → routes.
 */
import { bodyParser } from '@koa/bodyparser';
import cors from '@koa/cors';
import { Router } from '@koa/router';
import Koa, { type Context, type Next } from 'koa';
import { RouteError } from './errors.js';
import { silentLogger, type Logger } from './log.js';
import type { PortOneClient } from './portone/client.js';
import { createPaymentRoutes } from './routes/payments.js';
import { createWebhookRoutes } from './routes/webhook.js';
import type { FulfilmentHook } from './settle.js';
import type { OrderStore } from './store/types.js';

export interface AppDeps {
  store: OrderStore;
  portone: Pick<PortOneClient, 'getPayment' | 'cancel' | 'prepare'>;
  /** The merchant's fulfilment hook: once per order that becomes paid, at least once across crashes (see FulfilmentHook). */
  onPaid?: FulfilmentHook;
  logger?: Logger;
  /** Origins allowed by CORS; none: same origin only. */
  allowedOrigins?: readonly string[];
  /** Set `draining` to answer 503 while shutting down. */
  lifecycle?: { draining: boolean };
}

/** Bodies are small JSON objects; anything bigger is a mistake or an attack. */
const BODY_LIMIT = '16kb';

export function createApp(deps: AppDeps): Koa {
  const logger = deps.logger ?? silentLogger;
  const app = new Koa({ proxy: false });
  // Koa's own error log would print stacks for client errors; the middleware below logs what matters.
  app.silent = true;

  app.use(async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof RouteError) {
        ctx.status = error.status;
        ctx.body = error.body;
        return;
      }
      const status = (error as { status?: number }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = { status: 'error', message: (error as Error).message };
        return;
      }
      logger.error('unhandled error', { method: ctx.method, path: ctx.path, error });
      ctx.status = 500;
      ctx.body = { status: 'error', message: 'internal error' };
    }
  });

  app.use(async (ctx: Context, next: Next) => {
    if (deps.lifecycle?.draining) {
      ctx.set('connection', 'close');
      ctx.status = 503;
      ctx.body = { status: 'error', retryable: true, message: 'shutting down' };
      return;
    }
    await next();
  });

  const allowed = new Set(deps.allowedOrigins ?? []);
  app.use(cors({ origin: (ctx) => (allowed.has(ctx.get('origin')) ? ctx.get('origin') : ''), credentials: true, allowMethods: ['GET', 'POST'] }));

  app.use(
    bodyParser({
      enableTypes: ['json', 'form'],
      jsonLimit: BODY_LIMIT,
      formLimit: BODY_LIMIT,
      // SPEC §4: every unreadable body is a 400 `{status: 'error', message}` naming the body, the oversized one
      // included (not co-body's 413 / 415), so a client has one status to handle for "fix your request".
      onError: (error, ctx) => {
        const { status, message = '' } = error as { status?: number; message?: string };
        const kind = ctx.request.is('application/x-www-form-urlencoded') ? 'form data' : 'JSON';
        if (status === 413) ctx.throw(400, `body: over the ${BODY_LIMIT} limit`);
        if (status === 415) ctx.throw(400, 'body: unsupported charset or content encoding');
        if (/prototype/i.test(message)) ctx.throw(400, 'body: a __proto__ or constructor.prototype key is not allowed');
        ctx.throw(400, `body is not valid ${kind}`);
      },
    }),
  );

  const settleDeps = { store: deps.store, portone: deps.portone, onPaid: deps.onPaid, logger };
  const health = new Router().get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  for (const router of [createPaymentRoutes(settleDeps), createWebhookRoutes(settleDeps), health]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}
