/**
 * One process of `npm run bench`, forked by bench/verifier.ts with one JSON argument `{role, sandboxUrl?,
 * databaseUrl?, maxPayments?}`. Roles:
 *
 * - `sandbox`: the PortOne sandbox. Its own process so that its CPU time never delays the load generator's
 *   clock (a sandbox in the bench process would inflate every latency it measures).
 * - `verifier`: the real thing: createApp + its own PortOneClient + openStore(databaseUrl).
 * - `forward`: baseline (a), the limit: a bare Koa route that forwards one GET /payments/{imp_uid} with a
 *   fixed token. No store, no parsing: nothing a verifier could do with less.
 * - `verifier-v2`: the same verifier answering PortOne V2's `POST /payments/complete {paymentId}` (its
 *   PortOneV2Client: `Authorization: PortOne <secret>`, no token, one GET per verification).
 * - `forward-v2`: V2's limit: a bare Koa route that forwards one `GET /payments/{paymentId}` with the secret.
 * - `naive`: baseline (b), the seeds' naive verifier: a new token per request (POST /users/getToken), then
 *   GET the payment, then compare its amount with the stored order and mark it paid. It does the same store
 *   work as the verifier (one read, one conditional transition) so that the ratio measures the token
 *   policy and not a cheaper store path.
 *
 * Every role listens on 127.0.0.1:0 and sends `{url}` over IPC (the sandbox answers `v2` with `{v2Url}`, its V2 side); `{seed: orders}` stores prepared orders
 * and answers `{seeded}`; `cpu` answers `{cpu}`, the process's CPU time so far in µs; it exits when the parent says `stop` or goes away (so a crashed bench leaves no
 * process behind).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import { createApp } from '../server/app.js';
import { silentLogger } from '../server/log.js';
import { sameAmount } from '../lib/money.js';
import { PortOneClient } from '../server/portone/client.js';
import { PortOneV2Client } from '../server/portone/v2/client.js';
import { DEFAULT_CREDENTIALS, DEFAULT_V2_CREDENTIALS, startSandbox } from '../sandbox/index.js';
import { openStore } from '../server/store/index.js';
import type { NewOrder, OrderStore } from '../server/store/types.js';

export type Role = 'sandbox' | 'verifier' | 'forward' | 'naive' | 'verifier-v2' | 'forward-v2';
export interface ChildOptions {
  role: Role;
  sandboxUrl?: string;
  /** The sandbox's V2 address (the V2 roles). */
  sandboxV2Url?: string;
  databaseUrl?: string;
  maxPayments?: number;
}

const { apiKey: API_KEY, apiSecret: API_SECRET } = DEFAULT_CREDENTIALS;

/** What the baselines read of PortOne's envelope; they trust it as the seeds did (no schema). */
interface Envelope<T> {
  code: number;
  response: T | null;
}

async function getToken(sandboxUrl: string): Promise<string> {
  const answer = await fetch(`${sandboxUrl}/users/getToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ imp_key: API_KEY, imp_secret: API_SECRET }),
  });
  const body = (await answer.json()) as Envelope<{ access_token: string }>;
  if (!body.response) throw new Error(`getToken: HTTP ${answer.status}`);
  return body.response.access_token;
}

function forwardApp(sandboxUrl: string): Koa {
  // Fetched once, on the first request (so its one getToken call falls inside a measured phase, as the
  // verifier's does), then fixed.
  let token: Promise<string> | undefined;
  const router = new Router().post('/payments/complete', async (ctx) => {
    const { imp_uid } = ctx.request.body as { imp_uid: string };
    token ??= getToken(sandboxUrl);
    const answer = await fetch(`${sandboxUrl}/payments/${encodeURIComponent(imp_uid)}`, { headers: { authorization: `Bearer ${await token}` } });
    ctx.status = answer.status;
    ctx.type = 'application/json';
    ctx.body = await answer.text();
  });
  return koaWith(router);
}

/** V2's limit: one GET /payments/{paymentId} with the V2 secret, PortOne's answer returned as is. */
function forwardV2App(sandboxV2Url: string): Koa {
  const router = new Router().post('/payments/complete', async (ctx) => {
    const { paymentId } = ctx.request.body as { paymentId: string };
    const answer = await fetch(`${sandboxV2Url}/payments/${encodeURIComponent(paymentId)}`, { headers: { authorization: `PortOne ${DEFAULT_V2_CREDENTIALS.apiSecret}` } });
    ctx.status = answer.status;
    ctx.type = 'application/json';
    ctx.body = await answer.text();
  });
  return koaWith(router);
}

function naiveApp(sandboxUrl: string, store: OrderStore): Koa {
  const router = new Router().post('/payments/complete', async (ctx) => {
    const { imp_uid, merchant_uid } = ctx.request.body as { imp_uid: string; merchant_uid: string };
    const token = await getToken(sandboxUrl); // the naive part: every request asks for a token
    const answer = await fetch(`${sandboxUrl}/payments/${encodeURIComponent(imp_uid)}`, { headers: { authorization: token } });
    const payment = ((await answer.json()) as Envelope<{ imp_uid: string; merchant_uid: string; amount: number; currency: string; status: string }>).response;
    const order = payment && payment.merchant_uid === merchant_uid ? await store.get(merchant_uid) : null;
    if (!payment || !order || payment.status !== 'paid' || !sameAmount(payment.amount, order.amount) || payment.currency !== order.currency) {
      ctx.status = 409;
      ctx.body = { status: 'mismatch' };
      return;
    }
    await store.transition({ merchant_uid, to: 'paid', from: ['ready'], via: 'complete', imp_uid: payment.imp_uid });
    ctx.body = { status: 'paid', imp_uid: payment.imp_uid, merchant_uid, amount: payment.amount };
  });
  return koaWith(router);
}

/** Koa with the same body parser the verifier uses, and one router. */
function koaWith(router: Router): Koa {
  const app = new Koa();
  app.use(bodyParser());
  app.use(router.routes());
  return app;
}

function listen(app: Koa): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
    server.once('error', reject);
  });
}

interface Running {
  url: string;
  v2Url?: string;
  store: OrderStore | null;
  close(): Promise<void>;
}

async function start(options: ChildOptions): Promise<Running> {
  if (options.role === 'sandbox') {
    const sandbox = await startSandbox({ quiet: true, maxPayments: options.maxPayments });
    return { url: sandbox.url, v2Url: sandbox.v2.url, store: null, close: () => sandbox.close() };
  }
  const sandboxUrl = options.sandboxUrl!;
  const store = options.role === 'forward' || options.role === 'forward-v2' ? null : await openStore(options.databaseUrl!);
  const portone = new PortOneClient({ apiUrl: sandboxUrl, apiKey: API_KEY, apiSecret: API_SECRET });
  const v2 = {
    client: new PortOneV2Client({ apiUrl: options.sandboxV2Url ?? '', apiSecret: DEFAULT_V2_CREDENTIALS.apiSecret }),
    storeId: DEFAULT_V2_CREDENTIALS.storeId,
    acceptTestPayments: true,
    webhookSecrets: [],
  };
  const app =
    options.role === 'forward'
      ? forwardApp(sandboxUrl)
      : options.role === 'forward-v2'
        ? forwardV2App(options.sandboxV2Url!)
        : options.role === 'naive'
          ? naiveApp(sandboxUrl, store!)
          : createApp({ store: store!, portone, ...(options.role === 'verifier-v2' && { v2 }), logger: silentLogger, trustBrowserPrices: true, prepareRateLimit: 0 });
  const server = await listen(app);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store?.close();
    },
  };
}

// Only when forked (the bench imports only the types above).
if (process.send) {
  const running = await start(JSON.parse(process.argv[2] ?? '{}') as ChildOptions);
  const stop = () => void running.close().finally(() => process.exit(0));
  process.on('message', (message: 'stop' | 'cpu' | 'v2' | { seed: NewOrder[] }) => {
    if (message === 'stop') return stop();
    if (message === 'v2') return void process.send!({ v2Url: running.v2Url });
    // CPU time used so far (µs): on a shared machine, CPU per request is steadier than wall-clock time.
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      return void process.send!({ cpu: user + system });
    }
    // The prepared orders, stored by the process that owns the store (a 'memory:' store lives only here).
    void (async () => {
      for (const order of message.seed) await running.store!.create(order);
      process.send!({ seeded: message.seed.length });
    })();
  });
  process.on('disconnect', stop);
  process.send({ url: running.url });
}
