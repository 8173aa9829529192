/**
 * Reconcile: the safety net for everything the browser and the webhook can lose. Orders still waiting
 * (`ready`, `vbank_issued`, `failed`) after N minutes are looked up at PortOne by merchant_uid and settled
 * through the same decision table; paid orders whose fulfilment hook was interrupted get it again.
 */
import type { PortOneClient } from './portone/client.js';
import { fulfil, settle, type SettleDeps } from './settle.js';

export interface ReconcileDeps extends SettleDeps {
  portone: Pick<PortOneClient, 'getPayment' | 'cancel' | 'findPayment'>;
}

export interface ReconcileOptions {
  /** Only orders not moved for this long. Default 10 minutes. */
  olderThanMinutes?: number;
  /**
   * Orders last moved longer ago than this are left alone (default 7 days): abandoned checkouts stay `ready`
   * for ever, and re-reading them every pass would crowd out the orders that can still be paid.
   */
  maxAgeMinutes?: number;
  /** At most this many orders per run. Default 500. */
  limit?: number;
}

export interface ReconcileReport {
  checked: number;
  /** merchant_uid → what settling answered (`paid`, `ready`, `failed`, …), or `no_payment`, or `error`. */
  outcomes: Record<string, string>;
  /** Paid orders whose interrupted fulfilment hook was run again and this time succeeded. */
  refulfilled: number;
}

export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const before = new Date(Date.now() - (options.olderThanMinutes ?? 10) * 60_000);
  const since = new Date(Date.now() - (options.maxAgeMinutes ?? 7 * 24 * 60) * 60_000);
  const limit = options.limit ?? 500;
  const report: ReconcileReport = { checked: 0, outcomes: {}, refulfilled: 0 };

  for (const order of await deps.store.stale(['ready', 'vbank_issued', 'failed'], before, limit, since)) {
    report.checked++;
    try {
      // A paid attempt wins over later failed ones for the same order; else the latest attempt.
      const payment = (await deps.portone.findPayment(order.merchant_uid, 'paid')) ?? (await deps.portone.findPayment(order.merchant_uid));
      if (!payment) {
        report.outcomes[order.merchant_uid] = 'no_payment';
        continue;
      }
      const settlement = await settle(deps, payment.imp_uid, undefined, 'reconcile');
      report.outcomes[order.merchant_uid] = String(settlement.body.status);
    } catch (error) {
      deps.logger.warn('reconcile: order not settled', { merchant_uid: order.merchant_uid, error });
      report.outcomes[order.merchant_uid] = 'error';
    }
  }

  for (const order of await deps.store.unfulfilled(before, limit)) {
    try {
      const payment = order.imp_uid ? await deps.portone.getPayment(order.imp_uid) : null;
      if (payment?.status === 'paid') {
        // fulfil() logs and swallows a hook that throws again; count only a hook that now went through.
        await fulfil(deps, order, payment);
        if ((await deps.store.get(order.merchant_uid))?.fulfilled_at) report.refulfilled++;
      }
    } catch (error) {
      deps.logger.warn('reconcile: fulfilment not retried', { merchant_uid: order.merchant_uid, error });
    }
  }
  deps.logger.info('reconcile done', { checked: report.checked, refulfilled: report.refulfilled });
  return report;
}
