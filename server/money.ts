/**
 * Exact arithmetic on payment amounts.
 *
 * PortOne sends amounts as JSON numbers: integers for KRW, decimals for USD and the like. Adding or
 * comparing those as floats drifts (0.1 + 0.2 !== 0.3), so every sum and comparison goes through
 * integer micro-units. Six decimals is more than any ISO 4217 currency uses.
 */
const SCALE = 6;
const FACTOR = 10n ** BigInt(SCALE);
const MAX_MAGNITUDE = 1e21;

/** Micro-units of an amount; throws on NaN, infinities and more than six decimals. */
export function toUnits(amount: number): bigint {
  if (!Number.isFinite(amount)) throw new RangeError(`amount must be a finite number, got ${amount}`);
  // toFixed switches to exponent notation from 1e21 ("1e+21"), which BigInt cannot read: refuse it here,
  // as a RangeError like every other unusable amount, rather than as a SyntaxError from BigInt.
  if (Math.abs(amount) >= MAX_MAGNITUDE) throw new RangeError(`amount is too large: ${amount}`);
  const fixed = amount.toFixed(SCALE);
  if (Number(fixed) !== amount) throw new RangeError(`amount has more than ${SCALE} decimals: ${amount}`);
  return BigInt(fixed.replace('.', ''));
}

/** The JSON number for micro-units (the nearest double, as PortOne would send it). */
export function fromUnits(units: bigint): number {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / FACTOR;
  const fraction = (abs % FACTOR).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return Number(`${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`);
}

export function sameAmount(a: number, b: number): boolean {
  return toUnits(a) === toUnits(b);
}

export function addAmounts(a: number, b: number): number {
  return fromUnits(toUnits(a) + toUnits(b));
}

export function subtractAmounts(a: number, b: number): number {
  return fromUnits(toUnits(a) - toUnits(b));
}

/** -1, 0 or 1, like a sort comparator. */
export function compareAmounts(a: number, b: number): number {
  const d = toUnits(a) - toUnits(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** True for a finite amount (any sign, zero included) with at most six decimals: one `toUnits` accepts. */
export function isExactAmount(amount: unknown): amount is number {
  if (typeof amount !== 'number') return false;
  try {
    toUnits(amount);
    return true;
  } catch {
    return false;
  }
}

/** True for a positive amount with at most six decimals. */
export function isValidAmount(amount: unknown): amount is number {
  return typeof amount === 'number' && amount > 0 && isExactAmount(amount);
}
