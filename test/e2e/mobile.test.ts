// Mobile: a phone's user agent and viewport, real navigations. request_pay sends the buyer to the payment
// window; its answer is a 302 to m_redirect_url with PortOne's query parameters (the callback is not called).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { control, getMarker, type Harness, IPHONE_UA, payResult, pressAndAwait, queryOf, requestPay, rest, RESULTS_DIR, setMarker, startHarness, uniqueMerchantUid } from './support.js';

const WINDOW_PATH = /\/__sandbox\/window\/imp_\d{12}$/;

/** Per test: a hang fails that test, not the rest of the file. */
const TEST = { timeout: 30_000 };

describe('mobile: redirect to the payment window and back to m_redirect_url', { timeout: 180_000 }, () => {
  let h: Harness;
  let context: BrowserContext;
  let page: Page;
  /** Every URL the main frame navigated to since the shop page loaded. */
  let navigations: string[];

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    context = await h.browser.newContext({ userAgent: IPHONE_UA, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'ko-KR' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${h.shopUrl}/shop`);
    navigations = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
  });
  afterEach(async () => {
    await context.close();
  });

  function params(merchant_uid: string, extra: Record<string, unknown> = {}) {
    return { pg: 'html5_inicis.INIpayTest', pay_method: 'card', merchant_uid, amount: 14000, name: '의자', m_redirect_url: `${h.shopUrl}/done`, ...extra };
  }

  /** request_pay without a callback, then wait for the payment window to be the page. */
  async function toWindow(merchant_uid: string, extra: Record<string, unknown> = {}) {
    await requestPay(page, params(merchant_uid, extra), { callback: false });
    await page.waitForURL(WINDOW_PATH);
    await page.waitForLoadState('load');
  }

  /** Wait for the landing on the shop's /done page; its query as an object. */
  async function landing(): Promise<Record<string, string>> {
    await page.waitForURL((url) => url.pathname === '/done');
    return queryOf(page.url());
  }

  it('approve → lands on m_redirect_url with imp_uid, merchant_uid, imp_success=true', TEST, async () => {
    const merchant_uid = uniqueMerchantUid('mob');
    await toWindow(merchant_uid);
    assert.equal(await page.locator('main').getAttribute('data-device'), 'mobile');
    await page.screenshot({ path: join(RESULTS_DIR, 'e2e-mobile-window-ko.png') });
    await page.getByRole('button', { name: '결제 승인', exact: true }).tap();
    const query = await landing();
    assert.deepEqual(Object.keys(query), ['imp_uid', 'merchant_uid', 'imp_success']);
    assert.match(query.imp_uid!, /^imp_\d{12}$/);
    assert.equal(query.merchant_uid, merchant_uid);
    assert.equal(query.imp_success, 'true');
    const { json } = await rest(h.sandbox, 'GET', `/payments/${query.imp_uid}`);
    assert.equal(json.response?.status, 'paid');
    assert.equal(json.response?.amount, 14000);
    assert.equal(json.response?.channel, 'mobile');
  });

  it('decline → imp_success=false, error_code, error_msg', TEST, async () => {
    const merchant_uid = uniqueMerchantUid('mob');
    await toWindow(merchant_uid);
    await page.getByRole('button', { name: '결제 거절', exact: true }).tap();
    const query = await landing();
    assert.deepEqual(Object.keys(query), ['imp_uid', 'merchant_uid', 'imp_success', 'error_code', 'error_msg']);
    assert.equal(query.merchant_uid, merchant_uid);
    assert.equal(query.imp_success, 'false');
    assert.ok(query.error_code);
    assert.ok(query.error_msg);
    const { json } = await rest(h.sandbox, 'GET', `/payments/${query.imp_uid}`);
    assert.equal(json.response?.status, 'failed');
    assert.equal(json.response?.fail_reason, query.error_msg);
  });

  it("a scripted decline's own error_code and error_msg arrive in the landing, decoded", TEST, async () => {
    const merchant_uid = uniqueMerchantUid('mob');
    await control(h.sandbox, '/scripts', 'POST', { merchant_uid, action: 'decline', error_code: 'CARD & LIMIT', error_msg: '[카드사] 한도 초과 (50%) #1' });
    await requestPay(page, params(merchant_uid), { callback: false });
    const query = await landing();
    assert.equal(query.imp_success, 'false');
    assert.equal(query.error_code, 'CARD & LIMIT');
    assert.equal(query.error_msg, '[카드사] 한도 초과 (50%) #1');
  });

  it('Escape on the window closes it → imp_success=false and error_msg, no error_code; payment stays ready', TEST, async () => {
    const merchant_uid = uniqueMerchantUid('mob');
    await toWindow(merchant_uid);
    const query = await pressAndAwait(page, 'Escape', landing);
    assert.deepEqual(Object.keys(query), ['imp_uid', 'merchant_uid', 'imp_success', 'error_msg']);
    assert.equal(query.error_msg, '[결제포기] 사용자가 결제를 취소하셨습니다');
    const { json } = await rest(h.sandbox, 'GET', `/payments/${query.imp_uid}`);
    assert.equal(json.response?.status, 'ready');
  });

  it('a different amount typed on the window (Enter) is the amount paid', TEST, async () => {
    const merchant_uid = uniqueMerchantUid('mob');
    await toWindow(merchant_uid);
    await page.locator('#other-amount').fill('12300');
    await page.locator('#other-amount').focus();
    const query = await pressAndAwait(page, 'Enter', landing);
    assert.equal(query.imp_success, 'true');
    const { json } = await rest(h.sandbox, 'GET', `/payments/${query.imp_uid}`);
    assert.equal(json.response?.status, 'paid');
    assert.equal(json.response?.amount, 12300);
  });

  it('virtual account → imp_success=true; REST has the account, status ready', TEST, async () => {
    const merchant_uid = uniqueMerchantUid('mob');
    await toWindow(merchant_uid, { pay_method: 'vbank' });
    await page.getByRole('button', { name: '가상계좌 발급', exact: true }).tap();
    const query = await landing();
    assert.equal(query.imp_success, 'true');
    const { json } = await rest(h.sandbox, 'GET', `/payments/${query.imp_uid}`);
    assert.equal(json.response?.status, 'ready');
    assert.equal(typeof json.response?.vbank_num, 'string');
  });

  it("shape none (pg 'tosspayments'): approve lands with imp_uid and merchant_uid only", TEST, async () => {
    const merchant_uid = uniqueMerchantUid('toss');
    await toWindow(merchant_uid, { pg: 'tosspayments' });
    await page.getByRole('button', { name: '결제 승인', exact: true }).tap();
    const query = await landing();
    assert.deepEqual(Object.keys(query), ['imp_uid', 'merchant_uid']);
    assert.equal(query.merchant_uid, merchant_uid);
  });

  it("shape none (pg 'tosspayments'): decline lands with error_code and error_msg, no imp_success", TEST, async () => {
    const merchant_uid = uniqueMerchantUid('toss');
    await toWindow(merchant_uid, { pg: 'tosspayments' });
    await page.getByRole('button', { name: '결제 거절', exact: true }).tap();
    const query = await landing();
    assert.deepEqual(Object.keys(query), ['imp_uid', 'merchant_uid', 'error_code', 'error_msg']);
  });

  it("m_redirect_url's own query parameters are kept, PortOne's appended", TEST, async () => {
    const merchant_uid = uniqueMerchantUid('mob');
    await toWindow(merchant_uid, { m_redirect_url: `${h.shopUrl}/done?order=42&from=cart` });
    await page.getByRole('button', { name: '결제 승인', exact: true }).tap();
    await page.waitForURL((url) => url.pathname === '/done');
    const url = new URL(page.url());
    assert.deepEqual([...url.searchParams.keys()], ['order', 'from', 'imp_uid', 'merchant_uid', 'imp_success']);
    assert.equal(url.searchParams.get('order'), '42');
    assert.equal(url.searchParams.get('from'), 'cart');
    assert.equal(url.searchParams.get('imp_success'), 'true');
  });

  it("no m_redirect_url → the sandbox's own landing page shows the result", TEST, async () => {
    const merchant_uid = uniqueMerchantUid('mob');
    await toWindow(merchant_uid, { m_redirect_url: undefined });
    await page.getByRole('button', { name: '결제 승인', exact: true }).tap();
    await page.waitForURL((url) => url.pathname === '/__sandbox/landing');
    assert.equal(new URL(page.url()).origin, h.sandbox.url);
    const query = queryOf(page.url());
    assert.equal(query.merchant_uid, merchant_uid);
    assert.equal(query.imp_success, 'true');
    assert.equal(await page.locator('dd', { hasText: merchant_uid }).count(), 1, 'the page lists the parameters');
  });

  it('the window answers once: after the landing a second POST gets 409', TEST, async () => {
    const merchant_uid = uniqueMerchantUid('mob');
    await toWindow(merchant_uid);
    const windowUrl = page.url();
    await page.getByRole('button', { name: '결제 승인', exact: true }).tap();
    const query = await landing();
    const again = await fetch(windowUrl, { method: 'POST', body: new URLSearchParams({ action: 'decline' }), redirect: 'manual' });
    assert.equal(again.status, 409);
    const { json } = await rest(h.sandbox, 'GET', `/payments/${query.imp_uid}`);
    assert.equal(json.response?.status, 'paid');
  });

  it('a form post with an empty amount field (approve) is an approval, not a refusal', TEST, async () => {
    const merchant_uid = uniqueMerchantUid('mob');
    await toWindow(merchant_uid);
    const response = await fetch(page.url(), { method: 'POST', body: new URLSearchParams({ action: 'approve', amount: '' }), redirect: 'manual' });
    assert.equal(response.status, 302);
    const query = queryOf(response.headers.get('location')!);
    assert.equal(query.imp_success, 'true');
    assert.equal(query.merchant_uid, merchant_uid);
  });

  describe('pre-validation failure', () => {
    it('without a callback → navigates to m_redirect_url with imp_success=false and error_msg, no error_code', TEST, async () => {
      const merchant_uid = uniqueMerchantUid('paid');
      await control(h.sandbox, '/payments', 'POST', { merchant_uid, amount: 14000, status: 'paid' });
      await requestPay(page, params(merchant_uid, { m_redirect_url: `${h.shopUrl}/done?order=7` }), { callback: false });
      const query = await landing();
      assert.deepEqual(Object.keys(query), ['order', 'imp_uid', 'merchant_uid', 'imp_success', 'error_msg']);
      assert.equal(query.order, '7');
      assert.equal(query.merchant_uid, merchant_uid);
      assert.equal(query.imp_success, 'false');
      assert.equal(query.error_msg, '이미 결제가 이루어진 거래건입니다.');
      assert.ok(!navigations.some((u) => WINDOW_PATH.test(new URL(u).pathname)), 'no payment window was opened');
    });

    it('an unknown pg without a callback → the same landing with its message', TEST, async () => {
      const merchant_uid = uniqueMerchantUid('pg');
      await requestPay(page, params(merchant_uid, { pg: 'nosuchpg' }), { callback: false });
      const query = await landing();
      assert.equal(query.imp_success, 'false');
      assert.equal(query.merchant_uid, merchant_uid);
      assert.match(query.error_msg!, /^등록되지 않은 PG모듈 정보입니다\./);
      assert.equal(query.error_code, undefined);
    });

    it("without a callback nor m_redirect_url → PortOne's fail page (the sandbox's landing) with success=false", TEST, async () => {
      const merchant_uid = uniqueMerchantUid('paid');
      await control(h.sandbox, '/payments', 'POST', { merchant_uid, amount: 14000, status: 'paid' });
      await requestPay(page, params(merchant_uid, { m_redirect_url: undefined }), { callback: false });
      await page.waitForURL((url) => url.pathname === '/__sandbox/landing');
      const query = queryOf(page.url());
      assert.deepEqual(Object.keys(query), ['imp_uid', 'merchant_uid', 'success', 'error_msg']);
      assert.equal(query.success, 'false');
      assert.equal(query.error_msg, '이미 결제가 이루어진 거래건입니다.');
    });

    it('with a callback → the callback gets it and the page does not navigate', TEST, async () => {
      const merchant_uid = uniqueMerchantUid('paid');
      await control(h.sandbox, '/payments', 'POST', { merchant_uid, amount: 14000, status: 'paid' });
      await setMarker(page, 'still here');
      const before = page.url();
      await requestPay(page, params(merchant_uid));
      const rsp = await payResult(page);
      assert.equal(rsp.imp_uid, null);
      assert.equal(rsp.merchant_uid, merchant_uid);
      assert.equal(rsp.error_code, 'F1002');
      assert.equal(rsp.error_msg, '이미 결제가 이루어진 거래건입니다.');
      assert.equal(rsp.imp_success, false);
      assert.equal(await getMarker(page), 'still here', 'the page was not replaced');
      assert.equal(page.url(), before);
      assert.deepEqual(navigations, []);
    });
  });

  describe('device chosen other than by the user agent', () => {
    let desktop: BrowserContext;
    let desk: Page;
    beforeEach(async () => {
      desktop = await h.browser.newContext({ viewport: { width: 1024, height: 768 } });
      desk = await desktop.newPage();
      desk.setDefaultTimeout(10_000);
      await desk.goto(`${h.shopUrl}/shop`);
    });
    afterEach(async () => {
      await desktop.close();
    });

    it("localStorage['portone-sandbox-device'] = 'mobile' on a desktop browser → the redirect flow", TEST, async () => {
      await desk.evaluate(() => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('portone-sandbox-device', 'mobile'));
      const merchant_uid = uniqueMerchantUid('ls');
      await requestPay(desk, params(merchant_uid), { callback: false });
      await desk.waitForURL(WINDOW_PATH);
      await desk.getByRole('button', { name: '결제 승인', exact: true }).click();
      await desk.waitForURL((url) => url.pathname === '/done');
      assert.equal(queryOf(desk.url()).imp_success, 'true');
    });

    it("a script forcing device 'mobile' → the redirect flow with the landing's shape (imp_success)", TEST, async () => {
      const merchant_uid = uniqueMerchantUid('forced');
      await control(h.sandbox, '/scripts', 'POST', { merchant_uid, action: 'approve', device: 'mobile' });
      await requestPay(desk, params(merchant_uid), { callback: false });
      await desk.waitForURL((url) => url.pathname === '/done');
      const query = queryOf(desk.url());
      assert.deepEqual(Object.keys(query), ['imp_uid', 'merchant_uid', 'imp_success']);
      assert.equal(query.imp_success, 'true');
    });
  });
});
