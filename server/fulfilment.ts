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
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from './log.js';
import type { PortOneClient } from './portone/client.js';
import type { PortOnePayment } from './portone/schemas.js';
import type { FulfilmentState, Order, OrderStore } from './store/types.js';

/**
 * The merchant's code, called once per paid order (also for a virtual account's deposit): exactly once in normal
 * operation, at least once across crashes. Throwing fails the attempt: it is retried with backoff. Make it
 * idempotent by `order.merchant_uid`.
 */
export type FulfilmentHook = (order: Order, payment: PortOnePayment) => void | Promise<void>;

export interface FulfilmentEndpoint {
  url: string;
  /** Standard Webhooks secret: `whsec_` + base64 (the key bytes). */
  secret: string;
}

export interface FulfilmentOptions {
  onPaid?: FulfilmentHook;
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
  logger: Logger;
}

/** The decoded key of a Standard Webhooks secret (`whsec_` optional), or an Error saying what is wrong with it. */
export function webhookKey(secret: string): Buffer {
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) throw new Error('must be whsec_ followed by base64 (e.g. whsec_' + randomBytes(24).toString('base64') + ')');
  const key = Buffer.from(base64, 'base64');
  if (key.length < 24) throw new Error(`must hold at least 24 random bytes (it holds ${key.length})`);
  return key;
}

/** Standard Webhooks headers for `body`: `webhook-signature` = `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`. */
export function signWebhook(key: Buffer, id: string, timestamp: number, body: string): Record<string, string> {
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}

/** The same for every attempt of one order, whatever process makes it: receivers may deduplicate by it. */
export function deliveryId(merchantUid: string): string {
  return `msg_${createHash('sha256').update(`order.paid:${merchantUid}`).digest('base64url').slice(0, 32)}`;
}

/** What the POST carries of the payment: what a shop needs to fulfil and reconcile (its own customer's data included). */
function paymentForReceiver(p: PortOnePayment): Record<string, unknown> {
  const { imp_uid, merchant_uid, amount, currency, status, pay_method, pg_provider, paid_at, receipt_url, buyer_name, buyer_email, buyer_tel, buyer_addr, buyer_postcode, custom_data } = p;
  return { imp_uid, merchant_uid, amount, currency, status, pay_method, pg_provider, paid_at, receipt_url, buyer_name, buyer_email, buyer_tel, buyer_addr, buyer_postcode, custom_data };
}

/** The order as the POST carries it: stable across attempts (no fulfilment counters), no ledger internals. */
function orderForReceiver(order: Order): Record<string, unknown> {
  const { merchant_uid, amount, currency, name, items, state, imp_uid } = order;
  return { merchant_uid, amount, currency, name, items, state, imp_uid };
}

export class FulfilmentDeliverer {
  readonly #deps: FulfilmentDeps;
  readonly #options: Required<Omit<FulfilmentOptions, 'onPaid' | 'endpoint'>>;
  readonly #onPaid: FulfilmentHook | undefined;
  readonly #endpoint: { url: string; key: Buffer } | undefined;
  /** One per process and deliverer: what the store's lease names. */
  readonly #owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #inFlight = new Map<string, Promise<FulfilmentState>>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(deps: FulfilmentDeps, options: FulfilmentOptions = {}) {
    this.#deps = deps;
    this.#onPaid = options.onPaid;
    this.#endpoint = options.endpoint && { url: options.endpoint.url, key: webhookKey(options.endpoint.secret) };
    this.#options = {
      leaseMs: 60_000,
      pollMs: 5_000,
      backoffMs: 5_000,
      maxBackoffMs: 3_600_000,
      timeoutMs: 10_000,
      concurrency: 8,
      fetch: globalThis.fetch,
      ...Object.fromEntries(Object.entries(options).filter(([key, value]) => value !== undefined && key !== 'onPaid' && key !== 'endpoint')),
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
  deliver(merchantUid: string, payment?: PortOnePayment): Promise<FulfilmentState> {
    const running = this.#inFlight.get(merchantUid);
    if (running) return running;
    const attempt = this.#attempt(merchantUid, payment).finally(() => this.#inFlight.delete(merchantUid));
    this.#inFlight.set(merchantUid, attempt);
    return attempt;
  }

  async #attempt(merchantUid: string, known: PortOnePayment | undefined): Promise<FulfilmentState> {
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
  async #run(order: Order, known: PortOnePayment | undefined): Promise<{ problem: string | null; hookDone: boolean }> {
    let hookDone = order.fulfilment.hook_done || !this.#onPaid;
    const failed = (problem: string) => ({ problem, hookDone });
    if (order.state !== 'paid') {
      // Cancelled (on PortOne's console) before it could be delivered: shipping it now would give away what was refunded.
      this.#deps.logger.warn('fulfilment: the order is no longer paid; nothing delivered', { merchant_uid: order.merchant_uid, state: order.state });
      return { problem: null, hookDone };
    }
    if (hookDone && !this.#endpoint) return { problem: null, hookDone };
    let payment = known?.imp_uid === order.imp_uid ? known : undefined;
    if (!payment) {
      try {
        payment = (order.imp_uid && (await this.#deps.portone.getPayment(order.imp_uid))) || undefined;
      } catch (error) {
        return failed(`the payment could not be read from PortOne: ${(error as Error).message}`);
      }
      if (!payment) return failed(`PortOne knows no payment ${order.imp_uid}`);
    }
    // The store still says paid, but PortOne says the payment no longer is (cancelled on the console, and the webhook
    // or reconcile has not settled that yet): delivering now would ship a refunded order (an `order.paid` POST
    // carrying `payment.status: 'cancelled'`). Retried with backoff: once the order is settled as cancelled, the next
    // attempt ends the delivery with nothing shipped.
    if (payment.status !== 'paid') return failed(`the payment ${payment.imp_uid} is ${payment.status} at PortOne; not delivered until the order is settled`);
    if (!hookDone) {
      try {
        await this.#onPaid!(order, payment);
        hookDone = true;
      } catch (error) {
        return failed(`onPaid threw: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000));
      }
    }
    return { problem: this.#endpoint ? await this.#post(this.#endpoint, order, payment) : null, hookDone };
  }

  async #post(endpoint: { url: string; key: Buffer }, order: Order, payment: PortOnePayment): Promise<string | null> {
    const body = JSON.stringify({ type: 'order.paid', order: orderForReceiver(order), payment: paymentForReceiver(payment) });
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
