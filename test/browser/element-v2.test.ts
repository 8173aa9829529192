// The element in V2 mode (store-id): a V2 landing is claimed by a V2 element only,
// cleaned and verified with { paymentId, txId? }; a landing with `code` fails at stage payment without a verify
// call; an existing window.PortOne is used as is and its `undefined` answer (a redirect) dispatches nothing.
// Flows against the sandbox's stand-in browser-sdk.js and the real V2 verifier come once those branches are merged.
import { expect } from '@open-wc/testing';
import type { PaymentFailureDetailV2, PaymentSuccessDetailV2 } from '../../src/events.js';
import { cleanup, clearEndpointCalls, click, create, endpointCalls, failureOf, MERCHANT, nextTask, recordEvents, SDK_URL, stateReached, successOf } from './element-helpers.js';

const original = location.href;
let n = 0;
const unique = () => `v2el${Date.now().toString(36)}${++n}`;

/** A verify-url (test endpoint) answering this JSON with 200: the protocol seen from the element, not PortOne's behaviour. */
const answering = (json: Record<string, unknown>) => `/__test/verify?status=200&answer=${encodeURIComponent(JSON.stringify(json))}`;

function v2(extra: Record<string, string | true> = {}) {
  return { 'store-id': 'store-test', 'channel-key': 'channel-key-test', amount: '14000', name: '의자', ...extra };
}

/** Put a V2 landing into the address bar, as PortOne appends to redirectUrl. */
function land(query: Record<string, string>): void {
  const url = new URL(original);
  for (const [key, value] of Object.entries(query)) url.searchParams.append(key, value);
  history.replaceState(history.state, '', url.href);
}

describe('<portone-checkout> PortOne V2 (store-id)', () => {
  beforeEach(clearEndpointCalls);
  afterEach(() => {
    cleanup();
    history.replaceState(history.state, '', original);
    delete (window as { PortOne?: unknown }).PortOne;
  });

  it('a landing with txId → verify { paymentId, txId } → payment-success with version v2, via redirect; the address bar is cleaned', async () => {
    const paymentId = unique();
    const verification = { status: 'paid', paymentId, txId: 'tx-1', amount: 14000, currency: 'KRW', payMethod: 'CARD' };
    land({ paymentId, txId: 'tx-1' });
    const el = create(v2({ 'verify-url': answering(verification) }));
    const success = successOf(el);
    document.body.append(el);
    const detail = (await success) as unknown as PaymentSuccessDetailV2;
    expect(detail).to.deep.equal({ version: 'v2', paymentId, txId: 'tx-1', amount: 14000, currency: 'KRW', status: 'paid', payMethod: 'CARD', via: 'redirect', verification });
    expect(location.href).to.equal(original);
    expect((await endpointCalls()).map((c) => c.body)).to.deep.equal([{ paymentId, txId: 'tx-1' }]);
  });

  it('a landing without txId → verify { paymentId } → the detail’s txId is the verify answer’s', async () => {
    const paymentId = unique();
    const verification = { status: 'virtual_account_issued', paymentId, txId: 'tx-9', amount: 14000, currency: 'KRW', payMethod: 'VIRTUAL_ACCOUNT' };
    land({ paymentId });
    const el = create(v2({ 'verify-url': answering(verification) }));
    const success = successOf(el);
    document.body.append(el);
    const detail = (await success) as unknown as PaymentSuccessDetailV2;
    expect(detail).to.include({ version: 'v2', paymentId, txId: 'tx-9', status: 'virtual_account_issued', payMethod: 'VIRTUAL_ACCOUNT', via: 'redirect' });
    expect((await endpointCalls()).map((c) => c.body)).to.deep.equal([{ paymentId }]);
  });

  it('a landing with code → stage payment with PortOne’s and the PG’s words, no verify call', async () => {
    const paymentId = unique();
    land({ paymentId, txId: 'tx-2', code: 'FAILURE_TYPE_PG', message: '한도 초과', pgCode: 'F0004', pgMessage: '한도초과' });
    const el = create(v2({ 'verify-url': answering({ status: 'paid' }) }));
    const failure = failureOf(el);
    document.body.append(el);
    const detail = (await failure) as unknown as PaymentFailureDetailV2;
    expect(detail).to.deep.equal({ version: 'v2', stage: 'payment', code: 'FAILURE_TYPE_PG', message: '한도 초과', pgCode: 'F0004', pgMessage: '한도초과', paymentId, txId: 'tx-2', retryable: false, cancelled: false, via: 'redirect' });
    expect(location.href).to.equal(original);
    expect(await endpointCalls()).to.deep.equal([]);
  });

  it('V1 and V2 elements on one page: a V2 landing goes to the V2 element (its payment-id), a V1 element hears nothing', async () => {
    const paymentId = unique();
    land({ paymentId, txId: 'tx-3' });
    const v1 = create({ merchant: MERCHANT, amount: '14000', 'sdk-src': SDK_URL });
    const other = create(v2({ 'verify-url': answering({ status: 'paid', amount: 14000 }) }));
    const mine = create(v2({ 'payment-id': paymentId, 'verify-url': answering({ status: 'paid', amount: 14000, currency: 'KRW', payMethod: 'CARD' }) }));
    const events = recordEvents();
    const success = successOf(mine);
    document.body.append(v1, other, mine);
    await success;
    await nextTask();
    expect(events.map((e) => [e.type, e.target, (e.detail as { version: string }).version])).to.deep.equal([['payment-success', mine, 'v2']]);
  });

  it('an existing window.PortOne is used as is (nothing loaded); its undefined answer (a redirect) dispatches nothing', async () => {
    const requests: Record<string, unknown>[] = [];
    (window as { PortOne?: unknown }).PortOne = { requestPayment: async (request: Record<string, unknown>) => void requests.push(request) };
    const el = create(v2({ 'payment-id': 'order1', 'redirect-url': 'https://shop.example/done', 'sdk-src': '/__test/sdk/404.js' }));
    document.body.append(el);
    const events = recordEvents();
    click(el);
    await stateReached(el, 'paying');
    await nextTask();
    expect(requests).to.deep.equal([{ storeId: 'store-test', channelKey: 'channel-key-test', paymentId: 'order1', orderName: '의자', totalAmount: 14000, currency: 'KRW', payMethod: 'CARD', redirectUrl: 'https://shop.example/done' }]);
    expect(events).to.deep.equal([]);
    expect([...document.scripts].filter((s) => s.src.includes('/__test/sdk/404.js'))).to.deep.equal([]);
  });

  it('a bad V2 attribute → config failure with version v2, nothing loaded or sent', async () => {
    const el = create(v2({ name: '' }));
    document.body.append(el);
    const detail = await new Promise<PaymentFailureDetailV2>((resolve) => {
      el.addEventListener('payment-failure', (e) => resolve(e.detail as PaymentFailureDetailV2), { once: true });
      click(el);
    });
    expect(detail).to.deep.equal({ version: 'v2', stage: 'config', code: 'invalid_attribute', message: 'Invalid attribute "name": expected the order name (V2 needs one), got \"\".', retryable: false, cancelled: false });
    expect(await endpointCalls()).to.deep.equal([]);
  });
});
