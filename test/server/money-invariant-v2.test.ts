// The money invariant (SPEC §4 *Money*, *Fulfilment*; §8.2) for PortOne V2 payments, beside V1's
// money-invariant.test.ts: seeded random stories of V2 orders (paid, news lost, a wrong amount, another currency, a
// failed or abandoned or pending attempt then paid, a virtual account deposited / left open / expired / replaced by a
// card attempt, cancelled or partly cancelled on the console, partly cancelled before it settled, a TEST-channel
// payment where TEST is refused,
// another store's payment, a V1 payment naming the V2 order), each told by complete, the signed webhook, both at once
// to two verifier apps sharing one database, or not at all, under PortOne V2 faults (lookups and cancels answered 503,
// dropped, slow) and PortOne refusing cancels now and then. Then the drain: faults stop, reconcile runs until a pass
// changes nothing, deliveries finish. Then, for every V2 payment of our store and a LIVE channel the sandbox holds:
//   - one still holding money (PAID, PARTIAL_CANCELLED with a balance, VIRTUAL_ACCOUNT_ISSUED) settles its order:
//     the `settled` ledger entry, the order's transactionId, the order paid (or vbank_issued), at the order's price;
//   - one that held money and holds none now was cancelled in full by us (`refunded_*`) or on the console by the test
//     (then the order it settled is `cancelled`);
//   - no refund left pending; at most one `paid` per order's history, at most one settling payment; every paid order
//     delivered to FULFILMENT_URL exactly once (one webhook-id per order);
// and TEST-channel, other-store and V1 payments touched nothing (no ledger entry, nothing cancelled).
// SQLite: two apps on one file. PostgreSQL (TEST_DATABASE_URL; else skipped): two apps on one schema.
// MONEY_SEED replays a seed; MONEY_V2_ORDERS changes the number of orders (default 60).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createApp, type VerifierApp } from '../../server/app.js';
import { toMinorUnits } from '../../lib/money.js';
import { silentLogger } from '../../server/log.js';
import { PortOneClient } from '../../server/portone/client.js';
import { PortOneV2Client } from '../../server/portone/v2/client.js';
import { reconcile } from '../../server/reconcile.js';
import { openStore } from '../../server/store/index.js';
import type { OrderStore } from '../../server/store/types.js';
import { signWebhook, webhookKey } from '../../server/webhook-signature.js';
import { API_KEY, API_SECRET, startTestSandbox } from './helpers.js';
import { DELIVERY, FULFILMENT_SECRET } from './fixtures/money-shop.js';
import { startFulfilmentReceiver } from './fixtures/standard-webhooks.js';
import { mulberry32 } from './fixtures/verifier-processes.js';

const SEED = process.env.MONEY_SEED ? Number(process.env.MONEY_SEED) : 20_261_203;
const ORDERS = Number(process.env.MONEY_V2_ORDERS ?? 60);
const PG_URL = process.env.TEST_DATABASE_URL || undefined;
const WORKERS = 6;
const REFUSE_CANCELS = 0.15;
console.log(`money invariant V2: seed ${SEED} (replay with MONEY_SEED=${SEED}), ${ORDERS} orders per run`);

type Notify = 'none' | 'complete' | 'webhook' | 'both' | 'complete×2+webhook';
type Story =
  | 'paid'
  | 'news lost'
  | 'wrong amount'
  | 'other currency'
  | 'failed, then paid'
  | 'abandoned, then paid'
  | 'pending, then paid'
  | 'account deposited'
  | 'account left open'
  | 'account expired'
  | 'account replaced by a card'
  | 'paid, cancelled on the console'
  | 'paid, partly cancelled on the console'
  | 'partly cancelled before settling'
  | 'test channel'
  | 'another store'
  | 'a V1 payment for it';
const STORIES: Array<[Story, number]> = [
  ['paid', 4], ['news lost', 1], ['wrong amount', 2], ['other currency', 1], ['failed, then paid', 1], ['abandoned, then paid', 1],
  ['pending, then paid', 1], ['account deposited', 2], ['account left open', 1], ['account expired', 1], ['account replaced by a card', 1], ['paid, cancelled on the console', 1],
  ['paid, partly cancelled on the console', 1], ['partly cancelled before settling', 1], ['test channel', 1], ['another store', 1], ['a V1 payment for it', 1],
];

interface RunSpec {
  label: string;
  open(): Promise<{ stores: [OrderStore, OrderStore, OrderStore]; cleanup(): Promise<void> }>;
}

async function runSequence(spec: RunSpec): Promise<void> {
  const random = mulberry32(SEED ^ [...spec.label].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16_777_619), 2_166_136_261));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const totalWeight = STORIES.reduce((sum, [, w]) => sum + w, 0);
  const storyOf = (): Story => {
    let r = random() * totalWeight;
    return (STORIES.find(([, w]) => (r -= w) < 0) ?? STORIES[0]!)[0];
  };
  const notifyOf = (): Notify => {
    const r = random();
    return r < 0.12 ? 'none' : r < 0.4 ? 'complete' : r < 0.6 ? 'webhook' : r < 0.9 ? 'both' : 'complete×2+webhook';
  };
  const tag = `${spec.label.replace(/[^a-z]/g, '')}${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}`;
  const plans = Array.from({ length: ORDERS }, (_, i) => {
    const usd = random() < 0.3;
    return { paymentId: `mv${tag}${i}`, story: storyOf(), currency: usd ? 'USD' : 'KRW', amount: usd ? (200 + Math.floor(random() * 900)) / 100 : 1_000 + Math.floor(random() * 500) * 100, notify: notifyOf() };
  });

  const sandbox = await startTestSandbox({ port: 0 });
  const { v2 } = sandbox.sandbox;
  const receiver = await startFulfilmentReceiver(FULFILMENT_SECRET);
  const shopRandom = mulberry32(SEED ^ 0x5b0b);
  receiver.answer = () => ({ status: shopRandom() < 0.15 ? 503 : 200 });
  const { stores, cleanup } = await spec.open();
  let draining = false;
  const refuseRandom = mulberry32(SEED ^ 0x7ec0);
  // PortOne refusing a cancel now and then (a PG's refusal): the refund stays pending and reconcile retries it.
  const refusing: typeof fetch = async (input, init) => {
    if (!draining && init?.method === 'POST' && String(input).endsWith('/cancel') && refuseRandom() < REFUSE_CANCELS) {
      return new Response(JSON.stringify({ type: 'PG_PROVIDER', message: '[test] the PG refused the cancel' }), { status: 409 });
    }
    return fetch(input, init);
  };
  const v2Client = () => new PortOneV2Client({ apiUrl: v2.url, apiSecret: v2.credentials.apiSecret, timeoutMs: 1_000, cancelTimeoutMs: 1_500, deadlineMs: 4_000, backoffMs: 20, fetch: refusing });
  const v1Client = () => new PortOneClient({ apiUrl: sandbox.url, apiKey: API_KEY, apiSecret: API_SECRET, timeoutMs: 1_000, deadlineMs: 4_000, backoffMs: 20 });
  const v2Settings = (client: PortOneV2Client) => ({ client, storeId: v2.credentials.storeId, acceptTestPayments: false });
  const apps: Array<{ app: VerifierApp; server: Server; url: string }> = [];
  for (const store of stores.slice(0, 2)) {
    const app = createApp({
      store,
      portone: v1Client(),
      v2: { ...v2Settings(v2Client()), webhookSecrets: [v2.credentials.webhookSecret] },
      trustBrowserPrices: true,
      prepareRateLimit: 0,
      logger: silentLogger,
      fulfilmentEndpoint: { url: receiver.url, secret: FULFILMENT_SECRET },
      fulfilment: DELIVERY,
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    apps.push({ app, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  }
  const post = async (url: string, body: unknown) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as any };
  };
  const unexpected: string[] = [];
  const key = webhookKey(v2.credentials.webhookSecret, 1);
  const tell = async (paymentId: string, notify: Notify) => {
    const complete = (i: number) => post(`${apps[i % 2]!.url}/payments/complete`, { paymentId });
    const webhook = async (i: number) => {
      const raw = JSON.stringify({ type: 'Transaction.Paid', timestamp: new Date().toISOString(), data: { storeId: v2.credentials.storeId, paymentId, transactionId: 'claimed' } });
      const response = await fetch(`${apps[i % 2]!.url}/portone/webhook/v2`, { method: 'POST', headers: { 'content-type': 'application/json', ...signWebhook(key, `msg_${paymentId}_${i}`, Math.floor(Date.now() / 1000), raw) }, body: raw });
      return { status: response.status, body: (await response.json()) as any };
    };
    const calls = notify === 'none' ? [] : notify === 'complete' ? [complete(0)] : notify === 'webhook' ? [webhook(1)] : notify === 'both' ? [complete(0), webhook(1)] : [complete(0), complete(1), webhook(0)];
    for (const answer of await Promise.all(calls)) {
      if ((answer.status >= 500 && answer.status !== 502) || answer.status === 400 || answer.status === 401) unexpected.push(`${paymentId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  };
  const control = v2.control;
  const consoleCancelled = new Set<string>();
  const story = async (plan: (typeof plans)[number]) => {
    const { paymentId, currency, amount, notify } = plan;
    let prepared = await post(`${apps[0]!.url}/payments/prepare`, { version: 'v2', paymentId, amount, currency });
    // PortOne down for the pre-registration (an injected fault): the buyer's page tries again.
    for (let again = 0; again < 3 && prepared.status === 502; again++) prepared = await post(`${apps[again % 2]!.url}/payments/prepare`, { version: 'v2', paymentId, amount, currency });
    if (prepared.status !== 201) return void unexpected.push(`${paymentId}: prepare ${prepared.status} ${JSON.stringify(prepared.body)}`);
    const total = toMinorUnits(amount, currency);
    const pay = (extra: Record<string, unknown> = {}) => control.createPayment({ paymentId, amount: total, currency, status: 'PAID', ...extra });
    switch (plan.story) {
      case 'paid':
        await pay();
        return tell(paymentId, notify);
      case 'news lost':
        return void (await pay());
      case 'wrong amount':
        await pay({ amount: total + 1 });
        return tell(paymentId, notify);
      case 'other currency':
        await pay({ currency: currency === 'USD' ? 'KRW' : 'USD' });
        return tell(paymentId, notify);
      case 'failed, then paid':
      case 'abandoned, then paid':
      case 'pending, then paid':
        await control.createPayment({ paymentId, amount: total, currency, status: plan.story.startsWith('failed') ? 'FAILED' : plan.story.startsWith('abandoned') ? 'READY' : 'PAY_PENDING' });
        await tell(paymentId, notify);
        if (plan.story.startsWith('pending')) await control.changePayment(paymentId, { status: 'PAID' });
        else await pay();
        return tell(paymentId, notifyOf());
      case 'account deposited':
      case 'account left open':
      case 'account expired':
        await control.createPayment({ paymentId, amount: total, currency, status: 'VIRTUAL_ACCOUNT_ISSUED', payMethod: 'VIRTUAL_ACCOUNT' });
        await tell(paymentId, notify);
        if (plan.story === 'account deposited') await control.deposit(paymentId);
        if (plan.story === 'account expired') await control.changePayment(paymentId, { status: 'FAILED' });
        return tell(paymentId, notifyOf());
      case 'account replaced by a card':
        await control.createPayment({ paymentId, amount: total, currency, status: 'VIRTUAL_ACCOUNT_ISSUED', payMethod: 'VIRTUAL_ACCOUNT' });
        await tell(paymentId, notify);
        await pay();
        return tell(paymentId, notifyOf());
      case 'paid, cancelled on the console':
      case 'paid, partly cancelled on the console':
        await pay();
        await tell(paymentId, notify);
        consoleCancelled.add(paymentId);
        await control.changePayment(paymentId, plan.story.includes('partly') ? { status: 'PARTIAL_CANCELLED', amount: 1 } : { status: 'CANCELLED' });
        return tell(paymentId, pick(['none', 'complete', 'webhook'] as const));
      case 'partly cancelled before settling':
        await pay({ status: 'PARTIAL_CANCELLED', cancelledAmount: 1 });
        return tell(paymentId, notify);
      case 'test channel':
        await pay({ channelType: 'TEST' });
        return tell(paymentId, notify);
      case 'another store':
        await pay({ storeId: 'store-another' });
        return tell(paymentId, notify);
      case 'a V1 payment for it': {
        const v1 = (await sandbox.createPayment({ merchant_uid: paymentId, amount, currency, status: 'paid' })) as { imp_uid: string };
        await post(`${apps[0]!.url}/payments/complete`, { imp_uid: v1.imp_uid, merchant_uid: paymentId });
        await post(`${apps[1]!.url}/portone/webhook`, { imp_uid: v1.imp_uid, merchant_uid: paymentId, status: 'paid' });
        return;
      }
    }
  };

  try {
    // Faults on PortOne V2 during the sequence.
    for (const fault of [
      { type: 'status', status: 503, path: '/payments/', method: 'GET', times: 8 },
      { type: 'status', status: 503, path: '/payments/', method: 'POST', times: 4 },
      { type: 'drop', path: '/payments/', method: 'POST', times: 2 },
      { type: 'latency', ms: 200, path: '/payments/', method: 'GET', times: 10 },
    ] as const) {
      await control.addFault({ ...fault, after: Math.floor(random() * ORDERS) });
    }
    const queue = [...plans];
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let plan = queue.shift(); plan; plan = queue.shift()) {
          await story(plan).catch((error: unknown) => unexpected.push(`${plan!.paymentId}: ${(error as Error).message}`));
        }
      }),
    );
    // The drain.
    draining = true;
    await control.clearFaults();
    const reconcileStore = stores[2];
    const v1 = v1Client();
    for (let pass = 0; pass < 8; pass++) {
      await sleep(5);
      const report = await reconcile({ store: reconcileStore, portone: v1, v2: v2Settings(new PortOneV2Client({ apiUrl: v2.url, apiSecret: v2.credentials.apiSecret })), logger: silentLogger }, { olderThanMinutes: 0, limit: ORDERS * 2 });
      const pending = Object.keys(report.counts).filter((label) => label === 'refund_pending' || label === 'unavailable');
      if (pass > 0 && pending.length === 0) break;
    }
    for (const { app } of apps) await app.fulfilment.deliverDue();
    const ownOrders = plans.map((p) => p.paymentId);
    const orderOf = async (paymentId: string) => (await reconcileStore.get(paymentId))!;
    // Deliveries: wait until every paid order's delivery is done.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const owed = (await Promise.all(ownOrders.map(orderOf))).filter((o) => o.fulfilment.state === 'pending');
      if (owed.length === 0 || Date.now() > deadline) break;
      await sleep(100);
    }

    // The invariant.
    const problems: string[] = [...unexpected];
    const accepted = new Map<string, number>();
    for (const d of receiver.deliveries) {
      if (d.answered >= 200 && d.answered < 300 && d.signed) accepted.set(String(d.body?.order?.paymentId), (accepted.get(String(d.body?.order?.paymentId)) ?? 0) + 1);
    }
    for (const plan of plans) {
      const order = await orderOf(plan.paymentId);
      const what = `${plan.paymentId} (${plan.story}, ${plan.notify})`;
      const payment = await control.payment(plan.paymentId).catch(() => null);
      const settled = order.payments.filter((p) => p.disposition === 'settled');
      if (settled.length > 1) problems.push(`${what}: two settling payments`);
      if (order.history.filter((h) => h.state === 'paid').length > 1) problems.push(`${what}: paid twice in its history`);
      if (order.payments.some((p) => p.disposition === 'refund_pending')) problems.push(`${what}: a refund left pending`);
      const paid = order.history.some((h) => h.state === 'paid');
      const deliveries = accepted.get(plan.paymentId) ?? 0;
      if (paid && order.state === 'paid' && deliveries !== 1) problems.push(`${what}: delivered ${deliveries} times`);
      if (!paid && deliveries > 0) problems.push(`${what}: delivered without being paid`);
      if (plan.story === 'test channel' || plan.story === 'another store' || plan.story === 'a V1 payment for it') {
        if (order.payments.length > 0 || order.state !== 'ready') problems.push(`${what}: touched by a payment that is not ours: ${order.state} ${JSON.stringify(order.payments)}`);
        if (payment && plan.story !== 'a V1 payment for it' && payment.status !== 'PAID') problems.push(`${what}: cancelled although not ours (${payment.status})`);
        continue;
      }
      if (!payment) continue;
      const balance = payment.amount.total - payment.amount.cancelled;
      const holds = (payment.status === 'PAID' || payment.status === 'PARTIAL_CANCELLED' || payment.status === 'VIRTUAL_ACCOUNT_ISSUED') && balance > 0;
      const entry = order.payments.find((p) => p.imp_uid === payment.transactionId);
      if (holds) {
        const price = toMinorUnits(order.amount, order.currency) === payment.amount.total && order.currency === payment.currency;
        if (entry?.disposition !== 'settled' || order.imp_uid !== payment.transactionId) problems.push(`${what}: ${payment.status} holds ${balance} and does not settle its order (${order.state}, ${JSON.stringify(order.payments)})`);
        else if (!price) problems.push(`${what}: settles its order at another price`);
        else if (payment.status === 'VIRTUAL_ACCOUNT_ISSUED' ? order.state !== 'vbank_issued' : order.state !== 'paid') problems.push(`${what}: holds money, order ${order.state}`);
      } else if (payment.amount.paid > 0 || payment.status === 'CANCELLED') {
        if (consoleCancelled.has(plan.paymentId)) {
          if (entry?.disposition === 'settled' && order.state !== 'cancelled') problems.push(`${what}: cancelled on the console, order ${order.state}`);
        } else if (!entry?.disposition.startsWith('refunded_')) problems.push(`${what}: ${payment.status} without a refund recorded (${JSON.stringify(entry)})`);
      }
    }
    assert.deepEqual(problems, [], `${problems.length} problems (seed ${SEED}):\n${problems.join('\n')}`);
  } finally {
    for (const { app, server } of apps) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close();
    }
    await cleanup();
    await receiver.close();
    await sandbox.sandbox.close();
  }
}

describe('the money invariant with PortOne V2 payments', () => {
  test('SQLite: two apps on one file', { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'money-v2-'));
    await runSequence({
      label: 'sqlite',
      open: async () => {
        const file = `sqlite:${join(dir, 'orders.db')}`;
        const stores = [await openStore(file), await openStore(file), await openStore(file)] as [OrderStore, OrderStore, OrderStore];
        return { stores, cleanup: async () => (await Promise.all(stores.map((s) => s.close())), rmSync(dir, { recursive: true, force: true })) };
      },
    });
  });

  test('PostgreSQL: two apps on one schema', { timeout: 240_000, skip: PG_URL ? false : 'TEST_DATABASE_URL is not set' }, async () => {
    const schema = `money_v2_${process.pid}_${Date.now().toString(36)}`;
    await runSequence({
      label: 'postgres',
      open: async () => {
        const stores = [await openStore(PG_URL!, { schema }), await openStore(PG_URL!, { schema }), await openStore(PG_URL!, { schema })] as [OrderStore, OrderStore, OrderStore];
        return {
          stores,
          cleanup: async () => {
            await Promise.all(stores.map((s) => s.close()));
            const admin = new pg.Client({ connectionString: PG_URL });
            await admin.connect();
            await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
            await admin.end();
          },
        };
      },
    });
  });
});
