// The scenarios that matter, in each engine a buyer pays with (Chromium, Firefox, WebKit), on `npm start`'s own demo:
// on a PC, keyboard only, approve, decline and close in the sandbox's cross-origin window, a virtual account and a
// tampered amount; on a phone (its user agent), the trip to the payment window and back; the CMS page's elements.
// The shop's scenarios run once per PortOne (FLAVOURS: V1, and V2 through the page's PortOne switch: the element with
// `store-id`, the stand-in browser-sdk.js, orders read as GET /payments/:paymentId); the CMS page's V1 elements and its
// V2 element.
// The pages are driven through test/e2e/engines/ (one small interface over each engine's driver); what the page shows
// is read in the page, what the server stored through its API. The rest of the suite goes deeper in Chromium alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Demo, eventually, IPHONE_UA, startDemo, storedOrder, storedOrderV2 } from './demo-support.js';
import { type EngineBrowser, type EnginePage, endToEndEngines, waitForUrl, waitInPage } from './engines/engine-page.js';

const WINDOW = /\/__sandbox\/window\/imp_\d{12}$/;
/** V2's payment window (its id the server's paymentId, letters and digits). */
const WINDOW_V2 = /\/__sandbox\/window\/order[a-z0-9]+$/;

type LogEntry = { type: string; merchantUid: string; summary: string; detail: Record<string, unknown> };

/** What the page functions below touch (the e2e code compiles without the DOM library; they run serialized in the page). */
interface PageGlobals {
  document: {
    querySelector(selector: string): null | {
      getAttribute(name: string): string | null;
      textContent: string | null;
      click(): void;
      focus(): void;
      matches(selector: string): boolean;
      querySelector(selector: string): { textContent: string | null } | null;
    };
    addEventListener(type: string, listener: (event: { target: { matches?(selector: string): boolean } }) => void, capture: boolean): void;
  };
  __windowLoads?: number;
  /** The CMS page's V2 element's success detail, as a listener added by the test records it (the page has no script). */
  __v2Success?: Record<string, unknown>;
}

/** Count the payment window's frame loads from now on (load does not bubble, but a capture listener sees it). */
function countWindowLoads(page: EnginePage): Promise<void> {
  return page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    w.__windowLoads = 0;
    // iamport.js's overlay (V1) or browser-sdk.js's (V2).
    w.document.addEventListener('load', (event) => void (event.target.matches?.('.imp-dialog iframe, .portone-sandbox-dialog iframe') && (w.__windowLoads! += 1)), true);
  }, null);
}

/** The element's reflected state, once it is `state`. */
function stateIs(page: EnginePage, selector: string, state: string): Promise<true> {
  return waitInPage(page, ({ selector, state }) => (globalThis as unknown as PageGlobals).document.querySelector(selector)?.getAttribute('state') === state || undefined, { selector, state }, `${selector} state="${state}"`, 15_000);
}

/** The demo's newest event log entry, once it has `count` entries. */
function logEntry(page: EnginePage, count = 1): Promise<LogEntry> {
  return waitInPage(
    page,
    (count) => {
      const items = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null; querySelector(s: string): { textContent: string | null } | null }> } }).document.querySelectorAll('#log > li');
      if (items.length < count) return undefined;
      const first = items[0]!;
      return { type: first.getAttribute('data-type')!, merchantUid: first.getAttribute('data-merchant-uid')!, summary: first.querySelector('.sum')!.textContent!, detail: JSON.parse(first.querySelector('pre')!.textContent!) };
    },
    count,
    `${count} event log entries`,
  );
}

/** Press a key that makes the window answer: down, the outcome, then up (a key-up sent to a removed frame can hang). */
async function pressAndAwait<T>(page: EnginePage, key: string, outcome: () => Promise<T>): Promise<T> {
  await page.keyboard({ down: key });
  try {
    return await outcome();
  } finally {
    await page.keyboard({ up: key });
  }
}

const demoReady = (page: EnginePage) =>
  waitInPage(page, () => (!!(globalThis as unknown as PageGlobals).document.querySelector('#checkout:defined') && !!(globalThis as unknown as PageGlobals).document.querySelector('#armed[data-armed]:not([data-armed=""])')) || undefined, null, 'the demo page ready');

/** What the server stored for an entry's order, whichever PortOne: its state, amount, payments, and the payment that paid it. */
interface OrderSeen {
  state: string;
  amount: number;
  payments: Array<{ amount: number; disposition: string }>;
  paidBy: string | null;
}

/**
 * Each PortOne as the demo shows it (the page's PortOne switch): where its window is, how its log and its orders name
 * things. The scenarios below run once per PortOne.
 */
const FLAVOURS: Array<{
  name: 'V1' | 'V2';
  protocol: 'v1' | 'v2';
  /** The phone's payment window: the sandbox's own page, on the address this PortOne is played at. */
  window: RegExp;
  sandboxUrl: () => string;
  /** The stand-in SDK's overlay. */
  overlay: string;
  order(entry: LogEntry): Promise<OrderSeen>;
  /** The id of the payment that paid, as the log entry names it. */
  paidBy(entry: LogEntry): unknown;
  paidSummary: string;
  closedMessage: string;
  /** An issued virtual account: the verify answer's status and pay method, the field with its number and that number's form. */
  vbank: { status: string; payMethod: string; account: string; number: RegExp };
}> = [
  {
    name: 'V1',
    protocol: 'v1',
    window: WINDOW,
    sandboxUrl: () => demo.sandboxUrl,
    overlay: '.imp-dialog',
    order: async (entry) => {
      const o = await storedOrder(demo, entry.merchantUid);
      return { state: o.state, amount: o.amount, payments: o.payments, paidBy: o.imp_uid };
    },
    paidBy: (entry) => entry.detail.impUid,
    paidSummary: 'paid · ₩14,000 · card · callback',
    closedMessage: '[결제포기] 사용자가 결제를 취소하셨습니다',
    vbank: { status: 'ready', payMethod: 'vbank', account: 'vbank_num', number: /^\d{6}-\d{2}-\d{6}$/ },
  },
  {
    name: 'V2',
    protocol: 'v2',
    window: WINDOW_V2,
    sandboxUrl: () => demo.sandboxV2Url,
    overlay: '.portone-sandbox-dialog',
    order: async (entry) => {
      const o = await storedOrderV2(demo, String(entry.detail.paymentId));
      assert.equal(o.version, 'v2');
      return { state: o.state, amount: o.amount, payments: o.payments, paidBy: o.transactionId };
    },
    paidBy: (entry) => entry.detail.txId,
    paidSummary: 'paid · ₩14,000 · CARD · callback',
    closedMessage: '[PAY_PROCESS_CANCELED] 사용자가 결제를 취소하셨습니다',
    vbank: { status: 'virtual_account_issued', payMethod: 'VIRTUAL_ACCOUNT', account: 'accountNumber', number: /^\d{14}$/ },
  },
];

/** The shop's PortOne switch set to V2 (as a click on it), once the element has V2's attributes. */
async function chooseV2(page: EnginePage): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('input[name="protocol"][value="v2"]')!.click(), null);
  await waitInPage(page, () => !!(globalThis as unknown as PageGlobals).document.querySelector('body[data-protocol="v2"] #checkout[store-id]:not([merchant]):defined') || undefined, null, 'the element in V2');
}

let demo: Demo;
before(async () => {
  // Every engine's payments come from this one address, more than a buyer's 30 prepares a minute (the server's
  // PREPARE_RATE_LIMIT, which then answers 429): the suite is not one buyer, so no limit here.
  demo = await startDemo({ env: { PREPARE_RATE_LIMIT: '0' } });
});
after(async () => {
  await demo?.close();
});

for (const engine of endToEndEngines()) {
  describe(`in ${engine.name}`, { timeout: 240_000, skip: engine.skipped }, () => {
    let browser: EngineBrowser;

    before(async () => {
      browser = await engine.launch!();
      console.log(`# ${browser.version}`);
    });
    after(async () => {
      await browser?.close();
    });

    /** The demo shop on a PC (in V1, or V2 through its switch), with the pay button focused as a keyboard user leaves it. */
    async function pcShop(scenario?: string, protocol: 'v1' | 'v2' = 'v1'): Promise<EnginePage> {
      const page = await browser.newPage();
      await page.goto(`${demo.url}/`);
      await demoReady(page);
      if (protocol === 'v2') await chooseV2(page);
      if (scenario) {
        await page.evaluate((scenario) => (globalThis as unknown as PageGlobals).document.querySelector(`input[name="scenario"][value="${scenario}"]`)!.click(), scenario);
        await waitInPage(page, (scenario) => !!(globalThis as unknown as PageGlobals).document.querySelector(`#armed[data-armed="${scenario}"]`) || undefined, scenario, `armed for ${scenario}`);
      }
      await countWindowLoads(page);
      await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('#checkout')!.focus(), null);
      return page;
    }

    /** Enter on the focused pay button; resolves once the payment window's page has loaded in the overlay. */
    async function openWindowByKeyboard(page: EnginePage): Promise<void> {
      await page.keyboard({ press: 'Enter' });
      try {
        await waitInPage(page, () => ((globalThis as unknown as PageGlobals).__windowLoads! > 0) || undefined, null, 'the payment window loaded');
      } catch (error) {
        // Say what the page was doing: the element's state, where the focus was, whether an overlay is there.
        const seen = await page
          .evaluate(() => {
            const d = (globalThis as unknown as { document: { activeElement: { localName: string; id: string } | null; querySelector(s: string): { getAttribute(n: string): string | null; textContent: string | null } | null; querySelectorAll(s: string): ArrayLike<unknown> } }).document;
            return JSON.stringify({ state: d.querySelector('#checkout, #stool portone-checkout')?.getAttribute('state'), focus: `${d.activeElement?.localName}#${d.activeElement?.id}`, overlays: d.querySelectorAll('.imp-dialog, .portone-sandbox-dialog').length, log: d.querySelectorAll('#log > li').length, newest: d.querySelector('#log > li .sum')?.textContent });
          }, null)
          .catch((e: unknown) => String(e));
        throw new Error(`${(error as Error).message}; the page: ${seen}`);
      }
    }

    for (const f of FLAVOURS) {
      describe(`in PortOne ${f.name}`, () => {
        it('PC, keyboard only: Enter opens the window, Enter approves; verified and stored as paid', async () => {
          const page = await pcShop(undefined, f.protocol);
          try {
            await openWindowByKeyboard(page);
            await pressAndAwait(page, 'Enter', () => stateIs(page, '#checkout', 'success'));
            const entry = await logEntry(page);
            assert.deepEqual([entry.type, entry.detail.version, entry.summary], ['payment-success', f.protocol, f.paidSummary]);
            const stored = await f.order(entry);
            assert.deepEqual([stored.state, stored.amount, stored.paidBy], ['paid', 14000, f.paidBy(entry)]);
            // The overlay goes (browser-sdk.js hides it at once and removes it a moment later).
            await waitInPage(page, (overlay) => (globalThis as unknown as PageGlobals).document.querySelector(overlay) === null || undefined, f.overlay, 'the overlay gone');
          } finally {
            await page.close();
          }
        });

        it('PC, keyboard only: Tab to decline, Enter; failure at stage payment, the order stays ready', async () => {
          const page = await pcShop(undefined, f.protocol);
          try {
            await openWindowByKeyboard(page);
            await page.keyboard({ press: 'Tab' });
            await pressAndAwait(page, 'Enter', () => stateIs(page, '#checkout', 'failure'));
            const entry = await logEntry(page);
            assert.deepEqual([entry.detail.version, entry.detail.stage, entry.detail.cancelled], [f.protocol, 'payment', false]);
            assert.equal((await f.order(entry)).state, 'ready');
          } finally {
            await page.close();
          }
        });

        it('PC, keyboard only: Escape closes the window; cancelled, nothing verified, the focus back on the pay button', async () => {
          const page = await pcShop(undefined, f.protocol);
          try {
            await openWindowByKeyboard(page);
            await pressAndAwait(page, 'Escape', () => stateIs(page, '#checkout', 'failure'));
            const entry = await logEntry(page);
            assert.deepEqual([entry.detail.version, entry.detail.stage, entry.detail.cancelled], [f.protocol, 'payment', true]);
            assert.equal(entry.detail.message, f.closedMessage);
            assert.equal((await f.order(entry)).state, 'ready');
            // The focus is back on the element's button, for the next key press.
            assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('#checkout:focus-within') !== null, null), true, 'the focus is back on the pay button');
          } finally {
            await page.close();
          }
        });

        it('PC, virtual account (scenario): issued, the order is vbank_issued', async () => {
          const page = await pcShop('vbank', f.protocol);
          try {
            await page.keyboard({ press: 'Enter' });
            await stateIs(page, '#checkout', 'success');
            const entry = await logEntry(page);
            assert.deepEqual([entry.detail.version, entry.detail.status, entry.detail.payMethod], [f.protocol, f.vbank.status, f.vbank.payMethod]);
            assert.match(String((entry.detail.verification as Record<string, unknown>)[f.vbank.account]), f.vbank.number, 'the account number');
            assert.equal((await f.order(entry)).state, 'vbank_issued');
          } finally {
            await page.close();
          }
        });

        it('PC, wrong amount (scenario): the server refunds the forged payment, the order stays ready', async () => {
          const page = await pcShop('tamper', f.protocol);
          try {
            await page.keyboard({ press: 'Enter' });
            await stateIs(page, '#checkout', 'failure');
            const entry = await logEntry(page);
            assert.deepEqual([entry.detail.version, entry.detail.stage, entry.detail.code], [f.protocol, 'verify', 'http_409']);
            const verification = entry.detail.verification as Record<string, unknown>;
            assert.deepEqual([verification.status, verification.refund], ['forgery', 'done']);
            const stored = await f.order(entry);
            assert.equal(stored.state, 'ready');
            assert.deepEqual(stored.payments.map((p) => [p.amount, p.disposition]), [[1000, 'refunded_forgery']]);
          } finally {
            await page.close();
          }
        });

        it('phone: the page leaves for the payment window, approve, back at the shop; the element verifies the landing and cleans the address', async () => {
          const page = await browser.newPage({ userAgent: IPHONE_UA });
          try {
            await page.goto(`${demo.url}/`);
            await demoReady(page);
            if (f.protocol === 'v2') await chooseV2(page);
            await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('#checkout')!.focus(), null);
            await page.keyboard({ press: 'Enter' });
            const windowUrl = await waitForUrl(page, f.window, 15_000);
            assert.equal(new URL(windowUrl).origin, f.sandboxUrl(), "the sandbox's own page, not an overlay");
            await waitInPage(page, () => !!(globalThis as unknown as PageGlobals).document.querySelector('button.primary') || undefined, null, 'the approve button');
            await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('button.primary')!.click(), null);
            await waitForUrl(page, new RegExp(`^${demo.url.replace(/[.]/g, '\\.')}/`), 15_000);
            await stateIs(page, '#checkout', 'success');
            const entry = await logEntry(page);
            assert.deepEqual([entry.type, entry.detail.version, entry.detail.via], ['payment-success', f.protocol, 'redirect']);
            assert.equal(await page.url(), `${demo.url}/`, 'the landing parameters left the address bar');
            const stored = await eventually(async () => {
              const order = await f.order(entry);
              return order.state === 'paid' ? order : undefined;
            }, 'the order paid');
            assert.equal(stored.amount, 14000);
          } finally {
            await page.close();
          }
        });
      });
    }

    it('CMS page: each element pays on its own (approve one by Enter, close another by Escape); iamport.js once', async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${demo.url}/cms.html`);
        const ids = ['stool', 'cover', 'lamp', 'giftcard'];
        const states = () => page.evaluate((ids) => ids.map((id) => (globalThis as unknown as PageGlobals).document.querySelector(`#${id} portone-checkout`)?.getAttribute('state') ?? null), ids);
        await waitInPage(page, (ids) => ids.every((id) => (globalThis as unknown as PageGlobals).document.querySelector(`#${id} portone-checkout`)?.matches(':defined')) || undefined, ids, 'every element defined');
        await countWindowLoads(page);

        await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('#stool portone-checkout')!.focus(), null);
        await openWindowByKeyboard(page);
        await pressAndAwait(page, 'Enter', () => stateIs(page, '#stool portone-checkout', 'success'));
        assert.deepEqual(await states(), ['success', 'idle', 'idle', 'idle']);

        await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('#lamp portone-checkout')!.focus(), null);
        await page.keyboard({ press: 'Enter' });
        await waitInPage(page, () => ((globalThis as unknown as PageGlobals).__windowLoads! > 1) || undefined, null, 'the second window loaded');
        await pressAndAwait(page, 'Escape', () => stateIs(page, '#lamp portone-checkout', 'failure'));
        assert.deepEqual(await states(), ['success', 'idle', 'failure', 'idle']);

        const sdkScripts = await page.evaluate(() => (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }).document.querySelectorAll('script[src*="iamport.js"]').length, null);
        assert.equal(sdkScripts, 1, 'one iamport.js for the four elements');
      } finally {
        await page.close();
      }
    });

    it('CMS page: the V2 element pays by Enter in its window, beside the V1 ones; browser-sdk.js once; stored as a paid V2 order', async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${demo.url}/cms.html`);
        await waitInPage(page, () => (globalThis as unknown as PageGlobals).document.querySelector('#tray portone-checkout')?.matches(':defined') || undefined, null, 'the V2 element defined');
        await countWindowLoads(page);
        // The page has no script of its own: the test listens for the element's result.
        await page.evaluate(() => {
          const w = globalThis as unknown as PageGlobals & { document: { addEventListener(type: string, listener: (event: { detail: Record<string, unknown> }) => void): void } };
          w.document.addEventListener('payment-success', (event) => void (w.__v2Success = event.detail));
        }, null);
        await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('#tray portone-checkout')!.focus(), null);
        await openWindowByKeyboard(page);
        await pressAndAwait(page, 'Enter', () => stateIs(page, '#tray portone-checkout', 'success'));
        const others = await page.evaluate(() => ['stool', 'cover', 'lamp', 'giftcard'].map((id) => (globalThis as unknown as PageGlobals).document.querySelector(`#${id} portone-checkout`)?.getAttribute('state') ?? null), null);
        assert.deepEqual(others, ['idle', 'idle', 'idle', 'idle']);
        const sdkScripts = await page.evaluate(() => (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }).document.querySelectorAll('script[src*="browser-sdk.js"]').length, null);
        assert.equal(sdkScripts, 1, 'one browser-sdk.js');
        const detail = await waitInPage(page, () => (globalThis as unknown as PageGlobals).__v2Success, null, 'the V2 success detail');
        assert.deepEqual([detail.version, detail.amount], ['v2', 27000]);
        const stored = await storedOrderV2(demo, String(detail.paymentId));
        assert.deepEqual([stored.state, stored.name, stored.items], ['paid', '월넛 트레이', [{ id: 'walnut-tray', quantity: 1 }]]);
      } finally {
        await page.close();
      }
    });
  });
}
