/**
 * Fulfilment (SPEC §4): when an order becomes paid the merchant is told, through the library's `onPaid` hook
 * and/or a signed `POST` to `FULFILMENT_URL` (Standard Webhooks), so a JSP, PHP or Python shop can use this
 * server as a sidecar.
 *
 * A delivery is owed from the moment the order is paid (the store makes the fulfilment `pending` in the same
 * transaction). Each attempt first takes a lease on it in the store, atomically, and keeps the lease alive while
 * it runs; so two processes never run one order's delivery at once, and a process that dies mid-attempt only
 * delays it until the lease expires. A failed attempt is due again after a jittered, doubling backoff; every
 * running server polls for due deliveries. Exactly once in normal operation, at least once across crashes (a
 * process killed between the receiver's 2xx and the store's `done` delivers again): receivers must be idempotent
 * by `merchant_uid` (or by `webhook-id`, the same for every attempt of one order).
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from './log.js';
import type { PortOneClient } from './portone/client.js';
import { type PaymentView, payMethodV2, viewV1, viewV2 } from './portone/gateway.js';
import type { PortOnePayment } from './portone/schemas.js';
import type { PortOneV2Client } from './portone/v2/client.js';
import type { PortOneV2Payment } from './portone/v2/schemas.js';
import type { FulfilmentState, Order, OrderStore } from './store/types.js';
import { signWebhook, webhookKey } from './webhook-signature.js';

export { signWebhook, webhookKey };

/**
 * The merchant's code, called once per paid order (also for a virtual account's deposit): exactly once in normal
 * operation, at least once across crashes. Throwing fails the attempt: it is retried with backoff. Make it
 * idempotent by `order.merchant_uid`.
 */
export type FulfilmentHook = (order: Order, payment: PortOnePayment) => void | Promise<void>;

/**
 * The same for a PortOne V2 order (`order.version === 'v2'`; `order.merchant_uid` is its paymentId), with V2's
 * Payment object. A separate hook, so that `onPaid`'s payment keeps its V1 type: a server speaking V2 with an
 * `onPaid` needs an `onPaidV2` too (createApp refuses otherwise, rather than never delivering V2 orders to the hook).
 */
export type FulfilmentHookV2 = (order: Order, payment: PortOneV2Payment) => void | Promise<void>;

export interface FulfilmentEndpoint {
  url: string;
  /** Standard Webhooks secret: `whsec_` + base64 (the key bytes). */
  secret: string;
}

export interface FulfilmentOptions {
  onPaid?: FulfilmentHook;
  onPaidV2?: FulfilmentHookV2;
  endpoint?: FulfilmentEndpoint;
  /** How long an attempt holds its lease; renewed every third of it while the attempt runs. Default 60 s. */
  leaseMs?: number;
  /** How often due deliveries are looked for (`start()`). Default 5 s. */
  pollMs?: number;
  /** The first retry's delay; doubles per attempt (with jitter) up to `maxBackoffMs`. Defaults 5 s and 1 h. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The POST to FULFILMENT_URL gives up after this long. Default 10 s. */
  timeoutMs?: number;
  /** Deliveries run at once by one process. Default 8. */
  concurrency?: number;
  fetch?: typeof fetch;
}

export interface FulfilmentDeps {
  store: OrderStore;
  /** To read the payment of an order whose delivery is retried (the hook and the POST carry it). */
  portone: Pick<PortOneClient, 'getPayment'>;
  /** To read a V2 order's payment (by its paymentId, in its store). */
  v2?: { client: Pick<PortOneV2Client, 'getPayment'>; storeId: string };
  logger: Logger;
}

/** The same for every attempt of one order, whatever process makes it: receivers may deduplicate by it. */
export function deliveryId(merchantUid: string): string {
  return `msg_${createHash('sha256').update(`order.paid:${merchantUid}`).digest('base64url').slice(0, 32)}`;
}

/** What the POST carries of the payment: what a shop needs to fulfil and reconcile (its own customer's data included). */
function paymentForReceiver(view: PaymentView): Record<string, unknown> {
  if (view.protocol === 'v2') {
    const p = view.raw;
    return {
      paymentId: p.id,
      transactionId: p.transactionId,
      amount: view.amount,
      currency: p.currency,
      status: p.status,
      payMethod: payMethodV2(p),
      pgProvider: p.channel?.pgProvider ?? null,
      paidAt: p.paidAt ?? null,
      receiptUrl: p.receiptUrl ?? null,
      customer: p.customer ?? null,
      customData: p.customData ?? null,
    };
  }
  const p = view.raw;
  const { imp_uid, merchant_uid, amount, currency, status, pay_method, pg_provider, paid_at, receipt_url, buyer_name, buyer_email, buyer_tel, buyer_addr, buyer_postcode, custom_data } = p;
  return { imp_uid, merchant_uid, amount, currency, status, pay_method, pg_provider, paid_at, receipt_url, buyer_name, buyer_email, buyer_tel, buyer_addr, buyer_postcode, custom_data };
}

/** The order as the POST carries it: stable across attempts (no fulfilment counters), no ledger internals. */
function orderForReceiver(order: Order): Record<string, unknown> {
  const { merchant_uid, amount, currency, name, items, state, imp_uid } = order;
  if (order.version === 'v2') return { paymentId: merchant_uid, amount, currency, name, items, state, transactionId: imp_uid };
  return { merchant_uid, amount, currency, name, items, state, imp_uid };
}

export class FulfilmentDeliverer {
  readonly #deps: FulfilmentDeps;
  readonly #options: Required<Omit<FulfilmentOptions, 'onPaid' | 'onPaidV2' | 'endpoint'>>;
  readonly #onPaid: FulfilmentHook | undefined;
  readonly #onPaidV2: FulfilmentHookV2 | undefined;
  readonly #endpoint: { url: string; key: Buffer } | undefined;
  /** One per process and deliverer: what the store's lease names. */
  readonly #owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #inFlight = new Map<string, Promise<FulfilmentState>>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(deps: FulfilmentDeps, options: FulfilmentOptions = {}) {
    this.#deps = deps;
    this.#onPaid = options.onPaid;
    this.#onPaidV2 = options.onPaidV2;
    this.#endpoint = options.endpoint && { url: options.endpoint.url, key: webhookKey(options.endpoint.secret) };
    this.#options = {
      leaseMs: 60_000,
      pollMs: 5_000,
      backoffMs: 5_000,
      maxBackoffMs: 3_600_000,
      timeoutMs: 10_000,
      concurrency: 8,
      fetch: globalThis.fetch,
      ...Object.fromEntries(Object.entries(options).filter(([key, value]) => value !== undefined && key !== 'onPaid' && key !== 'onPaidV2' && key !== 'endpoint')),
    };
  }

  /** Look for due deliveries every `pollMs` (unref'd: it never keeps a process alive). */
  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => void this.deliverDue(), this.#options.pollMs);
    this.#timer.unref();
  }

  /** Stop polling and wait for the attempts in flight (their leases are then released by their outcome). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await Promise.allSettled(this.#inFlight.values());
  }

  /** One poll: claim and run what is due, up to the concurrency left. */
  async deliverDue(): Promise<void> {
    const room = this.#options.concurrency - this.#inFlight.size;
    if (room <= 0 || this.#stopped) return;
    let due: string[];
    try {
      due = await this.#deps.store.dueFulfilments(room);
    } catch (error) {
      this.#deps.logger.warn('fulfilment: could not read due deliveries', { error });
      return;
    }
    await Promise.allSettled(due.map((merchantUid) => this.deliver(merchantUid)));
  }

  /**
   * Attempt the order's delivery now if it is owed, due and nobody holds it; resolves with the fulfilment state
   * after the attempt (or as it stands when there was nothing to do). `payment`: the PortOne payment, when the
   * caller has just read it (saves reading it again). Never rejects.
   */
  deliver(merchantUid: string, payment?: PaymentView): Promise<FulfilmentState> {
    const running = this.#inFlight.get(merchantUid);
    if (running) return running;
    const attempt = this.#attempt(merchantUid, payment).finally(() => this.#inFlight.delete(merchantUid));
    this.#inFlight.set(merchantUid, attempt);
    return attempt;
  }

  async #attempt(merchantUid: string, known: PaymentView | undefined): Promise<FulfilmentState> {
    const { store, logger } = this.#deps;
    const { leaseMs } = this.#options;
    try {
      const claim = this.#stopped ? null : await store.claimFulfilment(merchantUid, this.#owner, leaseMs);
      if (!claim) return (await store.get(merchantUid))?.fulfilment.state ?? 'none';
      const { order } = claim;
      // Keep the lease while the attempt runs (a slow hook must not let another process start a second one).
      const heartbeat = setInterval(() => {
        store.renewFulfilment(merchantUid, this.#owner, leaseMs).then(
          (held) => held || logger.error('fulfilment: lease lost during an attempt', { merchant_uid: merchantUid }),
          (error) => logger.warn('fulfilment: lease not renewed', { merchant_uid: merchantUid, error }),
        );
      }, Math.max(1, Math.floor(leaseMs / 3)));
      heartbeat.unref();
      let outcome: { problem: string | null; hookDone: boolean };
      try {
        outcome = await this.#run(order, known);
      } finally {
        clearInterval(heartbeat);
      }
      const { problem, hookDone } = outcome;
      if (problem === null) {
        await store.finishFulfilment(merchantUid, this.#owner, { ok: true });
        logger.info('fulfilment delivered', { merchant_uid: merchantUid, attempts: order.fulfilment.attempts });
        return 'done';
      }
      const retryAt = new Date(Date.now() + this.#backoff(order.fulfilment.attempts));
      await store.finishFulfilment(merchantUid, this.#owner, { ok: false, retryAt, error: problem, hookDone });
      logger.warn('fulfilment failed; will retry', { merchant_uid: merchantUid, attempts: order.fulfilment.attempts, retry_at: retryAt, problem });
      return 'pending';
    } catch (error) {
      // The store failed: the lease (if taken) expires and the next poll, here or elsewhere, tries again.
      logger.error('fulfilment: attempt not recorded', { merchant_uid: merchantUid, error });
      return 'pending';
    }
  }

  /**
   * The hook (unless an earlier attempt ran it through), then the POST: `problem` null when both went through, or
   * there is nothing (more) to deliver; `hookDone` once the hook has gone through, so a retry of the POST alone
   * does not run it again.
   */
  async #run(order: Order, known: PaymentView | undefined): Promise<{ problem: string | null; hookDone: boolean }> {
    const hook = order.version === 'v2' ? this.#onPaidV2 : this.#onPaid;
    let hookDone = order.fulfilment.hook_done || !hook;
    const failed = (problem: string) => ({ problem, hookDone });
    if (order.state !== 'paid') {
      // Cancelled (on PortOne's console) before it could be delivered: shipping it now would give away what was refunded.
      this.#deps.logger.warn('fulfilment: the order is no longer paid; nothing delivered', { merchant_uid: order.merchant_uid, state: order.state });
      return { problem: null, hookDone };
    }
    if (hookDone && !this.#endpoint) return { problem: null, hookDone };
    let payment = known && known.protocol === order.version && known.id === order.imp_uid ? known : undefined;
    if (!payment) {
      try {
        payment = (await this.#readSettling(order)) ?? undefined;
      } catch (error) {
        return failed(`the payment could not be read from PortOne: ${(error as Error).message}`);
      }
      if (!payment) return failed(`PortOne knows no payment ${order.imp_uid}`);
    }
    // The store still says paid, but PortOne says the payment no longer is (cancelled on the console, and the webhook
    // or reconcile has not settled that yet): delivering now would ship a refunded order (an `order.paid` POST
    // carrying `payment.status: 'cancelled'`). Retried with backoff: once the order is settled as cancelled, the next
    // attempt ends the delivery with nothing shipped.
    // (A partly refunded payment still pays its order: the refund was the merchant's own, on the console.)
    if (payment.state !== 'paid' && payment.state !== 'partial_cancelled') {
      return failed(`the payment ${payment.id} is ${payment.portoneStatus} at PortOne; not delivered until the order is settled`);
    }
    if (!hookDone) {
      try {
        if (payment.protocol === 'v2') await this.#onPaidV2!(order, payment.raw);
        else await this.#onPaid!(order, payment.raw);
        hookDone = true;
      } catch (error) {
        return failed(`onPaid threw: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000));
      }
    }
    return { problem: this.#endpoint ? await this.#post(this.#endpoint, order, payment) : null, hookDone };
  }

  /** The payment that settled the order, as PortOne holds it now: V1 by its imp_uid, V2 by the paymentId (its transaction must be the one that settled it). */
  async #readSettling(order: Order): Promise<PaymentView | null> {
    if (!order.imp_uid) return null;
    if (order.version === 'v1') {
      const p = await this.#deps.portone.getPayment(order.imp_uid);
      return p && viewV1(p);
    }
    if (!this.#deps.v2) throw new Error('PortOne V2 is not configured on this server');
    const p = await this.#deps.v2.client.getPayment(order.merchant_uid, this.#deps.v2.storeId);
    return p && p.transactionId === order.imp_uid ? viewV2(p) : null;
  }

  async #post(endpoint: { url: string; key: Buffer }, order: Order, payment: PaymentView): Promise<string | null> {
    // V1's body is as it always was; a V2 order's says so (`version`), with V2's names (paymentId, transactionId).
    const body = JSON.stringify({ type: 'order.paid', ...(order.version === 'v2' && { version: 'v2' }), order: orderForReceiver(order), payment: paymentForReceiver(payment) });
    const headers = signWebhook(endpoint.key, deliveryId(order.merchant_uid), Math.floor(Date.now() / 1000), body);
    try {
      const response = await this.#options.fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'portone-checkout', ...headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      await response.body?.cancel();
      return response.status >= 200 && response.status < 300 ? null : `FULFILMENT_URL answered HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as Error).cause instanceof Error ? `: ${((error as Error).cause as Error).message}` : '';
      return `FULFILMENT_URL did not answer: ${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message}${cause}`;
    }
  }

  /** Full jitter between half and all of base × 2^(attempts − 1), capped. */
  #backoff(attempts: number): number {
    const { backoffMs, maxBackoffMs } = this.#options;
    const ceiling = Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}
