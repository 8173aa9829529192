/**
 * `portone-checkout/sandbox`: the PortOne sandbox, an offline stand-in for PortOne V1 (REST V1 `api.iamport.kr`,
 * iamport.js) and, on a second address, PortOne V2 (REST V2 `api.portone.io`, the browser SDK, signed webhooks), with
 * one test payment window and a control API under `/__sandbox/` on each address with its typed client. For the demo,
 * for this project's tests, and for merchants' own CI:
 *
 *   const sandbox = await startSandbox();   // sandbox.url, sandbox.sdkUrl, sandbox.credentials; sandbox.v2.url, …
 *   await sandbox.control.queueScript({ merchant_uid, action: 'decline' });
 *   await sandbox.v2.control.createPayment({ paymentId, amount: 14000 });
 */
export { createSandboxApp, type SandboxApp } from './app.js';
export { type ControlAnswer, ControlClient, type ControlMethod, SandboxControl, SandboxControlError, type SandboxControlOptions } from './client.js';
export type { CallLog, CallRecord, ConfigPatch, ControlError, Fault, FaultType, NewFault, NewScript, SandboxConfig, SandboxDescription, WebhookDelivery, WebhookLog, WindowAction, WindowScript } from './control-api.js';
export { type Credentials, DEFAULT_CREDENTIALS, DEFAULT_V2_CREDENTIALS, type V2Credentials } from './credentials.js';
export { type Sandbox, type SandboxV2, startSandbox, type StartOptions } from './start.js';
export { type SandboxOptions, SandboxState } from './state.js';
export type { NewPayment, Payment, PaymentChange, PaymentList, PaymentStatus } from './v1/index.js';
export * from './v2/index.js';
