/**
 * The sandbox's own API under `/__sandbox/` (never part of PortOne): make payments in any status without
 * a browser, move them (deposit, fail, cancel), script the payment window, inject faults, move the clock,
 * and read the calls received and the webhooks sent. JSON in and out; errors are `{status:'error', message}`.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { isValidAmount } from '../money.js';
import { describeIssues } from './envelope.js';
import { CancelRefused, cancelPayment, createPayment, markFailed, markPaid, markVbankIssued, newImpUid, PAYMENT_STATUSES } from './payment.js';
import { FAULT_TYPES, type PaymentRecord, RESPONSE_SHAPES, type SandboxState, WINDOW_ACTIONS } from './state.js';
import type { WebhookSender } from './webhooks.js';

const positiveAmount = z.number().refine(isValidAmount, 'must be a positive number with at most 6 decimals');
const optionalText = z.string().max(1000).nullish();

const newPayment = z.strictObject({
  merchant_uid: z.string().min(1).max(40),
  amount: positiveAmount,
  status: z.enum(PAYMENT_STATUSES).default('paid'),
  pay_method: z.string().min(1).max(20).default('card'),
  currency: z.string().length(3).default('KRW'),
  name: optionalText,
  pg: z.string().min(1).optional(),
  channel_key: z.string().min(1).optional(),
  channel: z.enum(['pc', 'mobile', 'api']).default('api'),
  buyer_name: optionalText,
  buyer_email: optionalText,
  buyer_tel: optionalText,
  buyer_addr: optionalText,
  buyer_postcode: optionalText,
  custom_data: z.unknown().optional(),
  notice_url: z.union([z.url(), z.array(z.url())]).optional(),
  fail_reason: optionalText,
  cancel_reason: optionalText,
});

const paymentChange = z.strictObject({
  status: z.enum(['paid', 'failed', 'cancelled']),
  /** For `cancelled`: a partial amount (default: the whole balance). */
  amount: positiveAmount.optional(),
  reason: optionalText,
});

const newScript = z.strictObject({
  merchant_uid: z.string().min(1).max(40).nullish(),
  action: z.enum(WINDOW_ACTIONS),
  amount: positiveAmount.nullish(),
  error_code: z.string().min(1).nullish(),
  error_msg: z.string().min(1).nullish(),
  shape: z.enum(RESPONSE_SHAPES).nullish(),
  device: z.enum(['pc', 'mobile']).nullish(),
  delay_ms: z.number().int().min(0).max(60_000).default(0),
});

const newFault = z.strictObject({
  type: z.enum(FAULT_TYPES),
  path: z.string().startsWith('/').default('/'),
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .nullish(),
  ms: z.number().int().min(0).max(120_000).default(0),
  status: z.number().int().min(500).max(599).default(500),
  after: z.number().int().min(0).default(0),
  times: z.number().int().min(1).nullish(),
});

const configPatch = z.strictObject({
  notice_url: z.url().nullish(),
  webhook_content_type: z.enum(['json', 'form']).optional(),
  webhook_delay_ms: z.number().int().min(0).max(600_000).optional(),
  webhook_retries: z.number().int().min(0).max(5).optional(),
  webhook_retry_interval_ms: z.number().int().min(0).max(600_000).optional(),
});

const clockChange = z.strictObject({ advance_seconds: z.number().int() });

const MAX_QUEUED = 100;

function fail(ctx: Context, status: number, message: string): void {
  ctx.status = status;
  ctx.body = { status: 'error', message };
}

function parse<T extends z.ZodType>(ctx: Context, schema: T): z.output<T> | undefined {
  const result = schema.safeParse(ctx.request.body ?? {}, { reportInput: true });
  if (result.success) return result.data;
  fail(ctx, 400, describeIssues(result.error));
  return undefined;
}

export interface ControlUrls {
  restUrl: () => string;
  sdkUrl: () => string;
}

export function createControlRouter(state: SandboxState, webhooks: WebhookSender, urls: ControlUrls): Router {
  const router = new Router({ prefix: '/__sandbox' });

  router.get('/', (ctx) => {
    ctx.body = {
      sandbox: true,
      rest_url: urls.restUrl(),
      sdk_url: urls.sdkUrl(),
      credentials: { imp_key: state.apiKey, imp_secret: '(configured)' },
      endpoints: [
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
      ],
    };
  });

  router.post('/reset', (ctx) => {
    state.reset();
    webhooks.cancelPending();
    ctx.status = 204;
  });

  router.get('/config', (ctx) => {
    ctx.body = state.config;
  });

  router.put('/config', (ctx) => {
    const patch = parse(ctx, configPatch);
    if (!patch) return;
    state.setConfig(patch as Partial<typeof state.config>);
    ctx.body = state.config;
  });

  router.post('/payments', (ctx) => {
    const input = parse(ctx, newPayment);
    if (!input) return;
    const now = state.now();
    const payment = createPayment(
      { ...input, imp_uid: newImpUid(), pg: input.pg, channelKey: input.channel_key, channel: input.channel },
      now,
    );
    const record: PaymentRecord = { payment, noticeUrls: [input.notice_url ?? []].flat(), usedWebhooks: false };
    state.addPayment(record);
    switch (input.status) {
      case 'paid':
        markPaid(payment, now);
        webhooks.notify(record);
        break;
      case 'ready':
        if (payment.pay_method === 'vbank') {
          markVbankIssued(payment, now);
          webhooks.notify(record);
        }
        break;
      case 'failed':
        markFailed(payment, now, input.fail_reason ?? '[샌드박스] 결제 실패');
        break;
      case 'cancelled': {
        markPaid(payment, now);
        const entry = cancelPayment(payment, now, { reason: input.cancel_reason ?? '[샌드박스] 관리자 취소' });
        webhooks.notify(record, entry.cancellation_id);
        break;
      }
    }
    ctx.status = 201;
    ctx.body = payment;
  });

  router.get('/payments', (ctx) => {
    // 1 to 1000, default 100. (Before, a negative limit went to slice() as is and cut from the end.)
    const asked = Math.trunc(Number(ctx.query.limit ?? 100)) || 100;
    const limit = Math.max(1, Math.min(asked, 1000));
    ctx.body = { total: state.payments.size, payments: [...state.payments.values()].reverse().slice(0, limit).map((r) => r.payment) };
  });

  router.get('/payments/:imp_uid', (ctx) => {
    const record = state.payments.get(ctx.params.imp_uid);
    if (!record) return fail(ctx, 404, `no payment ${ctx.params.imp_uid}`);
    ctx.body = record.payment;
  });

  router.patch('/payments/:imp_uid', (ctx) => {
    const record = state.payments.get(ctx.params.imp_uid);
    if (!record) return fail(ctx, 404, `no payment ${ctx.params.imp_uid}`);
    const change = parse(ctx, paymentChange);
    if (!change) return;
    const { payment } = record;
    const now = state.now();
    if (change.status === 'paid') {
      if (payment.status !== 'ready') return fail(ctx, 409, `only a ready payment can become paid; this one is ${payment.status}`);
      markPaid(payment, now);
      webhooks.notify(record);
    } else if (change.status === 'failed') {
      if (payment.status !== 'ready') return fail(ctx, 409, `only a ready payment can fail; this one is ${payment.status}`);
      markFailed(payment, now, change.reason ?? '[샌드박스] 결제 실패');
    } else {
      try {
        // A cancel from the console: PortOne notifies it (unlike an API cancel without enable_webhook).
        const entry = cancelPayment(payment, now, { amount: change.amount, reason: change.reason ?? '[샌드박스] 관리자 취소' });
        webhooks.notify(record, entry.cancellation_id);
      } catch (e) {
        if (e instanceof CancelRefused) return fail(ctx, 409, e.message);
        throw e;
      }
    }
    ctx.body = payment;
  });

  router.get('/scripts', (ctx) => {
    ctx.body = { scripts: state.scripts };
  });

  router.post('/scripts', (ctx) => {
    const input = parse(ctx, newScript);
    if (!input) return;
    if (input.action === 'amount' && input.amount == null) return fail(ctx, 400, 'amount: required for action "amount"');
    if (state.scripts.length >= MAX_QUEUED) return fail(ctx, 409, `at most ${MAX_QUEUED} scripts can wait; DELETE /__sandbox/scripts`);
    const script = {
      id: state.id(),
      merchant_uid: input.merchant_uid ?? null,
      action: input.action,
      amount: input.amount ?? null,
      error_code: input.error_code ?? null,
      error_msg: input.error_msg ?? null,
      shape: input.shape ?? null,
      device: input.device ?? null,
      delay_ms: input.delay_ms,
    };
    state.scripts.push(script);
    ctx.status = 201;
    ctx.body = script;
  });

  router.delete('/scripts', (ctx) => {
    state.scripts = [];
    ctx.status = 204;
  });

  router.get('/faults', (ctx) => {
    ctx.body = { faults: state.faults };
  });

  router.post('/faults', (ctx) => {
    const input = parse(ctx, newFault);
    if (!input) return;
    if (state.faults.length >= MAX_QUEUED) return fail(ctx, 409, `at most ${MAX_QUEUED} faults; DELETE /__sandbox/faults`);
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
    if (state.faults.length === before) return fail(ctx, 404, `no fault ${ctx.params.id}`);
    ctx.status = 204;
  });

  router.post('/token/expire', (ctx) => {
    state.expireToken();
    ctx.body = { expired: state.token !== null };
  });

  router.post('/clock', (ctx) => {
    const input = parse(ctx, clockChange);
    if (!input) return;
    state.advanceClock(input.advance_seconds);
    ctx.body = { now: state.now() };
  });

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

  return router;
}
