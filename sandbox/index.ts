/**
 * The PortOne V1 sandbox: an offline stand-in for the REST V1 API (`api.iamport.kr`) and for iamport.js,
 * with a test payment window, webhooks, and a control API under `/__sandbox/`. For the demo, for this
 * project's tests, and for merchants' own CI (`import { startSandbox } from 'portone-checkout/sandbox'`).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Koa, { type Context, type Next } from 'koa';
import { createCheckoutRouter } from './checkout.js';
import { createControlRouter } from './control.js';
import { refuse } from './envelope.js';
import { faultInjector } from './faults.js';
import { createRestRouter } from './rest.js';
import { type CallRecord, type SandboxOptions, SandboxState } from './state.js';
import { WebhookSender } from './webhooks.js';

export type { Payment, PaymentStatus } from './payment.js';
export type { CallRecord, Fault, SandboxConfig, SandboxOptions, WebhookDelivery, WindowScript } from './state.js';
export { DEFAULT_CREDENTIALS, SandboxState } from './state.js';

const BODY_LIMIT = '100kb';
/** The route name a call gets in the call log when no route matched its path. */
const UNMATCHED = '(no route)';

interface CallState {
  call: CallRecord;
}

/** Paths that are PortOne's REST API (recorded, and subject to faults); the rest is SDK and control. */
function isRestPath(path: string): boolean {
  return !path.startsWith('/__sandbox') && path !== '/iamport.js';
}

/**
 * An error in the shape of the API asked: PortOne's envelope on REST paths, the control API's
 * `{status:'error', message}` under `/__sandbox/`. (Before, an unparsable body sent to the control API was
 * answered with PortOne's envelope, unlike every other control API error.)
 */
function fail(ctx: Context, status: number, message: string): void {
  if (isRestPath(ctx.path)) return refuse(ctx, status, -1, message);
  ctx.status = status;
  ctx.body = { status: 'error', message };
}

function readAsset(name: string): string {
  return readFileSync(new URL(`./sdk/${name}`, import.meta.url), 'utf8');
}

export interface SandboxApp {
  app: Koa;
  state: SandboxState;
  webhooks: WebhookSender;
}

/** The Koa app of the sandbox; it never listens (see `startSandbox`). `baseUrl` names itself in answers. */
export function createSandboxApp(options: SandboxOptions = {}, baseUrl: () => string = () => ''): SandboxApp {
  const state = new SandboxState(options);
  const webhooks = new WebhookSender(state);
  const app = new Koa();
  const sdk = readAsset('iamport.js');
  const windowScript = readAsset('window.js');

  // Outermost, so that the call log records the status the client got, errors included. (Before, it sat
  // inside the error handler and logged a thrown 400/413/500 as the 404 Koa starts with.)
  app.use(async (ctx: Context, next: Next) => {
    if (!isRestPath(ctx.path)) return next();
    const record: CallRecord = { seq: state.calls.total + 1, at: state.now(), method: ctx.method, path: ctx.path, route: `${ctx.method} ${ctx.path}`, status: null, fault: null };
    state.calls.push(record);
    (ctx.state as CallState).call = record;
    try {
      await next();
    } finally {
      record.route = `${ctx.method} ${restRoute(ctx)}`;
      record.status = ctx.respond === false ? null : ctx.status;
      state.countCall(record.route);
    }
  });

  /**
   * The route pattern a REST call is counted under (`/payments/:imp_uid`). A call refused before routing (an
   * unparsable body, a fault) still counts under its route; a path no route knows counts under one key, so
   * that requests to ever new unknown paths cannot grow the counts without bound. (Before, such calls were
   * counted under their raw path.)
   */
  function restRoute(ctx: Context): string {
    const matched = (ctx as Context & { _matchedRoute?: string })._matchedRoute;
    if (matched) return matched;
    const layer = rest
      .match(ctx.path, ctx.method)
      .pathAndMethod.filter((l) => l.methods.length > 0)
      .at(-1);
    return typeof layer?.path === 'string' ? layer.path : UNMATCHED;
  }

  app.use(async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        // Thrown on purpose for bad input (an unparsable or oversized body): say what was wrong.
        return fail(ctx, status, (error as Error).message);
      }
      // The sandbox must not crash on anything a client sends: log it, answer a bare 500.
      if (!options.quiet) console.error('[portone-sandbox]', error);
      return fail(ctx, 500, 'sandbox internal error');
    }
    // The routers' allowedMethods answer 405 (a known path, another method) or 501 (a method no route
    // knows) over the "no such sandbox path" body of the last middleware: say what happened instead.
    if (ctx.status === 405) fail(ctx, 405, `method ${ctx.method} not allowed on ${ctx.path} (allowed: ${ctx.response.get('allow')})`);
    if (ctx.status === 501) fail(ctx, 501, `method ${ctx.method} not implemented`);
  });

  app.use(async (ctx: Context, next: Next) => {
    if (isRestPath(ctx.path)) return next();
    // The SDK and the control API are called from merchants' pages and tests on any origin.
    ctx.set('access-control-allow-origin', '*');
    ctx.set('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
    ctx.set('access-control-allow-headers', 'content-type');
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    await next();
  });

  app.use(async (ctx: Context, next: Next) => {
    if (!isRestPath(ctx.path)) return next();
    const record = (ctx.state as CallState).call;
    await faultInjector(state, (_ctx, type) => (record.fault = type))(ctx, next);
  });

  app.use(
    bodyParser({
      enableTypes: ['json', 'form'],
      jsonLimit: BODY_LIMIT,
      formLimit: BODY_LIMIT,
      onError: (error, ctx) => {
        const tooLarge = (error as { status?: number }).status === 413;
        ctx.throw(tooLarge ? 413 : 400, tooLarge ? `body over ${BODY_LIMIT}` : 'body is not valid JSON or form data');
      },
    }),
  );

  const rest = createRestRouter(state, webhooks);
  const control = createControlRouter(state, webhooks, { restUrl: baseUrl, sdkUrl: () => `${baseUrl()}/iamport.js` });
  const checkout = createCheckoutRouter(state, webhooks, () => sdk);
  app.use(rest.routes()).use(rest.allowedMethods());
  app.use(control.routes()).use(control.allowedMethods());
  app.use(checkout.routes()).use(checkout.allowedMethods());
  app.use(async (ctx: Context, next: Next) => {
    if (ctx.path === '/__sandbox/window.js') {
      ctx.type = 'application/javascript; charset=utf-8';
      ctx.body = windowScript;
      return;
    }
    await next();
    if (ctx.status === 404 && ctx.body === undefined) fail(ctx, 404, `no such sandbox path: ${ctx.method} ${ctx.path}`);
  });

  return { app, state, webhooks };
}

export interface StartOptions extends SandboxOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface Sandbox {
  /** REST V1 base URL: use it where PortOne's `https://api.iamport.kr` would go. */
  url: string;
  /** The stand-in iamport.js: use it where `https://cdn.iamport.kr/v1/iamport.js` would go. */
  sdkUrl: string;
  state: SandboxState;
  server: Server;
  close(): Promise<void>;
}

/** Start a sandbox listening on loopback; `close()` stops it and its pending webhooks. */
export async function startSandbox(options: StartOptions = {}): Promise<Sandbox> {
  let url = '';
  const { app, state, webhooks } = createSandboxApp(options, () => url);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!options.quiet) console.log(`[portone-sandbox] PortOne V1 SANDBOX, not PortOne: no real payment is made. REST ${url}  SDK ${url}/iamport.js`);
  return {
    url,
    sdkUrl: `${url}/iamport.js`,
    state,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        webhooks.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
