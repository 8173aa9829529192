/**
 * One view of a PortOne payment for the one decision table (settle.ts), whatever protocol made it, and one gateway
 * per protocol to read and refund it. Settle never looks at V1's or V2's own fields: each adapter below says once
 * what its protocol's payment means (its status, its amount in the order's terms, whether it ever held money).
 *
 * The ledger key (`id`) is what identifies one attempt holding money: V1's `imp_uid`; V2's `transactionId` (V2
 * keeps ONE payment per paymentId, read by paymentId, with several attempts of which one can succeed). The order key
 * (`orderId`) is V1's `merchant_uid` or V2's `paymentId`.
 */
import { fromMinorUnits, subtractAmounts, toMinorUnits } from '../../lib/money.js';
import type { CallOptions, PortOneClient } from './client.js';
import type { PortOnePayment } from './schemas.js';
import type { PortOneV2Client } from './v2/client.js';
import type { PortOneV2Payment } from './v2/schemas.js';

export type Protocol = 'v1' | 'v2';

/** What a payment is, for settling: V1's four statuses (a vbank `ready` split out) and V2's seven, in one list. */
export type PaymentState = 'ready' | 'pay_pending' | 'paid' | 'vbank_issued' | 'failed' | 'cancelled' | 'partial_cancelled';

interface ViewBase {
  /** The ledger key: V1 `imp_uid`, V2 `transactionId`. */
  id: string;
  /** The order PortOne names: V1 `merchant_uid`, V2 `paymentId`. */
  orderId: string;
  state: PaymentState;
  /** PortOne's own word for the status (`paid`, `PAID`, …): what the ledger shows. */
  portoneStatus: string;
  /** What the payment asked, exact, in the order's terms (decimal: 10.5 USD, 14000 KRW). */
  amount: number;
  /** What was refunded of it so far, exact, same terms. */
  cancelled: number;
  currency: string;
  /** It held the buyer's money at some point (paid, before a cancel). */
  wasPaid: boolean;
  failReason: string | null;
  cancelReason: string | null;
  /** For ordering an order's payments (ms since the epoch: paid, issued or started). */
  at: number;
}

/** A PortOne payment as settle sees it; `raw` is PortOne's own object, for the answers and the fulfilment. */
export type PaymentView = (ViewBase & { protocol: 'v1'; raw: PortOnePayment }) | (ViewBase & { protocol: 'v2'; raw: PortOneV2Payment });

export function viewV1(p: PortOnePayment): PaymentView {
  const vbankIssued = p.status === 'ready' && p.pay_method === 'vbank' && p.vbank_issued_at > 0;
  return {
    protocol: 'v1',
    raw: p,
    id: p.imp_uid,
    orderId: p.merchant_uid,
    // V1 has no partial-cancel status: a partly refunded payment stays `paid` with a `cancel_amount`.
    state: vbankIssued ? 'vbank_issued' : p.status,
    portoneStatus: p.status,
    amount: p.amount,
    cancelled: p.cancel_amount,
    currency: p.currency,
    wasPaid: p.paid_at > 0,
    failReason: p.fail_reason,
    cancelReason: p.cancel_reason,
    at: (p.paid_at || p.vbank_issued_at || p.started_at) * 1000,
  };
}

const V2_STATES: Record<PortOneV2Payment['status'], PaymentState> = {
  READY: 'ready',
  PAY_PENDING: 'pay_pending',
  VIRTUAL_ACCOUNT_ISSUED: 'vbank_issued',
  PAID: 'paid',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  PARTIAL_CANCELLED: 'partial_cancelled',
};

/** A V2 payment: amounts from minor units (exact), a RangeError if PortOne sent an amount that is not an integer. */
export function viewV2(p: PortOneV2Payment): PaymentView {
  const time = (iso: string | undefined) => (iso ? Date.parse(iso) || 0 : 0);
  return {
    protocol: 'v2',
    raw: p,
    id: p.transactionId,
    orderId: p.id,
    state: V2_STATES[p.status],
    portoneStatus: p.status,
    amount: fromMinorUnits(p.amount.total, p.currency),
    cancelled: fromMinorUnits(p.amount.cancelled, p.currency),
    currency: p.currency,
    wasPaid: p.paidAt !== undefined || p.amount.paid > 0,
    failReason: p.failure?.reason ?? p.failure?.pgMessage ?? null,
    cancelReason: p.cancellations?.at(-1)?.reason ?? null,
    at: time(p.paidAt) || time(p.statusChangedAt) || time(p.requestedAt),
  };
}

/** A refund PortOne accepted but has not finished (V2 `REQUESTED`), or refused in its answer (`FAILED`): still owed. */
export class RefundNotDone extends Error {
  override name = 'RefundNotDone';
}

/** How settle reads and refunds payments of one protocol. Every call takes the settlement's shared deadline. */
export interface PaymentGateway {
  protocol: Protocol;
  /** The payment settle starts from: V1 by `imp_uid`, V2 by `paymentId`. Null when PortOne knows none. */
  lookup(key: string, options: CallOptions): Promise<PaymentView | null>;
  /** The same attempt again (`id` of `orderId`), as PortOne holds it now; null when PortOne no longer holds that attempt. */
  reread(payment: { id: string; orderId: string }, options: CallOptions): Promise<PaymentView | null>;
  /** Cancel the whole balance; the payment as PortOne then holds it. PortOneRefused when PortOne says no. */
  cancelBalance(payment: PaymentView, reason: string, options: CallOptions): Promise<PaymentView>;
}

export function v1Gateway(client: Pick<PortOneClient, 'getPayment' | 'cancel'>): PaymentGateway {
  return {
    protocol: 'v1',
    lookup: async (impUid, options) => {
      const p = await client.getPayment(impUid, options);
      return p && viewV1(p);
    },
    reread: async ({ id }, options) => {
      const p = await client.getPayment(id, options);
      return p && viewV1(p);
    },
    cancelBalance: async (payment, reason, options) =>
      viewV1(await client.cancel({ imp_uid: payment.id, checksum: subtractAmounts(payment.amount, payment.cancelled), reason }, options)),
  };
}

/** What the server needs to speak V2: the client, the store it accepts, and whether TEST-channel payments count. */
export interface V2Settings {
  client: Pick<PortOneV2Client, 'getPayment' | 'cancel'>;
  storeId: string;
  acceptTestPayments: boolean;
}

export function v2Gateway(v2: V2Settings): PaymentGateway {
  const read = async (paymentId: string, options: CallOptions) => {
    const p = await v2.client.getPayment(paymentId, v2.storeId, options);
    return p && viewV2(p);
  };
  return {
    protocol: 'v2',
    lookup: read,
    reread: async ({ id, orderId }, options) => {
      const now = await read(orderId, options);
      // PortOne keeps one payment per paymentId: another transaction there is another attempt, not this one.
      return now && now.id === id ? now : null;
    },
    cancelBalance: async (payment, reason, options) => {
      const balance = toMinorUnits(subtractAmounts(payment.amount, payment.cancelled), payment.currency);
      const cancellation = await v2.client.cancel(payment.orderId, v2.storeId, { reason, currentCancellableAmount: balance, transactionId: payment.id }, options);
      if (cancellation.status !== 'SUCCEEDED') throw new RefundNotDone(`PortOne answered the cancel ${cancellation.status}`);
      // V2 answers the cancellation, not the payment: read it back, so the ledger shows PortOne's own state.
      const after = await read(payment.orderId, options).catch(() => null);
      if (after && after.id === payment.id) return after;
      return { ...payment, state: 'cancelled', portoneStatus: 'CANCELLED', cancelled: payment.amount };
    },
  };
}

/**
 * The browser SDK's name of a V2 payment's method (`CARD`, `VIRTUAL_ACCOUNT`, `EASY_PAY`, …) from the REST object's
 * `method.type`, which names the schema (`PaymentMethodCard`, `PaymentMethodVirtualAccount`, …); null when absent.
 */
export function payMethodV2(p: PortOneV2Payment): string | null {
  const type = p.method?.type;
  if (!type) return null;
  return type
    .replace(/^PaymentMethod/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase();
}
