/**
 * The npm entry: importing it defines `<portone-checkout>` (portone-checkout.ts, which the self-contained bundle
 * dist/portone-checkout.js is, Lit inside). `portone-checkout/element` is the class alone, which defines nothing.
 */
export { defineElement, PortoneCheckoutElement, TAG } from './portone-checkout.js';
export type { CheckoutState } from './portone-checkout-element.js';
export type { CheckoutItem } from './params.js';
export type { FailureStage, PaymentFailureDetail, PaymentSuccessDetail, Via } from './events.js';
