// `HOST=0.0.0.0 npm start`, opened from elsewhere on the network (issue #10): the page's URLs follow the host it
// was opened with, so a phone loads iamport.js, opens the payment window and comes back through the address it
// used, and pays. The in-process sandbox still listens on 127.0.0.1 only: the demo passes its browser-facing paths
// on under its own origin, and nothing else. The phone is played by Chromium on this machine opening the demo
// through this machine's non-loopback address (skipped where there is none); `localhost` and `127.0.0.1` show the
// same rule on loopback. The same holds in PortOne V2 (the shop's switch): browser-sdk.js, its checkout, its window
// and the way back go through the opened address to the sandbox's V2 address.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { type Demo, eventually, IPHONE_UA, launchBrowser, paymentFrame, sandboxGet, screenshot, startDemo, storedOrder, storedOrderV2, webhooksV2 } from './demo-support.js';

/** This machine's address on its network, as a phone on the same network opens the demo. */
const LAN = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;
const NO_LAN = LAN ? false : 'this machine has no non-loopback IPv4 address';

const PHONE: BrowserContextOptions = { userAgent: IPHONE_UA, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ko-KR' };
const PC: BrowserContextOptions = { viewport: { width: 1000, height: 750 }, locale: 'ko-KR' };

let demo: Demo;
let browser: Browser;
let port: string;
let sandboxPort: string;
let sandboxV2Port: string;

before(async () => {
  [demo, browser] = await Promise.all([startDemo({ host: '0.0.0.0' }), launchBrowser()]);
  port = new URL(demo.url).port;
  sandboxPort = new URL(demo.sandboxUrl).port;
  sandboxV2Port = new URL(demo.sandboxV2Url).port;
});
after(async () => {
  await browser?.close();
  await demo?.close();
});

/** The shop at `base` in a new context, once its element and panel are ready; every URL the page asks for is kept. */
async function shopAt(base: string, options: BrowserContextOptions, protocol: 'v1' | 'v2' = 'v1'): Promise<{ page: Page; requests: string[]; close(): Promise<void> }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(`${base}/`);
  await page.locator('#checkout:defined').waitFor({ state: 'attached' });
  await page.locator('#armed[data-armed="manual"]').waitFor({ state: 'attached' });
  if (protocol === 'v2') {
    // The shop's PortOne switch, as a person flips it.
    await page.locator('input[name="protocol"][value="v2"]').check();
    await page.locator('body[data-protocol="v2"] #checkout[store-id]:defined').waitFor({ state: 'attached' });
  }
  return { page, requests, close: () => context.close() };
}

/** The newest event log entry's merchant_uid and detail, once the element says `state`. */
async function settled(page: Page, state: string): Promise<{ merchantUid: string; detail: Record<string, unknown> }> {
  await page.locator(`#checkout[state="${state}"]`).waitFor({ state: 'attached' });
  const first = page.locator('#log > li').first();
  await first.waitFor({ state: 'attached' });
  return { merchantUid: (await first.getAttribute('data-merchant-uid'))!, detail: JSON.parse((await first.locator('pre').textContent())!) };
}

/** An HTTP answer from the demo (reached at `address`) with any Host header (fetch sets its own). */
function get(path: string, host: string, address = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port: Number(port), path, method: 'GET', headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HOST=0.0.0.0: the page follows the host it was opened with', { timeout: 120_000 }, () => {
  it('npm start prints the loopback URL to open, and this machine’s address for a phone', { skip: NO_LAN }, () => {
    assert.equal(demo.url, `http://127.0.0.1:${port}`, 'not http://0.0.0.0:…, which no phone can open');
    assert.match(demo.output(), new RegExp(`on your network \\(a phone\\)\\s+http://${LAN!.replaceAll('.', '\\.')}:${port}/`));
  });

  it('a phone on the network: iamport.js, the payment window and the way back all go through the address it opened; paid', { skip: NO_LAN }, async () => {
    const base = `http://${LAN}:${port}`;
    const phone = await shopAt(base, PHONE);
    try {
      const { page, requests } = phone;
      assert.equal(await page.locator('#checkout').getAttribute('sdk-src'), `${base}/iamport.js`);
      await page.locator('#checkout').getByRole('button').tap();
      await page.waitForURL(new RegExp(`^${base.replaceAll('.', '\\.')}/__sandbox/window/imp_\\d{12}$`));
      await page.getByRole('button', { name: '결제 승인', exact: true }).waitFor();
      await screenshot(page, 'demo-network-phone-window');
      await page.getByRole('button', { name: '결제 승인', exact: true }).tap();
      await page.waitForURL((url) => url.origin === base && url.pathname === '/');
      const { merchantUid, detail } = await settled(page, 'success');
      assert.deepEqual([detail.status, detail.via, detail.amount], ['paid', 'redirect', 14000]);
      assert.equal((await storedOrder(demo, merchantUid)).state, 'paid');
      await screenshot(page, 'demo-network-phone-paid');

      // Loaded on the shop page, and again on it once back from the window.
      assert.deepEqual(
        [...new Set(requests.filter((url) => new URL(url).pathname === '/iamport.js'))],
        [`${base}/iamport.js`],
        'the page loaded the SDK from the host it was opened with',
      );
      assert.deepEqual([...new Set(requests.map((url) => new URL(url).origin))], [base], 'nothing asked of any other host (the sandbox’s port included)');
    } finally {
      await phone.close();
    }
  });

  it('a phone on the network in PortOne V2: browser-sdk.js, its checkout, the V2 window and the way back all go through the address it opened; paid', { skip: NO_LAN }, async () => {
    const base = `http://${LAN}:${port}`;
    const phone = await shopAt(base, PHONE, 'v2');
    try {
      const { page, requests } = phone;
      assert.equal(await page.locator('#checkout').getAttribute('sdk-src'), `${base}/browser-sdk.js`);
      await page.locator('#checkout').getByRole('button').tap();
      await page.waitForURL(new RegExp(`^${base.replaceAll('.', '\\.')}/__sandbox/window/order[a-z0-9]+$`));
      await page.getByRole('button', { name: '결제 승인', exact: true }).tap();
      await page.waitForURL((url) => url.origin === base && url.pathname === '/');
      const { merchantUid: paymentId, detail } = await settled(page, 'success');
      assert.deepEqual([detail.version, detail.status, detail.via, detail.amount], ['v2', 'paid', 'redirect', 14000]);
      assert.equal((await storedOrderV2(demo, paymentId)).state, 'paid');
      assert.ok(requests.some((url) => url === `${base}/browser-sdk.js`), 'the page loaded the V2 SDK from the host it was opened with');
      assert.ok(requests.some((url) => url === `${base}/__sandbox/checkout`), 'and its checkout');
      assert.deepEqual([...new Set(requests.map((url) => new URL(url).origin))], [base], 'nothing asked of any other host (the sandbox’s ports included)');
    } finally {
      await phone.close();
    }
  });

  it('a PC on the network in PortOne V2: the overlay’s V2 window comes through that address; paid, and the signed V2 webhook still reaches the server', { skip: NO_LAN }, async () => {
    const base = `http://${LAN}:${port}`;
    const pc = await shopAt(base, PC, 'v2');
    try {
      const { page, requests } = pc;
      await page.locator('#checkout').getByRole('button').click();
      const frame = await paymentFrame(page);
      assert.match(frame.url(), new RegExp(`^${base.replaceAll('.', '\\.')}/__sandbox/window/order[a-z0-9]+$`));
      await frame.getByRole('button', { name: '결제 승인', exact: true }).click();
      const { merchantUid: paymentId, detail } = await settled(page, 'success');
      assert.deepEqual([detail.version, detail.status, detail.via], ['v2', 'paid', 'callback']);
      assert.deepEqual([...new Set(requests.map((url) => new URL(url).origin))], [base]);
      const hook = await eventually(async () => (await webhooksV2(demo, paymentId)).find((h) => h.answer === 200), 'the V2 webhook for the order');
      assert.deepEqual([hook.status, hook.signed], ['Transaction.Paid', true]);
      assert.equal((await storedOrderV2(demo, paymentId)).state, 'paid');
    } finally {
      await pc.close();
    }
  });

  it('a PC on the network: the overlay’s window comes through that address too; paid, and PortOne’s webhook still reaches the server', { skip: NO_LAN }, async () => {
    const base = `http://${LAN}:${port}`;
    const pc = await shopAt(base, PC);
    try {
      const { page, requests } = pc;
      assert.equal(await page.locator('#checkout').getAttribute('sdk-src'), `${base}/iamport.js`);
      await page.locator('#checkout').getByRole('button').click();
      const frame = await paymentFrame(page);
      assert.match(frame.url(), new RegExp(`^${base.replaceAll('.', '\\.')}/__sandbox/window/imp_\\d{12}$`));
      await frame.getByRole('button', { name: '결제 승인', exact: true }).click();
      const { merchantUid, detail } = await settled(page, 'success');
      assert.deepEqual([detail.status, detail.via], ['paid', 'callback']);
      assert.deepEqual([...new Set(requests.map((url) => new URL(url).origin))], [base]);
      // The sandbox's notification goes to the server on loopback, whatever host the page used.
      const delivered = await eventually(async () => {
        const { deliveries } = await sandboxGet<{ deliveries: Array<{ body: Record<string, string>; status: number | null }> }>(demo, '/webhooks');
        return deliveries.find((d) => d.body.merchant_uid === merchantUid && d.status === 200);
      }, 'the webhook for the order');
      assert.equal(delivered.body.status, 'paid');
      assert.equal((await storedOrder(demo, merchantUid)).state, 'paid');
      await page.mouse.move(0, 0);
      await screenshot(page, 'demo-network-pc-paid');
    } finally {
      await pc.close();
    }
  });

  it('on this machine, localhost and 127.0.0.1 each load iamport.js from the sandbox under that same name (another origin, as PortOne’s CDN is); paid through localhost', async () => {
    for (const name of ['127.0.0.1', 'localhost']) {
      const shop = await shopAt(`http://${name}:${port}`, PC);
      try {
        const sdk = `http://${name}:${sandboxPort}/iamport.js`;
        assert.equal(await shop.page.locator('#checkout').getAttribute('sdk-src'), sdk, name);
        assert.equal(await shop.page.locator('#protocol').getAttribute('data-sdk-src'), `http://${name}:${sandboxV2Port}/browser-sdk.js`, `${name}: V2's SDK on the sandbox's V2 port`);
        assert.equal(await shop.page.locator('#stool').count(), 0);
        if (name !== 'localhost') continue;
        await shop.page.locator('#checkout').getByRole('button').click();
        const frame = await paymentFrame(shop.page);
        assert.equal(new URL(frame.url()).origin, `http://localhost:${sandboxPort}`);
        await frame.getByRole('button', { name: '결제 승인', exact: true }).click();
        const { detail } = await settled(shop.page, 'success');
        assert.equal(detail.status, 'paid');
        assert.ok(shop.requests.includes(sdk), 'the page loaded the SDK from there');
      } finally {
        await shop.close();
      }
    }
    // The CMS page's URLs follow the host the same way.
    const cms = await get('/cms.html', `localhost:${port}`);
    assert.equal(cms.body.match(/sdk-src="([^"]+)"/g)?.length, 5);
    assert.equal(cms.body.match(new RegExp(`sdk-src="http://localhost:${sandboxPort}/iamport\\.js"`, 'g'))?.length, 4);
    assert.ok(cms.body.includes(`sdk-src="http://localhost:${sandboxV2Port}/browser-sdk.js"`), 'the V2 element: the V2 address');
  });

  it('under its own origin the demo passes on the sandbox’s browser-facing paths only: the control and REST APIs stay on loopback', async () => {
    const host = LAN ? `${LAN}:${port}` : `localhost:${port}`;
    for (const path of ['/iamport.js', '/browser-sdk.js', '/__sandbox/window.js']) {
      const { status, body } = await get(path, host);
      assert.equal(status, 200, path);
      assert.ok(body.length > 100, path);
    }
    for (const [method, path] of [
      ['GET', '/__sandbox/'],
      ['GET', '/__sandbox/scripts'],
      ['GET', '/__sandbox/payments'],
      ['POST', '/__sandbox/payments'],
      ['PATCH', '/__sandbox/payments/imp_000000000000'],
      ['POST', '/__sandbox/reset'],
      ['POST', '/__sandbox/faults'],
      ['POST', '/users/getToken'],
      // V2's control API and REST API (the verifier's own /payments/:id answers for itself: never passed on).
      ['GET', '/__sandbox/pre-registrations/order1'],
      ['POST', '/__sandbox/payments/order1/deposit'],
      ['PATCH', '/__sandbox/payments/order1'],
      ['POST', '/payments/order1/pre-register'],
      ['POST', '/payments/order1/cancel'],
    ] as const) {
      const response = await fetch(`${demo.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
      await response.body?.cancel();
      assert.equal(response.status, 404, `${method} ${path}`);
    }
    if (LAN) {
      // And the sandbox's own port is not on the network at all.
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: LAN, port: Number(sandboxPort) });
        socket.once('connect', () => (socket.destroy(), resolve(false)));
        socket.once('error', () => resolve(true));
      });
      assert.ok(refused, `nothing listens on ${LAN}:${sandboxPort}`);
      const refusedV2 = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: LAN, port: Number(sandboxV2Port) });
        socket.once('connect', () => (socket.destroy(), resolve(false)));
        socket.once('error', () => resolve(true));
      });
      assert.ok(refusedV2, `nothing listens on ${LAN}:${sandboxV2Port} (V2)`);
    }
  });

  it('`localhost` asked from elsewhere (a forwarded port: a container, a VM) is not this machine: its page goes through the demo’s origin', { skip: NO_LAN }, async () => {
    const { body } = await get('/', `localhost:${port}`, LAN);
    assert.ok(body.includes(`sdk-src="http://localhost:${port}/iamport.js"`), 'the demo’s own origin, not the sandbox’s port');
  });

  it('a Host header no browser sends is never written into the page', async () => {
    const { status, body } = await get('/', 'evil.example"><script>alert(1)</script>');
    assert.equal(status, 200);
    assert.ok(!body.includes('evil.example'), 'the odd host is nowhere in the page');
    assert.ok(body.includes(`sdk-src="http://127.0.0.1:${sandboxPort}/iamport.js"`), 'the sandbox as this machine reaches it');
  });
});
