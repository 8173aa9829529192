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
import { type SandboxOptions, SandboxState } from './state.js';
import { WebhookSender } from './webhooks.js';

export type { Payment, PaymentStatus } from './payment.js';
export type { CallRecord, Fault, SandboxConfig, SandboxOptions, WebhookDelivery, WindowScript } from './state.js';
export { SandboxState } from './state.js';

const BODY_LIMIT = '100kb';

/** Paths that are PortOne's REST API (recorded, and subject to faults); the rest is SDK and control. */
function isRestPath(path: string): boolean {
  return !path.startsWith('/__sandbox') && path !== '/iamport.js';
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

  app.use(async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        // Thrown on purpose for bad input (an unparsable or oversized body): say what was wrong.
        return refuse(ctx, status, -1, (error as Error).message);
      }
      // The sandbox must not crash on anything a client sends: log it, answer a bare 500.
      if (!options.quiet) console.error('[portone-sandbox]', error);
      refuse(ctx, 500, -1, 'sandbox internal error');
    }
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
    const record = { seq: state.calls.total + 1, at: state.now(), method: ctx.method, path: ctx.path, route: `${ctx.method} ${ctx.path}`, status: null as number | null, fault: null as import('./state.js').FaultType | null };
    state.calls.push(record);
    try {
      await faultInjector(state, (_ctx, type) => (record.fault = type))(ctx, next);
    } finally {
      record.route = `${ctx.method} ${(ctx as Context & { _matchedRoute?: string })._matchedRoute ?? ctx.path}`;
      record.status = ctx.respond === false ? null : ctx.status;
      state.countCall(record.route);
    }
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
    if (ctx.status === 404 && ctx.body === undefined) refuse(ctx, 404, -1, `no such sandbox path: ${ctx.method} ${ctx.path}`);
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
