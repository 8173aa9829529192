// The PC flow end to end: the sandbox's payment window (scripted) → the SDK callback → the page's verify endpoint
// → payment-success / payment-failure with SPEC §3's details. A success only ever comes from the verify answer.
import { expect } from '@open-wc/testing';
import type { PaymentFailureDetailV1 as PaymentFailureDetail } from '../../src/events.js';
import {
  cleanup,
  clearEndpointCalls,
  clickToFail,
  clickToSucceed,
  endpointCalls,
  liveRegion,
  mount,
  nextTask,
  recordEvents,
  recordStates,
  sdkReady,
  spyRequestPay,
  USER_CANCEL_MSG,
  valid,
} from './element-helpers.js';
import { payment, paymentsFor, queueScript, type Script } from './sandbox.js';
import { VERIFY_URL, withOrder } from './verifier.js';

/** An element with valid attributes (plus `extra`), its order stored at the verifier, whose next window does `script`. */
async function scripted(script: Omit<Script, 'merchant_uid'>, extra: Record<string, string | true> = {}) {
  const attributes = await withOrder(valid(extra));
  const merchantUid = attributes['merchant-uid'] as string;
  await queueScript({ ...script, merchant_uid: merchantUid });
  return { el: mount(attributes), merchantUid };
}

/** A verify-url that answers this JSON with this status (test/support/endpoints.ts). */
const answering = (status: number, json: Record<string, unknown>) => `/__test/verify?status=${status}&answer=${encodeURIComponent(JSON.stringify(json))}`;

/** Every failure carries exactly SPEC §3's fields, with a non-empty code and a boolean retryable and cancelled. */
function expectFailureShape(detail: PaymentFailureDetail): void {
  // SPEC §3's fields, plus `verification` (the verify endpoint's JSON, when it answered): this project's addition.
  expect(Object.keys(detail)).to.satisfy((keys: string[]) => keys.every((k) => ['version', 'stage', 'code', 'message', 'impUid', 'merchantUid', 'retryable', 'cancelled', 'via', 'verification'].includes(k)));
  expect(detail.code).to.be.a('string').and.not.equal('');
  expect(detail.message).to.be.a('string').and.not.equal('');
  expect(detail.retryable).to.be.a('boolean');
  expect(detail.cancelled).to.be.a('boolean');
}

describe('<portone-checkout> PC flow', () => {
  before(sdkReady);
  beforeEach(clearEndpointCalls);
  afterEach(cleanup);

  it('approve → verify 200 paid → payment-success with SPEC §3’s detail', async () => {
    const { el, merchantUid } = await scripted({ action: 'approve' });
    const states = recordStates(el);
    const events = recordEvents(el);
    const detail = await clickToSucceed(el);
    const p = await payment(detail.impUid);
    // The reference verifier's paid answer (README, Routes): PortOne's payment, and the order's fulfilment.
    const verification = { status: 'paid', imp_uid: p.imp_uid, merchant_uid: merchantUid, amount: 14000, currency: 'KRW', pay_method: 'card', paid_at: p.paid_at, receipt_url: p.receipt_url, fulfilment: 'done' };
    expect(detail).to.deep.equal({ version: 'v1', impUid: p.imp_uid, merchantUid, amount: 14000, status: 'paid', payMethod: 'card', via: 'callback', verification });
    expect(detail.impUid).to.match(/^imp_\d{12}$/);
    expect(p.status).to.equal('paid');
    // iamport.js is warm and there is no prepare-url: nothing to wait for, so no `loading` before the window.
    expect(states()).to.deep.equal(['paying', 'verifying', 'success']);
    expect(el.state).to.equal('success');
    await nextTask();
    expect(events.map((e) => e.type), 'one event').to.deep.equal(['payment-success']);
    expect(liveRegion(el).textContent).to.equal('결제가 완료되었습니다.');
  });

  it('verify is called with exactly {imp_uid, merchant_uid} as JSON', async () => {
    const { el, merchantUid } = await scripted({ action: 'approve' });
    const { impUid } = await clickToSucceed(el);
    const calls = await endpointCalls();
    expect(calls).to.deep.equal([{ path: VERIFY_URL, query: '', body: { imp_uid: impUid, merchant_uid: merchantUid } }]);
  });

  it('IMP.init(merchant) before every request_pay, even after the page de-initialised the SDK', async () => {
    const IMP = window.IMP!;
    const order: string[] = [];
    const { init, request_pay } = IMP;
    IMP.init = (code) => (order.push(`init ${code}`), init.call(IMP, code));
    IMP.request_pay = (params, cb) => (order.push('request_pay'), request_pay.call(IMP, params, cb));
    try {
      IMP.deinit!(); // without init the SDK only alerts and never calls back
      const first = await scripted({ action: 'approve' }, { merchant: 'imp00000001' });
      await clickToSucceed(first.el);
      const second = await scripted({ action: 'approve' }, { merchant: 'imp00000002' });
      await clickToSucceed(second.el);
      expect(order).to.deep.equal(['init imp00000001', 'request_pay', 'init imp00000002', 'request_pay']);
    } finally {
      Object.assign(IMP, { init, request_pay });
    }
  });

  it('without verify-url, it verifies at /payments/complete', async () => {
    const { el } = await scripted({ action: 'approve' }, { 'verify-url': '' });
    const detail = await clickToFail(el); // the page's origin has no such route (the verifier is under /__verifier/)
    expect(detail).to.deep.include({ stage: 'verify', code: 'http_404' });
    const requests = performance.getEntriesByType('resource').map((e) => e.name);
    expect(requests).to.include(new URL('/payments/complete', location.href).href);
  });

  it('the event bubbles out of shadow roots (composed) to the document', async () => {
    const { el } = await scripted({ action: 'approve' });
    const host = document.createElement('div');
    document.body.append(host);
    host.attachShadow({ mode: 'open' }).append(el);
    const events = recordEvents(document);
    await clickToSucceed(el);
    host.remove();
    expect(events.map((e) => [e.type, e.target])).to.deep.equal([['payment-success', el]]);
  });

  it('vbank → verify 200 ready → payment-success with status ready and the account in verification', async () => {
    const { el, merchantUid } = await scripted({ action: 'vbank' }, { 'pay-method': 'vbank' });
    const detail = await clickToSucceed(el);
    expect(detail).to.deep.include({ merchantUid, amount: 14000, status: 'ready', payMethod: 'vbank', via: 'callback' });
    expect(detail.verification).to.include({ status: 'ready', pay_method: 'vbank' });
    expect(detail.verification.vbank_num).to.be.a('string').and.not.equal('');
  });

  it('amount and payMethod come from the verify answer, not from the page', async () => {
    // The buyer pays a different amount in the window, and the verify endpoint answers paid with it. The reference
    // verifier never does (another amount than the order's is a forgery: refunded, 409), so a canned answer says it.
    const { el } = await scripted({ action: 'amount', amount: 100 }, { 'verify-url': answering(200, { status: 'paid', amount: 100, currency: 'KRW', pay_method: 'card' }) });
    const detail = await clickToSucceed(el);
    expect(detail.amount).to.equal(100);
    expect(detail.verification.amount).to.equal(100);
  });

  describe('the SDK reports a failure → stage payment, its words verbatim, no verify call', () => {
    // `cancelled`: the buyer closed the window (SPEC §3), as each response shape reports it; a decline is not a close.
    const cases: [string, Omit<Script, 'merchant_uid'>, Record<string, string>, { code: string; message: string; cancelled: boolean }][] = [
      ['decline (legacy success:false) with the PG’s code', { action: 'decline', error_code: 'F0004', error_msg: '카드 한도초과 <b>(잔액부족)</b>' }, {}, { code: 'F0004', message: '카드 한도초과 <b>(잔액부족)</b>', cancelled: false }],
      ['decline with the sandbox’s default code', { action: 'decline' }, {}, { code: 'SANDBOX_DECLINED', message: '[샌드박스] 카드사 승인 거절: 한도초과', cancelled: false }],
      ['close (legacy: error_msg, no error_code) → the element’s own code', { action: 'close' }, {}, { code: 'payment_failed', message: USER_CANCEL_MSG, cancelled: true }],
      ['decline in the imp_success shape', { action: 'decline', shape: 'imp_success', error_code: 'D01', error_msg: '거절됨' }, {}, { code: 'D01', message: '거절됨', cancelled: false }],
      ['close in the imp_success shape', { action: 'close', shape: 'imp_success' }, {}, { code: 'payment_failed', message: USER_CANCEL_MSG, cancelled: true }],
      ['decline from a new-module PG (tosspayments: no flag at all)', { action: 'decline', error_code: 'REJECT_CARD_COMPANY', error_msg: '카드사 거절' }, { pg: 'tosspayments' }, { code: 'REJECT_CARD_COMPANY', message: '카드사 거절', cancelled: false }],
      ['close from a new-module PG', { action: 'close' }, { pg: 'tosspayments' }, { code: 'PAY_PROCESS_CANCELED', message: USER_CANCEL_MSG, cancelled: true }],
      ['close from a new-module PG in its own words (only the code says it)', { action: 'close', error_msg: '결제를 취소하였습니다' }, { pg: 'tosspayments' }, { code: 'PAY_PROCESS_CANCELED', message: '결제를 취소하였습니다', cancelled: true }],
      ['close in KG이니시스’s own words', { action: 'close', error_msg: '사용자가 결제를 취소하였습니다.' }, {}, { code: 'payment_failed', message: '사용자가 결제를 취소하였습니다.', cancelled: true }],
      ['a decline that mentions 결제포기 elsewhere is not a close', { action: 'decline', error_code: 'F0005', error_msg: '결제가 중단되었습니다 (결제포기 아님)' }, {}, { code: 'F0005', message: '결제가 중단되었습니다 (결제포기 아님)', cancelled: false }],
    ];
    for (const [title, script, extra, expected] of cases) {
      it(title, async () => {
        const { el, merchantUid } = await scripted(script, extra);
        const events = recordEvents(el);
        const detail = await clickToFail(el);
        expectFailureShape(detail);
        expect(detail).to.deep.include({ stage: 'payment', code: expected.code, merchantUid, retryable: false, cancelled: expected.cancelled, via: 'callback' });
        expect(detail.message).to.include(expected.message);
        expect(detail.impUid).to.match(/^imp_\d{12}$/);
        expect(await endpointCalls(), 'no verify call').to.deep.equal([]);
        expect(el.state).to.equal('failure');
        // The element's own words (the page is Korean), not the PG's.
        expect(liveRegion(el).textContent).to.equal(expected.cancelled ? '결제를 취소했습니다.' : '결제하지 못했습니다.');
        await nextTask();
        expect(events.map((e) => e.type)).to.deep.equal(['payment-failure']);
      });
    }

    it('an unknown PG: the SDK’s misspelt error_coe is the code', async () => {
      const { el } = await scripted({ action: 'approve' }, { pg: 'nonexistent_pg.MID' });
      const detail = await clickToFail(el);
      expect(detail).to.deep.include({ stage: 'payment', code: 'F1001', retryable: false, cancelled: false });
      expect(detail.message).to.include('등록되지 않은 PG모듈 정보입니다.');
      expect(detail).not.to.have.property('impUid');
      expect(await endpointCalls()).to.deep.equal([]);
    });

    it('an already paid merchant-uid (F1002), SDK pre-validation', async () => {
      const first = await scripted({ action: 'approve' });
      await clickToSucceed(first.el);
      const again = mount(valid({ 'merchant-uid': first.merchantUid }));
      const detail = await clickToFail(again);
      expect(detail).to.deep.include({ stage: 'payment', code: 'F1002', merchantUid: first.merchantUid, retryable: false, cancelled: false });
      expect(detail.message).to.include('이미 결제가 이루어진 거래건입니다.');
    });
  });

  describe('new response shapes: success is settled by the verify endpoint alone', () => {
    it('imp_success shape (approve) → success', async () => {
      const { el } = await scripted({ action: 'approve', shape: 'imp_success' });
      expect((await clickToSucceed(el)).status).to.equal('paid');
    });

    it('no flag at all (pg tosspayments, approve) → success', async () => {
      const { el, merchantUid } = await scripted({ action: 'approve' }, { pg: 'tosspayments' });
      const detail = await clickToSucceed(el);
      expect(detail).to.deep.include({ merchantUid, status: 'paid', amount: 14000, via: 'callback' });
    });

    it('no flag at all, and verify says failed → failure, never success', async () => {
      const { el } = await scripted({ action: 'approve', shape: 'none' }, { 'verify-url': '/__test/verify?says=failed' });
      const events = recordEvents(el);
      const detail = await clickToFail(el);
      expect(detail).to.deep.include({ stage: 'verify', retryable: false });
      await nextTask();
      expect(events.map((e) => e.type)).to.deep.equal(['payment-failure']);
    });
  });

  describe('verify endpoint answers', () => {
    for (const status of [409, 402, 404]) {
      it(`HTTP ${status} → stage verify, not retryable`, async () => {
        const { el, merchantUid } = await scripted({ action: 'approve' }, { 'verify-url': `/__test/verify?status=${status}` });
        const detail = await clickToFail(el);
        expectFailureShape(detail);
        expect(detail).to.deep.include({ stage: 'verify', code: `http_${status}`, merchantUid, retryable: false, cancelled: false, via: 'callback' });
        expect(detail.impUid).to.match(/^imp_\d{12}$/);
        expect(detail.message).to.include(`test endpoint answered ${status}`);
        expect(detail.verification, 'the endpoint’s JSON rides along').to.deep.equal({ status: `status_${status}`, message: `test endpoint answered ${status}` });
      });
    }

    it('an endpoint that never answered leaves no `verification`', async () => {
      const { el } = await scripted({ action: 'approve' }, { 'verify-url': 'http://127.0.0.1:9/' });
      const detail = await clickToFail(el);
      expect(detail).to.deep.include({ stage: 'verify', code: 'network', retryable: true });
      expect(detail).not.to.have.property('verification');
    });

    it('HTTP 502 → retryable; the next click verifies the same payment again (no second window)', async () => {
      const { el, merchantUid } = await scripted({ action: 'approve' }, { 'verify-url': '/__test/verify?status=502' });
      const failure = await clickToFail(el);
      expect(failure).to.deep.include({ stage: 'verify', code: 'http_502', retryable: true, merchantUid });
      const spy = spyRequestPay();
      try {
        el.verifyUrl = VERIFY_URL;
        const success = await clickToSucceed(el);
        expect(success.impUid).to.equal(failure.impUid);
        expect(spy.calls, 'no new request_pay').to.deep.equal([]);
      } finally {
        spy.restore();
      }
      expect(await paymentsFor(merchantUid)).to.have.length(1);
      expect((await endpointCalls()).map((c) => c.body)).to.deep.equal([
        { imp_uid: failure.impUid, merchant_uid: merchantUid },
        { imp_uid: failure.impUid, merchant_uid: merchantUid },
      ]);
    });

    it('no answer (a port that refuses) → code network, retryable', async () => {
      const { el, merchantUid } = await scripted({ action: 'approve' }, { 'verify-url': 'http://127.0.0.1:9/payments/complete' });
      const detail = await clickToFail(el);
      expectFailureShape(detail);
      expect(detail).to.deep.include({ stage: 'verify', code: 'network', merchantUid, retryable: true, via: 'callback' });
    });

    it('200 with status failed while the SDK said success → failure, never success', async () => {
      const { el } = await scripted({ action: 'approve' }, { 'verify-url': '/__test/verify?says=failed' });
      const events = recordEvents(el);
      const detail = await clickToFail(el);
      expect(detail).to.deep.include({ stage: 'verify', retryable: false });
      expect(detail.code).to.be.a('string').and.not.equal('');
      expect(detail.message).to.include('the test endpoint says so');
      await nextTask();
      expect(events.map((e) => e.type)).to.deep.equal(['payment-failure']);
    });

    it('200 with status cancelled → failure', async () => {
      const { el } = await scripted({ action: 'approve' }, { 'verify-url': '/__test/verify?says=cancelled' });
      expect(await clickToFail(el)).to.deep.include({ stage: 'verify', retryable: false });
    });
  });
});
