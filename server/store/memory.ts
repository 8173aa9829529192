/**
 * The order store in a Map: for unit tests, and the reference semantics the SQL stores are tested against.
 *
 * Atomicity comes from JavaScript itself: every method does all its reading and writing synchronously before
 * its promise settles, so no other call can run in between, and a conditional change needs no lock.
 */
import {
  amountFromText,
  amountToText,
  checkId,
  checkLease,
  checkLimit,
  checkNewOrder,
  checkReconcileClaim,
  checkText,
  closedError,
  fulfilmentOutcome,
  itemsFromText,
  itemsToText,
  later,
  mergePayment,
  movableFrom,
  otherOrderError,
  paymentRecord,
  type StoreOptions,
  timestamper,
} from './common.js';
import type {
  FulfilmentClaim,
  FulfilmentResult,
  NewOrder,
  Order,
  OrderStore,
  PaymentEntry,
  PaymentRecord,
  ReconcileClaim,
  Transition,
  TransitionResult,
} from './types.js';

/** An order with what the API does not show: leases and the next fulfilment attempt. */
interface Stored extends Order {
  fulfilmentDue: string | null;
  fulfilmentOwner: string | null;
  fulfilmentUntil: string | null;
  reconcileOwner: string | null;
  reconcileUntil: string | null;
}

export class MemoryOrderStore implements OrderStore {
  readonly #orders = new Map<string, Stored>();
  /** imp_uid → merchant_uid: a payment belongs to one order (the SQL stores' UNIQUE imp_uid). */
  readonly #paymentOrder = new Map<string, string>();
  readonly #now: () => string;
  #closed = false;

  constructor(options: StoreOptions = {}) {
    this.#now = timestamper(options);
  }

  async create(order: NewOrder): Promise<{ created: boolean; order: Order }> {
    this.#open();
    checkNewOrder(order);
    const existing = this.#orders.get(order.merchant_uid);
    if (existing) return { created: false, order: view(existing) };
    const at = this.#now();
    const stored: Stored = {
      merchant_uid: order.merchant_uid,
      version: order.version ?? 'v1',
      // Through the same text as the SQL stores, so every store gives back the same values (-0 becomes 0).
      amount: amountFromText(amountToText(order.amount)),
      currency: order.currency,
      name: order.name,
      items: itemsFromText(itemsToText(order.items)),
      state: 'ready',
      imp_uid: null,
      history: [{ state: 'ready', at, via: 'prepare' }],
      payments: [],
      fulfilment: { state: 'none', attempts: 0, at: null, error: null, hook_done: false },
      created_at: at,
      updated_at: at,
      checked_at: null,
      fulfilmentDue: null,
      fulfilmentOwner: null,
      fulfilmentUntil: null,
      reconcileOwner: null,
      reconcileUntil: null,
    };
    this.#orders.set(stored.merchant_uid, stored);
    return { created: true, order: view(stored) };
  }

  async get(merchantUid: string): Promise<Order | null> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    const order = this.#orders.get(merchantUid);
    return order ? view(order) : null;
  }

  async transition(change: Transition): Promise<TransitionResult> {
    this.#open();
    const from = movableFrom(change);
    const payment = change.payment ? paymentRecord(change.payment) : null;
    const order = this.#orders.get(change.merchant_uid);
    if (!order) return { moved: false, order: null };
    if (!from.includes(order.state) || (change.fromImpUid && !change.fromImpUid.includes(order.imp_uid))) return { moved: false, order: view(order) };
    const at = this.#now();
    // Decided before anything changes: a payment that cannot be recorded leaves the order where it was.
    const record = payment ? this.#merge(order, payment, at) : null;
    order.state = change.to;
    order.imp_uid = change.imp_uid;
    order.updated_at = at;
    order.history.push({ state: change.to, at, via: change.via });
    record?.();
    if (change.to === 'paid' && order.fulfilment.state === 'none') {
      order.fulfilment = { ...order.fulfilment, state: 'pending' };
      order.fulfilmentDue = at;
    }
    return { moved: true, order: view(order) };
  }

  async recordPayment(merchantUid: string, payment: PaymentRecord): Promise<PaymentEntry | null> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    const record = paymentRecord(payment);
    const order = this.#orders.get(merchantUid);
    return order ? { ...this.#merge(order, record, this.#now())() } : null;
  }

  async claimFulfilment(merchantUid: string, owner: string, leaseMs: number): Promise<FulfilmentClaim | null> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkLease(owner, leaseMs);
    const order = this.#orders.get(merchantUid);
    const now = this.#now();
    if (!order || !isDue(order, now)) return null;
    const leaseUntil = later(now, leaseMs);
    order.fulfilmentOwner = owner;
    order.fulfilmentUntil = leaseUntil;
    order.fulfilment = { ...order.fulfilment, attempts: order.fulfilment.attempts + 1, at: now };
    return { order: view(order), leaseUntil: order.fulfilmentUntil };
  }

  async renewFulfilment(merchantUid: string, owner: string, leaseMs: number): Promise<boolean> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkLease(owner, leaseMs);
    const order = this.#orders.get(merchantUid);
    if (!order || order.fulfilment.state !== 'pending' || order.fulfilmentOwner !== owner) return false;
    order.fulfilmentUntil = later(this.#now(), leaseMs);
    return true;
  }

  async finishFulfilment(merchantUid: string, owner: string, result: FulfilmentResult): Promise<boolean> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkId(owner, 'owner');
    const failed = fulfilmentOutcome(result);
    const order = this.#orders.get(merchantUid);
    if (!order || order.fulfilment.state !== 'pending' || order.fulfilmentOwner !== owner) return false;
    const now = this.#now();
    order.fulfilmentOwner = null;
    order.fulfilmentUntil = null;
    if (failed) {
      order.fulfilment = { ...order.fulfilment, error: failed.error, hook_done: order.fulfilment.hook_done || failed.hookDone === 1 };
      order.fulfilmentDue = failed.due;
    } else {
      order.fulfilment = { ...order.fulfilment, state: 'done', at: now, error: null };
      order.fulfilmentDue = null;
    }
    return true;
  }

  async dueFulfilments(limit: number): Promise<string[]> {
    this.#open();
    checkLimit(limit);
    const now = this.#now();
    return [...this.#orders.values()]
      .filter((order) => isDue(order, now))
      .sort((a, b) => compareText(a.fulfilmentDue!, b.fulfilmentDue!) || compareText(a.merchant_uid, b.merchant_uid))
      .slice(0, limit)
      .map((order) => order.merchant_uid);
  }

  async claimForReconcile(claim: ReconcileClaim): Promise<Order[]> {
    this.#open();
    const { before, since } = checkReconcileClaim(claim);
    const now = this.#now();
    const leaseUntil = later(now, claim.leaseMs);
    const pendingRefund = (order: Stored) => order.payments.some((p) => p.disposition === 'refund_pending');
    const chosen = [...this.#orders.values()]
      .filter((order) => (order.reconcileUntil === null || order.reconcileUntil < now) && (pendingRefund(order) || (order.updated_at < before && order.updated_at >= since)))
      .sort((a, b) => Number(pendingRefund(b)) - Number(pendingRefund(a)) || compareText(a.checked_at ?? a.created_at, b.checked_at ?? b.created_at) || compareText(a.merchant_uid, b.merchant_uid))
      .slice(0, claim.limit);
    for (const order of chosen) {
      order.checked_at = now;
      order.reconcileOwner = claim.owner;
      order.reconcileUntil = leaseUntil;
    }
    return chosen.map(view);
  }

  async releaseReconcile(merchantUid: string, owner: string): Promise<void> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkId(owner, 'owner');
    const order = this.#orders.get(merchantUid);
    if (order?.reconcileOwner === owner) {
      order.reconcileOwner = null;
      order.reconcileUntil = null;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /**
   * The entry `payment` (checked by `paymentRecord`) makes on `order` by the merge rule, and the step that stores
   * it: decided (and refused, for another order's payment) before anything changes.
   */
  #merge(order: Stored, payment: PaymentRecord, at: string): () => PaymentEntry {
    const owner = this.#paymentOrder.get(payment.imp_uid);
    if (owner !== undefined && owner !== order.merchant_uid) throw otherOrderError(payment.imp_uid);
    const index = order.payments.findIndex((p) => p.imp_uid === payment.imp_uid);
    const merged = mergePayment(index < 0 ? null : order.payments[index]!, payment, at);
    return () => {
      if (index < 0) order.payments.push(merged);
      else order.payments[index] = merged;
      this.#paymentOrder.set(payment.imp_uid, order.merchant_uid);
      return merged;
    };
  }

  #open(): void {
    if (this.#closed) throw closedError();
  }
}

function isDue(order: Stored, now: string): boolean {
  return order.fulfilment.state === 'pending' && (order.fulfilmentUntil === null || order.fulfilmentUntil < now) && order.fulfilmentDue !== null && order.fulfilmentDue <= now;
}

/** Callers get copies without the private columns: changing a returned order must not change the store. */
function view(order: Stored): Order {
  const { fulfilmentDue, fulfilmentOwner, fulfilmentUntil, reconcileOwner, reconcileUntil, ...visible } = order;
  return {
    ...visible,
    items: visible.items?.map((item) => ({ ...item })) ?? null,
    history: visible.history.map((entry) => ({ ...entry })),
    payments: visible.payments.map((entry) => ({ ...entry })),
    fulfilment: { ...visible.fulfilment },
  };
}

/**
 * Byte order of the UTF-8 text, as SQLite's default BINARY collation compares TEXT; JavaScript's `<` compares
 * UTF-16 code units, which disagrees for characters above U+FFFF against U+E000–U+FFFF.
 */
function compareText(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}
