// The page's own sandbox choices (`window.portoneSandbox = { device, script }`, read by the stand-in iamport.js at
// each request_pay): a page scripts its own payment windows, and only its own. Nothing is queued in the shared
// sandbox, so another page's window (another tab, another visitor) waits for its buyer. This is what the demo's
// scenario panel uses (issue #10).
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { control, type Harness, payResult, paymentFrame, queryOf, requestPay, startHarness, uniqueMerchantUid } from './support.js';

const TEST = { timeout: 30_000 };
const CANCELLED = '[결제포기] 사용자가 결제를 취소하셨습니다';

/** The page's choices, set as a page script sets them. */
function choose(page: Page, choices: Record<string, unknown> | null): Promise<void> {
  return page.evaluate((choices) => void ((globalThis as unknown as { portoneSandbox: unknown }).portoneSandbox = choices ?? undefined), choices);
}

describe('the page’s own sandbox choices (window.portoneSandbox)', { timeout: 180_000 }, () => {
  let h: Harness;
  let context: BrowserContext;
  let page: Page;
  let other: Page;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    context = await h.browser.newContext({ viewport: { width: 1000, height: 750 }, locale: 'ko-KR' });
    [page, other] = await Promise.all([context.newPage(), context.newPage()]);
    for (const p of [page, other]) {
      p.setDefaultTimeout(10_000);
      await p.goto(`${h.shopUrl}/shop`);
    }
  });
  afterEach(async () => {
    await context.close();
  });

  const params = (merchant_uid: string, extra: Record<string, unknown> = {}) => ({ pg: 'html5_inicis.INIpayTest', pay_method: 'card', merchant_uid, amount: 14000, name: '의자', ...extra });

  it("a script declines this page's window by itself, with its error; nothing waits in the sandbox; another tab's window waits for its buyer", TEST, async () => {
    await choose(page, { script: { action: 'decline', error_code: 'PAGE_DECLINE', error_msg: '[page] 한도 초과', delay_ms: 0 } });
    const merchant_uid = uniqueMerchantUid('page');
    await requestPay(page, params(merchant_uid));
    const rsp = await payResult(page);
    assert.deepEqual([rsp.success, rsp.error_code, rsp.error_msg, rsp.merchant_uid], [false, 'PAGE_DECLINE', '[page] 한도 초과', merchant_uid]);
    assert.deepEqual((await control<{ scripts: unknown[] }>(h.sandbox, '/scripts')).scripts, []);

    // The same choice stays on this page (every window of it), and never reaches the other tab.
    await requestPay(other, params(uniqueMerchantUid('other')));
    const frame = await paymentFrame(other);
    await frame.getByRole('button', { name: '결제 승인', exact: true }).waitFor();
    assert.equal((await frame.locator('.status').textContent())?.trim(), '', 'no scripted choice');
    await other.waitForTimeout(800);
    assert.equal(await other.locator('.imp-dialog').count(), 1, 'still waiting for the buyer');
    await frame.getByRole('button', { name: '닫기', exact: true }).click();
    assert.equal((await payResult(other)).error_msg, CANCELLED);

    await requestPay(page, params(uniqueMerchantUid('page')));
    assert.equal((await payResult(page)).error_code, 'PAGE_DECLINE', "this page's next window is scripted again");
  });

  it('a script paying another amount shows in the window, then pays it', TEST, async () => {
    // The window acts by itself after delay_ms: long enough for the test to read it first on a busy machine.
    await choose(page, { script: { action: 'amount', amount: 1000, delay_ms: 3000 } });
    await requestPay(page, params(uniqueMerchantUid('amt')));
    const frame = await paymentFrame(page);
    await frame.getByText('스크립트된 선택: amount').waitFor();
    const rsp = await payResult(page);
    assert.deepEqual([rsp.success, rsp.paid_amount], [true, 1000]);
  });

  it("device 'mobile' on a desktop browser → this page's payment is the redirect flow; the other tab's is not", TEST, async () => {
    await choose(page, { device: 'mobile', script: { action: 'approve' } });
    const merchant_uid = uniqueMerchantUid('dev');
    await requestPay(page, params(merchant_uid, { m_redirect_url: `${h.shopUrl}/done` }), { callback: false });
    await page.waitForURL((url) => url.pathname === '/done');
    assert.deepEqual([queryOf(page.url()).merchant_uid, queryOf(page.url()).imp_success], [merchant_uid, 'true']);

    await requestPay(other, params(uniqueMerchantUid('dev-other')));
    await paymentFrame(other);
    assert.equal(new URL(other.url()).pathname, '/shop', 'the overlay, on the page');
    await other.evaluate(() => (globalThis as unknown as { IMP: { close(): void } }).IMP.close());
  });

  it("a script queued through the control API for the order comes before the page's", TEST, async () => {
    await choose(page, { script: { action: 'decline' } });
    const merchant_uid = uniqueMerchantUid('queued');
    await control(h.sandbox, '/scripts', 'POST', { merchant_uid, action: 'approve' });
    await requestPay(page, params(merchant_uid));
    const rsp = await payResult(page);
    assert.deepEqual([rsp.success, rsp.paid_amount], [true, 14000]);
  });

  it("a script the sandbox cannot follow (another amount, but none given) opens no window; the callback says why", TEST, async () => {
    await choose(page, { script: { action: 'amount' } });
    const merchant_uid = uniqueMerchantUid('bad');
    await requestPay(page, params(merchant_uid));
    const rsp = await payResult(page);
    assert.equal(rsp.success, false);
    assert.equal(rsp.error_code, 'F500');
    assert.match(String(rsp.error_msg), /script\.amount/);
    assert.equal(await page.locator('.imp-dialog').count(), 0);
    assert.deepEqual(
      (await control<{ payments: Array<{ merchant_uid: string }> }>(h.sandbox, '/payments?limit=1000')).payments.filter((p) => p.merchant_uid === merchant_uid),
      [],
      'no payment made',
    );
  });
});
