/**
 * PortOne V1, as the sandbox plays it: the REST API at the base URL's root, the stand-in iamport.js and the checkout
 * it calls, the payment window's V1 answers, the unsigned webhooks, and the control API's V1 payments. The rest of
 * the sandbox reaches V1 only through this module.
 */
import type { Router } from '@koa/router';
import type { SandboxState } from '../state.js';
import { createCheckoutRouter } from './checkout.js';
import { controlPayments } from './control-payments.js';
import { createRestRouter } from './rest.js';
import { WebhookSender } from './webhooks.js';
import { createWindowAnswerRouter } from './window.js';

export type { NewPayment, PaymentChange, PaymentList } from './control-api.js';
export type { CancelHistoryEntry, Payment, PaymentStatus } from './payment-object.js';

export interface V1 {
  /** PortOne's REST V1 API (`/users/getToken`, `/payments/…`): the calls the call log and the faults concern. */
  rest: Router;
  /** What browsers call: the SDK, its checkout, the payment window. */
  browser: Router[];
  /** Adds `/__sandbox/payments…` to the control router. */
  control: (router: Router) => void;
  webhooks: WebhookSender;
}

export function createV1(state: SandboxState): V1 {
  const webhooks = new WebhookSender(state);
  return {
    rest: createRestRouter(state, webhooks),
    browser: [createCheckoutRouter(state), createWindowAnswerRouter(state, webhooks)],
    control: controlPayments(state, webhooks),
    webhooks,
  };
}
