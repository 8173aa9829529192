// The amount a merchant's server registered with POST /payments/prepare guards request_pay: another amount
// is blocked before any window opens. Here, not in the browser suite, because registering takes the REST API
// (token, then prepare) and PortOne's REST API sends no CORS headers: only a server can call it.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { control, type Harness, IPHONE_UA, payResult, queryOf, requestPay, rest, startHarness, uniqueMerchantUid } from './support.js';

/** Per test: a hang fails that test, not the rest of the file. */
const TEST = { timeout: 30_000 };

describe('pre-validation against the amount registered with POST /payments/prepare', { timeout: 120_000 }, () => {
  let h: Harness;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    context = await h.browser.newContext({ viewport: { width: 1024, height: 768 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${h.shopUrl}/shop`);
  });
  afterEach(async () => {
    await context.close();
  });

  async function prepare(merchant_uid: string, amount: number): Promise<void> {
    const { status, json } = await rest(h.sandbox, 'POST', '/payments/prepare', { merchant_uid, amount });
    assert.equal(status, 200);
    assert.equal(json.code, 0, json.message ?? '');
    assert.equal(json.response?.amount, amount);
  }

  it('another amount than the prepared one → blocked: success false, imp_uid null, no payment, no window', TEST, async () => {
    const merchant_uid = uniqueMerchantUid('prep');
    await prepare(merchant_uid, 20000);
    await requestPay(page, { pg: 'html5_inicis', pay_method: 'card', merchant_uid, amount: 200, name: '변조' });
    const rsp = await payResult(page);
    assert.equal(rsp.success, false);
    assert.equal(rsp.imp_uid, null);
    assert.equal(rsp.merchant_uid, merchant_uid);
    assert.equal(typeof rsp.error_code, 'string');
    assert.match(String(rsp.error_msg), /사전 ?등록/);
    assert.equal(await page.locator('.imp-dialog').count(), 0);
    const found = await rest(h.sandbox, 'GET', `/payments/find/${merchant_uid}`);
    assert.equal(found.status, 404, 'no payment was made');
  });

  it('the prepared amount itself → the window opens and the payment goes through', TEST, async () => {
    const merchant_uid = uniqueMerchantUid('prep');
    await prepare(merchant_uid, 20000);
    await control(h.sandbox, '/scripts', 'POST', { merchant_uid, action: 'approve' });
    await requestPay(page, { pg: 'html5_inicis', pay_method: 'card', merchant_uid, amount: 20000, name: '정상' });
    const rsp = await payResult(page);
    assert.equal(rsp.success, true);
    assert.equal(rsp.paid_amount, 20000);
    const found = await rest(h.sandbox, 'GET', `/payments/find/${merchant_uid}`);
    assert.equal(found.json.response?.status, 'paid');
  });

  it('on mobile without a callback the block lands on m_redirect_url with imp_success=false and error_msg', TEST, async () => {
    const phone = await h.browser.newContext({ userAgent: IPHONE_UA, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const mobile = await phone.newPage();
      mobile.setDefaultTimeout(10_000);
      await mobile.goto(`${h.shopUrl}/shop`);
      const merchant_uid = uniqueMerchantUid('prep');
      await prepare(merchant_uid, 20000);
      await requestPay(mobile, { pg: 'html5_inicis', merchant_uid, amount: 100, m_redirect_url: `${h.shopUrl}/done` }, { callback: false });
      await mobile.waitForURL((url) => url.pathname === '/done');
      const query = queryOf(mobile.url());
      assert.deepEqual(Object.keys(query), ['imp_uid', 'merchant_uid', 'imp_success', 'error_msg']);
      assert.equal(query.imp_success, 'false');
      assert.match(query.error_msg!, /사전 ?등록/);
    } finally {
      await phone.close();
    }
  });
});
