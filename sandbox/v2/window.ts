/**
 * The test payment window for a V2 payment — the same window as V1's (../window/page.ts, window.js), describing a V2
 * attempt: opened on the attempt the SDK's checkout made (`GET /__sandbox/window/:paymentId`) and answered once
 * (`POST`) with the buyer's choice, which moves the payment as the PG would, sends PortOne's webhooks, and answers the
 * page: the PaymentResponse the promise resolves with on PC, a 302 to `redirectUrl?paymentId=…&txId=…[&code…]` when
 * redirecting.
 *
 * PortOne's documents do not list the failure codes the real SDK answers: the sandbox answers `FAILURE_TYPE_PG` with
 * the PG's `pgCode` / `pgMessage` for a decline, and for a closed window `FAILURE_TYPE_PG` with pgCode
 * `PAY_PROCESS_CANCELED` (the buyer cancelled; the attempt stays READY, as PortOne keeps it).
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseOrRefuse, writeError } from '../errors.js';
import { formatAmountParts } from './money.js';
import { renderLanding, renderWindow } from '../window/page.js';
import { V2_WINDOW_ACTIONS, type V2WindowAction } from './control-api.js';
import { markFailed, markPaid, markVirtualAccountIssued } from './payment.js';
import type { V2CheckoutContext, V2PaymentRecord } from './records.js';
import type { V2State } from './state.js';
import type { V2Webhooks } from './webhooks.js';

const windowAnswer = z.object({
  action: z.enum(V2_WINDOW_ACTIONS),
  // A form post sends `amount=` with every button: empty means none. V2 amounts are integers in minor units.
  amount: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.union([z.number(), z.string().trim().regex(/^\d+$/).transform(Number)]).optional(),
  ),
});

const DEFAULT_DECLINE = { pgCode: 'SANDBOX_DECLINED', pgMessage: '[샌드박스] 카드사 승인 거절: 한도초과' };
const USER_CANCEL = { pgCode: 'PAY_PROCESS_CANCELED', pgMessage: '사용자가 결제를 취소하셨습니다' };

type Opened = V2PaymentRecord & { checkout: V2CheckoutContext };

/** The PaymentResponse of the SDK; `code` present means a failure. */
export interface PaymentResponse {
  transactionType: 'PAYMENT';
  paymentId: string;
  txId: string;
  code?: string;
  message?: string;
  pgCode?: string;
  pgMessage?: string;
}

export function createV2WindowRouter(state: V2State, webhooks: V2Webhooks): Router {
  const router = new Router({ prefix: '/__sandbox/window' });
  const opened = (paymentId: string): Opened | undefined => {
    const record = state.payments.get(paymentId);
    return record?.checkout ? (record as Opened) : undefined;
  };

  router.get('/:paymentId', (ctx) => {
    const record = opened(ctx.params.paymentId!);
    if (!record) {
      ctx.status = 404;
      ctx.type = 'html';
      ctx.body = renderLanding({ lang: 'ko', title: '결제창을 찾을 수 없습니다', query: {}, protocol: 'V2' });
      return;
    }
    // The script is taken when the window opens, so a reload does not take another one.
    record.checkout.script ??= state.takeScript(record.payment.id) ?? null;
    const lang = ctx.query.lang === 'en' || ctx.query.lang === 'ko' ? ctx.query.lang : record.checkout.language;
    const { payment, checkout } = record;
    const script = checkout.script ? { action: checkout.script.action, amount: checkout.script.amount, delay_ms: checkout.script.delayMs } : null;
    ctx.type = 'html';
    ctx.set('cache-control', 'no-store');
    ctx.body = renderWindow({
      lang,
      protocol: 'V2',
      // The window answers the page through postMessage on PC; with a redirect it posts its form and follows the 302.
      device: checkout.redirect ? 'mobile' : 'pc',
      pageUrl: checkout.pageUrl,
      answerUrl: `/__sandbox/window/${encodeURIComponent(payment.id)}`,
      merchant: payment.storeId,
      orderName: payment.orderName,
      orderId: payment.id,
      payMethod: record.payMethod,
      pg: `${payment.channel.pgProvider} (${payment.channel.type})`,
      amount: payment.amount.total,
      displayAmount: formatAmountParts(payment.amount.total, payment.currency),
      currency: payment.currency,
      done: checkout.done,
      script,
    });
  });

  router.post('/:paymentId', (ctx) => {
    const record = opened(ctx.params.paymentId!);
    if (!record) return writeError(ctx, 404, `no payment window ${ctx.params.paymentId}`);
    if (record.checkout.done) return writeError(ctx, 409, 'this payment window has already answered');
    const input = parseOrRefuse(windowAnswer, ctx.request.body, (message) => writeError(ctx, 400, message));
    if (!input) return;
    if (input.action === 'amount' && !(Number.isSafeInteger(input.amount) && input.amount! > 0)) return writeError(ctx, 400, 'amount: a positive integer (minor units) is required to pay a different amount');
    record.checkout.done = true;
    answerPage(ctx, record, settleWindow(state, webhooks, record, input.action, input.amount));
  });

  return router;
}

/** The window's answer as the page gets it: a 302 to its redirectUrl (redirect mode) or the frame's message (PC). */
function answerPage(ctx: Context, { checkout }: Opened, response: PaymentResponse): void {
  if (checkout.redirect) {
    const query: Record<string, string> = { paymentId: response.paymentId, txId: response.txId };
    for (const key of ['code', 'message', 'pgCode', 'pgMessage'] as const) if (response[key] !== undefined) query[key] = response[key]!;
    const target = new URL(checkout.redirectUrl ?? '/__sandbox/landing', `${ctx.protocol}://${ctx.host}`);
    for (const [key, value] of Object.entries(query)) target.searchParams.set(key, value);
    ctx.redirect(target.href);
    return;
  }
  ctx.body = { action: 'payment', data: response };
}

/** Apply the buyer's choice to the payment, send the webhooks PortOne would, and answer as the SDK does. */
function settleWindow(state: V2State, webhooks: V2Webhooks, record: Opened, action: V2WindowAction, amount: number | undefined): PaymentResponse {
  const { payment, checkout } = record;
  const now = state.now();
  const base = { transactionType: 'PAYMENT' as const, paymentId: payment.id, txId: payment.transactionId };
  switch (action) {
    case 'approve':
    case 'amount':
      markPaid(record, now, action === 'amount' ? amount : payment.amount.total);
      webhooks.notify(record, 'Transaction.Paid');
      return base;
    case 'vbank':
      markVirtualAccountIssued(record, now);
      webhooks.notify(record, 'Transaction.VirtualAccountIssued');
      return base;
    case 'decline': {
      const pgCode = checkout.script?.pgCode ?? DEFAULT_DECLINE.pgCode;
      const pgMessage = checkout.script?.pgMessage ?? DEFAULT_DECLINE.pgMessage;
      markFailed(record, now, { reason: pgMessage, pgCode, pgMessage });
      webhooks.notify(record, 'Transaction.Failed');
      return { ...base, code: 'FAILURE_TYPE_PG', message: `[${pgCode}] ${pgMessage}`, pgCode, pgMessage };
    }
    case 'close':
      // The buyer gave up: the attempt stays READY, nothing is notified.
      return { ...base, code: 'FAILURE_TYPE_PG', message: `[${USER_CANCEL.pgCode}] ${USER_CANCEL.pgMessage}`, ...USER_CANCEL };
  }
}
