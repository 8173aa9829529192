// Type tests of the published declarations (dist/*.d.ts, resolved through package.json `exports`, as an app
// would). Compiled by `npm test` after the build; every @ts-expect-error must be an error.
import { defineElement, type PaymentFailureDetail, type PaymentSuccessDetail, PortoneCheckoutElement } from 'portone-checkout';
import type {} from 'portone-checkout/jsx';

const el = document.createElement('portone-checkout');
const typed: PortoneCheckoutElement = el;
typed.amount = '14000';
typed.disabled = true;
typed.params = { display: { card_quota: [2, 3] } };
const state: 'idle' | 'loading' | 'paying' | 'verifying' | 'success' | 'failure' = typed.state;
// @ts-expect-error state is read-only
typed.state = 'success';

el.addEventListener('payment-success', (event) => {
  const detail: PaymentSuccessDetail = event.detail;
  const impUid: string = event.detail.impUid;
  const via: 'callback' | 'redirect' = detail.via;
  // @ts-expect-error amount is a number
  const wrong: string = event.detail.amount;
  void [impUid, via, wrong];
});
el.addEventListener('payment-failure', (event) => {
  const detail: PaymentFailureDetail = event.detail;
  const retryable: boolean = detail.retryable;
  // @ts-expect-error not a stage
  const stage: 'nope' = detail.stage;
  void [retryable, stage];
});

const result: Promise<PaymentSuccessDetail> = el.pay();
const ctor: CustomElementConstructor = defineElement();

const jsx: JSX.IntrinsicElements['portone-checkout'] = { merchant: 'imp12345678', amount: 14000, 'verify-url': '/payments/complete', escrow: true };
// @ts-expect-error unknown attribute
const badJsx: JSX.IntrinsicElements['portone-checkout'] = { merchant: 'imp1', amout: 1 };

void [state, result, ctor, jsx, badJsx];
