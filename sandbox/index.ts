/**
 * `portone-checkout/sandbox`: the PortOne V1 sandbox, an offline stand-in for the REST V1 API (`api.iamport.kr`) and
 * for iamport.js, with a test payment window, webhooks, and a control API under `/__sandbox/` with its typed client.
 * For the demo, for this project's tests, and for merchants' own CI:
 *
 *   const sandbox = await startSandbox();   // sandbox.url, sandbox.sdkUrl, sandbox.credentials
 *   await sandbox.control.queueScript({ merchant_uid, action: 'decline' });
 */
export { createSandboxApp, type SandboxApp } from './app.js';
export { type ControlAnswer, type ControlMethod, SandboxControl, SandboxControlError, type SandboxControlOptions } from './client.js';
export type { CallLog, CallRecord, ConfigPatch, ControlError, Fault, FaultType, NewFault, NewScript, SandboxConfig, SandboxDescription, WebhookDelivery, WebhookLog, WindowAction, WindowScript } from './control-api.js';
export { type Credentials, DEFAULT_CREDENTIALS } from './credentials.js';
export { type Sandbox, startSandbox, type StartOptions } from './start.js';
export { type SandboxOptions, SandboxState } from './state.js';
export type { NewPayment, Payment, PaymentChange, PaymentList, PaymentStatus } from './v1/index.js';
