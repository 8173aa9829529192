/**
 * Reconcile: the safety net for everything the browser and the webhook can lose. It examines orders fairly (least
 * recently examined first, a bounded number per pass, orders with a refund still owed before all others) under a
 * lease in the store, so several processes never examine one order at once; for each, it reads **every** payment
 * PortOne holds for it (a double charge whose webhook was lost included) and settles each through the same decision
 * table as verify and the webhook. It never delivers a fulfilment (the running servers do: SPEC §4).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PortOneClient } from './portone/client.js';
import { type PaymentView, viewV1, viewV2 } from './portone/gateway.js';
import { outcomeLabel, settlePayment, type SettleDeps, type SettleOutcome } from './settle.js';
import type { Order } from './store/types.js';

export interface ReconcileDeps extends SettleDeps {
  portone: Pick<PortOneClient, 'getPayment' | 'cancel' | 'findAllPayments'>;
  /** Told of each order a pass made paid (the in-process reconcile hands it to the fulfilment deliverer). */
  onSettled?: (outcome: SettleOutcome) => void;
}

export interface ReconcileOptions {
  /** Only orders not moved for this long (the browser and the webhook had their chance). Default 10 minutes. */
  olderThanMinutes?: number;
  /**
   * Orders last moved longer ago than this are left alone (default 7 days), unless a refund is owed on them:
   * abandoned checkouts stay `ready` for ever.
   */
  maxAgeMinutes?: number;
  /** At most this many orders per pass. Default 500. */
  limit?: number;
  /** How long this pass holds each order it claimed, should it die. Default 10 minutes. */
  leaseMinutes?: number;
}

export interface ReconcileReport {
  checked: number;
  /** merchant_uid → what each of its payments came to (`imp_uid: outcome`), or `no_payment`, or `error: …`. */
  outcomes: Record<string, string>;
  /** How many payments came to each outcome (`paid`, `refunded_duplicate`, `refund_pending`, `failed`, …). */
  counts: Record<string, number>;
}

/**
 * The order payments are settled in: paid ones first (the earliest paid settles the order, the later ones are
 * duplicates), then issued accounts, then the rest; so an expired virtual account can never close an order that a
 * later attempt paid (any other failed attempt closes nothing).
 */
function settlingOrder(a: PaymentView, b: PaymentView): number {
  const rank = (p: PaymentView) => (p.state === 'paid' || p.state === 'partial_cancelled' ? 0 : p.state === 'ready' || p.state === 'vbank_issued' || p.state === 'pay_pending' ? 1 : 2);
  return rank(a) - rank(b) || a.at - b.at;
}

/**
 * Every payment PortOne holds for the order. V1: every attempt of the merchant_uid (a double charge whose webhook was
 * lost included). V2: the one payment of the paymentId (PortOne keeps one per id; its successful attempt counts).
 */
async function paymentsOf(deps: ReconcileDeps, order: Order): Promise<PaymentView[]> {
  if (order.version === 'v2') {
    if (!deps.v2) throw new Error('a PortOne V2 order, and PortOne V2 is not configured (PORTONE_V2_API_SECRET)');
    const payment = await deps.v2.client.getPayment(order.merchant_uid, deps.v2.storeId);
    return payment ? [viewV2(payment)] : [];
  }
  return (await deps.portone.findAllPayments(order.merchant_uid)).map(viewV1);
}

export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const now = Date.now();
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const orders = await deps.store.claimForReconcile({
    before: new Date(now - (options.olderThanMinutes ?? 10) * 60_000),
    since: new Date(now - (options.maxAgeMinutes ?? 7 * 24 * 60) * 60_000),
    limit: options.limit ?? 500,
    owner,
    leaseMs: Math.round((options.leaseMinutes ?? 10) * 60_000),
  });
  const report: ReconcileReport = { checked: 0, outcomes: {}, counts: {} };
  for (const order of orders) {
    report.checked++;
    try {
      const payments = (await paymentsOf(deps, order)).filter((p) => p.orderId === order.merchant_uid).sort(settlingOrder);
      if (payments.length === 0) {
        report.outcomes[order.merchant_uid] = 'no_payment';
        continue;
      }
      const said: string[] = [];
      for (const payment of payments) {
        const outcome = await settlePayment(deps, payment, 'reconcile');
        const label = outcomeLabel(outcome);
        report.counts[label] = (report.counts[label] ?? 0) + 1;
        deps.onSettled?.(outcome);
        said.push(`${payment.id}: ${label}`);
      }
      report.outcomes[order.merchant_uid] = said.join(', ');
    } catch (error) {
      deps.logger.warn('reconcile: order not settled', { merchant_uid: order.merchant_uid, error });
      report.outcomes[order.merchant_uid] = `error: ${(error as Error).message}`;
    } finally {
      await deps.store.releaseReconcile(order.merchant_uid, owner).catch(() => undefined);
    }
  }
  deps.logger.info('reconcile done', { checked: report.checked, ...report.counts });
  return report;
}
