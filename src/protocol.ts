/**
 * What differs between PortOne V1 (iamport.js, v1.ts) and V2 (browser-sdk.js, v2.ts, a chunk imported only by an
 * element with `store-id`): the element's flow (portone-checkout-element.ts) is one, and asks its version's
 * protocol at each step. Types only: the V2 chunk imports nothing from the main bundle, so that it never loads a
 * second copy of it (a page may import the bundle under another URL than the chunk's `./portone-checkout.js`).
 */
import type { PrepareBody, Prepared } from './merchant-endpoints.js';
import type { AttributeReader, CheckoutConfig } from './params.js';
import type { SdkGlobal, Sdks } from './sdk.js';

/** An SDK answer or a landing, read: the ids it carries (detail keys), and for a failure its code and message. */
export interface Answer {
  code?: string;
  message?: string;
  cancelled?: boolean;
  [key: string]: unknown;
}

/** A checked config, with what prepare-url is told (amount as written, the currency upper case, the order name; V2 adds `version`). */
export interface Checkout extends CheckoutConfig {
  order: PrepareBody;
}

/** prepare-url's answer cannot be paid (V2: not a whole number of the currency's minor unit). */
export interface PrepareRefusal {
  stage: 'prepare';
  code: 'invalid_answer';
  message: string;
  retryable: false;
}

export interface Protocol<G extends SdkGlobal = SdkGlobal> {
  version: 'v1' | 'v2';
  /** The SDK's global (`IMP`, `PortOne`). */
  global: G;
  /** The order id's name in the request, in prepare's answer and in the landing (`merchant_uid`, `paymentId`). */
  id: string;
  /** The order id's name in the details (`merchantUid`, `paymentId`). */
  key: string;
  /** The request field of the redirect URL (`m_redirect_url`, `redirectUrl`). */
  redirect: string;
  /** V2's default SDK URL (browser-sdk.js), in its part, not the bundle; none in V1 (parseCheckout's default). */
  sdk?: string;
  /** What the verify endpoint answers for a success. */
  paid: string[];
  /**
   * parseCheckout's checked config (V1: `params` merged; V2: without them) → this version's, or the message that
   * names the bad attribute. `extra`: the `params` property.
   */
  parse(base: CheckoutConfig, get: AttributeReader, extra?: Record<string, unknown> | null): Checkout | string;
  /** Pay what prepare-url answered; the stage `prepare` failure when the answer cannot be paid. */
  prepared(request: Record<string, unknown>, answer: Prepared): PrepareRefusal | void;
  /** Open the payment window: the SDK's answer, or undefined when the page is being redirected. `opened` runs right after the SDK is called. */
  pay(sdk: Sdks[G], config: Checkout, opened: () => void): Promise<Record<string, unknown> | undefined>;
  /** The answer's fields (SDK or landing) read. */
  read(fields: Record<string, unknown>): Answer;
  /** The verify body, or undefined when the answer lacks the ids it needs. */
  verifyBody(answer: Answer): Record<string, unknown> | undefined;
  /** Completes a success detail from the verify answer. */
  succeeded?(detail: Record<string, unknown>, verification: Record<string, unknown>): void;
}
