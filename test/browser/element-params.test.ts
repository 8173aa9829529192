// Each attribute → the exact IMP.request_pay parameters the (sandbox) SDK received. The SDK is not replaced:
// request_pay is wrapped to record its first argument and still runs, and the sandbox closes each window.
import { expect } from '@open-wc/testing';
import { cleanup, create, failureOf, MERCHANT, mount, type RequestPaySpy, SDK_URL, sdkReady, spyRequestPay, successOf, USER_CANCEL_MSG } from './element-helpers.js';
import { payment, queueScript, uniqueMerchantUid } from './sandbox.js';
import { storeOrder, VERIFY_URL } from './verifier.js';

type Case = [title: string, attributes: Record<string, string | true>, expected: Record<string, unknown>];

const CASES: Case[] = [
  ['pg', { pg: 'html5_inicis.INIpayTest' }, { pg: 'html5_inicis.INIpayTest' }],
  ['channel-key → channelKey', { 'channel-key': 'channel-key-9f3a' }, { channelKey: 'channel-key-9f3a' }],
  ['pay-method', { 'pay-method': 'trans' }, { pay_method: 'trans' }],
  ['amount as a number', { amount: '14000' }, { amount: 14000 }],
  ['amount with a decimal in another currency', { amount: '10.5', currency: 'USD' }, { amount: 10.5, currency: 'USD' }],
  ['name, passed through unchanged', { name: '노르웨이 회전 의자 <특가> & "무료배송"' }, { name: '노르웨이 회전 의자 <특가> & "무료배송"' }],
  ['currency', { currency: 'KRW' }, { currency: 'KRW' }],
  ['language', { language: 'en' }, { language: 'en' }],
  ['tax-free', { 'tax-free': '1000' }, { tax_free: 1000 }],
  ['vat-amount', { 'vat-amount': '1273' }, { vat_amount: 1273 }],
  ['tax-free 0', { 'tax-free': '0' }, { tax_free: 0 }],
  [
    'buyer-*',
    { 'buyer-name': '홍길동', 'buyer-tel': '010-1234-5678', 'buyer-email': 'gildong@example.com', 'buyer-addr': '서울특별시 강남구 신사동', 'buyer-postcode': '01181' },
    { buyer_name: '홍길동', buyer_tel: '010-1234-5678', buyer_email: 'gildong@example.com', buyer_addr: '서울특별시 강남구 신사동', buyer_postcode: '01181' },
  ],
  ['m-redirect-url', { 'm-redirect-url': 'https://shop.example/return?order=7' }, { m_redirect_url: 'https://shop.example/return?order=7' }],
  ['notice-url', { 'notice-url': 'https://shop.example/portone/webhook' }, { notice_url: 'https://shop.example/portone/webhook' }],
  ['confirm-url', { 'confirm-url': 'https://shop.example/confirm' }, { confirm_url: 'https://shop.example/confirm' }],
  ['customer-uid', { 'customer-uid': 'billing-key-1' }, { customer_uid: 'billing-key-1' }],
  ['vbank-due', { 'vbank-due': '2030-12-31 23:59:59' }, { vbank_due: '2030-12-31 23:59:59' }],
  ['app-scheme', { 'app-scheme': 'myshop' }, { app_scheme: 'myshop' }],
  ['biz-num', { 'biz-num': '1234567890' }, { biz_num: '1234567890' }],
  ['escrow (presence)', { escrow: true }, { escrow: true }],
  ['digital (presence)', { digital: true }, { digital: true }],
  ['popup (presence)', { popup: true }, { popup: true }],
  ['escrow="false" is still presence', { escrow: 'false' }, { escrow: true }],
  ['card-quota="2,3,6"', { 'card-quota': '2,3,6' }, { display: { card_quota: [2, 3, 6] } }],
  ['card-quota="" (lump sum only)', { 'card-quota': '' }, { display: { card_quota: [] } }],
  ['custom-data JSON → object', { 'custom-data': '{"cart":[1,2],"coupon":null,"note":"선물"}' }, { custom_data: { cart: [1, 2], coupon: null, note: '선물' } }],
];

describe('<portone-checkout> attributes → request_pay parameters', () => {
  let spy: RequestPaySpy;

  before(sdkReady);
  beforeEach(() => (spy = spyRequestPay({ action: 'close' })));
  afterEach(() => {
    spy.restore();
    cleanup();
  });

  /** Pay once with these attributes (the sandbox closes the window); what request_pay received. */
  async function requested(attributes: Record<string, string | true>, params?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const el = create({ merchant: MERCHANT, amount: '1000', 'sdk-src': SDK_URL, 'verify-url': VERIFY_URL, ...attributes });
    if (params) el.params = params;
    document.body.append(el);
    const failure = failureOf(el);
    await el.pay().catch(() => {});
    const detail = await failure;
    expect(detail.stage, JSON.stringify(detail)).to.equal('payment');
    expect(detail.message).to.include(USER_CANCEL_MSG);
    expect(spy.calls).to.have.length(1);
    return spy.calls[0];
  }

  /** What every request carries besides the attributes under test. */
  const base = (merchantUid: string) => ({ pay_method: 'card', merchant_uid: merchantUid, amount: 1000, m_redirect_url: location.href });

  it('defaults: card, the amount, the merchant-uid, the current page as m_redirect_url, nothing else', async () => {
    const merchantUid = uniqueMerchantUid();
    expect(await requested({ 'merchant-uid': merchantUid })).to.deep.equal(base(merchantUid));
  });

  for (const [title, attributes, expected] of CASES) {
    it(title, async () => {
      const merchantUid = uniqueMerchantUid();
      expect(await requested({ 'merchant-uid': merchantUid, ...attributes })).to.deep.equal({ ...base(merchantUid), ...expected });
    });
  }

  it('empty attributes from a template are absent: nothing sent for them, defaults kept', async () => {
    const empty = { pg: '', 'pay-method': '', name: '', currency: '', 'buyer-email': '', 'tax-free': '', 'm-redirect-url': '', 'notice-url': '' };
    const sent = await requested({ 'merchant-uid': '', ...empty });
    const merchantUid = sent.merchant_uid as string;
    expect(merchantUid, 'a generated merchant_uid').to.match(/^[\w-]{1,40}$/);
    expect(sent).to.deep.equal(base(merchantUid));
  });

  it('properties write the attributes they are read from', async () => {
    const merchantUid = uniqueMerchantUid();
    const el = create({ 'sdk-src': SDK_URL, 'verify-url': VERIFY_URL });
    Object.assign(el, { merchant: MERCHANT, amount: 5000, merchantUid, buyerEmail: 'a@b.c', cardQuota: '3', digital: true, customData: { a: 1 } });
    document.body.append(el);
    const failure = failureOf(el);
    el.pay().catch(() => {});
    await failure;
    expect(spy.calls[0]).to.deep.equal({ ...base(merchantUid), amount: 5000, buyer_email: 'a@b.c', display: { card_quota: [3] }, digital: true, custom_data: { a: 1 } });
  });

  it('the params property is merged last, over the attributes', async () => {
    const merchantUid = uniqueMerchantUid();
    const params = { pay_method: 'vbank', period: { from: '20300101', to: '20300131' }, card: { direct: { code: '367', quota: 3 } }, m_redirect_url: 'https://shop.example/m' };
    expect(await requested({ 'merchant-uid': merchantUid, 'pay-method': 'card' }, params)).to.deep.equal({ ...base(merchantUid), ...params });
  });

  it('without merchant-uid, each attempt gets a new id of at most 40 characters', async () => {
    const el = mount({ merchant: MERCHANT, amount: '1000', 'sdk-src': SDK_URL, 'verify-url': VERIFY_URL });
    for (let i = 0; i < 2; i++) {
      const failure = failureOf(el);
      el.pay().catch(() => {});
      const detail = await failure;
      expect(detail.merchantUid).to.equal(spy.calls[i].merchant_uid);
    }
    const [first, second] = spy.calls.map((c) => c.merchant_uid as string);
    expect(first).to.be.a('string').and.match(/^[\w-]{1,40}$/);
    expect(second).to.be.a('string').and.match(/^[\w-]{1,40}$/);
    expect(first).not.to.equal(second);
  });

  it('the default m_redirect_url is the current page without landing parameters, its other parameters kept as written', async () => {
    const original = location.href;
    const page = new URL(original);
    page.search += `&keep=a%20b&path=/x/y~z&flag`;
    const landing = `${page.href}&imp_uid=imp_000000000001&merchant_uid=old-order&imp_success=true&error_msg=x`;
    // Not connected, so it does not claim the landing: only the default URL is under test here.
    const el = create({ merchant: MERCHANT, amount: '1000', 'merchant-uid': uniqueMerchantUid(), 'sdk-src': SDK_URL, 'verify-url': VERIFY_URL });
    history.replaceState(history.state, '', landing);
    try {
      const failure = failureOf(el);
      el.pay().catch(() => {});
      await failure;
    } finally {
      history.replaceState(history.state, '', original);
    }
    expect(spy.calls[0].m_redirect_url).to.equal(page.href);
  });

  it('what PortOne records: name, buyer fields, custom_data as a JSON string, pay_method, currency, amount', async () => {
    spy.restore();
    const merchantUid = uniqueMerchantUid();
    await storeOrder({ merchant_uid: merchantUid, amount: 14000 });
    await queueScript({ merchant_uid: merchantUid, action: 'approve' });
    const el = mount({
      merchant: MERCHANT,
      amount: '14000',
      name: '의자 & 책상',
      'merchant-uid': merchantUid,
      'buyer-name': '홍길동',
      'buyer-email': 'gildong@example.com',
      'buyer-tel': '010-1234-5678',
      'custom-data': '{"cart":7}',
      'pay-method': 'card',
      currency: 'KRW',
      'sdk-src': SDK_URL,
      'verify-url': VERIFY_URL,
    });
    const success = successOf(el);
    el.pay().catch(() => {});
    const { impUid } = await success;
    const p = await payment(impUid);
    expect(p).to.include({ merchant_uid: merchantUid, name: '의자 & 책상', buyer_name: '홍길동', buyer_email: 'gildong@example.com', buyer_tel: '010-1234-5678' });
    expect(p).to.include({ custom_data: '{"cart":7}', pay_method: 'card', currency: 'KRW', amount: 14000, status: 'paid' });
  });
});
