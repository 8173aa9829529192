/**
 * `npm start`: the offline demo. The reference verifier (with PORTONE_SANDBOX=true, set here when no
 * PORTONE_API_KEY / PORTONE_API_SECRET are given: the built-in PortOne sandbox) plus the demo shop pages and the
 * built element bundle, all on one origin as a merchant's site would be. Prices come from CATALOG_FILE, else the
 * shop's own `demo/catalog.json`. Prints the URL to open.
 *
 * The shop's fulfilment is the `onPaid` hook given to `main()`: it "ships" each paid order (prints
 * `shipped <merchant_uid>` and keeps it, so the page can show what the hook did). The server runs it once per paid
 * order and retries it with backoff when it throws (the page's "shipping down" switch makes it throw).
 *
 * The shop pays through PortOne V1 (iamport.js) or V2 (browser-sdk.js, the element with `store-id`): a switch on the
 * page, the tab's own. The sandbox plays both (V1 on SANDBOX_PORT, V2 on SANDBOX_PORT + 1); the pages get both SDK
 * URLs (`%SDK_SRC%`, `%SDK_V2_SRC%`) and the sandbox's V2 store (`%V2_STORE_ID%`; empty with real keys, where the
 * page offers V1 alone). V2's webhooks are signed by the sandbox (Standard Webhooks) and checked by the verifier.
 *
 * With the sandbox (whose webhooks reach the verifier's `/portone/webhook` and `/portone/webhook/v2` by themselves) it also
 * - offers the shop page a tiny same-origin remote control under `/demo/api/` (below) for its scenario
 *   switches that concern the whole server (PortOne's outage, the deposit into a virtual account, the webhooks
 *   sent), for V1 and V2 alike. It talks to the sandbox only through the sandbox's HTTP control APIs (`/__sandbox/…`
 *   on each address, with the sandbox's own clients), as any stranger would. With real PortOne keys
 *   `/demo/api/status` says `sandbox: false`, the shipments and the shipping switch still answer, and the rest is
 *   404. What the next payment window does, and whether it is the mobile one, is the tab's own choice: the shop page
 *   tells the stand-in SDKs (`window.portoneSandbox`, which iamport.js and browser-sdk.js both read), and nothing
 *   waits in the shared sandbox for another page's or another visitor's window.
 * - makes the sandbox reachable by the browsers it serves. The in-process sandbox listens on 127.0.0.1 only (its
 *   control API can make "paid" payments), so a page opened on this machine as `localhost` or `127.0.0.1` loads
 *   iamport.js and browser-sdk.js from the sandbox itself (`http://<the page's host name>:<sandbox port>/iamport.js`,
 *   `…:<sandbox port + 1>/browser-sdk.js`, other origins, as PortOne's CDNs are). Any other host (`HOST=0.0.0.0 npm
 *   start` and a phone on the network opening `http://192.168.0.10:8080/`) could not reach those ports: its page
 *   loads both SDKs from the demo's own origin, which passes the sandbox's browser-facing paths on (the SDKs, the
 *   checkout they call, the payment window and its script, the landing page; each to V1's or V2's address, told
 *   apart by the path, the window's id or the checkout's body) and nothing else: the REST APIs and the control APIs
 *   stay on loopback. The stand-in SDKs talk to the origin they were loaded from, and the sandbox names its window by
 *   the Host it was asked on, which the demo passes on: so the phone's whole payment goes through the address it
 *   opened.
 */
import { readFile, stat } from 'node:fs/promises';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from '@koa/router';
import type Koa from 'koa';
import type { Context } from 'koa';
import { SandboxControlError } from '../sandbox/client.js';
import type { Sandbox } from '../sandbox/index.js';
import { signV2Webhook } from '../sandbox/v2/webhooks.js';
import type { Order } from '../server/store/types.js';
import { main } from '../server/main.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES: Record<string, string> = { '.js': 'application/javascript; charset=utf-8', '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml', '.map': 'application/json' };
/** The demo's pages: HTML with the SDK URLs and the V2 store filled in (for the host the page was asked on), as a merchant's template would. */
const PAGES: Record<string, string> = { '/': 'demo/index.html', '/index.html': 'demo/index.html', '/cms.html': 'demo/cms.html', '/closed.html': 'demo/closed.html' };

/**
 * PortOne's notification usually reaches the merchant a moment after the buyer is back. The sandbox waits this
 * long before sending it, so the shop page shows the verify call settling the order and the webhook arriving
 * after it (and changing nothing: settlement is exactly-once). 0 makes them race.
 */
const WEBHOOK_DELAY_MS = 1000;
/**
 * What the "PortOne outage" switch breaks: the verifier's payment lookups answer 503, V1's (`GET /payments/imp_…`)
 * and V2's (`GET /payments/{paymentId}` on the V2 address; V2's pre-registration is a POST, so prepare still works).
 */
const OUTAGE = { type: 'status', status: 503, method: 'GET', path: '/payments/imp_' } as const;
const OUTAGE_V2 = { type: 'status', status: 503, method: 'GET', path: '/payments/' } as const;
type Protocol = 'v1' | 'v2';
/**
 * The sandbox's browser-facing paths, which the demo passes on for pages opened on a host that cannot reach the
 * sandbox's loopback ports: the stand-in SDKs, the checkout they call, the payment window (opened, answered, its
 * script) and the landing page. Both addresses serve `/__sandbox/checkout`, the window and the landing under the same
 * paths: `to` tells which one a request is for (V1's checkout names its `user_code`, V2's carries the SDK's
 * `request`; V1's window ids are `imp_` and 12 digits, V2's the server's paymentIds, letters and digits; V2's landing
 * has `paymentId`). The window's script is the same file on both. Never the REST APIs nor the control APIs
 * (`/__sandbox/payments`, `/scripts`, `/faults`, …).
 */
const SANDBOX_BROWSER_PATHS: Array<{ path: RegExp; methods: string[]; to: (ctx: Context) => Protocol }> = [
  { path: /^\/iamport\.js$/, methods: ['GET', 'HEAD'], to: () => 'v1' },
  { path: /^\/browser-sdk\.js$/, methods: ['GET', 'HEAD'], to: () => 'v2' },
  { path: /^\/__sandbox\/checkout$/, methods: ['POST'], to: (ctx) => (isV2Checkout(bodyOf(ctx)) ? 'v2' : 'v1') },
  { path: /^\/__sandbox\/window\/imp_\d{12}$/, methods: ['GET', 'HEAD', 'POST'], to: () => 'v1' },
  { path: /^\/__sandbox\/window\/[A-Za-z0-9]{1,40}$/, methods: ['GET', 'HEAD', 'POST'], to: () => 'v2' },
  { path: /^\/__sandbox\/window\.js$/, methods: ['GET', 'HEAD'], to: () => 'v1' },
  { path: /^\/__sandbox\/landing$/, methods: ['GET', 'HEAD'], to: (ctx) => (ctx.query.paymentId === undefined ? 'v1' : 'v2') },
];
/** What browser-sdk.js posts to `/__sandbox/checkout` (iamport.js posts `user_code` and `params` instead). */
function isV2Checkout(body: Record<string, unknown>): boolean {
  return typeof body.request === 'object' && body.request !== null && body.user_code === undefined;
}
/** The request headers passed on to the sandbox (besides Host), and the answer's headers passed back. */
const PASSED_REQUEST_HEADERS = ['content-type', 'accept', 'accept-language', 'user-agent'];
const PASSED_RESPONSE_HEADERS = ['content-type', 'location', 'cache-control'];
/** A Host header as a browser sends it: a name or an IPv4 address, or an IPv6 one in brackets, and maybe a port. */
const HOST_HEADER = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
/** Host names under which a browser on this machine reaches the sandbox's own port (it listens on 127.0.0.1). */
const SANDBOX_LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost']);

/** What the demo's shipping (the `onPaid` hook) did: one entry per run of the hook, per order. */
interface Shipment {
  at: string;
  amount: number;
  currency: string;
  items: Array<{ id: string; quantity: number }> | null;
}
/** Kept in memory, newest orders last; a bounded number of orders (the demo runs for days on a laptop). */
const shipments = new Map<string, Shipment[]>();
const MAX_SHIPPED_ORDERS = 1000;
/** The page's "shipping down" switch: the hook throws, so the server keeps the fulfilment pending and retries. */
const shipping = { down: false };

/**
 * The merchant's fulfilment, as the demo shop does it: "ship" the order. The server runs it once per paid order;
 * every run is recorded (a real shop would also skip an order it already shipped), so a second one would show.
 * It reads only the order, so it serves as the hook of V1 orders and of V2 orders alike (the sandbox plays both).
 */
const ship = (order: Order): void => {
  if (shipping.down) throw new Error('the demo shop\'s shipping system is down (the page\'s "shipping down" switch)');
  const runs = shipments.get(order.merchant_uid) ?? [];
  runs.push({ at: new Date().toISOString(), amount: order.amount, currency: order.currency, items: order.items });
  shipments.delete(order.merchant_uid);
  shipments.set(order.merchant_uid, runs);
  if (shipments.size > MAX_SHIPPED_ORDERS) shipments.delete(shipments.keys().next().value!);
  const what = order.items?.map((item) => `${item.id} ×${item.quantity}`).join(', ') ?? order.name ?? '';
  console.log(`shipped ${order.merchant_uid}${what ? ` (${what})` : ''}${runs.length > 1 ? ` [again: run ${runs.length}]` : ''}`);
};

/** A file under `dir` (never above it), or null. */
async function fileUnder(dir: string, relative: string): Promise<string | null> {
  const base = join(root, dir);
  const path = normalize(join(base, relative));
  if (!path.startsWith(base + sep)) return null;
  const info = await stat(path).catch(() => null);
  return info?.isFile() ? path : null;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Whether the request reached this server on a loopback address (so the browser runs on this machine). */
function arrivedOnLoopback(ctx: Context): boolean {
  const address = ctx.req.socket.localAddress ?? '';
  return address === '::1' || /^(?:::ffff:)?127\./.test(address);
}

/** Each PortOne's SDK: its file on the sandbox's address, and PortOne's CDN with real keys. */
const SDKS: Record<Protocol, { file: string; cdn: string }> = {
  v1: { file: '/iamport.js', cdn: 'https://cdn.iamport.kr/v1/iamport.js' },
  v2: { file: '/browser-sdk.js', cdn: 'https://cdn.portone.io/v2/browser-sdk.js' },
};

/**
 * The SDK URL (iamport.js, or V2's browser-sdk.js) for a page asked for as `ctx` was: PortOne's CDN with real keys;
 * with the sandbox, the sandbox itself (`sandboxUrl`: V1's or V2's address) under the page's host name when that name
 * reaches it (a browser on this machine, which asked on loopback as `localhost` or `127.0.0.1`), else this origin,
 * which passes the sandbox's browser-facing paths on (`sandboxGateway`): a phone on the network, or a browser outside
 * a container or a VM whose port is forwarded. Never a host the browser did not use: a page opened as
 * `http://192.168.0.10:8080/` loads everything from there.
 */
function sdkSrcFor(ctx: Context, sandboxUrl: string | null, protocol: Protocol): string {
  const { file, cdn } = SDKS[protocol];
  if (!sandboxUrl) return cdn;
  const sandbox = new URL(sandboxUrl);
  const host = ctx.host;
  // A Host header no browser sends (or none): the sandbox as this machine reaches it.
  if (!HOST_HEADER.test(host)) return `${sandbox.origin}${file}`;
  const { hostname } = new URL(`http://${host}`);
  if (SANDBOX_LOOPBACK_NAMES.has(hostname) && arrivedOnLoopback(ctx)) return `http://${hostname}:${sandbox.port}${file}`;
  return `${ctx.protocol}://${host}${file}`;
}

/** What a page's template gets: `%SDK_SRC%`, `%SDK_V2_SRC%` and `%V2_STORE_ID%` (escaped for HTML). */
type PageValues = (ctx: Context) => Record<string, string>;

function serveDemo(values: PageValues) {
  return (app: Koa) => {
    app.use(async (ctx, next) => {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
      const page = PAGES[ctx.path];
      const file = page ? join(root, page) : ctx.path.startsWith('/dist/') ? await fileUnder('dist', ctx.path.slice('/dist/'.length)) : await fileUnder('demo/assets', ctx.path.replace(/^\/assets\//, ''));
      if (!file || (!page && !ctx.path.startsWith('/dist/') && !ctx.path.startsWith('/assets/'))) return next();
      const body = await readFile(file).catch(() => null);
      if (!body) return next();
      ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
      ctx.set('cache-control', 'no-cache');
      if (!page) {
        ctx.body = body;
        return;
      }
      let html = body.toString('utf8');
      for (const [name, value] of Object.entries(values(ctx))) html = html.replaceAll(`%${name}%`, escapeHtml(value));
      ctx.body = html;
    });
  };
}

/**
 * The sandbox's browser-facing paths under the demo's origin, for browsers that cannot reach the sandbox's loopback
 * ports (a phone on the network). The request goes on to the sandbox's V1 or V2 address with the Host the browser
 * used, so the sandbox names its payment window (and its landing) under this origin too; the answer comes back as it is.
 */
function sandboxGateway(sandbox: () => Sandbox | null) {
  return (app: Koa) => {
    app.use(async (ctx, next) => {
      const running = sandbox();
      const route = running ? SANDBOX_BROWSER_PATHS.find((r) => r.path.test(ctx.path)) : undefined;
      if (!running || !route || !route.methods.includes(ctx.method) || !HOST_HEADER.test(ctx.host)) return next();
      const base = route.to(ctx) === 'v2' ? running.v2.url : running.url;
      const headers: Record<string, string> = { host: ctx.host };
      for (const name of PASSED_REQUEST_HEADERS) {
        const value = ctx.get(name);
        if (value) headers[name] = value;
      }
      // The verifier's body parser has read JSON and form bodies already (their text is kept); anything else is
      // still in the request.
      const raw = (ctx.request as { rawBody?: string }).rawBody;
      if (raw !== undefined) headers['content-length'] = String(Buffer.byteLength(raw));
      const answer = await new Promise<IncomingMessage | null>((resolve) => {
        const outgoing = httpRequest(new URL(ctx.url, base), { method: ctx.method, headers }, resolve);
        outgoing.on('error', () => resolve(null));
        if (raw !== undefined) outgoing.end(raw);
        else if (ctx.method === 'POST') ctx.req.pipe(outgoing);
        else outgoing.end();
      });
      if (!answer) {
        ctx.status = 502;
        ctx.body = { status: 'error', message: 'the PortOne sandbox did not answer' };
        return;
      }
      ctx.status = answer.statusCode ?? 502;
      for (const name of PASSED_RESPONSE_HEADERS) {
        const value = answer.headers[name];
        if (typeof value === 'string') ctx.set(name, value);
      }
      ctx.body = answer;
    });
  };
}

/**
 * `/demo/api/…`, for the shop page's scenario panel. What it changes here is the whole server's (every tab, every
 * visitor): PortOne's outage, the shipping switch, a deposit. (The next window's choice is the tab's own: not here.)
 * It talks to the sandbox through the sandbox's control clients (V1's and V2's), as any stranger would.
 * - `GET  /demo/api/status`            → `{ sandbox, outage, shipping_down }`
 * - `POST /demo/api/reset`             everything back to normal, in V1 and V2: no outage, shipping up, and no
 *                                      payment-window choice left waiting in the sandbox (one queued through its
 *                                      control API) → as `status`
 * - `PUT  /demo/api/outage`            `{ on }`: PortOne's payment lookups (V1's and V2's) fail with 503 (verify
 *                                      answers 502), or recover
 * - `GET  /demo/api/webhooks?merchant_uid=…` (V1) or `?paymentId=…` (V2) → the notifications the sandbox sent for
 *                                      that order, oldest first: `{ at, status, answer, error }` (`status`: V1's
 *                                      payment status; V2's event type), V2's also `{ webhookId, signed }` (`signed`:
 *                                      its `webhook-signature` is the store's secret's, checked here again)
 * - `POST /demo/api/deposit`           `{ imp_uid }` (V1) or `{ paymentId }` (V2): the buyer deposits into an issued
 *                                      virtual account (PortOne notifies)
 * Also without the sandbox (they touch only the demo's own shipping):
 * - `GET  /demo/api/shipments?merchant_uid=…` → `{ shipments: [{ at, amount, currency, items }] }`: each run of the
 *                                      `onPaid` hook for that order (one, normally)
 * - `PUT  /demo/api/shipping`          `{ down }`: the hook throws while down (the server retries it with backoff)
 * Without the sandbox, its routes are not found (404).
 */
function demoApi(sandbox: () => Sandbox | null) {
  const router = new Router({ prefix: '/demo/api' });
  shippingRoutes(router);
  scenarioRoutes(router, sandbox);
  return (app: Koa) => void app.use(router.routes());
}

const bodyOf = (ctx: Context) => (ctx.request as { body?: Record<string, unknown> }).body ?? {};

function bad(ctx: Context, message: string): void {
  ctx.status = 400;
  ctx.body = { status: 'error', message };
}

function shippingRoutes(router: Router): void {
  router.get('/shipments', (ctx) => {
    ctx.body = { shipments: shipments.get(String(ctx.query.merchant_uid ?? '')) ?? [] };
  });

  router.put('/shipping', (ctx) => {
    const { down } = bodyOf(ctx);
    if (typeof down !== 'boolean') return bad(ctx, 'down: true or false');
    shipping.down = down;
    ctx.body = { shipping_down: shipping.down };
  });
}

/** The switches that concern the sandbox; `status` and `reset` answer without one too, the others are then not found. */
function scenarioRoutes(router: Router, sandbox: () => Sandbox | null): void {
  router.get('/status', async (ctx) => {
    const running = sandbox();
    if (!running) {
      ctx.body = { sandbox: false, shipping_down: shipping.down };
      return;
    }
    const [v1, v2] = await Promise.all([running.control.faults(), running.v2.control.faults()]);
    ctx.body = { sandbox: true, outage: v1.length + v2.length > 0, shipping_down: shipping.down };
  });

  router.post('/reset', async (ctx) => {
    shipping.down = false;
    const running = sandbox();
    if (running) await Promise.all([running.control, running.v2.control].flatMap((control) => [control.clearFaults(), control.clearScripts()]));
    ctx.body = running ? { sandbox: true, outage: false, shipping_down: shipping.down } : { sandbox: false, shipping_down: shipping.down };
  });

  router.put('/outage', async (ctx, next) => {
    const running = sandbox();
    if (!running) return next();
    const { on } = bodyOf(ctx);
    if (typeof on !== 'boolean') return bad(ctx, 'on: true or false');
    await Promise.all([running.control.clearFaults(), running.v2.control.clearFaults()]);
    if (on) await Promise.all([running.control.addFault(OUTAGE), running.v2.control.addFault(OUTAGE_V2)]);
    ctx.body = { outage: on };
  });

  router.get('/webhooks', async (ctx, next) => {
    const running = sandbox();
    if (!running) return next();
    if (typeof ctx.query.paymentId === 'string') {
      const paymentId = ctx.query.paymentId;
      const { webhookSecret } = running.v2.credentials;
      const { deliveries } = await running.v2.control.webhooks();
      ctx.body = {
        deliveries: deliveries
          .filter((d) => d.body.data.paymentId === paymentId)
          .map(({ at, type, body, headers, webhookId, status, error }) => ({
            at,
            status: type,
            answer: status,
            error,
            webhookId,
            // The signature it was sent with is the store's secret's over exactly this body (what the verifier checks).
            signed: headers['webhook-signature'] === signV2Webhook(webhookSecret, headers['webhook-id'], Number(headers['webhook-timestamp']), JSON.stringify(body)),
          })),
      };
      return;
    }
    const merchantUid = String(ctx.query.merchant_uid ?? '');
    const { deliveries } = await running.control.webhooks();
    ctx.body = {
      deliveries: deliveries.filter((d) => d.body.merchant_uid === merchantUid).map(({ at, body, status, error }) => ({ at, status: body.status, answer: status, error })),
    };
  });

  router.post('/deposit', async (ctx, next) => {
    const running = sandbox();
    if (!running) return next();
    const { imp_uid: impUid, paymentId } = bodyOf(ctx);
    const v2 = paymentId !== undefined;
    if (v2 ? typeof paymentId !== 'string' || !/^[A-Za-z0-9]{1,40}$/.test(paymentId) : typeof impUid !== 'string' || !/^imp_\d{12}$/.test(impUid)) {
      return bad(ctx, 'imp_uid (V1) or paymentId (V2): the virtual account payment');
    }
    try {
      ctx.body = { status: v2 ? (await running.v2.control.deposit(paymentId as string)).status : (await running.control.changePayment(impUid as string, { status: 'paid' })).status };
    } catch (error) {
      // The sandbox's refusal (not a virtual account waiting for its deposit), as it said it.
      if (!(error instanceof SandboxControlError)) throw error;
      ctx.status = error.status;
      ctx.body = error.body;
    }
  });
}

// The demo runs offline unless real keys are given: the sandbox on purpose, never as a silent fallback.
if (!process.env.PORTONE_API_KEY && !process.env.PORTONE_API_SECRET && !process.env.PORTONE_SANDBOX) process.env.PORTONE_SANDBOX = 'true';

// The SDKs come from the sandbox when it plays PortOne (under the page's own host), else from PortOne's CDNs.
let sandbox: Sandbox | null = null;
const running = await main({
  onPaid: ship,
  onPaidV2: ship,
  defaultCatalogFile: fileURLToPath(new URL('./catalog.json', import.meta.url)),
  extend: (app) => {
    sandboxGateway(() => sandbox)(app);
    serveDemo((ctx) => ({
      SDK_SRC: sdkSrcFor(ctx, sandbox?.url ?? null, 'v1'),
      SDK_V2_SRC: sdkSrcFor(ctx, sandbox?.v2.url ?? null, 'v2'),
      // The sandbox's store; with real keys the page offers V1 alone (its V2 would need the merchant's store and channel).
      V2_STORE_ID: sandbox?.v2.credentials.storeId ?? '',
    }))(app);
    demoApi(() => sandbox)(app);
  },
});
if (running.sandbox) {
  sandbox = running.sandbox;
  // PortOne's notification comes a moment after the buyer is back, as in production.
  await Promise.all([sandbox.control.configure({ webhook_delay_ms: WEBHOOK_DELAY_MS }), sandbox.v2.control.configure({ webhookDelayMs: WEBHOOK_DELAY_MS })]);
}

/**
 * Where to open the demo: on a wildcard address (`HOST=0.0.0.0`, `::`) this machine's loopback first, then this
 * machine's addresses on its networks, for a phone (a page's URLs follow the address it was opened with).
 */
function openUrls(url: string): { local: string; network: string[] } {
  const { hostname, port } = new URL(url);
  if (hostname !== '0.0.0.0' && hostname !== '[::]') return { local: url, network: [] };
  const network = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && (a.family === 'IPv4' || (hostname === '[::]' && !a.address.startsWith('fe80:'))))
    .map((a) => `http://${a!.family === 'IPv6' ? `[${a!.address}]` : a!.address}:${port}`);
  return { local: `http://127.0.0.1:${port}`, network };
}
const urls = openUrls(running.url);
console.log(`
  portone-checkout demo${running.sandbox ? ' (offline: the PortOne SANDBOX plays PortOne; no real payment is made)' : ''}
  open  ${urls.local}/
  CMS   ${urls.local}/cms.html${urls.network.map((u) => `\n  on your network (a phone)  ${u}/`).join('')}
`);
