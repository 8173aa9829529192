// The CMS page of the demo (/cms.html): plain HTML from a template, several <portone-checkout> and no script of the
// page's own beyond the loader tag. Every element upgrades, keeps its own look, and pays on its own; one of them
// (#tray) pays through PortOne V2 (`store-id`), beside the V1 ones, through the same server.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { DEFAULT_V2_CREDENTIALS } from '../../sandbox/index.js';
import { type BrowserGlobals, type Demo, eventually, IPHONE_UA, launchBrowser, paymentFrame, screenshot, startDemo, storedOrder, storedOrderV2, webhooksV2 } from './demo-support.js';

/** The V1 elements; `tray` is the V2 one. */
const IDS = ['stool', 'cover', 'lamp', 'giftcard'] as const;

/** The elements' events, as the test records them (the page has no script to do it). */
type Recorded = { id: string; type: string; detail: Record<string, unknown> };
/** What the init script touches in the page (the e2e code is compiled without the DOM library). */
interface PageGlobals {
  __events: Recorded[];
  document: { addEventListener(type: string, listener: (e: { type: string; target: { closest(s: string): { id: string } | null }; detail: Record<string, unknown> }) => void): void };
}

describe('demo CMS page: several elements, attributes only', { timeout: 120_000 }, () => {
  let demo: Demo;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** iamport.js requests the page made. */
  let sdkLoads = 0;
  /** browser-sdk.js (V2) requests the page made. */
  let v2SdkLoads = 0;

  before(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 1000, height: 750 }, locale: 'ko-KR' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.addInitScript(() => {
      const g = globalThis as unknown as PageGlobals;
      g.__events = [];
      for (const type of ['payment-success', 'payment-failure']) {
        g.document.addEventListener(type, (e) => g.__events.push({ id: e.target.closest('article')?.id ?? '', type: e.type, detail: e.detail }));
      }
    });
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/iamport.js') sdkLoads++;
      if (new URL(request.url()).pathname === '/browser-sdk.js') v2SdkLoads++;
    });
    await page.goto(`${demo.url}/cms.html`);
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await demo?.close();
  });

  const element = (id: string): Locator => page.locator(`#${id} portone-checkout`);
  const states = () => Promise.all(IDS.map((id) => element(id).getAttribute('state')));
  async function events(count: number): Promise<Recorded[]> {
    await page.waitForFunction((n) => (globalThis as unknown as PageGlobals).__events.length >= n, count);
    return page.evaluate(() => (globalThis as unknown as PageGlobals).__events);
  }

  it('has no script of its own: the loader tag is the only one in the HTML', async () => {
    const html = await (await fetch(`${demo.url}/cms.html`)).text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.deepEqual(scripts, ['<script src="/dist/loader.js" async>']);
    assert.ok(!/\son\w+=/.test(html), 'no inline handlers either');
  });

  it("every element names its product for the server's catalog (items), beside the amount it shows", async () => {
    const catalog = JSON.parse(await readFile(new URL('../../demo/catalog.json', import.meta.url), 'utf8')) as Record<string, { amount: number }>;
    const named = await Promise.all(
      IDS.map(async (id) => ({ items: JSON.parse((await element(id).getAttribute('items'))!) as Array<{ id: string; quantity: number }>, amount: Number(await element(id).getAttribute('amount')) })),
    );
    assert.deepEqual(
      named.map((n) => n.items),
      [[{ id: 'oak-stool', quantity: 1 }], [{ id: 'linen-cover', quantity: 1 }], [{ id: 'floor-lamp', quantity: 1 }], [{ id: 'gift-card', quantity: 1 }]],
    );
    // The amount each shows is the catalog's price: the server would refuse anything else (price_changed).
    assert.deepEqual(
      named.map((n) => n.amount),
      named.map((n) => catalog[n.items[0]!.id]?.amount),
    );
    assert.deepEqual(JSON.parse((await element('tray').getAttribute('items'))!), [{ id: 'walnut-tray', quantity: 1 }]);
    assert.equal(Number(await element('tray').getAttribute('amount')), catalog['walnut-tray']?.amount);
  });

  it('every element upgrades, with its own label and look', async () => {
    for (const id of IDS) await page.locator(`#${id} portone-checkout:defined`).waitFor({ state: 'attached' });
    assert.deepEqual(await states(), ['idle', 'idle', 'idle', 'idle']);
    assert.equal((await element('stool').getByRole('button').textContent())?.trim(), '₩39,000 결제하기');
    assert.equal((await element('lamp').getByRole('button').textContent())?.trim(), '₩89,000 결제하기');
    assert.equal((await element('giftcard').getByRole('button').textContent())?.trim(), 'Pay ₩50,000');
    // The slot replaces the label: the button's accessible name is the slotted text.
    assert.equal(await element('cover').getByRole('button').getAttribute('part'), 'button');
    assert.ok(await element('cover').getByRole('button', { name: '바로 구매 · ₩12,500' }).isVisible());

    const look = (id: string) =>
      element(id)
        .getByRole('button')
        .evaluate((b) => {
          const s = (globalThis as unknown as BrowserGlobals).getComputedStyle(b);
          return { background: s.backgroundColor, color: s.color, radius: s.borderTopLeftRadius, transform: s.textTransform };
        });
    assert.deepEqual(await look('stool'), { background: 'rgb(31, 94, 255)', color: 'rgb(255, 255, 255)', radius: '8px', transform: 'none' });
    assert.equal((await look('cover')).background, 'rgb(180, 83, 42)', 'custom property --portone-checkout-background');
    assert.equal((await look('cover')).radius, '999px', 'custom property --portone-checkout-radius');
    assert.deepEqual(await look('lamp'), { background: 'rgb(27, 31, 41)', color: 'rgb(255, 232, 163)', radius: '4px', transform: 'uppercase' });
    await screenshot(page, 'demo-cms');
  });

  it('each element pays on its own: approve one, decline another, pay the English one; the others stay as they were', async () => {
    await element('stool').getByRole('button').click();
    let frame = await paymentFrame(page);
    assert.equal(await element('stool').getAttribute('state'), 'paying');
    assert.deepEqual((await states()).slice(1), ['idle', 'idle', 'idle']);
    await frame.getByRole('button', { name: '결제 승인', exact: true }).click();
    await page.locator('#stool portone-checkout[state="success"]').waitFor({ state: 'attached' });
    assert.deepEqual(await states(), ['success', 'idle', 'idle', 'idle']);

    await element('lamp').getByRole('button').click();
    frame = await paymentFrame(page);
    await frame.getByRole('button', { name: '결제 거절', exact: true }).click();
    await page.locator('#lamp portone-checkout[state="failure"]').waitFor({ state: 'attached' });
    assert.deepEqual(await states(), ['success', 'idle', 'failure', 'idle']);

    await element('giftcard').getByRole('button').click();
    frame = await paymentFrame(page);
    assert.equal(await frame.locator('html').getAttribute('lang'), 'en', 'language="en" reaches the window');
    await frame.getByRole('button', { name: 'Approve payment', exact: true }).click();
    await page.locator('#giftcard portone-checkout[state="success"]').waitFor({ state: 'attached' });
    assert.deepEqual(await states(), ['success', 'idle', 'failure', 'success']);
    // The theme shows each result with CSS alone, from the reflected `state`.
    const said = await Promise.all(IDS.map((id) => element(id).evaluate((el) => (globalThis as unknown as BrowserGlobals).getComputedStyle(el, '::after').content)));
    assert.deepEqual(said, ['"✓ 결제 완료"', 'none', '"결제되지 않았습니다"', '"✓ Paid"']);
    await screenshot(page, 'demo-cms-paid');
    assert.equal(sdkLoads, 1, 'iamport.js was loaded once for the four elements');

    const [stool, lamp, giftcard] = await events(3);
    assert.deepEqual([stool?.id, stool?.type, stool?.detail.amount], ['stool', 'payment-success', 39000]);
    assert.deepEqual([lamp?.id, lamp?.type, lamp?.detail.stage], ['lamp', 'payment-failure', 'payment']);
    assert.deepEqual([giftcard?.id, giftcard?.type, giftcard?.detail.amount], ['giftcard', 'payment-success', 50000]);
    const uids = new Set([stool, lamp, giftcard].map((e) => e?.detail.merchantUid));
    assert.equal(uids.size, 3, 'three orders');

    // Each element names its product (`items`): the server priced each order from its catalog.
    const orders = await Promise.all([stool, lamp, giftcard].map((e) => storedOrder(demo, String(e?.detail.merchantUid))));
    assert.deepEqual(
      orders.map((o) => [o.name, o.amount, o.items, o.state]),
      [
        ['오크 스툴', 39000, [{ id: 'oak-stool', quantity: 1 }], 'paid'],
        ['스탠드 조명', 89000, [{ id: 'floor-lamp', quantity: 1 }], 'ready'],
        ['Gift card', 50000, [{ id: 'gift-card', quantity: 1 }], 'paid'],
      ],
    );
  });

  it('the V2 element (store-id) pays through PortOne V2 on its own: its window, its paymentId, the signed webhook answered 200; the V1 ones stay as they were', async () => {
    const tray = element('tray');
    await page.locator('#tray portone-checkout:defined').waitFor({ state: 'attached' });
    assert.equal(await tray.getAttribute('store-id'), DEFAULT_V2_CREDENTIALS.storeId);
    assert.equal(await tray.getAttribute('merchant'), null);
    assert.equal(await tray.getAttribute('sdk-src'), `${demo.sandboxV2Url}/browser-sdk.js`, "the V2 stand-in SDK, on the sandbox's V2 address");
    assert.equal((await tray.getByRole('button').textContent())?.trim(), '₩27,000 결제하기');
    const v1States = await states();
    const v1Loads = sdkLoads;
    const before = (await page.evaluate(() => (globalThis as unknown as PageGlobals).__events)).length;

    await tray.getByRole('button').click();
    const frame = await paymentFrame(page);
    assert.equal(new URL(frame.url()).origin, demo.sandboxV2Url, "V2's window");
    await frame.getByRole('button', { name: '결제 승인', exact: true }).click();
    await page.locator('#tray portone-checkout[state="success"]').waitFor({ state: 'attached' });
    assert.deepEqual(await states(), v1States, 'the V1 elements are untouched');
    assert.equal(await tray.evaluate((el) => (globalThis as unknown as BrowserGlobals).getComputedStyle(el, '::after').content), '"✓ 결제 완료"');

    const event = (await events(before + 1))[before]!;
    assert.deepEqual([event.id, event.type, event.detail.version, event.detail.amount, event.detail.status], ['tray', 'payment-success', 'v2', 27000, 'paid']);
    const paymentId = String(event.detail.paymentId);
    assert.match(paymentId, /^order[a-z0-9]+$/);
    const stored = await storedOrderV2(demo, paymentId);
    assert.deepEqual([stored.version, stored.state, stored.name, stored.amount, stored.items], ['v2', 'paid', '월넛 트레이', 27000, [{ id: 'walnut-tray', quantity: 1 }]]);
    assert.equal(stored.transactionId, event.detail.txId);
    const hooks = await eventually(async () => {
      const list = await webhooksV2(demo, paymentId);
      return list.some((h) => h.answer === 200) ? list : undefined;
    }, 'the V2 webhook answered');
    assert.deepEqual(hooks.map((h) => [h.status, h.signed, h.answer]), [['Transaction.Paid', true, 200]]);
    assert.equal(v2SdkLoads, 1, 'browser-sdk.js loaded once');
    assert.equal(sdkLoads, v1Loads, 'no iamport.js for it');
    await screenshot(page, 'demo-cms-v2');
  });

  // With prepare-url no element carries the server's merchant_uid: the element that started the payment is
  // remembered (sessionStorage) across the trip to the PG, and it claims the landing, not the first one.
  it('on a phone, the landing goes back to the element that started the payment', async () => {
    const phone = await browser.newContext({ userAgent: IPHONE_UA, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      p.setDefaultTimeout(10_000);
      await p.goto(`${demo.url}/cms.html`);
      await p.locator('#lamp portone-checkout:defined').waitFor({ state: 'attached' });
      await p.locator('#lamp portone-checkout').getByRole('button').tap();
      await p.waitForURL(/\/__sandbox\/window\/imp_\d{12}$/);
      await p.getByRole('button', { name: '결제 승인', exact: true }).tap();
      await p.waitForURL((url) => url.pathname === '/cms.html');
      await p.locator('portone-checkout[state="success"]').first().waitFor({ state: 'attached' });
      const after = await Promise.all(IDS.map((id) => p.locator(`#${id} portone-checkout`).getAttribute('state')));
      assert.deepEqual(after, ['idle', 'idle', 'success', 'idle']);
    } finally {
      await phone.close();
    }
  });
});
