// The demo's scenario choices belong to the tab that made them (issue #10): a choice made in one tab of the shop
// never scripts the payment window of another tab, of the CMS page or of a later visit, and the shop's reset button
// puts everything back. One browser context (one browser profile: localStorage shared by its tabs), several tabs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  type BrowserGlobals,
  chooseScenario,
  type Demo,
  launchBrowser,
  openShop,
  paymentFrame,
  sandboxGet,
  screenshot,
  type ShopPage,
  startDemo,
} from './demo-support.js';

let demo: Demo;
let browser: Browser;

before(async () => {
  [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await demo?.close();
});

/** A payment window that opened in `page`'s overlay: it must wait for the buyer (no scripted choice), then close it. */
async function unscriptedWindow(page: Page, what: string): Promise<void> {
  const frame = await paymentFrame(page);
  await frame.getByRole('button', { name: '결제 승인', exact: true }).waitFor();
  assert.equal((await frame.locator('.status').textContent())?.trim(), '', `${what}: no scripted choice in the window`);
  // Longer than a scripted window waits before choosing by itself (500 ms): it is still open, waiting.
  await page.waitForTimeout(1200);
  assert.equal(await page.locator('.imp-dialog').count(), 1, `${what}: the window waits for the buyer`);
  await frame.getByRole('button', { name: '닫기', exact: true }).click();
  await page.locator('.imp-dialog').waitFor({ state: 'detached' });
}

/** The shop's scenario panel as a person sees it. */
async function panel(page: Page): Promise<{ scenario: string | null; mobile: boolean; lost: boolean; outage: boolean; script: unknown }> {
  return {
    scenario: await page.locator('input[name="scenario"]:checked').getAttribute('value'),
    mobile: await page.getByRole('switch', { name: /모바일 결제/ }).isChecked(),
    lost: await page.getByRole('switch', { name: /돌아오지 못함/ }).isChecked(),
    outage: await page.getByRole('switch', { name: /PortOne 장애/ }).isChecked(),
    script: await page.evaluate(() => (globalThis as unknown as BrowserGlobals).portoneSandbox?.script ?? null),
  };
}

describe('demo: scenario choices are the tab’s own', { timeout: 120_000 }, () => {
  let context: BrowserContext;
  let shop: ShopPage;

  before(async () => {
    shop = await openShop(browser, demo);
    context = shop.context;
  });
  after(async () => {
    await context?.close();
  });

  it('a choice made in one tab (approve, mobile) scripts nothing for a second tab, the CMS page (in another tab or in this one) or a later visit', async () => {
    await chooseScenario(shop, 'approve');
    await shop.page.getByRole('switch', { name: /모바일 결제/ }).check();
    assert.deepEqual(await panel(shop.page), { scenario: 'approve', mobile: true, lost: false, outage: false, script: { action: 'approve', delay_ms: 500 } });
    assert.deepEqual((await sandboxGet<{ scripts: unknown[] }>(demo, '/scripts')).scripts, [], 'nothing waits in the shared sandbox');

    // A second tab of the shop (a later visit is a new tab too): its own choices, all at their defaults.
    const second = await context.newPage();
    second.setDefaultTimeout(10_000);
    await second.goto(`${demo.url}/`);
    await second.locator('#armed[data-armed="manual"]').waitFor({ state: 'attached' });
    assert.deepEqual(await panel(second), { scenario: 'manual', mobile: false, lost: false, outage: false, script: null });
    await second.locator('#checkout').getByRole('button').click();
    await unscriptedWindow(second, 'the second tab');
    await second.locator('#checkout[state="failure"]').waitFor({ state: 'attached' });
    await second.close();

    // The CMS page in another tab: a PC window (not the mobile trip) that waits for the buyer.
    const cms = await context.newPage();
    cms.setDefaultTimeout(10_000);
    await cms.goto(`${demo.url}/cms.html`);
    await cms.locator('#stool portone-checkout:defined').waitFor({ state: 'attached' });
    await cms.locator('#stool portone-checkout').getByRole('button').click();
    await unscriptedWindow(cms, 'the CMS page in another tab');
    assert.equal(new URL(cms.url()).pathname, '/cms.html', 'no trip to a mobile window');
    await cms.close();

    // The CMS page in this very tab (its footer link): not the shop, so not the shop's choices either.
    await shop.page.getByRole('link', { name: /CMS 예시/ }).click();
    await shop.page.waitForURL(`${demo.url}/cms.html`);
    await shop.page.locator('#lamp portone-checkout:defined').waitFor({ state: 'attached' });
    await shop.page.locator('#lamp portone-checkout').getByRole('button').click();
    await unscriptedWindow(shop.page, 'the CMS page in the same tab');
    assert.equal(new URL(shop.page.url()).pathname, '/cms.html');

    // Back in the shop, this tab still has its choices.
    await shop.page.goto(`${demo.url}/`);
    await shop.page.locator('#armed[data-armed="approve"]').waitFor({ state: 'attached' });
    assert.deepEqual(await panel(shop.page), { scenario: 'approve', mobile: true, lost: false, outage: false, script: { action: 'approve', delay_ms: 500 } });
  });

  it('reset puts everything back: the tab’s choices, an older demo’s stored device, and the server’s outage', async () => {
    const { page } = shop;
    // An older demo kept the device in localStorage, for every page of the site: the switch shows it.
    await page.evaluate(() => (globalThis as unknown as BrowserGlobals).localStorage.setItem('portone-sandbox-device', 'mobile'));
    await page.getByRole('switch', { name: /돌아오지 못함/ }).check();
    await page.getByRole('switch', { name: /PortOne 장애/ }).check();
    await page.locator('#outage-banner').waitFor();
    assert.deepEqual(await panel(page), { scenario: 'approve', mobile: true, lost: true, outage: true, script: { action: 'approve', delay_ms: 500 } });
    assert.equal((await sandboxGet<{ faults: unknown[] }>(demo, '/faults')).faults.length, 1);
    await page.mouse.move(0, 0);
    await screenshot(page, 'demo-pc-scenarios-armed', true);

    const reset = page.getByRole('button', { name: '시나리오 초기화' });
    assert.ok(await reset.isVisible(), 'the reset is in sight');
    await reset.click();
    await page.locator('#armed', { hasText: '초기화했습니다' }).waitFor();
    assert.deepEqual(await panel(page), { scenario: 'manual', mobile: false, lost: false, outage: false, script: null });
    await page.locator('#outage-banner').waitFor({ state: 'hidden' });
    assert.equal(await shop.checkout.getAttribute('m-redirect-url'), null);
    assert.equal(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).localStorage.getItem('portone-sandbox-device')), null);
    assert.deepEqual((await sandboxGet<{ faults: unknown[] }>(demo, '/faults')).faults, [], "PortOne's outage is over");
    await screenshot(page, 'demo-pc-scenarios-reset', true);

    // The next window waits for the buyer, in the overlay (a PC again).
    await shop.payButton.click();
    await unscriptedWindow(page, 'after the reset');

    // English texts for the same controls.
    await page.getByRole('button', { name: 'English' }).click();
    assert.ok(await page.getByRole('button', { name: 'Reset scenarios' }).isVisible());
    assert.match((await page.locator('.scope').textContent()) ?? '', /apply to this tab only/);
  });
});
