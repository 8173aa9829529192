// The demo as a person gets it: `npm start`'s own server (demo/start.ts: the verifier, the in-process PortOne
// sandbox and the demo pages) started as a child process on free ports with a throwaway SQLite file, and
// Debian's Chromium (support.ts's launch) on its pages. dist/ must be built (`npx rollup -c`; `npm test` builds).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { SandboxControl } from '../../sandbox/client.js';
import { SandboxV2Control } from '../../sandbox/v2/client.js';
import { IPHONE_UA, RESULTS_DIR } from './support.js';

export { IPHONE_UA, launchBrowser, paymentFrame } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** test-results/screenshots/ (gitignored): the demo page in its main states, for a person to look at. */
export const SCREENSHOTS = join(RESULTS_DIR, 'screenshots');

export interface HistoryEntry {
  state: string;
  at: string;
  via: string;
}
export interface StoredPayment {
  imp_uid: string;
  amount: number;
  currency: string;
  status: string;
  disposition: string;
  at: string;
}
export interface StoredOrder {
  merchant_uid: string;
  amount: number;
  currency: string;
  name: string | null;
  items: Array<{ id: string; quantity: number }> | null;
  state: string;
  imp_uid: string | null;
  history: HistoryEntry[];
  payments: StoredPayment[];
  fulfilment: { state: 'none' | 'pending' | 'done'; attempts: number; at: string | null };
}

/** GET /payments/:paymentId of a V2 order: V2's names (paymentId, transactionId), the same history and fulfilment. */
export interface StoredOrderV2 {
  version: 'v2';
  paymentId: string;
  amount: number;
  currency: string;
  name: string | null;
  items: Array<{ id: string; quantity: number }> | null;
  state: string;
  transactionId: string | null;
  history: HistoryEntry[];
  payments: Array<{ paymentId: string; transactionId: string; amount: number; currency: string; status: string; disposition: string; at: string }>;
  fulfilment: { state: 'none' | 'pending' | 'done'; attempts: number; at: string | null };
}

/** A webhook as the demo API lists it for a V2 order: its event type, whether it was signed with the store's secret, the verifier's answer. */
export interface DemoWebhookV2 {
  at: number;
  status: string;
  answer: number | null;
  error: string | null;
  webhookId: string;
  signed: boolean;
}

export interface Demo {
  /** The demo's origin, as printed by npm start. */
  url: string;
  /** The sandbox's base URL (REST and `/__sandbox/` control API). */
  sandboxUrl: string;
  /** The sandbox's V2 address (SANDBOX_PORT + 1: REST V2, browser-sdk.js, its `/__sandbox/` control API). */
  sandboxV2Url: string;
  /** Everything the process printed so far. */
  output(): string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be listened on now (127.0.0.1). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `node --import tsx demo/start.ts`, as `npm start` runs it after its build; resolves once it printed its URL.
 * `host`: its HOST (default 127.0.0.1; `0.0.0.0` for a phone on the network); `env`: more of its environment.
 */
export async function startDemo(options: { host?: string; env?: Record<string, string> } = {}): Promise<Demo> {
  if (!existsSync(join(ROOT, 'dist/loader.js')) || !existsSync(join(ROOT, 'dist/portone-checkout.js'))) {
    throw new Error('dist/ is not built: run `npx rollup -c` first (npm test builds before the e2e suite)');
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'portone-demo-e2e-'));
  const port = await freePort();
  // The sandbox takes SANDBOX_PORT and the next one (V2): both free, neither the demo's.
  let sandboxPort = await freePort();
  while (sandboxPort === port || sandboxPort + 1 === port || !(await portFree(sandboxPort + 1))) sandboxPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'demo/start.ts'], {
    cwd: ROOT,
    // No PortOne keys (empty is "not set"): the built-in sandbox plays PortOne, as in a fresh checkout.
    env: { ...process.env, HOST: options.host ?? '127.0.0.1', PORT: String(port), SANDBOX_PORT: String(sandboxPort), DATABASE_URL: `sqlite:${join(dir, 'orders.db')}`, PORTONE_API_KEY: '', PORTONE_API_SECRET: '', PORTONE_API_URL: '', LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start's server printed no URL within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /open\s+(http:\/\/\S+?)\/?\s*$/m.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start's server exited (${code}) before printing its URL:\n${output}`));
    });
  });
  return {
    url,
    sandboxUrl: `http://127.0.0.1:${sandboxPort}`,
    sandboxV2Url: `http://127.0.0.1:${sandboxPort + 1}`,
    output: () => output,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what} → ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** What the server stored: GET /payments/:merchant_uid. */
export async function storedOrder(demo: Demo, merchantUid: string): Promise<StoredOrder> {
  return json(await fetch(`${demo.url}/payments/${encodeURIComponent(merchantUid)}`), `GET /payments/${merchantUid}`);
}

/** GET /payments/:merchant_uid's status alone (404 when the server stored no such order). */
export async function orderStatus(demo: Demo, merchantUid: string): Promise<number> {
  const response = await fetch(`${demo.url}/payments/${encodeURIComponent(merchantUid)}`);
  await response.body?.cancel();
  return response.status;
}

/** What the demo's onPaid hook shipped for an order: one entry per run (GET /demo/api/shipments). */
export async function shipments(demo: Demo, merchantUid: string): Promise<Array<{ at: string; amount: number; items: Array<{ id: string; quantity: number }> | null }>> {
  const answer = await json<{ shipments: Array<{ at: string; amount: number; items: Array<{ id: string; quantity: number }> | null }> }>(
    await fetch(`${demo.url}/demo/api/shipments?merchant_uid=${encodeURIComponent(merchantUid)}`),
    'GET /demo/api/shipments',
  );
  return answer.shipments;
}

/** The lines `npm start` printed for the demo hook's shipments of an order (`shipped <merchant_uid> …`). */
export function shippedLines(demo: Demo, merchantUid: string): string[] {
  return demo.output().split('\n').filter((line) => line.startsWith(`shipped ${merchantUid}`));
}

/** The sandbox's control API (GET only here: the tests change it through the page, as a person does). */
export function sandboxGet<T = Record<string, unknown>>(demo: Demo, path: string): Promise<T> {
  return new SandboxControl(demo.sandboxUrl).call<T>('GET', path);
}

/** The sandbox's V2 control API, to read what PortOne V2 holds (payments, faults, scripts, webhooks sent). */
export function sandboxV2(demo: Demo): SandboxV2Control {
  return new SandboxV2Control(demo.sandboxV2Url);
}

/** What the server stored for a V2 order: GET /payments/:paymentId. */
export async function storedOrderV2(demo: Demo, paymentId: string): Promise<StoredOrderV2> {
  return json(await fetch(`${demo.url}/payments/${encodeURIComponent(paymentId)}`), `GET /payments/${paymentId}`);
}

/** The V2 webhooks the sandbox sent for an order, as the demo API lists them (GET /demo/api/webhooks?paymentId=). */
export async function webhooksV2(demo: Demo, paymentId: string): Promise<DemoWebhookV2[]> {
  const answer = await json<{ deliveries: DemoWebhookV2[] }>(await fetch(`${demo.url}/demo/api/webhooks?paymentId=${encodeURIComponent(paymentId)}`), 'GET /demo/api/webhooks');
  return answer.deliveries;
}

/** Wait until `check` returns a value other than undefined (polling the server, not sleeping blindly). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ShopPage {
  context: BrowserContext;
  page: Page;
  /** The <portone-checkout> of the shop. */
  checkout: Locator;
  /** Its button, inside the shadow root. */
  payButton: Locator;
  /** Every request the page made to the verify endpoint (`POST /payments/complete`) and their bodies (V1: imp_uid, merchant_uid; V2: paymentId, txId). */
  verifyCalls: Array<Record<string, string>>;
}

/** A new browser context on the demo shop, once the element has upgraded and the scenario panel is ready. */
export async function openShop(browser: Browser, demo: Demo, options: { mobile?: boolean; lang?: 'ko' | 'en'; readme?: boolean; protocol?: 'v1' | 'v2' } = {}): Promise<ShopPage> {
  const context = await browser.newContext(
    options.mobile
      ? { userAgent: IPHONE_UA, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ko-KR' }
      : options.readme
        ? // The README's picture (docs/demo.png): laid out at 1100 px, rendered at 1000×750.
          { viewport: { width: 1100, height: 825 }, deviceScaleFactor: 1000 / 1100, locale: 'ko-KR' }
        : { viewport: { width: 1000, height: 750 }, locale: 'ko-KR' },
  );
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const verifyCalls: ShopPage['verifyCalls'] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/payments/complete') verifyCalls.push(request.postDataJSON());
  });
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(`${demo.url}/${options.lang ? `?lang=${options.lang}` : ''}`);
  const checkout = page.locator('#checkout');
  await page.locator('#checkout:defined').waitFor({ state: 'attached' });
  await page.locator('#armed[data-armed="manual"]').waitFor({ state: 'attached' });
  const shop = { context, page, checkout, payButton: checkout.getByRole('button'), verifyCalls };
  if (options.protocol === 'v2') await chooseProtocol(shop, 'v2');
  return shop;
}

/** Switch the page's PortOne (this tab's choice), as a person does with the switch; waits until the element has its attributes. */
export async function chooseProtocol(shop: ShopPage, protocol: 'v1' | 'v2'): Promise<void> {
  await shop.page.locator(`input[name="protocol"][value="${protocol}"]`).check();
  await shop.page.locator(`body[data-protocol="${protocol}"]`).waitFor({ state: 'attached' });
  await shop.page.locator(protocol === 'v2' ? '#checkout[store-id]:defined' : '#checkout[merchant]:not([store-id]):defined').waitFor({ state: 'attached' });
}

/** Choose a scenario in the page's panel and wait until the page says it is armed for its next windows (this tab's own). */
export async function chooseScenario(shop: ShopPage, scenario: 'manual' | 'approve' | 'decline' | 'close' | 'vbank' | 'tamper'): Promise<void> {
  await shop.page.locator(`input[name="scenario"][value="${scenario}"]`).check();
  await shop.page.locator(`#armed[data-armed="${scenario}"]`).waitFor({ state: 'attached' });
}

/** The element's reflected `state` attribute, once it is `state`. */
export async function waitForState(shop: ShopPage, state: string): Promise<void> {
  await shop.page.locator(`#checkout[state="${state}"]`).waitFor({ state: 'attached' });
}

/** The newest event log entry (waits for there to be `count` entries). */
export async function logEntry(shop: ShopPage, count = 1): Promise<{ type: string; merchantUid: string; summary: string; detail: Record<string, unknown> }> {
  const entries = shop.page.locator('#log > li');
  await entries.nth(count - 1).waitFor({ state: 'attached' });
  const first = entries.first();
  return {
    type: (await first.getAttribute('data-type'))!,
    merchantUid: (await first.getAttribute('data-merchant-uid'))!,
    summary: (await first.locator('.sum').textContent())!,
    detail: JSON.parse((await first.locator('pre').textContent())!),
  };
}

/** The order panel once it shows `state` for `merchantUid`; its history as the page lists it. */
export async function shownOrder(shop: ShopPage, merchantUid: string, state: string): Promise<Array<{ state: string; via: string }>> {
  await shop.page.locator(`#order[data-merchant-uid="${merchantUid}"][data-state="${state}"]`).waitFor({ state: 'attached' });
  const items = await shop.page.locator('#history > li').all();
  return Promise.all(items.map(async (li) => ({ state: (await li.getAttribute('data-state'))!, via: (await li.getAttribute('data-via'))! })));
}

/** The order panel's payments ledger, as the page lists it. */
export async function shownPayments(shop: ShopPage): Promise<Array<{ impUid: string; txId: string; disposition: string; status: string; text: string }>> {
  const items = await shop.page.locator('#payments > li').all();
  return Promise.all(
    items.map(async (li) => ({
      impUid: (await li.getAttribute('data-imp-uid'))!,
      /** A V2 payment's transaction id (the ledger names V2 payments by it). */
      txId: (await li.getAttribute('data-tx-id'))!,
      disposition: (await li.getAttribute('data-disposition'))!,
      status: (await li.getAttribute('data-status'))!,
      text: ((await li.innerText()) ?? '').replace(/\s+/g, ' ').trim(),
    })),
  );
}

/** The order panel's fulfilment once it shows `state` (and, when given, `attempts`): its text and the hook's runs line. */
export async function shownFulfilment(shop: ShopPage, state: string, attempts?: number, timeout?: number): Promise<{ text: string; attempts: number; shipped: string; runs: number }> {
  const line = shop.page.locator(`#fulfilment[data-state="${state}"]${attempts === undefined ? '' : `[data-attempts="${attempts}"]`}`);
  await line.waitFor({ timeout });
  const shipped = shop.page.locator('#shipped');
  return {
    text: ((await line.innerText()) ?? '').trim(),
    attempts: Number(await line.getAttribute('data-attempts')),
    shipped: ((await shipped.innerText()) ?? '').trim(),
    runs: Number(await shipped.getAttribute('data-runs')),
  };
}

/** The result banner's tone and text. */
export async function resultBanner(shop: ShopPage): Promise<{ tone: string; text: string }> {
  const box = shop.page.locator('#result');
  await box.waitFor();
  return { tone: (await box.getAttribute('data-tone'))!, text: (await box.innerText()).replace(/\s+/g, ' ').trim() };
}

/** Only the states and vias of a stored history (the times differ from run to run). */
export function steps(history: HistoryEntry[]): Array<{ state: string; via: string }> {
  return history.map(({ state, via }) => ({ state, via }));
}

/** The few browser globals the tests touch inside page functions (the e2e code compiles without the DOM library). */
export interface BrowserGlobals {
  localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  sessionStorage: { getItem(key: string): string | null };
  /** What the shop page tells the sandbox's iamport.js for its own payments. */
  portoneSandbox?: { device: string | null; script: { action: string; amount?: number; delay_ms?: number; delayMs?: number } | null };
  getComputedStyle(element: unknown, pseudo?: string): { content: string; backgroundColor: string; color: string; borderTopLeftRadius: string; textTransform: string };
}

export function screenshot(page: Page, name: string, fullPage = false): Promise<Buffer> {
  return page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}
