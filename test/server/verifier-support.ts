// Small helpers for the verifier's settlement and input tests (on top of verifier-harness.ts): settle a
// payment through each of the three doors (verify, JSON webhook, form webhook), read an order, record the
// cancels the verifier asks PortOne for, and read what the sandbox holds.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { PortOneClient } from '../../server/portone/client.js';
import { uid } from './helpers.js';
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
