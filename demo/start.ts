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
 *   buttons. It talks to the sandbox only through the sandbox's HTTP control API (`/__sandbox/…`), as any
 *   stranger would. With real PortOne keys `/demo/api/status` says `sandbox: false`, the shipments and the
 *   shipping switch still answer, and the rest is 404.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Koa from 'koa';
import type { FulfilmentHook } from '../server/fulfilment.js';
import { main } from '../server/main.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES: Record<string, string> = { '.js': 'application/javascript; charset=utf-8', '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml', '.map': 'application/json' };
/** The demo's pages: HTML with the SDK URL filled in, as a merchant's template would. */
const PAGES: Record<string, string> = { '/': 'demo/index.html', '/index.html': 'demo/index.html', '/cms.html': 'demo/cms.html', '/closed.html': 'demo/closed.html' };

/**
 * PortOne's notification usually reaches the merchant a moment after the buyer is back. The sandbox waits this
 * long before sending it, so the shop page shows the verify call settling the order and the webhook arriving
 * after it (and changing nothing: settlement is exactly-once). 0 makes them race.
 */
const WEBHOOK_DELAY_MS = 1000;
/** A scripted payment window stays open this long before choosing, so a person sees what it does. */
const SCRIPT_DELAY_MS = 500;
/** What the "PortOne outage" switch breaks: the verifier's payment lookups (`GET /payments/imp_…`) answer 503. */
const OUTAGE = { type: 'status', status: 503, method: 'GET', path: '/payments/imp_' } as const;
const WINDOW_ACTIONS = new Set(['approve', 'decline', 'close', 'vbank', 'amount']);

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
 */
const ship: FulfilmentHook = (order) => {
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

function serveDemo(sdkSrc: () => string) {
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
      ctx.body = page ? body.toString('utf8').replaceAll('%SDK_SRC%', sdkSrc()) : body;
    });
  };
}

/** What the demo reads from the sandbox's control API. */
interface SandboxAnswers {
  scripts: { scripts: Array<{ action: string; amount: number | null }> };
  faults: { faults: unknown[] };
  webhooks: { deliveries: Array<{ at: number; body: Record<string, string>; status: number | null; error: string | null }> };
  payment: { status: string };
}

/** The sandbox's control API, from here (JSON in and out; null body for 204). */
async function sandboxCall<T = unknown>(base: string, path: string, method = 'GET', body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${base}/__sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (response.status === 204 ? null : await response.json()) as T };
}

/**
 * `/demo/api/…`, for the shop page's scenario panel (one visitor at a time: the sandbox's state is global).
 * - `GET  /demo/api/status`            → `{ sandbox, outage, shipping_down, next }` (`next`: the scripted choice waiting for the next window)
 * - `PUT  /demo/api/next`              `{ action: 'manual' | 'approve' | 'decline' | 'close' | 'vbank' | 'amount', amount? }`:
 *                                      the next payment window (whatever its order) chooses by itself; `manual` clears it
 * - `PUT  /demo/api/outage`            `{ on }`: PortOne's payment lookups fail with 503 (verify answers 502), or recover
 * - `GET  /demo/api/webhooks?merchant_uid=…` → the notifications the sandbox sent for that order, oldest first
 * - `POST /demo/api/deposit`           `{ imp_uid }`: the buyer deposits into an issued virtual account (PortOne notifies)
 * Also without the sandbox (they touch only the demo's own shipping):
 * - `GET  /demo/api/shipments?merchant_uid=…` → `{ shipments: [{ at, amount, currency, items }] }`: each run of the
 *                                      `onPaid` hook for that order (one, normally)
 * - `PUT  /demo/api/shipping`          `{ down }`: the hook throws while down (the server retries it with backoff)
 */
function demoApi(sandboxUrl: () => string | null) {
  return (app: Koa) => {
    app.use(async (ctx, next) => {
      if (!ctx.path.startsWith('/demo/api/')) return next();
      const base = sandboxUrl();
      const route = `${ctx.method} ${ctx.path.slice('/demo/api'.length)}`;
      const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
      const bad = (message: string) => {
        ctx.status = 400;
        ctx.body = { status: 'error', message };
      };
      switch (route) {
        case 'GET /shipments': {
          const merchantUid = String(ctx.query.merchant_uid ?? '');
          ctx.body = { shipments: shipments.get(merchantUid) ?? [] };
          return;
        }
        case 'PUT /shipping': {
          if (typeof body.down !== 'boolean') return bad('down: true or false');
          shipping.down = body.down;
          ctx.body = { shipping_down: shipping.down };
          return;
        }
      }
      if (route === 'GET /status' && !base) return void (ctx.body = { sandbox: false, shipping_down: shipping.down });
      if (!base) return next();
      switch (route) {
        case 'GET /status': {
          const [scripts, faults] = await Promise.all([sandboxCall<SandboxAnswers['scripts']>(base, '/scripts'), sandboxCall<SandboxAnswers['faults']>(base, '/faults')]);
          const script = scripts.json.scripts[0];
          ctx.body = { sandbox: true, outage: faults.json.faults.length > 0, shipping_down: shipping.down, next: script ? { action: script.action, amount: script.amount } : null };
          return;
        }
        case 'PUT /next': {
          const { action, amount } = body;
          if (action !== 'manual' && !WINDOW_ACTIONS.has(action as string)) return bad('action: one of manual, approve, decline, close, vbank, amount');
          if (action === 'amount' && !(typeof amount === 'number' && amount > 0)) return bad('amount: a positive number for action "amount"');
          // One choice waits at a time: replace whatever was queued.
          await sandboxCall(base, '/scripts', 'DELETE');
          if (action !== 'manual') await sandboxCall(base, '/scripts', 'POST', { action, ...(action === 'amount' && { amount }), delay_ms: SCRIPT_DELAY_MS });
          ctx.body = { next: action === 'manual' ? null : { action, amount: action === 'amount' ? amount : null } };
          return;
        }
        case 'PUT /outage': {
          if (typeof body.on !== 'boolean') return bad('on: true or false');
          await sandboxCall(base, '/faults', 'DELETE');
          if (body.on) await sandboxCall(base, '/faults', 'POST', OUTAGE);
          ctx.body = { outage: body.on };
          return;
        }
        case 'GET /webhooks': {
          const merchantUid = String(ctx.query.merchant_uid ?? '');
          const { json } = await sandboxCall<SandboxAnswers['webhooks']>(base, '/webhooks');
          ctx.body = {
            deliveries: json.deliveries
              .filter((d) => d.body.merchant_uid === merchantUid)
              .map(({ at, body, status, error }) => ({ at, status: body.status, answer: status, error })),
          };
          return;
        }
        case 'POST /deposit': {
          if (typeof body.imp_uid !== 'string' || !/^imp_\d{12}$/.test(body.imp_uid)) return bad('imp_uid: the virtual account payment');
          const { status, json } = await sandboxCall<SandboxAnswers['payment']>(base, `/payments/${body.imp_uid}`, 'PATCH', { status: 'paid' });
          ctx.status = status;
          ctx.body = status === 200 ? { status: json.status } : json;
          return;
        }
      }
      return next();
    });
  };
}

// The demo runs offline unless real keys are given: the sandbox on purpose, never as a silent fallback.
if (!process.env.PORTONE_API_KEY && !process.env.PORTONE_API_SECRET && !process.env.PORTONE_SANDBOX) process.env.PORTONE_SANDBOX = 'true';

// iamport.js comes from the sandbox when it plays PortOne, else from PortOne's CDN.
let sdkSrc = 'https://cdn.iamport.kr/v1/iamport.js';
let sandboxUrl: string | null = null;
const running = await main({
  onPaid: ship,
  defaultCatalogFile: fileURLToPath(new URL('./catalog.json', import.meta.url)),
  extend: (app) => {
    serveDemo(() => sdkSrc)(app);
    demoApi(() => sandboxUrl)(app);
  },
});
if (running.sandbox) {
  sdkSrc = running.sandbox.sdkUrl;
  sandboxUrl = running.sandbox.url;
  // PortOne's notification comes a moment after the buyer is back, as in production.
  await sandboxCall(sandboxUrl, '/config', 'PUT', { webhook_delay_ms: WEBHOOK_DELAY_MS });
}
console.log(`
  portone-checkout demo${running.sandbox ? ' (offline: the PortOne SANDBOX plays PortOne; no real payment is made)' : ''}
  open  ${running.url}/
  CMS   ${running.url}/cms.html
`);
