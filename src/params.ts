/**
 * Attributes → `IMP.request_pay` parameters. Pure and strict: a value that is not exactly what the
 * attribute takes is reported by name, never guessed at, and nothing is sent.
 *
 * Which attributes are parameters, their kinds and names: the `request_pay` rows of the attribute table
 * (attributes.ts). Text passes through unchanged: PortOne enforces its own limits.
 */
import { ATTRIBUTES, type AttributeName, type Kind } from './attributes.js';
import { hint } from './hint.js';

/** What the element's properties read: attribute text (null when absent), presence attributes as booleans. */
export type AttributeValue = string | boolean | null;

/** One line of the `items` attribute; other fields of an entry pass through to `prepare-url` unchanged. */
export interface CheckoutItem {
  id: string;
  quantity: number;
}

/** What a payment attempt needs, all checked. */
export interface CheckoutConfig {
  /** V1's merchant code; blank in V2, which needs none. */
  merchant: string;
  /**
   * request_pay's parameters (without `merchant_uid` when the element or `prepare-url` supplies it); in V2,
   * requestPayment's (v2-request.ts maps them).
   */
  request: Record<string, unknown>;
  prepareUrl: string | null;
  /** The SDK's absolute URL (`sdk-src` resolved against the page, else PortOne's CDN for the version). */
  sdkSrc: string;
  /** The `items` attribute, for `prepare-url` alone (never in `request`); absent or empty: undefined. */
  items?: CheckoutItem[];
}

/** A bad attribute, thrown as the message that names it, says what it takes and what it got (a string: see parseCheckout). */
const invalid = (attribute: string, expected: string, value: AttributeValue) =>
  `Invalid attribute "${attribute}": expected ${expected}, got ${JSON.stringify(value)}.`;

/** Digits with an optional decimal part: no signs, exponents, commas or spaces inside. */
const DECIMAL = /^\d+(\.\d+)?$/;
/** `card-quota`: a comma list of one- or two-digit months; blank is lump sum only (PortOne's `[]`). */
const MONTHS = /^\s*(\d\d?\s*(,\s*\d\d?\s*)*)?$/;

/** One attribute's value as its kind takes it, or throws `invalid()`'s message. `currency`: upper case, KRW when absent. */
function read(attribute: string, kind: Kind, value: AttributeValue, currency: string): unknown {
  const bad = (expected: string) => invalid(attribute, expected, value);
  switch (kind) {
    case 'amount':
    case 'count': {
      const expected = kind === 'count' ? 'a number ≥ 0' : currency === 'KRW' ? 'a positive whole number of won' : 'a positive number';
      const n = DECIMAL.test(String(value).trim()) ? Number(value) : NaN;
      if (!Number.isFinite(n) || (kind === 'amount' && !(n > 0 && (currency !== 'KRW' || Number.isInteger(n))))) throw bad(expected);
      return n;
    }
    case 'quota': {
      if (!MONTHS.test(String(value))) throw bad('months such as "2,3,6"');
      return { card_quota: String(value).trim() ? String(value).split(',').map(Number) : [] };
    }
    case 'json':
      try {
        return typeof value === 'string' ? JSON.parse(value) : value;
      } catch {
        throw bad('JSON');
      }
    default:
      // Text as written; a presence attribute that is there is `true` (only a property can say false).
      return value;
  }
}

/** The `amount` attribute as a payment would take it (the same check), or undefined: what the label may show. */
export function readAmount(value: AttributeValue, currency: string | null): number | undefined {
  try {
    return read('amount', 'amount', value, String(currency || 'KRW').toUpperCase()) as number;
  } catch {
    return undefined;
  }
}

/** `items`: a JSON array of `{ id, quantity }` (ids non-empty, quantities whole and ≥ 1); `""` is none. */
function readItems(value: AttributeValue): CheckoutItem[] | undefined {
  if (!value) return;
  let items: unknown;
  try {
    items = JSON.parse(String(value));
  } catch {
    // Reported below, with every other shape that is not a list of items.
  }
  const ok = (e: Partial<CheckoutItem> | null) => typeof e?.id === 'string' && e.id !== '' && Number.isSafeInteger(e.quantity) && e.quantity! > 0;
  if (!Array.isArray(items) || !items.every(ok)) throw invalid('items', '[{"id": text, "quantity": a whole number ≥ 1}, …]', value);
  return items;
}

/** Reads an attribute's value as its property does. */
export type AttributeReader = (attribute: AttributeName) => AttributeValue;

/**
 * Check every attribute and build the request: the config, or the message that names the bad attribute. `get`
 * returns an attribute's value (as its property reads it); `extra` is the `params` property, merged last. With
 * `v2Sdk` (the element has `store-id`: V2's default SDK URL, which the V2 part brings) no merchant is needed and the
 * SDK is V2's; v2-request.ts maps the request.
 */
export function parseCheckout(get: AttributeReader, extra?: Record<string, unknown> | null, v2Sdk?: string): CheckoutConfig | string {
  try {
    const merchant = String(get('merchant') ?? '').trim();
    if (!merchant && !v2Sdk) throw invalid('merchant', 'a merchant code such as "imp12345678"', get('merchant'));
    // Compared case-insensitively for the KRW whole-number rule; sent as written.
    const currency = String(get('currency') || 'KRW').toUpperCase();
    const request: Record<string, unknown> = { pay_method: 'card' };
    for (const [attribute, column] of Object.entries(ATTRIBUTES.request_pay)) {
      const [kind, param = attribute.replace(/-/g, '_')] = column.split(' ') as [Kind, string?];
      const value = get(attribute as AttributeName);
      // Absent is absent (an empty text or number too: a template's `merchant-uid="{{ id }}"` with no id), but
      // the amount is required.
      if (kind === 'amount' || !(value == null || value === false || (value === '' && (kind === 'text' || kind === 'count')))) {
        request[param] = read(attribute, kind, value, currency);
      }
    }
    Object.assign(request, extra);
    const items = readItems(get('items'));
    let sdkSrc = get('sdk-src');
    try {
      // A malformed URL fails this element's payment here, never the page's other elements.
      sdkSrc = new URL(String(sdkSrc || v2Sdk || 'https://cdn.iamport.kr/v1/iamport.js'), document.baseURI).href;
    } catch {
      throw invalid('sdk-src', 'a URL', sdkSrc);
    }
    return { merchant, request, prepareUrl: (get('prepare-url') as string) || null, sdkSrc, items };
  } catch (error) {
    // Only `invalid()` throws strings.
    if (typeof error === 'string') return error;
    throw error;
  }
}

let warned = false;

/**
 * A fresh order id for one attempt: `pc_` + time + randomness, well under PortOne's 40 characters. The first one on
 * a page says on the console what it costs: a server that verifies only orders it stored cannot know this one.
 */
export function generateMerchantUid(): string {
  if (!warned) {
    warned = true;
    hint('uid');
  }
  return `pc_${[Date.now(), ...crypto.getRandomValues(new Uint32Array(2))].map((n) => n.toString(36)).join('_')}`;
}
