/**
 * JSX types for `<portone-checkout>` in React (17–19) and Preact-compatible setups:
 * `import type {} from 'portone-checkout/jsx';` once in the app, then
 * `<portone-checkout merchant="imp12345678" amount="14000" />` type-checks. Events are added with
 * `ref.current.addEventListener('payment-success', …)` (typed by the global event map) or React 19's `onpayment-success`.
 * The attributes and their types come from the element's attribute table (src/attributes.ts, via src/jsx-attributes.ts).
 */
import type { PortoneCheckoutJsxAttributes } from './jsx-attributes.js';

export type { PortoneCheckoutJsxAttributes };

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
