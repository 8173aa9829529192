import { expect } from '@open-wc/testing';
import { control, requestPay, uniqueMerchantUid } from './sandbox.js';

describe('stand-in iamport.js: PC callback', () => {
  it('approve → legacy callback with success and the payment fields', async () => {
    const merchant_uid = uniqueMerchantUid();
    await control('/scripts', 'POST', { merchant_uid, action: 'approve' });
    const rsp = await requestPay({ pg: 'html5_inicis.INIpayTest', pay_method: 'card', merchant_uid, amount: 14000, name: '의자', buyer_email: 'a@b.c', custom_data: { cart: 1 } });
    expect(rsp.success).to.equal(true);
    expect(rsp.imp_uid).to.match(/^imp_\d{12}$/);
    expect(rsp.merchant_uid).to.equal(merchant_uid);
    expect(rsp.paid_amount).to.equal(14000);
    expect(rsp.status).to.equal('paid');
    expect(rsp.pay_method).to.equal('card');
    expect(rsp.pg_provider).to.equal('html5_inicis');
    expect(rsp.custom_data).to.deep.equal({ cart: 1 });
    expect(rsp).not.to.have.property('error_code');
    expect(document.querySelector('.imp-dialog')).to.equal(null);
  });
});
