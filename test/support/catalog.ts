/**
 * The price list of the browser suite's verifier (test/support/verifier.ts): a page that sends `items` is priced
 * from it, so a test picks the server's price by picking a product. No Node import: the browser tests read it too.
 */
export const TEST_CATALOG = {
  // Two of the first and one of the second cost 14,000 KRW, what the tests' pages show.
  'chair-01': { name: '노르웨이 회전 의자', amount: 3_000, currency: 'KRW' },
  'desk-02': { name: '원목 책상', amount: 8_000, currency: 'KRW' },
  'priced-14000': { name: '의자', amount: 14_000, currency: 'KRW' },
  'priced-15000': { name: '의자', amount: 15_000, currency: 'KRW' },
  'priced-12.5-usd': { name: 'Chair', amount: 12.5, currency: 'USD' },
} as const;

export type TestProduct = keyof typeof TEST_CATALOG;

/** The `items` attribute of a cart holding one of `product`. */
export function oneOf(product: TestProduct): string {
  return JSON.stringify([{ id: product, quantity: 1 }]);
}
