// The demo shop that `npm start` serves: every scenario a visitor can run from the page, on a PC and on a phone (real
// navigations away to the sandbox's payment window and back), through npm start's own server (verifier + sandbox +
// pages), checked as the person sees it (the button's `state`, the event log, the result, the order panel) and as
// the server stored it (GET /payments/:merchant_uid). One server and one browser for the file; a fresh browser
// context (storage included) per test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  type BrowserGlobals,
  chooseScenario,
  type Demo,
  eventually,
  launchBrowser,
  logEntry,
  openShop,
  orderStatus,
  paymentFrame,
  resultBanner,
  sandboxGet,
  screenshot,
  shipments,
  shippedLines,
  type ShopPage,
  shownFulfilment,
  shownOrder,
  shownPayments,
  startDemo,
  steps,
  storedOrder,
  waitForState,
} from './demo-support.js';
import { pressAndAwait } from './support.js';

type SandboxPayment = { imp_uid: string; merchant_uid: string; status: string; amount: number; cancel_amount: number };
const WINDOW = /\/__sandbox\/window\/imp_\d{12}$/;

let demo: Demo;
let browser: Browser;
let shop: ShopPage | undefined;

before(async () => {
  [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await demo?.close();
});
afterEach(async () => {
  await shop?.context.close();
  shop = undefined;
});

describe('demo shop on a PC', { timeout: 120_000 }, () => {
  /** The payments the sandbox holds for an order. */
  async function sandboxPayments(merchantUid: string): Promise<SandboxPayment[]> {
    const { payments } = await sandboxGet<{ payments: SandboxPayment[] }>(demo, '/payments?limit=1000');
    return payments.filter((p) => p.merchant_uid === merchantUid);
  }

  /** What PortOne holds, for "nothing was paid": every payment it has, and every amount registered with it (prepare). */
  async function sandboxMoney(): Promise<{ payments: number; prepares: number }> {
    const [{ total }, { counts }] = await Promise.all([
      sandboxGet<{ total: number }>(demo, '/payments?limit=1'),
      sandboxGet<{ counts: Record<string, number> }>(demo, '/calls?path=/none'),
    ]);
    return { payments: total, prepares: counts['POST /payments/prepare'] ?? 0 };
  }

  /** Wait until the page lists the webhook PortOne sent for the order, answered `answer` by the verifier. */
  async function webhookShown(s: ShopPage, answer: number): Promise<string> {
    const row = s.page.locator('#webhooks > li', { hasText: new RegExp(`→ .*\\b${answer}$`) }).first();
    await row.waitFor();
    return (await row.textContent()) ?? '';
  }

  it('the cart drives the items, amount and name; the language switch sets the page, lang and language', async () => {
    shop = await openShop(browser, demo);
    const { page, checkout, payButton } = shop;
    assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
    assert.deepEqual(JSON.parse((await checkout.getAttribute('items'))!), [{ id: 'chair', quantity: 1 }]);
    assert.equal(await checkout.getAttribute('amount'), '14000');
    assert.equal(await checkout.getAttribute('name'), '노르웨이 회전 의자');
    assert.equal(await checkout.getAttribute('state'), 'idle');
    assert.equal(await checkout.getAttribute('prepare-url'), '/payments/prepare');
    assert.equal(await checkout.getAttribute('verify-url'), '/payments/complete');
    assert.equal((await payButton.textContent())?.trim(), '₩14,000 결제하기');
    await screenshot(page, 'demo-pc-idle-ko');

    // Keyboard: one more cushion with the + button (Enter), then two chairs typed in the field.
    await page.getByRole('button', { name: '양모 방석: 하나 더' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await checkout.getAttribute('amount'), '17500');
    assert.equal(await checkout.getAttribute('name'), '노르웨이 회전 의자 외 1건');
    assert.deepEqual(JSON.parse((await checkout.getAttribute('items'))!), [
      { id: 'chair', quantity: 1 },
      { id: 'cushion', quantity: 1 },
    ]);
    await page.getByRole('spinbutton', { name: '노르웨이 회전 의자: 수량' }).fill('2');
    assert.equal(await checkout.getAttribute('amount'), '31500');
    assert.deepEqual(JSON.parse((await checkout.getAttribute('items'))!), [
      { id: 'chair', quantity: 2 },
      { id: 'cushion', quantity: 1 },
    ]);
    assert.equal(await page.locator('#total').textContent(), '₩31,500');
    assert.equal((await payButton.textContent())?.trim(), '₩31,500 결제하기');

    await page.getByRole('button', { name: 'English' }).click();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await checkout.getAttribute('lang'), 'en');
    assert.equal(await checkout.getAttribute('language'), 'en');
    assert.equal(await checkout.getAttribute('name'), 'Norwegian swivel chair and 1 more');
    assert.equal((await payButton.textContent())?.trim(), 'Pay ₩31,500');
    assert.equal(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed'), 'true');
    await screenshot(page, 'demo-pc-idle-en');

    // An empty cart disables the element; the page says why.
    await page.getByRole('spinbutton', { name: 'Norwegian swivel chair: Quantity' }).fill('0');
    assert.deepEqual(JSON.parse((await checkout.getAttribute('items'))!), [{ id: 'cushion', quantity: 1 }], 'a line with no quantity is not bought');
    await page.getByRole('button', { name: 'Wool seat cushion: One less' }).click();
    assert.equal(await checkout.getAttribute('disabled'), '');
    assert.ok(await payButton.isDisabled());
    assert.ok(await page.getByText('Your cart is empty.').isVisible());
  });

  it('approve: the window opens, the buyer clicks its approve button; paid once, by the verify call, then the webhook changes nothing', async () => {
    shop = await openShop(browser, demo, { readme: true });
    const { page, checkout, payButton } = shop;
    await page.getByRole('button', { name: '양모 방석: 하나 더' }).click();
    await payButton.click();
    const frame = await paymentFrame(page);
    assert.equal(await checkout.getAttribute('state'), 'paying');
    await frame.getByRole('button', { name: '결제 승인', exact: true }).waitFor();
    await screenshot(page, 'demo-pc-window');
    await frame.getByRole('button', { name: '결제 승인', exact: true }).click();

    await waitForState(shop, 'success');
    const entry = await logEntry(shop);
    assert.equal(entry.type, 'payment-success');
    assert.equal(entry.summary, 'paid · ₩17,500 · card · callback');
    assert.equal(entry.detail.status, 'paid');
    assert.equal(entry.detail.amount, 17500);
    assert.equal(entry.detail.via, 'callback');
    assert.match(String(entry.detail.impUid), /^imp_\d{12}$/);
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'ok');
    assert.match(banner.text, /결제 완료 ₩17,500을 결제했습니다/);
    assert.deepEqual(await shownOrder(shop, entry.merchantUid, 'paid'), [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'complete' },
    ]);

    // PortOne's webhook arrives after the verify call: the verifier answers 200 and the order does not move again.
    assert.match(await webhookShown(shop, 200), /paid/);
    const stored = await storedOrder(demo, entry.merchantUid);
    assert.equal(stored.state, 'paid');
    assert.equal(stored.amount, 17500);
    assert.equal(stored.name, '노르웨이 회전 의자 외 1건');
    assert.equal(stored.imp_uid, entry.detail.impUid);
    assert.deepEqual(steps(stored.history), [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'complete' },
    ]);
    assert.equal(shop.verifyCalls.length, 1);
    await page.mouse.move(0, 0);
    await screenshot(page, 'demo-pc-paid'); // the README's docs/demo.png is a copy of this one
  });

  it('English, keyboard only: Enter on the pay button, the English window opens focused on Approve, Enter pays', async () => {
    shop = await openShop(browser, demo, { lang: 'en' });
    const { page } = shop;
    await shop.payButton.focus();
    await page.keyboard.press('Enter');
    const frame = await paymentFrame(page);
    assert.equal(await frame.locator('html').getAttribute('lang'), 'en');
    await frame.locator('button.primary:focus').waitFor();
    assert.equal((await frame.locator('button:focus').textContent())?.trim(), 'Approve payment');
    // Key down, await the answer, key up: a key-up sent to a frame the answer removed is never acknowledged.
    await pressAndAwait(page, 'Enter', () => waitForState(shop!, 'success'));
    const banner = await resultBanner(shop);
    assert.match(banner.text, /^Payment complete You paid ₩14,000\./);
    assert.equal((await storedOrder(demo, (await logEntry(shop)).merchantUid)).state, 'paid');
  });

  it("the cart's items are priced on the server: 2 chairs + 1 cushion → the server's ₩31,500; the order keeps the items; the onPaid hook ships it once", async () => {
    shop = await openShop(browser, demo);
    const { page } = shop;
    const prepares: Array<Record<string, unknown>> = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/payments/prepare') prepares.push(request.postDataJSON());
    });
    await page.getByRole('spinbutton', { name: '노르웨이 회전 의자: 수량' }).fill('2');
    await page.getByRole('button', { name: '양모 방석: 하나 더' }).click();
    await chooseScenario(shop, 'approve');
    await shop.payButton.click();

    await waitForState(shop, 'success');
    const entry = await logEntry(shop);
    assert.equal(entry.detail.amount, 31500);
    assert.deepEqual(prepares.map((body) => body.items), [
      [
        { id: 'chair', quantity: 2 },
        { id: 'cushion', quantity: 1 },
      ],
    ]);
    const stored = await storedOrder(demo, entry.merchantUid);
    assert.equal(stored.amount, 31500);
    assert.equal(stored.currency, 'KRW');
    assert.equal(stored.name, '노르웨이 회전 의자 외 1건', "the server's name for the order");
    assert.deepEqual(stored.items, [
      { id: 'chair', quantity: 2 },
      { id: 'cushion', quantity: 1 },
    ]);
    assert.equal(stored.state, 'paid');
    assert.deepEqual(await shownOrder(shop, entry.merchantUid, 'paid'), [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'complete' },
    ]);
    assert.equal(await page.locator('#order-items').textContent(), '서버가 가격을 매긴 품목: 노르웨이 회전 의자 ×2, 양모 방석 ×1');

    // Fulfilment: the verify answer waited for the hook's first attempt, which shipped it; the panel says so.
    assert.equal((entry.detail.verification as Record<string, unknown>).fulfilment, 'done');
    const shown = await shownFulfilment(shop, 'done', 1);
    assert.match(shown.text, /^배송 완료 · 시도 1회 · \d\d:\d\d:\d\d$/);
    assert.equal(shown.runs, 1);
    assert.match(shown.shipped, /onPaid 훅 실행 1회: 노르웨이 회전 의자 ×2, 양모 방석 ×1 발송/);
    await page.locator('#payments > li').first().waitFor();
    assert.deepEqual(
      (await shownPayments(shop)).map((p) => [p.impUid, p.disposition, p.status]),
      [[entry.detail.impUid, 'settled', 'paid']],
    );
    // PortOne's webhook comes after and settles nothing again: the hook ran once.
    assert.match(await webhookShown(shop, 200), /paid/);
    const after = await storedOrder(demo, entry.merchantUid);
    assert.deepEqual([after.fulfilment.state, after.fulfilment.attempts], ['done', 1]);
    assert.deepEqual(
      (await shipments(demo, entry.merchantUid)).map((s) => [s.amount, s.items]),
      [
        [
          31500,
          [
            { id: 'chair', quantity: 2 },
            { id: 'cushion', quantity: 1 },
          ],
        ],
      ],
    );
    assert.deepEqual(shippedLines(demo, entry.merchantUid), [`shipped ${entry.merchantUid} (chair ×2, cushion ×1)`]);
    await page.mouse.move(0, 0);
    await screenshot(page, 'demo-pc-shipped');
  });

  it("devtools tamper: amount=\"100\" on the element → the server's price_changed, the page shows ₩14,000; nothing paid, no order stored", async () => {
    shop = await openShop(browser, demo);
    const { page, checkout, payButton } = shop;
    const prepareAnswers: number[] = [];
    page.on('response', (response) => {
      if (response.request().method() === 'POST' && new URL(response.url()).pathname === '/payments/prepare') prepareAnswers.push(response.status());
    });
    const before = await sandboxMoney();

    // The scenario button does what someone would do in devtools: only the attribute changes.
    await page.getByRole('button', { name: '결제 버튼의 amount를 ₩100으로 바꾸기' }).click();
    assert.equal(await checkout.getAttribute('amount'), '100');
    assert.equal((await payButton.textContent())?.trim(), '₩100 결제하기');
    assert.equal(await page.locator('#total').textContent(), '₩14,000', 'the cart is what it was');
    assert.match((await page.locator('#devtools-note').textContent()) ?? '', /amount가 이제 ₩100입니다/);
    await payButton.click();

    await waitForState(shop, 'failure');
    const entry = await logEntry(shop);
    assert.deepEqual(
      { stage: entry.detail.stage, code: entry.detail.code, retryable: entry.detail.retryable, amount: entry.detail.amount, currency: entry.detail.currency },
      { stage: 'prepare', code: 'price_changed', retryable: false, amount: 14000, currency: 'KRW' },
    );
    assert.equal(entry.detail.merchantUid, undefined, 'no order');
    assert.deepEqual(prepareAnswers, [409]);
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'bad');
    assert.match(banner.text, /가격이 달라 결제하지 않았습니다/);
    assert.match(banner.text, /결제 버튼의 금액\(₩100\)이 서버가 정한 가격과 달라/);
    assert.match(banner.text, /서버의 가격은 ₩14,000입니다/);
    assert.match(banner.text, /아무것도 결제되거나 저장되지 않았습니다/);
    assert.ok(banner.text.includes(String(entry.detail.message)), "the server's reason, verbatim");
    // The server's price is back on the button.
    assert.equal(await checkout.getAttribute('amount'), '14000');
    assert.equal((await payButton.textContent())?.trim(), '₩14,000 결제하기');
    assert.equal(await page.locator('#devtools-note').textContent(), '');
    assert.equal(await page.locator('.imp-dialog').count(), 0, 'no payment window');
    assert.equal(shop.verifyCalls.length, 0);
    assert.deepEqual(await sandboxMoney(), before, 'no payment at PortOne, no amount registered with it');
    await screenshot(page, 'demo-pc-price-changed');

    // The same by hand in devtools, with an order id of one's own: still nothing under that order.
    const merchantUid = `devtools-${Date.now().toString(36)}`;
    await checkout.evaluate((el, uid) => {
      const element = el as unknown as { setAttribute(name: string, value: string): void };
      element.setAttribute('merchant-uid', uid);
      element.setAttribute('amount', '100');
    }, merchantUid);
    await payButton.click();
    const second = await logEntry(shop, 2);
    assert.deepEqual([second.detail.stage, second.detail.code, second.detail.amount], ['prepare', 'price_changed', 14000]);
    assert.equal(await orderStatus(demo, merchantUid), 404, 'no order stored');
    assert.deepEqual(await sandboxPayments(merchantUid), [], "the sandbox's payments for that order: none");
    assert.deepEqual(await sandboxMoney(), before);
    assert.deepEqual(prepareAnswers, [409, 409]);
  });

  it("shipping down: the paid order's onPaid hook fails, the panel shows the shipping pending with its attempts; back up, the server's retry ships it, once", async () => {
    shop = await openShop(browser, demo);
    const { page } = shop;
    await chooseScenario(shop, 'approve');
    await page.getByRole('switch', { name: /배송 시스템 장애/ }).check();
    await page.locator('body[data-shipping-down="true"]').waitFor({ state: 'attached' });
    await shop.payButton.click();

    await waitForState(shop, 'success');
    const entry = await logEntry(shop);
    assert.equal(entry.detail.status, 'paid', 'paid whatever the shipping does');
    assert.equal((entry.detail.verification as Record<string, unknown>).fulfilment, 'pending');
    const pending = await shownFulfilment(shop, 'pending', 1);
    assert.match(pending.text, /^배송 대기 · 다시 시도 중 · 시도 1회/);
    assert.equal(pending.runs, 0);
    assert.equal(pending.shipped, '아직 발송하지 않았습니다.');
    assert.match((await resultBanner(shop)).text, /결제했습니다.*배송은 아직입니다: 서버가 onPaid 훅을 다시 시도합니다/);
    const owed = await storedOrder(demo, entry.merchantUid);
    assert.equal(owed.state, 'paid');
    assert.equal(owed.fulfilment.state, 'pending');
    assert.deepEqual(await shipments(demo, entry.merchantUid), []);
    await screenshot(page, 'demo-pc-shipping-pending');

    await page.getByRole('switch', { name: /배송 시스템 장애/ }).uncheck();
    await page.locator('body[data-shipping-down="false"]').waitFor({ state: 'attached' });
    // The server retries with backoff (seconds here): the page keeps reading the order until it is shipped.
    const done = await shownFulfilment(shop, 'done', undefined, 45_000);
    assert.ok(done.attempts >= 2, `retried (${done.attempts} attempts)`);
    assert.match(done.text, new RegExp(`^배송 완료 · 시도 ${done.attempts}회`));
    assert.equal(done.runs, 1);
    assert.ok(!/배송은 아직입니다/.test((await resultBanner(shop)).text), 'the banner follows the order');
    const shipped = await storedOrder(demo, entry.merchantUid);
    assert.deepEqual([shipped.fulfilment.state, shipped.fulfilment.attempts], ['done', done.attempts]);
    assert.equal((await shipments(demo, entry.merchantUid)).length, 1, 'shipped once');
    assert.equal(shippedLines(demo, entry.merchantUid).length, 1);
  });

  it('decline (scenario): the card is declined in the window; failure at stage payment; the order stays ready', async () => {
    shop = await openShop(browser, demo);
    await chooseScenario(shop, 'decline');
    assert.match((await shop.page.locator('#armed').textContent()) ?? '', /한도초과로 거절/);
    await shop.payButton.click();
    const frame = await paymentFrame(shop.page);
    await frame.getByText('스크립트된 선택: decline').waitFor();

    await waitForState(shop, 'failure');
    const entry = await logEntry(shop);
    assert.equal(entry.type, 'payment-failure');
    assert.equal(entry.detail.stage, 'payment');
    assert.equal(entry.detail.code, 'SANDBOX_DECLINED');
    assert.equal(entry.detail.retryable, false);
    assert.match(String(entry.detail.message), /한도초과/);
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'bad');
    assert.match(banner.text, /결제가 거절되었습니다.*한도초과.*SANDBOX_DECLINED/);
    assert.deepEqual(await shownOrder(shop, entry.merchantUid, 'ready'), [{ state: 'ready', via: 'prepare' }]);

    const stored = await storedOrder(demo, entry.merchantUid);
    assert.equal(stored.state, 'ready');
    assert.deepEqual(steps(stored.history), [{ state: 'ready', via: 'prepare' }]);
    assert.equal(shop.verifyCalls.length, 0, 'a declined payment is never sent for verification');
    assert.deepEqual((await sandboxPayments(entry.merchantUid)).map((p) => p.status), ['failed']);
    // The choice stays, for this tab alone: nothing waits in the shared sandbox for another page's window, and the
    // next window of this tab is scripted again.
    await shop.page.locator('#armed[data-armed="decline"]').waitFor({ state: 'attached' });
    assert.deepEqual((await sandboxGet<{ scripts: unknown[] }>(demo, '/scripts')).scripts, []);
    await shop.payButton.click();
    await (await paymentFrame(shop.page)).getByText('스크립트된 선택: decline').waitFor();
    const again = await logEntry(shop, 2);
    assert.deepEqual([again.detail.stage, again.detail.code], ['payment', 'SANDBOX_DECLINED']);
  });

  it("close: the buyer presses the window's close button; not paid, nothing verified", async () => {
    shop = await openShop(browser, demo);
    await shop.payButton.click();
    const frame = await paymentFrame(shop.page);
    await frame.getByRole('button', { name: '닫기', exact: true }).click();

    await waitForState(shop, 'failure');
    assert.equal(await shop.page.locator('.imp-dialog').count(), 0);
    const entry = await logEntry(shop);
    assert.equal(entry.detail.stage, 'payment');
    assert.equal(entry.detail.message, '[결제포기] 사용자가 결제를 취소하셨습니다');
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'neutral');
    assert.match(banner.text, /결제하지 않았습니다/);
    assert.equal((await storedOrder(demo, entry.merchantUid)).state, 'ready');
    assert.equal(shop.verifyCalls.length, 0);
    assert.deepEqual((await sandboxPayments(entry.merchantUid)).map((p) => p.status), ['ready']);
  });

  it('virtual account (scenario): issued and shown; the deposit button makes PortOne notify; the webhook marks it paid', async () => {
    shop = await openShop(browser, demo);
    const { page, checkout } = shop;
    await chooseScenario(shop, 'vbank');
    assert.ok(await page.locator('input[name="method"][value="vbank"]').isChecked(), 'the scenario picks the virtual account method');
    assert.equal(await checkout.getAttribute('pay-method'), 'vbank');
    await shop.payButton.click();

    await waitForState(shop, 'success');
    const entry = await logEntry(shop);
    assert.equal(entry.detail.status, 'ready');
    assert.equal(entry.detail.payMethod, 'vbank');
    const verification = entry.detail.verification as Record<string, unknown>;
    assert.match(String(verification.vbank_num), /^\d{6}-\d{2}-\d{6}$/);
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'info');
    assert.ok(banner.text.includes(String(verification.vbank_num)), 'the account number is shown');
    assert.match(banner.text, /₩14,000을 입금해 주세요/);
    assert.deepEqual(await shownOrder(shop, entry.merchantUid, 'vbank_issued'), [
      { state: 'ready', via: 'prepare' },
      { state: 'vbank_issued', via: 'complete' },
    ]);
    await screenshot(page, 'demo-pc-vbank');

    await page.getByRole('button', { name: '입금하기 (샌드박스)' }).click();
    assert.deepEqual(await shownOrder(shop, entry.merchantUid, 'paid'), [
      { state: 'ready', via: 'prepare' },
      { state: 'vbank_issued', via: 'complete' },
      { state: 'paid', via: 'webhook' },
    ]);
    // Deposited: the banner says the order is paid, and no longer asks for the transfer (issue #10).
    const paid = await resultBanner(shop);
    assert.equal(paid.tone, 'ok');
    assert.match(paid.text, /^입금 완료 · 결제 완료 가상계좌에 ₩14,000이 입금되었습니다/);
    assert.ok(!/입금해 주세요|입금하기/.test(paid.text), `no transfer asked for: ${paid.text}`);
    assert.ok(!paid.text.includes(String(verification.vbank_num)), 'the account to pay into is gone');
    assert.equal(await page.getByRole('button', { name: '입금하기 (샌드박스)' }).isVisible(), false);
    await page.mouse.move(0, 0);
    await page.locator('#cart-title').scrollIntoViewIfNeeded();
    await screenshot(page, 'demo-pc-vbank-deposited');
    await page.getByRole('button', { name: 'English' }).click();
    const english = await resultBanner(shop);
    assert.match(english.text, /^Deposit received · paid The ₩14,000 transfer to the virtual account arrived\./);
    assert.ok(!/Please transfer/.test(english.text));
    // A reload reads the order again: still paid, still nothing to transfer.
    await page.reload();
    await page.locator('#order[data-state="paid"]').waitFor({ state: 'attached' });
    assert.match((await resultBanner(shop)).text, /^Deposit received · paid/);
    const stored = await storedOrder(demo, entry.merchantUid);
    assert.deepEqual(steps(stored.history), [
      { state: 'ready', via: 'prepare' },
      { state: 'vbank_issued', via: 'complete' },
      { state: 'paid', via: 'webhook' },
    ]);
  });

  it('wrong amount (scenario): the window pays ₩1,000 for a ₩14,000 order; the server refunds it at PortOne, the order stays open (ready), the page says pay again', async () => {
    shop = await openShop(browser, demo);
    const { page, checkout } = shop;
    await chooseScenario(shop, 'tamper');
    await shop.payButton.click();

    await waitForState(shop, 'failure');
    const entry = await logEntry(shop);
    assert.equal(entry.detail.stage, 'verify');
    assert.equal(entry.detail.code, 'http_409');
    assert.equal(entry.detail.retryable, false);
    assert.deepEqual(
      { status: (entry.detail.verification as Record<string, unknown>).status, refund: (entry.detail.verification as Record<string, unknown>).refund },
      { status: 'forgery', refund: 'done' },
    );
    assert.match(String(entry.detail.message), /1000 KRW.*14000 KRW.*refunded/);
    // The order did not move: still open, and its payments say what became of the ₩1,000.
    assert.deepEqual(await shownOrder(shop, entry.merchantUid, 'ready'), [{ state: 'ready', via: 'prepare' }]);
    await page.locator('#payments > li[data-disposition="refunded_forgery"]').waitFor();
    const [forged] = await shownPayments(shop);
    assert.equal(forged?.impUid, entry.detail.impUid);
    assert.match(forged!.text, /₩1,000.*금액 위조 · 환불됨/);
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'bad');
    assert.match(banner.text, /금액 위조: 서버가 결제를 환불했습니다/);
    assert.match(banner.text, /주문은 그대로 열려 있으니 다시 결제하세요/);
    assert.match(banner.text, /다음 결제창도 금액을 바꿉니다/, 'the scenario still armed is pointed out');
    assert.ok(!/위조로 기록/.test(banner.text), 'no word of a forgery state');
    assert.ok(banner.text.includes(String(entry.detail.message)), "the server's reason, verbatim");
    assert.equal(await checkout.getAttribute('merchant-uid'), entry.merchantUid, 'the next press pays the open order');
    await screenshot(page, 'demo-pc-forgery');
    await page.getByRole('button', { name: 'English' }).click();
    const english = await resultBanner(shop);
    assert.match(english.text, /^Wrong amount: the server refunded the payment /);
    assert.match(english.text, /Your order is still open: pay again/);
    assert.match((await shownPayments(shop))[0]!.text, /₩1,000.*Wrong amount · refunded/);
    await screenshot(page, 'demo-pc-forgery-en');

    // PortOne's webhook for the (now cancelled) payment comes after: handled, and nothing moves.
    assert.match(await webhookShown(shop, 200), /paid/);
    const [payment] = await sandboxPayments(entry.merchantUid);
    assert.equal(payment?.amount, 1000);
    assert.equal(payment?.status, 'cancelled', 'refunded at PortOne');
    const open = await storedOrder(demo, entry.merchantUid);
    assert.equal(open.state, 'ready');
    assert.equal(open.imp_uid, null);
    assert.deepEqual(steps(open.history), [{ state: 'ready', via: 'prepare' }]);
    assert.deepEqual(
      open.payments.map((p) => [p.imp_uid, p.amount, p.disposition]),
      [[entry.detail.impUid, 1000, 'refunded_forgery']],
    );
    assert.equal(open.fulfilment.state, 'none', 'nothing to ship');
    assert.deepEqual(await shipments(demo, entry.merchantUid), []);
  });

  /** The "wrong amount" window on a ₩14,000 order: refunded, the order left open. Its failure's log entry. */
  async function forged(s: ShopPage): Promise<Awaited<ReturnType<typeof logEntry>>> {
    await chooseScenario(s, 'tamper');
    await s.payButton.click();
    await waitForState(s, 'failure');
    const entry = await logEntry(s);
    assert.equal((entry.detail.verification as Record<string, unknown>).status, 'forgery');
    await shownOrder(s, entry.merchantUid, 'ready');
    return entry;
  }

  // SPEC §4: "the buyer (or a tamperer) can still pay the order correctly afterwards".
  it(
    'after a refunded wrong amount, pressing pay again (approve) pays that same order: paid, its payments refunded_forgery then settled',
    async () => {
      shop = await openShop(browser, demo);
      const { page, checkout } = shop;
      const entry = await forged(shop);
      assert.equal(await checkout.getAttribute('merchant-uid'), entry.merchantUid, 'the next press pays the open order');
      // Paying again, correctly this time: the same order is paid.
      await chooseScenario(shop, 'approve');
      await shop.payButton.click();
      await waitForState(shop, 'success');
      const paid = await logEntry(shop, 2);
      assert.equal(paid.type, 'payment-success');
      assert.equal(paid.merchantUid, entry.merchantUid);
      assert.equal(paid.detail.amount, 14000);
      assert.notEqual(paid.detail.impUid, entry.detail.impUid);
      assert.deepEqual(await shownOrder(shop, entry.merchantUid, 'paid'), [
        { state: 'ready', via: 'prepare' },
        { state: 'paid', via: 'complete' },
      ]);
      await page.locator('#payments > li[data-disposition="settled"]').waitFor();
      assert.deepEqual(
        (await shownPayments(shop)).map((p) => [p.impUid, p.disposition]),
        [
          [entry.detail.impUid, 'refunded_forgery'],
          [paid.detail.impUid, 'settled'],
        ],
      );
      assert.equal(await checkout.getAttribute('merchant-uid'), null, 'paid: the button pays a new order next');
      const stored = await storedOrder(demo, entry.merchantUid);
      assert.equal(stored.state, 'paid');
      assert.equal(stored.imp_uid, paid.detail.impUid);
      assert.deepEqual(
        stored.payments.map((p) => [p.imp_uid, p.amount, p.disposition]),
        [
          [entry.detail.impUid, 1000, 'refunded_forgery'],
          [paid.detail.impUid, 14000, 'settled'],
        ],
      );
      assert.deepEqual((await sandboxPayments(entry.merchantUid)).map((p) => [p.amount, p.status]).sort(), [
        [1000, 'cancelled'],
        [14000, 'paid'],
      ]);
      const shipped = await shownFulfilment(shop, 'done', 1);
      assert.equal(shipped.runs, 1);
      await screenshot(page, 'demo-pc-forgery-repaid');
    },
  );

  it('PortOne outage: verify answers 502, a retryable failure; recover, press again: the same payment is verified, no second window', async () => {
    shop = await openShop(browser, demo);
    const { page } = shop;
    await chooseScenario(shop, 'approve');
    await page.getByRole('switch', { name: /PortOne 장애/ }).check();
    await page.locator('#outage-banner').waitFor();
    assert.equal((await sandboxGet<{ faults: unknown[] }>(demo, '/faults')).faults.length, 1);
    await shop.payButton.click();

    await waitForState(shop, 'failure');
    const failure = await logEntry(shop);
    assert.equal(failure.detail.stage, 'verify');
    assert.equal(failure.detail.code, 'http_502');
    assert.equal(failure.detail.retryable, true);
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'warn');
    assert.match(banner.text, /확인하지 못했습니다: 다시 누르세요/);
    assert.deepEqual(await shownOrder(shop, failure.merchantUid, 'ready'), [{ state: 'ready', via: 'prepare' }]);
    // PortOne's webhook came during the outage too, and got 502 (the verifier could not read the payment).
    assert.match(await webhookShown(shop, 502), /paid/);
    await screenshot(page, 'demo-pc-outage');

    await page.getByRole('button', { name: '복구' }).click();
    await page.locator('#outage-banner').waitFor({ state: 'hidden' });
    assert.equal(await page.getByRole('switch', { name: /PortOne 장애/ }).isChecked(), false);
    await shop.payButton.click();
    await waitForState(shop, 'success');
    assert.equal(await page.locator('.imp-dialog').count(), 0, 'no new payment window');
    const success = await logEntry(shop, 2);
    assert.equal(success.type, 'payment-success');
    assert.equal(success.merchantUid, failure.merchantUid);
    assert.equal(success.detail.impUid, failure.detail.impUid);
    assert.deepEqual(
      shop.verifyCalls.map((c) => c.imp_uid),
      [failure.detail.impUid, failure.detail.impUid],
      'the same payment verified twice',
    );
    assert.equal((await sandboxPayments(failure.merchantUid)).length, 1, 'one payment at PortOne');
    assert.deepEqual(await shownOrder(shop, failure.merchantUid, 'paid'), [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'complete' },
    ]);
    const stored = await eventually(async () => {
      const order = await storedOrder(demo, failure.merchantUid);
      return order.state === 'paid' ? order : undefined;
    }, 'the order to be paid');
    assert.deepEqual(steps(stored.history), [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'complete' },
    ]);
  });
});

describe('demo shop on a phone, and with the return lost', { timeout: 120_000 }, () => {
  it('phone: the page leaves for the payment window, the buyer taps approve, lands back; the element claims the landing and verifies', async () => {
    shop = await openShop(browser, demo, { mobile: true });
    const { page, checkout } = shop;
    assert.equal(await page.getByRole('switch', { name: /모바일 결제/ }).isChecked(), true, "a phone's user agent is mobile by itself");
    await page.getByRole('button', { name: '양모 방석: 하나 더' }).tap();
    assert.equal(await checkout.getAttribute('amount'), '17500');
    await screenshot(page, 'demo-mobile-idle');

    await shop.payButton.tap();
    await page.waitForURL(WINDOW);
    assert.equal(new URL(page.url()).origin, demo.sandboxUrl, "the sandbox's own page, not an overlay");
    await page.getByRole('button', { name: '결제 승인', exact: true }).waitFor();
    await screenshot(page, 'demo-mobile-window');
    await page.getByRole('button', { name: '결제 승인', exact: true }).tap();

    await page.waitForURL((url) => url.origin === demo.url);
    await waitForState(shop, 'success');
    assert.equal(page.url(), `${demo.url}/`, 'the landing parameters left the address bar');
    const entry = await logEntry(shop);
    assert.equal(entry.type, 'payment-success');
    assert.equal(entry.detail.via, 'redirect');
    assert.equal(entry.detail.amount, 17500);
    assert.equal(await checkout.getAttribute('amount'), '17500', 'the cart survived the trip');
    assert.equal(await page.locator('#total').textContent(), '₩17,500');
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'ok');
    assert.match(banner.text, /결제창에서 돌아온 뒤 확인/);
    const shown = await shownOrder(shop, entry.merchantUid, 'paid');
    assert.deepEqual(shown.map((s) => s.state), ['ready', 'paid']);
    await screenshot(page, 'demo-mobile-paid');

    assert.equal(shop.verifyCalls.length, 1, 'verified once');
    assert.deepEqual(shop.verifyCalls[0], { imp_uid: entry.detail.impUid, merchant_uid: entry.merchantUid });
    const stored = await storedOrder(demo, entry.merchantUid);
    assert.equal(stored.state, 'paid');
    assert.equal(stored.amount, 17500);
    assert.deepEqual(steps(stored.history).map((s) => s.state), ['ready', 'paid'], 'paid exactly once (by the verify call or the webhook, whichever came first)');

    // A reload does not verify again: the landing is gone from the address bar.
    await page.reload();
    await page.locator('#checkout[state="idle"]').waitFor({ state: 'attached' });
    assert.equal(shop.verifyCalls.length, 1);
  });

  it('phone, decline (scenario): the window declines by itself and sends the buyer back with the error; failure via redirect', async () => {
    shop = await openShop(browser, demo, { mobile: true });
    await chooseScenario(shop, 'decline');
    await shop.payButton.tap();
    await shop.page.waitForURL(WINDOW);
    await shop.page.waitForURL((url) => url.origin === demo.url);
    await waitForState(shop, 'failure');
    const entry = await logEntry(shop);
    assert.equal(entry.detail.stage, 'payment');
    assert.equal(entry.detail.code, 'SANDBOX_DECLINED');
    assert.equal(entry.detail.via, 'redirect');
    assert.match((await resultBanner(shop)).text, /결제가 거절되었습니다/);
    assert.equal(shop.verifyCalls.length, 0);
    assert.equal((await storedOrder(demo, entry.merchantUid)).state, 'ready');
  });

  it('return lost: PortOne sends the buyer to a "browser closed" page that verifies nothing; the webhook alone settles the order, which the shop shows', async () => {
    shop = await openShop(browser, demo);
    const { page, checkout } = shop;
    // On a PC browser: the lost-return switch turns the sandbox's mobile behaviour on (localStorage) too.
    await page.getByRole('switch', { name: /돌아오지 못함/ }).check();
    assert.equal(await page.getByRole('switch', { name: /모바일 결제/ }).isChecked(), true);
    // This tab's (sessionStorage, handed to iamport.js on this page): not every page of the site's (localStorage).
    assert.deepEqual(
      await page.evaluate(() => {
        const g = globalThis as unknown as BrowserGlobals;
        return [g.sessionStorage.getItem('demo.device'), g.portoneSandbox?.device, g.localStorage.getItem('portone-sandbox-device')];
      }),
      ['"mobile"', 'mobile', null],
    );
    assert.equal(await checkout.getAttribute('m-redirect-url'), `${demo.url}/closed.html`);
    await chooseScenario(shop, 'approve');

    await shop.payButton.click();
    await page.waitForURL(WINDOW);
    await page.waitForURL((url) => url.pathname === '/closed.html');
    const landing = new URL(page.url()).searchParams;
    assert.equal(landing.get('imp_success'), 'true');
    const merchantUid = landing.get('merchant_uid')!;
    assert.equal(await page.locator('#order').textContent(), merchantUid);
    await screenshot(page, 'demo-closed');

    await page.getByRole('link', { name: /쇼핑몰을 다시 열어/ }).click();
    await page.waitForURL(`${demo.url}/`);
    const shown = await shownOrder(shop, merchantUid, 'paid');
    assert.deepEqual(shown, [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'webhook' },
    ]);
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'ok');
    assert.match(banner.text, /웹훅으로 결제가 확정되었습니다/);
    await page.locator('#webhooks > li').first().waitFor();
    await screenshot(page, 'demo-webhook-only');

    assert.equal(shop.verifyCalls.length, 0, 'nothing in the browser verified the payment');
    const stored = await storedOrder(demo, merchantUid);
    assert.equal(stored.state, 'paid');
    assert.deepEqual(steps(stored.history), [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'webhook' },
    ]);
  });
});
