/**
 * The order store: one interface, three homes (memory for unit tests, SQLite embedded by default,
 * PostgreSQL when several verifier processes share one database). Only `store/` speaks SQL.
 *
 * Every state change is a conditional transition: it moves an order only from the states it names, in one
 * transaction with its history row (and, when it moves, the payment that moved it and the fulfilment it owes),
 * and says whether it moved. Two callers racing for the same change (a verify and a webhook, two processes) see
 * exactly one `moved: true`.
 *
 * Beside the order: its payments ledger (every PortOne payment seen for it, with what became of it: SPEC §4
 * *Money*), its fulfilment (a delivery guarded by a lease, so no two processes run it at once: SPEC §4
 * *Fulfilment*), and when reconcile last examined it (a lease too, so reconcile is fair and never doubled).
 */

/**
 * Where an order stands. `vbank_issued`: a virtual account awaits the deposit. (Databases written before the
 * money rules may still hold `forgery`, which migration 2 turns back into `ready`: a forgery never changes an
 * order's state.)
 */
export type OrderState = 'ready' | 'vbank_issued' | 'paid' | 'failed' | 'cancelled';
export const ORDER_STATES: readonly OrderState[] = ['ready', 'vbank_issued', 'paid', 'failed', 'cancelled'];

/** Who moved the order. `console`: the merchant cancelled the payment on PortOne's console (seen by any door). */
export type TransitionVia = 'prepare' | 'complete' | 'webhook' | 'reconcile' | 'console';
export const TRANSITION_VIAS: readonly TransitionVia[] = ['prepare', 'complete', 'webhook', 'reconcile', 'console'];

/**
 * What became of a PortOne payment seen for an order (SPEC §4 *Money*):
 * - `settled`: the payment that settles the order;
 * - `refunded_forgery` / `refunded_duplicate` / `refunded_closed`: cancelled in full at PortOne (wrong amount or
 *   currency; the order was already paid by another; the order was cancelled, failed, or its virtual account was
 *   superseded);
 * - `refund_pending`: to be cancelled in full, and PortOne has not taken the cancel yet (reconcile retries);
 * - `not_paid`: no money held (an abandoned window, a failed attempt, a payment cancelled by someone else).
 */
export type Disposition = 'settled' | 'refunded_forgery' | 'refunded_duplicate' | 'refunded_closed' | 'refund_pending' | 'not_paid';
export const DISPOSITIONS: readonly Disposition[] = ['settled', 'refunded_forgery', 'refunded_duplicate', 'refunded_closed', 'refund_pending', 'not_paid'];

/** Why a payment is refunded: the suffix of its final `refunded_*` disposition. */
export type RefundReason = 'forgery' | 'duplicate' | 'closed';
export const REFUND_REASONS: readonly RefundReason[] = ['forgery', 'duplicate', 'closed'];

export interface HistoryEntry {
  state: OrderState;
  /** ISO 8601, UTC. */
  at: string;
  via: TransitionVia;
}

/** One line of what was bought, as the price authority read it (`items` of the prepare body). */
export interface OrderItem {
  id: string;
  quantity: number;
}

/** One PortOne payment seen for an order. */
export interface PaymentEntry {
  imp_uid: string;
  /** As PortOne said, exact (`lib/money.ts`). */
  amount: number;
  currency: string;
  /** PortOne's status when last seen: `ready`, `paid`, `cancelled`, `failed`. */
  status: string;
  disposition: Disposition;
  /** Set once a refund was decided (with `refund_pending` and the final `refunded_*`); null otherwise. */
  refund_reason: RefundReason | null;
  /** ISO 8601, UTC: when the server first saw it. */
  at: string;
}

export type FulfilmentState = 'none' | 'pending' | 'done';

export interface Fulfilment {
  /** `none` until the order is paid; `pending` from the moment it is paid (in the same transaction); `done` once delivered. */
  state: FulfilmentState;
  /** Attempts made (each one claimed under a lease). */
  attempts: number;
  /** ISO 8601: when it was delivered (`done`) or last attempted; null before any attempt. */
  at: string | null;
  /** The last attempt's problem, while `pending`; null otherwise. */
  error: string | null;
  /**
   * The `onPaid` hook went through in an earlier attempt (the POST to FULFILMENT_URL did not): a retry delivers only
   * what is left, so the hook runs once in normal operation even when the POST needs retries.
   */
  hook_done: boolean;
}

/**
 * Which PortOne protocol the order is paid through. A V2 order's key (`merchant_uid`, the store's key column) holds
 * its `paymentId`; its payments' `imp_uid` (the ledger key) holds their `transactionId`, and the order's `imp_uid`
 * the transaction that settled it. One key names one order: a V2 prepare of an existing V1 merchant_uid (or the
 * reverse) finds an order of the other protocol, never a shared one.
 */
export type OrderVersion = 'v1' | 'v2';
export const ORDER_VERSIONS: readonly OrderVersion[] = ['v1', 'v2'];

export interface Order {
  merchant_uid: string;
  /** `v1` for every order written before V2 existed. */
  version: OrderVersion;
  /** As the server priced it; compare with `lib/money.ts`, never with float arithmetic. */
  amount: number;
  currency: string;
  name: string | null;
  /** What was bought, when the price authority had items; null otherwise. */
  items: OrderItem[] | null;
  state: OrderState;
  /** The PortOne payment that last moved the order (null while `ready`). */
  imp_uid: string | null;
  /**
   * Oldest first; the first entry is the `ready` made by `prepare`. (A database written before the money rules
   * keeps its `forgery` entries for forensics, but they are not shown: by the rules a forgery is no transition.)
   */
  history: HistoryEntry[];
  /** Every PortOne payment seen for the order, oldest first. */
  payments: PaymentEntry[];
  fulfilment: Fulfilment;
  /** ISO 8601, UTC: when the order was stored / last moved / last examined by reconcile (null: never). */
  created_at: string;
  updated_at: string;
  checked_at: string | null;
}

export interface NewOrder {
  merchant_uid: string;
  /** Default `v1`. */
  version?: OrderVersion;
  amount: number;
  currency: string;
  name: string | null;
  items?: OrderItem[] | null;
}

/**
 * A payment as the store records it: the entry without `at`, which the store sets when it first sees it. Only these
 * fields are stored. `refund_reason` must agree with `disposition`: null for `settled` and `not_paid`, given for
 * `refund_pending`, and for `refunded_<reason>` that reason (null is read as it). A PortOne payment belongs to one
 * order: recording an `imp_uid` already recorded for another order is refused with an Error.
 */
export type PaymentRecord = Omit<PaymentEntry, 'at'>;

export interface Transition {
  merchant_uid: string;
  to: OrderState;
  /** The states it may move from; from any other state nothing changes and `moved` is false. */
  from: readonly OrderState[];
  via: TransitionVia;
  imp_uid: string;
  /**
   * Only from these payments (the order's `imp_uid`; null: an order no payment has moved yet). Lets a caller say
   * "from `failed`, but only the failure of this very payment" or "from `vbank_issued`, but only its own account".
   * Omitted: any.
   */
  fromImpUid?: ReadonlyArray<string | null>;
  /** Recorded in the ledger in the same transaction, when (and only when) the order moves. */
  payment?: PaymentRecord;
}

export interface TransitionResult {
  moved: boolean;
  /** The order after the call (moved or not); null when no such order exists. */
  order: Order | null;
}

/** What `claimFulfilment` hands its caller: the order, now leased to it until `leaseUntil`. */
export interface FulfilmentClaim {
  order: Order;
  /** ISO 8601. */
  leaseUntil: string;
}

export interface ReconcileClaim {
  /** Orders last moved before this are examined (they had time to settle by the browser or the webhook). */
  before: Date;
  /** Orders last moved before this are left alone (abandoned long ago), unless a refund is pending on them. */
  since: Date;
  limit: number;
  /** Who claims (one per process), and for how long nobody else may examine these orders. */
  owner: string;
  leaseMs: number;
}

/**
 * Every store refuses bad calls the same way, before any database is reached: a TypeError for text that is not a
 * string or holds a NUL or an unpaired surrogate (no database stores those as given; the routes validate their
 * input first), for an unknown state, via or disposition; a RangeError for a bad amount, limit or lease, or a
 * moment outside the years 0000–9999. The one exception is a failed delivery's `error`, mere diagnostics: its NUL
 * and unpaired surrogates are stored as U+FFFD.
 */
/** How a fulfilment attempt ended (`finishFulfilment`). */
export type FulfilmentResult = { ok: true } | { ok: false; retryAt: Date; error: string; hookDone?: boolean };

export interface OrderStore {
  /** Store a new `ready` order with its first history entry (`via: 'prepare'`); an existing one is returned untouched with `created: false`. */
  create(order: NewOrder): Promise<{ created: boolean; order: Order }>;
  get(merchantUid: string): Promise<Order | null>;
  /**
   * Conditional, atomic, idempotent: see the file comment. Moving to `paid` also makes the fulfilment `pending`
   * in the same transaction, so a paid order can never be without a delivery owed.
   */
  transition(change: Transition): Promise<TransitionResult>;
  /**
   * Record (insert or update) a payment of an order, atomically, and return the entry as stored. A final
   * disposition stays final: `refunded_*` never changes; `not_paid` never overwrites a decision already made
   * (`settled`, `refund_pending`); the reason of a refund, once set, is kept. Status and amount are refreshed.
   * Null when the order does not exist.
   */
  recordPayment(merchantUid: string, payment: PaymentRecord): Promise<PaymentEntry | null>;

  /**
   * Lease the order's pending fulfilment to `owner` for `leaseMs` and count an attempt, if nobody holds a lease on
   * it and it is due (`retryAt` passed). Null when it is not pending, not due, or leased to someone else.
   */
  claimFulfilment(merchantUid: string, owner: string, leaseMs: number): Promise<FulfilmentClaim | null>;
  /** Extend `owner`'s lease (a long attempt); false when `owner` no longer holds it. */
  renewFulfilment(merchantUid: string, owner: string, leaseMs: number): Promise<boolean>;
  /**
   * End `owner`'s attempt: `done`, or still `pending` and due again at `retryAt` with `error` (and, with `hookDone`,
   * the hook remembered as delivered: it stays so). False (and nothing
   * changed) when `owner` no longer holds the lease.
   */
  finishFulfilment(merchantUid: string, owner: string, result: FulfilmentResult): Promise<boolean>;
  /** Pending fulfilments that are due and not leased, oldest first: what the running servers deliver. */
  dueFulfilments(limit: number): Promise<string[]>;

  /**
   * Lease up to `limit` orders to `owner` for reconcile, least recently examined first, and stamp them examined:
   * orders with a pending refund first, then every order last moved between `since` and `before`. Orders leased
   * to another owner are skipped, so several processes never examine one order at once.
   */
  claimForReconcile(claim: ReconcileClaim): Promise<Order[]>;
  /** Give the order's reconcile lease back (when `owner` holds it). */
  releaseReconcile(merchantUid: string, owner: string): Promise<void>;
  close(): Promise<void>;
}
