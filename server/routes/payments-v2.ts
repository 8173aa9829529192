/**
 * The V2 halves of the payment routes (SPEC §8.2): prepare with `version: "v2"` (pre-registered at PortOne V2),
 * complete with `{ paymentId, txId? }`, and how a V2 order and a V2 outcome are shown. payments.ts dispatches here;
 * the decision itself is settle.ts's, the same table as V1's.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { errorBody, parseBody, RouteError } from '../errors.js';
import { sameAmount, toMinorUnits } from '../../lib/money.js';
import type { Logger } from '../log.js';
import { type PaymentView, payMethodV2, type V2Settings } from '../portone/gateway.js';
import { PortOneUnavailable } from '../portone/retry.js';
import type { PortOneV2Client } from '../portone/v2/client.js';
import type { PortOneV2Payment } from '../portone/v2/schemas.js';
import { type PriceOrder, priceOf } from '../pricing.js';
import { settleV2, type SettleDeps, type SettleOutcome } from '../settle.js';
import type { Order, OrderStore } from '../store/types.js';
import { amount, currency, items, text } from './fields.js';
import { type AnswerFields, type VerifyAnswer, verifyAnswerFor } from './verify-answer.js';

/** PortOne V2 on this server: the settle settings, and the client that can pre-register. */
export type V2RouteSettings = V2Settings & { client: Pick<PortOneV2Client, 'getPayment' | 'cancel' | 'preRegister'> };

/** Several PGs (KCP V2, NICE V2, Smartro) refuse anything but letters and digits; PortOne's limit is 40. */
export const paymentId = text(40).regex(/^[A-Za-z0-9]+$/, 'must be 1 to 40 letters and digits (several PGs refuse other characters)');

export const prepareBodyV2 = z
  .strictObject({
    version: z.literal('v2'),
    amount,
    name: text(256).optional(),
    paymentId: paymentId.optional(),
    currency: currency.default('KRW'),
    items: items.optional(),
  })
  .refine((b) => wholeMinorUnits(b.amount, b.currency), { path: ['amount'], message: 'must be a whole number of the currency’s minor unit (KRW: won; USD: cents)' });

export const completeBodyV2 = z.strictObject({
  paymentId,
  /** The browser's claim of the attempt: echoed, never trusted (PortOne's payment names the transaction). */
  txId: text(128).optional(),
});

function wholeMinorUnits(value: number, code: string): boolean {
  try {
    toMinorUnits(value, code);
    return true;
  } catch {
    return false;
  }
}

/** `order` + time + 96 random bits, letters and digits only: unguessable, sortable, 37 characters. */
export function newPaymentId(): string {
  return `order${Date.now().toString(36)}${randomBytes(12).toString('hex')}`;
}

/** The answer when this server has no V2 configuration: a 400 (the client must not retry it), naming what is missing. */
export function v2NotConfigured(field: string): RouteError {
  return new RouteError(400, errorBody(`${field}: PortOne V2 is not configured on this server (PORTONE_V2_API_SECRET, PORTONE_V2_STORE_ID)`));
}

interface PrepareDeps {
  store: OrderStore;
  priceOrder: PriceOrder;
  v2?: V2RouteSettings;
  logger: Logger;
}

/** POST /payments/prepare with `version: "v2"`: priced by the same authority, stored keyed by paymentId, pre-registered. */
export async function prepareV2(deps: PrepareDeps, input: unknown, sameItems: (a: Order['items'], b: Order['items']) => boolean): Promise<Record<string, unknown>> {
  const body = parseBody(prepareBodyV2, input);
  if (!deps.v2) throw v2NotConfigured('version');
  const price = await priceOf(deps.priceOrder, { items: body.items ?? null, amount: body.amount, currency: body.currency, name: body.name ?? null, merchant_uid: body.paymentId ?? null });
  if (!sameAmount(price.amount, body.amount) || price.currency !== body.currency) {
    throw new RouteError(409, { status: 'price_changed', amount: price.amount, currency: price.currency, message: `The price is ${price.amount} ${price.currency}, not ${body.amount} ${body.currency}.` });
  }
  const { created, order } = await deps.store.create({
    merchant_uid: body.paymentId ?? newPaymentId(),
    version: 'v2',
    amount: price.amount,
    currency: price.currency,
    name: price.name,
    items: body.items ?? null,
  });
  const wanted = body.items ?? null;
  if (!created && (order.version !== 'v2' || order.state !== 'ready' || !sameAmount(order.amount, price.amount) || order.currency !== price.currency || !sameItems(order.items, wanted))) {
    // One key, one order: a V1 merchant_uid is never shared with a V2 paymentId.
    const taken =
      order.version !== 'v2'
        ? `order ${order.merchant_uid} is a PortOne V1 order`
        : order.state !== 'ready'
          ? `order ${order.merchant_uid} is already ${order.state}`
          : sameItems(order.items, wanted)
            ? `order ${order.merchant_uid} exists with ${order.amount} ${order.currency}`
            : `order ${order.merchant_uid} exists with other items`;
    throw new RouteError(409, errorBody(taken));
  }
  try {
    // PortOne's browser SDK then refuses any other amount for this paymentId (AmountNotEqualToPredefined).
    await deps.v2.client.preRegister(order.merchant_uid, { storeId: deps.v2.storeId, totalAmount: toMinorUnits(order.amount, order.currency), currency: order.currency });
  } catch (error) {
    deps.logger.warn('prepare: PortOne V2 pre-registration failed', { paymentId: order.merchant_uid, error });
    const reachable = !(error instanceof PortOneUnavailable);
    throw new RouteError(502, errorBody(reachable ? `PortOne refused the amount: ${(error as Error).message}` : 'PortOne could not be reached; try again.', !reachable));
  }
  return { paymentId: order.merchant_uid, amount: order.amount, currency: order.currency, name: order.name };
}

/**
 * POST /payments/complete with `{ paymentId, txId? }`: an order this server stores as V2 is settled from PortOne's
 * payment; any other id is 404 without asking PortOne.
 */
export async function completeV2(deps: SettleDeps & { v2?: V2RouteSettings }, input: unknown): Promise<SettleOutcome> {
  const body = parseBody(completeBodyV2, input);
  if (!deps.v2) throw v2NotConfigured('paymentId');
  const order = await deps.store.get(body.paymentId);
  if (!order || order.version !== 'v2') return { kind: 'unknown_order', payment: null };
  return settleV2(deps, body.paymentId, 'complete');
}

function v2Raw(payment: PaymentView): PortOneV2Payment {
  if (payment.protocol !== 'v2') throw new Error('a V1 payment in a V2 answer');
  return payment.raw;
}

function paymentFields(view: PaymentView): Record<string, unknown> {
  const p = v2Raw(view);
  return { paymentId: p.id, txId: p.transactionId, amount: view.amount, currency: p.currency, payMethod: payMethodV2(p), paidAt: p.paidAt ?? null, receiptUrl: p.receiptUrl ?? null };
}

function accountFields(view: PaymentView): Record<string, unknown> {
  const m = v2Raw(view).method;
  return { bank: m?.bank ?? null, accountNumber: m?.accountNumber ?? null, remitteeName: m?.remitteeName ?? null, expiredAt: m?.expiredAt ?? null };
}

const v2AnswerFields: AnswerFields = { payment: paymentFields, account: accountFields, accountIssuedStatus: 'virtual_account_issued', partialCancelIsNotPaid: true };

/** SPEC §8.2: the V2 verify answer for each outcome. */
export function verifyAnswerV2(outcome: SettleOutcome): VerifyAnswer {
  return verifyAnswerFor(v2AnswerFields, outcome);
}

/** GET /payments/:id of a V2 order: V2's names (paymentId, transactionId), the same history, ledger and fulfilment. */
export function orderViewV2(order: Order): Record<string, unknown> {
  const { merchant_uid, amount, currency, name, items, state, imp_uid, history, payments, fulfilment } = order;
  return {
    version: 'v2',
    paymentId: merchant_uid,
    amount,
    currency,
    name,
    items,
    state,
    transactionId: imp_uid,
    history,
    payments: payments.map(({ imp_uid, amount, currency, status, disposition, at }) => ({ paymentId: merchant_uid, transactionId: imp_uid, amount, currency, status, disposition, at })),
    fulfilment: { state: fulfilment.state, attempts: fulfilment.attempts, at: fulfilment.at },
  };
}
