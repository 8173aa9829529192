/**
 * What every store shares that is not SQL: the clock, how an amount is written down exactly, and the checks
 * that make a bad call fail the same way in memory as in a database (rather than one store storing what
 * another refuses).
 */
import { toUnits } from '../money.js';
import { ORDER_STATES, type NewOrder, type OrderState, type Transition } from './types.js';

export interface StoreOptions {
  /** Where `created_at`, `updated_at`, history `at` and `fulfilled_at` come from; tests move it by hand. */
  clock?: () => Date;
}

export function timestamper(options: StoreOptions = {}): () => string {
  const clock = options.clock ?? (() => new Date());
  return () => clock().toISOString();
}

/**
 * The canonical decimal text of an amount ("10.1", "1234567.89", "50000"), exactly the value `toUnits` reads.
 * Text rather than REAL so no float rounding happens in the database, and rather than integer micro-units so
 * the column stays readable and fits amounts beyond 64-bit micro-units; PostgreSQL can cast it to NUMERIC.
 * Throws a RangeError (from `toUnits`) for NaN, infinities and more than six decimals.
 */
export function amountToText(amount: number): string {
  toUnits(amount);
  // `toUnits` has checked that these six decimals are the number itself; only trailing zeros are dropped.
  return amount.toFixed(6).replace(/\.?0+$/, '');
}

/** The JSON number back: the text came from `amountToText`, so parsing gives the very same double. */
export function amountFromText(text: string): number {
  const amount = Number(text);
  if (!Number.isFinite(amount)) throw new Error(`stored amount is not a number: ${JSON.stringify(text)}`);
  return amount;
}

export function checkNewOrder(order: NewOrder): void {
  if (typeof order.merchant_uid !== 'string' || order.merchant_uid === '') throw new TypeError('merchant_uid must be a non-empty string');
  if (typeof order.currency !== 'string' || order.currency === '') throw new TypeError('currency must be a non-empty string');
  if (order.name !== null && typeof order.name !== 'string') throw new TypeError('name must be a string or null');
  amountToText(order.amount);
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
  checkState(change.to, 'to');
  for (const state of change.from) checkState(state, 'from');
  if (typeof change.imp_uid !== 'string' || change.imp_uid === '') throw new TypeError('imp_uid must be a non-empty string');
  return [...new Set(change.from)].filter((state) => state !== change.to);
}

export function checkStates(states: readonly OrderState[]): void {
  for (const state of states) checkState(state, 'states');
}

export function checkLimit(limit: number): void {
  // SQLite reads LIMIT -1 as "no limit": refuse it rather than answer a different question.
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
}

export function closedError(): Error {
  return new Error('the order store is closed');
}
