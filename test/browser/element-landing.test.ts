// Mobile redirect landings: the page comes back from PortOne with imp_uid / merchant_uid (and maybe imp_success,
// success, error_code, error_msg) in its URL. Exactly one element claims it, the address bar loses the landing
// parameters at once (the runner's own query parameters stay), and the verify endpoint alone decides success.
import { expect } from '@open-wc/testing';
import type { PortoneCheckoutElement } from '../../src/index.js';
import {
  cleanup,
  clearEndpointCalls,
  click,
  create,
  endpointCalls,
  failureOf,
  MERCHANT,
  nextTask,
  recordEvents,
  SDK_URL,
  successOf,
  USER_CANCEL_MSG,
} from './element-helpers.js';
import { control, payment, uniqueMerchantUid } from './sandbox.js';
import { storeOrder, VERIFY_URL } from './verifier.js';

const original = location.href;

/** Put a landing into the address bar, after the page's own query (as PortOne appends to m_redirect_url). */
function land(query: Record<string, string>, own = ''): string {
  const url = new URL(original);
  url.search += own;
  const before = url.href;
  for (const [key, value] of Object.entries(query)) url.searchParams.append(key, value);
  history.replaceState(history.state, '', url.href);
  return before;
}

/** An order the verifier stored, and a real payment of it at the sandbox, as if the buyer had just paid on a phone. */
async function paid(status: 'paid' | 'failed' = 'paid', amount = 14000): Promise<{ imp_uid: string; merchant_uid: string }> {
  const merchant_uid = uniqueMerchantUid('land');
  await storeOrder({ merchant_uid, amount });
  const p = await control<{ imp_uid: string }>('/payments', 'POST', { merchant_uid, amount, status, pay_method: 'card', channel: 'mobile' });
  return { imp_uid: p.imp_uid, merchant_uid };
}

const landingElement = (extra: Record<string, string> = {}) =>
  create({ merchant: MERCHANT, amount: '14000', 'sdk-src': SDK_URL, 'verify-url': VERIFY_URL, ...extra });

describe('<portone-checkout> mobile landing', () => {
  beforeEach(clearEndpointCalls);
  afterEach(() => {
    history.replaceState(history.state, '', original);
    cleanup();
  });

  it('the runner’s own query parameters are there to keep', () => {
    expect(new URL(original).search, 'a landing test needs other parameters to check they survive').not.to.equal('');
  });

  for (const [shape, flag] of [
    ['legacy imp_success=true', { imp_success: 'true' }],
    ['success=true', { success: 'true' }],
    ['new-module PG: neither flag', {}],
  ] as const) {
    it(`success (${shape}) → verify → payment-success via redirect; the address bar is cleaned`, async () => {
      const { imp_uid, merchant_uid } = await paid();
      const clean = land({ imp_uid, merchant_uid, ...flag });
      const el = landingElement();
      const success = successOf(el);
      document.body.append(el);
      await null; // the claim waits one microtask, to weigh every element upgraded in the same pass
      expect(location.href, 'cleaned at once').to.equal(clean);
      const detail = await success;
      const { paid_at, receipt_url } = await payment(imp_uid);
      expect(detail).to.deep.equal({
        version: 'v1',
        impUid: imp_uid,
        merchantUid: merchant_uid,
        amount: 14000,
        status: 'paid',
        payMethod: 'card',
        via: 'redirect',
        // The reference verifier's paid answer (README, Routes): PortOne's payment, and the order's fulfilment.
        verification: { status: 'paid', imp_uid, merchant_uid, amount: 14000, currency: 'KRW', pay_method: 'card', paid_at, receipt_url, fulfilment: 'done' },
      });
      expect(location.href).to.equal(clean);
      expect(await endpointCalls()).to.deep.equal([{ path: VERIFY_URL, query: '', body: { imp_uid, merchant_uid } }]);
    });
  }

  // `cancelled`: the buyer closed the window, as each landing shape reports it (PORTONE-V1.md §6.5).
  for (const [title, query, code, cancelled] of [
    ['imp_success=false with error_msg (the buyer closed the window)', { imp_success: 'false', error_msg: USER_CANCEL_MSG }, 'payment_failed', true],
    ['success=false, error_code and error_msg', { success: 'false', error_code: 'F0004', error_msg: '한도초과' }, 'F0004', false],
    ['new-module PG: error_code and error_msg only (closed)', { error_code: 'PAY_PROCESS_CANCELED', error_msg: '결제를 취소하였습니다' }, 'PAY_PROCESS_CANCELED', true],
    ['new-module PG: a decline', { error_code: 'REJECT_CARD_COMPANY', error_msg: '카드사 거절' }, 'REJECT_CARD_COMPANY', false],
    ['imp_success=false and nothing else', { imp_success: 'false' }, 'payment_failed', false],
    ['the misspelt error_coe', { imp_success: 'false', error_coe: 'F1001', error_msg: '등록되지 않은 PG모듈 정보입니다.' }, 'F1001', false],
    ['the SDK’s own redirect without m_redirect_url: success=false and the close message', { success: 'false', error_msg: USER_CANCEL_MSG }, 'payment_failed', true],
    ['KG이니시스’s own words for a close', { imp_success: 'false', error_msg: '사용자가 결제를 취소하였습니다.' }, 'payment_failed', true],
    ['an authentication that stopped (F0005) is not a close', { imp_success: 'false', error_code: 'F0005', error_msg: '결제가 중단되었습니다. 정상적 인증 처리가 되지 않았습니다.' }, 'F0005', false],
  ] as const) {
    it(`failure (${title}) → stage payment via redirect, cancelled ${cancelled}, no verify call`, async () => {
      const { imp_uid, merchant_uid } = await paid('failed');
      const clean = land({ imp_uid, merchant_uid, ...query });
      const el = landingElement({ 'merchant-uid': merchant_uid });
      const failure = failureOf(el);
      document.body.append(el);
      const detail = await failure;
      expect(detail).to.deep.include({ stage: 'payment', code, impUid: imp_uid, merchantUid: merchant_uid, retryable: false, cancelled, via: 'redirect' });
      if ('error_msg' in query) expect(detail.message).to.include(query.error_msg);
      expect(detail.message).to.be.a('string').and.not.equal('');
      expect(location.href).to.equal(clean);
      await nextTask();
      expect(await endpointCalls(), 'no verify call').to.deep.equal([]);
    });
  }

  it('a failure landing without imp_uid (the SDK’s own redirect) → stage payment', async () => {
    const merchant_uid = uniqueMerchantUid('land');
    land({ imp_uid: '', merchant_uid, imp_success: 'false', error_msg: '결제요청 파라메터가 누락되었습니다.' });
    const el = landingElement();
    const failure = failureOf(el);
    document.body.append(el);
    const detail = await failure;
    expect(detail).to.deep.include({ stage: 'payment', merchantUid: merchant_uid, via: 'redirect', retryable: false, cancelled: false });
    expect(detail).not.to.have.property('impUid');
    expect(detail.message).to.include('결제요청 파라메터가 누락되었습니다.');
  });

  it('imp_success=true is never trusted: a failed payment fails at verify', async () => {
    const { imp_uid, merchant_uid } = await paid('failed');
    land({ imp_uid, merchant_uid, imp_success: 'true' });
    const el = landingElement();
    const events = recordEvents(el);
    const failure = failureOf(el);
    document.body.append(el);
    expect(await failure).to.deep.include({ stage: 'verify', code: 'http_402', retryable: false, via: 'redirect', impUid: imp_uid });
    await nextTask();
    expect(events.map((e) => e.type)).to.deep.equal(['payment-failure']);
  });

  it('two elements → exactly one event, from the one whose merchant-uid matches', async () => {
    const { imp_uid, merchant_uid } = await paid();
    land({ imp_uid, merchant_uid, imp_success: 'true' });
    const host = document.createElement('div');
    const other = landingElement({ 'merchant-uid': 'another-order' });
    const mine = landingElement({ 'merchant-uid': merchant_uid });
    host.append(other, mine);
    const events = recordEvents(host);
    const success = successOf(mine);
    document.body.append(host);
    try {
      await success;
      await nextTask();
      expect(events.map((e) => [e.type, e.target])).to.deep.equal([['payment-success', mine]]);
      expect(other.state).to.equal('idle');
    } finally {
      host.remove();
    }
  });

  it('two elements, none matching → the first connected claims it', async () => {
    const { imp_uid, merchant_uid } = await paid();
    land({ imp_uid, merchant_uid });
    const host = document.createElement('div');
    const first = landingElement();
    const second = landingElement({ 'merchant-uid': 'another-order' });
    host.append(first, second);
    const events = recordEvents(host);
    document.body.append(host);
    try {
      await successOf(first);
      await nextTask();
      expect(events.map((e) => [e.type, e.target])).to.deep.equal([['payment-success', first]]);
    } finally {
      host.remove();
    }
  });

  it('the page’s other query parameters stay exactly as written; the hash too', async () => {
    const { imp_uid, merchant_uid } = await paid();
    const url = new URL(original);
    url.search += '&lang=ko&q=a%20b&path=/x/y~z&flag';
    url.hash = '#cart';
    history.replaceState(history.state, '', `${url.origin}${url.pathname}${url.search}&imp_uid=${imp_uid}&merchant_uid=${merchant_uid}&imp_success=true${url.hash}`);
    const el = landingElement();
    const success = successOf(el);
    document.body.append(el);
    await null;
    expect(location.href).to.equal(url.href);
    await success;
  });

  it('after cleaning, a new element (as after a reload) does nothing', async () => {
    const { imp_uid, merchant_uid } = await paid();
    land({ imp_uid, merchant_uid, imp_success: 'true' });
    const first = landingElement();
    const success = successOf(first);
    document.body.append(first);
    await success;
    await clearEndpointCalls();
    const later = landingElement({ 'merchant-uid': merchant_uid });
    const events = recordEvents(later);
    document.body.append(later);
    await nextTask();
    expect(later.state).to.equal('idle');
    expect(events).to.deep.equal([]);
    expect(await endpointCalls()).to.deep.equal([]);
  });

  it('the same landing put back in the address bar is not claimed twice', async () => {
    const { imp_uid, merchant_uid } = await paid();
    land({ imp_uid, merchant_uid, imp_success: 'true' });
    const first = landingElement();
    const success = successOf(first);
    document.body.append(first);
    await success;
    await clearEndpointCalls();
    land({ imp_uid, merchant_uid, imp_success: 'true' }); // e.g. history.back() to a copy of the old URL
    const later = landingElement();
    const events = recordEvents(later);
    document.body.append(later);
    await nextTask();
    expect(later.state).to.equal('idle');
    expect(events).to.deep.equal([]);
    expect(await endpointCalls()).to.deep.equal([]);
  });

  it('a verify that fails retryably keeps the landing in memory: the next click verifies it again', async () => {
    const { imp_uid, merchant_uid } = await paid();
    const clean = land({ imp_uid, merchant_uid, imp_success: 'true' });
    const el: PortoneCheckoutElement = landingElement({ 'verify-url': '/__test/verify?status=502' });
    const failure = failureOf(el);
    document.body.append(el);
    expect(await failure).to.deep.include({ stage: 'verify', code: 'http_502', retryable: true, via: 'redirect', impUid: imp_uid, merchantUid: merchant_uid });
    expect(location.href, 'cleaned even though verification failed').to.equal(clean);
    el.verifyUrl = VERIFY_URL;
    const success = successOf(el);
    click(el);
    expect(await success).to.deep.include({ impUid: imp_uid, merchantUid: merchant_uid, via: 'redirect', status: 'paid' });
  });

  it('an element without a landing in the URL does nothing on connect', async () => {
    const el = landingElement();
    const events = recordEvents(el);
    document.body.append(el);
    await nextTask();
    expect(el.state).to.equal('idle');
    expect(events).to.deep.equal([]);
    expect(location.href).to.equal(original);
  });
});
