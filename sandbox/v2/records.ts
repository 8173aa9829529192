/** What the sandbox keeps of each V2 payment besides the Payment object itself. */
import type { Device } from '../control-api.js';
import type { V2WindowScript } from './control-api.js';
import type { V2Payment } from './payment-object.js';

export interface V2PaymentRecord {
  /** The visible attempt, as REST answers it. */
  payment: V2Payment;
  /** The request's payMethod (`CARD`, `VIRTUAL_ACCOUNT`, …): a READY payment has no `method` yet. */
  payMethod: string;
  easyPayProvider: string | null;
  /** The payment's own `noticeUrls`; when empty the configured notice URL is used. */
  noticeUrls: string[];
  /** What the payment window needs to answer the page (absent for payments made by the control API). */
  checkout?: V2CheckoutContext;
}

export interface V2CheckoutContext {
  /** `pc`: the window answers the page's promise; `mobile` (or `forceRedirect`): it lands on `redirectUrl`. */
  device: Device;
  redirect: boolean;
  pageUrl: string;
  redirectUrl: string | null;
  language: 'ko' | 'en';
  /** Set once the window reported a result: a window answers once. */
  done: boolean;
  /** The window's choice: the page's own for this payment, or one queued through the control API (taken when it opens). */
  script: V2WindowScript | null;
}
