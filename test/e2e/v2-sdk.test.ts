// The stand-in PortOne V2 browser SDK in Chromium: a shop on another origin loads `sandbox.v2.sdkUrl` as it would load
// https://cdn.portone.io/v2/browser-sdk.js and calls PortOne.requestPayment. The same test payment window as V1 answers:
// approve, decline, close, virtual account (then a deposit through control), another amount; pre-registration and a
// paid paymentId are refused before any window; redirect mode lands on redirectUrl with PortOne's query. Oracle: the
// official @portone/browser-sdk/v2 loader, pointed at the sandbox with __INTERNAL__setPortOneSdkUrl, pays too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_V2_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/index.js';
import { IPHONE_UA, launchBrowser } from './support.js';

const LOADER = readFileSync(new URL('../../node_modules/@portone/browser-sdk/dist/v2.js', import.meta.url), 'utf8');

let sandbox: Sandbox;
let browser: Browser;
let shop: Server;
let shopUrl: string;

async function startShop(): Promise<void> {
  shop = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://shop.invalid').pathname;
    const page = (head: string, body = '') => `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>V2 shop</title>${head}</head><body><h1>V2 shop</h1>${body}</body></html>`;
    res.setHeader('cache-control', 'no-store');
    if (path === '/loader.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(LOADER);
    } else if (path === '/shop') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page(`<script src="${sandbox.v2.sdkUrl}"></script>`));
    } else if (path === '/npm') {
      // A shop that uses the npm package: the loader injects the SDK from the URL it is given.
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page(`<script type="module">import * as PortOne from '/loader.js'; PortOne.__INTERNAL__setPortOneSdkUrl(${JSON.stringify(sandbox.v2.sdkUrl)}); window.npmPortOne = PortOne;</script>`));
    } else {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page('', '<pre id="query"></pre><script>document.getElementById("query").textContent = location.search;</script>'));
    }
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://localhost:${(shop.address() as AddressInfo).port}`;
}

before(async () => {
  sandbox = await startSandbox({ quiet: true });
  await startShop();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  shop?.close();
  await sandbox?.close();
});
beforeEach(() => sandbox.v2.control.reset());

let counter = 0;
const newPaymentId = () => `e2e${process.pid}${Date.now()}${counter++}`;

function request(paymentId: string, extra: Record<string, unknown> = {}) {
  return {
    storeId: DEFAULT_V2_CREDENTIALS.storeId,
    channelKey: 'channel-key-sandbox',
    paymentId,
    orderName: '노르웨이 회전 의자',
    totalAmount: 14000,
    currency: 'KRW',
    payMethod: 'CARD',
    customer: { fullName: '홍길동', email: 'buyer@example.com', phoneNumber: '01012345678' },
    customData: { orderId: 'o-1' },
    ...extra,
  };
}

async function shopPage(options: { userAgent?: string } = {}): Promise<Page> {
  const context = await browser.newContext(options.userAgent ? { userAgent: options.userAgent } : {});
  const page = await context.newPage();
  await page.goto(`${shopUrl}/shop`);
  await page.waitForFunction(() => Boolean((globalThis as any).PortOne));
  return page;
}

/** requestPayment's answer on the page (its promise). */
function pay(page: Page, body: Record<string, unknown>): Promise<any> {
  return page.evaluate((r) => (globalThis as any).PortOne.requestPayment(r), body);
}

describe('the V2 stand-in SDK in Chromium', () => {
  test('approve (clicked in the window): {transactionType, paymentId, txId}; the REST Payment is PAID with the request’s data', async () => {
    const page = await shopPage();
    try {
      const paymentId = newPaymentId();
      const answer = pay(page, request(paymentId, { noticeUrls: ['http://127.0.0.1:9/hook'] }));
      const frame = await (await page.waitForSelector('iframe[title^="PortOne"]')).contentFrame();
      assert.ok(frame);
      await frame.waitForSelector('text=PortOne V2');
      await frame.click('button[value="approve"]');
      const response = await answer;
      const payment = await sandbox.v2.control.payment(paymentId);
      assert.deepEqual(response, { transactionType: 'PAYMENT', paymentId, txId: payment.transactionId });
      assert.equal(payment.status, 'PAID');
      assert.equal(payment.amount.total, 14000);
      assert.equal(payment.customer.name, '홍길동');
      assert.equal(payment.customData, '{"orderId":"o-1"}');
      assert.equal(payment.origin.platformType, 'PC');
      assert.equal(payment.channel.type, 'LIVE');
      assert.equal(await page.locator('.portone-sandbox-dialog').isVisible(), false);
    } finally {
      await page.context().close();
    }
  });

  test('decline, close: FAILURE_TYPE_PG with pgCode / pgMessage; decline fails the attempt, close leaves it READY', async () => {
    const page = await shopPage();
    try {
      const declined = newPaymentId();
      await sandbox.v2.control.queueScript({ paymentId: declined, action: 'decline', pgCode: 'LIMIT', pgMessage: '한도 초과' });
      const decline = await pay(page, request(declined));
      assert.equal(decline.code, 'FAILURE_TYPE_PG');
      assert.equal(decline.pgCode, 'LIMIT');
      assert.equal(decline.pgMessage, '한도 초과');
      assert.equal(decline.paymentId, declined);
      assert.equal((await sandbox.v2.control.payment(declined)).status, 'FAILED');

      const closed = newPaymentId();
      const answer = pay(page, request(closed));
      const frame = await (await page.waitForSelector('iframe[title^="PortOne"]')).contentFrame();
      await frame!.waitForSelector('button[value="close"]');
      await frame!.press('button.primary', 'Escape');
      const close = await answer;
      assert.equal(close.code, 'FAILURE_TYPE_PG');
      assert.equal(close.pgCode, 'PAY_PROCESS_CANCELED');
      assert.equal((await sandbox.v2.control.payment(closed)).status, 'READY');
      // The buyer tries again on the same paymentId: a new attempt, paid.
      await sandbox.v2.control.queueScript({ paymentId: closed, action: 'approve' });
      const retry = await pay(page, request(closed));
      assert.equal(retry.code, undefined);
      assert.notEqual(retry.txId, close.txId);
      assert.equal((await sandbox.v2.control.payment(closed)).status, 'PAID');
    } finally {
      await page.context().close();
    }
  });

  test('virtual account: issued, then paid by a deposit through control', async () => {
    const page = await shopPage();
    try {
      const paymentId = newPaymentId();
      await sandbox.v2.control.queueScript({ paymentId, action: 'vbank' });
      const answer = await pay(page, request(paymentId, { payMethod: 'VIRTUAL_ACCOUNT' }));
      assert.equal(answer.code, undefined);
      const issued = await sandbox.v2.control.payment(paymentId);
      assert.equal(issued.status, 'VIRTUAL_ACCOUNT_ISSUED');
      assert.equal(issued.method?.type, 'PaymentMethodVirtualAccount');
      assert.equal((await sandbox.v2.control.deposit(paymentId)).status, 'PAID');
    } finally {
      await page.context().close();
    }
  });

  test('tampering: another amount than pre-registered is refused before any window; the window’s other amount is what REST reports', async () => {
    const page = await shopPage();
    try {
      const paymentId = newPaymentId();
      const pre = await fetch(`${sandbox.v2.url}/payments/${paymentId}/pre-register`, {
        method: 'POST',
        headers: { authorization: `PortOne ${DEFAULT_V2_CREDENTIALS.apiSecret}` },
        body: JSON.stringify({ totalAmount: 14000, currency: 'KRW' }),
      });
      assert.equal(pre.status, 200);
      const refused = await pay(page, request(paymentId, { totalAmount: 100 }));
      assert.equal(refused.code, 'AmountNotEqualToPredefined');
      assert.equal(refused.transactionType, 'PAYMENT');
      assert.equal(refused.paymentId, paymentId);
      assert.equal(await page.locator('iframe').count(), 0);

      await sandbox.v2.control.queueScript({ paymentId, action: 'amount', amount: 1000 });
      const paid = await pay(page, request(paymentId));
      assert.equal(paid.code, undefined);
      const payment = await sandbox.v2.control.payment(paymentId);
      assert.equal(payment.amount.total, 1000);
      assert.equal(payment.amount.paid, 1000);
    } finally {
      await page.context().close();
    }
  });

  test('a paid paymentId: PaymentAlreadyPaid; bad input: InvalidArgument naming the field', async () => {
    const page = await shopPage();
    try {
      const paid = await sandbox.v2.control.createPayment({ amount: 14000 });
      const again = await pay(page, request(paid.id));
      assert.equal(again.code, 'PaymentAlreadyPaid');
      const decimal = await pay(page, request(newPaymentId(), { totalAmount: 140.5 }));
      assert.equal(decimal.code, 'InvalidArgument');
      assert.match(decimal.message, /totalAmount/);
      const noChannel = await pay(page, { ...request(newPaymentId()), channelKey: undefined });
      assert.match(noChannel.message, /channelKey/);
    } finally {
      await page.context().close();
    }
  });

  test('redirect: forceRedirect on PC, and a phone with redirectUrl, land on redirectUrl?paymentId&txId (+ code on failure)', async () => {
    const page = await shopPage();
    try {
      const paymentId = newPaymentId();
      await sandbox.v2.control.queueScript({ paymentId, action: 'approve' });
      const answer = await Promise.all([page.waitForURL(/\/done\?/), pay(page, request(paymentId, { redirectUrl: `${shopUrl}/done`, forceRedirect: true }))]).then(([, a]) => a);
      assert.equal(answer, undefined);
      const query = new URL(page.url()).searchParams;
      assert.equal(query.get('paymentId'), paymentId);
      assert.equal(query.get('txId'), (await sandbox.v2.control.payment(paymentId)).transactionId);
      assert.equal(query.get('code'), null);
    } finally {
      await page.context().close();
    }
    const phone = await shopPage({ userAgent: IPHONE_UA });
    try {
      const paymentId = newPaymentId();
      await sandbox.v2.control.queueScript({ paymentId, action: 'decline' });
      void pay(phone, request(paymentId, { redirectUrl: `${shopUrl}/done` })).catch(() => undefined);
      await phone.waitForURL(/\/done\?/);
      const query = new URL(phone.url()).searchParams;
      assert.equal(query.get('paymentId'), paymentId);
      assert.equal(query.get('code'), 'FAILURE_TYPE_PG');
      assert.equal(query.get('pgCode'), 'SANDBOX_DECLINED');
      assert.equal((await sandbox.v2.control.payment(paymentId)).origin.platformType, 'MOBILE');
    } finally {
      await phone.context().close();
    }
  });

  test('oracle: @portone/browser-sdk/v2 with __INTERNAL__setPortOneSdkUrl(sandbox.v2.sdkUrl) pays', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${shopUrl}/npm`);
      await page.waitForFunction(() => Boolean((globalThis as any).npmPortOne));
      const paymentId = newPaymentId();
      await sandbox.v2.control.queueScript({ paymentId, action: 'approve' });
      const answer = await page.evaluate((r) => (globalThis as any).npmPortOne.requestPayment(r), request(paymentId));
      assert.equal(answer.code, undefined);
      assert.equal(answer.paymentId, paymentId);
      assert.equal((await sandbox.v2.control.payment(paymentId)).status, 'PAID');
      assert.equal(await page.evaluate((url) => Boolean((globalThis as any).document.querySelector(`script[src="${url}"]`)), sandbox.v2.sdkUrl), true);
    } finally {
      await context.close();
    }
  });
});
