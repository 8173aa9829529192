/**
 * `npm run bench:browser`: what the widget costs a page, in each engine the tests run in (Chromium, Firefox, WebKit:
 * test/e2e/engines/, the end-to-end suite's page interface over each engine's driver; TEST_BROWSERS picks some),
 * against a sandbox and a small static server on loopback. Builds nothing itself: the npm script runs rollup first.
 *
 *   npm run bench:browser [-- --fcp-runs 30 --click-runs 40]   (at least 10 and 20)
 *
 * (a) one iamport.js request for 20 elements (a check; requests counted by the servers, and by the page's resource
 *     timing entries);
 * (b) first contentful paint of the demo page with the widget (loader tag + element) over the same page
 *     without them, in pairs that alternate which goes first, each load a new document in the same tab;
 * (c) click → IMP.request_pay call with the SDK warmed, over a hand-written page that calls IMP.request_pay
 *     on click; timed in the page, from the click event to the (wrapped, stopped) request_pay call.
 *
 * The pages run the measuring code themselves (inline scripts), so nothing here needs DOM types.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startSandbox } from '../sandbox/index.js';
import { type EnginePage, endToEndEngines, waitInPage } from '../test/e2e/engines/engine-page.js';
import { markdownTable, median, pass, percentile, round, runInfo, updateReadme, writeResult } from './lib.js';

const { values: flags } = parseArgs({ options: { 'fcp-runs': { type: 'string', default: '30' }, 'click-runs': { type: 'string', default: '40' } } });
const FCP_RUNS = Math.max(10, Number(flags['fcp-runs']) || 0);
const CLICK_RUNS = Math.max(20, Number(flags['click-runs']) || 0);

const ROOT = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT));

// ---------------------------------------------------------------- pages

const LOADER_TAG = '<script src="/dist/loader.js" async></script>';
const ELEMENT = /<portone-checkout[\s\S]*?<\/portone-checkout>/;

/**
 * The click timer, first in <head> of both click pages: a capture listener on window sees the click before
 * anything else; `wrap()` (called by the bench once IMP is there) replaces IMP.request_pay by a stamp that
 * does not open the window.
 */
const CLICK_TIMER = `<script>
  window.__bench = { event: null, listener: null, call: null };
  addEventListener('click', (e) => { __bench.event = e.timeStamp; __bench.listener = performance.now(); }, true);
  window.__wrap = () => { IMP.request_pay = () => { __bench.call = performance.now(); }; };
</script>`;

function pages(sdkUrl: string): Record<string, string> {
  const demo = read('demo/index.html').toString('utf8').replaceAll('%SDK_SRC%', sdkUrl);
  if (!demo.includes(LOADER_TAG) || !ELEMENT.test(demo)) throw new Error('demo/index.html no longer has the loader tag and one <portone-checkout>: update bench/browser.ts');
  const element = (attributes = '') => `<portone-checkout merchant="imp12345678" pg="html5_inicis.INIpayTest" amount="14000" name="노르웨이 회전 의자" sdk-src="${sdkUrl}"${attributes}></portone-checkout>`;
  const page = (head: string, body: string) => `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>bench</title>${head}</head><body>${body}</body></html>`;
  return {
    '/demo.html': demo,
    // The same page without the widget. The element becomes an empty span with its id, so the page's own
    // script (which listens to the element) runs unchanged and throws nothing.
    '/demo-bare.html': demo.replace(LOADER_TAG, '').replace(ELEMENT, '<span id="checkout"></span>'),
    '/twenty.html': page(LOADER_TAG, Array.from({ length: 20 }, (_, i) => element(` merchant-uid="bench-${i}"`)).join('\n')),
    // No prepare-url: a round trip to the merchant would be measured, not the element.
    '/click-element.html': page(CLICK_TIMER + LOADER_TAG, element()),
    '/click-direct.html': page(
      `${CLICK_TIMER}<script src="${sdkUrl}"></script>`,
      `<button id="pay" type="button">₩14,000 결제하기</button>
<script>
  document.getElementById('pay').addEventListener('click', () => {
    IMP.init('imp12345678');
    IMP.request_pay({ pg: 'html5_inicis.INIpayTest', pay_method: 'card', merchant_uid: 'direct_' + Date.now(), name: '노르웨이 회전 의자', amount: 14000, m_redirect_url: location.href }, () => {});
  });
</script>`,
    ),
  };
}

/**
 * The pages and dist/. Cross-origin isolated (COOP + COEP credentialless, which lets the sandbox's
 * iamport.js load without CORP headers) so that performance.now() is precise to microseconds instead of
 * 100 µs: the direct page's whole click handler takes less than that.
 */
async function startStatic(sdkUrl: string, onRequest: (path: string) => void): Promise<{ url: string; server: Server }> {
  const html = pages(sdkUrl);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    onRequest(path);
    res.setHeader('cache-control', 'no-store'); // every load is a first visit: no HTTP cache, no code cache
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-embedder-policy', 'credentialless');
    const page = html[path];
    if (page) {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      return res.end(page);
    }
    if (path === '/dist/loader.js' || path === '/dist/portone-checkout.js') {
      res.setHeader('content-type', 'application/javascript; charset=utf-8');
      return res.end(read(path.slice(1)));
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // localhost: another site than the sandbox's 127.0.0.1, as a shop is another site than PortOne's CDN.
  return { url: `http://localhost:${(server.address() as AddressInfo).port}`, server };
}

// ---------------------------------------------------------------- measurements

/** Requests the servers received, by path (the sandbox's and the static site's alike). */
const requests = new Map<string, number>();
const count = (path: string) => void requests.set(path, (requests.get(path) ?? 0) + 1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** (a) Requests for iamport.js (and the element bundle) made by a page with 20 elements, once all warmed up. */
async function twentyElements(page: EnginePage, base: string): Promise<{ sdk_requests: number; sdk_resource_entries: number; bundle_requests: number; elements: number }> {
  requests.clear();
  await page.goto(`${base}/twenty.html`);
  await waitInPage(page, () => new Function('return window.IMP !== undefined && customElements.get("portone-checkout") !== undefined')() || undefined, null, 'iamport.js and the element');
  // Each element warms up in idle time (requestIdleCallback with a 2 s timeout, or a 200 ms timer without it).
  await sleep(2_500);
  const entries = await page.evaluate(() => new Function('return performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/iamport.js")).length')() as number, null);
  const elements = await page.evaluate(() => new Function('return document.querySelectorAll("portone-checkout").length')() as number, null);
  return { sdk_requests: requests.get('/iamport.js') ?? 0, sdk_resource_entries: entries, bundle_requests: requests.get('/dist/portone-checkout.js') ?? 0, elements };
}

/** First contentful paint of one load, in ms from navigation start: a new document in the same tab, nothing cached. */
async function firstContentfulPaint(page: EnginePage, url: string): Promise<number> {
  await page.goto(url);
  return waitInPage(page, () => new Function('return performance.getEntriesByName("first-contentful-paint")[0]?.startTime')() as number | undefined, null, 'first contentful paint');
}

interface ClickTiming {
  /** From the click event's timeStamp (when the input reached the page) to the request_pay call. */
  fromEvent: number;
  /** From the first click listener (capture, on window) to the call: script time only. */
  fromListener: number;
  isolated: boolean;
}

/** The page functions' source, run with `new Function` in the page (the bench compiles without the DOM library). */
const IN_PAGE = {
  warmElement: 'return window.IMP !== undefined && document.querySelector("script[data-portone-checkout-loaded]") !== null && customElements.get("portone-checkout") !== undefined',
  warmDirect: 'return window.IMP !== undefined',
  elementButton: 'return document.querySelector("portone-checkout")?.shadowRoot?.querySelector("button") ?? null',
  directButton: 'return document.getElementById("pay")',
};

/**
 * One click on a freshly loaded document whose SDK is loaded (and, for the element, warmed up by the element
 * itself): a real pointer click in the middle of the button. Both pages are loaded in turn in one tab.
 */
async function clickToRequestPay(page: EnginePage, url: string, which: 'element' | 'direct'): Promise<ClickTiming> {
  await page.goto(url);
  const warm = which === 'element' ? IN_PAGE.warmElement : IN_PAGE.warmDirect;
  await waitInPage(page, (body) => new Function(body)() || undefined, warm, `${which}: iamport.js warmed`);
  const button = which === 'element' ? IN_PAGE.elementButton : IN_PAGE.directButton;
  const box = await page.evaluate((body) => {
    new Function('__wrap()')();
    const rect = new Function(body)()?.getBoundingClientRect();
    return rect && rect.width > 0 ? { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 } : null;
  }, button);
  if (!box) throw new Error(`${url}: the ${which} button is not visible`);
  await page.click(box.x, box.y);
  await waitInPage(page, () => new Function('return __bench.call !== null')() || undefined, null, `${which}: the request_pay call`, 5_000);
  const t = await page.evaluate(() => new Function('return { ...__bench, isolated: crossOriginIsolated }')() as { event: number; listener: number; call: number; isolated: boolean }, null);
  return { fromEvent: t.call - t.event, fromListener: t.call - t.listener, isolated: t.isolated };
}

interface PairStats {
  runs: number;
  median_ratio: number;
  ratio_p25: number;
  ratio_p75: number;
  ratio_min: number;
  ratio_max: number;
  median_with_ms: number;
  median_without_ms: number;
  /** Every pair, [with, without] in ms, in the order measured. */
  pairs_ms: Array<[number, number]>;
}

function pairStats(pairs: Array<[number, number]>): PairStats {
  const ratios = Float64Array.from(pairs.map(([a, b]) => a / b)).sort();
  return {
    runs: pairs.length,
    median_ratio: round(percentile(ratios, 50), 3),
    ratio_p25: round(percentile(ratios, 25), 3),
    ratio_p75: round(percentile(ratios, 75), 3),
    ratio_min: round(ratios[0]!, 3),
    ratio_max: round(ratios[ratios.length - 1]!, 3),
    median_with_ms: round(median(pairs.map(([a]) => a)), 3),
    median_without_ms: round(median(pairs.map(([, b]) => b)), 3),
    pairs_ms: pairs.map(([a, b]) => [round(a, 3), round(b, 3)]),
  };
}

/** Run `a` and `b` `runs` times as pairs, alternating which goes first, so drift hits both alike. */
async function alternate<T>(runs: number, a: () => Promise<T>, b: () => Promise<T>): Promise<Array<[T, T]>> {
  const pairs: Array<[T, T]> = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      const x = await a();
      pairs.push([x, await b()]);
    } else {
      const y = await b();
      pairs.push([await a(), y]);
    }
  }
  return pairs;
}

/** Everything measured in one engine, and its checks against the budgets. */
async function measureEngine(page: EnginePage, base: string, elapsed: () => string) {
  const twenty = await twentyElements(page, base);
  console.log(`  (a) 20 elements: ${twenty.sdk_requests} iamport.js request(s) ${elapsed()}`);

  const widget = () => firstContentfulPaint(page, `${base}/demo.html`);
  const bare = () => firstContentfulPaint(page, `${base}/demo-bare.html`);
  await widget(); // one throwaway load each first: the first navigation pays for more than the page
  await bare();
  const fcp = pairStats(await alternate(FCP_RUNS, widget, bare));
  console.log(`  (b) FCP with / without the widget: median ratio ${fcp.median_ratio} (${fcp.median_with_ms} / ${fcp.median_without_ms} ms) ${elapsed()}`);

  const withElement = () => clickToRequestPay(page, `${base}/click-element.html`, 'element');
  const direct = () => clickToRequestPay(page, `${base}/click-direct.html`, 'direct');
  await withElement(); // one throwaway run each: the first load of a page pays for more than the page
  await direct();
  const clickPairs = await alternate(CLICK_RUNS, withElement, direct);
  const click = pairStats(clickPairs.map(([a, b]) => [a.fromEvent, b.fromEvent]));
  const clickScript = pairStats(clickPairs.map(([a, b]) => [a.fromListener, b.fromListener]));
  const isolated = clickPairs.every(([a, b]) => a.isolated && b.isolated);
  console.log(`  (c) click → request_pay, element / direct: median ratio ${click.median_ratio} (${click.median_with_ms} / ${click.median_without_ms} ms) ${elapsed()}`);

  const checks = [
    { what: 'iamport.js requests, page with 20 elements', measured: twenty.sdk_requests, budget: '= 1', ok: twenty.sdk_requests === 1 && twenty.sdk_resource_entries === 1 },
    { what: 'FCP demo page, with / without the widget (median of pairs)', measured: fcp.median_ratio, spread: `${fcp.ratio_p25}–${fcp.ratio_p75} (min ${fcp.ratio_min}, max ${fcp.ratio_max})`, budget: '≤ 1.05', ok: fcp.median_ratio <= 1.05 },
    // Without cross-origin isolation (WebKitGTK has no COEP credentialless) performance.now() ticks in whole
    // milliseconds, coarser than what is measured: the medians are shown, no ratio is judged.
    isolated
      ? { what: 'click → IMP.request_pay from the click event, element / direct (median of pairs)', measured: click.median_ratio, spread: `${click.ratio_p25}–${click.ratio_p75} (min ${click.ratio_min}, max ${click.ratio_max})`, budget: '≤ 1.1', ok: click.median_ratio <= 1.1 }
      : { what: 'click → IMP.request_pay from the click event, element / direct (median of pairs)', measured: 'not measurable: 1 ms timer', budget: '≤ 1.1', ok: null },
  ];
  return { twenty, fcp, click_from_event: click, click_from_listener: clickScript, isolated, checks };
}

function engineMarkdown(version: string, m: Awaited<ReturnType<typeof measureEngine>>): string {
  return `**${version}** (timer: ${m.isolated ? 'cross-origin isolated' : 'coarse, not isolated'})

${markdownTable(['figure', 'measured', 'spread (p25–p75)', 'budget', ''], m.checks.map((c) => [c.what, c.measured, c.spread ?? '—', c.budget, c.ok === null ? '—' : pass(c.ok)]))}

${markdownTable(
  ['medians (ms)', 'with the widget', 'without', 'difference'],
  [
    ['first contentful paint', m.fcp.median_with_ms, m.fcp.median_without_ms, round(m.fcp.median_with_ms - m.fcp.median_without_ms, 3)],
    ['click event → request_pay', m.click_from_event.median_with_ms, m.click_from_event.median_without_ms, round(m.click_from_event.median_with_ms - m.click_from_event.median_without_ms, 3)],
    ['first click listener → request_pay (script only)', m.click_from_listener.median_with_ms, m.click_from_listener.median_without_ms, round(m.click_from_listener.median_with_ms - m.click_from_listener.median_without_ms, 3)],
  ],
)}`;
}

// ---------------------------------------------------------------- the run

const info = runInfo();
const started = performance.now();
const elapsed = () => `[${((performance.now() - started) / 1000).toFixed(1)} s]`;
const sandbox = await startSandbox({ quiet: true });
sandbox.server.on('request', (req) => count(new URL(req.url ?? '/', 'http://x').pathname));
const site = await startStatic(sandbox.sdkUrl, count);
const results: Record<string, unknown> = {};
const sections: string[] = [];
try {
  console.log(`bench:browser: ${FCP_RUNS} FCP pairs, ${CLICK_RUNS} click pairs; ${info.cores} cores`);
  for (const engine of endToEndEngines()) {
    if (!engine.launch) {
      console.log(`\n${engine.skipped}`);
      sections.push(`**${engine.name}**: ${engine.skipped}`);
      results[engine.name] = { skipped: engine.skipped };
      continue;
    }
    const browser = await engine.launch();
    try {
      console.log(`\n${browser.version} ${elapsed()}`);
      const page = await browser.newPage();
      const measured = await measureEngine(page, site.url, elapsed);
      results[engine.name] = { version: browser.version, ...measured };
      sections.push(engineMarkdown(browser.version, measured));
    } finally {
      await browser.close();
    }
  }
  const caption = `${info.date.slice(0, 10)}, commit ${info.commit ?? '?'}${info.dirty ? ' (+ uncommitted changes)' : ''}, ${info.cores} cores (${info.cpu}); ${FCP_RUNS} FCP pairs (no-store, same tab), ${CLICK_RUNS} click pairs (SDK warmed, same tab).`;
  const markdown = `${caption}\n\n${sections.join('\n\n')}\n`;
  console.log(`\n${markdown}`);
  const file = writeResult('browser', { ...info, benchmark: 'browser', parameters: { fcp_runs: FCP_RUNS, click_runs: CLICK_RUNS }, engines: results });
  updateReadme('browser', markdown);
  console.log(`results: ${file}; table in bench/README.md`);
} finally {
  await new Promise<void>((resolve) => {
    site.server.close(() => resolve());
    site.server.closeAllConnections();
  });
  await sandbox.close();
}
