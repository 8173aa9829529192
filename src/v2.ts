/**
 * PortOne V2 (browser-sdk.js, `store-id`) for the element's flow: `PortOne.requestPayment`, verified by
 * `{ paymentId, txId? }`. The entry of the lazily imported chunk dist/portone-checkout-v2.js: only a page with a
 * V2 element downloads it, and it imports nothing from the main bundle (types only).
 */
import { currencyDigits, minorUnits } from './minor-units.js';
import type { Protocol } from './protocol.js';
import { readPaymentAnswer } from './v2-answer.js';
import { toPaymentRequest } from './v2-request.js';

export const V2: Protocol<'PortOne'> = {
  version: 'v2',
  global: 'PortOne',
  id: 'paymentId',
  key: 'paymentId',
  redirect: 'redirectUrl',
  sdk: 'https://cdn.portone.io/v2/browser-sdk.js',
  paid: ['paid', 'virtual_account_issued'],
  parse: toPaymentRequest,
  prepared(request, { paymentId, amount, currency = request.currency as string }) {
    const totalAmount = minorUnits(amount, currencyDigits(currency) ?? NaN);
    if (totalAmount == null) {
      return { stage: 'prepare', code: 'invalid_answer', message: `prepare-url answered ${amount} ${currency}: not a whole number of ${currency}'s minor unit.`, retryable: false };
    }
    Object.assign(request, { paymentId, totalAmount, currency });
  },
  pay(PortOne, { request }, opened) {
    // Called now, inside the click; a throw or a rejection is PortOne's failure to pay, not the verifier's.
    const answer = new Promise<Record<string, unknown> | undefined>((resolve) => resolve(PortOne.requestPayment(request)));
    opened();
    return answer.then(
      (r) => (r === undefined ? r : typeof r === 'object' && r ? r : {}),
      (error) => ({ code: error?.code || 'payment_failed', message: String(error?.message ?? error) }),
    );
  },
  read: readPaymentAnswer,
  verifyBody: ({ paymentId, txId }) => (paymentId ? { paymentId, txId } : undefined),
  succeeded(detail, { txId, currency }) {
    // A landing may carry no txId: the verify answer names the attempt that paid.
    detail.txId ??= typeof txId === 'string' ? txId : '';
    detail.currency = typeof currency === 'string' ? currency : '';
  },
};
