/**
 * What every store shares that is not SQL: the clock, how an amount is written down exactly, how a payment's
 * disposition may change, and the checks that make a bad call fail the same way in memory as in a database
 * (rather than one store storing what another refuses).
 */
import { amountText, toUnits } from '../../lib/money.js';
import { isStorableText, storableText } from '../text.js';
import {
  DISPOSITIONS,
  type Disposition,
  type FulfilmentResult,
  type FulfilmentState,
  type HistoryEntry,
  type NewOrder,
  type Order,
  ORDER_STATES,
  ORDER_VERSIONS,
  type OrderVersion,
  type OrderItem,
  type OrderState,
  type PaymentEntry,
  type PaymentRecord,
  REFUND_REASONS,
  type ReconcileClaim,
  type RefundReason,
  type Transition,
  TRANSITION_VIAS,
} from './types.js';

export interface StoreOptions {
  /** Where every timestamp (and every lease's expiry) comes from; tests move it by hand. */
  clock?: () => Date;
}

export function timestamper(options: StoreOptions = {}): () => string {
  const clock = options.clock ?? (() => new Date());
  return () => clock().toISOString();
}

/**
 * A moment as the stores write it: ISO 8601 UTC with milliseconds, 24 characters. Timestamps are compared as text
 * (fixed-width ISO sorts as time), so a moment outside the years 0000–9999, whose ISO text is wider ("+010000-…"),
 * is refused with a RangeError rather than compared wrongly; anything but a valid Date is a TypeError.
 */
export function timeText(moment: Date, what: string): string {
  if (!(moment instanceof Date) || Number.isNaN(moment.getTime())) throw new TypeError(`${what} must be a valid Date, got ${String(moment)}`);
  const text = moment.toISOString();
  if (text.length !== 24) throw new RangeError(`${what} must lie in the years 0000 to 9999, got ${text}`);
  return text;
}

/** `at` + `ms`, as ISO text (lease expiries are compared as text: fixed-width ISO sorts as time). */
export function later(at: string, ms: number): string {
  const end = new Date(Date.parse(at) + ms);
  if (Number.isNaN(end.getTime())) throw new RangeError(`a lease of ${ms} ms ends beyond any date`);
  return timeText(end, 'the end of the lease');
}

/**
 * Text a store writes or looks up must be a string that every database keeps as given: PostgreSQL refuses a NUL
 * with an error, and an unpaired surrogate has no UTF-8 form (PostgreSQL and SQLite would store something else, so
 * two different ids could name one order). Refused with a TypeError, before any database is reached; the routes
 * validate their input first, so this is a caller's bug.
 */
export function checkText(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  if (!isStorableText(value)) throw new TypeError(`${what} holds a NUL or an unpaired surrogate, which no database stores as given`);
}

/** An id (merchant_uid, imp_uid, owner, currency): storable text, not empty. */
export function checkId(value: unknown, what: string): asserts value is string {
  checkText(value, what);
  if (value === '') throw new TypeError(`${what} must be a non-empty string`);
}


/**
 * The canonical decimal text of an order's amount ("10.1", "1234567.89", "50000"). Text rather than REAL so no
 * float rounding happens in the database; PostgreSQL can cast it to NUMERIC. Throws a RangeError for NaN,
 * infinities, 1e21 and beyond and more than six decimals: an order's amount is one this project accepted.
 */
export function amountToText(amount: number): string {
  toUnits(amount);
  return amountText(amount);
}

/** Any finite amount PortOne sent, exactly (no limit on size or decimals): the ledger's amounts. */
export function paidAmountToText(amount: number): string {
  return amountText(amount);
}

/** The JSON number back: the text came from `amountText`, so parsing gives the very same double. */
export function amountFromText(text: string): number {
  const amount = Number(text);
  if (!Number.isFinite(amount)) throw new Error(`stored amount is not a number: ${JSON.stringify(text)}`);
  return amount;
}

export function checkNewOrder(order: NewOrder): void {
  checkId(order.merchant_uid, 'merchant_uid');
  if (order.version !== undefined && !ORDER_VERSIONS.includes(order.version)) throw new TypeError(`version must be v1 or v2, got ${JSON.stringify(order.version)}`);
  checkId(order.currency, 'currency');
  if (order.name !== null) checkText(order.name, 'name');
  if (order.items != null && !(Array.isArray(order.items) && order.items.every(isItem))) throw new TypeError('items must be null or a list of { id, quantity }');
  amountToText(order.amount);
}

function isItem(item: OrderItem): boolean {
  return typeof item?.id === 'string' && Number.isSafeInteger(item.quantity) && item.quantity > 0;
}

/** Items as the stores write them (JSON text, or null) and read them back. JSON escapes NUL and lone surrogates, so any id is stored as given. */
export function itemsToText(items: OrderItem[] | null | undefined): string | null {
  return items ? JSON.stringify(items.map(({ id, quantity }) => ({ id, quantity }))) : null;
}

export function itemsFromText(text: string | null): OrderItem[] | null {
  return text === null ? null : (JSON.parse(text) as OrderItem[]);
}

function checkState(state: OrderState, what: string): void {
  if (!ORDER_STATES.includes(state)) throw new TypeError(`${what} is not an order state: ${JSON.stringify(state)}`);
}

/**
 * The states this change may really move the order from: `from` without duplicates and without `to` itself,
 * because arriving where the order already is, is not a move (a second `paid` must not look like settlement).
 * Empty means nothing can move.
 */
export function movableFrom(change: Transition): OrderState[] {
  checkText(change.merchant_uid, 'merchant_uid');
  checkState(change.to, 'to');
  for (const state of change.from) checkState(state, 'from');
  // Checked here, not left to a CHECK constraint: a bad via must fail the same way in memory as in a database.
  if (!TRANSITION_VIAS.includes(change.via)) throw new TypeError(`via is not a transition via: ${JSON.stringify(change.via)}`);
  checkId(change.imp_uid, 'imp_uid');
  // null names "no payment yet"; '' would read as null in the SQL stores (impUidFilter) but as nothing in memory.
  for (const impUid of change.fromImpUid ?? []) if (impUid !== null) checkId(impUid, 'fromImpUid[]');
  if (change.payment) paymentRecord(change.payment);
  return [...new Set(change.from)].filter((state) => state !== change.to);
}

/** `fromImpUid` as the SQL stores compare it: COALESCE(imp_uid, '') IN (…); an imp_uid is never empty. */
export function impUidFilter(change: Transition): string[] | null {
  return change.fromImpUid ? change.fromImpUid.map((impUid) => impUid ?? '') : null;
}

/**
 * A payment as the stores record it, checked: only the fields of a record (a caller that spreads an entry or a
 * PortOne payment in stores nothing else), the amount through its exact text (so -0 is 0, as every store reads it
 * back), and a refund reason that agrees with the disposition: none for `settled` and `not_paid`, one for
 * `refund_pending`, and for `refunded_<reason>` that reason (taken from the disposition when not given).
 */
export function paymentRecord(payment: PaymentRecord): PaymentRecord {
  if (payment === null || typeof payment !== 'object') throw new TypeError('payment must be an object');
  const { imp_uid, currency, status, disposition } = payment;
  checkId(imp_uid, 'payment.imp_uid');
  if (!DISPOSITIONS.includes(disposition)) throw new TypeError(`payment.disposition is not a disposition: ${JSON.stringify(disposition)}`);
  checkText(currency, 'payment.currency');
  checkText(status, 'payment.status');
  const given = payment.refund_reason ?? null;
  if (given !== null && !REFUND_REASONS.includes(given)) throw new TypeError(`payment.refund_reason is not a refund reason: ${JSON.stringify(given)}`);
  return { imp_uid, amount: amountFromText(paidAmountToText(payment.amount)), currency, status, disposition, refund_reason: refundReason(disposition, given) };
}

function refundReason(disposition: Disposition, given: RefundReason | null): RefundReason | null {
  if (disposition === 'settled' || disposition === 'not_paid') {
    if (given !== null) throw new TypeError(`a ${disposition} payment has no refund reason, got ${JSON.stringify(given)}`);
    return null;
  }
  if (disposition === 'refund_pending') {
    if (given === null) throw new TypeError('a refund_pending payment needs its refund_reason');
    return given;
  }
  const own = disposition.slice('refunded_'.length) as RefundReason;
  if (given !== null && given !== own) throw new TypeError(`a ${disposition} payment has the refund reason ${own}, not ${JSON.stringify(given)}`);
  return own;
}

/** What a store says when a payment already recorded for one order is recorded for another. */
export function otherOrderError(impUid: string): Error {
  return new Error(`payment ${impUid} is recorded for another order: a PortOne payment belongs to one order`);
}

const FINAL: ReadonlySet<Disposition> = new Set(['refunded_forgery', 'refunded_duplicate', 'refunded_closed']);

/**
 * What a payment's entry becomes when `next` is recorded over `current` (SPEC §4 *Money*): a refund done is
 * final; "no money held" never undoes a decision already made; the reason of a refund, once given, is kept (a
 * superseded account stays `closed` even when it later looks like a duplicate).
 */
export function mergePayment(current: PaymentEntry | null, next: PaymentRecord, at: string): PaymentEntry {
  if (!current) return { ...next, at };
  const refreshed = { ...current, amount: next.amount, currency: next.currency, status: next.status };
  if (FINAL.has(current.disposition)) return refreshed;
  if (next.disposition === 'not_paid' && current.disposition !== 'not_paid') return refreshed;
  // A refund once decided is carried out, never turned back into a settlement.
  if (next.disposition === 'settled' && current.disposition === 'refund_pending') return refreshed;
  const refund_reason = current.refund_reason ?? next.refund_reason;
  const disposition = next.disposition.startsWith('refunded_') && refund_reason ? (`refunded_${refund_reason}` as Disposition) : next.disposition;
  return { ...refreshed, disposition, refund_reason };
}

export function checkLimit(limit: number): void {
  // SQLite reads LIMIT -1 as "no limit": refuse it rather than answer a different question.
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
}

export function checkLease(owner: string, leaseMs: number): void {
  checkId(owner, 'owner');
  if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0) throw new RangeError(`leaseMs must be a positive integer, got ${leaseMs}`);
}

/** The window of a reconcile claim as text, after checking the whole claim. */
export function checkReconcileClaim(claim: ReconcileClaim): { before: string; since: string } {
  checkLimit(claim.limit);
  checkLease(claim.owner, claim.leaseMs);
  return { before: timeText(claim.before, 'before'), since: timeText(claim.since, 'since') };
}

/**
 * A finished attempt as the stores write it: null when done, else when it is due again, its (storable) error, and
 * whether the hook went through (1) or not (0).
 */
export function fulfilmentOutcome(result: FulfilmentResult): { due: string; error: string; hookDone: 0 | 1 } | null {
  if (result === null || typeof result !== 'object') throw new TypeError('result must be { ok: true } or { ok: false, retryAt, error }');
  if (result.ok === true) return null;
  if (typeof result.error !== 'string') throw new TypeError('result.error must be a string');
  if (result.hookDone !== undefined && typeof result.hookDone !== 'boolean') throw new TypeError('result.hookDone must be a boolean');
  return { due: timeText(result.retryAt, 'retryAt'), error: storableText(result.error), hookDone: result.hookDone ? 1 : 0 };
}

export function closedError(): Error {
  return new Error('the order store is closed');
}

/** An `orders` row as both SQL stores select it (ORDER_COLUMNS): amounts and items as text, the hook flag as 0/1. */
export interface OrderRow {
  merchant_uid: string;
  amount: string;
  currency: string;
  name: string | null;
  items: string | null;
  state: OrderState;
  imp_uid: string | null;
  created_at: string;
  updated_at: string;
  checked_at: string | null;
  fulfilment_state: FulfilmentState;
  fulfilment_attempts: number;
  fulfilment_at: string | null;
  fulfilment_error: string | null;
  fulfilment_hook_done: number;
  version: OrderVersion;
}

/** An `order_payments` row (its `merchant_uid`, when selected, is the order's and not part of the entry). */
export interface PaymentRow {
  imp_uid: string;
  merchant_uid?: string;
  amount: string;
  currency: string;
  status: string;
  disposition: Disposition;
  refund_reason: RefundReason | null;
  at: string;
}

/** The columns of `orders` both SQL stores read, in OrderRow's order. */
export const ORDER_COLUMNS = [
  'merchant_uid', 'amount', 'currency', 'name', 'items', 'state', 'imp_uid', 'created_at', 'updated_at', 'checked_at',
  'fulfilment_state', 'fulfilment_attempts', 'fulfilment_at', 'fulfilment_error', 'fulfilment_hook_done', 'version',
] as const;

export function paymentFromRow({ merchant_uid: _, ...row }: PaymentRow): PaymentEntry {
  return { ...row, amount: amountFromText(row.amount) };
}

/** The Order a SQL store gives back: the row, with its history and payments read in the same snapshot. */
export function orderFromRow(row: OrderRow, history: HistoryEntry[], payments: PaymentRow[]): Order {
  return {
    merchant_uid: row.merchant_uid,
    version: row.version,
    amount: amountFromText(row.amount),
    currency: row.currency,
    name: row.name,
    items: itemsFromText(row.items),
    state: row.state,
    imp_uid: row.imp_uid,
    history,
    payments: payments.map(paymentFromRow),
    fulfilment: { state: row.fulfilment_state, attempts: row.fulfilment_attempts, at: row.fulfilment_at, error: row.fulfilment_error, hook_done: row.fulfilment_hook_done === 1 },
    created_at: row.created_at,
    updated_at: row.updated_at,
    checked_at: row.checked_at,
  };
}
