/**
 * V2's `totalAmount`: the amount as an integer of the currency's minor unit (KRW, JPY × 1; USD, EUR × 100; BHD ×
 * 1000), exact. Worked on the amount's shortest decimal text (`String(19.99)` is `"19.99"`), never by multiplying
 * floats (19.99 × 100 is 1998.9999999999998). Its own module, in src/, because the element's bundle takes nothing
 * from lib/ (lib/money.ts is the servers' BigInt arithmetic; this needs none).
 */

/** The currency's minor-unit digits (ISO 4217, as the browser's Intl knows them), or undefined for a code that is not one. */
export function currencyDigits(currency: string): number | undefined {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    // RangeError: not a well-formed currency code.
  }
}

/** `amount` (≥ 0) in minor units of a currency with `digits` decimals, or undefined when it has more decimals, or is not a safe integer then. */
export function minorUnits(amount: number, digits: number): number | undefined {
  const [, whole, fraction = ''] = /^(\d+)(?:\.(\d+))?$/.exec(String(amount)) ?? [];
  const minor = Number(whole + fraction.padEnd(digits, '0'));
  return whole && fraction.length <= digits && Number.isSafeInteger(minor) ? minor : undefined;
}
