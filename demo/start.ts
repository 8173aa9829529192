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
 * With the sandbox (whose webhooks reach the verifier's `/portone/webhook` by themselves) it also
 * - offers the shop page a tiny same-origin remote control under `/demo/api/` (below) for its scenario
 *   switches that concern the whole server (PortOne's outage, the deposit into a virtual account, the webhooks
 *   sent). It talks to the sandbox only through the sandbox's HTTP control API (`/__sandbox/…`, with the sandbox's
 *   own client), as any stranger would. With real PortOne keys `/demo/api/status` says `sandbox: false`, the shipments and the
 *   shipping switch still answer, and the rest is 404. What the next payment window does, and whether it is the
 *   mobile one, is the tab's own choice: the shop page tells the stand-in iamport.js (`window.portoneSandbox`), and
 *   nothing waits in the shared sandbox for another page's or another visitor's window.
 * - makes the sandbox reachable by the browsers it serves. The in-process sandbox listens on 127.0.0.1 only (its
 *   control API can make "paid" payments), so a page opened on this machine as `localhost` or `127.0.0.1` loads
 *   iamport.js from the sandbox itself (`http://<the page's host name>:<sandbox port>/iamport.js`, another origin,
 *   as PortOne's CDN is). Any other host (`HOST=0.0.0.0 npm start` and a phone on the network opening
 *   `http://192.168.0.10:8080/`) could not reach that port: its page loads iamport.js from the demo's own origin,
 *   which passes the sandbox's browser-facing paths on (the SDK, the checkout it calls, the payment window and its
 *   script, the landing page) and nothing else: the REST API and the control API stay on loopback. The stand-in SDK
 *   talks to the origin it was loaded from, and the sandbox names its window by the Host it was asked on, which the
 *   demo passes on: so the phone's whole payment goes through the address it opened.
 */
import { readFile, stat } from 'node:fs/promises';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from '@koa/router';
import type Koa from 'koa';
import type { Context } from 'koa';
import { type SandboxControl, SandboxControlError } from '../sandbox/client.js';
import type { Sandbox } from '../sandbox/index.js';
import type { Order } from '../server/store/types.js';
import { main } from '../server/main.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES: Record<string, string> = { '.js': 'application/javascript; charset=utf-8', '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml', '.map': 'application/json' };
/** The demo's pages: HTML with the SDK URL filled in (for the host the page was asked on), as a merchant's template would. */
const PAGES: Record<string, string> = { '/': 'demo/index.html', '/index.html': 'demo/index.html', '/cms.html': 'demo/cms.html', '/closed.html': 'demo/closed.html' };

/**
 * PortOne's notification usually reaches the merchant a moment after the buyer is back. The sandbox waits this
 * long before sending it, so the shop page shows the verify call settling the order and the webhook arriving
 * after it (and changing nothing: settlement is exactly-once). 0 makes them race.
 */
const WEBHOOK_DELAY_MS = 1000;
/** What the "PortOne outage" switch breaks: the verifier's payment lookups (`GET /payments/imp_…`) answer 503. */
const OUTAGE = { type: 'status', status: 503, method: 'GET', path: '/payments/imp_' } as const;
/**
 * The sandbox's browser-facing paths, which the demo passes on for pages opened on a host that cannot reach the
 * sandbox's loopback port: the stand-in SDK, the checkout it calls, the payment window (opened, answered, its script)
 * and the landing page. Never the REST API nor the control API (`/__sandbox/payments`, `/scripts`, `/faults`, …).
 */
const SANDBOX_BROWSER_PATHS: Array<{ path: RegExp; methods: string[] }> = [
  { path: /^\/iamport\.js$/, methods: ['GET', 'HEAD'] },
  { path: /^\/__sandbox\/checkout$/, methods: ['POST'] },
  { path: /^\/__sandbox\/window\/imp_\d{12}$/, methods: ['GET', 'HEAD', 'POST'] },
  { path: /^\/__sandbox\/window\.js$/, methods: ['GET', 'HEAD'] },
  { path: /^\/__sandbox\/landing$/, methods: ['GET', 'HEAD'] },
];
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

/**
 * The iamport.js URL for a page asked for as `ctx` was: PortOne's CDN with real keys; with the sandbox, the sandbox
 * itself under the page's host name when that name reaches it (a browser on this machine, which asked on loopback as
 * `localhost` or `127.0.0.1`), else this origin, which passes the sandbox's browser-facing paths on
 * (`sandboxGateway`): a phone on the network, or a browser outside a container or a VM whose port is forwarded. Never
 * a host the browser did not use: a page opened as `http://192.168.0.10:8080/` loads everything from there.
 */
function sdkSrcFor(ctx: Context, sandboxUrl: string | null): string {
  if (!sandboxUrl) return 'https://cdn.iamport.kr/v1/iamport.js';
  const sandbox = new URL(sandboxUrl);
  const host = ctx.host;
  // A Host header no browser sends (or none): the sandbox as this machine reaches it.
  if (!HOST_HEADER.test(host)) return `${sandbox.origin}/iamport.js`;
  const { hostname } = new URL(`http://${host}`);
  if (SANDBOX_LOOPBACK_NAMES.has(hostname) && arrivedOnLoopback(ctx)) return `http://${hostname}:${sandbox.port}/iamport.js`;
  return `${ctx.protocol}://${host}/iamport.js`;
}

function serveDemo(sdkSrc: (ctx: Context) => string) {
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
      ctx.body = page ? body.toString('utf8').replaceAll('%SDK_SRC%', escapeHtml(sdkSrc(ctx))) : body;
    });
  };
}

/**
 * The sandbox's browser-facing paths under the demo's origin, for browsers that cannot reach the sandbox's loopback
 * port (a phone on the network). The request goes on to the sandbox with the Host the browser used, so the sandbox
 * names its payment window (and its landing) under this origin too; the answer comes back as it is.
 */
function sandboxGateway(sandboxUrl: () => string | null) {
  return (app: Koa) => {
    app.use(async (ctx, next) => {
      const base = sandboxUrl();
      const route = base ? SANDBOX_BROWSER_PATHS.find((r) => r.path.test(ctx.path)) : undefined;
      if (!base || !route || !route.methods.includes(ctx.method) || !HOST_HEADER.test(ctx.host)) return next();
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
 * It talks to the sandbox through the sandbox's control client, as any stranger would.
 * - `GET  /demo/api/status`            → `{ sandbox, outage, shipping_down }`
 * - `POST /demo/api/reset`             everything back to normal: no outage, shipping up, and no payment-window choice left
 *                                      waiting in the sandbox (one queued through its control API) → as `status`
 * - `PUT  /demo/api/outage`            `{ on }`: PortOne's payment lookups fail with 503 (verify answers 502), or recover
 * - `GET  /demo/api/webhooks?merchant_uid=…` → the notifications the sandbox sent for that order, oldest first
 * - `POST /demo/api/deposit`           `{ imp_uid }`: the buyer deposits into an issued virtual account (PortOne notifies)
 * Also without the sandbox (they touch only the demo's own shipping):
 * - `GET  /demo/api/shipments?merchant_uid=…` → `{ shipments: [{ at, amount, currency, items }] }`: each run of the
 *                                      `onPaid` hook for that order (one, normally)
 * - `PUT  /demo/api/shipping`          `{ down }`: the hook throws while down (the server retries it with backoff)
 * Without the sandbox, its routes are not found (404).
 */
function demoApi(sandbox: () => SandboxControl | null) {
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
function scenarioRoutes(router: Router, sandbox: () => SandboxControl | null): void {
  router.get('/status', async (ctx) => {
    const control = sandbox();
    ctx.body = control ? { sandbox: true, outage: (await control.faults()).length > 0, shipping_down: shipping.down } : { sandbox: false, shipping_down: shipping.down };
  });

  router.post('/reset', async (ctx) => {
    shipping.down = false;
    const control = sandbox();
    if (control) await Promise.all([control.clearFaults(), control.clearScripts()]);
    ctx.body = control ? { sandbox: true, outage: false, shipping_down: shipping.down } : { sandbox: false, shipping_down: shipping.down };
  });

  router.put('/outage', async (ctx, next) => {
    const control = sandbox();
    if (!control) return next();
    const { on } = bodyOf(ctx);
    if (typeof on !== 'boolean') return bad(ctx, 'on: true or false');
    await control.clearFaults();
    if (on) await control.addFault(OUTAGE);
    ctx.body = { outage: on };
  });

  router.get('/webhooks', async (ctx, next) => {
    const control = sandbox();
    if (!control) return next();
    const merchantUid = String(ctx.query.merchant_uid ?? '');
    const { deliveries } = await control.webhooks();
    ctx.body = {
      deliveries: deliveries.filter((d) => d.body.merchant_uid === merchantUid).map(({ at, body, status, error }) => ({ at, status: body.status, answer: status, error })),
    };
  });

  router.post('/deposit', async (ctx, next) => {
    const control = sandbox();
    if (!control) return next();
    const impUid = bodyOf(ctx).imp_uid;
    if (typeof impUid !== 'string' || !/^imp_\d{12}$/.test(impUid)) return bad(ctx, 'imp_uid: the virtual account payment');
    try {
      ctx.body = { status: (await control.changePayment(impUid, { status: 'paid' })).status };
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

// iamport.js comes from the sandbox when it plays PortOne (under the page's own host), else from PortOne's CDN.
let sandbox: Sandbox | null = null;
const running = await main({
  onPaid: ship,
  onPaidV2: ship,
  defaultCatalogFile: fileURLToPath(new URL('./catalog.json', import.meta.url)),
  extend: (app) => {
    sandboxGateway(() => sandbox?.url ?? null)(app);
    serveDemo((ctx) => sdkSrcFor(ctx, sandbox?.url ?? null))(app);
    demoApi(() => sandbox?.control ?? null)(app);
  },
});
if (running.sandbox) {
  sandbox = running.sandbox;
  // PortOne's notification comes a moment after the buyer is back, as in production.
  await sandbox.control.configure({ webhook_delay_ms: WEBHOOK_DELAY_MS });
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
