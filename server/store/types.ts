/**
 * The order store: one interface, three homes (memory for unit tests, SQLite embedded by default,
 * PostgreSQL when several verifier processes share one database). Only `store/` speaks SQL.
 *
 * Every state change is a conditional transition: it moves an order only from the states it names, in one
 * transaction with its history row, and says whether it moved. Two callers racing for the same change (a
 * verify and a webhook, two processes) see exactly one `moved: true`: that one fires the fulfilment hook.
 */

/** Where an order stands. `vbank_issued`: a virtual account awaits the deposit. `forgery`: paid with the wrong amount or currency, cancelled at PortOne. */
export type OrderState = 'ready' | 'vbank_issued' | 'paid' | 'forgery' | 'failed' | 'cancelled';
export const ORDER_STATES: readonly OrderState[] = ['ready', 'vbank_issued', 'paid', 'forgery', 'failed', 'cancelled'];

/** Who moved the order. */
export type TransitionVia = 'prepare' | 'complete' | 'webhook' | 'reconcile';

export interface HistoryEntry {
  state: OrderState;
  /** ISO 8601, UTC. */
  at: string;
  via: TransitionVia;
}

export interface Order {
  merchant_uid: string;
  /** As the merchant's server fixed it; compare with `server/money.ts`, never with float arithmetic. */
  amount: number;
  currency: string;
  name: string | null;
  state: OrderState;
  /** The PortOne payment that last moved the order (null while `ready`). */
  imp_uid: string | null;
  /** Oldest first; the first entry is the `ready` made by `prepare`. */
  history: HistoryEntry[];
  /** ISO 8601, UTC: when the order was stored / last moved. */
  created_at: string;
  updated_at: string;
  /** ISO 8601 once the fulfilment hook ran for the `paid` state; null before. */
  fulfilled_at: string | null;
}

export interface NewOrder {
  merchant_uid: string;
  amount: number;
  currency: string;
  name: string | null;
}

export interface Transition {
  merchant_uid: string;
  to: OrderState;
  /** The states it may move from; from any other state nothing changes and `moved` is false. */
  from: readonly OrderState[];
  via: TransitionVia;
  imp_uid: string;
}

export interface TransitionResult {
  moved: boolean;
  /** The order after the call (moved or not); null when no such order exists. */
  order: Order | null;
}

export interface OrderStore {
  /** Store a new `ready` order with its first history entry (`via: 'prepare'`); an existing one is returned untouched with `created: false`. */
  create(order: NewOrder): Promise<{ created: boolean; order: Order }>;
  get(merchantUid: string): Promise<Order | null>;
  /** Conditional, atomic, idempotent: see the file comment. */
  transition(change: Transition): Promise<TransitionResult>;
  /** Record that the fulfilment hook ran for this paid order; true only the first time. */
  markFulfilled(merchantUid: string): Promise<boolean>;
  /**
   * Orders in one of `states` not moved since `before` (oldest first, at most `limit`): what reconcile re-reads.
   * With `since`, only those moved at or after it: an order abandoned long ago stops being re-read, so abandoned
   * checkouts piling up can never starve newer orders of reconciliation.
   */
  stale(states: readonly OrderState[], before: Date, limit: number, since?: Date): Promise<Order[]>;
  /** Paid orders whose fulfilment hook has not run (a crash between the transition and the hook). */
  unfulfilled(before: Date, limit: number): Promise<Order[]>;
  close(): Promise<void>;
}
