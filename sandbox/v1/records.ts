/** What the sandbox keeps of each V1 payment besides the Payment object itself. */
import type { Device, ResponseShape, WindowScript } from '../control-api.js';
import type { Payment } from './payment-object.js';

export interface PaymentRecord {
  payment: Payment;
  /** The payment's own `notice_url`s; when empty the configured notification URL is used. */
  noticeUrls: string[];
  /** True once a webhook was sent for it: API cancels notify only such payments (`enable_webhook`). */
  usedWebhooks: boolean;
  /** What the payment window needs to finish the request (absent for payments made by the control API). */
  checkout?: CheckoutContext;
}

export interface CheckoutContext {
  /** `pc`: the window answers the page's callback; `mobile`: it lands on `m_redirect_url`. */
  device: Device;
  /** The page that called request_pay; its origin receives the window's postMessage. */
  pageUrl: string;
  mRedirectUrl: string | null;
  language: 'ko' | 'en';
  /** 가맹점 식별코드 given to IMP.init, shown in the window. */
  userCode: string;
  /** How the callback and the landing say whether it worked (see ResponseShape). */
  shape: ResponseShape;
  /** Set once the window reported a result: a window answers once. */
  done: boolean;
  requestId: string;
  /** request_pay's first argument, as the page gave it. */
  params: Record<string, unknown>;
  /** The window's choice: the page's own for this payment, or one queued through the control API (taken when it opens). */
  script: WindowScript | null;
}
