/**
 * Exact arithmetic on payment amounts, for the verifier (server/) and the sandbox alike; it imports nothing, so
 * either may use it without knowing the other.
 *
 * PortOne sends amounts as JSON numbers: integers for KRW, decimals for USD and the like. Adding or comparing
 * those as floats drifts (0.1 + 0.2 !== 0.3), so every sum and comparison here is exact.
 *
 * Two layers:
 * - `Decimal` (the exact value a JSON number was written as: its shortest round-trip text, `String(x)`, read as
 *   digits × 10^-scale). Any finite number PortOne can send is compared and subtracted exactly, whatever its
 *   size or number of decimals ("1e+21", "0.0000001"); only NaN and the infinities are refused.
 * - micro-units (`toUnits`): the strict form for amounts this project *accepts* as input (orders, the sandbox):
 *   at most six decimals, below 1e21. Six decimals is more than any ISO 4217 currency uses.
 */
const SCALE = 6;
const MAX_MAGNITUDE = 1e21;

/** An exact decimal: `digits × 10^-scale`, scale ≥ 0. */
interface Decimal {
  digits: bigint;
  scale: number;
}

/** The exact decimal a finite number stands for: its shortest round-trip text ("0.1", "1e+21", "1.5e-7"). */
function decimal(amount: number): Decimal {
  if (!Number.isFinite(amount)) throw new RangeError(`amount must be a finite number, got ${amount}`);
  const [mantissa = '0', exponent = '0'] = String(amount).split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  let digits = BigInt(whole + fraction); // "-0" reads as 0n: fine
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}

/** Both at the larger scale, so their digits compare and subtract directly. */
function aligned(a: number, b: number): [bigint, bigint, number] {
  const x = decimal(a);
  const y = decimal(b);
  const scale = Math.max(x.scale, y.scale);
  return [x.digits * 10n ** BigInt(scale - x.scale), y.digits * 10n ** BigInt(scale - y.scale), scale];
}

/** Plain decimal text, never exponent notation: "1000000000000000000000", "0.0000001", "-12.5". */
function decimalText(digits: bigint, scale: number): string {
  const negative = digits < 0n;
  const text = (negative ? -digits : digits).toString().padStart(scale + 1, '0');
  const whole = text.slice(0, text.length - scale);
  const fraction = text.slice(text.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/**
 * The canonical decimal text of any finite amount ("10.1", "50000", "1000000000000000000000"): what the stores
 * write down. `Number(text)` gives back the very same number.
 */
export function amountText(amount: number): string {
  const { digits, scale } = decimal(amount);
  return decimalText(digits, scale);
}

/** Micro-units of an amount; throws on NaN, infinities, 1e21 and beyond, and more than six decimals. */
export function toUnits(amount: number): bigint {
  if (!Number.isFinite(amount)) throw new RangeError(`amount must be a finite number, got ${amount}`);
  if (Math.abs(amount) >= MAX_MAGNITUDE) throw new RangeError(`amount is too large: ${amount}`);
  // From the number's shortest text, not toFixed: toFixed prints the double's binary expansion, so 99999999999.99
  // would read as 99999999999.989998.
  const { digits, scale } = decimal(amount);
  if (scale > SCALE) throw new RangeError(`amount has more than ${SCALE} decimals: ${amount}`);
  return digits * 10n ** BigInt(SCALE - scale);
}

/** The JSON number for micro-units (the nearest double, as PortOne would send it). */
export function fromUnits(units: bigint): number {
  return Number(decimalText(units, SCALE));
}

/** Exact equality of two finite amounts, whatever their size or decimals. */
export function sameAmount(a: number, b: number): boolean {
  const [x, y] = aligned(a, b);
  return x === y;
}

/** a − b, exact; the result is the nearest double to the exact difference (exact for every real-world amount). */
export function subtractAmounts(a: number, b: number): number {
  const [x, y, scale] = aligned(a, b);
  return Number(decimalText(x - y, scale));
}

export function addAmounts(a: number, b: number): number {
  const [x, y, scale] = aligned(a, b);
  return Number(decimalText(x + y, scale));
}

/** -1, 0 or 1, like a sort comparator. */
export function compareAmounts(a: number, b: number): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Σ price × quantity, exact (a catalog's order total). */
export function multiplyAmount(amount: number, quantity: number): number {
  if (!Number.isSafeInteger(quantity)) throw new RangeError(`quantity must be an integer, got ${quantity}`);
  const { digits, scale } = decimal(amount);
  return Number(decimalText(digits * BigInt(quantity), scale));
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

/**
 * ISO 4217 minor-unit exponents that are not 2 (PortOne V2's `totalAmount` is an integer in the currency's minor
 * unit: KRW and JPY × 1, USD and EUR × 100). Every other 3-letter code has two decimals, as ISO 4217 lists most.
 */
const EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** The number of decimals of `currency`'s minor unit (0 for KRW, 2 for USD, 3 for KWD); a TypeError for a non-ISO code. */
export function currencyExponent(currency: string): number {
  if (!/^[A-Z]{3}$/.test(currency)) throw new TypeError(`currency must be a 3-letter ISO 4217 code, got ${JSON.stringify(currency)}`);
  return EXPONENTS[currency] ?? 2;
}

/**
 * `amount` in `currency`'s minor unit, exact (10.5 USD → 1050, 14000 KRW → 14000). A RangeError when it is not a
 * whole number of minor units (10.555 USD, 0.5 KRW) or not a safe integer: such an amount cannot be sent to PortOne
 * V2, and rounding it would charge another price.
 */
export function toMinorUnits(amount: number, currency: string): number {
  const exponent = currencyExponent(currency);
  const { digits, scale } = decimal(amount);
  if (scale > exponent) throw new RangeError(`${amount} ${currency} is not a whole number of minor units (${currency} has ${exponent} decimals)`);
  const minor = digits * 10n ** BigInt(exponent - scale);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < -BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${amount} ${currency} is too large in minor units`);
  return Number(minor);
}

/** An integer of `currency`'s minor unit as the decimal amount (1050 USD cents → 10.5), exact; a RangeError for a non-integer. */
export function fromMinorUnits(minor: number, currency: string): number {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`a minor-unit amount must be a safe integer, got ${minor}`);
  return Number(decimalText(BigInt(minor), currencyExponent(currency)));
}
