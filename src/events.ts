/**
 * The element's events: typed details, and the global event map (so `addEventListener('payment-success', e => …)`
 * type-checks). Both bubble out of shadow roots (`composed`). Each detail says which PortOne it came from: `version`
 * `'v1'` (iamport.js: `impUid`, `merchantUid`) or `'v2'` (`store-id` set, browser-sdk.js: `paymentId`, `txId`), a
 * discriminated union, so `if (detail.version === 'v2') detail.paymentId` type-checks.
 */

/** How the payment result reached the page: the SDK's callback or promise (PC), or a landing on the redirect URL (mobile). */
export type Via = 'callback' | 'redirect';

/** What both versions' successes say. */
interface PaymentSuccessCommon {
  /** From the verify answer, never from the page (as written, in major units: `10.5` USD). */
  amount: number;
  payMethod: string;
  via: Via;
  /** The verify endpoint's JSON, as it answered. */
  verification: Record<string, unknown>;
}

/** `payment-success` of a V1 payment: the verify endpoint answered 2xx with status `paid` or `ready`. */
export interface PaymentSuccessDetailV1 extends PaymentSuccessCommon {
  version: 'v1';
  impUid: string;
  merchantUid: string;
  /** `paid`, or `ready` for an issued virtual account. */
  status: 'paid' | 'ready';
}

/** `payment-success` of a V2 payment: the verify endpoint answered 2xx with status `paid` or `virtual_account_issued`. */
export interface PaymentSuccessDetailV2 extends PaymentSuccessCommon {
  version: 'v2';
  paymentId: string;
  /** The attempt that paid: from the SDK or the landing, else the verify answer's; empty when neither said. */
  txId: string;
  /** The verify answer's currency (`KRW`, `USD` …); empty when it gave none. */
  currency: string;
  /** `paid`, or `virtual_account_issued` for an issued virtual account. */
  status: 'paid' | 'virtual_account_issued';
}

/** `payment-success`: sent only after the verify endpoint answered 2xx with a paid (or issued virtual account) status. */
export type PaymentSuccessDetail = PaymentSuccessDetailV1 | PaymentSuccessDetailV2;

/** Where a payment failed. */
export type FailureStage = 'config' | 'sdk' | 'prepare' | 'payment' | 'verify';

/** What both versions' failures say. */
interface PaymentFailureCommon {
  stage: FailureStage;
  /** Never empty: the PG's or PortOne's code, or the element's own (`invalid_attribute`, `sdk_timeout`, `network`, `http_502` …). */
  code: string;
  message: string;
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

/** `payment-failure` of a V1 payment. */
export interface PaymentFailureDetailV1 extends PaymentFailureCommon {
  version: 'v1';
  impUid?: string;
  merchantUid?: string;
}

/** `payment-failure` of a V2 payment: `code` and `message` are PortOne's at stage `payment`, with the PG's own when given. */
export interface PaymentFailureDetailV2 extends PaymentFailureCommon {
  version: 'v2';
  paymentId?: string;
  txId?: string;
  pgCode?: string;
  pgMessage?: string;
}

/** `payment-failure`: any failure at any stage. */
export type PaymentFailureDetail = PaymentFailureDetailV1 | PaymentFailureDetailV2;

declare global {
  interface GlobalEventHandlersEventMap {
    'payment-success': CustomEvent<PaymentSuccessDetail>;
    'payment-failure': CustomEvent<PaymentFailureDetail>;
  }
}
