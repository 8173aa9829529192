/**
 * JSX types for `<portone-checkout>` in React (17–19) and Preact-compatible setups:
 * `import type {} from 'portone-checkout/jsx';` once in the app, then
 * `<portone-checkout merchant="imp12345678" amount="14000" />` type-checks. Events are added with
 * `ref.current.addEventListener('payment-success', …)` (typed by the global event map) or React 19's `onpayment-success`.
 */
import type { PaymentFailureDetail, PaymentSuccessDetail, PortoneCheckoutElement } from './index.js';

type Attributes = {
  merchant?: string;
  pg?: string;
  'channel-key'?: string;
  amount?: string | number;
  name?: string;
  'merchant-uid'?: string;
  'pay-method'?: string;
  'verify-url'?: string;
  'prepare-url'?: string;
  /** JSON text, `[{"id":"chair-01","quantity":2}]`: sent only to `prepare-url`. */
  items?: string;
  'm-redirect-url'?: string;
  'sdk-src'?: string;
  lang?: string;
  disabled?: boolean;
  currency?: string;
  language?: string;
  'tax-free'?: string | number;
  'vat-amount'?: string | number;
  'buyer-name'?: string;
  'buyer-tel'?: string;
  'buyer-email'?: string;
  'buyer-addr'?: string;
  'buyer-postcode'?: string;
  'notice-url'?: string;
  'confirm-url'?: string;
  'customer-uid'?: string;
  'vbank-due'?: string;
  'app-scheme'?: string;
  'biz-num'?: string;
  escrow?: boolean;
  digital?: boolean;
  popup?: boolean;
  'card-quota'?: string;
  'custom-data'?: string;
  id?: string;
  class?: string;
  className?: string;
  style?: unknown;
  slot?: string;
  hidden?: boolean;
  children?: unknown;
  key?: string | number;
  ref?: unknown;
  'onpayment-success'?: (event: CustomEvent<PaymentSuccessDetail>) => void;
  'onpayment-failure'?: (event: CustomEvent<PaymentFailureDetail>) => void;
};

export type PortoneCheckoutJsxAttributes = Attributes & { ref?: { current: PortoneCheckoutElement | null } | ((el: PortoneCheckoutElement | null) => void) | null };

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'portone-checkout': PortoneCheckoutJsxAttributes;
    }
  }
}

declare global {
  namespace JSX {
    interface IntrinsicElements {
      'portone-checkout': PortoneCheckoutJsxAttributes;
    }
  }
}
