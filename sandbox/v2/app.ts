/**
 * The Koa app of the sandbox's V2 address: PortOne's REST V2 at the root (each call logged, authenticated,
 * idempotent on `Idempotency-Key`, subject to injected faults), the stand-in browser SDK, the payment window and the V2
 * control API under `/__sandbox/`. It shares the V1 state's clock; it never listens (start.ts does).
 */
import Koa, { type Context, type Next } from 'koa';
import { writeError } from '../errors.js';
import { answerErrors, answerUnknownPath, type ApiProfile, BODY_LIMIT, BODY_LIMIT_BYTES, injectFaults, openToAnyOrigin, parseBodies, recordRestCalls } from '../http.js';
import type { SandboxState } from '../state.js';
import { createWindowRouter } from '../window/routes.js';
import { createV2CheckoutRouter } from './checkout.js';
import { createV2ControlRouter } from './control.js';
import { failV2 } from './errors.js';
import { idempotency } from './idempotency.js';
import { authenticate, createV2RestRouter } from './rest.js';
import { type V2Options, V2State } from './state.js';
import { V2Webhooks } from './webhooks.js';
import { createV2WindowRouter } from './window.js';

export interface V2App {
  app: Koa;
  state: V2State;
  webhooks: V2Webhooks;
}

/** Paths that are PortOne's REST V2 API; the rest is the SDK, the window and control. */
function isRestPath(path: string): boolean {
  return !path.startsWith('/__sandbox') && path !== '/browser-sdk.js';
}

/** An error in the shape of the API asked: `{type, message}` on REST paths, `{status:'error', message}` under `/__sandbox/`. */
function fail(ctx: Context, status: number, message: string): void {
  if (isRestPath(ctx.path)) return failV2(ctx, status, message);
  writeError(ctx, status, message);
}

const V2_PROFILE: ApiProfile = { isRestPath, fail };

export function createV2App(shared: SandboxState, options: V2Options & { quiet?: boolean } = {}, baseUrl: () => string = () => ''): V2App {
  const state = new V2State(shared, options);
  const webhooks = new V2Webhooks(state);
  const rest = createV2RestRouter(state, webhooks);
  const control = createV2ControlRouter({ state, webhooks, restUrl: baseUrl });
  const app = new Koa();
  app.use(recordRestCalls(state, rest, V2_PROFILE));
  app.use(answerErrors(options.quiet ?? false, V2_PROFILE));
  app.use(openToAnyOrigin(V2_PROFILE));
  app.use(readBodies(parseBodies()));
  app.use(authenticate(state, isRestPath));
  // Before the faults: a call slowed down by a latency fault holds its key (the in-flight 409 can be seen).
  app.use(idempotency(state, isRestPath));
  app.use(injectFaults(state, V2_PROFILE));
  for (const router of [rest, control, createV2CheckoutRouter(state), createV2WindowRouter(state, webhooks), createWindowRouter('V2')]) app.use(router.routes()).use(router.allowedMethods());
  app.use(answerUnknownPath(V2_PROFILE));
  return { app, state, webhooks };
}

/**
 * REST V2 bodies are JSON whatever their Content-Type (the official server SDK sends `text/plain`); the control API
 * and the payment window take JSON and forms, as V1's.
 */
function readBodies(forms: Koa.Middleware) {
  return async (ctx: Context, next: Next) => {
    if (!isRestPath(ctx.path)) return forms(ctx, next);
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') ctx.request.body = await readJson(ctx);
    await next();
  };
}

async function readJson(ctx: Context): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT_BYTES) ctx.throw(413, `body over ${BODY_LIMIT}`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return ctx.throw(400, 'body is not valid JSON');
  }
}
