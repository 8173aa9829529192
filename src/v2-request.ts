/**
 * Attributes → `PortOne.requestPayment`'s request (SPEC §8.1). Pure and strict: it starts from params.ts's checked
 * V1 request (so every attribute is read by the same rules: numbers, JSON, months, empty is absent), renames each
 * field to V2's and checks what V2 adds — a value V2 cannot take is reported by name, and nothing is sent.
 *
 *   store-id → storeId; channel-key / channel-group-id → channelKey / channelGroupId (one required);
 *   amount, currency → totalAmount (minor units, exact), currency; name → orderName (required);
 *   payment-id → paymentId; pay-method → payMethod (V1's card, vbank, trans, phone too; default CARD);
 *   easy-pay-provider → easyPay.easyPayProvider (payMethod EASY_PAY); card-quota → card.installment.monthOption.availableMonthList;
 *   buyer-name, -tel, -email, -addr, -postcode → customer.fullName, phoneNumber, email, address.addressLine1, zipcode;
 *   redirect-url / m-redirect-url → redirectUrl; notice-url → noticeUrls; custom-data → customData;
 *   tax-free, vat-amount → taxFreeAmount, vatAmount (minor units); confirm-url → confirmUrl; app-scheme → appScheme;
 *   escrow → isEscrow; digital → productType DIGITAL. `params` is merged last.
 */
import { currencyDigits, minorUnits } from './minor-units.js';
import type { AttributeReader, CheckoutConfig } from './params.js';

/** A checked V2 config, with what prepare-url is told (`version`, the amount as written, the currency upper case, the order name). */
export interface Checkout extends CheckoutConfig {
  order: { version: 'v2'; amount: number; currency: string; name?: unknown };
}

/** params.ts's message, in the same words (this module is the V2 chunk's: it imports nothing from the main bundle). */
const invalid = (attribute: string, expected: string, value: unknown) => `Invalid attribute "${attribute}": expected ${expected}, got ${JSON.stringify(value)}.`;

const PAY_METHODS = 'CARD VIRTUAL_ACCOUNT TRANSFER MOBILE GIFT_CERTIFICATE EASY_PAY PAYPAL ALIPAY CONVENIENCE_STORE ALIPAY_PLUS'.split(' ');
/** V1's names for the same methods (upper-cased, as `pay-method` is read case-insensitively). */
const V1_PAY_METHODS: Record<string, string> = { VBANK: 'VIRTUAL_ACCOUNT', TRANS: 'TRANSFER', PHONE: 'MOBILE' };
/** request_pay parameters V2 has no field for: refused, rather than dropped unsaid (`merchant-uid` → `payment-id`, `pg` → `channel-key`). */
const V1_ONLY = 'pg merchant_uid language customer_uid vbank_due biz_num popup'.split(' ');

/** The object without its undefined entries (what the request holds is exactly what was given). */
const defined = (object: Record<string, unknown>) => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));

/**
 * The V2 config from `base` (parseCheckout's, without `params`): the request, or the message that names the bad
 * attribute. `extra` is the `params` property, merged last over V2's fields.
 */
export const toPaymentRequest = (base: CheckoutConfig, get: AttributeReader, extra?: Record<string, unknown> | null): Checkout | string => {
  const r = base.request;
  const bad = (attribute: string, expected: string) => invalid(attribute, expected, get(attribute as never));
  for (const param of V1_ONLY) if (r[param] != null) return bad(param.replace(/_/g, '-'), 'nothing with store-id (a V1 parameter)');
  const currency = String(r.currency || 'KRW').toUpperCase();
  const digits = currencyDigits(currency);
  if (digits == null) return bad('currency', 'an ISO 4217 code such as "KRW"');
  const minor = (amount: unknown) => (amount == null ? undefined : minorUnits(amount as number, digits) ?? NaN);
  const totalAmount = minor(r.amount);
  if (Number.isNaN(totalAmount)) return bad('amount', `a positive amount with at most ${digits} decimals in ${currency}`);
  const taxFreeAmount = minor(r.tax_free);
  if (Number.isNaN(taxFreeAmount)) return bad('tax-free', `at most ${digits} decimals in ${currency}`);
  const vatAmount = minor(r.vat_amount);
  if (Number.isNaN(vatAmount)) return bad('vat-amount', `at most ${digits} decimals in ${currency}`);
  const channelGroupId = get('channel-group-id') || undefined;
  if (!r.channelKey && !channelGroupId) return bad('channel-key', 'a channel key (V2 needs it or channel-group-id)');
  if (!String(r.name ?? '').trim()) return bad('name', 'the order name (V2 needs one)');
  const method = String(r.pay_method).toUpperCase();
  const easyPayProvider = get('easy-pay-provider') || undefined;
  let payMethod = V1_PAY_METHODS[method] ?? method;
  if (easyPayProvider) {
    if (get('pay-method') && payMethod !== 'EASY_PAY') return bad('pay-method', 'EASY_PAY or none (easy-pay-provider is set)');
    payMethod = 'EASY_PAY';
  }
  if (!PAY_METHODS.includes(payMethod)) return bad('pay-method', `one of ${PAY_METHODS.join(', ')} (or card, vbank, trans, phone)`);
  const customer = defined({
    fullName: r.buyer_name,
    phoneNumber: r.buyer_tel,
    email: r.buyer_email,
    address: r.buyer_addr == null ? undefined : { addressLine1: r.buyer_addr, addressLine2: '' },
    zipcode: r.buyer_postcode,
  });
  const months = (r.display as { card_quota?: number[] } | undefined)?.card_quota;
  const request = defined({
    storeId: get('store-id'),
    channelKey: r.channelKey,
    channelGroupId,
    paymentId: get('payment-id') || undefined,
    orderName: r.name,
    totalAmount,
    currency,
    payMethod,
    taxFreeAmount,
    vatAmount,
    customer: Object.keys(customer).length ? customer : undefined,
    easyPay: easyPayProvider && { easyPayProvider },
    card: months && { installment: { monthOption: { availableMonthList: months } } },
    redirectUrl: get('redirect-url') || r.m_redirect_url,
    noticeUrls: r.notice_url == null ? undefined : [r.notice_url],
    confirmUrl: r.confirm_url,
    appScheme: r.app_scheme,
    customData: r.custom_data,
    isEscrow: r.escrow,
    productType: r.digital ? 'DIGITAL' : undefined,
  });
  Object.assign(request, extra);
  return { ...base, request, order: { version: 'v2', amount: r.amount as number, currency, name: r.name } };
};
