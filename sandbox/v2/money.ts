/**
 * V2 amounts are integers in the currency's minor unit (KRW, JPY ×1; USD, EUR ×100). The sandbox computes only with
 * those integers; this converts one to the major-unit number a person reads, for display alone.
 */

/** How many decimals the currency's minor unit has (Intl knows ISO 4217; 0 for an unknown code). */
export function minorUnitDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0;
  } catch {
    return 0;
  }
}

/** `1999` USD → `19.99` (the decimal text parsed, not a division: exact for display). */
export function formatAmountParts(amount: number, currency: string): number {
  const digits = minorUnitDigits(currency);
  if (digits === 0) return amount;
  const text = String(amount).padStart(digits + 1, '0');
  return Number(`${text.slice(0, -digits)}.${text.slice(-digits)}`);
}
