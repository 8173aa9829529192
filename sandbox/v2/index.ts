/**
 * PortOne V2, as the sandbox plays it on its second address: REST V2 at the root, signed webhooks, the stand-in browser
 * SDK and its checkout, the payment window's V2 answers, and the V2 control API. The rest of the sandbox reaches V2
 * only through this module.
 */
export { createV2App, type V2App } from './app.js';
export { SandboxV2Control } from './client.js';
export type {
  NewV2Payment,
  NewV2Script,
  PreRegistration,
  V2Config,
  V2ConfigPatch,
  V2PaymentChange,
  V2PaymentList,
  V2PayMethod,
  V2SandboxDescription,
  V2WebhookBody,
  V2WebhookDelivery,
  V2WebhookLog,
  V2WindowAction,
  V2WindowScript,
} from './control-api.js';
export type { ChannelType, V2Cancellation, V2Customer, V2Payment, V2PaymentAmount, V2PaymentMethod, V2PaymentStatus, V2SelectedChannel } from './payment-object.js';
export type { V2Options } from './state.js';
export { signV2Webhook, type V2WebhookType } from './webhooks.js';
