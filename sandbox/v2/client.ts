/**
 * The client of the V2 control API (`{v2 url}/__sandbox/…`), on the fetch core V1's client uses (../client.ts), so it
 * runs in Node and in browsers. No Node import here.
 *
 *   const sandbox = await startSandbox();
 *   await sandbox.v2.control.createPayment({ paymentId, amount: 14000 });   // PAID, LIVE channel
 */
import { ControlClient } from '../client.js';
import type { CallLog, Fault, NewFault } from '../control-api.js';
import type { NewV2Payment, NewV2Script, PreRegistration, V2Config, V2ConfigPatch, V2PaymentChange, V2PaymentList, V2SandboxDescription, V2WebhookLog, V2WindowScript } from './control-api.js';
import type { V2Payment } from './payment-object.js';

export class SandboxV2Control extends ControlClient {
  /** Its URLs, store, webhook secret and the list of control endpoints. */
  describe(): Promise<V2SandboxDescription> {
    return this.call('GET', '/');
  }

  /** Forget every V2 payment, pre-registration, idempotency key, script, fault and log, drop pending webhooks, reset the clock. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  config(): Promise<V2Config> {
    return this.call('GET', '/config');
  }

  configure(patch: V2ConfigPatch): Promise<V2Config> {
    return this.call('PUT', '/config', patch);
  }

  /** A payment made without a browser: PAID on a LIVE channel unless told otherwise; PortOne's webhook follows. */
  createPayment(input: NewV2Payment): Promise<V2Payment> {
    return this.call('POST', '/payments', input);
  }

  /** The newest payments first, at most `limit` (1 to 1000, default 100). */
  payments(limit?: number): Promise<V2PaymentList> {
    return this.call('GET', limit === undefined ? '/payments' : `/payments?limit=${limit}`);
  }

  payment(paymentId: string): Promise<V2Payment> {
    return this.call('GET', `/payments/${encodeURIComponent(paymentId)}`);
  }

  /** Move a payment as PortOne would: paid, failed (an expired virtual account), cancelled on the console (whole or part). */
  changePayment(paymentId: string, change: V2PaymentChange): Promise<V2Payment> {
    return this.call('PATCH', `/payments/${encodeURIComponent(paymentId)}`, change);
  }

  /** The buyer deposits into the issued virtual account: VIRTUAL_ACCOUNT_ISSUED → PAID (+ Transaction.Paid). */
  deposit(paymentId: string): Promise<V2Payment> {
    return this.call('POST', `/payments/${encodeURIComponent(paymentId)}/deposit`);
  }

  /** What `POST /payments/{paymentId}/pre-register` recorded. */
  preRegistration(paymentId: string): Promise<PreRegistration> {
    return this.call('GET', `/pre-registrations/${encodeURIComponent(paymentId)}`);
  }

  async scripts(): Promise<V2WindowScript[]> {
    return (await this.call<{ scripts: V2WindowScript[] }>('GET', '/scripts')).scripts;
  }

  /** A choice the next V2 payment window for `paymentId` (any, when absent) makes by itself. */
  queueScript(script: NewV2Script): Promise<V2WindowScript> {
    return this.call('POST', '/scripts', script);
  }

  async clearScripts(): Promise<void> {
    await this.call('DELETE', '/scripts');
  }

  async faults(): Promise<Fault[]> {
    return (await this.call<{ faults: Fault[] }>('GET', '/faults')).faults;
  }

  /** A fault on the V2 REST calls it matches: latency, a 5xx, a dropped connection. */
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

  /** The V2 REST calls received: counts by route, and the newest calls whose path starts with `pathPrefix`. */
  calls(pathPrefix?: string): Promise<CallLog> {
    return this.call('GET', pathPrefix === undefined ? '/calls' : `/calls?path=${encodeURIComponent(pathPrefix)}`);
  }

  async clearCalls(): Promise<void> {
    await this.call('DELETE', '/calls');
  }

  /** The V2 webhooks sent (each attempt, with its signed headers), oldest first. */
  webhooks(): Promise<V2WebhookLog> {
    return this.call('GET', '/webhooks');
  }

  async clearWebhooks(): Promise<void> {
    await this.call('DELETE', '/webhooks');
  }
}
