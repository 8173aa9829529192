// prepare-url: the element sends { amount, currency, name, merchant_uid?, items? } to the merchant's server first and
// pays with the merchant_uid, amount and currency it answers (the sandbox then holds the payment to that registered
// amount and currency); a prepare failure stops at stage `prepare`, a refused price with the server's price.
import { expect } from '@open-wc/testing';
import { cleanup, clearEndpointCalls, clickToFail, clickToSucceed, endpointCalls, liveRegion, MERCHANT, mount, type RequestPaySpy, SDK_URL, sdkReady, spyRequestPay, recordStates } from './element-helpers.js';
import { payment, uniqueMerchantUid } from './sandbox.js';
import { oneOf, PREPARE_URL, storeOrder, VERIFY_URL } from './verifier.js';

describe('<portone-checkout> prepare-url', () => {
  let spy: RequestPaySpy;

  before(sdkReady);
  beforeEach(async () => {
    await clearEndpointCalls();
    // Approve whatever merchant_uid the element ends up paying with (the server chooses it).
    spy = spyRequestPay({ action: 'approve' });
  });
  afterEach(() => {
    spy.restore();
    cleanup();
  });

  const attributes = (prepareUrl: string, extra: Record<string, string> = {}) => ({
    merchant: MERCHANT,
    amount: '14000',
    name: '의자',
    'sdk-src': SDK_URL,
    'prepare-url': prepareUrl,
    'verify-url': VERIFY_URL,
    ...extra,
  });

  /**
   * A prepare-url that answers this JSON (test/support/endpoints.ts), and that order stored at the verifier, which
   * then verifies its payment. For answers the reference verifier never gives: another amount or currency than the
   * page's is its 409 price_changed, never a 201.
   */
  async function answeringPrepare(answer: { merchant_uid: string; amount: number; currency?: string }): Promise<string> {
    await storeOrder(answer);
    return `/__test/prepare?answer=${encodeURIComponent(JSON.stringify(answer))}`;
  }

  it('pays with the merchant_uid and amount the server answered', async () => {
    const prepareUrl = await answeringPrepare({ merchant_uid: uniqueMerchantUid('prep_'), amount: 15000 });
    const el = mount(attributes(prepareUrl));
    const states = recordStates(el);
    const detail = await clickToSucceed(el);
    expect(states(), 'waiting for prepare-url is `loading`').to.deep.equal(['loading', 'paying', 'verifying', 'success']);
    const [prepareCall, verifyCall] = await endpointCalls();
    expect(prepareCall).to.deep.equal({ path: '/__test/prepare', query: prepareUrl.split('?')[1], body: { amount: 14000, currency: 'KRW', name: '의자' } });
    expect(spy.calls).to.have.length(1);
    const prepared = spy.calls[0].merchant_uid as string;
    expect(prepared).to.match(/^prep_/);
    expect(spy.calls[0].amount).to.equal(15000);
    expect(detail).to.deep.include({ merchantUid: prepared, amount: 15000, status: 'paid' });
    expect(verifyCall.body).to.deep.equal({ imp_uid: detail.impUid, merchant_uid: prepared });
    expect((await payment(detail.impUid)).amount).to.equal(15000);
  });

  it('pays with the merchant_uid the reference verifier made for the order', async () => {
    const el = mount(attributes(PREPARE_URL));
    const detail = await clickToSucceed(el);
    const [prepareCall, verifyCall] = await endpointCalls();
    expect(prepareCall).to.deep.equal({ path: PREPARE_URL, query: '', body: { amount: 14000, currency: 'KRW', name: '의자' } });
    const made = spy.calls[0].merchant_uid as string;
    expect(made, 'order_ + time + 96 random bits').to.match(/^order_[0-9a-z]+_[0-9a-f]{24}$/);
    expect(detail).to.deep.include({ merchantUid: made, amount: 14000, status: 'paid' });
    expect(verifyCall).to.deep.equal({ path: VERIFY_URL, query: '', body: { imp_uid: detail.impUid, merchant_uid: made } });
  });

  it('sends the page’s merchant-uid to the server, which may keep it', async () => {
    const merchantUid = uniqueMerchantUid();
    const el = mount(attributes(PREPARE_URL, { 'merchant-uid': merchantUid }));
    const detail = await clickToSucceed(el);
    expect((await endpointCalls())[0].body).to.deep.equal({ amount: 14000, currency: 'KRW', name: '의자', merchant_uid: merchantUid });
    expect(detail).to.deep.include({ merchantUid, amount: 14000 });
  });

  const ITEMS = [
    { id: 'chair-01', quantity: 2 },
    { id: 'desk-02', quantity: 1 },
  ];

  it('sends the items to prepare-url, never to request_pay', async () => {
    const el = mount(attributes(PREPARE_URL, { items: JSON.stringify(ITEMS) }));
    await clickToSucceed(el);
    expect((await endpointCalls())[0].body).to.deep.equal({ amount: 14000, currency: 'KRW', name: '의자', items: ITEMS });
    expect(spy.calls[0]).not.to.have.property('items');
    expect(JSON.stringify(spy.calls[0])).not.to.include('chair-01');
  });

  it('an array assigned to the items property is sent as the same items', async () => {
    const el = mount(attributes(PREPARE_URL));
    (el as unknown as { items: unknown }).items = ITEMS;
    expect(el.items).to.equal(JSON.stringify(ITEMS));
    await clickToSucceed(el);
    expect((await endpointCalls())[0].body.items).to.deep.equal(ITEMS);
  });

  it('an empty items attribute sends no items', async () => {
    const el = mount(attributes(PREPARE_URL, { items: '' }));
    await clickToSucceed(el);
    expect((await endpointCalls())[0].body).to.deep.equal({ amount: 14000, currency: 'KRW', name: '의자' });
  });

  it('without prepare-url the items go nowhere', async () => {
    // The element makes the merchant_uid up: the verifier learns of that order at request_pay.
    spy.restore();
    spy = spyRequestPay({ action: 'approve' }, { storeOrder: true });
    const el = mount({ ...attributes(''), items: JSON.stringify(ITEMS) });
    await clickToSucceed(el);
    expect((await endpointCalls()).map((c) => c.path)).to.deep.equal([VERIFY_URL]);
    expect(spy.calls[0]).not.to.have.property('items');
  });

  it('sends the page’s currency, in ISO 4217’s upper case, with a decimal amount as written', async () => {
    const el = mount(attributes(PREPARE_URL, { amount: '10.5', currency: 'usd' }));
    const detail = await clickToSucceed(el);
    expect((await endpointCalls())[0].body).to.deep.equal({ amount: 10.5, currency: 'USD', name: '의자' });
    expect(spy.calls[0]).to.include({ amount: 10.5, currency: 'USD' });
    expect(detail.amount).to.equal(10.5);
  });

  it('pays in the currency the server answered (the sandbox refuses another)', async () => {
    const el = mount(attributes(await answeringPrepare({ merchant_uid: uniqueMerchantUid(), amount: 10, currency: 'USD' })));
    const detail = await clickToSucceed(el);
    expect(spy.calls[0]).to.include({ amount: 10, currency: 'USD' });
    expect((await payment(detail.impUid)).currency).to.equal('USD');
  });

  it('an answer without currency keeps the page’s', async () => {
    const merchantUid = uniqueMerchantUid();
    const prepareUrl = `/__test/prepare?answer=${encodeURIComponent(JSON.stringify({ merchant_uid: merchantUid, amount: 12 }))}`;
    await storeOrder({ merchant_uid: merchantUid, amount: 12, currency: 'USD' });
    const el = mount(attributes(prepareUrl, { amount: '10', currency: 'USD' }));
    const detail = await clickToSucceed(el);
    expect(spy.calls[0]).to.include({ merchant_uid: merchantUid, amount: 12, currency: 'USD' });
    expect(detail).to.deep.include({ merchantUid, amount: 12 });
  });

  for (const currency of ['', 5]) {
    it(`an answered currency ${JSON.stringify(currency)} → stage prepare, invalid_answer, nothing paid`, async () => {
      const answer = { merchant_uid: uniqueMerchantUid(), amount: 14000, currency };
      const el = mount(attributes(`/__test/prepare?answer=${encodeURIComponent(JSON.stringify(answer))}`));
      expect(await clickToFail(el)).to.deep.include({ stage: 'prepare', code: 'invalid_answer', retryable: false });
      expect(spy.calls).to.deep.equal([]);
    });
  }

  it('the server’s own price, when the page shows it, is paid', async () => {
    const el = mount(attributes(PREPARE_URL, { items: oneOf('priced-14000') }));
    expect(await clickToSucceed(el)).to.deep.include({ amount: 14000, status: 'paid' });
  });

  it('409 price_changed → stage prepare, price_changed, not retryable, with the server’s price; nothing paid', async () => {
    const el = mount(attributes(PREPARE_URL, { items: oneOf('priced-15000') }));
    const detail = await clickToFail(el);
    expect(detail).to.deep.equal({ version: 'v1', stage: 'prepare', code: 'price_changed', message: 'The price is 15000 KRW, not 14000 KRW.', retryable: false, cancelled: false, amount: 15000, currency: 'KRW' });
    expect(spy.calls, 'request_pay never called').to.deep.equal([]);
    expect((await endpointCalls()).map((c) => c.path)).to.deep.equal([PREPARE_URL]);
    expect(liveRegion(el).textContent).to.equal('가격이 바뀌어 결제하지 않았습니다. 새 가격: ₩15,000');

    // The page shows the new price, and the buyer pays it.
    el.amount = String(detail.amount);
    expect(await clickToSucceed(el)).to.deep.include({ amount: 15000, status: 'paid' });
  });

  it('price_changed says the new price in the element’s language and currency', async () => {
    const el = mount(attributes(PREPARE_URL, { items: oneOf('priced-12.5-usd'), amount: '10', currency: 'USD', lang: 'en' }));
    expect(await clickToFail(el)).to.deep.include({ code: 'price_changed', amount: 12.5, currency: 'USD' });
    expect(liveRegion(el).textContent).to.equal('The price has changed, so nothing was paid. New price: $12.50');
  });

  it('price_changed is not retryable whatever the body says', async () => {
    const answer = { status: 'price_changed', amount: 15000, currency: 'KRW', message: 'new price', retryable: true };
    const el = mount(attributes(`/__test/prepare?status=409&answer=${encodeURIComponent(JSON.stringify(answer))}`));
    expect(await clickToFail(el)).to.deep.equal({ version: 'v1', stage: 'prepare', code: 'price_changed', message: 'new price', retryable: false, cancelled: false, amount: 15000, currency: 'KRW' });
  });

  it('a price_changed without the price is an ordinary 409', async () => {
    const answer = { status: 'price_changed', message: 'new price' };
    const el = mount(attributes(`/__test/prepare?status=409&answer=${encodeURIComponent(JSON.stringify(answer))}`));
    const detail = await clickToFail(el);
    expect(detail).to.deep.equal({ version: 'v1', stage: 'prepare', code: 'http_409', message: 'new price', retryable: false, cancelled: false });
    expect(liveRegion(el).textContent, 'the element’s own words, not the server’s').to.equal('주문을 만들지 못했습니다.');
  });

  it('HTTP 500 → stage prepare, retryable, nothing paid', async () => {
    const el = mount(attributes('/__test/prepare?status=500'));
    const detail = await clickToFail(el);
    expect(detail).to.deep.include({ stage: 'prepare', code: 'http_500', retryable: true });
    expect(detail.message).to.include('test endpoint answered 500');
    expect(spy.calls, 'request_pay never called').to.deep.equal([]);
    expect((await endpointCalls()).map((c) => c.path)).to.deep.equal(['/__test/prepare']);
  });

  it('HTTP 409 → stage prepare, not retryable', async () => {
    const el = mount(attributes('/__test/prepare?status=409'));
    expect(await clickToFail(el)).to.deep.include({ stage: 'prepare', code: 'http_409', retryable: false });
    expect(spy.calls).to.deep.equal([]);
  });

  it('an endpoint that cannot be reached → stage prepare, network, retryable', async () => {
    const el = mount(attributes('http://127.0.0.1:9/payments/prepare'));
    expect(await clickToFail(el)).to.deep.include({ stage: 'prepare', code: 'network', retryable: true });
    expect(spy.calls).to.deep.equal([]);
  });

  it('an answer without merchant_uid and amount → stage prepare', async () => {
    // The verify endpoint answers JSON, but not { merchant_uid, amount }.
    const el = mount(attributes('/__test/verify?says=paid'));
    const detail = await clickToFail(el);
    expect(detail.stage).to.equal('prepare');
    expect(detail.code).to.be.a('string').and.not.equal('');
    expect(detail.retryable).to.equal(false);
    expect(spy.calls).to.deep.equal([]);
  });
});
