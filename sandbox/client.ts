/**
 * The one client of the sandbox's control API (`/__sandbox/…`): typed requests and answers over `fetch`, so the
 * same code drives a sandbox from Node (tests, the bench, the demo server) and from a browser test page (the
 * control API allows any origin). No Node import here.
 *
 *   const control = new SandboxControl(sandbox.url);
 *   await control.queueScript({ merchant_uid, action: 'decline' });
 */
import type { CallLog, ConfigPatch, Fault, NewFault, NewScript, SandboxConfig, SandboxDescription, WebhookLog, WindowScript } from './control-api.js';
import type { NewPayment, PaymentChange, PaymentList } from './v1/control-api.js';
import type { Payment } from './v1/payment-object.js';

export type ControlMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** An answer whatever its status: the parsed JSON body (the text when it is not JSON; undefined when empty). */
export interface ControlAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A control call that did not succeed (not 2xx); `body` is the answer, `{status: 'error', message}` normally. */
export class SandboxControlError extends Error {
  override name = 'SandboxControlError';

  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} /__sandbox${path} → ${status} ${JSON.stringify(body)}`);
  }
}

export interface SandboxControlOptions {
  /** Give up on a call after this long (default: never). */
  timeoutMs?: number;
}

/**
 * The fetch core every control client shares (V1's `SandboxControl`, V2's `SandboxV2Control`): a call to
 * `${baseUrl}/__sandbox${path}`, JSON in and out.
 */
export class ControlClient {
  /** `baseUrl`: the sandbox's base URL for the protocol (`Sandbox.url`, `Sandbox.v2.url`), without `/__sandbox`. */
  constructor(
    readonly baseUrl: string,
    private readonly options: SandboxControlOptions = {},
  ) {}

  /**
   * Any control call, answered whatever its status (for tests of refusals). `body` goes as JSON; a string goes as
   * written (to see how the API refuses a malformed body).
   */
  async request<T = unknown>(method: ControlMethod, path: string, body?: unknown): Promise<ControlAnswer<T>> {
    const response = await fetch(`${this.baseUrl}/__sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: this.options.timeoutMs === undefined ? undefined : AbortSignal.timeout(this.options.timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parsed(text) as T };
  }

  /** Any control call that must succeed (2xx): its body, else a SandboxControlError. */
  async call<T = unknown>(method: ControlMethod, path: string, body?: unknown): Promise<T> {
    const answer = await this.request<T>(method, path, body);
    if (answer.status < 200 || answer.status > 299) throw new SandboxControlError(method, path, answer.status, answer.body);
    return answer.body;
  }
}

/**
 * The types one protocol's control API speaks in. V1's and V2's control APIs have the same endpoints with the same
 * meaning (`/config`, `/payments`, `/scripts`, `/faults`, `/clock`, `/calls`, `/webhooks`); only these differ.
 */
export interface ControlProtocol {
  description: unknown;
  config: unknown;
  configPatch: unknown;
  payment: unknown;
  newPayment: unknown;
  paymentChange: unknown;
  paymentList: unknown;
  windowScript: unknown;
  newScript: unknown;
  webhookLog: unknown;
}

/**
 * The control endpoints every protocol has, typed by `P`: each protocol's client (`SandboxControl`,
 * `SandboxV2Control`) only adds the endpoints of its own.
 */
export class ProtocolControlClient<P extends ControlProtocol> extends ControlClient {
  /** Its URLs, the list of control endpoints, and what the protocol adds (V1: the accepted key; V2: store, webhook secret). */
  describe(): Promise<P['description']> {
    return this.call('GET', '/');
  }

  /** Forget the protocol's payments, scripts, faults and logs (V1: its token, config; V2: pre-registrations, idempotency keys), drop pending webhooks, reset the clock. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  config(): Promise<P['config']> {
    return this.call('GET', '/config');
  }

  /** Change the fields given (`reset` brings back the defaults); answers the whole config. */
  configure(patch: P['configPatch']): Promise<P['config']> {
    return this.call('PUT', '/config', patch);
  }

  /** A payment made without a browser, paid unless told otherwise (V2: on a LIVE channel); PortOne notifies as it would. */
  createPayment(input: P['newPayment']): Promise<P['payment']> {
    return this.call('POST', '/payments', input);
  }

  /** The newest payments first, at most `limit` (1 to 1000, default 100). */
  payments(limit?: number): Promise<P['paymentList']> {
    return this.call('GET', limit === undefined ? '/payments' : `/payments?limit=${limit}`);
  }

  /** One payment by its id (V1: `imp_uid`; V2: `paymentId`). */
  payment(id: string): Promise<P['payment']> {
    return this.call('GET', `/payments/${encodeURIComponent(id)}`);
  }

  /** Move a payment as PortOne would: paid (a deposit into its virtual account), failed, cancelled on the console (V2: whole or part). */
  changePayment(id: string, change: P['paymentChange']): Promise<P['payment']> {
    return this.call('PATCH', `/payments/${encodeURIComponent(id)}`, change);
  }

  async scripts(): Promise<P['windowScript'][]> {
    return (await this.call<{ scripts: P['windowScript'][] }>('GET', '/scripts')).scripts;
  }

  /** A choice the next payment window for an order (V1: `merchant_uid`; V2: `paymentId`; any, when absent) makes by itself. */
  queueScript(script: P['newScript']): Promise<P['windowScript']> {
    return this.call('POST', '/scripts', script);
  }

  async clearScripts(): Promise<void> {
    await this.call('DELETE', '/scripts');
  }

  async faults(): Promise<Fault[]> {
    return (await this.call<{ faults: Fault[] }>('GET', '/faults')).faults;
  }

  /** A fault on the protocol's REST calls it matches: latency, a 5xx, a dropped connection (V1: an expired token). */
  addFault(fault: NewFault): Promise<Fault> {
    return this.call('POST', '/faults', fault);
  }

  async removeFault(id: number): Promise<void> {
    await this.call('DELETE', `/faults/${id}`);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }

  /** Move the sandbox's one clock (V1 and V2); answers its new time (UNIX seconds). */
  async advanceClock(seconds: number): Promise<number> {
    return (await this.call<{ now: number }>('POST', '/clock', { advance_seconds: seconds })).now;
  }

  /** The protocol's REST calls received: counts by route, and the newest calls whose path starts with `pathPrefix`. */
  calls(pathPrefix?: string): Promise<CallLog> {
    return this.call('GET', pathPrefix === undefined ? '/calls' : `/calls?path=${encodeURIComponent(pathPrefix)}`);
  }

  async clearCalls(): Promise<void> {
    await this.call('DELETE', '/calls');
  }

  /** The protocol's webhooks sent (each attempt; V2: with its signed headers), oldest first. */
  webhooks(): Promise<P['webhookLog']> {
    return this.call('GET', '/webhooks');
  }

  async clearWebhooks(): Promise<void> {
    await this.call('DELETE', '/webhooks');
  }
}

/** What V1's control API speaks in. */
export interface V1ControlProtocol extends ControlProtocol {
  description: SandboxDescription;
  config: SandboxConfig;
  configPatch: ConfigPatch;
  payment: Payment;
  newPayment: NewPayment;
  paymentChange: PaymentChange;
  paymentList: PaymentList;
  windowScript: WindowScript;
  newScript: NewScript;
  webhookLog: WebhookLog;
}

/** The V1 sandbox's control API (`Sandbox.control`). */
export class SandboxControl extends ProtocolControlClient<V1ControlProtocol> {
  /** Expire the current access token now (V1 alone has tokens); `expired` is false when none was issued. */
  expireToken(): Promise<{ expired: boolean }> {
    return this.call('POST', '/token/expire');
  }
}

function parsed(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
