/**
 * The browser side of PortOne, as the stand-in iamport.js talks to it: the request that opens a payment
 * (with PortOne's pre-validation: unknown PG, a missing amount, an already-paid merchant_uid, an amount
 * other than the prepared one), the test payment window, and what the window answers: a callback
 * response on PC, a 302 to `m_redirect_url` with PortOne's query parameters on mobile.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { isValidAmount, sameAmount } from '../money.js';
import { describeIssues } from './envelope.js';
import {
  createPayment,
  KNOWN_PG_PROVIDERS,
  markFailed,
  markPaid,
  markVbankIssued,
  newImpUid,
  NEW_MODULE_PG_PROVIDERS,
  type Payment,
  resolveChannel,
} from './payment.js';
import { type CheckoutContext, type PaymentRecord, RESPONSE_SHAPES, type ResponseShape, type SandboxState, WINDOW_ACTIONS, type WindowAction, type WindowScript } from './state.js';
import { renderLanding, renderWindow } from './window-page.js';
import type { WebhookSender } from './webhooks.js';

/**
 * A choice the page made for its own payment window (the stand-in SDK sends `window.portoneSandbox.script`): the
 * window acts by itself, as with a control-API script, but only for this payment. So a page (the demo's scenario
 * panel) scripts its own windows without queuing anything in the shared sandbox that another page's window could take.
 */
const pageScript = z.strictObject({
  action: z.enum(WINDOW_ACTIONS),
  amount: z.number().refine(isValidAmount, 'must be a positive number').nullish(),
  error_code: z.string().min(1).max(100).nullish(),
  error_msg: z.string().min(1).max(1000).nullish(),
  shape: z.enum(RESPONSE_SHAPES).nullish(),
  delay_ms: z.number().int().min(0).max(60_000).default(0),
});

/** What the SDK sends when request_pay is called. `params` is request_pay's first argument, untouched. */
const checkoutRequest = z.object({
  user_code: z.string().min(1),
  tier_code: z.string().nullish(),
  request_id: z.string().min(1),
  device: z.enum(['pc', 'mobile']),
  page_url: z.url(),
  user_agent: z.string().max(1000).nullish(),
  params: z.record(z.string(), z.unknown()),
  script: pageScript.nullish(),
});

const windowResult = z.object({
  action: z.enum(['approve', 'decline', 'close', 'vbank', 'amount']),
  // A form post (the mobile window, or the page without script) sends `amount=` with every button: empty means none.
  amount: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.union([z.number(), z.string().trim().regex(/^\d+(\.\d+)?$/).transform(Number)]).optional(),
  ),
});

/** A callback response or landing query, before the shape decides which success flag it carries. */
type Outcome = { ok: true; fields: Record<string, unknown> } | { ok: false; error_code: string | null; error_msg: string; fields: Record<string, unknown> };

const DEFAULT_DECLINE = { error_code: 'SANDBOX_DECLINED', error_msg: '[샌드박스] 카드사 승인 거절: 한도초과' };
const USER_CANCEL_MSG = '[결제포기] 사용자가 결제를 취소하셨습니다';

export function defaultShape(pgProvider: string): { callback: ResponseShape; landing: ResponseShape } {
  if (NEW_MODULE_PG_PROVIDERS.has(pgProvider)) return { callback: 'none', landing: 'none' };
  if (pgProvider === 'daou') return { callback: 'imp_success', landing: 'imp_success' };
  return { callback: 'success', landing: 'imp_success' };
}

/** The callback object (PC) for an outcome, shaped as PortOne's frame posts it. */
export function callbackResponse(payment: Pick<Payment, 'imp_uid' | 'merchant_uid'> | { imp_uid: null; merchant_uid: string }, outcome: Outcome, shape: ResponseShape): Record<string, unknown> {
  const ids = { imp_uid: payment.imp_uid, merchant_uid: payment.merchant_uid };
  if (shape === 'none') {
    return outcome.ok ? ids : { ...ids, error_code: outcome.error_code ?? 'F400', error_msg: outcome.error_msg };
  }
  const flag = { [shape]: outcome.ok };
  if (outcome.ok) return { ...flag, ...ids, ...outcome.fields };
  const error: Record<string, unknown> = { ...flag, ...ids, ...outcome.fields, error_msg: outcome.error_msg };
  if (outcome.error_code !== null) error.error_code = outcome.error_code;
  return error;
}

/** The query PortOne appends to `m_redirect_url` (strings only; values are URL-encoded by URLSearchParams). */
export function landingQuery(ids: { imp_uid: string | null; merchant_uid: string }, outcome: Outcome, shape: ResponseShape): Record<string, string> {
  const query: Record<string, string> = { imp_uid: ids.imp_uid ?? '', merchant_uid: ids.merchant_uid };
  if (shape !== 'none') query[shape] = String(outcome.ok);
  if (!outcome.ok) {
    if (outcome.error_code !== null) query.error_code = outcome.error_code;
    query.error_msg = outcome.error_msg;
  }
  return query;
}

/** The legacy callback's payment fields (PortOne's PAYRT sample), for a payment that reached the PG. */
function paymentFields(p: Payment, checkoutParams?: Record<string, unknown>): Record<string, unknown> {
  return {
    pay_method: p.pay_method,
    paid_amount: p.status === 'paid' ? p.amount : 0,
    status: p.status,
    name: p.name,
    pg_provider: p.pg_provider,
    emb_pg_provider: p.emb_pg_provider,
    pg_tid: p.pg_tid,
    pg_type: 'payment',
    buyer_name: p.buyer_name,
    buyer_email: p.buyer_email,
    buyer_tel: p.buyer_tel,
    buyer_addr: p.buyer_addr,
    buyer_postcode: p.buyer_postcode,
    custom_data: checkoutParams?.custom_data ?? null,
    paid_at: p.paid_at,
    receipt_url: p.receipt_url,
    currency: p.currency,
    card_name: p.card_name,
    card_number: p.card_number,
    card_quota: p.card_quota,
    bank_name: p.bank_name,
    apply_num: p.apply_num,
    vbank_num: p.vbank_num,
    vbank_name: p.vbank_name,
    vbank_holder: p.vbank_holder,
    vbank_date: p.vbank_date,
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

interface Checkout extends CheckoutContext {
  params: Record<string, unknown>;
  script: WindowScript | null;
}

export function createCheckoutRouter(state: SandboxState, webhooks: WebhookSender, sdkSource: () => string): Router {
  const router = new Router();

  router.get('/iamport.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('cache-control', 'no-cache');
    ctx.body = sdkSource();
  });

  router.post('/__sandbox/checkout', (ctx) => {
    const parsed = checkoutRequest.safeParse(ctx.request.body ?? {});
    if (!parsed.success) {
      ctx.status = 400;
      ctx.body = { status: 'error', message: describeIssues(parsed.error) };
      return;
    }
    const { params, device, user_code, page_url, request_id } = parsed.data;
    const merchantUid = text(params.merchant_uid) ?? `nobody_${Date.now()}`;
    const pg = text(params.pg) ?? undefined;
    const channelKey = text(params.channelKey) ?? undefined;
    const channel = resolveChannel(pg, channelKey);
    // A script queued through the control API for this order (tests) comes first: it is taken when the window opens.
    // Else the page's own choice, if it sent one, belongs to this payment alone.
    const queued = state.peekScript(merchantUid) ?? null;
    const fromPage = parsed.data.script;
    if (fromPage?.action === 'amount' && fromPage.amount == null) {
      ctx.status = 400;
      ctx.body = { status: 'error', message: 'script.amount: required for action "amount"' };
      return;
    }
    const pageChoice: WindowScript | null = fromPage
      ? {
          id: state.id(),
          merchant_uid: merchantUid,
          action: fromPage.action,
          amount: fromPage.amount ?? null,
          error_code: fromPage.error_code ?? null,
          error_msg: fromPage.error_msg ?? null,
          shape: fromPage.shape ?? null,
          device: null,
          delay_ms: fromPage.delay_ms,
        }
      : null;
    const script = queued ?? pageChoice;
    // A script may force the device; the shape follows the device the payment really uses (landing on mobile).
    const effectiveDevice = script?.device ?? device;
    const shapes = defaultShape(channel.pg_provider);
    const shape = script?.shape ?? (effectiveDevice === 'mobile' ? shapes.landing : shapes.callback);
    const reject = (error_code: string | null, error_msg: string, extra: Record<string, unknown> = {}) => {
      ctx.body = { device: effectiveDevice, error: { ...callbackResponse({ imp_uid: null, merchant_uid: merchantUid }, { ok: false, error_code, error_msg, fields: {} }, shape), ...extra } };
    };

    if (!KNOWN_PG_PROVIDERS.has(channel.pg_provider)) {
      // The SDK's own answer, misspelt key and all: `error_coe`, `imp_success: false`.
      ctx.body = {
        device: effectiveDevice,
        error: { imp_success: false, imp_uid: null, merchant_uid: merchantUid, error_coe: 'F1001', error_msg: `등록되지 않은 PG모듈 정보입니다. (pg: ${pg})` },
      };
      return;
    }
    const amount = params.amount;
    if (!isValidAmount(amount)) {
      return reject('F400', `결제금액(amount)이 누락되었거나 올바르지 않습니다. (amount: ${JSON.stringify(amount ?? null)})`);
    }
    // PortOne pre-rejects a merchant_uid that is paid (PORTONE-V1.md §6.3). Whether it also rejects one whose payment was
    // cancelled is not documented; the sandbox lets it be paid again, as a refunded forgery's order must be payable
    // (SPEC §4: a forgery never changes the order).
    if (state.paymentsFor(merchantUid).some((r) => r.payment.status === 'paid')) {
      return reject('F1002', '이미 결제가 이루어진 거래건입니다.');
    }
    const prepared = state.prepared.get(merchantUid);
    const currency = text(params.currency) ?? 'KRW';
    if (prepared && (!sameAmount(prepared.amount, amount) || (prepared.currency !== null && prepared.currency !== currency))) {
      return reject('F400', `사전 등록된 결제정보와 요청이 일치하지 않아 결제가 차단되었습니다. (사전등록 ${prepared.amount} ${prepared.currency ?? ''}, 요청 ${amount} ${currency})`.replace(/ +\)/g, ')'));
    }

    const noticeUrls = [params.notice_url].flat().filter((u): u is string => typeof u === 'string' && u.length > 0);
    const payment = createPayment(
      {
        imp_uid: newImpUid(),
        merchant_uid: merchantUid,
        amount,
        currency,
        name: text(params.name),
        pay_method: text(params.pay_method) ?? 'card',
        channel: device,
        pg,
        channelKey,
        escrow: params.escrow === true,
        buyer_name: text(params.buyer_name),
        buyer_email: text(params.buyer_email),
        buyer_tel: text(params.buyer_tel),
        buyer_addr: text(params.buyer_addr),
        buyer_postcode: text(params.buyer_postcode),
        custom_data: params.custom_data,
        user_agent: parsed.data.user_agent ?? ctx.get('user-agent'),
      },
      state.now(),
    );
    const checkout: Checkout = {
      device: effectiveDevice,
      pageUrl: page_url,
      mRedirectUrl: text(params.m_redirect_url),
      language: params.language === 'en' ? 'en' : 'ko',
      userCode: user_code,
      shape,
      done: false,
      requestId: request_id,
      params,
      script: queued ? null : pageChoice,
    };
    state.addPayment({ payment, noticeUrls, usedWebhooks: false, checkout });
    ctx.body = { device: checkout.device, imp_uid: payment.imp_uid, window_url: `${origin(ctx)}/__sandbox/window/${payment.imp_uid}` };
  });

  router.get('/__sandbox/window/:imp_uid', (ctx) => {
    const record = state.payments.get(ctx.params.imp_uid);
    const checkout = record?.checkout as Checkout | undefined;
    if (!record || !checkout) {
      ctx.status = 404;
      ctx.type = 'html';
      ctx.body = renderLanding({ lang: 'ko', title: '결제창을 찾을 수 없습니다', query: {} });
      return;
    }
    // The script is taken when the window opens, so a reload does not take another one.
    checkout.script ??= state.takeScript(record.payment.merchant_uid) ?? null;
    const lang = ctx.query.lang === 'en' || ctx.query.lang === 'ko' ? ctx.query.lang : checkout.language;
    ctx.type = 'html';
    ctx.set('cache-control', 'no-store');
    ctx.body = renderWindow({ record, checkout, lang, script: checkout.script });
  });

  router.post('/__sandbox/window/:imp_uid', (ctx) => {
    const record = state.payments.get(ctx.params.imp_uid);
    const checkout = record?.checkout as Checkout | undefined;
    if (!record || !checkout) return sendError(ctx, 404, `no payment window ${ctx.params.imp_uid}`);
    if (checkout.done) return sendError(ctx, 409, 'this payment window has already answered');
    const input = windowResult.safeParse(ctx.request.body ?? {});
    if (!input.success) return sendError(ctx, 400, describeIssues(input.error));
    const { action } = input.data;
    const amount = input.data.amount;
    if (action === 'amount' && !isValidAmount(amount)) return sendError(ctx, 400, 'amount: a positive number is required to pay a different amount');
    checkout.done = true;
    const outcome = settleWindow(state, webhooks, record, checkout, action, amount);
    if (checkout.device === 'mobile') {
      const query = landingQuery(record.payment, outcome, checkout.shape);
      ctx.redirect(landingUrl(checkout.mRedirectUrl, query, origin(ctx)));
      return;
    }
    ctx.body = { action: 'payment', data: callbackResponse(record.payment, outcome, checkout.shape) };
  });

  router.get('/__sandbox/landing', (ctx) => {
    ctx.type = 'html';
    ctx.body = renderLanding({ lang: 'ko', title: 'PortOne 샌드박스 결제 결과', query: ctx.query as Record<string, string> });
  });

  return router;
}

/** The sandbox's origin as the browser addressed it. */
function origin(ctx: Context): string {
  return `${ctx.protocol}://${ctx.host}`;
}

function sendError(ctx: Context, status: number, message: string): void {
  ctx.status = status;
  ctx.body = { status: 'error', message };
}

/** `m_redirect_url` with the landing parameters appended (its own query is kept); no URL → the sandbox's page. */
export function landingUrl(mRedirectUrl: string | null, query: Record<string, string>, sandboxOrigin: string): string {
  let url: URL;
  try {
    url = new URL(mRedirectUrl ?? `${sandboxOrigin}/__sandbox/landing`);
  } catch {
    url = new URL(`${sandboxOrigin}/__sandbox/landing`);
  }
  for (const [key, value] of Object.entries(query)) url.searchParams.append(key, value);
  return url.href;
}

/** Apply the buyer's choice to the payment, send the webhooks PortOne would, and describe the outcome. */
function settleWindow(
  state: SandboxState,
  webhooks: WebhookSender,
  record: PaymentRecord,
  checkout: Checkout,
  action: WindowAction,
  amount: number | undefined,
): Outcome {
  const { payment } = record;
  const now = state.now();
  const script = checkout.script;
  const fields = () => (checkout.shape === 'none' ? {} : paymentFields(payment, checkout.params));
  switch (action) {
    case 'approve':
    case 'amount': {
      const paid = action === 'amount' ? (amount as number) : payment.amount;
      markPaid(payment, now, paid);
      webhooks.notify(record);
      return { ok: true, fields: fields() };
    }
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
