// The stand-in iamport.js on PC: the callback's fields for every choice the payment window offers, in each
// response shape PortOne uses, and the payment the sandbox's REST side holds afterwards.
import { expect } from '@open-wc/testing';
import { loadedPaymentFrame, loadSdk, payment, payScripted, queueScript, requestPay, type Rsp, uniqueMerchantUid } from './sandbox.js';

const USER_CANCEL_MSG = '[결제포기] 사용자가 결제를 취소하셨습니다';
const SHAPES = ['success', 'imp_success'] as const;
type LegacyShape = (typeof SHAPES)[number];

/** The flag the shape carries is there with `value`; the other one is not. */
function expectFlag(rsp: Record<string, unknown>, shape: LegacyShape, value: boolean): void {
  expect(rsp[shape], shape).to.equal(value);
  const other = shape === 'success' ? 'imp_success' : 'success';
  expect(rsp).not.to.have.property(other);
}

describe('stand-in iamport.js: PC callback', () => {
  afterEach(() => {
    expect(document.querySelector('.imp-dialog'), 'the overlay is gone once the callback ran').to.equal(null);
    expect(document.body.classList.contains('imp-payment-progress')).to.equal(false);
  });

  it('approve → legacy callback with success and the payment fields', async () => {
    const merchant_uid = uniqueMerchantUid();
    await queueScript({ merchant_uid, action: 'approve' });
    const rsp = await requestPay({ pg: 'html5_inicis.INIpayTest', pay_method: 'card', merchant_uid, amount: 14000, name: '의자', buyer_email: 'a@b.c', custom_data: { cart: 1 } });
    expect(rsp.success).to.equal(true);
    expect(rsp).not.to.have.property('imp_success');
    expect(rsp.imp_uid).to.match(/^imp_\d{12}$/);
    expect(rsp.merchant_uid).to.equal(merchant_uid);
    expect(rsp.paid_amount).to.equal(14000);
    expect(rsp.status).to.equal('paid');
    expect(rsp.pay_method).to.equal('card');
    expect(rsp.pg_provider).to.equal('html5_inicis');
    expect(rsp.pg_type).to.equal('payment');
    expect(rsp.name).to.equal('의자');
    expect(rsp.buyer_email).to.equal('a@b.c');
    expect(rsp.currency).to.equal('KRW');
    expect(rsp.custom_data).to.deep.equal({ cart: 1 });
    expect(rsp.paid_at).to.be.a('number').greaterThan(0);
    expect(rsp.apply_num).to.be.a('string');
    expect(rsp).not.to.have.property('error_code');
    expect(rsp).not.to.have.property('error_msg');

    const p = await payment(rsp.imp_uid as string);
    expect(p.status).to.equal('paid');
    expect(p.amount).to.equal(14000);
    expect(p.paid_at).to.equal(rsp.paid_at);
    expect(p.pg_tid).to.equal(rsp.pg_tid);
    expect(p.custom_data).to.equal('{"cart":1}');
    expect(p.channel).to.equal('pc');
  });

  for (const shape of SHAPES) {
    describe(`shape ${shape}`, () => {
      it('approve: flag true, paid, nothing about errors', async () => {
        const { merchant_uid, rsp } = await payScripted({ action: 'approve', shape }, { amount: 5100 });
        expectFlag(rsp, shape, true);
        expect(rsp.merchant_uid).to.equal(merchant_uid);
        expect(rsp.status).to.equal('paid');
        expect(rsp.paid_amount).to.equal(5100);
        expect(rsp).not.to.have.property('error_code');
        expect(rsp).not.to.have.property('error_msg');
        const p = await payment(rsp.imp_uid as string);
        expect(p.status).to.equal('paid');
        expect(p.amount).to.equal(5100);
      });

      it('decline: flag false with the default error_code and error_msg; the payment failed', async () => {
        const { rsp } = await payScripted({ action: 'decline', shape });
        expectFlag(rsp, shape, false);
        expect(rsp.imp_uid).to.match(/^imp_\d{12}$/);
        expect(rsp.status).to.equal('failed');
        expect(rsp.paid_amount).to.equal(0);
        expect(rsp.error_code).to.be.a('string').and.not.equal('');
        expect(rsp.error_msg).to.be.a('string').and.not.equal('');
        const p = await payment(rsp.imp_uid as string);
        expect(p.status).to.equal('failed');
        expect(p.fail_reason).to.equal(rsp.error_msg);
        expect(p.paid_at).to.equal(0);
      });

      it("decline: the script's own error_code and error_msg reach the callback", async () => {
        const { rsp } = await payScripted({ action: 'decline', shape, error_code: 'CARD_LIMIT', error_msg: '[카드사] 한도가 부족합니다' });
        expectFlag(rsp, shape, false);
        expect(rsp.error_code).to.equal('CARD_LIMIT');
        expect(rsp.error_msg).to.equal('[카드사] 한도가 부족합니다');
        expect((await payment(rsp.imp_uid as string)).fail_reason).to.equal('[카드사] 한도가 부족합니다');
      });

      it('close: flag false and error_msg only (no error_code); the payment stays ready', async () => {
        const { merchant_uid, rsp } = await payScripted({ action: 'close', shape });
        expect(Object.keys(rsp).sort()).to.deep.equal([shape, 'error_msg', 'imp_uid', 'merchant_uid'].sort());
        expectFlag(rsp, shape, false);
        expect(rsp.merchant_uid).to.equal(merchant_uid);
        expect(rsp.error_msg).to.equal(USER_CANCEL_MSG);
        const p = await payment(rsp.imp_uid as string);
        expect(p.status).to.equal('ready');
        expect(p.paid_at).to.equal(0);
      });

      it('vbank: flag true, status ready, the virtual account in the callback and in REST', async () => {
        const { rsp } = await payScripted({ action: 'vbank', shape }, { pay_method: 'vbank', amount: 33000 });
        expectFlag(rsp, shape, true);
        expect(rsp.status).to.equal('ready');
        expect(rsp.pay_method).to.equal('vbank');
        expect(rsp.paid_amount).to.equal(0);
        expect(rsp.vbank_num).to.be.a('string').and.match(/\d/);
        expect(rsp.vbank_name).to.be.a('string').and.not.equal('');
        expect(rsp.vbank_holder).to.be.a('string').and.not.equal('');
        expect(rsp.vbank_date).to.be.a('number').greaterThan(Date.now() / 1000);
        expect(rsp).not.to.have.property('error_code');
        const p = await payment(rsp.imp_uid as string);
        expect(p.status).to.equal('ready');
        expect(p.amount).to.equal(33000);
        expect(p.pay_method).to.equal('vbank');
        expect(p.vbank_num).to.equal(rsp.vbank_num);
        expect(p.vbank_name).to.equal(rsp.vbank_name);
        expect(p.vbank_holder).to.equal(rsp.vbank_holder);
        expect(p.vbank_date).to.equal(rsp.vbank_date);
        expect(p.vbank_issued_at).to.be.greaterThan(0);
      });

      it('pay a different amount: paid_amount is the amount actually paid, and REST says so', async () => {
        const { rsp } = await payScripted({ action: 'amount', amount: 900, shape }, { amount: 10000 });
        expectFlag(rsp, shape, true);
        expect(rsp.status).to.equal('paid');
        expect(rsp.paid_amount).to.equal(900);
        const p = await payment(rsp.imp_uid as string);
        expect(p.status).to.equal('paid');
        expect(p.amount).to.equal(900);
      });
    });
  }

  describe('shape none (new-module PGs)', () => {
    const ids = ['imp_uid', 'merchant_uid'];
    const failure = ['error_code', 'error_msg', 'imp_uid', 'merchant_uid'];

    it('approve: only imp_uid and merchant_uid', async () => {
      const { merchant_uid, rsp } = await payScripted({ action: 'approve', shape: 'none' }, { amount: 2500 });
      expect(Object.keys(rsp).sort()).to.deep.equal(ids);
      expect(rsp.merchant_uid).to.equal(merchant_uid);
      const p = await payment(rsp.imp_uid as string);
      expect(p.status).to.equal('paid');
      expect(p.amount).to.equal(2500);
    });

    it('decline: imp_uid, merchant_uid, error_code, error_msg', async () => {
      const { rsp } = await payScripted({ action: 'decline', shape: 'none', error_code: 'REJECTED_CARD', error_msg: '거절된 카드입니다' });
      expect(Object.keys(rsp).sort()).to.deep.equal(failure);
      expect(rsp.error_code).to.equal('REJECTED_CARD');
      expect(rsp.error_msg).to.equal('거절된 카드입니다');
      expect((await payment(rsp.imp_uid as string)).status).to.equal('failed');
    });

    it('close: imp_uid, merchant_uid, error_code, error_msg; the payment stays ready', async () => {
      const { rsp } = await payScripted({ action: 'close', shape: 'none' });
      expect(Object.keys(rsp).sort()).to.deep.equal(failure);
      expect(rsp.error_code).to.be.a('string').and.not.equal('');
      expect(rsp.error_msg).to.be.a('string').and.not.equal('');
      expect((await payment(rsp.imp_uid as string)).status).to.equal('ready');
    });

    it('vbank: only the ids; the virtual account is in REST', async () => {
      const { rsp } = await payScripted({ action: 'vbank', shape: 'none' }, { pay_method: 'vbank' });
      expect(Object.keys(rsp).sort()).to.deep.equal(ids);
      const p = await payment(rsp.imp_uid as string);
      expect(p.status).to.equal('ready');
      expect(p.vbank_num).to.be.a('string');
    });

    it('pay a different amount: only the ids; REST has the amount paid', async () => {
      const { rsp } = await payScripted({ action: 'amount', amount: 777, shape: 'none' }, { amount: 1000 });
      expect(Object.keys(rsp).sort()).to.deep.equal(ids);
      const p = await payment(rsp.imp_uid as string);
      expect(p.status).to.equal('paid');
      expect(p.amount).to.equal(777);
    });
  });

  describe('default shape by PG', () => {
    it("pg 'tosspayments' answers in shape none without being told", async () => {
      const { rsp } = await payScripted({ action: 'approve' }, { pg: 'tosspayments' });
      expect(Object.keys(rsp).sort()).to.deep.equal(['imp_uid', 'merchant_uid']);
      expect((await payment(rsp.imp_uid as string)).pg_provider).to.equal('tosspayments');
    });

    it("pg 'tosspayments' decline: error_code and error_msg, no success flag", async () => {
      const { rsp } = await payScripted({ action: 'decline' }, { pg: 'tosspayments.tosstest' });
      expect(Object.keys(rsp).sort()).to.deep.equal(['error_code', 'error_msg', 'imp_uid', 'merchant_uid']);
    });

    it("pg 'daou' answers with imp_success", async () => {
      const { rsp } = await payScripted({ action: 'approve' }, { pg: 'daou' });
      expectFlag(rsp, 'imp_success', true);
    });

    it('a legacy PG without a script-given shape answers with success', async () => {
      const { rsp } = await payScripted({ action: 'decline' }, { pg: 'kcp' });
      expectFlag(rsp, 'success', false);
      expect(rsp.pg_provider).to.equal('kcp');
    });
  });

  it('an exception thrown by the callback is swallowed, and the next payment still works', async () => {
    const merchant_uid = uniqueMerchantUid();
    await queueScript({ merchant_uid, action: 'approve' });
    const IMP = await loadSdk();
    IMP.init('imp12345678');
    const logged: unknown[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void logged.push(...args); // iamport.js console.logs it
    let called: Record<string, unknown>;
    try {
      called = await new Promise<Record<string, unknown>>((resolve) => {
        IMP.request_pay({ pg: 'html5_inicis', amount: 1000, merchant_uid }, (rsp) => {
          resolve(rsp);
          throw new Error('merchant bug');
        });
      });
    } finally {
      console.log = log;
    }
    expect(called.success).to.equal(true);
    expect(logged.map(String)).to.deep.equal(['Error: merchant bug']);
    const { rsp } = await payScripted({ action: 'approve' });
    expect(rsp.success).to.equal(true);
  });
  it('a second request_pay while a window is open replaces it: one overlay, the newer callback answered', async () => {
    const IMP = await loadSdk();
    IMP.init('imp12345678');
    const first: Rsp[] = [];
    const loaded = loadedPaymentFrame();
    IMP.request_pay({ pg: 'html5_inicis', amount: 1000, merchant_uid: uniqueMerchantUid('first') }, (rsp) => first.push(rsp));
    await loaded;
    const merchant_uid = uniqueMerchantUid('second');
    await queueScript({ merchant_uid, action: 'approve' });
    const second = await new Promise<Rsp>((resolve) => IMP.request_pay({ pg: 'html5_inicis', amount: 2000, merchant_uid }, resolve));
    expect(second.success).to.equal(true);
    expect(second.merchant_uid).to.equal(merchant_uid);
    expect(document.querySelectorAll('.imp-dialog'), 'no orphaned overlay is left').to.have.length(0);
    expect(first).to.deep.equal([]);
  });
});
