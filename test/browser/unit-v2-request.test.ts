// v2-request.ts and minor-units.ts on their own: attribute values → PortOne.requestPayment's request, one row of
// SPEC §8.1's table per case, or the message that names the bad attribute; and totalAmount's exact minor units.
import { expect } from '@open-wc/testing';
import type { AttributeName } from '../../src/attributes.js';
import { currencyDigits, minorUnits } from '../../src/minor-units.js';
import { type AttributeValue, parseCheckout } from '../../src/params.js';
import { type Checkout, toPaymentRequest } from '../../src/v2-request.js';
import { SDK } from '../../src/v2.js';

type Attributes = Partial<Record<AttributeName, AttributeValue>>;

/** What the element does for a V2 element: parseCheckout without params, then the V2 mapping with them. */
function parse(attributes: Attributes, extra?: Record<string, unknown>): Checkout | string {
  const values: Attributes = { 'store-id': 'store-test', 'channel-key': 'channel-key-test', amount: '14000', name: '노르웨이 회전 의자', ...attributes };
  const get = (attribute: AttributeName) => values[attribute] ?? null;
  const base = parseCheckout(get, null, SDK);
  return typeof base === 'string' ? base : toPaymentRequest(base, get, extra);
}

function request(attributes: Attributes, extra?: Record<string, unknown>): Record<string, unknown> {
  const config = parse(attributes, extra);
  if (typeof config === 'string') throw new Error(config);
  return config.request;
}

const LEAST = { storeId: 'store-test', channelKey: 'channel-key-test', orderName: '노르웨이 회전 의자', totalAmount: 14000, currency: 'KRW', payMethod: 'CARD' };

describe('v2-request: attributes → requestPayment (SPEC §8.1)', () => {
  it('the least: store-id, channel-key, amount, name; KRW and CARD by default; V2’s CDN; no merchant needed', () => {
    const config = parse({}) as Checkout;
    expect(config.request).to.deep.equal(LEAST);
    expect(config.sdkSrc).to.equal('https://cdn.portone.io/v2/browser-sdk.js');
    expect(config.merchant).to.equal('');
    expect(config.order, 'what prepare-url is told').to.deep.equal({ version: 'v2', amount: 14000, currency: 'KRW', name: '노르웨이 회전 의자' });
  });

  const ROWS: [row: string, attributes: Attributes, sent: Record<string, unknown>][] = [
    ['channel-group-id → channelGroupId (instead of channel-key)', { 'channel-key': null, 'channel-group-id': 'group-1' }, { channelKey: undefined, channelGroupId: 'group-1' }],
    ['amount in KRW × 1', { amount: '50000', currency: 'krw' }, { totalAmount: 50000, currency: 'KRW' }],
    ['amount in JPY × 1', { amount: '1200', currency: 'JPY' }, { totalAmount: 1200, currency: 'JPY' }],
    ['amount in USD × 100, exact (19.99 → 1999, never 1998.9999…)', { amount: '19.99', currency: 'USD' }, { totalAmount: 1999, currency: 'USD' }],
    ['amount in EUR × 100, one decimal written', { amount: '0.1', currency: 'eur' }, { totalAmount: 10, currency: 'EUR' }],
    ['amount in USD with trailing zeros', { amount: '10.500', currency: 'USD' }, { totalAmount: 1050, currency: 'USD' }],
    ['payment-id → paymentId', { 'payment-id': 'order20261203abc' }, { paymentId: 'order20261203abc' }],
    ['pay-method in V2’s name', { 'pay-method': 'VIRTUAL_ACCOUNT' }, { payMethod: 'VIRTUAL_ACCOUNT' }],
    ['pay-method V1 card → CARD', { 'pay-method': 'card' }, { payMethod: 'CARD' }],
    ['pay-method V1 vbank → VIRTUAL_ACCOUNT', { 'pay-method': 'vbank' }, { payMethod: 'VIRTUAL_ACCOUNT' }],
    ['pay-method V1 trans → TRANSFER', { 'pay-method': 'trans' }, { payMethod: 'TRANSFER' }],
    ['pay-method V1 phone → MOBILE', { 'pay-method': 'phone' }, { payMethod: 'MOBILE' }],
    ['easy-pay-provider → easyPay.easyPayProvider, implying EASY_PAY', { 'easy-pay-provider': 'KAKAOPAY' }, { payMethod: 'EASY_PAY', easyPay: { easyPayProvider: 'KAKAOPAY' } }],
    ['easy-pay-provider with pay-method EASY_PAY said too', { 'easy-pay-provider': 'TOSSPAY', 'pay-method': 'EASY_PAY' }, { payMethod: 'EASY_PAY', easyPay: { easyPayProvider: 'TOSSPAY' } }],
    ['card-quota → card.installment.monthOption.availableMonthList', { 'card-quota': '2,3,6' }, { card: { installment: { monthOption: { availableMonthList: [2, 3, 6] } } } }],
    [
      'buyer-* → customer (address as addressLine1)',
      { 'buyer-name': '홍길동', 'buyer-tel': '010-1234-5678', 'buyer-email': 'a@b.c', 'buyer-addr': '서울 강남구', 'buyer-postcode': '06236' },
      { customer: { fullName: '홍길동', phoneNumber: '010-1234-5678', email: 'a@b.c', address: { addressLine1: '서울 강남구', addressLine2: '' }, zipcode: '06236' } },
    ],
    ['one buyer field: a customer of one field', { 'buyer-email': 'a@b.c' }, { customer: { email: 'a@b.c' } }],
    ['m-redirect-url → redirectUrl', { 'm-redirect-url': 'https://shop.example/done' }, { redirectUrl: 'https://shop.example/done' }],
    ['redirect-url → redirectUrl, over m-redirect-url', { 'redirect-url': 'https://shop.example/v2', 'm-redirect-url': 'https://shop.example/v1' }, { redirectUrl: 'https://shop.example/v2' }],
    ['notice-url → noticeUrls: [url]', { 'notice-url': 'https://shop.example/hook' }, { noticeUrls: ['https://shop.example/hook'] }],
    ['custom-data → customData (object)', { 'custom-data': '{"gift":true,"n":[1,2]}' }, { customData: { gift: true, n: [1, 2] } }],
    ['tax-free, vat-amount → taxFreeAmount, vatAmount in minor units', { amount: '20', currency: 'USD', 'tax-free': '0', 'vat-amount': '1.82' }, { totalAmount: 2000, currency: 'USD', taxFreeAmount: 0, vatAmount: 182 }],
    ['confirm-url, app-scheme → confirmUrl, appScheme', { 'confirm-url': 'https://shop.example/confirm', 'app-scheme': 'shop://' }, { confirmUrl: 'https://shop.example/confirm', appScheme: 'shop://' }],
    ['escrow, digital → isEscrow, productType DIGITAL', { escrow: true, digital: true }, { isEscrow: true, productType: 'DIGITAL' }],
    ['merchant is not needed, and ignored when there', { merchant: 'imp12345678' }, {}],
    ['empty text is absent (a template with no value)', { 'payment-id': '', 'buyer-name': '', 'redirect-url': '', 'channel-group-id': '' }, {}],
  ];
  for (const [row, attributes, sent] of ROWS) {
    it(row, () => {
      const expected = Object.fromEntries(Object.entries({ ...LEAST, ...sent }).filter(([, value]) => value !== undefined));
      expect(request(attributes)).to.deep.equal(expected);
    });
  }

  it('params are merged last, over V2’s fields', () => {
    expect(request({}, { payMethod: 'TRANSFER', windowType: { pc: 'POPUP' } })).to.deep.equal({ ...LEAST, payMethod: 'TRANSFER', windowType: { pc: 'POPUP' } });
  });

  it('sdk-src is resolved against the page', () => {
    expect((parse({ 'sdk-src': '/sdk/browser-sdk.js' }) as Checkout).sdkSrc).to.equal(new URL('/sdk/browser-sdk.js', document.baseURI).href);
  });

  it('the order (prepare-url’s body) keeps the amount as written, in major units', () => {
    expect((parse({ amount: '19.99', currency: 'usd' }) as Checkout).order).to.deep.equal({ version: 'v2', amount: 19.99, currency: 'USD', name: '노르웨이 회전 의자' });
  });

  const REFUSED: [title: string, attributes: Attributes, message: string][] = [
    ['no channel at all', { 'channel-key': null }, 'Invalid attribute "channel-key": expected a channel key (V2 needs it or channel-group-id), got null.'],
    ['no name', { name: null }, 'Invalid attribute "name": expected the order name (V2 needs one), got null.'],
    ['a blank name', { name: '  ' }, 'Invalid attribute "name": expected the order name (V2 needs one), got "  ".'],
    ['half a won (V1’s own rule)', { amount: '1.5' }, 'Invalid attribute "amount": expected a positive whole number of won, got "1.5".'],
    ['half a yen', { amount: '1.5', currency: 'JPY' }, 'Invalid attribute "amount": expected a positive amount with at most 0 decimals in JPY, got "1.5".'],
    ['a tenth of a cent', { amount: '19.999', currency: 'USD' }, 'Invalid attribute "amount": expected a positive amount with at most 2 decimals in USD, got "19.999".'],
    ['more than a safe integer of cents', { amount: '99999999999999999', currency: 'USD' }, 'Invalid attribute "amount": expected a positive amount with at most 2 decimals in USD, got "99999999999999999".'],
    ['a vat with a tenth of a cent', { currency: 'USD', 'vat-amount': '0.001' }, 'Invalid attribute "vat-amount": expected at most 2 decimals in USD, got "0.001".'],
    // (A well-formed code the browser does not know, `WON`, passes with 2 decimals: PortOne refuses it.)
    ['a currency that is not a code', { currency: 'KR' }, 'Invalid attribute "currency": expected an ISO 4217 code such as "KRW", got "KR".'],
    ['an unknown pay-method', { 'pay-method': 'bitcoin' }, 'Invalid attribute "pay-method": expected one of CARD, VIRTUAL_ACCOUNT, TRANSFER, MOBILE, GIFT_CERTIFICATE, EASY_PAY, PAYPAL, ALIPAY, CONVENIENCE_STORE, ALIPAY_PLUS (or card, vbank, trans, phone), got "bitcoin".'],
    ['easy-pay-provider with another pay-method', { 'easy-pay-provider': 'KAKAOPAY', 'pay-method': 'card' }, 'Invalid attribute "pay-method": expected EASY_PAY or none (easy-pay-provider is set), got "card".'],
    ['V1’s merchant-uid (V2 says payment-id)', { 'merchant-uid': 'order-1' }, 'Invalid attribute "merchant-uid": expected nothing with store-id (a V1 parameter), got "order-1".'],
    ['V1’s pg (V2 says channel-key)', { pg: 'kakaopay' }, 'Invalid attribute "pg": expected nothing with store-id (a V1 parameter), got "kakaopay".'],
    ['V1’s vbank-due', { 'vbank-due': '20301231' }, 'Invalid attribute "vbank-due": expected nothing with store-id (a V1 parameter), got "20301231".'],
    ['V1’s popup', { popup: true }, 'Invalid attribute "popup": expected nothing with store-id (a V1 parameter), got true.'],
    ['the strict rules of V1 hold: custom-data that is not JSON', { 'custom-data': '{gift}' }, 'Invalid attribute "custom-data": expected JSON, got "{gift}".'],
    ['the strict rules of V1 hold: a malformed sdk-src', { 'sdk-src': 'http://[bad' }, 'Invalid attribute "sdk-src": expected a URL, got "http://[bad".'],
  ];
  for (const [title, attributes, message] of REFUSED) {
    it(`refused: ${title}`, () => {
      expect(parse(attributes)).to.equal(message);
    });
  }
});

describe('minor-units: exact totalAmount', () => {
  const CASES: [amount: number, digits: number, minor: number | undefined][] = [
    [14000, 0, 14000],
    [19.99, 2, 1999],
    [0.1 + 0.2, 2, undefined], // 0.30000000000000004: not a whole number of cents
    [1.005, 2, undefined],
    [1.1, 3, 1100],
    [0, 2, 0],
    [1.5, 0, undefined],
    [1e21, 2, undefined],
    [90071992547409.92, 2, undefined],
    [-1, 2, undefined],
  ];
  for (const [amount, digits, minor] of CASES) {
    it(`${amount} with ${digits} decimals → ${minor}`, () => {
      expect(minorUnits(amount, digits)).to.equal(minor);
    });
  }

  it('each currency’s digits, as ISO 4217 says', () => {
    expect(['KRW', 'JPY', 'USD', 'EUR', 'BHD'].map(currencyDigits)).to.deep.equal([0, 0, 2, 2, 3]);
    expect(currencyDigits('KR'), 'not a code').to.equal(undefined);
  });
});
