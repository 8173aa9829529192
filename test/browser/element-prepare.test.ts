// prepare-url: the element asks the merchant's server first and pays with the merchant_uid and amount it answers
// (the sandbox then holds the payment to that registered amount); a prepare failure stops at stage `prepare`.
import { expect } from '@open-wc/testing';
import { cleanup, clearEndpointCalls, clickToFail, clickToSucceed, endpointCalls, MERCHANT, mount, type RequestPaySpy, SDK_URL, sdkReady, spyRequestPay, recordStates } from './element-helpers.js';
import { payment, uniqueMerchantUid } from './sandbox.js';

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
    'verify-url': '/__test/verify',
    ...extra,
  });

  it('pays with the merchant_uid and amount the server answered', async () => {
    const el = mount(attributes('/__test/prepare?amount=15000'));
    const states = recordStates(el);
    const detail = await clickToSucceed(el);
    expect(states(), 'waiting for prepare-url is `loading`').to.deep.equal(['loading', 'paying', 'verifying', 'success']);
    const [prepareCall, verifyCall] = await endpointCalls();
    expect(prepareCall).to.deep.equal({ path: '/__test/prepare', query: 'amount=15000', body: { amount: 14000, name: '의자' } });
    expect(spy.calls).to.have.length(1);
    const prepared = spy.calls[0].merchant_uid as string;
    expect(prepared).to.match(/^prep_/);
    expect(spy.calls[0].amount).to.equal(15000);
    expect(detail).to.deep.include({ merchantUid: prepared, amount: 15000, status: 'paid' });
    expect(verifyCall.body).to.deep.equal({ imp_uid: detail.impUid, merchant_uid: prepared });
    expect((await payment(detail.impUid)).amount).to.equal(15000);
  });

  it('sends the page’s merchant-uid to the server, which may keep it', async () => {
    const merchantUid = uniqueMerchantUid();
    const el = mount(attributes('/__test/prepare', { 'merchant-uid': merchantUid }));
    const detail = await clickToSucceed(el);
    expect((await endpointCalls())[0].body).to.deep.equal({ amount: 14000, name: '의자', merchant_uid: merchantUid });
    expect(detail).to.deep.include({ merchantUid, amount: 14000 });
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
