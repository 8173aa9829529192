/**
 * The JSX attributes of `<portone-checkout>`: the attribute table's (attributes.ts), plus what JSX gives every
 * element (React 17–19, Preact). types/jsx.d.ts, published as `portone-checkout/jsx`, puts them into JSX.
 */
import type { AttributeJsxTypes } from './attributes.js';
import type { PaymentFailureDetail, PaymentSuccessDetail } from './events.js';
import type { PortoneCheckoutElement } from './portone-checkout-element.js';

/** What JSX writes on any element: not the element's own attributes. */
export interface CommonJsxAttributes {
  id?: string;
  class?: string;
  className?: string;
  style?: unknown;
  slot?: string;
  hidden?: boolean;
  children?: unknown;
  key?: string | number;
  ref?: { current: PortoneCheckoutElement | null } | ((el: PortoneCheckoutElement | null) => void) | null;
  /** React 19 adds a custom element's `on<event>` as a listener. */
  'onpayment-success'?: (event: CustomEvent<PaymentSuccessDetail>) => void;
  'onpayment-failure'?: (event: CustomEvent<PaymentFailureDetail>) => void;
}

export type PortoneCheckoutJsxAttributes = AttributeJsxTypes & CommonJsxAttributes;
