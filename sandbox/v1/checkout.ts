/**
 * The browser side of PortOne V1, as the stand-in iamport.js (sdk/iamport.js) talks to it: the SDK itself, and the
 * request that opens a payment (`POST /__sandbox/checkout`) with PortOne's pre-validation: unknown PG, a missing
 * amount, an already-paid merchant_uid, an amount other than the prepared one. A request that passes makes a `ready`
 * payment and names its payment window (window.ts).
 */
import { readFileSync } from 'node:fs';
import { Router } from '@koa/router';
import { z } from 'zod';
import { isValidAmount, sameAmount } from '../../lib/money.js';
import { type Device, RESPONSE_SHAPES, type ResponseShape, WINDOW_ACTIONS, type WindowScript, windowDelay } from '../control-api.js';
import { parseOrRefuse, writeError } from '../errors.js';
import type { SandboxState } from '../state.js';
import { callbackResponse, defaultShape } from './answers.js';
import { createPayment, KNOWN_PG_PROVIDERS, newImpUid, resolveChannel } from './payment.js';
import type { CheckoutContext } from './records.js';

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
  delay_ms: windowDelay,
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
type CheckoutRequest = z.output<typeof checkoutRequest>;

/** The request as the payment will be made: its order, PG and the window's choice and shape. */
interface Checkout {
  request: CheckoutRequest;
  merchantUid: string;
  pg: string | undefined;
  channelKey: string | undefined;
  /** A script may force the device; the shape follows the device the payment really uses (landing on mobile). */
  device: Device;
  shape: ResponseShape;
  /** A script queued through the control API for this order: taken when the window opens. */
  queued: WindowScript | null;
  /** Else the page's own choice, which belongs to this payment alone. */
  pageChoice: WindowScript | null;
}

export function createCheckoutRouter(state: SandboxState): Router {
  const router = new Router();
  const sdk = readFileSync(new URL('./sdk/iamport.js', import.meta.url), 'utf8');

  router.get('/iamport.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('cache-control', 'no-cache');
    ctx.body = sdk;
  });

  router.post('/__sandbox/checkout', (ctx) => {
    const request = parseOrRefuse(checkoutRequest, ctx.request.body, (message) => writeError(ctx, 400, message));
    if (!request) return;
    if (request.script?.action === 'amount' && request.script.amount == null) return writeError(ctx, 400, 'script.amount: required for action "amount"');
    const checkout = readCheckout(state, request);
    const refusal = prevalidate(state, checkout);
    if (refusal) {
      ctx.body = { device: checkout.device, error: refusal };
      return;
    }
    const impUid = openPayment(state, checkout, ctx.get('user-agent'));
    ctx.body = { device: checkout.device, imp_uid: impUid, window_url: `${ctx.protocol}://${ctx.host}/__sandbox/window/${impUid}` };
  });

  return router;
}

function readCheckout(state: SandboxState, request: CheckoutRequest): Checkout {
  const { params } = request;
  const merchantUid = text(params.merchant_uid) ?? `nobody_${Date.now()}`;
  const pg = text(params.pg) ?? undefined;
  const channelKey = text(params.channelKey) ?? undefined;
  const queued = state.peekScript(merchantUid) ?? null;
  const pageChoice = request.script ? pageChoiceOf(state, merchantUid, request.script) : null;
  const script = queued ?? pageChoice;
  const device = script?.device ?? request.device;
  const shapes = defaultShape(resolveChannel(pg, channelKey).pg_provider);
  const shape = script?.shape ?? (device === 'mobile' ? shapes.landing : shapes.callback);
  return { request, merchantUid, pg, channelKey, device, shape, queued, pageChoice };
}

function pageChoiceOf(state: SandboxState, merchantUid: string, script: NonNullable<CheckoutRequest['script']>): WindowScript {
  return {
    id: state.id(),
    merchant_uid: merchantUid,
    action: script.action,
    amount: script.amount ?? null,
    error_code: script.error_code ?? null,
    error_msg: script.error_msg ?? null,
    shape: script.shape ?? null,
    device: null,
    delay_ms: script.delay_ms,
  };
}

/** PortOne's refusal before any window opens, as the SDK answers it; null when the request may go on. */
function prevalidate(state: SandboxState, checkout: Checkout): Record<string, unknown> | null {
  const { merchantUid, pg, request } = checkout;
  const { params } = request;
  const reject = (error_code: string | null, error_msg: string) =>
    callbackResponse({ imp_uid: null, merchant_uid: merchantUid }, { ok: false, error_code, error_msg, fields: {} }, checkout.shape);
  if (!KNOWN_PG_PROVIDERS.has(resolveChannel(pg, checkout.channelKey).pg_provider)) {
    // The SDK's own answer, misspelt key and all: `error_coe`, `imp_success: false`.
    return { imp_success: false, imp_uid: null, merchant_uid: merchantUid, error_coe: 'F1001', error_msg: `등록되지 않은 PG모듈 정보입니다. (pg: ${pg})` };
  }
  const amount = params.amount;
  if (!isValidAmount(amount)) return reject('F400', `결제금액(amount)이 누락되었거나 올바르지 않습니다. (amount: ${JSON.stringify(amount ?? null)})`);
  // PortOne pre-rejects a merchant_uid that is paid (PORTONE-V1.md §6.3). Whether it also rejects one whose payment was
  // cancelled is not documented; the sandbox lets it be paid again, as a refunded forgery's order must be payable
  // (SPEC §4: a forgery never changes the order).
  if (state.paymentsFor(merchantUid).some((r) => r.payment.status === 'paid')) return reject('F1002', '이미 결제가 이루어진 거래건입니다.');
  const prepared = state.prepared.get(merchantUid);
  const currency = text(params.currency) ?? 'KRW';
  if (prepared && (!sameAmount(prepared.amount, amount) || (prepared.currency !== null && prepared.currency !== currency))) {
    return reject('F400', `사전 등록된 결제정보와 요청이 일치하지 않아 결제가 차단되었습니다. (사전등록 ${prepared.amount} ${prepared.currency ?? ''}, 요청 ${amount} ${currency})`.replace(/ +\)/g, ')'));
  }
  return null;
}

/** The `ready` payment PortOne records when its window opens, with what the window needs; its imp_uid. */
function openPayment(state: SandboxState, checkout: Checkout, userAgent: string): string {
  const { request, merchantUid } = checkout;
  const { params } = request;
  const payment = createPayment(
    {
      imp_uid: newImpUid(),
      merchant_uid: merchantUid,
      amount: params.amount as number,
      currency: text(params.currency) ?? 'KRW',
      name: text(params.name),
      pay_method: text(params.pay_method) ?? 'card',
      channel: request.device,
      pg: checkout.pg,
      channelKey: checkout.channelKey,
      escrow: params.escrow === true,
      buyer_name: text(params.buyer_name),
      buyer_email: text(params.buyer_email),
      buyer_tel: text(params.buyer_tel),
      buyer_addr: text(params.buyer_addr),
      buyer_postcode: text(params.buyer_postcode),
      custom_data: params.custom_data,
      user_agent: request.user_agent ?? userAgent,
    },
    state.now(),
  );
  const context: CheckoutContext = {
    device: checkout.device,
    pageUrl: request.page_url,
    mRedirectUrl: text(params.m_redirect_url),
    language: params.language === 'en' ? 'en' : 'ko',
    userCode: request.user_code,
    shape: checkout.shape,
    done: false,
    requestId: request.request_id,
    params,
    script: checkout.queued ? null : checkout.pageChoice,
  };
  const noticeUrls = [params.notice_url].flat().filter((u): u is string => typeof u === 'string' && u.length > 0);
  state.addPayment({ payment, noticeUrls, usedWebhooks: false, checkout: context });
  return payment.imp_uid;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}
