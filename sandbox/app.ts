/**
 * The sandbox's Koa app: PortOne's REST API at the root (each call logged, and subject to injected faults), the
 * SDK, the payment window and the control API under `/__sandbox/` (open to any origin), one error shape per API.
 * It never listens (start.ts does).
 */
import { bodyParser } from '@koa/bodyparser';
import type { Router } from '@koa/router';
import Koa, { type Context, type Middleware, type Next } from 'koa';
import type { CallRecord } from './control-api.js';
import { createControlRouter } from './control.js';
import { writeError } from './errors.js';
import { faultInjector } from './faults.js';
import { type SandboxOptions, SandboxState } from './state.js';
import { createV1 } from './v1/index.js';
import { refuse } from './v1/envelope.js';
import type { WebhookSender } from './v1/webhooks.js';
import { createWindowRouter } from './window/routes.js';

const BODY_LIMIT = '100kb';
/** The route name a call gets in the call log when no route matched its path. */
const UNMATCHED = '(no route)';

interface CallState {
  call: CallRecord;
}

export interface SandboxApp {
  app: Koa;
  state: SandboxState;
  webhooks: WebhookSender;
}

/** The Koa app of the sandbox; it never listens (see `startSandbox`). `baseUrl` names itself in answers. */
export function createSandboxApp(options: SandboxOptions = {}, baseUrl: () => string = () => ''): SandboxApp {
  const state = new SandboxState(options);
  const v1 = createV1(state);
  const control = createControlRouter(
    { state, cancelPendingWebhooks: () => v1.webhooks.cancelPending(), restUrl: baseUrl, sdkUrl: () => `${baseUrl()}/iamport.js` },
    v1.control,
  );
  const app = new Koa();
  // Outermost, so that the call log records the status the client got, errors included.
  app.use(recordRestCalls(state, v1.rest));
  app.use(answerErrors(options.quiet ?? false));
  app.use(openToAnyOrigin);
  app.use(injectFaults(state));
  app.use(parseBodies());
  for (const router of [v1.rest, control, ...v1.browser, createWindowRouter()]) app.use(router.routes()).use(router.allowedMethods());
  app.use(answerUnknownPath);
  return { app, state, webhooks: v1.webhooks };
}

/** Paths that are PortOne's REST API (logged, and subject to faults); the rest is the SDK, the window and control. */
function isRestPath(path: string): boolean {
  return !path.startsWith('/__sandbox') && path !== '/iamport.js';
}

/** An error in the shape of the API asked: PortOne's envelope on REST paths, `{status:'error', message}` under `/__sandbox/`. */
function fail(ctx: Context, status: number, message: string): void {
  if (isRestPath(ctx.path)) return refuse(ctx, status, -1, message);
  writeError(ctx, status, message);
}

/** Logs each REST call as it arrives, and completes its entry (route, final status) when it is answered. */
function recordRestCalls(state: SandboxState, rest: Router): Middleware {
  return async (ctx, next) => {
    if (!isRestPath(ctx.path)) return next();
    const record: CallRecord = { seq: state.calls.total + 1, at: state.now(), method: ctx.method, path: ctx.path, route: `${ctx.method} ${ctx.path}`, status: null, fault: null };
    state.calls.push(record);
    (ctx.state as CallState).call = record;
    try {
      await next();
    } finally {
      record.route = `${ctx.method} ${restRoute(ctx, rest)}`;
      record.status = ctx.respond === false ? null : ctx.status;
      state.countCall(record.route);
    }
  };
}

/**
 * The route pattern a REST call is counted under (`/payments/:imp_uid`). A call refused before routing (an
 * unparsable body, a fault) still counts under its route; a path no route knows counts under one key, so
 * that requests to ever new unknown paths cannot grow the counts without bound.
 */
function restRoute(ctx: Context, rest: Router): string {
  const matched = (ctx as Context & { _matchedRoute?: string })._matchedRoute;
  if (matched) return matched;
  const layer = rest
    .match(ctx.path, ctx.method)
    .pathAndMethod.filter((l) => l.methods.length > 0)
    .at(-1);
  return typeof layer?.path === 'string' ? layer.path : UNMATCHED;
}

function answerErrors(quiet: boolean): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        // Thrown on purpose for bad input (an unparsable or oversized body): say what was wrong.
        return fail(ctx, status, (error as Error).message);
      }
      // The sandbox must not crash on anything a client sends: log it, answer a bare 500.
      if (!quiet) console.error('[portone-sandbox]', error);
      return fail(ctx, 500, 'sandbox internal error');
    }
    // The routers' allowedMethods answer 405 (a known path, another method) or 501 (a method no route
    // knows) over the "no such sandbox path" body of the last middleware: say what happened instead.
    if (ctx.status === 405) fail(ctx, 405, `method ${ctx.method} not allowed on ${ctx.path} (allowed: ${ctx.response.get('allow')})`);
    if (ctx.status === 501) fail(ctx, 501, `method ${ctx.method} not implemented`);
  };
}

/** The SDK and the control API are called from merchants' pages and tests on any origin. */
async function openToAnyOrigin(ctx: Context, next: Next): Promise<void> {
  if (isRestPath(ctx.path)) return next();
  ctx.set('access-control-allow-origin', '*');
  ctx.set('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
  ctx.set('access-control-allow-headers', 'content-type');
  if (ctx.method === 'OPTIONS') {
    ctx.status = 204;
    return;
  }
  await next();
}

function injectFaults(state: SandboxState): Middleware {
  const inject = faultInjector(state, (ctx, type) => ((ctx.state as CallState).call.fault = type));
  return (ctx, next) => (isRestPath(ctx.path) ? inject(ctx, next) : next());
}

/** JSON and form bodies (every PortOne operation takes both), at most BODY_LIMIT. */
function parseBodies(): Middleware {
  return bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: BODY_LIMIT,
    formLimit: BODY_LIMIT,
    onError: (error, ctx) => {
      const tooLarge = (error as { status?: number }).status === 413;
      ctx.throw(tooLarge ? 413 : 400, tooLarge ? `body over ${BODY_LIMIT}` : 'body is not valid JSON or form data');
    },
  });
}

async function answerUnknownPath(ctx: Context, next: Next): Promise<void> {
  await next();
  if (ctx.status === 404 && ctx.body === undefined) fail(ctx, 404, `no such sandbox path: ${ctx.method} ${ctx.path}`);
}
