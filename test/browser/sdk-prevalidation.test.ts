// Requests PortOne refuses before any payment window opens, answered as PortOne answers them, and the
// SDK's own refusals (no IMP.init, no parameters): an alert() and no callback at all.
// The prepared-amount check (POST /payments/prepare) is in test/e2e/prepare.test.ts: PortOne's REST API
// sends no CORS headers (nor does the sandbox's), so a page cannot register an amount itself.
import { expect } from '@open-wc/testing';
import { captureAlerts, control, loadSdk, paymentsFor, payScripted, requestPay, uniqueMerchantUid } from './sandbox.js';

describe('stand-in iamport.js: pre-validation', () => {
  afterEach(() => {
    expect(document.querySelector('.imp-dialog'), 'no payment window opened').to.equal(null);
  });

  it('an already-paid merchant_uid → F1002, imp_uid null, and no new payment', async () => {
    const merchant_uid = uniqueMerchantUid('paid');
    await control('/payments', 'POST', { merchant_uid, amount: 5000, status: 'paid' });
    const rsp = await requestPay({ pg: 'html5_inicis', pay_method: 'card', merchant_uid, amount: 5000, name: '중복' });
    expect(rsp).to.deep.equal({ success: false, imp_uid: null, merchant_uid, error_code: 'F1002', error_msg: '이미 결제가 이루어진 거래건입니다.' });
    expect(await paymentsFor(merchant_uid)).to.have.length(1);
  });

  it('a merchant_uid whose only payment was cancelled (a refunded forgery) may be paid again', async () => {
    const merchant_uid = uniqueMerchantUid('cancelled');
    await control('/payments', 'POST', { merchant_uid, amount: 5000, status: 'cancelled' });
    await control('/scripts', 'POST', { merchant_uid, action: 'approve' });
    const rsp = await requestPay({ pg: 'html5_inicis', merchant_uid, amount: 5000 });
    expect(rsp.success).to.equal(true);
    expect(rsp.error_code).to.equal(undefined);
  });

  it('a merchant_uid with a paid payment beside a cancelled one is refused: F1002', async () => {
    const merchant_uid = uniqueMerchantUid('paid');
    await control('/payments', 'POST', { merchant_uid, amount: 5000, status: 'cancelled' });
    await control('/payments', 'POST', { merchant_uid, amount: 5000, status: 'paid' });
    const rsp = await requestPay({ pg: 'html5_inicis', merchant_uid, amount: 5000 });
    expect(rsp.error_code).to.equal('F1002');
  });

  it('a merchant_uid whose earlier attempt failed may be paid again', async () => {
    const merchant_uid = uniqueMerchantUid('retry');
    await control('/payments', 'POST', { merchant_uid, amount: 5000, status: 'failed' });
    await control('/scripts', 'POST', { merchant_uid, action: 'approve' });
    const rsp = await requestPay({ pg: 'html5_inicis', merchant_uid, amount: 5000 });
    expect(rsp.success).to.equal(true);
  });

  for (const [label, amount] of [
    ['missing', undefined],
    ['a string', '1000'],
    ['zero', 0],
    ['negative', -100],
    ['not a number', Number.NaN],
  ] as const) {
    it(`amount ${label} → F400 naming amount, imp_uid null`, async () => {
      const merchant_uid = uniqueMerchantUid('amount');
      const params: Record<string, unknown> = { pg: 'html5_inicis', pay_method: 'card', merchant_uid, name: '금액' };
      if (amount !== undefined) params.amount = amount;
      const rsp = await requestPay(params);
      expect(rsp.success).to.equal(false);
      expect(rsp.imp_uid).to.equal(null);
      expect(rsp.merchant_uid).to.equal(merchant_uid);
      expect(rsp.error_code).to.equal('F400');
      expect(rsp.error_msg).to.be.a('string').and.include('amount');
      expect(await paymentsFor(merchant_uid)).to.deep.equal([]);
    });
  }

  it("an unknown pg → the SDK's own F1001: imp_success false and the misspelt error_coe, no error_code", async () => {
    const merchant_uid = uniqueMerchantUid('pg');
    const rsp = await requestPay({ pg: 'nosuchpg.MID1', pay_method: 'card', merchant_uid, amount: 1000 });
    expect(Object.keys(rsp).sort()).to.deep.equal(['error_coe', 'error_msg', 'imp_success', 'imp_uid', 'merchant_uid']);
    expect(rsp.imp_success).to.equal(false);
    expect(rsp.imp_uid).to.equal(null);
    expect(rsp.merchant_uid).to.equal(merchant_uid);
    expect(rsp.error_coe).to.equal('F1001');
    expect(rsp.error_msg).to.be.a('string').and.match(/^등록되지 않은 PG모듈 정보입니다\./);
    expect(await paymentsFor(merchant_uid)).to.deep.equal([]);
  });

  it('a pre-validation failure for a new-module PG carries no success flag', async () => {
    const merchant_uid = uniqueMerchantUid('toss');
    await control('/payments', 'POST', { merchant_uid, amount: 5000, status: 'paid', pg: 'tosspayments' });
    const rsp = await requestPay({ pg: 'tosspayments', merchant_uid, amount: 5000 });
    expect(rsp).to.deep.equal({ imp_uid: null, merchant_uid, error_code: 'F1002', error_msg: '이미 결제가 이루어진 거래건입니다.' });
  });

  describe('refused by the SDK itself: alert, no callback', () => {
    /**
     * After a refused request, a complete scripted payment (a round trip through the sandbox) must call
     * back while the refused request's callback stays silent and no payment exists for it.
     */
    async function expectNoCallback(merchant_uid: string, called: unknown[]): Promise<void> {
      const { rsp } = await payScripted({ action: 'approve' });
      expect(rsp.success, 'a later payment still works').to.equal(true);
      expect(called, 'the refused request never calls back').to.deep.equal([]);
      expect(await paymentsFor(merchant_uid)).to.deep.equal([]);
    }

    it('request_pay before IMP.init → "판매자 코드가 설정되지 않았습니다…" and nothing else', async () => {
      const IMP = await loadSdk();
      IMP.deinit!();
      const merchant_uid = uniqueMerchantUid('noinit');
      const called: unknown[] = [];
      const alerts = await captureAlerts(() => IMP.request_pay({ pg: 'html5_inicis', merchant_uid, amount: 1000 }, (rsp) => called.push(rsp)));
      expect(alerts).to.deep.equal(['판매자 코드가 설정되지 않았습니다. IMP.init()함수를 먼저 호출하세요.']);
      await expectNoCallback(merchant_uid, called);
    });

    it('request_pay without parameters → "결제요청 파라메터가 누락되었습니다." and nothing else', async () => {
      const IMP = await loadSdk();
      IMP.init('imp12345678');
      const called: unknown[] = [];
      const alerts = await captureAlerts(() => IMP.request_pay(undefined, (rsp) => called.push(rsp)));
      expect(alerts).to.deep.equal(['결제요청 파라메터가 누락되었습니다.']);
      const { rsp } = await payScripted({ action: 'approve' });
      expect(rsp.success).to.equal(true);
      expect(called).to.deep.equal([]);
    });
  });
});
