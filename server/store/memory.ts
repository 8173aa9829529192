/**
 * The order store in a Map: for unit tests, and the reference semantics the SQL stores are tested against.
 *
 * Atomicity comes from JavaScript itself: every method does all its reading and writing synchronously before
 * its promise settles, so no other call can run in between, and a conditional transition needs no lock.
 */
import {
  amountFromText,
  amountToText,
  checkLimit,
  checkNewOrder,
  checkStates,
  closedError,
  movableFrom,
  type StoreOptions,
  timestamper,
} from './common.js';
import type { NewOrder, Order, OrderState, OrderStore, Transition, TransitionResult } from './types.js';

export class MemoryOrderStore implements OrderStore {
  readonly #orders = new Map<string, Order>();
  readonly #now: () => string;
  #closed = false;

  constructor(options: StoreOptions = {}) {
    this.#now = timestamper(options);
  }

  async create(order: NewOrder): Promise<{ created: boolean; order: Order }> {
    this.#open();
    checkNewOrder(order);
    const existing = this.#orders.get(order.merchant_uid);
    if (existing) return { created: false, order: copy(existing) };
    const at = this.#now();
    const stored: Order = {
      merchant_uid: order.merchant_uid,
      // Through the same text as the SQL stores, so every store gives back the same number (-0 becomes 0).
      amount: amountFromText(amountToText(order.amount)),
      currency: order.currency,
      name: order.name,
      state: 'ready',
      imp_uid: null,
      history: [{ state: 'ready', at, via: 'prepare' }],
      created_at: at,
      updated_at: at,
      fulfilled_at: null,
    };
    this.#orders.set(stored.merchant_uid, stored);
    return { created: true, order: copy(stored) };
  }

  async get(merchantUid: string): Promise<Order | null> {
    this.#open();
    const order = this.#orders.get(merchantUid);
    return order ? copy(order) : null;
  }

  async transition(change: Transition): Promise<TransitionResult> {
    this.#open();
    const from = movableFrom(change);
    const order = this.#orders.get(change.merchant_uid);
    if (!order) return { moved: false, order: null };
    if (!from.includes(order.state)) return { moved: false, order: copy(order) };
    const at = this.#now();
    order.state = change.to;
    order.imp_uid = change.imp_uid;
    order.updated_at = at;
    order.history.push({ state: change.to, at, via: change.via });
    return { moved: true, order: copy(order) };
  }

  async markFulfilled(merchantUid: string): Promise<boolean> {
    this.#open();
    const order = this.#orders.get(merchantUid);
    if (!order || order.state !== 'paid' || order.fulfilled_at !== null) return false;
    order.fulfilled_at = this.#now();
    return true;
  }

  async stale(states: readonly OrderState[], before: Date, limit: number, since?: Date): Promise<Order[]> {
    this.#open();
    checkStates(states);
    const from = since?.toISOString() ?? '';
    return this.#oldest((order) => states.includes(order.state) && order.updated_at >= from, before, limit);
  }

  async unfulfilled(before: Date, limit: number): Promise<Order[]> {
    this.#open();
    return this.#oldest((order) => order.state === 'paid' && order.fulfilled_at === null, before, limit);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Matching orders last moved before `before`, oldest first: the ORDER BY of the SQL stores. */
  #oldest(matches: (order: Order) => boolean, before: Date, limit: number): Order[] {
    checkLimit(limit);
    const cutoff = before.toISOString();
    return [...this.#orders.values()]
      .filter((order) => matches(order) && order.updated_at < cutoff)
      .sort((a, b) => compareText(a.updated_at, b.updated_at) || compareText(a.merchant_uid, b.merchant_uid))
      .slice(0, limit)
      .map(copy);
  }

  #open(): void {
    if (this.#closed) throw closedError();
  }
}

/** Callers get copies: changing a returned order must not change the store. */
function copy(order: Order): Order {
  return { ...order, history: order.history.map((entry) => ({ ...entry })) };
}

/**
 * Byte order of the UTF-8 text, as SQLite's default BINARY collation compares TEXT; JavaScript's `<` compares
 * UTF-16 code units, which disagrees for characters above U+FFFF against U+E000–U+FFFF.
 */
function compareText(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}
