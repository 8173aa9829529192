// Shared by the sandbox's server tests: a client for its REST API and its control API (the sandbox's own client,
// sandbox/client.ts), a loopback webhook receiver, and a few assertions. Each test file starts its own sandbox on
// port 0.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import type { ControlMethod } from '../../sandbox/client.js';
import { DEFAULT_CREDENTIALS, type Sandbox, type StartOptions, startSandbox } from '../../sandbox/index.js';

export const API_KEY = DEFAULT_CREDENTIALS.apiKey;
export const API_SECRET = DEFAULT_CREDENTIALS.apiSecret;

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  /** The parsed JSON body (undefined for an empty body). */
  body: T;
}

export interface RestOptions {
  /** Sent as JSON unless `form` is set. A string is sent as is (malformed bodies). */
  body?: unknown;
  /** Send `body` as application/x-www-form-urlencoded. */
  form?: boolean;
  /** `Authorization: <token>`; use `headers` for the other forms. */
  token?: string | null;
  headers?: Record<string, string>;
  contentType?: string;
}

export class SandboxClient {
  constructor(readonly sandbox: Sandbox) {}

  get url(): string {
    return this.sandbox.url;
  }

  /** A REST V1 call. */
  async rest<T = any>(method: string, path: string, options: RestOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = options.token;
    let body: string | undefined;
    if (options.body !== undefined) {
      if (typeof options.body === 'string') body = options.body;
      else if (options.form) body = new URLSearchParams(options.body as Record<string, string>).toString();
      else body = JSON.stringify(options.body);
      headers['content-type'] ??= options.contentType ?? (options.form ? 'application/x-www-form-urlencoded' : 'application/json');
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** A control API call (`/__sandbox…`), JSON in and out, whatever its status. */
  control<T = any>(method: ControlMethod, path: string, body?: unknown): Promise<Answer<T>> {
    return this.sandbox.control.request<T>(method, path, body);
  }

  /** A control API call that must succeed; returns its body. */
  ok<T = any>(method: ControlMethod, path: string, body?: unknown): Promise<T> {
    return this.sandbox.control.call<T>(method, path, body);
  }

  /** POST /users/getToken with the right credentials; returns the `response` object. */
  async getToken(): Promise<{ access_token: string; now: number; expired_at: number }> {
    const answer = await this.rest('POST', '/users/getToken', { body: { imp_key: API_KEY, imp_secret: API_SECRET } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.response;
  }

  async token(): Promise<string> {
    return (await this.getToken()).access_token;
  }

  /** POST /__sandbox/payments; returns the Payment. */
  async createPayment(input: Record<string, unknown>): Promise<any> {
    const answer = await this.control('POST', '/payments', input);
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return answer.body;
  }

  advanceClock(seconds: number): Promise<number> {
    return this.sandbox.control.advanceClock(seconds);
  }

  reset(): Promise<void> {
    return this.sandbox.control.reset();
  }
}

export async function startTestSandbox(options: StartOptions = {}): Promise<SandboxClient> {
  return new SandboxClient(await startSandbox({ quiet: true, ...options }));
}

let counter = 0;
/** A merchant_uid no other test in the process uses (≤ 40 characters). */
export function uid(prefix = 'order'): string {
  return `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36)}-${(counter++).toString(36)}`.slice(0, 40);
}

/** Parse with `schema` and check that the raw object has exactly the schema's fields, no more, no fewer. */
export function parseExact<S extends z.ZodObject>(schema: S, raw: unknown, what = 'object'): z.output<S> {
  assert.ok(raw !== null && typeof raw === 'object', `${what} is an object`);
  assert.deepEqual(Object.keys(raw as object).sort(), Object.keys(schema.shape).sort(), `${what} has exactly PortOne's fields`);
  return schema.parse(raw);
}

/**
 * The sandbox's clock (PortOne's, in seconds) is real time plus what a test advanced it by, so between two readings
 * it moved by the advance plus the real seconds that ticked between the requests: at most a couple in a test.
 */
export function assertClockMoved(from: number, to: number, advancedS: number, what: string): void {
  const moved = to - from;
  assert.ok(moved >= advancedS && moved <= advancedS + 2, `${what}: ${moved} s, the ${advancedS} s advanced (and at most 2 real seconds)`);
}

/** Poll `check` until it returns a truthy value (every 10 ms, at most `timeoutMs`). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  /** The body decoded by its content type (JSON or form). */
  body: Record<string, string>;
  /** The HTTP status the receiver answered. */
  answered: number;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Status for the next request (default 200); called with the request's index among all received. */
  respondWith: (index: number, request: ReceivedRequest) => number;
  /** Resolves once `count` requests matching `filter` have arrived. */
  waitFor(count: number, filter?: (r: ReceivedRequest) => boolean): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1, port 0. */
export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    requests: [],
    respondWith: () => 200,
    waitFor(count, filter = () => true) {
      return waitFor(() => {
        const matching = receiver.requests.filter(filter);
        return matching.length >= count ? matching : null;
      }, `${count} webhook(s)`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const type = req.headers['content-type'] ?? '';
      const body = type.startsWith('application/json') ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
      const request: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, body, answered: 0 };
      request.answered = receiver.respondWith(receiver.requests.length, request);
      receiver.requests.push(request);
      res.writeHead(request.answered, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return receiver;
}
