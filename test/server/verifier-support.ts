// Small helpers for the verifier's settlement and input tests (on top of verifier-harness.ts): settle a
// payment through each of the three doors (verify, JSON webhook, form webhook), read an order, record the
// cancels the verifier asks PortOne for, read what the sandbox holds, and check SPEC §4's money rule from the
// outside (every payment the server saw is the one that settles its order, or refunded in full).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { sameAmount, subtractAmounts } from '../../lib/money.js';
import { type PortOneClient, PortOneRefused } from '../../server/portone/client.js';
import type { PortOnePayment } from '../../server/portone/schemas.js';
import type { Disposition } from '../../server/store/types.js';
import { uid, waitFor } from './helpers.js';
import type { VerifierHarness } from './verifier-harness.js';

/** The three ways a payment reaches settlement: the browser's verify call and PortOne's webhook (JSON or form). */
export const CHANNELS = ['complete', 'webhook-json', 'webhook-form'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The `via` a channel leaves in the order's history. */
export const viaOf = (channel: Channel): 'complete' | 'webhook' => (channel === 'complete' ? 'complete' : 'webhook');

export interface Reply {
  status: number;
  body: any;
}

/** POST a form body (application/x-www-form-urlencoded). */
export function postForm(v: VerifierHarness, path: string, fields: Record<string, string>): Promise<Reply> {
  return v.post(path, new URLSearchParams(fields).toString(), { raw: true, contentType: 'application/x-www-form-urlencoded' });
}

/** A PortOne notification as the webhook receives it, JSON or form. */
export function webhook(v: VerifierHarness, body: Record<string, string>, form = false): Promise<Reply> {
  return form ? postForm(v, '/portone/webhook', body) : v.post('/portone/webhook', body);
}

/**
 * Settle `imp_uid` through `channel`. The webhook body carries `said` as its status (PortOne's claim, which
 * the verifier must not trust) and `bodyMerchantUid` (default: the requested one).
 */
export function settleVia(v: VerifierHarness, channel: Channel, imp_uid: string, merchant_uid: string, said = 'paid'): Promise<Reply> {
  if (channel === 'complete') return v.post('/payments/complete', { imp_uid, merchant_uid });
  return webhook(v, { imp_uid, merchant_uid, status: said }, channel === 'webhook-form');
}

/** GET /payments/:merchant_uid, asserting 200. */
export async function orderOf(v: VerifierHarness, merchant_uid: string): Promise<any> {
  const answer = await v.get(`/payments/${encodeURIComponent(merchant_uid)}`);
  assert.equal(answer.status, 200, `GET /payments/${merchant_uid} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** `state/via` of each history entry, oldest first. */
export const trail = (order: { history: Array<{ state: string; via: string }> }) => order.history.map((h) => `${h.state}/${h.via}`);

/** A prepared order (POST /payments/prepare must answer 201). */
export async function preparedOrder(v: VerifierHarness, amount = 1000, currency = 'KRW', name = '테스트 상품'): Promise<string> {
  const merchant_uid = uid('settle');
  const answer = await v.prepare({ merchant_uid, amount, currency, name });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return merchant_uid;
}

/** The payment as the sandbox holds it now (control API, no token). */
export async function sandboxPayment(v: VerifierHarness, imp_uid: string): Promise<any> {
  return v.sandbox.ok('GET', `/payments/${imp_uid}`);
}

export interface CancelSpy {
  requests: Array<Parameters<PortOneClient['cancel']>[0]>;
  restore(): void;
}

/**
 * Record every cancel the verifier sends PortOne (the harness's client is the app's client). `before` runs
 * before the cancel goes out, `after` once PortOne answered it and before the verifier goes on: windows for races.
 */
export function spyCancel(v: VerifierHarness, hooks: { before?: () => Promise<unknown>; after?: () => Promise<unknown> } = {}): CancelSpy {
  const original = v.portone.cancel;
  const spy: CancelSpy = {
    requests: [],
    restore: () => {
      v.portone.cancel = original;
    },
  };
  v.portone.cancel = async (request) => {
    spy.requests.push(structuredClone(request));
    if (hooks.before) await hooks.before();
    const result = await original.call(v.portone, request);
    if (hooks.after) await hooks.after();
    return result;
  };
  return spy;
}

/** Add a sandbox fault; returns a function that removes it. */
export async function addFault(v: VerifierHarness, fault: Record<string, unknown>): Promise<() => Promise<void>> {
  const { id } = await v.sandbox.ok<{ id: number }>('POST', '/faults', fault);
  return async () => {
    await v.sandbox.ok('DELETE', `/faults/${id}`);
  };
}

/** An answer that is a JSON error the client can act on: `{status: 'error', message}` naming `field`, no stack. */
export function assertBadRequest(answer: Reply, field: string, what: string): void {
  assert.equal(answer.status, 400, `${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  assert.equal(typeof answer.body, 'object', `${what}: a JSON body, got ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.status, 'error', `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(typeof answer.body.message, 'string', `${what}: message`);
  assert.ok(answer.body.message.includes(field), `${what}: the message names ${field}: ${JSON.stringify(answer.body.message)}`);
  assertNoStack(answer, what);
}

export function assertNoStack(answer: Reply, what: string): void {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  assert.doesNotMatch(text, /\n\s+at |\\n\s+at |node_modules|\.ts:\d+/, `${what}: no stack trace in the body`);
}

/** Two callers each wait here until both arrived (or `timeoutMs` passed): forces an interleaving. */
export function barrier(parties: number, timeoutMs = 2000): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return async () => {
    if (++arrived >= parties) release();
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  };
}

/**
 * One HTTP request with exactly these headers (fetch adds a content type to a string body; this does not).
 * `chunks` sends the body in pieces with chunked transfer encoding, without a content-length.
 */
export function rawRequest(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; chunks?: Array<string | Buffer> }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const target = new URL(options.path, url);
    // A connection of its own: a server that answered before reading a huge body need not keep that connection usable.
    const request = httpRequest(target, { method: options.method ?? 'POST', headers: options.headers ?? {}, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    // The server may answer (and stop reading) before a huge body is sent: that is its right, not a failure.
    request.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') reject(error);
    });
    if (options.chunks) {
      for (const chunk of options.chunks) request.write(chunk);
      request.end();
    } else request.end(options.body);
  });
}

/** Every payment the sandbox holds for `merchant_uid`, oldest first. */
export async function sandboxPaymentsOf(v: VerifierHarness, merchant_uid: string): Promise<any[]> {
  // PortOne's own list of an order's payments (REST findAll, 20 a page), read with a token of its own.
  const token = await v.sandbox.token();
  const payments: any[] = [];
  for (let page = 1; page > 0; ) {
    const answer = await v.sandbox.rest('GET', `/payments/findAll/${encodeURIComponent(merchant_uid)}?page=${page}&sorting=started`, { token });
    if (answer.status === 404) break;
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    payments.push(...answer.body.response.list);
    page = answer.body.response.next;
  }
  return payments;
}

/** `{ imp_uid: disposition }` of the order's `payments` (GET /payments/:merchant_uid). */
export const dispositionsOf = (order: { payments: Array<{ imp_uid: string; disposition: string }> }): Record<string, string> =>
  Object.fromEntries(order.payments.map((p) => [p.imp_uid, p.disposition]));

/** The payment holds the buyer's money at PortOne: paid (or an issued virtual account) with a balance left. */
export function holdsMoney(p: { status: string; pay_method: string; vbank_issued_at: number; amount: number; cancel_amount: number }): boolean {
  const live = p.status === 'paid' || (p.status === 'ready' && p.pay_method === 'vbank' && p.vbank_issued_at > 0);
  return live && subtractAmounts(p.amount, p.cancel_amount) > 0;
}

/**
 * SPEC §4 *Money*, read from the outside only (the order view and the sandbox's own record of each payment):
 * every payment the server has seen for the order (its `payments`) is either **the** payment that settles it
 * (`settled`, named by the order, whole at PortOne, the order `paid` or `vbank_issued`), or cancelled in full at
 * PortOne with a `refunded_*` disposition, or one that holds no money (`not_paid`). No refund is left pending, and
 * no payment of the order that holds money at PortOne is anything but the settling one. With `expected`, the
 * order's `payments` are exactly these dispositions.
 */
export async function assertMoneyKept(v: VerifierHarness, merchant_uid: string, expected?: Record<string, Disposition>): Promise<void> {
  const order = await orderOf(v, merchant_uid);
  const what = `${merchant_uid} (${order.state}, ${JSON.stringify(dispositionsOf(order))})`;
  if (expected) assert.deepEqual(dispositionsOf(order), expected, `the payments of ${what}`);
  const atPortOne = new Map((await sandboxPaymentsOf(v, merchant_uid)).map((p) => [p.imp_uid as string, p]));
  const settled = order.payments.filter((p: { disposition: string }) => p.disposition === 'settled');
  assert.ok(settled.length <= 1, `at most one payment settles ${what}`);
  for (const entry of order.payments as Array<{ imp_uid: string; disposition: string; amount: number }>) {
    const payment = atPortOne.get(entry.imp_uid);
    assert.ok(payment, `PortOne holds ${entry.imp_uid} of ${what}`);
    const at = `${entry.imp_uid} (${entry.disposition}; at PortOne ${payment.status}, ${payment.amount} with ${payment.cancel_amount} cancelled)`;
    switch (entry.disposition) {
      case 'settled':
        assert.equal(order.imp_uid, entry.imp_uid, `${at}: the settling payment is the one the order names: ${what}`);
        if (order.state === 'paid' || order.state === 'vbank_issued') {
          assert.ok(holdsMoney(payment) && sameAmount(payment.cancel_amount, 0), `${at}: whole at PortOne`);
          assert.ok(sameAmount(payment.amount, order.amount) && payment.currency === order.currency, `${at}: the order's price`);
        } else {
          // The merchant cancelled it on PortOne's console (order cancelled), or its account expired (order failed).
          assert.ok(!holdsMoney(payment), `${at}: a ${order.state} order keeps no money`);
        }
        break;
      case 'refunded_forgery':
      case 'refunded_duplicate':
      case 'refunded_closed':
        assert.equal(payment.status, 'cancelled', `${at}: cancelled at PortOne`);
        assert.ok(sameAmount(payment.cancel_amount, payment.amount), `${at}: cancelled in full`);
        break;
      case 'not_paid':
        assert.ok(!holdsMoney(payment), `${at}: holds no money`);
        break;
      default:
        assert.fail(`${at}: the money rule is not reached yet (${entry.disposition})`);
    }
  }
  for (const payment of atPortOne.values()) {
    if (!order.payments.some((p: { imp_uid: string }) => p.imp_uid === payment.imp_uid)) continue; // never seen by the server (reconcile's job)
    if (holdsMoney(payment)) assert.equal(order.imp_uid, payment.imp_uid, `${payment.imp_uid} holds money, so it settles ${what}`);
  }
}

/** Wait until the order's fulfilment is done (the webhook delivers in the background), then check it ran once. */
export async function assertFulfilledOnce(v: VerifierHarness, merchant_uid: string): Promise<void> {
  await waitFor(async () => (await orderOf(v, merchant_uid)).fulfilment.state === 'done', `the fulfilment of ${merchant_uid}`);
  // A second delivery would come within a poll or two.
  await new Promise((resolve) => setTimeout(resolve, 120));
  const order = await orderOf(v, merchant_uid);
  assert.deepEqual([order.fulfilment.state, order.fulfilment.attempts], ['done', 1], `${merchant_uid}: ${JSON.stringify(order.fulfilment)}`);
  assert.equal(v.fulfilled.filter((f) => f.order.merchant_uid === merchant_uid).length, 1, `the hook ran once for ${merchant_uid}`);
}

export interface ExoticPortOne {
  /** The cancels the verifier sent for the payment (checksums as sent). */
  cancels: number[];
  restore(): void;
}

/**
 * PortOne answering amounts the sandbox cannot hold (seven decimals, 1e21 and beyond) for one payment: the real
 * sandbox payment, with `amount` shown as `amount` (and `cancel_amount` as given while it is not cancelled). A
 * cancel must carry exactly the balance so shown as `checksum` (else it is refused, as PortOne refuses a stale
 * checksum); it then cancels the sandbox payment, whose cancel PortOne shows as the whole amount.
 */
export function exoticAmounts(v: VerifierHarness, imp_uid: string, shown: { amount: number; cancel_amount?: number }): ExoticPortOne {
  const { getPayment, cancel } = v.portone;
  const portone = v.portone;
  const view = (p: PortOnePayment): PortOnePayment =>
    p.status === 'cancelled' ? { ...p, amount: shown.amount, cancel_amount: shown.amount } : { ...p, amount: shown.amount, cancel_amount: shown.cancel_amount ?? 0 };
  const exotic: ExoticPortOne = {
    cancels: [],
    restore: () => {
      portone.getPayment = getPayment;
      portone.cancel = cancel;
    },
  };
  portone.getPayment = async (id, options) => {
    const payment = await getPayment.call(portone, id, options);
    return payment && id === imp_uid ? view(payment) : payment;
  };
  portone.cancel = async (request, options) => {
    if (request.imp_uid !== imp_uid) return cancel.call(portone, request, options);
    exotic.cancels.push(request.checksum);
    const real = (await getPayment.call(portone, imp_uid, options))!;
    const balance = subtractAmounts(shown.amount, real.status === 'cancelled' ? shown.amount : shown.cancel_amount ?? 0);
    if (real.status === 'cancelled') throw new PortOneRefused('PortOne refused (HTTP 200, code 1): 이미 전액취소된 주문입니다.', 200, 1);
    if (!sameAmount(request.checksum, balance)) throw new PortOneRefused(`PortOne refused (HTTP 200, code 1): checksum(${request.checksum}) ≠ ${balance}`, 200, 1);
    return view(await cancel.call(portone, { imp_uid, checksum: subtractAmounts(real.amount, real.cancel_amount), reason: request.reason }, options));
  };
  return exotic;
}
