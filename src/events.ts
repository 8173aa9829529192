/**
 * The element's events: typed details, and the global event map (so `addEventListener('payment-success', e =>
 * e.detail.impUid)` type-checks). Both bubble out of shadow roots (`composed`).
 */

/** How the payment result reached the page: the SDK's callback (PC) or a landing on `m-redirect-url` (mobile). */
export type Via = 'callback' | 'redirect';

/** `payment-success`: sent only after the verify endpoint answered 2xx with status `paid` or `ready`. */
export interface PaymentSuccessDetail {
  impUid: string;
  merchantUid: string;
  /** From the verify answer, never from the page. */
  amount: number;
  /** `paid`, or `ready` for an issued virtual account. */
  status: 'paid' | 'ready';
  payMethod: string;
  via: Via;
  /** The verify endpoint's JSON, as it answered. */
  verification: Record<string, unknown>;
}

/** Where a payment failed. */
export type FailureStage = 'config' | 'sdk' | 'prepare' | 'payment' | 'verify';

/** `payment-failure`: any failure at any stage. */
export interface PaymentFailureDetail {
  stage: FailureStage;
  /** Never empty: the PG's `error_code`, or the element's own (`invalid_attribute`, `sdk_timeout`, `network`, `http_502` …). */
  code: string;
  message: string;
  impUid?: string;
  merchantUid?: string;
  /** True where trying again can succeed (network, 5xx, SDK load). */
  retryable: boolean;
  /**
   * True when the buyer closed or cancelled the payment window (stage `payment`, as the SDK or the landing reports
   * it), so a page can ignore it silently; false for every other failure.
   */
  cancelled: boolean;
  via?: Via;
  /** Stage `verify`, when the endpoint answered: its JSON (`{status: 'forgery', message}` …), so a page can tell a forgery from a mismatch. */
  verification?: Record<string, unknown>;
  /** Stage `prepare`, code `price_changed`: the server's price (what the page should show before the buyer tries again). */
  amount?: number;
  /** Stage `prepare`, code `price_changed`: the currency of the server's price. */
  currency?: string;
}

declare global {
  interface GlobalEventHandlersEventMap {
    'payment-success': CustomEvent<PaymentSuccessDetail>;
    'payment-failure': CustomEvent<PaymentFailureDetail>;
  }
}
