/**
 * The sandbox's Koa app: PortOne's REST API at the root (each call logged, and subject to injected faults), the
 * SDK, the payment window and the control API under `/__sandbox/` (open to any origin), one error shape per API.
 * It never listens (start.ts does).
 */
import Koa, { type Context } from 'koa';
import { createControlRouter } from './control.js';
import { writeError } from './errors.js';
import { answerErrors, answerUnknownPath, type ApiProfile, injectFaults, openToAnyOrigin, parseBodies, recordRestCalls } from './http.js';
import { type SandboxOptions, SandboxState } from './state.js';
import { createV1 } from './v1/index.js';
import { refuse } from './v1/envelope.js';
import type { WebhookSender } from './v1/webhooks.js';
import { createWindowRouter } from './window/routes.js';

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
  app.use(recordRestCalls(state, v1.rest, V1_PROFILE));
  app.use(answerErrors(options.quiet ?? false, V1_PROFILE));
  app.use(openToAnyOrigin(V1_PROFILE));
  app.use(injectFaults(state, V1_PROFILE));
  app.use(parseBodies());
  for (const router of [v1.rest, control, ...v1.browser, createWindowRouter()]) app.use(router.routes()).use(router.allowedMethods());
  app.use(answerUnknownPath(V1_PROFILE));
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

const V1_PROFILE: ApiProfile = { isRestPath, fail };
