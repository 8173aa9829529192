// The money invariant (SPEC §4 *Money*, *Fulfilment*, *Reconcile*), under seeded random sequences of what buyers,
// PortOne, the merchant's console and the operator do to a set of orders, with the verifier run as it runs in
// production: several processes over one database, delivering to a FULFILMENT_URL that fails now and then, some
// of them SIGKILLed mid-sequence.
//
// Each order gets a story (prepare, some priced by a catalog, some first at a stale price; then payments: the
// right amount, a wrong amount, another currency, twice, racing, after a console cancel, a virtual account and its
// deposit, superseded or expired, a failed attempt, an abandoned window; each told to the verifier by the browser's
// verify, PortOne's webhook, both at once, or not at all), and the stories run interleaved with reconcile passes
// (sometimes two at once), faults on PortOne (cancels answered 503 or dropped or refused, lookups 503 or slow,
// findAll 503, the token expiring) and, in the crash runs, a verifier process SIGKILLed.
//
// Then the drain: the faults stop, reconcile runs until a pass changes nothing, the deliverers finish. And for
// every payment the sandbox holds for these orders:
//   - one that holds money (paid, or an issued virtual account) settles exactly one order: its `settled` entry,
//     the order's imp_uid, the order paid or vbank_issued, at the order's price and whole;
//   - one that held money and is no longer held was cancelled in full at PortOne with a `refunded_*` disposition
//     on its order, unless the test itself cancelled it on the console (then: the order it settled is cancelled);
//   - every payment is in its order's ledger (reconcile reads them all) and no refund is left pending.
// For every order: at most one `paid` in its history, at most one settling payment, and every order that became
// paid delivered (signed per Standard Webhooks, one webhook-id per order) exactly once, or, in a crash run,
// exactly once plus one for each delivery the receiver accepted from a process that was killed before it recorded
// the delivery done (the one documented window of at-least-once): the test counts those and asserts the number.
//
// SQLite: the in-process app and one verifier process on one file; its crash run kills the process three times,
// restarting it each time. PostgreSQL (TEST_DATABASE_URL; else one loud SKIPPED line): three verifier processes on
// one schema; its crash run kills one of them once. MONEY_SEED=n replays a seed (printed): the same stories, faults
// and kill points (which request a fault or a kill hits still depends on timing); MONEY_ORDERS=n changes the number
// of orders per run (default 200). The verifier processes are fixtures/verifier-child.ts running the shop of
// fixtures/money-shop.ts (the in-process app runs it too); the receiver is fixtures/standard-webhooks.ts.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createLogger, silentLogger } from '../../server/log.js';
import { addAmounts, sameAmount } from '../../lib/money.js';
import { PortOneClient } from '../../server/portone/client.js';
import { reconcile, type ReconcileReport } from '../../server/reconcile.js';
import { openStore } from '../../server/store/index.js';
import type { Order, OrderStore } from '../../server/store/types.js';
import { type SandboxClient, startTestSandbox } from './helpers.js';
import { createShopApp, FULFILMENT_SECRET, refusingFetch, shopPricing } from './fixtures/money-shop.js';
import { type FulfilmentReceiver, startFulfilmentReceiver } from './fixtures/standard-webhooks.js';
import { mulberry32, startChildVerifier } from './fixtures/verifier-processes.js';
import { holdsMoney } from './verifier-support.js';

const SEED = process.env.MONEY_SEED ? Number(process.env.MONEY_SEED) : 20_240_611;
const ORDERS = Number(process.env.MONEY_ORDERS ?? 200);
const PG_URL = process.env.TEST_DATABASE_URL || undefined;
/** Stories in flight at once. */
const WORKERS = 6;
/** The share of cancels PortOne refuses during the sequence (never during the drain). */
const REFUSE_CANCELS = 0.15;

console.log(`money invariant: seed ${SEED} (replay with MONEY_SEED=${SEED}), ${ORDERS} orders per run`);

// ---------------------------------------------------------------------------------------------------------------
// Stories

type PayKind = 'right' | 'wrong_amount' | 'other_currency' | 'failed' | 'abandoned' | 'vbank';
/** How the verifier hears of a payment: the browser's verify, PortOne's webhook, several at once (to different processes), or not at all. */
type Notify = 'none' | 'verify' | 'webhook' | 'verify+webhook' | 'verify×2+webhook';
type Step =
  | { op: 'pay'; kinds: PayKind[]; notify: Notify }
  | { op: 'deposit' | 'expire'; ref: number; notify: Notify }
  /** The merchant cancels the payment on PortOne's console; `race`: while the verifier is told of it. */
  | { op: 'cancel'; ref: number; notify: Notify; race: boolean };

interface Plan {
  merchant_uid: string;
  items: Array<{ id: string; quantity: number }> | null;
  amount: number;
  currency: string;
  name: string;
  /** First a prepare at a stale price (a cart shown before a price change): 409 price_changed, nothing stored. */
  stale: boolean;
  /** Prepare twice (the buyer reloads): 201 both times. */
  twice: boolean;
  story: string;
  steps: Step[];
}

/** A payment made at the sandbox by a story. */
interface Made {
  imp_uid: string;
  merchant_uid: string;
  kind: PayKind;
  amount: number;
  currency: string;
  /** Cancelled by the test on the console (the merchant's doing, not the verifier's). */
  consoleCancelled: boolean;
  deposited: boolean;
  expired: boolean;
}

const STORIES: Array<[name: string, weight: number, steps: (pick: <T>(xs: readonly T[]) => T, notify: () => Notify) => Step[]]> = [
  ['paid', 4, (_, n) => [{ op: 'pay', kinds: ['right'], notify: n() }]],
  ['paid, news lost', 1, () => [{ op: 'pay', kinds: ['right'], notify: 'none' }]],
  ['paid twice', 2, (_, n) => [{ op: 'pay', kinds: ['right'], notify: n() }, { op: 'pay', kinds: ['right'], notify: n() }]],
  ['two payments and a forgery at once', 2, () => [{ op: 'pay', kinds: ['right', 'right', 'wrong_amount'], notify: 'verify+webhook' }]],
  ['forgery, then paid', 2, (pick, n) => [{ op: 'pay', kinds: [pick(['wrong_amount', 'other_currency'] as const)], notify: n() }, { op: 'pay', kinds: ['right'], notify: n() }]],
  ['failed attempt, then paid', 1, (_, n) => [{ op: 'pay', kinds: ['failed'], notify: n() }, { op: 'pay', kinds: ['right'], notify: n() }]],
  ['abandoned window, then paid', 1, (_, n) => [{ op: 'pay', kinds: ['abandoned'], notify: n() }, { op: 'pay', kinds: ['right'], notify: n() }]],
  ['virtual account, deposit', 2, (_, n) => [{ op: 'pay', kinds: ['vbank'], notify: n() }, { op: 'deposit', ref: 0, notify: n() }]],
  ['virtual account left open', 1, (_, n) => [{ op: 'pay', kinds: ['vbank'], notify: n() }]],
  ['virtual account superseded by a card', 1, (_, n) => [{ op: 'pay', kinds: ['vbank'], notify: n() }, { op: 'pay', kinds: ['right'], notify: n() }, { op: 'deposit', ref: 0, notify: n() }]],
  ['virtual account expired, then paid', 1, (_, n) => [{ op: 'pay', kinds: ['vbank'], notify: n() }, { op: 'expire', ref: 0, notify: n() }, { op: 'pay', kinds: ['right'], notify: n() }]],
  [
    'paid, cancelled on the console, paid again',
    2,
    (_, n) => [{ op: 'pay', kinds: ['right'], notify: n() }, { op: 'cancel', ref: 0, notify: n(), race: false }, { op: 'pay', kinds: ['right'], notify: n() }],
  ],
  [
    'a duplicate cancelled on the console while refunded',
    1,
    () => [{ op: 'pay', kinds: ['right'], notify: 'verify' }, { op: 'pay', kinds: ['right'], notify: 'none' }, { op: 'cancel', ref: 1, notify: 'verify+webhook', race: true }],
  ],
];

function planOrders(random: () => number, count: number, tag: string): Plan[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const notify = (): Notify => {
    const r = random();
    return r < 0.12 ? 'none' : r < 0.45 ? 'verify' : r < 0.65 ? 'webhook' : r < 0.9 ? 'verify+webhook' : 'verify×2+webhook';
  };
  const totalWeight = STORIES.reduce((sum, [, w]) => sum + w, 0);
  const pricing = shopPricing();
  const plans: Plan[] = [];
  for (let i = 0; i < count; i++) {
    let r = random() * totalWeight;
    const [story, , steps] = STORIES.find(([, w]) => (r -= w) < 0) ?? STORIES[0]!;
    const catalog = random() < 0.55;
    let items: Plan['items'] = null;
    let amount = 1_000 + Math.floor(random() * 500) * 100;
    let currency = 'KRW';
    let name = `상품권 ${i}`;
    if (catalog) {
      const ids = random() < 0.25 ? ['pen-usd', 'ink-usd'] : ['chair-01', 'lamp-02', 'mug-03'];
      items = [...new Set([pick(ids), pick(ids)])].map((id) => ({ id, quantity: 1 + Math.floor(random() * 3) }));
      const price = pricing({ items, amount: 0, currency: 'KRW', name: null, merchant_uid: null }) as { amount: number; currency: string; name: string };
      ({ amount, currency, name } = price);
    }
    // Extra: a console cancel of one of the story's payments, told or not.
    const planned = steps(pick, notify);
    const made = planned.reduce((sum, s) => sum + (s.op === 'pay' ? s.kinds.length : 0), 0);
    if (random() < 0.12) planned.push({ op: 'cancel', ref: Math.floor(random() * made), notify: notify(), race: random() < 0.3 });
    plans.push({ merchant_uid: `mi-${tag}-${i}`, items, amount, currency, name, stale: catalog && random() < 0.25, twice: random() < 0.1, story, steps: planned });
  }
  return plans;
}

/** PortOne's trouble during the sequence: posted to the sandbox at seeded moments. */
function faultPlan(random: () => number): Array<Record<string, unknown>> {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  return [
    { type: 'status', status: 503, path: '/payments/cancel', method: 'POST', times: int(3, 8) },
    { type: 'status', status: 503, path: '/payments/cancel', method: 'POST', times: int(3, 8) },
    { type: 'drop', path: '/payments/cancel', method: 'POST', times: int(1, 2) },
    // Bursts long enough that some settlements exhaust the client's four attempts: a retryable 502, tried again.
    { type: 'status', status: 503, path: '/payments/imp_', method: 'GET', times: int(4, 12) },
    { type: 'status', status: 503, path: '/payments/imp_', method: 'GET', times: int(15, 30) },
    { type: 'status', status: 503, path: '/payments/findAll', method: 'GET', times: int(2, 6) },
    { type: 'latency', ms: int(50, 300), path: '/payments/imp_', method: 'GET', times: int(5, 15) },
    { type: 'expire_token', path: '/', times: 1 },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Verifiers

interface Verifier {
  name: string;
  /** What its deliveries carry as `x-test-sender`. */
  sender: string;
  url: string;
  alive: boolean;
  child?: ChildProcess;
  exited?: Promise<NodeJS.Signals | number | null>;
  stderr: () => string;
  stop(): Promise<void>;
}

interface StoreSetup {
  kind: 'sqlite' | 'postgres';
  /** The children's DATABASE_URL. */
  url: string;
  schema?: string;
  /** The test's own handle (reconcile, reads). */
  open(): Promise<OrderStore>;
  cleanup(): Promise<void>;
}

async function startChild(name: string, setup: StoreSetup, sandbox: SandboxClient, receiver: FulfilmentReceiver, seed: number): Promise<Verifier> {
  const child = await startChildVerifier({
    name,
    databaseUrl: setup.url,
    schema: setup.schema,
    // Two or three processes × 8 connections stay well inside the test cluster's max_connections.
    poolSize: 8,
    sandboxUrl: sandbox.url,
    // Errors only: injected faults make the client and the deliverer warn all the time, which is expected here.
    logLevel: 'error',
    shop: { fulfilmentUrl: receiver.url, refuseCancels: REFUSE_CANCELS, seed },
  });
  const verifier: Verifier = {
    name: `${name}(${child.pid})`,
    sender: `child:${child.pid}`,
    url: child.url,
    alive: true,
    child: child.process,
    exited: child.exited,
    stderr: child.stderr,
    stop: async () => {
      verifier.alive = false;
      await child.stop();
    },
  };
  return verifier;
}

/** The shop in this process (SQLite runs): the same app as the children's, over the test's own store handle. */
async function startInProcess(store: OrderStore, sandbox: SandboxClient, receiver: FulfilmentReceiver, seed: number): Promise<Verifier> {
  const logger = createLogger('error', { process: 'in-process' }, (line) => process.stderr.write(`${line}\n`));
  const { app } = createShopApp({ store, sandboxUrl: sandbox.url, fulfilmentUrl: receiver.url, sender: `app:${process.pid}`, refuseCancels: REFUSE_CANCELS, seed, logger });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const verifier: Verifier = {
    name: 'in-process',
    sender: `app:${process.pid}`,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    alive: true,
    stderr: () => '',
    stop: async () => {
      verifier.alive = false;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close();
    },
  };
  return verifier;
}

// ---------------------------------------------------------------------------------------------------------------
// One run

interface RunSpec {
  label: string;
  setup: () => Promise<StoreSetup>;
  /** Verifier processes; with `inProcess`, the test's own app beside them. */
  children: number;
  inProcess: boolean;
  /** SIGKILL a verifier process mid-sequence `times` times; `restart`: start another on the same database each time. */
  kill: false | { times: number; restart: boolean };
}

interface Kill {
  sender: string;
  /** After the process was seen dead: anything it recorded, it recorded before this. */
  at: number;
  tick: number;
}

interface Answer {
  status: number;
  body: any;
}

async function runSequence(spec: RunSpec): Promise<void> {
  const started = Date.now();
  const phases: string[] = [];
  let last = started;
  const phase = (name: string) => {
    const now = Date.now();
    phases.push(`${name} ${((now - last) / 1000).toFixed(1)}s`);
    last = now;
  };
  const random = mulberry32(SEED ^ hash(spec.label));
  const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}${hash(spec.label).toString(36).slice(0, 2)}`;
  const plans = planOrders(random, ORDERS, tag);
  const byUid = new Map(plans.map((p) => [p.merchant_uid, p]));

  const sandbox = await startTestSandbox();
  const receiver = await startFulfilmentReceiver(FULFILMENT_SECRET);
  // The shop fails now and then (503, 500), and sometimes takes a moment to answer after it acted.
  const shopRandom = mulberry32(SEED ^ 0x5b0b);
  receiver.answer = () => {
    const r = shopRandom();
    return { status: r < 0.15 ? 503 : r < 0.2 ? 500 : 200, delayMs: shopRandom() < 0.3 ? Math.floor(shopRandom() * 40) : 0 };
  };
  const setup = await spec.setup();
  const store = await setup.open();
  const verifiers: Verifier[] = [];
  const kills: Kill[] = [];
  const unexpected: string[] = [];
  const answers = new Map<string, number>();
  const reports: ReconcileReport[] = [];
  let draining = false;
  const reconcileClient = new PortOneClient({
    apiUrl: sandbox.url,
    apiKey: 'sandbox_api_key',
    apiSecret: 'sandbox_api_secret',
    timeoutMs: 2_000,
    deadlineMs: 5_000,
    backoffMs: 20,
    fetch: refusingFetch(REFUSE_CANCELS, mulberry32(SEED ^ 0x7ec0), () => !draining),
  });
  const made: Made[] = [];
  try {
    if (spec.inProcess) verifiers.push(await startInProcess(store, sandbox, receiver, SEED));
    verifiers.push(...(await Promise.all(Array.from({ length: spec.children }, (_, i) => startChild(String.fromCharCode(97 + i), setup, sandbox, receiver, SEED + i)))));
    phase('start');
    const live = () => verifiers.filter((v) => v.alive);

    // ---- the global events: reconcile passes, faults, the kill (and restart)
    const totalTicks = plans.reduce((sum, p) => sum + 1 + p.steps.length, 0);
    const at = (lo: number, hi: number) => Math.floor(totalTicks * (lo + random() * (hi - lo)));
    type Event = { tick: number; what: string; run: () => Promise<unknown> };
    const events: Event[] = [];
    const reconcileOnce = async (what: string) => {
      await sleep(2); // olderThanMinutes 0 reads orders moved strictly before now
      const report = await reconcile({ store, portone: reconcileClient, logger: silentLogger }, { olderThanMinutes: 0, limit: ORDERS * 2 });
      checkReport(report, `${what} pass`);
      reports.push(report);
    };
    // Per 40 orders: two reconcile passes, one pair of passes at once, and one round of PortOne's trouble.
    const rounds = Math.max(1, Math.round(ORDERS / 40));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < 2; i++) events.push({ tick: at(0.05, 0.95), what: 'reconcile', run: () => reconcileOnce('a') });
      events.push({ tick: at(0.1, 0.9), what: 'two reconciles at once', run: () => Promise.all([reconcileOnce('b'), reconcileOnce('c')]) });
      for (const fault of faultPlan(random)) events.push({ tick: at(0.02, 0.9), what: `fault ${JSON.stringify(fault)}`, run: () => sandbox.ok('POST', '/faults', fault) });
    }

    let armed: Verifier | null = null;
    let fire: (() => void) | null = null;
    let ticks = 0;
    const killRandom = mulberry32(SEED ^ 0x6b696c6c);
    /** SIGKILL `victim` a few ms (seeded, 0 to 40) after the next request sent to it (or after 300 ms), so it lands mid-work. */
    const killMidWork = (victim: Verifier) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => fire?.(), 300);
        fire = () => {
          fire = null;
          armed = null;
          clearTimeout(timer);
          setTimeout(
            () => {
              victim.alive = false;
              victim.child!.kill('SIGKILL');
              void victim.exited!.then((how) => {
                if (how !== 'SIGKILL') unexpected.push(`${victim.name} ended ${how}, not by the kill`);
                kills.push({ sender: victim.sender, at: Date.now(), tick: ticks });
                resolve();
              });
            },
            Math.floor(killRandom() * 40),
          );
        };
        armed = victim;
      });
    if (spec.kill) {
      const { times, restart } = spec.kill;
      for (let k = 0; k < times; k++) {
        events.push({
          tick: at(0.25 + (0.6 * k) / times, 0.25 + (0.6 * (k + 1)) / times),
          what: `kill #${k + 1}${restart ? ' and restart' : ''}`,
          run: async () => {
            // A live verifier process (after an earlier kill, the restarted one once it listens).
            let victims: Verifier[];
            while ((victims = live().filter((v) => v.child)).length === 0) await sleep(20);
            await killMidWork(victims[Math.floor(killRandom() * victims.length)]!);
            if (restart) verifiers.push(await startChild(`restarted${k + 1}`, setup, sandbox, receiver, SEED + 10 + k));
          },
        });
      }
    }
    events.sort((a, b) => a.tick - b.tick);
    const running: Array<Promise<unknown>> = [];
    const tick = () => {
      ticks++;
      while (events.length > 0 && events[0]!.tick <= ticks) {
        const event = events.shift()!;
        running.push(event.run().catch((error) => unexpected.push(`${event.what}: ${(error as Error).message}`)));
      }
    };

    // ---- requests to the verifiers
    const count = (key: string) => answers.set(key, (answers.get(key) ?? 0) + 1);
    /** One POST to a live verifier; a lost connection (a kill) or a retryable 502 is tried again, on another process when it died. */
    async function send(kind: 'prepare' | 'complete' | 'webhook', body: unknown, prefer?: Verifier): Promise<Answer | null> {
      const path = kind === 'prepare' ? '/payments/prepare' : kind === 'complete' ? '/payments/complete' : '/portone/webhook';
      for (let attempt = 1; attempt <= 4; attempt++) {
        const targets = live();
        const target = prefer?.alive && attempt === 1 ? prefer : targets[Math.floor(random() * targets.length)]!;
        try {
          const sent = fetch(`${target.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
          if (armed === target && kind !== 'prepare') fire?.();
          const response = await sent;
          const answer: Answer = { status: response.status, body: (await response.json()) as any };
          count(`${kind} ${answer.status}`);
          if (answer.status === 502 && answer.body?.retryable === true) {
            await sleep(30 * attempt);
            continue;
          }
          return answer;
        } catch (error) {
          if (target.alive) unexpected.push(`${kind} to live ${target.name}: no answer (${(error as Error).message})`);
          count(`${kind} lost`);
        }
      }
      return null; // still failing: reconcile's job
    }

    async function prepare(plan: Plan): Promise<boolean> {
      const body = { merchant_uid: plan.merchant_uid, amount: plan.amount, currency: plan.currency, name: plan.name, ...(plan.items ? { items: plan.items } : {}) };
      if (plan.stale) {
        const stale = await send('prepare', { ...body, amount: addAmounts(plan.amount, plan.currency === 'KRW' ? 1_000 : 1) });
        if (stale && !(stale.status === 409 && stale.body.status === 'price_changed' && sameAmount(stale.body.amount, plan.amount) && stale.body.currency === plan.currency)) {
          unexpected.push(`stale prepare ${plan.merchant_uid}: ${stale.status} ${JSON.stringify(stale.body)} (price ${plan.amount} ${plan.currency})`);
        }
      }
      for (let i = 0; i < (plan.twice ? 2 : 1); i++) {
        let answer: Answer | null = null;
        for (let attempt = 0; attempt < 5 && answer?.status !== 201; attempt++) answer = await send('prepare', body);
        if (answer?.status !== 201) {
          unexpected.push(`prepare ${plan.merchant_uid}: ${answer?.status} ${JSON.stringify(answer?.body)}`);
          return false;
        }
        if (!sameAmount(answer.body.amount, plan.amount) || answer.body.currency !== plan.currency) unexpected.push(`prepare ${plan.merchant_uid} priced ${JSON.stringify(answer.body)}`);
      }
      return true;
    }

    /** Tell the verifier of a payment as `how` says, each request to a different process when there are several. */
    async function notify(payment: Made, how: Notify): Promise<void> {
      if (how === 'none') return;
      const kinds: Array<'complete' | 'webhook'> = how === 'verify' ? ['complete'] : how === 'webhook' ? ['webhook'] : how === 'verify+webhook' ? ['complete', 'webhook'] : ['complete', 'complete', 'webhook'];
      const targets = shuffle(live(), random);
      const status = (await sandbox.ok('GET', `/payments/${payment.imp_uid}`)).status;
      await Promise.all(
        kinds.map(async (kind, i) => {
          const answer = await send(kind, kind === 'complete' ? { imp_uid: payment.imp_uid, merchant_uid: payment.merchant_uid } : { imp_uid: payment.imp_uid, merchant_uid: payment.merchant_uid, status }, targets[i % targets.length]);
          if (answer) checkAnswer(kind, payment, answer);
        }),
      );
    }

    function checkAnswer(kind: 'complete' | 'webhook', payment: Made, answer: Answer): void {
      const what = `${kind} ${payment.kind} ${payment.imp_uid} of ${payment.merchant_uid}: ${answer.status} ${JSON.stringify(answer.body)}`;
      const forgery = payment.kind === 'wrong_amount' || payment.kind === 'other_currency';
      if (kind === 'webhook') {
        if (answer.status !== 200) unexpected.push(what);
        else if (forgery && !['refunded_forgery', 'refund_pending'].includes(answer.body.settled)) unexpected.push(`a forgery not refunded: ${what}`);
        return;
      }
      if (![200, 402, 409].includes(answer.status)) unexpected.push(what);
      // A wrong amount or currency is a forgery whatever the order's state (SPEC §5), refunded or owed.
      if (forgery && !(answer.status === 409 && answer.body.status === 'forgery')) unexpected.push(`a forgery not answered as one: ${what}`);
      if (payment.kind === 'failed' && !(answer.status === 402 && answer.body.status === 'failed')) unexpected.push(`a failed payment: ${what}`);
      if (payment.kind === 'abandoned' && !(answer.status === 402 && answer.body.status === 'ready')) unexpected.push(`an abandoned window: ${what}`);
      if (answer.status === 200 && answer.body.status === 'paid' && !['done', 'pending'].includes(answer.body.fulfilment)) unexpected.push(`paid without a fulfilment state: ${what}`);
    }

    async function pay(plan: Plan, kind: PayKind): Promise<Made> {
      const other = plan.currency === 'KRW' ? 'USD' : 'KRW';
      const amount = kind === 'wrong_amount' ? addAmounts(plan.amount, plan.currency === 'KRW' ? 100 : 0.01) : plan.amount;
      const input: Record<string, unknown> = {
        merchant_uid: plan.merchant_uid,
        amount,
        currency: kind === 'other_currency' ? other : plan.currency,
        status: kind === 'failed' ? 'failed' : kind === 'abandoned' || kind === 'vbank' ? 'ready' : 'paid',
        pay_method: kind === 'vbank' ? 'vbank' : 'card',
        name: plan.name,
      };
      const payment = await sandbox.createPayment(input);
      const entry: Made = { imp_uid: payment.imp_uid, merchant_uid: plan.merchant_uid, kind, amount, currency: String(input.currency), consoleCancelled: false, deposited: false, expired: false };
      made.push(entry);
      return entry;
    }

    /** The console: PATCH the payment; a 409 (it is not in a state for it any more: refunded, closed) is an answer too. */
    async function console_(payment: Made, status: 'paid' | 'failed' | 'cancelled'): Promise<boolean> {
      const answer = await sandbox.control('PATCH', `/payments/${payment.imp_uid}`, { status });
      if (answer.status !== 200 && answer.status !== 409) unexpected.push(`console ${status} ${payment.imp_uid}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.status === 200;
    }

    async function runStory(plan: Plan): Promise<void> {
      const ok = await prepare(plan);
      tick();
      if (!ok) return;
      const mine: Made[] = [];
      for (const step of plan.steps) {
        if (step.op === 'pay') {
          const payments: Made[] = [];
          for (const kind of step.kinds) payments.push(await pay(plan, kind));
          mine.push(...payments);
          await Promise.all(payments.map((p) => notify(p, step.notify)));
        } else {
          const payment = mine[step.ref];
          if (payment) {
            if (step.op === 'deposit') payment.deposited = await console_(payment, 'paid');
            else if (step.op === 'expire') payment.expired = await console_(payment, 'failed');
            if (step.op === 'cancel' && step.race) {
              await Promise.all([console_(payment, 'cancelled').then((done) => (payment.consoleCancelled ||= done)), notify(payment, step.notify)]);
            } else {
              if (step.op === 'cancel') payment.consoleCancelled ||= await console_(payment, 'cancelled');
              await notify(payment, step.notify);
            }
          }
        }
        tick();
      }
    }

    let nextPlan = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (nextPlan < plans.length) await runStory(plans[nextPlan++]!);
      }),
    );
    // Events not reached (a rounding at the end) run now; then wait for every one.
    ticks = Number.MAX_SAFE_INTEGER - 1;
    tick();
    await Promise.all(running);
    phase('sequence');
    if (spec.kill) assert.equal(kills.length, spec.kill.times, 'every kill happened during the sequence');

    // ---- the drain: PortOne well again, reconcile until a pass changes nothing, the deliverers finish
    draining = true;
    await sandbox.ok('DELETE', '/faults');
    const snapshot = async () => {
      const parts: string[] = [];
      for (const plan of plans) {
        const order = await store.get(plan.merchant_uid);
        parts.push(order ? `${order.state}|${order.imp_uid}|${order.history.length}|${order.payments.map((p) => `${p.imp_uid}:${p.disposition}:${p.status}`).join(',')}` : '-');
      }
      return parts.join('\n');
    };
    let passes = 0;
    for (let before = await snapshot(); ; passes++) {
      assert.ok(passes < 10, `reconcile settles down within 10 passes (${passes} so far)`);
      await sleep(2);
      const report = await reconcile({ store, portone: reconcileClient, logger: silentLogger }, { olderThanMinutes: 0, limit: ORDERS * 2 });
      checkReport(report, 'drain pass');
      const errors = Object.entries(report.outcomes).filter(([, o]) => o.startsWith('error'));
      assert.deepEqual(errors, [], 'no reconcile error once PortOne is well');
      reports.push(report);
      const after = await snapshot();
      if (after === before) break;
      before = after;
    }
    phase(`reconcile ×${passes + 1}`);
    const orders = new Map<string, Order>();
    const readAll = async () => {
      for (const plan of plans) {
        const order = await store.get(plan.merchant_uid);
        if (order) orders.set(plan.merchant_uid, order);
      }
    };
    const deadline = Date.now() + 30_000;
    for (;;) {
      await readAll();
      const owed = [...orders.values()].filter((o) => o.fulfilment.state === 'pending');
      if (owed.length === 0) break;
      assert.ok(Date.now() < deadline, `the deliverers finish within 30 s: still owed ${owed.map((o) => `${o.merchant_uid} (${JSON.stringify(o.fulfilment)})`).join(', ')}`);
      await sleep(100);
    }
    // Nothing more comes: no delivery after done, no change by one more pass.
    const delivered = receiver.deliveries.length;
    const settledState = await snapshot();
    await sleep(500);
    await reconcile({ store, portone: reconcileClient, logger: silentLogger }, { olderThanMinutes: 0, limit: ORDERS * 2 });
    assert.equal(await snapshot(), settledState, 'one more reconcile pass changes nothing');
    assert.equal(receiver.deliveries.length, delivered, 'no delivery after every fulfilment is done');
    phase('deliveries');

    // ---- the invariant
    assert.deepEqual(unexpected.slice(0, 20), [], `unexpected answers or events (${unexpected.length})`);
    const problems: string[] = [];
    const listing = await sandbox.ok<{ total: number; payments: any[] }>('GET', '/payments?limit=1000');
    assert.ok(listing.total <= 1000, `the sandbox listing holds every payment (${listing.total})`);
    const atPortOne = listing.payments.filter((p) => byUid.has(p.merchant_uid));
    assert.equal(atPortOne.length, made.length, 'the sandbox holds exactly the payments the stories made');
    const madeBy = new Map(made.map((m) => [m.imp_uid, m]));
    const outcomes = new Map<string, number>();
    const tally = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    for (const payment of atPortOne) {
      const m = madeBy.get(payment.imp_uid)!;
      const order = orders.get(payment.merchant_uid);
      const what = `${payment.imp_uid} (${m.kind}${m.consoleCancelled ? ', console-cancelled' : ''}${m.deposited ? ', deposited' : ''}${m.expired ? ', expired' : ''}; at PortOne ${payment.status} ${payment.amount} ${payment.currency}, ${payment.cancel_amount} cancelled) of ${payment.merchant_uid} (${byUid.get(payment.merchant_uid)!.story})`;
      if (!order) {
        problems.push(`${what}: no order`);
        continue;
      }
      const entry = order.payments.find((p) => p.imp_uid === payment.imp_uid);
      const context = `${what}; order ${order.state} by ${order.imp_uid}, ledger ${JSON.stringify(order.payments.map((p) => [p.imp_uid, p.disposition]))}`;
      if (!entry) {
        problems.push(`${context}: not in its order's ledger`);
        continue;
      }
      tally(`${entry.disposition}${m.consoleCancelled ? ' (console-cancelled)' : ''}`);
      if (entry.disposition === 'refund_pending') problems.push(`${context}: refund still pending after the drain`);
      if (holdsMoney(payment)) {
        // Holds money: the one payment that settles its order, whole and at its price.
        if (entry.disposition !== 'settled' || order.imp_uid !== payment.imp_uid || !['paid', 'vbank_issued'].includes(order.state)) problems.push(`${context}: holds money without settling the order`);
        if (!sameAmount(payment.amount, order.amount) || payment.currency !== order.currency || !sameAmount(payment.cancel_amount, 0)) problems.push(`${context}: settles the order at another price`);
      } else if (m.consoleCancelled) {
        // The merchant refunded it: if it had settled the order, the order is cancelled.
        if (entry.disposition === 'settled' && order.imp_uid === payment.imp_uid && order.state !== 'cancelled') problems.push(`${context}: cancelled on the console, yet its order is ${order.state}`);
      } else if (m.kind === 'right' || m.kind === 'wrong_amount' || m.kind === 'other_currency' || (m.kind === 'vbank' && !m.expired)) {
        // It held money and holds none now, and the merchant did not cancel it: the verifier refunded it, in full, and said why.
        if (payment.status !== 'cancelled' || !sameAmount(payment.cancel_amount, payment.amount)) problems.push(`${context}: held money, neither settles nor is cancelled in full`);
        if (!entry.disposition.startsWith('refunded_')) problems.push(`${context}: cancelled at PortOne without a refunded_* disposition`);
      }
      if ((m.kind === 'wrong_amount' || m.kind === 'other_currency') && !m.consoleCancelled && entry.disposition !== 'refunded_forgery') problems.push(`${context}: a forgery not refunded as one`);
      if ((m.kind === 'failed' || m.kind === 'abandoned') && entry.disposition !== 'not_paid') problems.push(`${context}: no money, yet ${entry.disposition}`);
    }

    // ---- orders and their deliveries
    const accepted = receiver.accepted();
    // webhook-id: the same for every attempt of one order, another for every other order (SPEC §4).
    const idOf = new Map<string, string>();
    const orderOf = new Map<string, string>();
    for (const d of receiver.deliveries) {
      const order = orders.get(d.merchant_uid);
      const what = `delivery ${d.id} from ${d.sender} for ${d.merchant_uid}`;
      if (!d.signed) problems.push(`${what}: not signed by the Standard Webhooks rules`);
      if (!order) {
        problems.push(`${what}: no such order`);
        continue;
      }
      if ((idOf.get(d.merchant_uid) ?? d.id) !== d.id || (orderOf.get(d.id) ?? d.merchant_uid) !== d.merchant_uid) problems.push(`${what}: not the order's one webhook-id`);
      idOf.set(d.merchant_uid, d.id);
      orderOf.set(d.id, d.merchant_uid);
      const { body } = d;
      if (body?.type !== 'order.paid' || body.order?.state !== 'paid' || body.payment?.imp_uid !== body.order?.imp_uid || body.payment?.status !== 'paid') problems.push(`${what}: ${JSON.stringify(body)}`);
      else if (!sameAmount(body.payment.amount, order.amount) || body.payment.currency !== order.currency) problems.push(`${what}: delivers a payment at another price: ${JSON.stringify(body.payment)}`);
    }
    const states = new Map<string, number>();
    let duplicates = 0;
    for (const plan of plans) {
      const order = orders.get(plan.merchant_uid);
      if (!order) {
        problems.push(`${plan.merchant_uid} (${plan.story}): not stored`);
        continue;
      }
      states.set(order.state, (states.get(order.state) ?? 0) + 1);
      const what =
        `${plan.merchant_uid} (${plan.story}; ${order.state} by ${order.imp_uid}, ${order.history.map((h) => `${h.state}/${h.via}`).join(' ')}; ` +
        `ledger ${JSON.stringify(order.payments.map((p) => [p.imp_uid, p.disposition, p.status]))}; fulfilment ${JSON.stringify(order.fulfilment)})`;
      if (order.history[0]?.state !== 'ready' || order.history.at(-1)?.state !== order.state) problems.push(`${what}: history and state disagree`);
      if (order.history.filter((h) => h.state === 'paid').length > 1) problems.push(`${what}: paid twice`);
      if (order.payments.filter((p) => p.disposition === 'settled').length > 1) problems.push(`${what}: two payments settle it`);
      if (!sameAmount(order.amount, plan.amount) || order.currency !== plan.currency) problems.push(`${what}: stored at ${order.amount} ${order.currency}, priced ${plan.amount} ${plan.currency}`);
      const everPaid = order.history.some((h) => h.state === 'paid');
      const mine = accepted.get(plan.merchant_uid) ?? [];
      // Accepted by the shop from a process killed before it recorded the delivery done: delivered again (SPEC:
      // at least once across crashes). Its done was then recorded after the kill, by another process.
      const cut = mine.filter((d) => kills.some((k) => k.sender === d.sender && d.at < k.at && order.fulfilment.at !== null && Date.parse(order.fulfilment.at) > k.at));
      duplicates += cut.length;
      if (!everPaid) {
        if (order.fulfilment.state !== 'none' || mine.length > 0) problems.push(`${what}: never paid, yet delivered ${mine.length}`);
      } else if (order.fulfilment.state !== 'done') {
        problems.push(`${what}: paid, delivery not done`);
      } else if (order.state === 'paid' ? mine.length !== 1 + cut.length : mine.length > 1 + cut.length) {
        problems.push(`${what}: delivered ${mine.length} times (${mine.map((d) => d.sender).join(', ')}), ${cut.length} of them cut by a kill`);
      }
      if (order.state === 'paid' || order.state === 'vbank_issued') {
        const settling = atPortOne.find((p) => p.imp_uid === order.imp_uid);
        if (!settling || !holdsMoney(settling)) problems.push(`${what}: its payment ${order.imp_uid} holds no money at PortOne`);
      }
    }
    const refunds = [...outcomes].filter(([k]) => k.startsWith('refunded_')).reduce((sum, [, n]) => sum + n, 0);
    const reconciled = reports.reduce<Record<string, number>>((sum, r) => {
      for (const [label, n] of Object.entries(r.counts)) sum[label] = (sum[label] ?? 0) + n;
      return sum;
    }, {});
    const list = (m: Map<string, number> | Record<string, number>) =>
      [...(m instanceof Map ? m : Object.entries(m))]
        .sort()
        .map(([k, n]) => `${k}:${n}`)
        .join(' ');
    console.log(
      `money invariant [${spec.label}] seed=${SEED} orders=${plans.length} payments=${made.length} time=${((Date.now() - started) / 1000).toFixed(1)}s [${phases.join(', ')}]\n` +
        `  payments by outcome: ${list(outcomes)}\n` +
        `  orders by state: ${list(states)}\n` +
        `  deliveries: ${receiver.deliveries.length} POSTs, ${[...accepted.values()].reduce((s, d) => s + d.length, 0)} accepted for ${accepted.size} orders; refunds: ${refunds}; duplicates delivered: ${duplicates}` +
        (kills.length ? ` (kill of ${kills.map((k) => `${k.sender} at step ${k.tick}`).join(', ')})` : '') +
        `\n  verifier answers: ${list(answers)}\n  reconcile: ${reports.length} passes, ${list(reconciled)}`,
    );
    assert.deepEqual(problems.slice(0, 30), [], `the money invariant (${problems.length} problems)`);
    if (!spec.kill) assert.equal(duplicates, 0, 'without a kill, no delivery is repeated');
    for (const v of live()) assert.equal((await fetch(`${v.url}/healthz`)).status, 200, `${v.name} still serves`);
  } catch (error) {
    console.log(`money invariant [${spec.label}] FAILED with seed ${SEED} (replay with MONEY_SEED=${SEED})`);
    for (const v of verifiers) {
      const tail = v.stderr().split('\n').slice(-8).join('\n');
      if (tail.trim()) console.log(`--- ${v.name} stderr, last lines:\n${tail}`);
    }
    throw error;
  } finally {
    for (const v of verifiers) await v.stop();
    await store.close();
    await sandbox.sandbox.close();
    await receiver.close();
    await setup.cleanup();
  }
}

/** Every outcome line is `no_payment`, `error: …`, or `<imp_uid>: <label>, …`; `counts` counts those labels. */
function checkReport(report: ReconcileReport, what: string): void {
  const labels: Record<string, number> = {};
  for (const [merchantUid, line] of Object.entries(report.outcomes)) {
    if (line === 'no_payment' || line.startsWith('error: ')) continue;
    for (const part of line.split(', ')) {
      const match = /^imp_\d{12}: (\w+)$/.exec(part);
      assert.ok(match, `${what}: outcome of ${merchantUid} is "<imp_uid>: <label>, …": ${line}`);
      labels[match[1]!] = (labels[match[1]!] ?? 0) + 1;
    }
  }
  assert.deepEqual(report.counts, labels, `${what}: counts are the labels of the outcomes`);
  assert.equal(report.checked, Object.keys(report.outcomes).length, `${what}: one outcome per order checked`);
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The stores

function sqliteSetup(): Promise<StoreSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'money-invariant-'));
  const url = `sqlite:${join(dir, 'orders.db')}`;
  return Promise.resolve({ kind: 'sqlite', url, open: () => openStore(url), cleanup: async () => rmSync(dir, { recursive: true, force: true }) });
}

describe('SQLite: the in-process app and one verifier process on one file', () => {
  test('a seeded sequence: every payment settles one order or is refunded in full; every paid order delivered once', { timeout: 240_000 }, () =>
    runSequence({ label: 'sqlite', setup: sqliteSetup, children: 1, inProcess: true, kill: false }),
  );
  test('the same with the verifier process SIGKILLed mid-sequence and restarted, three times: deliveries at least once, the repeats counted', { timeout: 240_000 }, () =>
    runSequence({ label: 'sqlite, kill', setup: sqliteSetup, children: 1, inProcess: true, kill: { times: 3, restart: true } }),
  );
});

if (!PG_URL) {
  console.log('\n!!! PostgreSQL money invariant SKIPPED: set TEST_DATABASE_URL (eval "$(bash scripts/pg-cluster.sh)" starts a server) !!!\n');
} else {
  const pgUrl = PG_URL;
  const admin = new pg.Pool({ connectionString: pgUrl, max: 2 });
  after(() => admin.end());
  const pgSetup = (): Promise<StoreSetup> => {
    const schema = `money_${process.pid.toString(36)}_${Date.now().toString(36)}`;
    return Promise.resolve({
      kind: 'postgres',
      url: pgUrl,
      schema,
      open: () => openStore(pgUrl, { schema, poolSize: 4 }),
      cleanup: async () => void (await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)),
    });
  };
  describe('PostgreSQL: three verifier processes on one schema', () => {
    test('a seeded sequence: every payment settles one order or is refunded in full; every paid order delivered once', { timeout: 240_000 }, () =>
      runSequence({ label: 'postgres', setup: pgSetup, children: 3, inProcess: false, kill: false }),
    );
    test('the same with one process SIGKILLed mid-sequence: deliveries at least once, the repeats counted', { timeout: 240_000 }, () =>
      runSequence({ label: 'postgres, kill', setup: pgSetup, children: 3, inProcess: false, kill: { times: 1, restart: false } }),
    );
  });
}
