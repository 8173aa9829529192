/**
 * One process of `npm run bench`, forked by bench/verifier.ts with one JSON argument `{role, sandboxUrl?,
 * databaseUrl?, maxPayments?}`. Roles:
 *
 * - `sandbox`: the PortOne sandbox. Its own process so that its CPU time never delays the load generator's
 *   clock (a sandbox in the bench process would inflate every latency it measures).
 * - `verifier`: the real thing: createApp + its own PortOneClient + openStore(databaseUrl).
 * - `forward`: baseline (a), the limit: a bare Koa route that forwards one GET /payments/{imp_uid} with a
 *   fixed token. No store, no parsing: nothing a verifier could do with less.
 * - `naive`: baseline (b), the seeds' naive verifier: a new token per request (POST /users/getToken), then
 *   GET the payment, then compare its amount with the stored order and mark it paid. It does the same store
 *   work as the verifier (one read, one conditional transition) so that the ratio measures the token
 *   policy and not a cheaper store path.
 *
 * Every role listens on 127.0.0.1:0 and sends `{url}` over IPC; `{seed: orders}` stores prepared orders
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
import { DEFAULT_CREDENTIALS, startSandbox } from '../sandbox/index.js';
import { openStore } from '../server/store/index.js';
import type { NewOrder, OrderStore } from '../server/store/types.js';

export type Role = 'sandbox' | 'verifier' | 'forward' | 'naive';
export interface ChildOptions {
  role: Role;
  sandboxUrl?: string;
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
  store: OrderStore | null;
  close(): Promise<void>;
}

async function start(options: ChildOptions): Promise<Running> {
  if (options.role === 'sandbox') {
    const sandbox = await startSandbox({ quiet: true, maxPayments: options.maxPayments });
    return { url: sandbox.url, store: null, close: () => sandbox.close() };
  }
  const sandboxUrl = options.sandboxUrl!;
  const store = options.role === 'forward' ? null : await openStore(options.databaseUrl!);
  const app =
    options.role === 'forward'
      ? forwardApp(sandboxUrl)
      : options.role === 'naive'
        ? naiveApp(sandboxUrl, store!)
        : createApp({ store: store!, portone: new PortOneClient({ apiUrl: sandboxUrl, apiKey: API_KEY, apiSecret: API_SECRET }), logger: silentLogger, trustBrowserPrices: true, prepareRateLimit: 0 });
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
  process.on('message', (message: 'stop' | 'cpu' | { seed: NewOrder[] }) => {
    if (message === 'stop') return stop();
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
