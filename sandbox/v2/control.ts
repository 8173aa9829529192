/**
 * The V2 control API under `{v2 url}/__sandbox/` (never part of PortOne), with V1's conventions (JSON in and out,
 * errors `{status:'error', message}`, open to any origin): V2 payments made and moved without a browser, as PortOne's
 * console, the buyer's bank or time would move them, with the webhooks PortOne sends; pre-registrations; window
 * scripts keyed by paymentId; faults on the V2 REST calls; the call and webhook logs; the shared clock; reset.
 */
import { randomBytes } from 'node:crypto';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { clockRoute, configRoutes, faultRoutes, logRoutes, resetRoute, scriptRoutes } from '../control.js';
import { parseBody, writeError } from '../errors.js';
import { newV2Payment, newV2Script, type NewV2Payment, v2ConfigPatch, type V2PaymentChange, v2PaymentChange, type V2SandboxDescription, type V2WindowScript } from './control-api.js';
import { V2Refusal } from './errors.js';
import { cancelPayment, hasBeenPaid, markFailed, markPaid, markPayPending, markVirtualAccountIssued, newAttempt } from './payment.js';
import type { V2PaymentRecord } from './records.js';
import type { V2State } from './state.js';
import type { V2Webhooks } from './webhooks.js';

const ENDPOINTS = [
  'POST /__sandbox/reset',
  'GET|PUT /__sandbox/config',
  'GET|POST /__sandbox/payments',
  'GET|PATCH /__sandbox/payments/:paymentId',
  'POST /__sandbox/payments/:paymentId/deposit',
  'GET /__sandbox/pre-registrations/:paymentId',
  'GET|POST|DELETE /__sandbox/scripts',
  'GET|POST|DELETE /__sandbox/faults, DELETE /__sandbox/faults/:id',
  'POST /__sandbox/clock',
  'GET|DELETE /__sandbox/calls',
  'GET|DELETE /__sandbox/webhooks',
];

const FAILED = '[샌드박스] 결제 실패';
const EXPIRED = '[샌드박스] 가상계좌 입금기한 만료';
const CANCELLED_ON_CONSOLE = '[샌드박스] 관리자 취소';

export interface V2ControlDeps {
  state: V2State;
  webhooks: V2Webhooks;
  restUrl: () => string;
}

/** A paymentId of letters and digits only (several PGs refuse other characters). */
export function newPaymentId(): string {
  return `sandbox${randomBytes(10).toString('hex')}`;
}

export function createV2ControlRouter({ state, webhooks, restUrl }: V2ControlDeps): Router {
  const router = new Router({ prefix: '/__sandbox' });

  router.get('/', (ctx) => {
    ctx.body = {
      sandbox: true,
      version: 'V2',
      restUrl: restUrl(),
      sdkUrl: `${restUrl()}/browser-sdk.js`,
      storeId: state.credentials.storeId,
      credentials: { apiSecret: '(configured)', webhookSecret: state.credentials.webhookSecret },
      endpoints: ENDPOINTS,
    } satisfies V2SandboxDescription;
  });

  resetRoute(router, state, () => webhooks.cancelPending());
  configRoutes(router, state, v2ConfigPatch);

  paymentRoutes(router, state, webhooks);

  router.get('/pre-registrations/:paymentId', (ctx) => {
    const registration = state.preRegistered.get(ctx.params.paymentId!);
    if (!registration) return writeError(ctx, 404, `no pre-registration for paymentId ${ctx.params.paymentId}`);
    ctx.body = registration;
  });

  scriptRoutes(router, state, newV2Script, (id, input): V2WindowScript => ({
    id,
    paymentId: input.paymentId ?? null,
    action: input.action,
    amount: input.amount ?? null,
    pgCode: input.pgCode ?? null,
    pgMessage: input.pgMessage ?? null,
    device: input.device ?? null,
    delayMs: input.delayMs,
  }));
  // V2 authenticates each call with its secret: no token to expire.
  faultRoutes(router, state, ['expire_token']);

  clockRoute(router, state);
  logRoutes(router, state);
  return router;
}

function paymentRoutes(router: Router, state: V2State, webhooks: V2Webhooks): void {
  router.post('/payments', (ctx) => {
    const input = parseBody(ctx, newV2Payment);
    if (!input) return;
    const paymentId = input.paymentId ?? newPaymentId();
    const existing = state.payments.get(paymentId);
    if (existing && hasBeenPaid(existing.payment)) {
      return writeError(ctx, 409, `paymentId ${paymentId} has been paid (${existing.payment.status}): PortOne refuses another attempt on it (PaymentAlreadyPaid)`);
    }
    if (input.taxFreeAmount !== undefined && input.taxFreeAmount > input.amount) return writeError(ctx, 400, 'taxFreeAmount: must not exceed amount');
    if (input.cancelledAmount !== undefined) {
      if (input.status !== 'PARTIAL_CANCELLED') return writeError(ctx, 400, 'cancelledAmount: only for status PARTIAL_CANCELLED');
      if (input.cancelledAmount <= 0 || input.cancelledAmount >= input.amount) return writeError(ctx, 400, 'cancelledAmount: must be more than 0 and less than amount');
    }
    if (input.status === 'PARTIAL_CANCELLED' && input.cancelledAmount === undefined && input.amount < 2) return writeError(ctx, 400, 'amount: at least 2 to be partially cancelled');
    const now = state.now();
    const record = newAttempt(
      {
        paymentId,
        storeId: input.storeId ?? state.credentials.storeId,
        orderName: input.orderName,
        totalAmount: input.amount,
        taxFreeAmount: input.taxFreeAmount,
        currency: input.currency,
        payMethod: input.status === 'VIRTUAL_ACCOUNT_ISSUED' ? 'VIRTUAL_ACCOUNT' : input.payMethod,
        easyPayProvider: input.easyPayProvider,
        channelType: input.channelType,
        channelKey: input.channelKey,
        customer: input.customer ? customerOf(input.customer) : undefined,
        customData: input.customData,
        origin: { platformType: 'API', ipAddress: ctx.ip || '127.0.0.1' },
        noticeUrls: input.noticeUrls,
      },
      now,
    );
    // A new attempt replaces the visible one (and becomes the newest in the list).
    state.payments.delete(paymentId);
    state.payments.set(paymentId, record);
    bringToStatus(record, input, now, webhooks);
    ctx.status = 201;
    ctx.body = record.payment;
  });

  router.get('/payments', (ctx) => {
    const asked = Math.trunc(Number(ctx.query.limit ?? 100)) || 100;
    const limit = Math.max(1, Math.min(asked, 1000));
    ctx.body = { total: state.payments.size, payments: [...state.payments.values()].reverse().slice(0, limit).map((r) => r.payment) };
  });

  router.get('/payments/:paymentId', (ctx) => {
    const record = state.payments.get(ctx.params.paymentId!);
    if (!record) return writeError(ctx, 404, `no payment ${ctx.params.paymentId}`);
    ctx.body = record.payment;
  });

  router.patch('/payments/:paymentId', (ctx) => {
    const record = state.payments.get(ctx.params.paymentId!);
    if (!record) return writeError(ctx, 404, `no payment ${ctx.params.paymentId}`);
    const change = parseBody(ctx, v2PaymentChange);
    if (!change) return;
    if (changePayment(ctx, record, change, state.now(), webhooks)) ctx.body = record.payment;
  });

  router.post('/payments/:paymentId/deposit', (ctx) => {
    const record = state.payments.get(ctx.params.paymentId!);
    if (!record) return writeError(ctx, 404, `no payment ${ctx.params.paymentId}`);
    if (record.payment.status !== 'VIRTUAL_ACCOUNT_ISSUED') return writeError(ctx, 409, `only a VIRTUAL_ACCOUNT_ISSUED payment takes a deposit; this one is ${record.payment.status}`);
    markPaid(record, state.now());
    webhooks.notify(record, 'Transaction.Paid');
    ctx.body = record.payment;
  });
}

function customerOf(input: NonNullable<NewV2Payment['customer']>): V2PaymentRecord['payment']['customer'] {
  const { address, ...rest } = input;
  return { ...rest, ...(address ? { address: { type: 'ONE_LINE', oneLine: address } } : {}) };
}

/** A new (READY) payment brought to the status asked for, with the webhook PortOne sends for that status. */
function bringToStatus(record: V2PaymentRecord, input: { status: string; amount: number; cancelledAmount?: number; failureReason?: string; cancelReason?: string }, now: number, webhooks: V2Webhooks): void {
  const reason = input.cancelReason ?? CANCELLED_ON_CONSOLE;
  switch (input.status) {
    case 'PAY_PENDING':
      markPayPending(record, now);
      webhooks.notify(record, 'Transaction.PayPending');
      break;
    case 'VIRTUAL_ACCOUNT_ISSUED':
      markVirtualAccountIssued(record, now);
      webhooks.notify(record, 'Transaction.VirtualAccountIssued');
      break;
    case 'PAID':
      if (record.payMethod === 'VIRTUAL_ACCOUNT') markVirtualAccountIssued(record, now);
      markPaid(record, now);
      webhooks.notify(record, 'Transaction.Paid');
      break;
    case 'FAILED':
      markFailed(record, now, { reason: input.failureReason ?? FAILED });
      webhooks.notify(record, 'Transaction.Failed');
      break;
    case 'PARTIAL_CANCELLED': {
      markPaid(record, now);
      const cancellation = cancelPayment(record, now, { amount: input.cancelledAmount ?? Math.floor(input.amount / 2), reason, trigger: 'CONSOLE' });
      webhooks.notify(record, 'Transaction.PartialCancelled', cancellation.id);
      break;
    }
    case 'CANCELLED': {
      markPaid(record, now);
      const cancellation = cancelPayment(record, now, { reason, trigger: 'CONSOLE' });
      webhooks.notify(record, 'Transaction.Cancelled', cancellation.id);
      break;
    }
  }
}

const UNSETTLED = new Set(['READY', 'PAY_PENDING', 'VIRTUAL_ACCOUNT_ISSUED']);

/** Apply a change as PortOne would make it; false once a 4xx was answered (a change the payment's status does not allow). */
function changePayment(ctx: Context, record: V2PaymentRecord, change: V2PaymentChange, now: number, webhooks: V2Webhooks): boolean {
  const { payment } = record;
  const refuse = (message: string) => {
    writeError(ctx, 409, message);
    return false;
  };
  switch (change.status) {
    case 'PAID':
      if (!UNSETTLED.has(payment.status)) return refuse(`only a READY, PAY_PENDING or VIRTUAL_ACCOUNT_ISSUED payment can become PAID; this one is ${payment.status}`);
      markPaid(record, now);
      webhooks.notify(record, 'Transaction.Paid');
      return true;
    case 'FAILED':
      if (!UNSETTLED.has(payment.status)) return refuse(`only a READY, PAY_PENDING or VIRTUAL_ACCOUNT_ISSUED payment can fail; this one is ${payment.status}`);
      markFailed(record, now, { reason: change.reason ?? (payment.status === 'VIRTUAL_ACCOUNT_ISSUED' ? EXPIRED : FAILED) });
      webhooks.notify(record, 'Transaction.Failed');
      return true;
    case 'VIRTUAL_ACCOUNT_ISSUED':
      if (payment.status !== 'READY') return refuse(`only a READY payment can have a virtual account issued; this one is ${payment.status}`);
      markVirtualAccountIssued(record, now);
      webhooks.notify(record, 'Transaction.VirtualAccountIssued');
      return true;
    case 'CANCELLED':
    case 'PARTIAL_CANCELLED': {
      const balance = payment.amount.paid - payment.amount.cancelled;
      if (change.status === 'PARTIAL_CANCELLED' && (change.amount === undefined || change.amount >= balance) && (payment.status === 'PAID' || payment.status === 'PARTIAL_CANCELLED')) {
        writeError(ctx, 400, `amount: required for PARTIAL_CANCELLED, less than the balance (${balance})`);
        return false;
      }
      try {
        const cancellation = cancelPayment(record, now, { amount: change.amount, reason: change.reason ?? CANCELLED_ON_CONSOLE, trigger: 'CONSOLE' });
        webhooks.notify(record, payment.status === 'CANCELLED' ? 'Transaction.Cancelled' : 'Transaction.PartialCancelled', cancellation.id);
        return true;
      } catch (error) {
        if (!(error instanceof V2Refusal)) throw error;
        return refuse(`${error.type}: ${error.message}`);
      }
    }
  }
}
