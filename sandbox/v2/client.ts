/**
 * The client of the V2 control API (`{v2 url}/__sandbox/…`), on the control endpoints and fetch core V1's client shares (../client.ts), so it
 * runs in Node and in browsers. No Node import here.
 *
 *   const sandbox = await startSandbox();
 *   await sandbox.v2.control.createPayment({ paymentId, amount: 14000 });   // PAID, LIVE channel
 */
import { type ControlProtocol, ProtocolControlClient } from '../client.js';
import type { NewV2Payment, NewV2Script, PreRegistration, V2Config, V2ConfigPatch, V2PaymentChange, V2PaymentList, V2SandboxDescription, V2WebhookLog, V2WindowScript } from './control-api.js';
import type { V2Payment } from './payment-object.js';

/** What V2's control API speaks in. */
export interface V2ControlProtocol extends ControlProtocol {
  description: V2SandboxDescription;
  config: V2Config;
  configPatch: V2ConfigPatch;
  payment: V2Payment;
  newPayment: NewV2Payment;
  paymentChange: V2PaymentChange;
  paymentList: V2PaymentList;
  windowScript: V2WindowScript;
  newScript: NewV2Script;
  webhookLog: V2WebhookLog;
}

/** The V2 sandbox's control API (`Sandbox.v2.control`). */
export class SandboxV2Control extends ProtocolControlClient<V2ControlProtocol> {
  /** The buyer deposits into the issued virtual account: VIRTUAL_ACCOUNT_ISSUED → PAID (+ Transaction.Paid). */
  deposit(paymentId: string): Promise<V2Payment> {
    return this.call('POST', `/payments/${encodeURIComponent(paymentId)}/deposit`);
  }

  /** What `POST /payments/{paymentId}/pre-register` recorded. */
  preRegistration(paymentId: string): Promise<PreRegistration> {
    return this.call('GET', `/pre-registrations/${encodeURIComponent(paymentId)}`);
  }
}
