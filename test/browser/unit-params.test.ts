// params.ts on its own: attribute values (as the element's properties read them) → the checked config and the
// request_pay parameters, or the message that names the bad attribute; the amount the label may show; order ids.
import { expect } from '@open-wc/testing';
import type { AttributeName } from '../../src/attributes.js';
import { type AttributeValue, type CheckoutConfig, generateMerchantUid, parseCheckout, readAmount } from '../../src/params.js';
import { hintsPrinted } from './hints.js';

const CDN = 'https://cdn.iamport.kr/v1/iamport.js';

/** parseCheckout over these attribute values (absent: null), a merchant and an amount unless they say otherwise. */
function parse(attributes: Partial<Record<AttributeName, AttributeValue>>, extra?: Record<string, unknown>): CheckoutConfig | string {
  const values: Partial<Record<AttributeName, AttributeValue>> = { merchant: 'imp12345678', amount: '14000', ...attributes };
  return parseCheckout((attribute) => values[attribute] ?? null, extra);
}

/** The request_pay parameters these attributes make (failing the test with the message if they are refused). */
function request(attributes: Partial<Record<AttributeName, AttributeValue>>, extra?: Record<string, unknown>): Record<string, unknown> {
  const config = parse(attributes, extra);
  if (typeof config === 'string') throw new Error(config);
  return config.request;
}

describe('params: attributes → request_pay', () => {
  it('the least: merchant and amount; card by default; PortOne’s CDN; no prepare-url, no items', () => {
    expect(parse({})).to.deep.equal({ merchant: 'imp12345678', request: { pay_method: 'card', amount: 14000 }, prepareUrl: null, sdkSrc: CDN, items: undefined });
  });

  const SENT: [title: string, attributes: Partial<Record<AttributeName, AttributeValue>>, sent: Record<string, unknown>][] = [
    ['text as written, under its snake_case name', { 'buyer-tel': ' 010-1234-5678 ', 'm-redirect-url': 'https://shop.example/done' }, { buyer_tel: ' 010-1234-5678 ', m_redirect_url: 'https://shop.example/done' }],
    ['channel-key as the SDK’s channelKey', { 'channel-key': 'channel-1' }, { channelKey: 'channel-1' }],
    ['pay-method replaces the default', { 'pay-method': 'vbank' }, { pay_method: 'vbank' }],
    ['a decimal amount in another currency, sent as written', { amount: '10.50', currency: 'usd' }, { amount: 10.5, currency: 'usd' }],
    ['an amount with spaces around it', { amount: ' 14000 ' }, { amount: 14000 }],
    ['counts: zero and decimals', { 'tax-free': '0', 'vat-amount': '1272.7' }, { tax_free: 0, vat_amount: 1272.7 }],
    ['flags that are there', { escrow: true, digital: true, popup: true }, { escrow: true, digital: true, popup: true }],
    ['flags a property turned off are absent', { escrow: false }, {}],
    ['card-quota → display.card_quota', { 'card-quota': ' 2, 3 ,12' }, { display: { card_quota: [2, 3, 12] } }],
    ['an empty card-quota is lump sum only', { 'card-quota': '' }, { display: { card_quota: [] } }],
    ['custom-data as JSON', { 'custom-data': '{"gift":true,"n":[1,2]}' }, { custom_data: { gift: true, n: [1, 2] } }],
    ['empty text and counts are absent (a template with no value)', { name: '', 'merchant-uid': '', 'tax-free': '', pg: '' }, {}],
  ];
  for (const [title, attributes, sent] of SENT) {
    it(title, () => {
      expect(request(attributes)).to.deep.equal({ pay_method: 'card', amount: 14000, ...sent });
    });
  }

  it('the element’s own attributes stay out of the request', () => {
    const config = parse({ 'prepare-url': '/payments/prepare', 'verify-url': '/payments/complete', items: '[{"id":"chair-01","quantity":2,"size":"L"}]', disabled: true, lang: 'en' });
    expect(config).to.deep.include({ prepareUrl: '/payments/prepare', items: [{ id: 'chair-01', quantity: 2, size: 'L' }] });
    expect((config as CheckoutConfig).request).to.deep.equal({ pay_method: 'card', amount: 14000 });
  });

  it('params are merged last, over the attributes', () => {
    expect(request({ 'pay-method': 'card', name: 'chair' }, { pay_method: 'trans', period: { from: '20300101' } })).to.deep.equal({
      pay_method: 'trans',
      amount: 14000,
      name: 'chair',
      period: { from: '20300101' },
    });
  });

  it('sdk-src is resolved against the page', () => {
    expect((parse({ 'sdk-src': '/sdk/iamport.js' }) as CheckoutConfig).sdkSrc).to.equal(new URL('/sdk/iamport.js', document.baseURI).href);
  });

  const REFUSED: [title: string, attributes: Partial<Record<AttributeName, AttributeValue>>, message: string][] = [
    ['no merchant', { merchant: null }, 'Invalid attribute "merchant": expected a merchant code such as "imp12345678", got null.'],
    ['a blank merchant', { merchant: '  ' }, 'Invalid attribute "merchant": expected a merchant code such as "imp12345678", got "  ".'],
    ['no amount', { amount: null }, 'Invalid attribute "amount": expected a positive whole number of won, got null.'],
    ['a hexadecimal amount', { amount: '0x10' }, 'Invalid attribute "amount": expected a positive whole number of won, got "0x10".'],
    ['half a won, whatever the case of KRW', { amount: '1.5', currency: 'krw' }, 'Invalid attribute "amount": expected a positive whole number of won, got "1.5".'],
    ['a negative amount in USD', { amount: '-1', currency: 'USD' }, 'Invalid attribute "amount": expected a positive number, got "-1".'],
    ['more digits than a number holds', { amount: '9'.repeat(400), currency: 'USD' }, `Invalid attribute "amount": expected a positive number, got "${'9'.repeat(400)}".`],
    ['a count with an exponent', { 'tax-free': '1e3' }, 'Invalid attribute "tax-free": expected a number ≥ 0, got "1e3".'],
    ['a negative count', { 'vat-amount': '-1' }, 'Invalid attribute "vat-amount": expected a number ≥ 0, got "-1".'],
    ['a three-digit month', { 'card-quota': '2,100' }, 'Invalid attribute "card-quota": expected months such as "2,3,6", got "2,100".'],
    ['custom-data that is not JSON', { 'custom-data': '{gift}' }, 'Invalid attribute "custom-data": expected JSON, got "{gift}".'],
    ['items with a quantity of 0', { items: '[{"id":"chair-01","quantity":0}]' }, 'Invalid attribute "items": expected [{"id": text, "quantity": a whole number ≥ 1}, …], got "[{\\"id\\":\\"chair-01\\",\\"quantity\\":0}]".'],
    ['a malformed sdk-src', { 'sdk-src': 'http://[bad' }, 'Invalid attribute "sdk-src": expected a URL, got "http://[bad".'],
  ];
  for (const [title, attributes, message] of REFUSED) {
    it(`refused: ${title}`, () => {
      expect(parse(attributes)).to.equal(message);
    });
  }
});

describe('params: readAmount, the amount the label shows', () => {
  const CASES: [value: AttributeValue, currency: string | null, amount: number | undefined][] = [
    ['14000', null, 14000],
    ['14000', 'krw', 14000],
    [' 14000 ', 'KRW', 14000],
    ['10.5', 'USD', 10.5],
    ['10.5', null, undefined],
    ['0x10', null, undefined],
    ['1e3', null, undefined],
    ['14,000', null, undefined],
    ['+14000', null, undefined],
    ['0', 'USD', undefined],
    ['', null, undefined],
    [null, null, undefined],
    ['Infinity', 'USD', undefined],
  ];
  for (const [value, currency, amount] of CASES) {
    it(`${JSON.stringify(value)} in ${currency ?? 'KRW (absent)'} → ${amount}`, () => {
      expect(readAmount(value, currency)).to.equal(amount);
    });
  }

  it('accepts exactly what a payment accepts', () => {
    for (const [value, currency] of CASES) {
      const paid = parse({ amount: value, currency });
      expect(readAmount(value, currency), JSON.stringify(value)).to.equal(typeof paid === 'string' ? undefined : paid.request.amount);
    }
  });
});

describe('params: generateMerchantUid', () => {
  it('a fresh id each time, within PortOne’s 40 characters; the first one says on the console what it costs', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void warnings.push(message);
    let ids: string[];
    try {
      ids = Array.from({ length: 20 }, generateMerchantUid);
      // The hint's text is imported when it is due: it is printed a moment later.
      await hintsPrinted();
    } finally {
      console.warn = warn;
    }
    expect(new Set(ids).size).to.equal(ids.length);
    for (const id of ids) expect(id).to.match(/^pc_[0-9a-z]+_[0-9a-z]+_[0-9a-z]+$/).and.have.length.below(41);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include('merchant_uid');
  });
});
