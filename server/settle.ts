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
 *
 * One table for both protocols: it works on a PaymentView (portone/gateway.ts), which each protocol's adapter makes
 * of PortOne's own object, and refunds through that protocol's gateway. What only V2 has (the store a payment
 * belongs to, TEST channels) is screened before the table. A payment of one protocol never settles an order of the
 * other: to it, that order does not exist (V1's `merchant_uid`s and V2's `paymentId`s are two namespaces that happen
 * to share the store's key column).
 */
import type { Logger } from './log.js';
import { sameAmount, subtractAmounts } from '../lib/money.js';
import { type PortOneClient, PortOneRefused, PortOneUnavailable } from './portone/client.js';
import { type PaymentGateway, type PaymentView, type Protocol, v1Gateway, v2Gateway, type V2Settings } from './portone/gateway.js';
import { isStorableText } from './text.js';
import type { Disposition, Order, OrderState, OrderStore, PaymentEntry, RefundReason, Transition, TransitionVia } from './store/types.js';

export interface SettleDeps {
  /** REST V1. */
  portone: Pick<PortOneClient, 'getPayment' | 'cancel'>;
  /** REST V2, when this server speaks it. */
  v2?: V2Settings;
  store: OrderStore;
  logger: Logger;
}

/** The gateway of `protocol`; null when this server does not speak it (V2 not configured). */
export function gatewayFor(deps: SettleDeps, protocol: Protocol): PaymentGateway | null {
  if (protocol === 'v1') return v1Gateway(deps.portone);
  return deps.v2 ? v2Gateway(deps.v2) : null;
}

/** What settling a payment came to. `order` is the order after settling. */
export type SettleOutcome =
  /** The order is paid by this payment (`moved`: by this very call). */
  | { kind: 'paid'; order: Order; payment: PaymentView; moved: boolean }
  /** The order awaits the deposit into this payment's virtual account. */
  | { kind: 'vbank_issued'; order: Order; payment: PaymentView; moved: boolean }
  /** The payment holds no money: an open window (`ready`), a failure, or a cancel made by someone else. */
  | { kind: 'not_paid'; status: NotPaidStatus; order: Order; payment: PaymentView; message: string }
  /** The payment is not kept: cancelled in full at PortOne (`done`), or to be (`pending`: reconcile finishes it). */
  | { kind: 'refunded'; reason: RefundReason; refund: 'done' | 'pending'; order: Order; payment: PaymentView; message: string }
  /** The payment belongs to another order than the one the browser named (or, V2, to another store): nothing touched. */
  | { kind: 'mismatch'; message: string }
  /** V2: made through a TEST channel, which this server does not accept: nothing touched, nothing cancelled. */
  | { kind: 'test_payment'; message: string }
  | { kind: 'unknown_payment'; message: string }
  | { kind: 'unknown_order'; payment: PaymentView | null }
  /** PortOne could not be read: nothing changed; worth retrying. */
  | { kind: 'unavailable'; message: string };

/** What a payment holding no money is: an open window, one awaiting its completion (V2), a failure or a cancel by someone else. */
export type NotPaidStatus = 'ready' | 'pay_pending' | 'failed' | 'cancelled';

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

/** A gateway whose every call ends by the settlement's one deadline. */
interface Bound {
  gateway: PaymentGateway;
  deadline: number;
}

function bind(gateway: PaymentGateway): Bound {
  return { gateway, deadline: Date.now() + SETTLE_BUDGET_MS };
}

/**
 * Settle the V1 payment `impUid`. `requestedMerchantUid` is what the browser claimed (verify); the webhook and
 * reconcile pass none and settle the order PortOne names.
 */
export async function settle(deps: SettleDeps, impUid: string, requestedMerchantUid: string | undefined, via: TransitionVia): Promise<SettleOutcome> {
  return settleLookup(deps, bind(v1Gateway(deps.portone)), impUid, requestedMerchantUid, via);
}

/**
 * Settle the V2 payment `paymentId` (read by it: PortOne V2 keeps one payment per paymentId). The browser's claim
 * and the order are the same id in V2, so there is no order to mismatch; the store and the channel are screened.
 * Unavailable when this server does not speak V2.
 */
export async function settleV2(deps: SettleDeps, paymentId: string, via: TransitionVia): Promise<SettleOutcome> {
  const gateway = gatewayFor(deps, 'v2');
  if (!gateway) return { kind: 'unavailable', message: 'PortOne V2 is not configured on this server.' };
  return settleLookup(deps, bind(gateway), paymentId, undefined, via);
}

async function settleLookup(deps: SettleDeps, bound: Bound, key: string, requestedOrderId: string | undefined, via: TransitionVia): Promise<SettleOutcome> {
  let payment: PaymentView | null;
  try {
    payment = await bound.gateway.lookup(key, { deadline: bound.deadline });
  } catch (error) {
    deps.logger.warn('settle: PortOne unavailable', { protocol: bound.gateway.protocol, payment: key, via, error });
    return { kind: 'unavailable', message: error instanceof PortOneUnavailable ? 'PortOne could not be reached; try again.' : `PortOne refused the lookup: ${(error as Error).message}` };
  }
  if (!payment) return { kind: 'unknown_payment', message: `PortOne knows no payment ${key}.` };
  if (requestedOrderId !== undefined && payment.orderId !== requestedOrderId) {
    // The imp_uid may be someone else's good payment: touch nothing.
    return { kind: 'mismatch', message: `Payment ${key} belongs to another order, not ${requestedOrderId}.` };
  }
  return settleRead(deps, bound, payment, via);
}

/** Settle a payment already read from PortOne (reconcile reads an order's payments in one list). */
export async function settlePayment(deps: SettleDeps, payment: PaymentView, via: TransitionVia): Promise<SettleOutcome> {
  const gateway = gatewayFor(deps, payment.protocol);
  if (!gateway) return { kind: 'unavailable', message: `PortOne ${payment.protocol.toUpperCase()} is not configured on this server.` };
  return settleRead(deps, bind(gateway), payment, via);
}

/**
 * V2's checks before the table: a payment of another store is not ours to judge (nothing touched), and a TEST-channel
 * payment, where the server takes real money only, neither settles nor is refunded (it holds no real money).
 */
function screenV2(deps: SettleDeps, payment: PaymentView): SettleOutcome | null {
  if (payment.protocol !== 'v2' || !deps.v2) return null;
  if (payment.raw.storeId !== deps.v2.storeId) return { kind: 'mismatch', message: `Payment ${payment.orderId} belongs to another store.` };
  if (payment.raw.channel?.type === 'TEST' && !deps.v2.acceptTestPayments) {
    return { kind: 'test_payment', message: `Payment ${payment.orderId} was made through a TEST channel, which this server does not accept (PORTONE_ACCEPT_TEST_PAYMENTS).` };
  }
  return null;
}

/** A payment holds (or will hold) the buyer's money: paid, or a virtual account issued and awaiting the deposit. */
function isLive(payment: PaymentView): boolean {
  // A partly cancelled payment still holds the rest (V1 says `paid` with a cancel_amount; V2 PARTIAL_CANCELLED).
  return payment.state === 'paid' || payment.state === 'vbank_issued' || payment.state === 'partial_cancelled';
}

/** Exactly the order's price: amount and currency equal, and nothing of it cancelled already. */
function hasOrdersPrice(payment: PaymentView, order: Order): boolean {
  return sameAmount(payment.amount, order.amount) && payment.currency === order.currency && sameAmount(payment.cancelled, 0);
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
export function decideLive(order: Order, payment: PaymentView, entry: PaymentEntry | undefined): Decision {
  const target = payment.state === 'vbank_issued' ? 'vbank_issued' : 'paid';
  const own = order.imp_uid === payment.id;
  if (own) {
    // Settled by this payment before (a replay, or the deposit into its virtual account): its price was checked
    // then, and a partial refund made since on the console is the merchant's business, not a forgery.
    if (order.state === 'paid' || order.state === target) return { act: 'answer' };
    if (order.state === 'vbank_issued') return { act: 'move', to: 'paid', from: ['vbank_issued'], fromImpUid: [payment.id] };
    // Its failure failed the order, and now it succeeded: checked as any new payment, then it settles the order.
    if (order.state === 'failed') {
      return hasOrdersPrice(payment, order) ? { act: 'move', to: target, from: ['failed'], fromImpUid: [payment.id] } : { act: 'refund', reason: 'forgery' };
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
async function settleRead(deps: SettleDeps, bound: Bound, payment: PaymentView, via: TransitionVia): Promise<SettleOutcome> {
  const screened = screenV2(deps, payment);
  if (screened) return screened;
  // PortOne names the order, and its merchant_uid came from a buyer's page: one that no order can have (a NUL, an
  // unpaired surrogate) is an order this server does not know. The stores refuse to look it up, and that refusal
  // would make the webhook answer 500 (and PortOne retry it) for what SPEC answers 200.
  if (!isStorableText(payment.orderId)) return { kind: 'unknown_order', payment };
  let order = await deps.store.get(payment.orderId);
  // An order of the other protocol is, to this payment, an order this server does not know: never settled by it.
  if (!order || order.version !== payment.protocol) return { kind: 'unknown_order', payment };
  // Each round either ends or finds the order moved by someone else; a payment's decision changes at most twice.
  for (let round = 0; round < 4; round++) {
    const entry = order.payments.find((p) => p.imp_uid === payment.id);
    // A refund once decided is carried out, whatever happened to the order since.
    if (entry?.refund_reason) return refund(deps, bound, order, payment, entry.refund_reason);
    if (!isLive(payment)) return settleNotLive(deps, bound, order, payment, entry, via);

    const decision = decideLive(order, payment, entry);
    if (decision.act === 'refund') return refund(deps, bound, order, payment, decision.reason);
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
      imp_uid: payment.id,
      payment: paymentRecord(payment, 'settled'),
    };
    const result = await deps.store.transition(change);
    if (!result.order) return { kind: 'unknown_order', payment };
    if (result.moved) {
      const superseded = order.state === 'vbank_issued' && order.imp_uid !== payment.id ? order.imp_uid : null;
      if (superseded) await closeSuperseded(deps, bound, result.order, superseded);
      return answerFromOrder((await deps.store.get(order.merchant_uid)) ?? result.order, payment, true);
    }
    order = result.order;
  }
  deps.logger.error('settle: the order kept changing', { merchant_uid: order.merchant_uid, payment: payment.id });
  return { kind: 'unavailable', message: 'The order kept changing while settling; try again.' };
}

function answerFromOrder(order: Order, payment: PaymentView, moved: boolean): SettleOutcome {
  return order.state === 'paid' ? { kind: 'paid', order, payment, moved } : { kind: 'vbank_issued', order, payment, moved };
}

/**
 * A payment that holds no money: record it (`not_paid`), and let it move the order where it speaks for the order:
 * the expiry of the order's own virtual account fails it (any other failed attempt leaves the order open for another
 * try); a cancel made on PortOne's console of the payment that settled the order (or of a real payment nobody had
 * settled yet) cancels it. A cancelled payment with the wrong amount, or a cancelled second payment of a paid
 * order, is a refund (ours, or one that raced ours): answered as such.
 */
async function settleNotLive(deps: SettleDeps, bound: Bound, order: Order, payment: PaymentView, entry: PaymentEntry | undefined, via: TransitionVia): Promise<SettleOutcome> {
  const own = order.imp_uid === payment.id;
  const notPaid = async (status: NotPaidStatus, message: string, move?: Omit<Transition, 'merchant_uid' | 'imp_uid'>): Promise<SettleOutcome> => {
    await record(deps, order, payment, 'not_paid');
    if (move) await deps.store.transition({ ...move, merchant_uid: order.merchant_uid, imp_uid: payment.id });
    return { kind: 'not_paid', status, order: (await deps.store.get(order.merchant_uid)) ?? order, payment, message };
  };
  switch (payment.state) {
    case 'ready':
      return notPaid('ready', 'The payment is not complete yet.');
    case 'pay_pending':
      // V2: the PG has the payment and PortOne awaits its confirmation: no money settled yet, the order waits.
      return notPaid('pay_pending', 'The payment is awaiting its completion at PortOne.');
    case 'failed':
      // A failed attempt holds no money and PortOne takes another on the same merchant_uid (a declined card, then
      // another card): it leaves a ready order ready. Only the order's own virtual account, expired, fails the order.
      return notPaid('failed', payment.failReason ?? 'The payment failed.', { to: 'failed', from: ['vbank_issued'], fromImpUid: [payment.id], via });
    default: {
      // cancelled
      const message = payment.cancelReason ?? 'The payment was cancelled.';
      if (own || entry?.disposition === 'settled') {
        return notPaid('cancelled', message, { to: 'cancelled', from: ['paid', 'vbank_issued'], fromImpUid: [payment.id], via: 'console' });
      }
      if (!(sameAmount(payment.amount, order.amount) && payment.currency === order.currency)) return refund(deps, bound, order, payment, 'forgery');
      if (order.state === 'paid') return refund(deps, bound, order, payment, 'duplicate');
      // A real payment of this order, cancelled on the console before anyone settled it: the merchant cancelled the order.
      const move = order.state === 'ready' && payment.wasPaid ? { to: 'cancelled' as const, from: ['ready' as const], fromImpUid: [null], via: 'console' as const } : undefined;
      return notPaid('cancelled', message, move);
    }
  }
}

const REFUND_REASON_TEXT: Record<RefundReason, (order: Order, payment: PaymentView) => string> = {
  forgery: (order, payment) => `위변조 의심: 주문 금액 ${order.amount} ${order.currency}, 결제 금액 ${payment.amount} ${payment.currency}`,
  duplicate: () => '중복 결제 환불',
  closed: () => '종료된 주문의 결제 환불',
};

/**
 * The answer's message. It depends only on what does not change as the refund proceeds (the payment's amount and
 * currency, not its cancelled part), so a replayed verify answers the same words as the first.
 */
function refundMessage(reason: RefundReason, order: Order, payment: PaymentView, done: boolean): string {
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
async function refund(deps: SettleDeps, bound: Bound, order: Order, payment: PaymentView, proposed: RefundReason): Promise<SettleOutcome> {
  const pending = await record(deps, order, payment, 'refund_pending', proposed);
  // The reason first given is kept (an account closed by supersession stays `closed`).
  const reason = pending?.refund_reason ?? proposed;
  const cancelled = await cancelWholeBalance(bound, payment, REFUND_REASON_TEXT[reason](order, payment));
  const fresh = async () => (await deps.store.get(order.merchant_uid)) ?? order;
  if ('problem' in cancelled) {
    const { problem } = cancelled;
    deps.logger.warn('settle: refund pending', { merchant_uid: order.merchant_uid, payment: payment.id, reason, problem });
    return { kind: 'refunded', reason, refund: 'pending', order: await fresh(), payment, message: refundMessage(reason, order, payment, false) };
  }
  // Recorded with the payment as PortOne holds it after the cancel, not as read before it (which would show a
  // refunded forgery `paid`, a closed virtual account `ready`).
  await record(deps, order, cancelled.payment, `refunded_${reason}`, reason);
  if (pending?.disposition !== `refunded_${reason}`) deps.logger.warn('settle: payment refunded', { merchant_uid: order.merchant_uid, payment: payment.id, reason });
  return { kind: 'refunded', reason, refund: 'done', order: await fresh(), payment, message: refundMessage(reason, order, payment, true) };
}

/** The virtual account an order awaited, superseded by another payment: closed at PortOne so no deposit can land on it. */
async function closeSuperseded(deps: SettleDeps, bound: Bound, order: Order, impUid: string): Promise<void> {
  if (bound.gateway.protocol === 'v2') {
    // PortOne V2 keeps one payment per paymentId: the attempt that paid it replaced the account's attempt, which
    // PortOne no longer holds (nothing to cancel, nothing to read again: reconcile could never reach it). It ends as a
    // closed account does, with `REPLACED` as what PortOne says of it. A deposit PortOne still took into it would
    // make the payment PAID under that transaction again: a duplicate, refunded by the same table.
    const known = order.payments.find((p) => p.imp_uid === impUid);
    if (known) await deps.store.recordPayment(order.merchant_uid, { ...known, status: 'REPLACED', disposition: 'refunded_closed', refund_reason: 'closed' });
    return;
  }
  let account: PaymentView | null;
  try {
    account = await bound.gateway.reread({ id: impUid, orderId: order.merchant_uid }, { deadline: bound.deadline });
  } catch (error) {
    // Recorded as owed; reconcile reads it again and finishes the refund.
    const known = order.payments.find((p) => p.imp_uid === impUid);
    if (known) await deps.store.recordPayment(order.merchant_uid, { ...known, disposition: 'refund_pending', refund_reason: 'closed' });
    deps.logger.warn('settle: superseded account not closed yet', { merchant_uid: order.merchant_uid, imp_uid: impUid, error });
    return;
  }
  if (account) await refund(deps, bound, order, account, 'closed');
}

function paymentRecord(payment: PaymentView, disposition: Disposition, refundReason: RefundReason | null = null) {
  return { imp_uid: payment.id, amount: payment.amount, currency: payment.currency, status: payment.portoneStatus, disposition, refund_reason: refundReason };
}

function record(deps: SettleDeps, order: Order, payment: PaymentView, disposition: Disposition, refundReason: RefundReason | null = null): Promise<PaymentEntry | null> {
  return deps.store.recordPayment(order.merchant_uid, paymentRecord(payment, disposition, refundReason));
}

/**
 * PortOne holds none of the buyer's money in it any more: cancelled in full, or never holding any (a failed
 * payment, or an open window). The second case is a refund owed on a virtual account that expired before the
 * cancel could be made: PortOne refuses its cancel ("not paid") for ever, and the refund would stay pending for
 * ever (reconcile retrying it on every pass) although no money was kept.
 */
const nothingToCancel = (p: PaymentView) => p.state === 'cancelled' || !(subtractAmounts(p.amount, p.cancelled) > 0) || !isLive(p);

/**
 * Cancel what is left of `payment` at PortOne, with the balance as `checksum`. The payment as PortOne then holds
 * it, once nothing of the buyer's money is left in it; else what went wrong. A refusal is checked against
 * PortOne: "already cancelled" (a concurrent settlement got there first) is success, anything else (the balance
 * moved under us, the PG refused) is not, and the refund stays pending rather than claim a cancel that did not happen.
 */
async function cancelWholeBalance(bound: Bound, payment: PaymentView, reason: string): Promise<{ payment: PaymentView } | { problem: string }> {
  if (nothingToCancel(payment)) return { payment };
  const options = { deadline: bound.deadline };
  try {
    return { payment: await bound.gateway.cancelBalance(payment, reason, options) };
  } catch (error) {
    if (!(error instanceof PortOneRefused)) return { problem: (error as Error).message };
    let now: PaymentView | null;
    try {
      now = await bound.gateway.reread(payment, options);
    } catch (readError) {
      return { problem: `the cancel was refused (${error.message}) and the payment could not be read again: ${(readError as Error).message}` };
    }
    if (now && nothingToCancel(now)) return { payment: now };
    return { problem: `the cancel was refused: ${error.message}` };
  }
}
