/**
 * Settlement: the one decision table of SPEC §5, used by the verify route, the webhook and reconcile. It
 * reads the payment from PortOne (never trusting the browser or the webhook body), compares it with the
 * stored order, moves the order through its state machine with conditional transitions, and fires the
 * fulfilment hook only for the transition that really moved the order to `paid`.
 */
import type { Logger } from './log.js';
import { sameAmount, subtractAmounts } from './money.js';
import type { PortOnePayment } from './portone/schemas.js';
import { type PortOneClient, PortOneRefused, PortOneUnavailable } from './portone/client.js';
import type { Order, OrderState, OrderStore, TransitionVia } from './store/types.js';

/**
 * Called when an order becomes paid (also for a virtual account's deposit): once in normal operation, and at
 * least once across crashes (a process killed between the hook and its record has it run again by reconcile).
 * Make it idempotent by `merchant_uid`.
 */
export type FulfilmentHook = (order: Order, payment: PortOnePayment) => void | Promise<void>;

export interface SettleDeps {
  portone: Pick<PortOneClient, 'getPayment' | 'cancel'>;
  store: OrderStore;
  onPaid?: FulfilmentHook;
  logger: Logger;
}

export interface Settlement {
  /** HTTP status for the verify route (the webhook answers 200 for anything handled). */
  status: number;
  body: Record<string, unknown>;
}

/**
 * Which states each target may be reached from. Settled states stay settled: a late `failed` attempt never
 * undoes a payment, and a forgery or a cancel is final.
 */
const FROM: Record<Exclude<OrderState, 'ready'>, readonly OrderState[]> = {
  vbank_issued: ['ready', 'failed'],
  paid: ['ready', 'failed', 'vbank_issued'],
  forgery: ['ready', 'failed', 'vbank_issued'],
  failed: ['ready'],
  cancelled: ['ready', 'failed', 'vbank_issued', 'paid'],
};

export const unavailable = (message: string): Settlement => ({ status: 502, body: { status: 'error', retryable: true, message } });

function paymentFields(p: PortOnePayment): Record<string, unknown> {
  return { imp_uid: p.imp_uid, merchant_uid: p.merchant_uid, amount: p.amount, currency: p.currency, pay_method: p.pay_method, paid_at: p.paid_at, receipt_url: p.receipt_url };
}

function vbankFields(p: PortOnePayment): Record<string, unknown> {
  return { vbank_num: p.vbank_num, vbank_name: p.vbank_name, vbank_holder: p.vbank_holder, vbank_date: p.vbank_date, vbank_code: p.vbank_code };
}

/**
 * SPEC §5: every answer within 30 s whatever PortOne does. A settlement may call PortOne several times (the
 * lookup, a cancel, a lookup again), so they share one deadline instead of each having the client's own.
 */
const SETTLE_BUDGET_MS = 25_000;

function withinOneBudget(deps: SettleDeps): SettleDeps {
  const deadline = Date.now() + SETTLE_BUDGET_MS;
  const { portone } = deps;
  return {
    ...deps,
    portone: {
      getPayment: (impUid, options) => portone.getPayment(impUid, { deadline: Math.min(deadline, options?.deadline ?? Infinity) }),
      cancel: (request, options) => portone.cancel(request, { deadline: Math.min(deadline, options?.deadline ?? Infinity) }),
    },
  };
}

/**
 * Settle the payment `impUid`. `requestedMerchantUid` is what the browser claimed (verify); the webhook and
 * reconcile pass none and settle the order PortOne names.
 */
export async function settle(unbounded: SettleDeps, impUid: string, requestedMerchantUid: string | undefined, via: TransitionVia): Promise<Settlement> {
  const deps = withinOneBudget(unbounded);
  const { portone, store, logger } = deps;
  let payment: PortOnePayment | null;
  try {
    payment = await portone.getPayment(impUid);
  } catch (error) {
    logger.warn('settle: PortOne unavailable', { imp_uid: impUid, via, error });
    return unavailable(error instanceof PortOneUnavailable ? 'PortOne could not be reached; try again.' : `PortOne refused the lookup: ${(error as Error).message}`);
  }
  if (!payment) return { status: 404, body: { status: 'unknown_payment', message: `PortOne knows no payment ${impUid}.` } };
  if (requestedMerchantUid !== undefined && payment.merchant_uid !== requestedMerchantUid) {
    // The imp_uid may be someone else's good payment: touch nothing.
    return { status: 409, body: { status: 'mismatch', message: `Payment ${impUid} belongs to another order, not ${requestedMerchantUid}.` } };
  }
  const order = await store.get(payment.merchant_uid);
  if (!order) return { status: 404, body: { status: 'unknown_order' } };

  const moveTo = async (to: Exclude<OrderState, 'ready'>) => store.transition({ merchant_uid: order.merchant_uid, to, from: FROM[to], via, imp_uid: payment.imp_uid });
  const amountMatches = sameAmount(payment.amount, order.amount) && payment.currency === order.currency;
  const issuedVbank = payment.status === 'ready' && payment.pay_method === 'vbank' && payment.vbank_issued_at > 0;

  if ((payment.status === 'paid' || issuedVbank) && !amountMatches) return forgery(deps, order, payment, via);

  switch (payment.status) {
    case 'paid': {
      if (order.state === 'paid' && order.imp_uid !== payment.imp_uid) {
        // A second payment for an order already paid: the buyer was charged twice. Refund this one.
        return refundDuplicate(deps, order, payment);
      }
      const { moved, order: after } = await moveTo('paid');
      if (moved && after) await fulfil(deps, after, payment);
      if (!moved && after?.state === 'paid' && after.imp_uid !== payment.imp_uid) {
        // Another payment for this order became paid between our read and our move: this one is the duplicate.
        return refundDuplicate(deps, after, payment);
      }
      if (!moved && after?.state !== 'paid') {
        return { status: 409, body: { status: after?.state ?? 'unknown_order', message: `The order is ${after?.state}; it cannot become paid.` } };
      }
      return { status: 200, body: { status: 'paid', ...paymentFields(payment) } };
    }
    case 'ready':
      if (!issuedVbank) return { status: 402, body: { status: 'ready', message: 'The payment is not complete yet.' } };
      {
        const { moved, order: after } = await moveTo('vbank_issued');
        if (!moved && after?.state !== 'vbank_issued') {
          return { status: 409, body: { status: after?.state ?? 'unknown_order', message: `The order is ${after?.state}.` } };
        }
      }
      return { status: 200, body: { status: 'ready', ...paymentFields(payment), ...vbankFields(payment) } };
    case 'failed':
      await moveTo('failed');
      return { status: 402, body: { status: 'failed', message: payment.fail_reason ?? 'The payment failed.' } };
    case 'cancelled':
      // Paid with the wrong amount and already cancelled (by us a moment ago, by a concurrent settlement, or on
      // the console): still a forgery. This keeps a replayed verify answering what the first one answered, and
      // a verify racing the forgery cancel from storing `cancelled` in place of `forgery`.
      if (!amountMatches) return forgery(deps, order, payment, via);
      // The second payment of an order paid by another one, refunded: the duplicate answer again.
      if (order.state === 'paid' && order.imp_uid !== payment.imp_uid) return { status: 409, body: duplicateBody(order) };
      if (order.imp_uid === null || order.imp_uid === payment.imp_uid) await moveTo('cancelled');
      return { status: 402, body: { status: 'cancelled', message: payment.cancel_reason ?? 'The payment was cancelled.' } };
  }
}

/**
 * Paid (or issued) with the wrong amount or currency: cancel the whole balance at PortOne, store `forgery`.
 * A payment already cancelled in full is not cancelled again. The order moves only once PortOne holds the
 * payment cancelled; until then the answer is a retryable 502 and the order is left as it was.
 */
async function forgery(deps: SettleDeps, order: Order, payment: PortOnePayment, via: TransitionVia): Promise<Settlement> {
  const expected = `${order.amount} ${order.currency}`;
  const got = `${payment.amount} ${payment.currency}`;
  const message = `The amount paid (${got}) is not the order's (${expected}); the payment was cancelled.`;
  const problem = await cancelWholeBalance(deps, payment, `위변조 의심: 주문 금액 ${expected}, 결제 금액 ${got}`);
  if (problem) {
    deps.logger.warn('settle: forgery cancel failed', { merchant_uid: order.merchant_uid, imp_uid: payment.imp_uid, problem });
    return unavailable(`PortOne could not cancel the forged payment (${problem}); try again.`);
  }
  const { moved } = await deps.store.transition({ merchant_uid: order.merchant_uid, to: 'forgery', from: FROM.forgery, via, imp_uid: payment.imp_uid });
  if (moved) deps.logger.warn('settle: forgery', { merchant_uid: order.merchant_uid, imp_uid: payment.imp_uid, expected, got });
  return { status: 409, body: { status: 'forgery', message } };
}

async function refundDuplicate(deps: SettleDeps, order: Order, payment: PortOnePayment): Promise<Settlement> {
  const problem = await cancelWholeBalance(deps, payment, '중복 결제 환불');
  if (problem) {
    deps.logger.warn('settle: duplicate refund failed', { merchant_uid: order.merchant_uid, imp_uid: payment.imp_uid, problem });
    return unavailable(`PortOne could not refund the duplicate payment (${problem}); try again.`);
  }
  deps.logger.warn('settle: duplicate payment refunded', { merchant_uid: order.merchant_uid, kept: order.imp_uid, refunded: payment.imp_uid });
  return { status: 409, body: duplicateBody(order) };
}

function duplicateBody(order: Order): Record<string, unknown> {
  return { status: 'duplicate', message: `Order ${order.merchant_uid} was already paid by ${order.imp_uid}; this payment was refunded.` };
}

const fullyCancelled = (p: PortOnePayment) => p.status === 'cancelled' || !(subtractAmounts(p.amount, p.cancel_amount) > 0);

/**
 * Cancel what is left of `payment` at PortOne, with the balance as `checksum`. Null once PortOne holds it
 * cancelled in full; else what went wrong. A refusal is checked against PortOne: "already cancelled" (a
 * concurrent settlement got there first) is success, anything else (the balance moved under us, the PG
 * refused) is not, and the caller answers a retryable error rather than claim a cancel that did not happen.
 */
async function cancelWholeBalance(deps: SettleDeps, payment: PortOnePayment, reason: string): Promise<string | null> {
  if (fullyCancelled(payment)) return null;
  try {
    await deps.portone.cancel({ imp_uid: payment.imp_uid, checksum: subtractAmounts(payment.amount, payment.cancel_amount), reason });
    return null;
  } catch (error) {
    if (!(error instanceof PortOneRefused)) return (error as Error).message;
    let now: PortOnePayment | null;
    try {
      now = await deps.portone.getPayment(payment.imp_uid);
    } catch (readError) {
      return `the cancel was refused (${error.message}) and the payment could not be read again: ${(readError as Error).message}`;
    }
    if (now && fullyCancelled(now)) return null;
    return `the cancel was refused: ${error.message}`;
  }
}

/** Run the merchant's hook for an order that just became paid, then record it (reconcile re-runs hooks a crash interrupted). */
export async function fulfil(deps: Pick<SettleDeps, 'store' | 'onPaid' | 'logger'>, order: Order, payment: PortOnePayment): Promise<void> {
  try {
    await deps.onPaid?.(order, payment);
    await deps.store.markFulfilled(order.merchant_uid);
  } catch (error) {
    // The order stays paid; reconcile will call the hook again.
    deps.logger.error('fulfilment hook failed', { merchant_uid: order.merchant_uid, error });
  }
}
