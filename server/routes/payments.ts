/**
 * The merchant's payment routes (SPEC §4–§5): prepare an order (priced by the server), complete (verify) a payment,
 * read an order.
 */
import { randomBytes } from 'node:crypto';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { badRequest, errorBody, parseBody, RouteError } from '../errors.js';
import type { FulfilmentDeliverer } from '../fulfilment.js';
import type { Logger } from '../log.js';
import { sameAmount } from '../../lib/money.js';
import type { PortOneClient } from '../portone/client.js';
import { PortOneUnavailable } from '../portone/client.js';
import type { PaymentView } from '../portone/gateway.js';
import { type PriceOrder, priceOf } from '../pricing.js';
import { settle, type SettleDeps, type SettleOutcome } from '../settle.js';
import type { Order, OrderItem } from '../store/types.js';
import { amount, currency, items, merchantUid, text } from './fields.js';
import { completeV2, orderViewV2, prepareV2, type V2RouteSettings, verifyAnswerV2 } from './payments-v2.js';
import type { RateLimit } from './rate-limit.js';
import { type AnswerFields, type VerifyAnswer, verifyAnswerFor } from './verify-answer.js';

const prepareBody = z
  .strictObject({
    amount,
    name: text(256).optional(),
    merchant_uid: merchantUid.optional(),
    currency: currency.default('KRW'),
    items: items.optional(),
  })
  .refine((b) => b.currency !== 'KRW' || Number.isInteger(b.amount), { path: ['amount'], message: 'must be a whole number of won for KRW' });

const pathParams = z.object({ merchant_uid: text(Number.MAX_SAFE_INTEGER) });

const completeBody = z.strictObject({
  imp_uid: text(64).min(1, 'must not be empty'),
  merchant_uid: merchantUid,
});

/** SPEC §4: `complete` waits this long for the first fulfilment attempt, then answers `fulfilment: 'pending'`. */
export const FULFILMENT_WAIT_MS = 10_000;

/**
 * SPEC §5: every verify answer within 30 s. Settling may use up to 25 s of PortOne's time; the fulfilment wait gets
 * only what is left up to this point (a margin for the store and the network), never its full 10 s on top (a slow
 * PortOne, 25 s, and a slow hook, 10 s, would together answer after 35 s).
 */
export const COMPLETE_ANSWER_MS = 28_000;

function requireJson(ctx: Context): void {
  if (!ctx.request.is('application/json')) throw badRequest('expected a JSON body (Content-Type: application/json)');
}

/** `order_` + time + 96 random bits: unguessable (nobody can squat or read another buyer's order), sortable, ≤ 40 characters. */
export function newMerchantUid(): string {
  return `order_${Date.now().toString(36)}_${randomBytes(12).toString('hex')}`;
}

/** The same lines in the same order (what a re-prepare of one order id must ask for). */
function sameItems(a: OrderItem[] | null, b: OrderItem[] | null): boolean {
  return JSON.stringify(a?.map(({ id, quantity }) => [id, quantity]) ?? null) === JSON.stringify(b?.map(({ id, quantity }) => [id, quantity]) ?? null);
}

/** What GET /payments/:merchant_uid shows: the order, its history, its payments and its fulfilment; no buyer data. */
export function orderView(order: Order): Record<string, unknown> {
  const { merchant_uid, amount, currency, name, items, state, imp_uid, history, payments, fulfilment } = order;
  return {
    merchant_uid,
    amount,
    currency,
    name,
    items,
    state,
    imp_uid,
    history,
    payments: payments.map(({ imp_uid, amount, currency, status, disposition, at }) => ({ imp_uid, amount, currency, status, disposition, at })),
    fulfilment: { state: fulfilment.state, attempts: fulfilment.attempts, at: fulfilment.at },
  };
}

function v1Raw(payment: PaymentView) {
  if (payment.protocol !== 'v1') throw new Error('a V2 payment in a V1 answer');
  return payment.raw;
}

function paymentFields(view: PaymentView): Record<string, unknown> {
  const p = v1Raw(view);
  return { imp_uid: p.imp_uid, merchant_uid: p.merchant_uid, amount: p.amount, currency: p.currency, pay_method: p.pay_method, paid_at: p.paid_at, receipt_url: p.receipt_url };
}

function vbankFields(view: PaymentView): Record<string, unknown> {
  const p = v1Raw(view);
  return { vbank_num: p.vbank_num, vbank_name: p.vbank_name, vbank_holder: p.vbank_holder, vbank_date: p.vbank_date, vbank_code: p.vbank_code };
}

const v1AnswerFields: AnswerFields = { payment: paymentFields, account: vbankFields, accountIssuedStatus: 'ready', partialCancelIsNotPaid: false };

/** SPEC §5: the verify endpoint's answer for each outcome. */
export function verifyAnswer(outcome: SettleOutcome): VerifyAnswer {
  return verifyAnswerFor(v1AnswerFields, outcome);
}

export interface PaymentRouteDeps extends SettleDeps {
  portone: SettleDeps['portone'] & Pick<PortOneClient, 'prepare'>;
  /** PortOne V2, when this server speaks it (else V2 requests are a 400 saying so). */
  v2?: V2RouteSettings;
  /** False when PortOne V1 is not configured (V2 alone): V1 requests are then a 400 saying so. Default true. */
  v1?: boolean;
  priceOrder: PriceOrder;
  fulfilment: FulfilmentDeliverer;
  prepareLimit: RateLimit;
  /** How long `complete` waits for the first delivery attempt (SPEC: 10 s; tests shorten it). */
  fulfilmentWaitMs?: number;
  logger: Logger;
}

export function createPaymentRoutes(deps: PaymentRouteDeps): Router {
  const router = new Router();

  router.post('/payments/prepare', deps.prepareLimit, async (ctx) => {
    requireJson(ctx);
    if (isV2Prepare(ctx.request.body)) {
      ctx.body = await prepareV2(deps, ctx.request.body, sameItems);
      ctx.status = 201;
      return;
    }
    const body = parseBody(prepareBody, ctx.request.body);
    if (deps.v1 === false) throw v1NotConfigured('merchant_uid');
    const price = await priceOf(deps.priceOrder, {
      items: body.items ?? null,
      amount: body.amount,
      currency: body.currency,
      name: body.name ?? null,
      merchant_uid: body.merchant_uid ?? null,
    });
    if (!sameAmount(price.amount, body.amount) || price.currency !== body.currency) {
      // The page showed another price (a stale cart, or a tampered one): nothing is stored; the page may show this one.
      throw new RouteError(409, {
        status: 'price_changed',
        amount: price.amount,
        currency: price.currency,
        message: `The price is ${price.amount} ${price.currency}, not ${body.amount} ${body.currency}.`,
      });
    }
    const { created, order } = await deps.store.create({
      merchant_uid: body.merchant_uid ?? newMerchantUid(),
      amount: price.amount,
      currency: price.currency,
      name: price.name,
      items: body.items ?? null,
    });
    if (!created && order.version !== 'v1') throw new RouteError(409, errorBody(`order ${order.merchant_uid} is a PortOne V2 order`));
    if (!created && (order.state !== 'ready' || !sameAmount(order.amount, price.amount) || order.currency !== price.currency || !sameItems(order.items, body.items ?? null))) {
      // Another cart under the same order id, even at the same total, is another order: fulfilment ships the stored items.
      const taken =
        order.state !== 'ready'
          ? `order ${order.merchant_uid} is already ${order.state}`
          : sameItems(order.items, body.items ?? null)
            ? `order ${order.merchant_uid} exists with ${order.amount} ${order.currency}`
            : `order ${order.merchant_uid} exists with other items`;
      throw new RouteError(409, errorBody(taken));
    }
    try {
      // PortOne's SDK then refuses any other amount for this merchant_uid.
      await deps.portone.prepare(order.merchant_uid, order.amount, order.currency);
    } catch (error) {
      deps.logger.warn('prepare: PortOne registration failed', { merchant_uid: order.merchant_uid, error });
      const reachable = !(error instanceof PortOneUnavailable);
      throw new RouteError(502, errorBody(reachable ? `PortOne refused the amount: ${(error as Error).message}` : 'PortOne could not be reached; try again.', !reachable));
    }
    ctx.status = 201;
    ctx.body = { merchant_uid: order.merchant_uid, amount: order.amount, currency: order.currency, name: order.name };
  });

  router.post('/payments/complete', async (ctx) => {
    const started = Date.now();
    requireJson(ctx);
    // `{ paymentId, txId? }` is V2 (the body PortOne's V2 guide sends); anything else is read as V1's `{ imp_uid, merchant_uid }`.
    const v2 = isV2Complete(ctx.request.body);
    let outcome: SettleOutcome;
    if (v2) {
      outcome = await completeV2(deps, ctx.request.body);
    } else {
      const body = parseBody(completeBody, ctx.request.body);
      if (deps.v1 === false) throw v1NotConfigured('imp_uid');
      outcome = await settle(deps, body.imp_uid, body.merchant_uid, 'complete');
    }
    const answer = v2 ? verifyAnswerV2(outcome) : verifyAnswer(outcome);
    if (outcome.kind === 'paid') {
      const left = started + COMPLETE_ANSWER_MS - Date.now();
      const wait = Math.max(0, Math.min(deps.fulfilmentWaitMs ?? FULFILMENT_WAIT_MS, left));
      answer.body.fulfilment = await fulfilmentWithin(deps.fulfilment, outcome, wait);
    }
    ctx.status = answer.status;
    ctx.body = answer.body;
  });

  router.get('/payments/:merchant_uid', async (ctx) => {
    // The path is input too (SPEC §4 bad input): text no store can look up (`/payments/%00`: a NUL, or an unpaired
    // surrogate) is a 400 naming merchant_uid, not the store's refusal as a 500; any other id that names no order
    // (too long included) is 404 unknown_order.
    const { merchant_uid } = parseBody(pathParams, { merchant_uid: ctx.params.merchant_uid });
    const order = await deps.store.get(merchant_uid);
    if (!order) throw new RouteError(404, { status: 'unknown_order' });
    ctx.body = order.version === 'v2' ? orderViewV2(order) : orderView(order);
  });

  return router;
}

/** The answer to a V1 request when this server speaks V2 alone: a 400 (retrying will not help), naming what is missing. */
function v1NotConfigured(field: string): RouteError {
  return new RouteError(400, errorBody(`${field}: PortOne V1 is not configured on this server (PORTONE_API_KEY, PORTONE_API_SECRET)`));
}

function isObject(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/** A prepare body that says `version: "v2"` (any other `version` is V1's unknown field: a 400 naming it). */
function isV2Prepare(body: unknown): boolean {
  return isObject(body) && body.version === 'v2';
}

/** A complete body naming `paymentId` and no `imp_uid`: V2's. Both or neither: V1's parse names what is wrong. */
function isV2Complete(body: unknown): boolean {
  return isObject(body) && 'paymentId' in body && !('imp_uid' in body);
}

/**
 * The first delivery attempt, waited for at most `waitMs` (the answer must come within SPEC's 30 s whatever the
 * merchant's hook does): `done`, or `pending` while delivery goes on.
 */
async function fulfilmentWithin(deliverer: FulfilmentDeliverer, outcome: Extract<SettleOutcome, { kind: 'paid' }>, waitMs: number): Promise<'done' | 'pending'> {
  if (outcome.order.fulfilment.state === 'done') return 'done';
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), waitMs)));
  const state = await Promise.race([deliverer.deliver(outcome.order.merchant_uid, outcome.payment), waited]);
  clearTimeout(timer);
  return state === 'done' ? 'done' : 'pending';
}
