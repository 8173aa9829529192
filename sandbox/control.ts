/**
 * The sandbox's own API under `/__sandbox/` (never part of PortOne): script the payment window, inject faults,
 * move the clock, read the calls received and the webhooks sent, reset; each protocol adds its own routes (V1's
 * payments: v1/control-payments.ts). JSON in and out (control-api.ts); errors are `{status:'error', message}`.
 */
import { Router } from '@koa/router';
import type { z } from 'zod';
import type { RingLog } from './bounded.js';
import { type CallRecord, clockChange, configPatch, type Fault, type FaultType, newFault, newScript, type SandboxDescription, type WindowScript } from './control-api.js';
import { parseBody, writeError } from './errors.js';
import type { SandboxState } from './state.js';

/** How many scripts, and how many faults, may wait at once. */
export const MAX_QUEUED = 100;

const ENDPOINTS = [
  'POST /__sandbox/reset',
  'GET|PUT /__sandbox/config',
  'GET|POST /__sandbox/payments',
  'GET|PATCH /__sandbox/payments/:imp_uid',
  'GET|POST|DELETE /__sandbox/scripts',
  'GET|POST|DELETE /__sandbox/faults, DELETE /__sandbox/faults/:id',
  'POST /__sandbox/token/expire',
  'POST /__sandbox/clock',
  'GET|DELETE /__sandbox/calls',
  'GET|DELETE /__sandbox/webhooks',
];

export interface ControlDeps {
  state: SandboxState;
  /** Drop every webhook queued or in flight (a reset must not deliver one into the next test). */
  cancelPendingWebhooks: () => void;
  restUrl: () => string;
  sdkUrl: () => string;
}

/** The control API's shared routes under `/__sandbox`; `extend` adds a protocol's own. */
export function createControlRouter(deps: ControlDeps, ...extend: Array<(router: Router) => void>): Router {
  const router = new Router({ prefix: '/__sandbox' });
  describeRoute(router, deps);
  resetRoute(router, deps.state, deps.cancelPendingWebhooks);
  configRoutes(router, deps.state, configPatch);
  scriptRoutes(router, deps.state, newScript, (id, input): WindowScript => ({
    id,
    merchant_uid: input.merchant_uid ?? null,
    action: input.action,
    amount: input.amount ?? null,
    error_code: input.error_code ?? null,
    error_msg: input.error_msg ?? null,
    shape: input.shape ?? null,
    device: input.device ?? null,
    delay_ms: input.delay_ms,
  }));
  faultRoutes(router, deps.state);
  tokenRoute(router, deps.state);
  clockRoute(router, deps.state);
  logRoutes(router, deps.state);
  for (const add of extend) add(router);
  return router;
}

/** `GET /`: the V1 sandbox's URLs, accepted key and control endpoints. */
function describeRoute(router: Router, { state, restUrl, sdkUrl }: ControlDeps): void {
  router.get('/', (ctx) => {
    ctx.body = {
      sandbox: true,
      rest_url: restUrl(),
      sdk_url: sdkUrl(),
      credentials: { imp_key: state.apiKey, imp_secret: '(configured)' },
      endpoints: ENDPOINTS,
    } satisfies SandboxDescription;
  });
}

/** `POST /reset`: forget what the protocol's state holds, and drop its pending webhooks (a reset must not deliver one into the next test). */
export function resetRoute(router: Router, state: { reset(): void }, cancelPendingWebhooks: () => void): void {
  router.post('/reset', (ctx) => {
    state.reset();
    cancelPendingWebhooks();
    ctx.status = 204;
  });
}

/** Where a protocol keeps its config (V1's state, V2's). */
export interface ConfigStore<C> {
  readonly config: C;
  setConfig(patch: Partial<C>): void;
}

/** `GET|PUT /config`: a protocol's config, changed field by field as `patchSchema` allows. */
export function configRoutes<C>(router: Router, state: ConfigStore<C>, patchSchema: z.ZodType): void {
  router.get('/config', (ctx) => {
    ctx.body = state.config;
  });

  router.put('/config', (ctx) => {
    const patch = parseBody(ctx, patchSchema);
    if (!patch) return;
    state.setConfig(patch as Partial<C>);
    ctx.body = state.config;
  });
}

/** Where a protocol queues its window scripts (V1's state, V2's). */
export interface ScriptStore<S> {
  scripts: S[];
  id(): number;
}

/** What every protocol's new script says: its action, and the amount an `amount` action needs. */
type ScriptInputSchema = z.ZodType<{ action: string; amount?: number | null | undefined }>;

/** `/scripts`: choices the next payment windows make by themselves; `toScript` writes one in the protocol's names. */
export function scriptRoutes<T extends ScriptInputSchema, S>(router: Router, state: ScriptStore<S>, schema: T, toScript: (id: number, input: z.output<T>) => S): void {
  router.get('/scripts', (ctx) => {
    ctx.body = { scripts: state.scripts };
  });

  router.post('/scripts', (ctx) => {
    const input = parseBody(ctx, schema);
    if (!input) return;
    if (input.action === 'amount' && input.amount == null) return writeError(ctx, 400, 'amount: required for action "amount"');
    if (state.scripts.length >= MAX_QUEUED) return writeError(ctx, 409, `at most ${MAX_QUEUED} scripts can wait; DELETE /__sandbox/scripts`);
    const script = toScript(state.id(), input);
    state.scripts.push(script);
    ctx.status = 201;
    ctx.body = script;
  });

  router.delete('/scripts', (ctx) => {
    state.scripts = [];
    ctx.status = 204;
  });
}

/** Where a protocol keeps its faults (V1's state, V2's). */
export interface FaultStore {
  faults: Fault[];
  id(): number;
}

/** `/faults`: the faults on a protocol's REST calls; `refusedTypes` are the fault types that protocol has no use for. */
export function faultRoutes(router: Router, state: FaultStore, refusedTypes: readonly FaultType[] = []): void {
  router.get('/faults', (ctx) => {
    ctx.body = { faults: state.faults };
  });

  router.post('/faults', (ctx) => {
    const input = parseBody(ctx, newFault);
    if (!input) return;
    if (refusedTypes.includes(input.type)) return writeError(ctx, 400, `type: "${input.type}" does not apply here`);
    if (state.faults.length >= MAX_QUEUED) return writeError(ctx, 409, `at most ${MAX_QUEUED} faults; DELETE /__sandbox/faults`);
    const fault = { id: state.id(), ...input, method: input.method ?? null, times: input.times ?? null, hits: 0, seen: 0 };
    state.faults.push(fault);
    ctx.status = 201;
    ctx.body = fault;
  });

  router.delete('/faults', (ctx) => {
    state.faults = [];
    ctx.status = 204;
  });

  router.delete('/faults/:id', (ctx) => {
    const before = state.faults.length;
    state.faults = state.faults.filter((f) => String(f.id) !== ctx.params.id);
    if (state.faults.length === before) return writeError(ctx, 404, `no fault ${ctx.params.id}`);
    ctx.status = 204;
  });
}

/** `POST /token/expire`: V1 alone has access tokens. */
function tokenRoute(router: Router, state: SandboxState): void {
  router.post('/token/expire', (ctx) => {
    state.expireToken();
    ctx.body = { expired: state.token !== null };
  });
}

/** `POST /clock`: move the sandbox's one clock (V1's and V2's state share it). */
export function clockRoute(router: Router, state: { advanceClock(seconds: number): void; now(): number }): void {
  router.post('/clock', (ctx) => {
    const input = parseBody(ctx, clockChange);
    if (!input) return;
    state.advanceClock(input.advance_seconds);
    ctx.body = { now: state.now() };
  });
}

/** Where a protocol logs its REST calls and its webhooks (V1's state, V2's). */
export interface LogStore {
  calls: RingLog<CallRecord>;
  callCounts: Map<string, number>;
  webhooks: RingLog<unknown>;
}

/** `/calls` and `/webhooks`: what a protocol's REST API received and what its webhooks sent. */
export function logRoutes(router: Router, state: LogStore): void {
  router.get('/calls', (ctx) => {
    const path = typeof ctx.query.path === 'string' ? ctx.query.path : '';
    ctx.body = {
      total: state.calls.total,
      counts: Object.fromEntries(state.callCounts),
      calls: state.calls.list().filter((c) => c.path.startsWith(path)),
    };
  });

  router.delete('/calls', (ctx) => {
    state.calls.clear();
    state.callCounts.clear();
    ctx.status = 204;
  });

  router.get('/webhooks', (ctx) => {
    ctx.body = { total: state.webhooks.total, deliveries: state.webhooks.list() };
  });

  router.delete('/webhooks', (ctx) => {
    state.webhooks.clear();
    ctx.status = 204;
  });
}
