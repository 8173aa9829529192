/**
 * The price authority (SPEC §4): the browser never decides what is charged. `POST /payments/prepare` prices the
 * order with the library's `priceOrder` function, else the catalog (`CATALOG_FILE`), else (only against the
 * built-in sandbox, for demos) the body itself.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { badRequest } from './errors.js';
import { addAmounts, multiplyAmount } from '../lib/money.js';
import { amount, currency, text } from './routes/fields.js';
import type { OrderItem } from './store/types.js';
import { describeZodError } from './zod-issues.js';

/** What the browser asked to buy, and what it was shown. */
export interface PriceRequest {
  items: OrderItem[] | null;
  /** The amount the page showed the buyer: compared with the price, never charged. */
  amount: number;
  currency: string;
  name: string | null;
  /** The order id the page chose, or null (the server generates one). */
  merchant_uid: string | null;
}

/** What the order costs: what is charged, in which currency, under which name. */
export interface Price {
  amount: number;
  currency: string;
  name: string | null;
}

/**
 * The merchant's pricing: answers the price of what is asked, or throws a `RouteError` (e.g. 400 for an unknown
 * product, 409 for a sold-out one), which is the prepare route's answer.
 */
export type PriceOrder = (request: PriceRequest) => Price | Promise<Price>;

export interface CatalogEntry {
  name: string;
  amount: number;
  currency: string;
}

export type Catalog = ReadonlyMap<string, CatalogEntry>;

const catalogEntry = z.strictObject({
  // Text a store and PortOne can carry (no NUL, no unpaired surrogate), as every request's text.
  name: text(256).min(1, 'must not be empty'),
  amount,
  currency: currency.default('KRW'),
});
const catalogFile = z
  .record(z.string().min(1, 'a product id must not be empty').max(64, 'a product id has at most 64 characters'), catalogEntry)
  .superRefine((entries, ctx) => {
    for (const [id, entry] of Object.entries(entries)) {
      if (entry.currency === 'KRW' && !Number.isInteger(entry.amount)) ctx.addIssue({ code: 'custom', path: [id, 'amount'], message: 'must be a whole number of won for KRW' });
    }
  });

export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** A catalog from its JSON (`{ "<id>": { "name", "amount", "currency" } }`); a CatalogError names each bad entry. */
export function parseCatalog(json: unknown, source = 'catalog'): Catalog {
  const parsed = catalogFile.safeParse(json, { reportInput: true });
  if (!parsed.success) throw new CatalogError(`${source}: ${describeZodError(parsed.error)}`);
  if (Object.keys(parsed.data).length === 0) throw new CatalogError(`${source}: lists no product`);
  return new Map(Object.entries(parsed.data));
}

/** `CATALOG_FILE`, read and checked once at start. */
export async function loadCatalog(path: string): Promise<Catalog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CatalogError(`CATALOG_FILE ${path} cannot be read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CatalogError(`CATALOG_FILE ${path} is not JSON: ${(error as Error).message}`);
  }
  return parseCatalog(json, `CATALOG_FILE ${path}`);
}

/**
 * Prices from a catalog: Σ price × quantity of `items` (exact), in the products' one currency, named after the
 * first product ("노르웨이 회전 의자 외 1건" for two lines). Unknown ids, no items and mixed currencies are a 400.
 */
export function catalogPricing(catalog: Catalog): PriceOrder {
  return ({ items }) => {
    if (!items) throw badRequest('items: required: the server prices the order from its catalog (e.g. [{"id":"chair-01","quantity":1}])');
    let amount = 0;
    let currency: string | null = null;
    items.forEach(({ id, quantity }, index) => {
      const entry = catalog.get(id);
      if (!entry) throw badRequest(`items.${index}.id: unknown product ${JSON.stringify(id)}`);
      if (currency !== null && entry.currency !== currency) throw badRequest(`items.${index}.id: ${JSON.stringify(id)} is priced in ${entry.currency}, the other items in ${currency}: one order, one currency`);
      currency = entry.currency;
      amount = addAmounts(amount, multiplyAmount(entry.amount, quantity));
    });
    const first = catalog.get(items[0]!.id)!;
    return { amount, currency: currency!, name: items.length > 1 ? `${first.name} 외 ${items.length - 1}건` : first.name };
  };
}

/** Only against the sandbox, for demos: the body's own price. */
export const bodyPricing: PriceOrder = ({ amount, currency, name }) => ({ amount, currency, name });

const priceAnswer = z.object({
  amount,
  currency,
  // A name the stores can keep: a NUL (PostgreSQL refuses it) is the merchant's bug, not the buyer's 500 later.
  name: text(256).nullable().optional(),
});

/** Ask the authority, and check its answer (a merchant's bug is a clear 500 and a log line, never a wrong charge). */
export async function priceOf(priceOrder: PriceOrder, request: PriceRequest): Promise<Price> {
  const answer = priceAnswer.safeParse(await withinDeadline(priceOrder(request), PRICE_DEADLINE_MS), { reportInput: true });
  if (!answer.success) throw new PricingBug(`priceOrder answered an unusable price: ${describeZodError(answer.error)}`);
  const { amount, currency, name } = answer.data;
  if (currency === 'KRW' && !Number.isInteger(amount)) throw new PricingBug(`priceOrder answered ${amount} KRW: KRW amounts are whole won`);
  return { amount, currency, name: name ?? request.name };
}

/** A prepare must answer: a price authority that hangs (a stuck database) is a 500 after this long, not a hung request. */
const PRICE_DEADLINE_MS = 10_000;

async function withinDeadline<T>(work: T | Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PricingBug(`priceOrder did not answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The price authority answered something no payment can be made with: the merchant's code is wrong. */
export class PricingBug extends Error {
  override name = 'PricingBug';
}
