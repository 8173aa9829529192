// PC: the test payment window in the stand-in SDK's overlay (a cross-site iframe), operated by a person
// with the keyboard alone, in Korean and English, answering the shop's callback once.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { control, focusedText, type Harness, payResult, paymentFrame, pressAndAwait, requestPay, rest, RESULTS_DIR, startHarness, uniqueMerchantUid } from './support.js';

const KO = { title: '테스트 결제창', approve: '결제 승인', decline: '결제 거절', vbank: '가상계좌 발급', other: '다른 금액으로 결제', close: '닫기' };
const EN = { title: 'Test payment window', approve: 'Approve payment', decline: 'Decline payment', vbank: 'Issue virtual account', other: 'Pay a different amount', close: 'Close' };

/** Per test: a hang fails that test, not the rest of the file. */
const TEST = { timeout: 30_000 };

describe('PC payment window, keyboard only', { timeout: 180_000 }, () => {
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
    context = await h.browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'ko-KR' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${h.shopUrl}/shop`);
    // The buyer reached the pay button with the keyboard; the window's answer must bring the focus back.
    await page.focus('#pay');
  });
  afterEach(async () => {
    await context.close();
  });

  /** Open an unscripted window for a fresh merchant_uid, as the shop's pay button would. */
  async function open(params: Record<string, unknown> = {}) {
    const merchant_uid = uniqueMerchantUid('pc');
    await requestPay(page, { pg: 'html5_inicis.INIpayTest', pay_method: 'card', merchant_uid, amount: 14000, name: '의자', ...params });
    const frame = await paymentFrame(page);
    return { merchant_uid, frame };
  }

  it('opens focused on its primary button; Enter approves; REST agrees', TEST, async () => {
    const { merchant_uid, frame } = await open();
    assert.equal(await focusedText(frame), KO.approve);
    const rsp = await pressAndAwait(page, 'Enter', () => payResult(page));
    assert.equal(rsp.success, true);
    assert.equal(rsp.merchant_uid, merchant_uid);
    assert.equal(rsp.paid_amount, 14000);
    assert.equal(await page.locator('.imp-dialog').count(), 0, 'the overlay is gone');
    assert.equal(await focusedText(page, 'button'), '#pay', 'the focus is back on the pay button');

    const { status, json } = await rest(h.sandbox, 'GET', `/payments/${rsp.imp_uid}`);
    assert.equal(status, 200);
    assert.equal(json.code, 0);
    assert.equal(json.response?.status, 'paid');
    assert.equal(json.response?.amount, 14000);
    assert.equal(json.response?.merchant_uid, merchant_uid);
    assert.equal(json.response?.channel, 'pc');
  });

  it('Tab to the decline button, Enter declines', TEST, async () => {
    const { frame } = await open();
    await focusedText(frame);
    await page.keyboard.press('Tab');
    assert.equal(await focusedText(frame), KO.decline);
    const rsp = await pressAndAwait(page, 'Enter', () => payResult(page));
    assert.equal(rsp.success, false);
    assert.equal(rsp.status, 'failed');
    assert.equal(typeof rsp.error_code, 'string');
    assert.equal(typeof rsp.error_msg, 'string');
    const { json } = await rest(h.sandbox, 'GET', `/payments/${rsp.imp_uid}`);
    assert.equal(json.response?.status, 'failed');
  });

  it('Tab to the virtual account button, Enter issues one', TEST, async () => {
    const { frame } = await open({ pay_method: 'vbank' });
    await focusedText(frame);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focusedText(frame), KO.vbank);
    const rsp = await pressAndAwait(page, 'Enter', () => payResult(page));
    assert.equal(rsp.success, true);
    assert.equal(rsp.status, 'ready');
    const { json } = await rest(h.sandbox, 'GET', `/payments/${rsp.imp_uid}`);
    assert.equal(json.response?.status, 'ready');
    assert.equal(json.response?.vbank_num, rsp.vbank_num);
    assert.equal(json.response?.vbank_date, rsp.vbank_date);
  });

  it('Tab to the amount field, type an amount, Enter pays that amount', TEST, async () => {
    const { frame } = await open({ amount: 14000 });
    await focusedText(frame);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    assert.equal(await focusedText(frame), '#other-amount');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('9900');
    const rsp = await pressAndAwait(page, 'Enter', () => payResult(page));
    assert.equal(rsp.success, true);
    assert.equal(rsp.paid_amount, 9900);
    const { json } = await rest(h.sandbox, 'GET', `/payments/${rsp.imp_uid}`);
    assert.equal(json.response?.status, 'paid');
    assert.equal(json.response?.amount, 9900);
  });

  it('Escape closes: success false, error_msg only; the focus returns to the pay button', TEST, async () => {
    const { frame } = await open();
    await focusedText(frame);
    const rsp = await pressAndAwait(page, 'Escape', () => payResult(page));
    assert.deepEqual(Object.keys(rsp).sort(), ['error_msg', 'imp_uid', 'merchant_uid', 'success']);
    assert.equal(rsp.success, false);
    assert.equal(rsp.error_msg, '[결제포기] 사용자가 결제를 취소하셨습니다');
    assert.equal(await page.locator('.imp-dialog').count(), 0);
    assert.equal(await focusedText(page, 'button'), '#pay');
    const { json } = await rest(h.sandbox, 'GET', `/payments/${rsp.imp_uid}`);
    assert.equal(json.response?.status, 'ready');
  });

  for (const [lang, text] of [['ko', KO], ['en', EN]] as const) {
    it(`${lang} texts, readable in a screenshot`, TEST, async () => {
      const { merchant_uid, frame } = await open(lang === 'en' ? { language: 'en', name: 'Chair' } : {});
      assert.equal(await frame.locator('html').getAttribute('lang'), lang);
      assert.equal((await frame.locator('h1').textContent())?.trim(), text.title);
      for (const label of [text.approve, text.decline, text.vbank, text.other, text.close]) {
        assert.ok(await frame.getByRole('button', { name: label, exact: true }).isVisible(), `button "${label}"`);
      }
      assert.ok(await frame.getByText(merchant_uid).isVisible(), 'the order id is shown');
      assert.match((await frame.locator('.amount').textContent()) ?? '', lang === 'ko' ? /₩14,000/ : /₩14,000/);
      await focusedText(frame);
      await page.screenshot({ path: join(RESULTS_DIR, `e2e-pc-window-${lang}.png`) });
      await pressAndAwait(page, 'Escape', () => payResult(page));
    });
  }

  it('Shift+Tab to the language link, Enter switches to English, Enter then approves', TEST, async () => {
    const { frame } = await open();
    await focusedText(frame);
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focusedText(frame), 'English');
    await pressAndAwait(page, 'Enter', async () => {
      await frame.waitForURL(/[?&]lang=en/);
      await frame.waitForLoadState('load');
    });
    assert.equal((await frame.locator('h1').textContent())?.trim(), EN.title);
    assert.equal(await focusedText(frame), EN.approve);
    const rsp = await pressAndAwait(page, 'Enter', () => payResult(page));
    assert.equal(rsp.success, true);
  });

  it('the window answers once: a second POST gets 409 and changes nothing', TEST, async () => {
    const { frame } = await open();
    await focusedText(frame);
    const rsp = await pressAndAwait(page, 'Enter', () => payResult(page));
    assert.equal(rsp.success, true);
    const again = await fetch(`${h.sandbox.url}/__sandbox/window/${rsp.imp_uid}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'decline' }),
    });
    assert.equal(again.status, 409);
    const form = await fetch(`${h.sandbox.url}/__sandbox/window/${rsp.imp_uid}`, { method: 'POST', body: new URLSearchParams({ action: 'amount', amount: '1' }), redirect: 'manual' });
    assert.equal(form.status, 409);
    const payment = await control(h.sandbox, `/payments/${rsp.imp_uid}`);
    assert.equal(payment.status, 'paid');
    assert.equal(payment.amount, 14000);
    // Reopened, the window says it has answered and offers nothing to press.
    const html = await (await fetch(`${h.sandbox.url}/__sandbox/window/${rsp.imp_uid}`)).text();
    assert.match(html, /이 결제창은 이미 응답했습니다/);
    assert.equal((html.match(/<button[^>]*\bdisabled\b/g) ?? []).length, 5);
  });

  it('a shop page opened from a file (opaque origin) still gets its callback', TEST, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portone-shop-'));
    const file = join(dir, 'shop.html');
    writeFileSync(file, `<!doctype html><meta charset="utf-8"><title>file shop</title><script src="${h.sandbox.sdkUrl}"></script><button id="pay">pay</button>`);
    await page.goto(pathToFileURL(file).href);
    const merchant_uid = uniqueMerchantUid('file');
    await control(h.sandbox, '/scripts', 'POST', { merchant_uid, action: 'approve' });
    await requestPay(page, { pg: 'html5_inicis', merchant_uid, amount: 1000 });
    const rsp = await payResult(page);
    assert.equal(rsp.success, true);
    assert.equal(rsp.merchant_uid, merchant_uid);
  });
});
