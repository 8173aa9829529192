// End-to-end harness: Debian's Chromium driven by playwright-core, a PortOne sandbox started in this
// process, and a merchant-like shop on another origin (its own node:http server) whose page loads the
// stand-in iamport.js exactly as a shop loads https://cdn.iamport.kr/v1/iamport.js.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import type { ControlMethod } from '../../sandbox/client.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';

export type Rsp = Record<string, unknown>;

export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** test-results/ at the repository root (gitignored): screenshots for a person to review. */
export const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A shop: `/shop` loads the SDK and has a pay button; `/done` is its m_redirect_url landing. */
async function startShop(sdkUrl: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://shop.invalid').pathname;
    const page = (title: string, body: string, head = '') =>
      `<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>${head}</head><body>${body}</body></html>`;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    if (path === '/shop') {
      res.end(page('테스트 상점', '<h1>테스트 상점</h1><p>의자 14,000원</p><button id="pay" type="button">결제하기</button>', `<script src="${escapeHtml(sdkUrl)}"></script>`));
    } else if (path === '/done') {
      res.end(page('결제 결과', '<h1>결제 결과</h1><pre id="query"></pre><script>document.getElementById("query").textContent = location.search;</script>'));
    } else {
      res.statusCode = 404;
      res.end(page('없음', 'not found'));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // Addressed as localhost: another site than the sandbox's 127.0.0.1, as a shop is another site than PortOne's.
  return { server, url: `http://localhost:${port}` };
}

export interface Harness {
  sandbox: Sandbox;
  browser: Browser;
  shopUrl: string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const sandbox = await startSandbox({ quiet: true });
  const shop = await startShop(sandbox.sdkUrl);
  const browser = await launchBrowser();
  mkdirSync(RESULTS_DIR, { recursive: true });
  return {
    sandbox,
    browser,
    shopUrl: shop.url,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => {
        shop.server.close(() => resolve());
        shop.server.closeAllConnections();
      });
      await sandbox.close();
    },
  };
}

/** The sandbox's control API from node (its own client); throws on a non-2xx answer. */
export function control<T = Rsp>(sandbox: Sandbox, path: string, method: ControlMethod = 'GET', body?: unknown): Promise<T> {
  return sandbox.control.call<T>(method, path, body);
}

/** PortOne's REST API as a merchant's server calls it: a token from the API key and secret, then the call. */
export async function rest(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<{ status: number; json: { code: number; message: string | null; response: Rsp | null } }> {
  const tokenResponse = await fetch(`${sandbox.url}/users/getToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ imp_key: sandbox.credentials.apiKey, imp_secret: sandbox.credentials.apiSecret }),
  });
  const token = ((await tokenResponse.json()) as { response: { access_token: string } }).response.access_token;
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { code: number; message: string | null; response: Rsp | null } };
}

let counter = 0;
export function uniqueMerchantUid(prefix = 'e2e'): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

/** What the shop page has: the SDK's IMP, and the pending result of the last requestPay(). */
interface ShopGlobals {
  IMP: { init(code: string): void; request_pay(params: Rsp, callback?: (rsp: Rsp) => void): void };
  __pay?: Promise<Rsp>;
  __marker?: string;
}

/**
 * Call IMP.init + IMP.request_pay in the page. With `callback`, the response is kept as a promise that
 * `payResult` awaits; without, request_pay gets no callback (the mobile redirect flows).
 */
export async function requestPay(page: Page, params: Rsp, { callback = true, userCode = 'imp12345678' } = {}): Promise<void> {
  await page.evaluate(
    ({ params, callback, userCode }) => {
      const g = globalThis as unknown as ShopGlobals;
      g.IMP.init(userCode);
      if (callback) g.__pay = new Promise((resolve) => g.IMP.request_pay(params, resolve));
      else g.IMP.request_pay(params);
    },
    { params, callback, userCode },
  );
}

/** The response request_pay's callback received (waits for it, failing after `timeoutMs`). */
export async function payResult(page: Page, timeoutMs = 15_000): Promise<Rsp> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`request_pay did not call back within ${timeoutMs} ms`)), timeoutMs);
  });
  const result = page.evaluate(() => {
    const g = globalThis as unknown as ShopGlobals;
    if (!g.__pay) throw new Error('requestPay was not called with a callback');
    return g.__pay;
  });
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Press a key whose action removes or replaces the focused frame (the window's answer closes the overlay or
 * navigates). `keyboard.press` sends keyDown and keyUp as two DevTools calls; when the focused frame is
 * gone before the keyUp arrives, Chromium never acknowledges it and the call hangs (seen about once in 40
 * presses). So: key down, wait for what the key does, then release it wherever the focus is now.
 */
export async function pressAndAwait<T>(page: Page, key: string, outcome: () => Promise<T>): Promise<T> {
  await page.keyboard.down(key);
  try {
    return await outcome();
  } finally {
    await page.keyboard.up(key);
  }
}

/** Set a value in the page that a navigation would wipe out. */
export function setMarker(page: Page, value: string): Promise<void> {
  return page.evaluate((value) => void ((globalThis as unknown as ShopGlobals).__marker = value), value);
}

export function getMarker(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (globalThis as unknown as ShopGlobals).__marker);
}

/** The payment window's frame inside the PC overlay, once its document has loaded. */
export async function paymentFrame(page: Page): Promise<Frame> {
  // iamport.js's overlay (V1) or the stand-in browser-sdk.js's (V2): the same payment window in each.
  const element = await page.waitForSelector('.imp-dialog iframe, .portone-sandbox-dialog iframe', { state: 'attached' });
  const frame = await element.contentFrame();
  if (!frame) throw new Error('the overlay has no payment window frame');
  await frame.waitForLoadState('load');
  return frame;
}

/** The text of the element that has the focus inside `frame` (waits until a matching element has it). */
export async function focusedText(frame: Frame | Page, selector = 'button, input, a'): Promise<string> {
  const focused = frame.locator(selector.split(',').map((s) => `${s.trim()}:focus`).join(', '));
  await focused.waitFor();
  return ((await focused.getAttribute('id')) ? `#${await focused.getAttribute('id')}` : (await focused.textContent()) ?? '').trim();
}

/** The query parameters of a URL as a plain object (values decoded). */
export function queryOf(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}
