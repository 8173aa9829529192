/**
 * The test payment window for a V1 payment: opened on the payment the SDK's checkout made (`GET
 * /__sandbox/window/:imp_uid`), and answered once (`POST`) with the buyer's choice, which moves the payment as the
 * PG would, sends PortOne's webhooks, and answers the page: a callback response on PC, a 302 to `m_redirect_url`
 * with PortOne's query parameters on mobile.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { isValidAmount } from '../../lib/money.js';
import { WINDOW_ACTIONS, type WindowAction } from '../control-api.js';
import { parseOrRefuse, writeError } from '../errors.js';
import type { SandboxState } from '../state.js';
import { type Lang, renderLanding, renderWindow } from '../window/page.js';
import { callbackResponse, landingQuery, landingUrl, type Outcome, paymentFields } from './answers.js';
import { markFailed, markPaid, markVbankIssued } from './payment.js';
import type { CheckoutContext, PaymentRecord } from './records.js';
import type { WebhookSender } from './webhooks.js';

const windowAnswer = z.object({
  action: z.enum(WINDOW_ACTIONS),
  // A form post (the mobile window, or the page without script) sends `amount=` with every button: empty means none.
  amount: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.union([z.number(), z.string().trim().regex(/^\d+(\.\d+)?$/).transform(Number)]).optional(),
  ),
});

const DEFAULT_DECLINE = { error_code: 'SANDBOX_DECLINED', error_msg: '[샌드박스] 카드사 승인 거절: 한도초과' };
const USER_CANCEL_MSG = '[결제포기] 사용자가 결제를 취소하셨습니다';

type Opened = PaymentRecord & { checkout: CheckoutContext };

export function createWindowAnswerRouter(state: SandboxState, webhooks: WebhookSender): Router {
  const router = new Router({ prefix: '/__sandbox/window' });
  const opened = (impUid: string): Opened | undefined => {
    const record = state.payments.get(impUid);
    return record?.checkout ? (record as Opened) : undefined;
  };

  router.get('/:imp_uid', (ctx) => {
    const record = opened(ctx.params.imp_uid);
    if (!record) {
      ctx.status = 404;
      ctx.type = 'html';
      ctx.body = renderLanding({ lang: 'ko', title: '결제창을 찾을 수 없습니다', query: {} });
      return;
    }
    // The script is taken when the window opens, so a reload does not take another one.
    record.checkout.script ??= state.takeScript(record.payment.merchant_uid) ?? null;
    const lang = ctx.query.lang === 'en' || ctx.query.lang === 'ko' ? ctx.query.lang : record.checkout.language;
    ctx.type = 'html';
    ctx.set('cache-control', 'no-store');
    ctx.body = renderWindow(windowView(record, lang));
  });

  router.post('/:imp_uid', (ctx) => {
    const record = opened(ctx.params.imp_uid);
    if (!record) return writeError(ctx, 404, `no payment window ${ctx.params.imp_uid}`);
    if (record.checkout.done) return writeError(ctx, 409, 'this payment window has already answered');
    const input = parseOrRefuse(windowAnswer, ctx.request.body, (message) => writeError(ctx, 400, message));
    if (!input) return;
    if (input.action === 'amount' && !isValidAmount(input.amount)) return writeError(ctx, 400, 'amount: a positive number is required to pay a different amount');
    record.checkout.done = true;
    answerPage(ctx, record, settleWindow(state, webhooks, record, input.action, input.amount));
  });

  return router;
}

function windowView(record: Opened, lang: Lang) {
  const { payment: p, checkout } = record;
  return {
    lang,
    device: checkout.device,
    pageUrl: checkout.pageUrl,
    answerUrl: `/__sandbox/window/${p.imp_uid}`,
    merchant: checkout.userCode,
    orderName: p.name,
    orderId: p.merchant_uid,
    payMethod: p.pay_method,
    pg: `${p.pg_provider}.${p.pg_id}`,
    amount: p.amount,
    currency: p.currency,
    done: checkout.done,
    script: checkout.script,
  };
}

/** The window's answer as the page gets it: the 302 to its landing (mobile) or the frame's message (PC). */
function answerPage(ctx: Context, { payment, checkout }: Opened, outcome: Outcome): void {
  if (checkout.device === 'mobile') {
    const query = landingQuery(payment, outcome, checkout.shape);
    ctx.redirect(landingUrl(checkout.mRedirectUrl, query, `${ctx.protocol}://${ctx.host}`));
    return;
  }
  ctx.body = { action: 'payment', data: callbackResponse(payment, outcome, checkout.shape) };
}

/** Apply the buyer's choice to the payment, send the webhooks PortOne would, and describe the outcome. */
function settleWindow(state: SandboxState, webhooks: WebhookSender, record: Opened, action: WindowAction, amount: number | undefined): Outcome {
  const { payment, checkout } = record;
  const now = state.now();
  const script = checkout.script;
  const fields = () => (checkout.shape === 'none' ? {} : paymentFields(payment, checkout.params));
  switch (action) {
    case 'approve':
    case 'amount':
      markPaid(payment, now, action === 'amount' ? (amount as number) : payment.amount);
      webhooks.notify(record);
      return { ok: true, fields: fields() };
    case 'vbank':
      markVbankIssued(payment, now);
      webhooks.notify(record);
      return { ok: true, fields: fields() };
    case 'decline': {
      const error_code = script?.error_code ?? DEFAULT_DECLINE.error_code;
      const error_msg = script?.error_msg ?? DEFAULT_DECLINE.error_msg;
      markFailed(payment, now, error_msg);
      // PortOne sends no webhook for a failed payment.
      return { ok: false, error_code, error_msg, fields: fields() };
    }
    case 'close':
      // An abandoned window leaves the payment `ready`; legacy PGs report only the message.
      return {
        ok: false,
        error_code: script?.error_code ?? (checkout.shape === 'none' ? 'PAY_PROCESS_CANCELED' : null),
        error_msg: script?.error_msg ?? USER_CANCEL_MSG,
        fields: {},
      };
  }
}
