// The reference verifier as the browser tests' pages reach it: on their own origin (web-test-runner.config.mjs),
// pricing `items` from test/support/catalog.ts. It verifies only orders it stored, as a merchant's server does: a
// page that names its merchant-uid needs the order stored first, which storeOrder does as the merchant's server
// would before rendering the page (the prepare route: stored, and its price registered with the sandbox).
import { SETUP_HEADER, VERIFIER_PREFIX } from '../support/page-origin.js';

export { oneOf } from '../support/catalog.js';

export const PREPARE_URL = `${VERIFIER_PREFIX}/payments/prepare`;
export const VERIFY_URL = `${VERIFIER_PREFIX}/payments/complete`;

export interface NewOrder {
  merchant_uid: string;
  amount: number;
  /** Default KRW. */
  currency?: string;
  name?: string;
}

/** Store an order at the verifier (not recorded among the element's calls); throws unless it was stored. */
export async function storeOrder(order: NewOrder): Promise<void> {
  const response = await fetch(PREPARE_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SETUP_HEADER]: 'store-order' },
    body: JSON.stringify(order),
  });
  if (response.status !== 201) throw new Error(`the verifier did not store ${JSON.stringify(order)}: ${response.status} ${await response.text()}`);
}

/** The order the element's attributes describe (its merchant-uid, amount and currency), stored; the attributes back. */
export async function withOrder<T extends Record<string, string | true>>(attributes: T): Promise<T> {
  const { 'merchant-uid': merchantUid, amount, currency } = attributes;
  if (typeof merchantUid !== 'string' || typeof amount !== 'string') throw new Error('withOrder: the attributes name no merchant-uid or amount');
  await storeOrder({ merchant_uid: merchantUid, amount: Number(amount), currency: typeof currency === 'string' && currency ? currency.toUpperCase() : 'KRW' });
  return attributes;
}

/**
 * Store a V2 order at the verifier as its prepare route does (stored under `paymentId`, and its amount
 * pre-registered with the sandbox's PortOne V2, which then refuses any other amount for it); throws unless stored.
 */
export async function storeV2Order(order: { paymentId: string; amount: number; currency?: string; name?: string }): Promise<void> {
  const response = await fetch(PREPARE_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SETUP_HEADER]: 'store-order' },
    body: JSON.stringify({ version: 'v2', currency: 'KRW', ...order }),
  });
  if (!response.ok) throw new Error(`the verifier did not store ${JSON.stringify(order)}: ${response.status} ${await response.text()}`);
}
