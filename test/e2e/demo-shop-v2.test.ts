// The demo shop paying through PortOne V2 (the page's PortOne switch: the same <portone-checkout> with `store-id`,
// the sandbox's stand-in browser-sdk.js on its V2 address): every scenario of the page, on a PC and on a phone, through
// npm start's own server. Checked as the person sees it (the element's `state`, the event log, the result, the order
// panel), as the server stored it (GET /payments/:paymentId, V2's names) and, where PortOne notifies, as the sandbox
// sent it: each V2 webhook signed with the store's secret (checked here again from the sandbox's own log) and
// answered 200 by the verifier, which refuses an unsigned one. The V1 flows are demo-shop.test.ts's; the helpers are
// shared (demo-support.ts).
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEFAULT_V2_CREDENTIALS, signV2Webhook, type V2Payment } from '../../sandbox/index.js';
import {
  type BrowserGlobals,
  chooseProtocol,
  chooseScenario,
  type Demo,
  eventually,
  launchBrowser,
  logEntry,
  openShop,
  orderStatus,
  paymentFrame,
  resultBanner,
  sandboxV2,
  screenshot,
  type ShopPage,
  shownOrder,
  shownPayments,
  startDemo,
  steps,
  storedOrderV2,
  waitForState,
  webhooksV2,
} from './demo-support.js';

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

/** V2's payment window, on the sandbox's V2 address (`/__sandbox/window/<paymentId>`). */
const windowOf = (paymentId?: string) => new RegExp(`/__sandbox/window/${paymentId ?? '[A-Za-z0-9]+'}$`);

/** The payments PortOne V2 (the sandbox) holds for a paymentId: its attempts' visible one. */
async function sandboxPayment(paymentId: string): Promise<V2Payment | undefined> {
  const { payments } = await sandboxV2(demo).payments(1000);
  return payments.find((p) => p.id === paymentId);
}

/**
 * Every V2 webhook the sandbox sent for the order, once one of `type` was answered `answer`: each checked here against
 * the store's secret from the sandbox's own log (the exact headers and body it sent), and as the demo API and the page
 * list them. Returns the types sent, oldest first.
 */
async function signedWebhooks(s: ShopPage, paymentId: string, type: string, answer = 200): Promise<string[]> {
  const listed = await eventually(async () => {
    const hooks = await webhooksV2(demo, paymentId);
    return hooks.some((h) => h.status === type && h.answer === answer) ? hooks : undefined;
  }, `a ${type} webhook for ${paymentId} answered ${answer}`);
  const { deliveries } = await sandboxV2(demo).webhooks();
  const sent = deliveries.filter((d) => d.body.data.paymentId === paymentId);
  assert.equal(sent.length, listed.length);
  for (const d of sent) {
    assert.equal(d.url, `${demo.url}/portone/webhook/v2`, "to the verifier's V2 notification URL");
    assert.equal(d.body.data.storeId, DEFAULT_V2_CREDENTIALS.storeId);
    assert.equal(
      d.headers['webhook-signature'],
      signV2Webhook(DEFAULT_V2_CREDENTIALS.webhookSecret, d.headers['webhook-id'], Number(d.headers['webhook-timestamp']), JSON.stringify(d.body)),
      'signed (Standard Webhooks) with the store secret',
    );
  }
  assert.ok(listed.every((h) => h.signed), 'the demo API says each was signed');
  // The page lists it too: signed, and what the verifier answered.
  const row = s.page.locator(`#webhooks > li[data-signed="true"][data-answer="${answer}"]`, { hasText: type }).first();
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', new RegExp(`서명됨.*${type.replace('.', '\\.')}.*→ 서버 응답 ${answer}$`));
  return listed.map((h) => h.status);
}

/** A V2 shop page with a scenario armed. */
async function v2Shop(options: { scenario?: 'approve' | 'decline' | 'close' | 'vbank' | 'tamper'; mobile?: boolean } = {}): Promise<ShopPage> {
  const s = await openShop(browser, demo, { protocol: 'v2', mobile: options.mobile });
  if (options.scenario) await chooseScenario(s, options.scenario);
  return s;
}

/** The V2 ids of the newest log entry, checked for their shape (a V2 detail names no imp_uid nor merchant_uid). */
function v2Ids(entry: Awaited<ReturnType<typeof logEntry>>): { paymentId: string; txId: string } {
  assert.equal(entry.detail.version, 'v2');
  assert.match(String(entry.detail.paymentId), /^order[a-z0-9]+$/, "the server's paymentId (prepare)");
  assert.equal(entry.merchantUid, entry.detail.paymentId, 'the log names the order by its paymentId');
  assert.equal(entry.detail.impUid, undefined);
  assert.equal(entry.detail.merchantUid, undefined);
  return { paymentId: String(entry.detail.paymentId), txId: String(entry.detail.txId ?? '') };
}

describe('demo shop in PortOne V2, on a PC', { timeout: 120_000 }, () => {
  it('the PortOne switch: V1 by default; V2 swaps the attributes (store-id, channel-key, browser-sdk.js; no merchant, pg, language); this tab only; back to V1', async () => {
    shop = await openShop(browser, demo);
    const { page, checkout } = shop;
    assert.equal(await page.locator('input[name="protocol"][value="v1"]').isChecked(), true);
    assert.equal(await checkout.getAttribute('store-id'), null);
    const v1 = { merchant: await checkout.getAttribute('merchant'), pg: await checkout.getAttribute('pg'), sdk: await checkout.getAttribute('sdk-src') };
    assert.equal(v1.sdk, `${demo.sandboxUrl}/iamport.js`);

    await chooseProtocol(shop, 'v2');
    assert.equal(await checkout.getAttribute('store-id'), DEFAULT_V2_CREDENTIALS.storeId);
    assert.equal(await checkout.getAttribute('channel-key'), 'channel-key-sandbox');
    assert.equal(await checkout.getAttribute('sdk-src'), `${demo.sandboxV2Url}/browser-sdk.js`, "V2's SDK, on the sandbox's V2 address");
    for (const v1Only of ['merchant', 'pg', 'language', 'merchant-uid']) assert.equal(await checkout.getAttribute(v1Only), null, `no ${v1Only} in V2`);
    assert.equal(await checkout.getAttribute('amount'), '14000', 'the cart drives V2 alike');
    assert.match((await page.locator('#snippet').textContent()) ?? '', /store-id="store-sandbox"/);
    // The page's choices for the V2 stand-in speak its case (delayMs).
    await chooseScenario(shop, 'approve');
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).portoneSandbox?.script), { action: 'approve', delayMs: 500 });

    // This tab's: a reload keeps it; another tab (a new context) starts in V1.
    await page.reload();
    await page.locator('body[data-protocol="v2"] #checkout[store-id]:defined').waitFor({ state: 'attached' });
    assert.equal(await page.locator('input[name="protocol"][value="v2"]').isChecked(), true);
    const other = await openShop(browser, demo);
    try {
      assert.equal(await other.checkout.getAttribute('store-id'), null);
      assert.equal(await other.checkout.getAttribute('merchant'), v1.merchant);
    } finally {
      await other.context.close();
    }

    await chooseProtocol(shop, 'v1');
    assert.deepEqual(
      { merchant: await checkout.getAttribute('merchant'), pg: await checkout.getAttribute('pg'), sdk: await checkout.getAttribute('sdk-src') },
      v1,
    );
    for (const v2Only of ['store-id', 'channel-key', 'payment-id']) assert.equal(await checkout.getAttribute(v2Only), null, `no ${v2Only} in V1`);
    assert.equal(await checkout.getAttribute('language'), 'ko');
  });

  it("approve (the window's button): paid by the verify call; the log, the result and the order name paymentId and txId; the signed webhook is answered 200 and changes nothing", async () => {
    shop = await v2Shop();
    const { page, checkout } = shop;
    await page.getByRole('button', { name: '양모 방석: 하나 더' }).click();
    await shop.payButton.click();
    const frame = await paymentFrame(page);
    assert.equal(await checkout.getAttribute('state'), 'paying');
    assert.match(frame.url(), windowOf());
    assert.equal(new URL(frame.url()).origin, demo.sandboxV2Url, "V2's window, on the sandbox's V2 address");
    await frame.getByRole('button', { name: '결제 승인', exact: true }).click();

    await waitForState(shop, 'success');
    const entry = await logEntry(shop);
    const { paymentId, txId } = v2Ids(entry);
    assert.equal(entry.type, 'payment-success');
    assert.deepEqual([entry.detail.status, entry.detail.amount, entry.detail.currency, entry.detail.via], ['paid', 17500, 'KRW', 'callback']);
    assert.match(entry.summary, /^paid · ₩17,500 · .+ · callback$/);
    assert.ok(txId.length > 0, 'the attempt that paid');
    assert.equal(await page.locator('#log > li').first().locator('.ids').textContent(), `paymentId ${paymentId} · txId ${txId}`);
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'ok');
    assert.match(banner.text, /결제 완료 ₩17,500을 결제했습니다/);
    assert.deepEqual(await shownOrder(shop, paymentId, 'paid'), [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'complete' },
    ]);
    assert.equal(await page.locator('#order-key').textContent(), 'paymentId');
    assert.equal(await page.locator('#order-uid').textContent(), paymentId);
    await page.locator('#payments > li').first().waitFor();
    assert.deepEqual(
      (await shownPayments(shop)).map((p) => [p.txId, p.impUid, p.disposition]),
      [[txId, null, 'settled']],
    );

    assert.deepEqual(await signedWebhooks(shop, paymentId, 'Transaction.Paid'), ['Transaction.Paid']);
    const stored = await storedOrderV2(demo, paymentId);
    assert.equal(stored.version, 'v2');
    assert.equal(stored.paymentId, paymentId);
    assert.equal(stored.transactionId, txId);
    assert.deepEqual([stored.state, stored.amount, stored.name], ['paid', 17500, '노르웨이 회전 의자 외 1건']);
    assert.deepEqual(steps(stored.history), [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'complete' },
    ], 'the webhook after the verify call moved nothing');
    assert.deepEqual(stored.payments.map((p) => [p.transactionId, p.amount, p.disposition]), [[txId, 17500, 'settled']]);
    assert.deepEqual(shop.verifyCalls, [{ paymentId, txId }] , 'verified once, with V2 ids');
    assert.equal((await sandboxPayment(paymentId))?.status, 'PAID');
    await screenshot(page, 'demo-v2-paid');
  });

  it('decline (scenario): the card is declined in the window; failure at stage payment; nothing verified; the order stays ready; the signed Failed webhook is answered 200', async () => {
    shop = await v2Shop({ scenario: 'decline' });
    await shop.payButton.click();
    await (await paymentFrame(shop.page)).getByText('스크립트된 선택: decline').waitFor();

    await waitForState(shop, 'failure');
    const entry = await logEntry(shop);
    const { paymentId } = v2Ids(entry);
    assert.deepEqual([entry.type, entry.detail.stage, entry.detail.cancelled, entry.detail.retryable], ['payment-failure', 'payment', false, false]);
    assert.equal(entry.detail.pgCode, 'SANDBOX_DECLINED');
    assert.match(String(entry.detail.message), /한도초과/);
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'bad');
    assert.match(banner.text, /결제가 거절되었습니다.*한도초과/);
    assert.deepEqual(await shownOrder(shop, paymentId, 'ready'), [{ state: 'ready', via: 'prepare' }]);
    assert.equal(shop.verifyCalls.length, 0, 'a declined payment is never sent for verification');
    assert.equal((await sandboxPayment(paymentId))?.status, 'FAILED');
    assert.deepEqual(await signedWebhooks(shop, paymentId, 'Transaction.Failed'), ['Transaction.Failed']);
    const stored = await storedOrderV2(demo, paymentId);
    assert.equal(stored.state, 'ready');
    assert.deepEqual(steps(stored.history), [{ state: 'ready', via: 'prepare' }]);
    // The choice is this tab's: nothing waits in the shared sandbox.
    assert.deepEqual(await sandboxV2(demo).scripts(), []);
  });

  it("close: the buyer presses the window's close button; cancelled, not paid, nothing verified", async () => {
    shop = await v2Shop();
    await shop.payButton.click();
    await (await paymentFrame(shop.page)).getByRole('button', { name: '닫기', exact: true }).click();

    await waitForState(shop, 'failure');
    assert.equal(await shop.page.locator('.portone-sandbox-dialog:visible').count(), 0, 'the overlay is gone');
    const entry = await logEntry(shop);
    const { paymentId } = v2Ids(entry);
    assert.deepEqual([entry.detail.stage, entry.detail.cancelled], ['payment', true]);
    assert.equal(entry.detail.pgCode, 'PAY_PROCESS_CANCELED');
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'neutral');
    assert.match(banner.text, /결제하지 않았습니다/);
    assert.equal(shop.verifyCalls.length, 0);
    assert.equal((await storedOrderV2(demo, paymentId)).state, 'ready');
    assert.equal((await sandboxPayment(paymentId))?.status, 'READY', 'PortOne keeps the attempt, unpaid');
  });

  it('virtual account (scenario): issued and shown (bank, account number); the deposit button deposits into it; the signed Paid webhook marks it paid', async () => {
    shop = await v2Shop({ scenario: 'vbank' });
    const { page, checkout } = shop;
    assert.equal(await checkout.getAttribute('pay-method'), 'vbank', 'V1\'s name, which the element maps to VIRTUAL_ACCOUNT');
    await shop.payButton.click();

    await waitForState(shop, 'success');
    const entry = await logEntry(shop);
    const { paymentId } = v2Ids(entry);
    assert.equal(entry.detail.status, 'virtual_account_issued');
    const verification = entry.detail.verification as Record<string, unknown>;
    assert.equal(typeof verification.accountNumber, 'string');
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'info');
    assert.ok(banner.text.includes(String(verification.accountNumber)), 'the account number is shown');
    assert.ok(banner.text.includes(String(verification.bank)), 'and its bank');
    assert.match(banner.text, /₩14,000을 입금해 주세요/);
    assert.ok(!/undefined|Invalid Date/.test(banner.text), banner.text);
    assert.deepEqual(await shownOrder(shop, paymentId, 'vbank_issued'), [
      { state: 'ready', via: 'prepare' },
      { state: 'vbank_issued', via: 'complete' },
    ]);
    assert.equal((await sandboxPayment(paymentId))?.status, 'VIRTUAL_ACCOUNT_ISSUED');
    await screenshot(page, 'demo-v2-vbank');

    await page.getByRole('button', { name: '입금하기 (샌드박스)' }).click();
    assert.deepEqual(await shownOrder(shop, paymentId, 'paid'), [
      { state: 'ready', via: 'prepare' },
      { state: 'vbank_issued', via: 'complete' },
      { state: 'paid', via: 'webhook' },
    ]);
    const paid = await resultBanner(shop);
    assert.equal(paid.tone, 'ok');
    assert.match(paid.text, /^입금 완료 · 결제 완료 가상계좌에 ₩14,000이 입금되었습니다/);
    assert.equal(await page.getByRole('button', { name: '입금하기 (샌드박스)' }).isVisible(), false);
    assert.deepEqual(await signedWebhooks(shop, paymentId, 'Transaction.Paid'), ['Transaction.VirtualAccountIssued', 'Transaction.Paid']);
    assert.equal((await sandboxPayment(paymentId))?.status, 'PAID');
    const stored = await storedOrderV2(demo, paymentId);
    assert.equal(stored.state, 'paid');
    assert.deepEqual(steps(stored.history).map((s) => s.via), ['prepare', 'complete', 'webhook']);
  });

  it("devtools tamper: amount=\"100\" on the V2 element → the server's price_changed; nothing registered with PortOne V2, no order", async () => {
    shop = await v2Shop();
    const { page, checkout, payButton } = shop;
    const money = async () => ({ payments: (await sandboxV2(demo).payments(1)).total, preRegistrations: (await sandboxV2(demo).calls('/none')).counts['POST /payments/:paymentId/pre-register'] ?? 0 });
    const before = await money();
    await page.getByRole('button', { name: '결제 버튼의 amount를 ₩100으로 바꾸기' }).click();
    assert.equal(await checkout.getAttribute('amount'), '100');
    await payButton.click();

    await waitForState(shop, 'failure');
    const entry = await logEntry(shop);
    assert.deepEqual(
      [entry.detail.version, entry.detail.stage, entry.detail.code, entry.detail.amount, entry.detail.currency, entry.detail.paymentId],
      ['v2', 'prepare', 'price_changed', 14000, 'KRW', undefined],
    );
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'bad');
    assert.match(banner.text, /가격이 달라 결제하지 않았습니다.*₩100.*서버의 가격은 ₩14,000입니다/);
    assert.equal(await checkout.getAttribute('amount'), '14000', "the server's price is back on the button");
    assert.equal(await page.locator('.portone-sandbox-dialog').count(), 0, 'no payment window');
    assert.equal(shop.verifyCalls.length, 0);
    assert.deepEqual(await money(), before, 'no payment at PortOne V2, no amount pre-registered');
    // At the server's price it goes through: one amount pre-registered, one attempt (closed) at PortOne V2.
    await chooseScenario(shop, 'close');
    await payButton.click();
    await waitForState(shop, 'failure');
    assert.equal((await logEntry(shop, 2)).detail.cancelled, true);
    assert.deepEqual(await money(), { payments: before.payments + 1, preRegistrations: before.preRegistrations + 1 });
  });

  it('wrong amount (scenario): the window pays ₩1,000 for a ₩14,000 order; the server refunds it at PortOne V2 (forgery); the order stays ready; the next press is a new order', async () => {
    shop = await v2Shop({ scenario: 'tamper' });
    const { page, checkout } = shop;
    await shop.payButton.click();

    await waitForState(shop, 'failure');
    const entry = await logEntry(shop);
    const { paymentId, txId } = v2Ids(entry);
    assert.deepEqual([entry.detail.stage, entry.detail.code, entry.detail.retryable], ['verify', 'http_409', false]);
    const verification = entry.detail.verification as Record<string, unknown>;
    assert.deepEqual([verification.status, verification.refund], ['forgery', 'done']);
    assert.deepEqual(await shownOrder(shop, paymentId, 'ready'), [{ state: 'ready', via: 'prepare' }]);
    await page.locator('#payments > li[data-disposition="refunded_forgery"]').waitFor();
    const [forged] = await shownPayments(shop);
    assert.equal(forged?.txId, txId);
    assert.match(forged!.text, /₩1,000.*금액 위조 · 환불됨/);
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'bad');
    assert.match(banner.text, /금액 위조: 서버가 결제를 환불했습니다/);
    assert.match(banner.text, /PortOne V2는 한 paymentId로 한 번만 결제하므로, 다시 누르면 새 주문으로 결제합니다/);
    assert.equal(await checkout.getAttribute('payment-id'), null, 'not pinned: PortOne V2 refuses a paid paymentId');
    assert.equal(await checkout.getAttribute('merchant-uid'), null);

    const payment = await sandboxPayment(paymentId);
    assert.deepEqual([payment?.status, payment?.amount.paid, payment?.amount.cancelled], ['CANCELLED', 1000, 1000], 'refunded at PortOne V2');
    // PortOne notifies the payment, then the server's own refund: both signed, both answered 200, neither moves the order.
    assert.deepEqual(await signedWebhooks(shop, paymentId, 'Transaction.Cancelled'), ['Transaction.Paid', 'Transaction.Cancelled']);
    const open = await storedOrderV2(demo, paymentId);
    assert.equal(open.state, 'ready');
    assert.equal(open.transactionId, null);
    assert.deepEqual(open.payments.map((p) => [p.transactionId, p.amount, p.disposition]), [[txId, 1000, 'refunded_forgery']]);
    assert.equal(open.fulfilment.state, 'none', 'nothing to ship');
    await screenshot(page, 'demo-v2-forgery');

    // Pressing again (approve now) pays in a new order, which is paid.
    await chooseScenario(shop, 'approve');
    await shop.payButton.click();
    await waitForState(shop, 'success');
    const again = await logEntry(shop, 2);
    assert.notEqual(again.detail.paymentId, paymentId);
    assert.equal((await storedOrderV2(demo, String(again.detail.paymentId))).state, 'paid');
    assert.equal((await storedOrderV2(demo, paymentId)).state, 'ready');
  });

  it('PortOne outage: V2 lookups answer 503, verify 502 (retryable), the signed webhook gets 502 too; recover, press again: the same payment verified, no second window', async () => {
    shop = await v2Shop({ scenario: 'approve' });
    const { page } = shop;
    await page.getByRole('switch', { name: /PortOne 장애/ }).check();
    await page.locator('#outage-banner').waitFor();
    assert.deepEqual((await sandboxV2(demo).faults()).map((f) => [f.method, f.path]), [['GET', '/payments/']], "V2's payment lookups are broken");
    await shop.payButton.click();

    await waitForState(shop, 'failure');
    const failure = await logEntry(shop);
    const { paymentId, txId } = v2Ids(failure);
    assert.deepEqual([failure.detail.stage, failure.detail.code, failure.detail.retryable], ['verify', 'http_502', true]);
    assert.match((await resultBanner(shop)).text, /확인하지 못했습니다: 다시 누르세요/);
    assert.deepEqual(await shownOrder(shop, paymentId, 'ready'), [{ state: 'ready', via: 'prepare' }]);
    await signedWebhooks(shop, paymentId, 'Transaction.Paid', 502);
    await screenshot(page, 'demo-v2-outage');

    await page.getByRole('button', { name: '복구' }).click();
    await page.locator('#outage-banner').waitFor({ state: 'hidden' });
    assert.deepEqual(await sandboxV2(demo).faults(), []);
    await shop.payButton.click();
    await waitForState(shop, 'success');
    const success = await logEntry(shop, 2);
    assert.deepEqual([success.detail.paymentId, success.detail.txId], [paymentId, txId], 'the same payment');
    assert.deepEqual(shop.verifyCalls, [
      { paymentId, txId },
      { paymentId, txId },
    ] , 'verified twice, no second window');
    assert.deepEqual(await shownOrder(shop, paymentId, 'paid'), [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'complete' },
    ]);
    assert.equal((await storedOrderV2(demo, paymentId)).state, 'paid');
  });

  it('English: the V2 window opens in English (the request\'s locale EN_US), the page names the V2 ids in English too', async () => {
    shop = await openShop(browser, demo, { protocol: 'v2', lang: 'en' });
    assert.equal(await shop.checkout.getAttribute('language'), null, "V1's attribute is not V2's");
    await shop.payButton.click();
    const frame = await paymentFrame(shop.page);
    assert.equal(await frame.locator('html').getAttribute('lang'), 'en');
    await frame.getByRole('button', { name: 'Approve payment', exact: true }).click();
    await waitForState(shop, 'success');
    const { paymentId } = v2Ids(await logEntry(shop));
    assert.match((await resultBanner(shop)).text, /^Payment complete You paid ₩14,000\./);
    await shownOrder(shop, paymentId, 'paid');
    const row = shop.page.locator('#webhooks > li[data-signed="true"][data-answer="200"]').first();
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /signed \(the store's webhook secret\) · status Transaction\.Paid → server answered 200$/);
  });

  it("reset puts V2 back too: its outage fault and any window script queued in the sandbox's V2 side are gone", async () => {
    shop = await v2Shop();
    const { page } = shop;
    await page.getByRole('switch', { name: /PortOne 장애/ }).check();
    await page.locator('#outage-banner').waitFor();
    await sandboxV2(demo).queueScript({ action: 'decline' });
    assert.equal((await sandboxV2(demo).faults()).length, 1);
    assert.equal((await sandboxV2(demo).scripts()).length, 1);
    await page.getByRole('button', { name: '시나리오 초기화' }).click();
    await page.locator('#outage-banner').waitFor({ state: 'hidden' });
    await eventually(async () => ((await sandboxV2(demo).faults()).length === 0 ? true : undefined), 'V2 faults cleared');
    assert.deepEqual(await sandboxV2(demo).scripts(), [], 'V2 scripts cleared');
    assert.equal(await shop.checkout.getAttribute('store-id'), DEFAULT_V2_CREDENTIALS.storeId, 'the PortOne switch is not a scenario: still V2');
  });
});

describe('demo shop in PortOne V2, on a phone and with the return lost', { timeout: 120_000 }, () => {
  it('phone: the page leaves for the V2 window, the buyer taps approve, lands back with paymentId and txId; the element verifies the landing', async () => {
    shop = await v2Shop({ mobile: true });
    const { page, checkout } = shop;
    assert.equal(await page.getByRole('switch', { name: /모바일 결제/ }).isChecked(), true);
    await page.getByRole('button', { name: '양모 방석: 하나 더' }).tap();
    await shop.payButton.tap();
    await page.waitForURL(windowOf());
    assert.equal(new URL(page.url()).origin, demo.sandboxV2Url, "the sandbox's own V2 page, not an overlay");
    await page.getByRole('button', { name: '결제 승인', exact: true }).tap();

    const landed: string[] = [];
    page.on('framenavigated', (frame) => frame === page.mainFrame() && landed.push(frame.url()));
    await page.waitForURL((url) => url.origin === demo.url);
    await waitForState(shop, 'success');
    const landing = new URL(landed.find((u) => u.includes('paymentId='))!).searchParams;
    assert.equal(page.url(), `${demo.url}/`, 'the landing parameters left the address bar');
    const entry = await logEntry(shop);
    const { paymentId, txId } = v2Ids(entry);
    assert.deepEqual([landing.get('paymentId'), landing.get('txId')], [paymentId, txId]);
    assert.deepEqual([entry.type, entry.detail.via, entry.detail.amount], ['payment-success', 'redirect', 17500]);
    assert.equal(await checkout.getAttribute('store-id'), DEFAULT_V2_CREDENTIALS.storeId, 'still V2 after the trip');
    assert.equal(await checkout.getAttribute('amount'), '17500', 'the cart survived the trip');
    assert.match((await resultBanner(shop)).text, /결제창에서 돌아온 뒤 확인/);
    assert.deepEqual((await shownOrder(shop, paymentId, 'paid')).map((s) => s.state), ['ready', 'paid']);
    assert.deepEqual(shop.verifyCalls, [{ paymentId, txId }] , 'verified once');
    const stored = await storedOrderV2(demo, paymentId);
    assert.deepEqual([stored.state, stored.amount], ['paid', 17500]);
    assert.deepEqual(steps(stored.history).map((s) => s.state), ['ready', 'paid']);
    await screenshot(page, 'demo-v2-mobile-paid');

    await page.reload();
    await page.locator('#checkout[state="idle"]').waitFor({ state: 'attached' });
    assert.equal(shop.verifyCalls.length, 1, 'a reload verifies nothing again');
  });

  it("phone, the element upgraded before the shop's script switched it to V2 (DOMContentLoaded held back): it connects again as V2 and claims the landing", async () => {
    shop = await v2Shop({ mobile: true, scenario: 'approve' });
    const { page } = shop;
    // The landing page as served, with a deferred script that holds DOMContentLoaded (the shop's init) back until the
    // async loader has defined the element: it connects with the HTML's V1 attributes first.
    await page.route((url) => url.pathname === '/' && url.searchParams.has('paymentId'), async (route) => {
      const served = await route.fetch();
      const html = (await served.text()).replace('</head>', '<script defer src="/__held.js"></script></head>');
      await route.fulfill({ response: served, body: html });
    });
    // (A route sees only the first request of a redirect: the window's answer, its 302 to the landing, is followed
    // by a navigation of its own here, so that the landing request is routed too.)
    await page.route(windowOf(), async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const answer = await route.fetch({ maxRedirects: 0 });
      const landing = answer.headers().location;
      assert.ok(landing, 'the window answers with a redirect to the landing');
      await route.fulfill({ status: 200, contentType: 'text/html', body: `<script>location.replace(${JSON.stringify(landing)})</script>` });
    });
    await page.route('**/__held.js', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.fulfill({
        contentType: 'application/javascript',
        body: "window.__heldSaw = { defined: !!customElements.get('portone-checkout'), storeId: document.getElementById('checkout').getAttribute('store-id') };",
      });
    });
    await shop.payButton.tap();
    await page.waitForURL(windowOf());
    await page.waitForURL((url) => url.origin === demo.url);
    await waitForState(shop, 'success');
    const held = await page.evaluate(() => (globalThis as unknown as { __heldSaw?: { defined: boolean; storeId: string | null } }).__heldSaw);
    assert.deepEqual(held, { defined: true, storeId: null }, 'the element was defined, still V1, when the shop switched it');
    const entry = await logEntry(shop);
    const { paymentId, txId } = v2Ids(entry);
    assert.deepEqual([entry.detail.via, entry.detail.status], ['redirect', 'paid']);
    assert.deepEqual(shop.verifyCalls, [{ paymentId, txId }]);
    assert.equal(page.url(), `${demo.url}/`);
    assert.equal((await storedOrderV2(demo, paymentId)).state, 'paid');
  });

  it('return lost: the V2 window sends the buyer to a "browser closed" page; the signed webhook alone settles the order, which the shop shows', async () => {
    shop = await v2Shop();
    const { page, checkout } = shop;
    await page.getByRole('switch', { name: /돌아오지 못함/ }).check();
    assert.equal(await checkout.getAttribute('m-redirect-url'), `${demo.url}/closed.html`, "V2's redirectUrl");
    await chooseScenario(shop, 'approve');
    await shop.payButton.click();
    await page.waitForURL(windowOf());
    await page.waitForURL((url) => url.pathname === '/closed.html');
    const landing = new URL(page.url()).searchParams;
    const paymentId = landing.get('paymentId')!;
    assert.match(paymentId, /^order[a-z0-9]+$/);
    assert.equal(landing.get('code'), null, 'paid: no failure code');
    assert.equal(await page.locator('#order').textContent(), paymentId);

    await page.getByRole('link', { name: /쇼핑몰을 다시 열어/ }).click();
    await page.waitForURL(`${demo.url}/`);
    assert.deepEqual(await shownOrder(shop, paymentId, 'paid'), [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'webhook' },
    ]);
    const banner = await resultBanner(shop);
    assert.equal(banner.tone, 'ok');
    assert.match(banner.text, /웹훅으로 결제가 확정되었습니다/);
    assert.deepEqual(await signedWebhooks(shop, paymentId, 'Transaction.Paid'), ['Transaction.Paid']);
    await screenshot(page, 'demo-v2-webhook-only');

    assert.equal(shop.verifyCalls.length, 0, 'nothing in the browser verified the payment');
    const stored = await storedOrderV2(demo, paymentId);
    assert.equal(stored.state, 'paid');
    assert.deepEqual(steps(stored.history), [
      { state: 'ready', via: 'prepare' },
      { state: 'paid', via: 'webhook' },
    ]);
    assert.equal(await orderStatus(demo, paymentId), 200);
  });
});
