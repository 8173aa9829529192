/**
 * Settlement: the one decision table of SPEC §4–§5, used by the verify route, the webhook and reconcile. It reads
 * the payment from PortOne (never trusting the browser or the webhook body), compares it with the stored order,
 * and either moves the order (conditional transitions), or refunds the payment, or records that it holds no money.
 * It returns a domain outcome; each caller maps it to its own answer.
 *
 * The money rule it keeps (SPEC §4 *Money*): every payment seen `paid` — or as an issued virtual account — for a
 * stored order ends as exactly one of **the** payment that settles that order, or cancelled in full at PortOne with
 * its reason recorded (`refunded_forgery`, `refunded_duplicate`, `refunded_closed`). A refund PortOne does not take
 * stays `refund_pending` and reconcile finishes it. A forgery never changes the order's state.
 */
import type { Logger } from './log.js';
import { sameAmount, subtractAmounts } from '../lib/money.js';
import { type PortOneClient, PortOneRefused, PortOneUnavailable } from './portone/client.js';
import type { PortOnePayment } from './portone/schemas.js';
import { isStorableText } from './text.js';
import type { Disposition, Order, OrderState, OrderStore, PaymentEntry, RefundReason, Transition, TransitionVia } from './store/types.js';

export interface SettleDeps {
  portone: Pick<PortOneClient, 'getPayment' | 'cancel'>;
  store: OrderStore;
  logger: Logger;
}

/** What settling a payment came to. `order` is the order after settling. */
export type SettleOutcome =
  /** The order is paid by this payment (`moved`: by this very call). */
  | { kind: 'paid'; order: Order; payment: PortOnePayment; moved: boolean }
  /** The order awaits the deposit into this payment's virtual account. */
  | { kind: 'vbank_issued'; order: Order; payment: PortOnePayment; moved: boolean }
  /** The payment holds no money: an open window (`ready`), a failure, or a cancel made by someone else. */
  | { kind: 'not_paid'; status: 'ready' | 'failed' | 'cancelled'; order: Order; payment: PortOnePayment; message: string }
  /** The payment is not kept: cancelled in full at PortOne (`done`), or to be (`pending`: reconcile finishes it). */
  | { kind: 'refunded'; reason: RefundReason; refund: 'done' | 'pending'; order: Order; payment: PortOnePayment; message: string }
  /** The payment belongs to another order than the one the browser named: nothing touched. */
  | { kind: 'mismatch'; message: string }
  | { kind: 'unknown_payment'; message: string }
  | { kind: 'unknown_order'; payment: PortOnePayment }
  /** PortOne could not be read: nothing changed; worth retrying. */
  | { kind: 'unavailable'; message: string };

/** A word for what settling came to (logs, the webhook's answer, reconcile's report). */
export function outcomeLabel(outcome: SettleOutcome): string {
  switch (outcome.kind) {
    case 'not_paid':
      return outcome.status;
    case 'refunded':
      return outcome.refund === 'done' ? `refunded_${outcome.reason}` : 'refund_pending';
    default:
      return outcome.kind;
  }
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
export async function settle(unbounded: SettleDeps, impUid: string, requestedMerchantUid: string | undefined, via: TransitionVia): Promise<SettleOutcome> {
  const deps = withinOneBudget(unbounded);
  let payment: PortOnePayment | null;
  try {
    payment = await deps.portone.getPayment(impUid);
  } catch (error) {
    deps.logger.warn('settle: PortOne unavailable', { imp_uid: impUid, via, error });
    return { kind: 'unavailable', message: error instanceof PortOneUnavailable ? 'PortOne could not be reached; try again.' : `PortOne refused the lookup: ${(error as Error).message}` };
  }
  if (!payment) return { kind: 'unknown_payment', message: `PortOne knows no payment ${impUid}.` };
  if (requestedMerchantUid !== undefined && payment.merchant_uid !== requestedMerchantUid) {
    // The imp_uid may be someone else's good payment: touch nothing.
    return { kind: 'mismatch', message: `Payment ${impUid} belongs to another order, not ${requestedMerchantUid}.` };
  }
  return settleRead(deps, payment, via);
}

/** Settle a payment already read from PortOne (reconcile reads an order's payments in one list). */
export async function settlePayment(deps: SettleDeps, payment: PortOnePayment, via: TransitionVia): Promise<SettleOutcome> {
  return settleRead(withinOneBudget(deps), payment, via);
}

/** A payment holds (or will hold) the buyer's money: paid, or a virtual account issued and awaiting the deposit. */
function isLive(payment: PortOnePayment): boolean {
  return payment.status === 'paid' || issuedVbank(payment);
}

function issuedVbank(payment: PortOnePayment): boolean {
  return payment.status === 'ready' && payment.pay_method === 'vbank' && payment.vbank_issued_at > 0;
}

/** Exactly the order's price: amount and currency equal, and nothing of it cancelled already. */
function hasOrdersPrice(payment: PortOnePayment, order: Order): boolean {
  return sameAmount(payment.amount, order.amount) && payment.currency === order.currency && sameAmount(payment.cancel_amount, 0);
}

type Decision =
  /** The order already stands on this payment: answer from the order. */
  | { act: 'answer' }
  | { act: 'move'; to: 'paid' | 'vbank_issued'; from: OrderState[]; fromImpUid?: Array<string | null> }
  | { act: 'refund'; reason: RefundReason };

/**
 * The decision table for a live payment (SPEC §5): what this payment does to this order. Pure: the caller
 * carries it out, and decides again from the fresh order when a concurrent settlement moved it first.
 */
export function decideLive(order: Order, payment: PortOnePayment, entry: PaymentEntry | undefined): Decision {
  const target = payment.status === 'paid' ? 'paid' : 'vbank_issued';
  const own = order.imp_uid === payment.imp_uid;
  if (own) {
    // Settled by this payment before (a replay, or the deposit into its virtual account): its price was checked
    // then, and a partial refund made since on the console is the merchant's business, not a forgery.
    if (order.state === 'paid' || order.state === target) return { act: 'answer' };
    if (order.state === 'vbank_issued') return { act: 'move', to: 'paid', from: ['vbank_issued'], fromImpUid: [payment.imp_uid] };
    // Its failure failed the order, and now it succeeded: checked as any new payment, then it settles the order.
    if (order.state === 'failed') {
      return hasOrdersPrice(payment, order) ? { act: 'move', to: target, from: ['failed'], fromImpUid: [payment.imp_uid] } : { act: 'refund', reason: 'forgery' };
    }
    return { act: 'refund', reason: 'closed' }; // its order was cancelled
  }
  // It settled the order once, and another payment has settled it since: a superseded virtual account.
  if (entry?.disposition === 'settled') return { act: 'refund', reason: 'closed' };
  if (!hasOrdersPrice(payment, order)) return { act: 'refund', reason: 'forgery' };
  switch (order.state) {
    case 'ready':
      return { act: 'move', to: target, from: ['ready'], fromImpUid: [null] };
    case 'vbank_issued':
      // Paid another way while the account awaited its deposit: this payment settles the order, the account is closed.
      // A second account for the same order is refused: the buyer already has one.
      return target === 'paid' ? { act: 'move', to: 'paid', from: ['vbank_issued'], fromImpUid: [order.imp_uid] } : { act: 'refund', reason: 'duplicate' };
    case 'paid':
      return { act: 'refund', reason: 'duplicate' };
    case 'failed':
    case 'cancelled':
      return { act: 'refund', reason: 'closed' };
  }
}

/** Decide, act, and decide again when another settlement moved the order under us (a transition that did not move). */
async function settleRead(deps: SettleDeps, payment: PortOnePayment, via: TransitionVia): Promise<SettleOutcome> {
  // PortOne names the order, and its merchant_uid came from a buyer's page: one that no order can have (a NUL, an
  // unpaired surrogate) is an order this server does not know. The stores refuse to look it up, and that refusal
  // would make the webhook answer 500 (and PortOne retry it) for what SPEC answers 200.
  if (!isStorableText(payment.merchant_uid)) return { kind: 'unknown_order', payment };
  let order = await deps.store.get(payment.merchant_uid);
  if (!order) return { kind: 'unknown_order', payment };
  // Each round either ends or finds the order moved by someone else; a payment's decision changes at most twice.
  for (let round = 0; round < 4; round++) {
    const entry = order.payments.find((p) => p.imp_uid === payment.imp_uid);
    // A refund once decided is carried out, whatever happened to the order since.
    if (entry?.refund_reason) return refund(deps, order, payment, entry.refund_reason);
    if (!isLive(payment)) return settleNotLive(deps, order, payment, entry, via);

    const decision = decideLive(order, payment, entry);
    if (decision.act === 'refund') return refund(deps, order, payment, decision.reason);
    if (decision.act === 'answer') {
      // An order settled before the ledger existed has no entry for its payment yet.
      if (!entry) await record(deps, order, payment, 'settled');
      return answerFromOrder(order, payment, false);
    }
    const change: Transition = {
      merchant_uid: order.merchant_uid,
      to: decision.to,
      from: decision.from,
      fromImpUid: decision.fromImpUid,
      via,
      imp_uid: payment.imp_uid,
      payment: paymentRecord(payment, 'settled'),
    };
    const result = await deps.store.transition(change);
    if (!result.order) return { kind: 'unknown_order', payment };
    if (result.moved) {
      const superseded = order.state === 'vbank_issued' && order.imp_uid !== payment.imp_uid ? order.imp_uid : null;
      if (superseded) await closeSuperseded(deps, result.order, superseded);
      return answerFromOrder((await deps.store.get(order.merchant_uid)) ?? result.order, payment, true);
    }
    order = result.order;
  }
  deps.logger.error('settle: the order kept changing', { merchant_uid: order.merchant_uid, imp_uid: payment.imp_uid });
  return { kind: 'unavailable', message: 'The order kept changing while settling; try again.' };
}

function answerFromOrder(order: Order, payment: PortOnePayment, moved: boolean): SettleOutcome {
  return order.state === 'paid' ? { kind: 'paid', order, payment, moved } : { kind: 'vbank_issued', order, payment, moved };
}

/**
 * A payment that holds no money: record it (`not_paid`), and let it move the order where it speaks for the order:
 * the expiry of the order's own virtual account fails it (any other failed attempt leaves the order open for another
 * try); a cancel made on PortOne's console of the payment that settled the order (or of a real payment nobody had
 * settled yet) cancels it. A cancelled payment with the wrong amount, or a cancelled second payment of a paid
 * order, is a refund (ours, or one that raced ours): answered as such.
 */
async function settleNotLive(deps: SettleDeps, order: Order, payment: PortOnePayment, entry: PaymentEntry | undefined, via: TransitionVia): Promise<SettleOutcome> {
  const own = order.imp_uid === payment.imp_uid;
  const notPaid = async (status: 'ready' | 'failed' | 'cancelled', message: string, move?: Omit<Transition, 'merchant_uid' | 'imp_uid'>): Promise<SettleOutcome> => {
    await record(deps, order, payment, 'not_paid');
    if (move) await deps.store.transition({ ...move, merchant_uid: order.merchant_uid, imp_uid: payment.imp_uid });
    return { kind: 'not_paid', status, order: (await deps.store.get(order.merchant_uid)) ?? order, payment, message };
  };
  switch (payment.status) {
    case 'ready':
      return notPaid('ready', 'The payment is not complete yet.');
    case 'failed':
      // A failed attempt holds no money and PortOne takes another on the same merchant_uid (a declined card, then
      // another card): it leaves a ready order ready. Only the order's own virtual account, expired, fails the order.
      return notPaid('failed', payment.fail_reason ?? 'The payment failed.', { to: 'failed', from: ['vbank_issued'], fromImpUid: [payment.imp_uid], via });
    default: {
      // cancelled
      const message = payment.cancel_reason ?? 'The payment was cancelled.';
      if (own || entry?.disposition === 'settled') {
        return notPaid('cancelled', message, { to: 'cancelled', from: ['paid', 'vbank_issued'], fromImpUid: [payment.imp_uid], via: 'console' });
      }
      if (!(sameAmount(payment.amount, order.amount) && payment.currency === order.currency)) return refund(deps, order, payment, 'forgery');
      if (order.state === 'paid') return refund(deps, order, payment, 'duplicate');
      // A real payment of this order, cancelled on the console before anyone settled it: the merchant cancelled the order.
      const move = order.state === 'ready' && payment.paid_at > 0 ? { to: 'cancelled' as const, from: ['ready' as const], fromImpUid: [null], via: 'console' as const } : undefined;
      return notPaid('cancelled', message, move);
    }
  }
}

const REFUND_REASON_TEXT: Record<RefundReason, (order: Order, payment: PortOnePayment) => string> = {
  forgery: (order, payment) => `위변조 의심: 주문 금액 ${order.amount} ${order.currency}, 결제 금액 ${payment.amount} ${payment.currency}`,
  duplicate: () => '중복 결제 환불',
  closed: () => '종료된 주문의 결제 환불',
};

/**
 * The answer's message. It depends only on what does not change as the refund proceeds (the payment's amount and
 * currency, not its cancelled part), so a replayed verify answers the same words as the first.
 */
function refundMessage(reason: RefundReason, order: Order, payment: PortOnePayment, done: boolean): string {
  const what = done ? 'the payment was refunded' : 'its refund is pending and will be retried';
  switch (reason) {
    case 'forgery':
      if (sameAmount(payment.amount, order.amount) && payment.currency === order.currency) {
        return `The payment (${payment.amount} ${payment.currency}) was partly cancelled before it settled order ${order.merchant_uid}, so it does not pay the order's ${order.amount} ${order.currency}; ${what}.`;
      }
      return `The amount paid (${payment.amount} ${payment.currency}) is not the order's (${order.amount} ${order.currency}); ${what}.`;
    case 'duplicate':
      return `Order ${order.merchant_uid} was already ${order.state === 'paid' ? `paid by ${order.imp_uid}` : 'awaiting a deposit into another account'}; ${what}.`;
    case 'closed':
      return `Order ${order.merchant_uid} is ${order.state === 'paid' || order.state === 'vbank_issued' ? 'settled by another payment' : order.state}; ${what}.`;
  }
}

/**
 * Not kept: recorded `refund_pending` first (so a crash or an outage leaves a refund owed, never money kept), then
 * cancelled in full at PortOne, then recorded `refunded_<reason>`. The order's state never changes.
 */
async function refund(deps: SettleDeps, order: Order, payment: PortOnePayment, proposed: RefundReason): Promise<SettleOutcome> {
  const pending = await record(deps, order, payment, 'refund_pending', proposed);
  // The reason first given is kept (an account closed by supersession stays `closed`).
  const reason = pending?.refund_reason ?? proposed;
  const cancelled = await cancelWholeBalance(deps, payment, REFUND_REASON_TEXT[reason](order, payment));
  const fresh = async () => (await deps.store.get(order.merchant_uid)) ?? order;
  if ('problem' in cancelled) {
    const { problem } = cancelled;
    deps.logger.warn('settle: refund pending', { merchant_uid: order.merchant_uid, imp_uid: payment.imp_uid, reason, problem });
    return { kind: 'refunded', reason, refund: 'pending', order: await fresh(), payment, message: refundMessage(reason, order, payment, false) };
  }
  // Recorded with the payment as PortOne holds it after the cancel, not as read before it (which would show a
  // refunded forgery `paid`, a closed virtual account `ready`).
  await record(deps, order, cancelled.payment, `refunded_${reason}`, reason);
  if (pending?.disposition !== `refunded_${reason}`) deps.logger.warn('settle: payment refunded', { merchant_uid: order.merchant_uid, imp_uid: payment.imp_uid, reason });
  return { kind: 'refunded', reason, refund: 'done', order: await fresh(), payment, message: refundMessage(reason, order, payment, true) };
}

/** The virtual account an order awaited, superseded by another payment: closed at PortOne so no deposit can land on it. */
async function closeSuperseded(deps: SettleDeps, order: Order, impUid: string): Promise<void> {
  let account: PortOnePayment | null;
  try {
    account = await deps.portone.getPayment(impUid);
  } catch (error) {
    // Recorded as owed; reconcile reads it again and finishes the refund.
    const known = order.payments.find((p) => p.imp_uid === impUid);
    if (known) await deps.store.recordPayment(order.merchant_uid, { ...known, disposition: 'refund_pending', refund_reason: 'closed' });
    deps.logger.warn('settle: superseded account not closed yet', { merchant_uid: order.merchant_uid, imp_uid: impUid, error });
    return;
  }
  if (account) await refund(deps, order, account, 'closed');
}

function paymentRecord(payment: PortOnePayment, disposition: Disposition, refundReason: RefundReason | null = null) {
  return { imp_uid: payment.imp_uid, amount: payment.amount, currency: payment.currency, status: payment.status, disposition, refund_reason: refundReason };
}

function record(deps: SettleDeps, order: Order, payment: PortOnePayment, disposition: Disposition, refundReason: RefundReason | null = null): Promise<PaymentEntry | null> {
  return deps.store.recordPayment(order.merchant_uid, paymentRecord(payment, disposition, refundReason));
}

/**
 * PortOne holds none of the buyer's money in it any more: cancelled in full, or never holding any (a failed
 * payment, or an open window). The second case is a refund owed on a virtual account that expired before the
 * cancel could be made: PortOne refuses its cancel ("not paid") for ever, and the refund would stay pending for
 * ever (reconcile retrying it on every pass) although no money was kept.
 */
const nothingToCancel = (p: PortOnePayment) => p.status === 'cancelled' || !(subtractAmounts(p.amount, p.cancel_amount) > 0) || !isLive(p);

/**
 * Cancel what is left of `payment` at PortOne, with the balance as `checksum`. The payment as PortOne then holds
 * it, once nothing of the buyer's money is left in it; else what went wrong. A refusal is checked against
 * PortOne: "already cancelled" (a concurrent settlement got there first) is success, anything else (the balance
 * moved under us, the PG refused) is not, and the refund stays pending rather than claim a cancel that did not happen.
 */
async function cancelWholeBalance(deps: SettleDeps, payment: PortOnePayment, reason: string): Promise<{ payment: PortOnePayment } | { problem: string }> {
  if (nothingToCancel(payment)) return { payment };
  try {
    return { payment: await deps.portone.cancel({ imp_uid: payment.imp_uid, checksum: subtractAmounts(payment.amount, payment.cancel_amount), reason }) };
  } catch (error) {
    if (!(error instanceof PortOneRefused)) return { problem: (error as Error).message };
    let now: PortOnePayment | null;
    try {
      now = await deps.portone.getPayment(payment.imp_uid);
    } catch (readError) {
      return { problem: `the cancel was refused (${error.message}) and the payment could not be read again: ${(readError as Error).message}` };
    }
    if (now && nothingToCancel(now)) return { payment: now };
    return { problem: `the cancel was refused: ${error.message}` };
  }
}
