// Type tests of the published declarations (dist/*.d.ts, resolved through package.json `exports`, as an app
// would). Compiled by `npm test` after the build; every @ts-expect-error must be an error.
import { type CheckoutItem, defineElement, type PaymentFailureDetail, type PaymentSuccessDetail, PortoneCheckoutElement } from 'portone-checkout';
import type {} from 'portone-checkout/jsx';

const el = document.createElement('portone-checkout');
const typed: PortoneCheckoutElement = el;
typed.amount = '14000';
typed.disabled = true;
typed.params = { display: { card_quota: [2, 3] } };
const line: CheckoutItem = { id: 'chair-01', quantity: 2 };
typed.items = JSON.stringify([line]);
const items: string | null = typed.items;
const state: 'idle' | 'loading' | 'paying' | 'verifying' | 'success' | 'failure' = typed.state;
// @ts-expect-error state is read-only
typed.state = 'success';

el.addEventListener('payment-success', (event) => {
  const detail: PaymentSuccessDetail = event.detail;
  // A union on `version`: V1's ids, or V2's.
  // @ts-expect-error impUid is V1's: narrow on version first
  const unnarrowed: string = event.detail.impUid;
  const impUid: string = detail.version === 'v1' ? detail.impUid : detail.paymentId;
  const via: 'callback' | 'redirect' = detail.via;
  // @ts-expect-error amount is a number
  const wrong: string = event.detail.amount;
  void [impUid, via, wrong, unnarrowed];
});
el.addEventListener('payment-failure', (event) => {
  const detail: PaymentFailureDetail = event.detail;
  const retryable: boolean = detail.retryable;
  // @ts-expect-error not a stage
  const stage: 'nope' = detail.stage;
  // Stage prepare, code price_changed: the server's price.
  const price: number | undefined = detail.amount;
  const currency: string | undefined = detail.currency;
  // @ts-expect-error the server's amount is a number
  const priceText: string | undefined = detail.amount;
  void [retryable, stage, price, currency, priceText];
});

const result: Promise<PaymentSuccessDetail> = el.pay();
const ctor: CustomElementConstructor = defineElement();

const v2Jsx: JSX.IntrinsicElements['portone-checkout'] = { 'store-id': 'store-1', 'channel-key': 'channel-key-1', 'payment-id': 'order1', 'easy-pay-provider': 'KAKAOPAY', 'redirect-url': '/done', 'channel-group-id': 'g' };
const jsx: JSX.IntrinsicElements['portone-checkout'] = { merchant: 'imp12345678', amount: 14000, 'verify-url': '/payments/complete', escrow: true, items: '[{"id":"chair-01","quantity":2}]' };
// @ts-expect-error items is JSON text in JSX (React 18 would write an array as "[object Object]")
const arrayJsx: JSX.IntrinsicElements['portone-checkout'] = { merchant: 'imp1', items: [line] };
// @ts-expect-error unknown attribute
const badJsx: JSX.IntrinsicElements['portone-checkout'] = { merchant: 'imp1', amout: 1 };

void [state, items, result, ctor, v2Jsx, jsx, arrayJsx, badJsx];
