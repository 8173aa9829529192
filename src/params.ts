/**
 * Attributes → `IMP.request_pay` parameters. Pure and strict: a value that is not exactly what the
 * attribute takes is reported by name, never guessed at, and nothing is sent.
 *
 * The rule: every request_pay parameter is the attribute named by its snake_case name with `_` → `-`
 * (`buyer_tel` → `buyer-tel`); `channel-key` is sent as the SDK's camelCase `channelKey`; `card-quota="2,3,6"`
 * becomes `display.card_quota`. Text passes through unchanged: PortOne enforces its own limits.
 */

export type AttributeValue = string | number | boolean | null | undefined;

/** How an attribute's value is read. */
type Kind = 'text' | 'amount' | 'count' | 'flag' | 'quota' | 'json';

const TEXT_ATTRIBUTES =
  'pg channel-key pay-method merchant-uid name currency language buyer-name buyer-tel buyer-email buyer-addr buyer-postcode m-redirect-url notice-url confirm-url customer-uid vbank-due app-scheme biz-num';

/**
 * [attribute, request_pay parameter, kind], in the order they are read. The parameter is the attribute with
 * `-` → `_`, except `channel-key` (`channelKey`) and `card-quota` (`display.card_quota`). Attributes not listed
 * here are the element's own (merchant, verify-url, prepare-url, items, sdk-src, lang, disabled).
 */
export const REQUEST_ATTRIBUTES: ReadonlyArray<readonly [string, string, Kind]> = [
  ...TEXT_ATTRIBUTES.split(' ').map((a) => [a, 'text'] as const),
  ['amount', 'amount'],
  ['tax-free', 'count'],
  ['vat-amount', 'count'],
  ['escrow', 'flag'],
  ['digital', 'flag'],
  ['popup', 'flag'],
  ['card-quota', 'quota'],
  ['custom-data', 'json'],
].map(([attribute, kind]) => [attribute, attribute === 'channel-key' ? 'channelKey' : attribute === 'card-quota' ? 'display' : attribute.replace(/-/g, '_'), kind as Kind] as const);

/** One line of the `items` attribute; other fields of an entry pass through to `prepare-url` unchanged. */
export interface CheckoutItem {
  id: string;
  quantity: number;
}

/** What a payment attempt needs, all checked. */
export interface CheckoutConfig {
  merchant: string;
  /** request_pay's parameters (without `merchant_uid` when the element or `prepare-url` supplies it). */
  request: Record<string, unknown>;
  verifyUrl: string;
  prepareUrl: string | null;
  /** The `items` attribute, for `prepare-url` alone (never in `request`); absent or empty: undefined. */
  items?: CheckoutItem[];
}

export type ParseResult = { ok: true; config: CheckoutConfig } | { ok: false; attribute: string; message: string };

const DECIMAL = /^\d+(\.\d+)?$/;

class InvalidAttribute extends Error {
  constructor(
    readonly attribute: string,
    expected: string,
    value: AttributeValue,
  ) {
    super(`Invalid attribute "${attribute}": expected ${expected}, got ${JSON.stringify(value ?? null)}.`);
  }
}

/** A number written exactly as digits with an optional decimal part (no signs, exponents, commas or spaces). */
function strictNumber(attribute: string, value: AttributeValue, expected: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new InvalidAttribute(attribute, expected, value);
  return n;
}

function read(attribute: string, kind: Kind, value: AttributeValue, currency: string): unknown {
  switch (kind) {
    case 'text':
      return String(value);
    case 'flag':
      // Presence attributes: `escrow` and `escrow=""` are true; only a property can say false.
      return value !== false;
    case 'count':
      return strictNumber(attribute, value, 'a number ≥ 0');
    case 'amount': {
      const expected = currency === 'KRW' ? 'a positive whole number of won' : 'a positive number';
      const n = strictNumber(attribute, value, expected);
      if (n <= 0 || (currency === 'KRW' && !Number.isInteger(n))) throw new InvalidAttribute(attribute, expected, value);
      return n;
    }
    case 'quota': {
      // `card-quota=""` allows lump sum only (PortOne's `[]`); otherwise a comma list of months.
      const text = String(value).trim();
      const months = text === '' ? [] : text.split(',').map((m) => m.trim());
      if (!months.every((m) => /^\d{1,2}$/.test(m))) throw new InvalidAttribute(attribute, 'a comma list of months such as "2,3,6"', value);
      return { card_quota: months.map(Number) };
    }
    case 'json':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value);
      } catch {
        throw new InvalidAttribute(attribute, 'JSON', value);
      }
  }
}

/** `items`: a JSON array of `{ id, quantity }` (ids non-empty, quantities whole and ≥ 1); `""` is none. */
function readItems(value: AttributeValue): CheckoutItem[] | undefined {
  if (value == null || value === '') return;
  let items: unknown;
  try {
    items = JSON.parse(String(value));
  } catch {
    // Reported below, with every other shape that is not a list of items.
  }
  const ok = (e: Partial<CheckoutItem> | null) => typeof e?.id === 'string' && e.id !== '' && Number.isSafeInteger(e.quantity) && e.quantity! > 0;
  if (!Array.isArray(items) || !items.every(ok)) throw new InvalidAttribute('items', 'a JSON array of {"id": non-empty text, "quantity": a whole number ≥ 1}', value);
  return items;
}

/**
 * Check every attribute and build the request. `get` returns an attribute's value (or the property's);
 * `extra` is the `params` property, merged last.
 */
export function parseCheckout(get: (attribute: string) => AttributeValue, extra?: Record<string, unknown> | null): ParseResult {
  try {
    const merchant = get('merchant');
    if (typeof merchant !== 'string' || merchant.trim() === '') {
      throw new InvalidAttribute('merchant', 'your PortOne merchant code (가맹점 식별코드), such as "imp12345678"', merchant);
    }
    if (get('amount') == null || get('amount') === '') throw new InvalidAttribute('amount', 'the amount to pay', get('amount'));
    // Compared case-insensitively for the KRW whole-number rule; sent as written.
    const currency = typeof get('currency') === 'string' && get('currency') !== '' ? String(get('currency')).toUpperCase() : 'KRW';
    const request: Record<string, unknown> = { pay_method: 'card' };
    for (const [attribute, param, kind] of REQUEST_ATTRIBUTES) {
      const value = get(attribute);
      // An empty text or number (a template's `merchant-uid="{{ id }}"` with no id) is absent, as for currency and the URLs.
      if (value == null || value === false || (value === '' && (kind === 'text' || kind === 'count'))) continue;
      request[param] = read(attribute, kind, value, currency);
    }
    Object.assign(request, extra ?? {});
    const items = readItems(get('items'));
    const verifyUrl = get('verify-url');
    const prepareUrl = get('prepare-url');
    return {
      ok: true,
      config: {
        merchant: merchant.trim(),
        request,
        verifyUrl: typeof verifyUrl === 'string' && verifyUrl !== '' ? verifyUrl : '/payments/complete',
        prepareUrl: typeof prepareUrl === 'string' && prepareUrl !== '' ? prepareUrl : null,
        items,
      },
    };
  } catch (error) {
    if (error instanceof InvalidAttribute) return { ok: false, attribute: error.attribute, message: error.message };
    throw error;
  }
}

/** A fresh order id for one attempt: `pc_` + time + randomness, well under PortOne's 40 characters. */
export function generateMerchantUid(): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `pc_${Date.now().toString(36)}_${random[0].toString(36)}${random[1].toString(36)}`;
}
