/**
 * The control API's V1 payments (`/__sandbox/payments`): make payments in any status without a browser, read
 * them without a token, and move them as PortOne's console or the buyer's bank would (a deposit, a failure, a
 * cancel). PortOne's webhooks follow as they would.
 */
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { parseBody, writeError } from '../errors.js';
import type { SandboxState } from '../state.js';
import { newPayment, type PaymentChange, paymentChange } from './control-api.js';
import { CancelRefused, cancelPayment, createPayment, markFailed, markPaid, markVbankIssued, newImpUid } from './payment.js';
import type { Payment } from './payment-object.js';
import type { PaymentRecord } from './records.js';
import type { WebhookSender } from './webhooks.js';

const FAILED = '[샌드박스] 결제 실패';
const CANCELLED_BY_ADMIN = '[샌드박스] 관리자 취소';

/** Adds `/payments` and `/payments/:imp_uid` to the control router. */
export function controlPayments(state: SandboxState, webhooks: WebhookSender): (router: Router) => void {
  return (router) => {
    router.post('/payments', (ctx) => {
      const input = parseBody(ctx, newPayment);
      if (!input) return;
      const now = state.now();
      const payment = createPayment({ ...input, imp_uid: newImpUid(), channelKey: input.channel_key }, now);
      const record: PaymentRecord = { payment, noticeUrls: [input.notice_url ?? []].flat(), usedWebhooks: false };
      state.addPayment(record);
      bringToStatus(record, input, now, webhooks);
      ctx.status = 201;
      ctx.body = payment;
    });

    router.get('/payments', (ctx) => {
      // 1 to 1000, default 100.
      const asked = Math.trunc(Number(ctx.query.limit ?? 100)) || 100;
      const limit = Math.max(1, Math.min(asked, 1000));
      ctx.body = { total: state.payments.size, payments: [...state.payments.values()].reverse().slice(0, limit).map((r) => r.payment) };
    });

    router.get('/payments/:imp_uid', (ctx) => {
      const record = state.payments.get(ctx.params.imp_uid);
      if (!record) return writeError(ctx, 404, `no payment ${ctx.params.imp_uid}`);
      ctx.body = record.payment;
    });

    router.patch('/payments/:imp_uid', (ctx) => {
      const record = state.payments.get(ctx.params.imp_uid);
      if (!record) return writeError(ctx, 404, `no payment ${ctx.params.imp_uid}`);
      const change = parseBody(ctx, paymentChange);
      if (!change) return;
      if (changePayment(ctx, record, change, state.now(), webhooks)) ctx.body = record.payment;
    });
  };
}

/** A new (`ready`) payment brought to the status asked for, with the webhook PortOne would send on the way. */
function bringToStatus(record: PaymentRecord, input: { status: Payment['status']; fail_reason?: string | null; cancel_reason?: string | null }, now: number, webhooks: WebhookSender): void {
  const { payment } = record;
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
      markFailed(payment, now, input.fail_reason ?? FAILED);
      break;
    case 'cancelled': {
      markPaid(payment, now);
      const entry = cancelPayment(payment, now, { reason: input.cancel_reason ?? CANCELLED_BY_ADMIN });
      webhooks.notify(record, entry.cancellation_id);
      break;
    }
  }
}

/** Apply a console change; false once a 409 was answered (a change the payment's status does not allow). */
function changePayment(ctx: Context, record: PaymentRecord, change: PaymentChange, now: number, webhooks: WebhookSender): boolean {
  const { payment } = record;
  if (change.status === 'paid' || change.status === 'failed') {
    if (payment.status !== 'ready') {
      writeError(ctx, 409, `only a ready payment can ${change.status === 'paid' ? 'become paid' : 'fail'}; this one is ${payment.status}`);
      return false;
    }
    if (change.status === 'paid') {
      markPaid(payment, now);
      webhooks.notify(record);
    } else {
      markFailed(payment, now, change.reason ?? FAILED);
    }
    return true;
  }
  try {
    // A cancel from the console: PortOne notifies it (unlike an API cancel without enable_webhook).
    const entry = cancelPayment(payment, now, { amount: change.amount, reason: change.reason ?? CANCELLED_BY_ADMIN });
    webhooks.notify(record, entry.cancellation_id);
    return true;
  } catch (e) {
    if (!(e instanceof CancelRefused)) throw e;
    writeError(ctx, 409, e.message);
    return false;
  }
}
