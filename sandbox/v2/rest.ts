/**
 * PortOne REST V2, the operations this project uses, at the root of the V2 address (api.portone.io's paths):
 * `GET /payments/{paymentId}`, `POST /payments/{paymentId}/pre-register`, `POST /payments/{paymentId}/cancel`, with the
 * official OpenAPI's bodies, answers, error types and statuses. Authentication (`authenticate`) and `Idempotency-Key`
 * (idempotency.ts) run before the routes, in the app (app.ts).
 */
import { Router } from '@koa/router';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import { describeIssues } from '../errors.js';
import { minorUnits } from './control-api.js';
import { refuseV2, V2Refusal } from './errors.js';
import { cancelPayment, hasBeenPaid } from './payment.js';
import type { V2State } from './state.js';
import type { V2Webhooks } from './webhooks.js';

const currency = z.string().regex(/^(CURRENCY_)?[A-Z]{3}$/, 'must be an ISO 4217 code such as KRW');

const preRegisterBody = z.object({
  storeId: z.string().optional(),
  totalAmount: minorUnits.optional(),
  taxFreeAmount: minorUnits.optional(),
  currency: currency.optional(),
});

const cancelBody = z.object({
  storeId: z.string().optional(),
  amount: minorUnits.optional(),
  taxFreeAmount: minorUnits.optional(),
  vatAmount: minorUnits.optional(),
  reason: z.string({ error: 'required' }).min(1, 'required'),
  requester: z.enum(['CUSTOMER', 'ADMIN']).optional(),
  promotionDiscountRetainOption: z.enum(['RETAIN', 'RELEASE']).optional(),
  currentCancellableAmount: minorUnits.optional(),
  refundAccount: z.object({ bank: z.string(), number: z.string(), holderName: z.string(), holderPhoneNumber: z.string().optional() }).optional(),
  refundEmail: z.string().optional(),
  skipWebhook: z.boolean().optional(),
});

/** `Authorization: PortOne <secret>` of the sandbox, and no other store than its own; else 401 / 403 as PortOne answers. */
export function authenticate(state: V2State, isRestPath: (path: string) => boolean) {
  return async (ctx: Context, next: Next) => {
    if (!isRestPath(ctx.path)) return next();
    const authorization = ctx.get('authorization').trim();
    const [scheme = '', secret = ''] = authorization.split(/\s+/, 2);
    if (authorization === '') return refuseV2(ctx, 'UNAUTHORIZED', 'Authorization header required: `Authorization: PortOne <V2 API secret>`');
    if (/^bearer$/i.test(scheme)) {
      return refuseV2(ctx, 'UNAUTHORIZED', 'the sandbox issues no access tokens: send `Authorization: PortOne <V2 API secret>`');
    }
    if (!/^portone$/i.test(scheme) || secret !== state.credentials.apiSecret) {
      // PortOne's own documentation warns of the usual mistake: a PG's secret key in place of PortOne's V2 API secret.
      return refuseV2(ctx, 'UNAUTHORIZED', 'invalid V2 API secret (is it a PG secret key or a V1 imp_secret? use the V2 API secret: `Authorization: PortOne <secret>`)');
    }
    const body = ctx.request.body as Record<string, unknown> | undefined;
    const storeId = typeof ctx.query.storeId === 'string' ? ctx.query.storeId : typeof body?.storeId === 'string' ? body.storeId : undefined;
    if (storeId !== undefined && storeId !== state.credentials.storeId) {
      return refuseV2(ctx, 'FORBIDDEN', `this API secret has no access to store ${storeId}`);
    }
    await next();
  };
}

function parseOr400<T extends z.ZodType>(ctx: Context, schema: T): z.output<T> | undefined {
  const result = schema.safeParse(ctx.request.body ?? {}, { reportInput: true });
  if (result.success) return result.data;
  refuseV2(ctx, 'INVALID_REQUEST', describeIssues(result.error));
  return undefined;
}

export function createV2RestRouter(state: V2State, webhooks: V2Webhooks): Router {
  const router = new Router();

  router.get('/payments/:paymentId', (ctx) => {
    const record = state.payments.get(ctx.params.paymentId!);
    if (!record) return refuseV2(ctx, 'PAYMENT_NOT_FOUND', `결제 건이 존재하지 않습니다. (paymentId: ${ctx.params.paymentId})`);
    ctx.body = record.payment;
  });

  router.post('/payments/:paymentId/pre-register', (ctx) => {
    const input = parseOr400(ctx, preRegisterBody);
    if (!input) return;
    const paymentId = ctx.params.paymentId!;
    if (input.totalAmount !== undefined && input.taxFreeAmount !== undefined && input.taxFreeAmount > input.totalAmount) {
      return refuseV2(ctx, 'INVALID_REQUEST', 'taxFreeAmount: must not exceed totalAmount');
    }
    const existing = state.payments.get(paymentId);
    if (existing && hasBeenPaid(existing.payment)) return refuseV2(ctx, 'ALREADY_PAID', `이미 결제가 완료된 결제 건입니다. (paymentId: ${paymentId})`);
    state.preRegistered.set(paymentId, {
      paymentId,
      storeId: input.storeId ?? state.credentials.storeId,
      totalAmount: input.totalAmount ?? null,
      taxFreeAmount: input.taxFreeAmount ?? null,
      currency: input.currency?.replace(/^CURRENCY_/, '') ?? null,
      at: state.now(),
    });
    ctx.status = 200;
    ctx.body = {};
  });

  router.post('/payments/:paymentId/cancel', (ctx) => {
    const input = parseOr400(ctx, cancelBody);
    if (!input) return;
    const record = state.payments.get(ctx.params.paymentId!);
    if (!record) return refuseV2(ctx, 'PAYMENT_NOT_FOUND', `결제 건이 존재하지 않습니다. (paymentId: ${ctx.params.paymentId})`);
    try {
      const cancellation = cancelPayment(record, state.now(), { ...input, trigger: 'API' });
      // PortOne notifies an API cancel too, unless the request says skipWebhook.
      if (!input.skipWebhook) webhooks.notify(record, record.payment.status === 'CANCELLED' ? 'Transaction.Cancelled' : 'Transaction.PartialCancelled', cancellation.id);
      ctx.body = { cancellation };
    } catch (error) {
      if (!(error instanceof V2Refusal)) throw error;
      refuseV2(ctx, error.type, error.message);
    }
  });

  return router;
}
