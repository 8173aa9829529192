// Invalid attributes: a click reports them (stage `config`, code `invalid_attribute`, not retryable, the message
// names the attribute) and nothing leaves the page: no iamport.js tag, no request to any endpoint.
import { expect } from '@open-wc/testing';
import type { PortoneCheckoutElement } from '../../src/index.js';
import { afterIdle, button, cleanup, clearEndpointCalls, clickToFail, endpointCalls, MERCHANT, mount, nextTask } from './element-helpers.js';
import { sandboxUrl, uniqueMerchantUid } from './sandbox.js';
import { PREPARE_URL, VERIFY_URL } from './verifier.js';

type Case = [title: string, attributes: Record<string, string | null>, attribute: string];

const CASES: Case[] = [
  ['missing merchant', { merchant: null }, 'merchant'],
  ['blank merchant', { merchant: '   ' }, 'merchant'],
  ['missing amount', { amount: null }, 'amount'],
  ['empty amount', { amount: '' }, 'amount'],
  ['amount 0', { amount: '0' }, 'amount'],
  ['amount -5', { amount: '-5' }, 'amount'],
  ['amount abc', { amount: 'abc' }, 'amount'],
  ['amount 1e3', { amount: '1e3' }, 'amount'],
  ['amount 14,000', { amount: '14,000' }, 'amount'],
  ['amount Infinity', { amount: 'Infinity' }, 'amount'],
  ['amount 1.5 in KRW', { amount: '1.5' }, 'amount'],
  ['amount 1.5 in KRW, said explicitly', { amount: '1.5', currency: 'KRW' }, 'amount'],
  ['amount 1.5 in krw (lower case)', { amount: '1.5', currency: 'krw' }, 'amount'],
  ['tax-free x', { 'tax-free': 'x' }, 'tax-free'],
  ['vat-amount -1', { 'vat-amount': '-1' }, 'vat-amount'],
  ['card-quota a,b', { 'card-quota': 'a,b' }, 'card-quota'],
  ['card-quota 2,,3', { 'card-quota': '2,,3' }, 'card-quota'],
  ['custom-data {bad', { 'custom-data': '{bad' }, 'custom-data'],
  // A malformed URL fails this element at stage config (and never the loader: see loader.test.ts).
  ['sdk-src http://[bad', { 'sdk-src': 'http://[bad/iamport.js' }, 'sdk-src'],
  ['sdk-src with a port out of range', { 'sdk-src': 'https://cdn.iamport.kr:99999/v1/iamport.js' }, 'sdk-src'],
  ...(
    [
      ['not JSON', '[{id:"chair-01",quantity:1}]'],
      ['an object, not an array', '{"id":"chair-01","quantity":1}'],
      ['a string', '"chair-01"'],
      ['null', 'null'],
      ['blank', ' '],
      ['an entry that is a number', '[1]'],
      ['an entry that is null', '[null]'],
      ['an entry that is an array', '[["chair-01",1]]'],
      ['no id', '[{"quantity":1}]'],
      ['an empty id', '[{"id":"","quantity":1}]'],
      ['a number id', '[{"id":7,"quantity":1}]'],
      ['no quantity', '[{"id":"chair-01"}]'],
      ['quantity 0', '[{"id":"chair-01","quantity":0}]'],
      ['quantity -1', '[{"id":"chair-01","quantity":-1}]'],
      ['quantity 1.5', '[{"id":"chair-01","quantity":1.5}]'],
      ['quantity "2"', '[{"id":"chair-01","quantity":"2"}]'],
      ['quantity 1e400', '[{"id":"chair-01","quantity":1e400}]'],
      ['one bad entry among good ones', '[{"id":"chair-01","quantity":1},{"id":"desk-02","quantity":0}]'],
    ] as const
  ).map(([title, items]): Case => [`items: ${title}`, { items }, 'items']),
];

describe('<portone-checkout> invalid attributes', () => {
  afterEach(cleanup);

  before(() => expect(window.IMP, 'this file never loads iamport.js').to.equal(undefined));

  for (const [title, change, attribute] of CASES) {
    it(`${title} → config failure naming "${attribute}", nothing sent`, async () => {
      const sdkSrc = `${sandboxUrl}/iamport.js?config=${uniqueMerchantUid()}`;
      const attributes: Record<string, string> = { merchant: MERCHANT, amount: '14000', name: '의자', 'sdk-src': sdkSrc, 'prepare-url': PREPARE_URL, 'verify-url': VERIFY_URL };
      for (const [name, value] of Object.entries(change)) {
        if (value === null) delete attributes[name];
        else attributes[name] = value;
      }
      await clearEndpointCalls();
      const resourcesBefore = performance.getEntriesByType('resource').length;
      const el = mount(attributes);
      expect(button(el).disabled, 'invalid attributes never disable the button').to.equal(false);
      await afterIdle(); // the element may warm iamport.js up once it is idle: only with valid attributes

      const detail = await clickToFail(el);
      expect(detail).to.deep.equal({ version: 'v1', stage: 'config', code: 'invalid_attribute', message: detail.message, retryable: false, cancelled: false });
      expect(detail.message).to.include(`"${attribute}"`);
      expect(el.state).to.equal('failure');
      expect(button(el).disabled).to.equal(false);

      await nextTask();
      expect([...document.scripts].filter((s) => s.src.includes('iamport.js')), 'no script injected').to.deep.equal([]);
      const requests = performance.getEntriesByType('resource').slice(resourcesBefore).map((e) => e.name);
      expect(requests.filter((url) => !url.endsWith('/__test/calls')), 'no request made').to.deep.equal([]);
      expect(await endpointCalls(), 'neither prepare-url nor verify-url was called').to.deep.equal([]);
    });
  }

  it('pay() rejects with the same detail the event carries', async () => {
    const el = mount({ merchant: MERCHANT, amount: '0' });
    let fromEvent: unknown;
    el.addEventListener('payment-failure', (e) => (fromEvent = e.detail));
    const rejected = await el.pay().then(
      () => expect.fail('pay() resolved'),
      (detail: unknown) => detail,
    );
    expect(rejected).to.equal(fromEvent);
    expect(rejected).to.include({ stage: 'config', code: 'invalid_attribute', retryable: false });
  });

  it('a click after fixing the attribute pays normally (the failure is not sticky)', async () => {
    const el: PortoneCheckoutElement = mount({ merchant: MERCHANT, amount: 'abc', 'merchant-uid': uniqueMerchantUid(), 'sdk-src': `/__test/sdk/404.js?r=${uniqueMerchantUid()}` });
    const first = await clickToFail(el);
    expect(first.stage).to.equal('config');
    el.amount = '1000';
    const second = await clickToFail(el);
    expect(second.stage, 'past config: it tried to load iamport.js').to.equal('sdk');
  });
});
