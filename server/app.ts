/**
 * `createApp(deps)`: the verifier as a Koa app that never listens (tests use port 0 or `app.callback()`;
 * `main.ts` listens). Middleware, in order: errors → draining guard → CORS → body parser → routes. Beside the
 * routes it runs the fulfilment deliverer (retries of owed deliveries, polled; `app.close()` stops it).
 */
import { bodyParser } from '@koa/bodyparser';
import cors from '@koa/cors';
import { Router } from '@koa/router';
import Koa, { type Context, type Next } from 'koa';
import { RouteError, writeError } from './errors.js';
import { type FulfilmentEndpoint, FulfilmentDeliverer, type FulfilmentHook, type FulfilmentHookV2, type FulfilmentOptions } from './fulfilment.js';
import { silentLogger, type Logger } from './log.js';
import type { PortOneClient } from './portone/client.js';
import { bodyPricing, PricingBug, type PriceOrder } from './pricing.js';
import { createPaymentRoutes } from './routes/payments.js';
import type { V2RouteSettings } from './routes/payments-v2.js';
import { createWebhookV2Routes, WEBHOOK_V2_PATH } from './routes/webhook-v2.js';
import { webhookKey } from './webhook-signature.js';
import { rateLimit } from './routes/rate-limit.js';
import { createWebhookRoutes } from './routes/webhook.js';
import type { OrderStore } from './store/types.js';

export interface AppDeps {
  store: OrderStore;
  portone: Pick<PortOneClient, 'getPayment' | 'cancel' | 'prepare'>;
  /**
   * The price authority of `POST /payments/prepare` (SPEC §4): what an order costs, decided here, never by the
   * browser. `catalogPricing(await loadCatalog(path))` prices from a catalog file.
   */
  priceOrder?: PriceOrder;
  /**
   * Without `priceOrder`: charge what the browser asks. Only for the built-in sandbox (demos, tests): anyone can
   * then buy anything for ₩1. createApp refuses to run with neither.
   */
  trustBrowserPrices?: boolean;
  /**
   * PortOne V2 (SPEC §8.2): the client, the store whose payments count, whether TEST-channel payments count, and the
   * webhook secrets (`whsec_…`, at most two). Without it the server speaks V1 only.
   */
  v2?: V2RouteSettings & { webhookSecrets: readonly string[] };
  /** False: PortOne V1 is not configured (V2 alone); V1 requests are a 400 saying so. Default true. */
  v1?: boolean;
  /** The merchant's fulfilment hook: once per order that becomes paid, at least once across crashes (see FulfilmentHook). */
  onPaid?: FulfilmentHook;
  /** The same for V2 orders (with V2's Payment); required with `onPaid` when `v2` is given. */
  onPaidV2?: FulfilmentHookV2;
  /** `FULFILMENT_URL` + `FULFILMENT_SECRET`: a signed POST of every paid order (beside or instead of `onPaid`). */
  fulfilmentEndpoint?: FulfilmentEndpoint;
  /**
   * Tuning of the deliverer (lease, poll, backoff, timeout) and of how long `complete` waits for the first attempt
   * (`waitMs`, SPEC's 10 s); the defaults suit production.
   */
  fulfilment?: Omit<FulfilmentOptions, 'onPaid' | 'onPaidV2' | 'endpoint'> & { waitMs?: number };
  /** Prepares per client address per minute (SPEC's PREPARE_RATE_LIMIT); 0: no limit. Default 30. */
  prepareRateLimit?: number;
  /** Behind a reverse proxy: the client address is X-Forwarded-For's (Koa's `proxy`). Default false. */
  proxy?: boolean;
  logger?: Logger;
  /** Origins allowed by CORS; none: same origin only. */
  allowedOrigins?: readonly string[];
  /** Set `draining` to answer 503 while shutting down. */
  lifecycle?: { draining: boolean };
}

/** The verifier app: a Koa app, its fulfilment deliverer, and `close()`, which stops the deliverer (not the store). */
export type VerifierApp = Koa & { fulfilment: FulfilmentDeliverer; close(): Promise<void> };

/** A V2 server whose `onPaid` would never hear of V2 orders. */
export class MissingV2Hook extends Error {
  override name = 'MissingV2Hook';
  constructor() {
    super('onPaid is given and PortOne V2 is on: give onPaidV2 too (V2 orders carry V2 payments), or V2 orders would never reach your hook');
  }
}

export class NoPriceAuthority extends Error {
  override name = 'NoPriceAuthority';
  constructor() {
    super('no price authority: give createApp a priceOrder function (or set CATALOG_FILE for npm run server); trustBrowserPrices is only for the built-in sandbox');
  }
}

/** Bodies are small JSON objects; anything bigger is a mistake or an attack. */
const BODY_LIMIT = '16kb';

export function createApp(deps: AppDeps): VerifierApp {
  const logger = deps.logger ?? silentLogger;
  if (!deps.priceOrder && !deps.trustBrowserPrices) throw new NoPriceAuthority();
  if (deps.v2 && deps.onPaid && !deps.onPaidV2) throw new MissingV2Hook();
  if (deps.v2 && deps.v2.webhookSecrets.length > 2) throw new Error('PortOne V2 takes at most two webhook secrets at once (a rotation)');
  const webhookKeys = (deps.v2?.webhookSecrets ?? []).map((secret) => webhookKey(secret, 1));
  if (deps.v2 && webhookKeys.length === 0) logger.warn(`no PortOne V2 webhook secret: every notification to ${WEBHOOK_V2_PATH} is refused (set PORTONE_V2_WEBHOOK_SECRETS)`);
  if (!deps.priceOrder) logger.warn('prices come from the browser (trustBrowserPrices): for demos against the sandbox only; a buyer can pay any amount');
  const app = new Koa({ proxy: deps.proxy ?? false });
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
      if (error instanceof PricingBug) {
        logger.error('the price authority is wrong', { path: ctx.path, error });
        writeError(ctx, 500, 'the server could not price this order');
        return;
      }
      const status = (error as { status?: number }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        writeError(ctx, status, (error as Error).message);
        return;
      }
      logger.error('unhandled error', { method: ctx.method, path: ctx.path, error });
      writeError(ctx, 500, 'internal error');
    }
  });

  app.use(async (ctx: Context, next: Next) => {
    if (deps.lifecycle?.draining) {
      ctx.set('connection', 'close');
      writeError(ctx, 503, 'shutting down', true);
      return;
    }
    await next();
  });

  const allowed = new Set(deps.allowedOrigins ?? []);
  app.use(cors({ origin: (ctx) => (allowed.has(ctx.get('origin')) ? ctx.get('origin') : ''), credentials: true, allowMethods: ['GET', 'POST'] }));

  // The V2 webhook verifies its signature over the raw bytes before anything reads them: no parser on its path.
  const parser = bodyParser({
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
  });
  app.use((ctx: Context, next: Next) => (ctx.path === WEBHOOK_V2_PATH ? next() : parser(ctx, next)));

  const { waitMs: fulfilmentWaitMs, ...tuning } = deps.fulfilment ?? {};
  const fulfilment = new FulfilmentDeliverer(
    { store: deps.store, portone: deps.portone, v2: deps.v2, logger: logger.child({ component: 'fulfilment' }) },
    { ...tuning, onPaid: deps.onPaid, onPaidV2: deps.onPaidV2, endpoint: deps.fulfilmentEndpoint },
  );
  const settleDeps = { store: deps.store, portone: deps.portone, v2: deps.v2, logger, fulfilment };
  const paymentRoutes = createPaymentRoutes({
    ...settleDeps,
    priceOrder: deps.priceOrder ?? bodyPricing,
    prepareLimit: rateLimit(deps.prepareRateLimit ?? 30, 'prepares'),
    fulfilmentWaitMs,
    v1: deps.v1,
  });
  const health = new Router().get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  for (const router of [paymentRoutes, createWebhookRoutes(settleDeps), createWebhookV2Routes({ ...settleDeps, webhookKeys }), health]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  fulfilment.start();
  return Object.assign(app, { fulfilment, close: () => fulfilment.stop() });
}
