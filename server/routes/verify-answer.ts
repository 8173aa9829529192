/**
 * The verify endpoint's answer for each settle outcome (SPEC §5 for V1, §8.2 for V2): one table for both protocols,
 * since the outcomes mean the same; the protocols differ only in what `AnswerFields` names.
 */
import { errorBody } from '../errors.js';
import type { PaymentView } from '../portone/gateway.js';
import type { SettleOutcome } from '../settle.js';

export interface VerifyAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** What one protocol's answers say differently. */
export interface AnswerFields {
  /** The payment in the protocol's own field names (V1: imp_uid, pay_method…; V2: paymentId, payMethod…). */
  payment(view: PaymentView): Record<string, unknown>;
  /** The issued virtual account in the protocol's own field names. */
  account(view: PaymentView): Record<string, unknown>;
  /** The `status` answered for an issued virtual account (V1: `ready`; V2: `virtual_account_issued`). */
  accountIssuedStatus: string;
  /** V2: a partly cancelled payment that did not settle the order is SPEC's 402 PARTIAL_CANCELLED (its rest is refunded), not a 409. */
  partialCancelIsNotPaid: boolean;
}

export function verifyAnswerFor(fields: AnswerFields, outcome: SettleOutcome): VerifyAnswer {
  switch (outcome.kind) {
    case 'paid':
      return { status: 200, body: { status: 'paid', ...fields.payment(outcome.payment) } };
    case 'vbank_issued':
      return { status: 200, body: { status: fields.accountIssuedStatus, ...fields.payment(outcome.payment), ...fields.account(outcome.payment) } };
    case 'not_paid':
      return { status: 402, body: { status: outcome.status, message: outcome.message } };
    case 'refunded':
      if (fields.partialCancelIsNotPaid && outcome.payment.state === 'partial_cancelled') return { status: 402, body: { status: 'partial_cancelled', refund: outcome.refund, message: outcome.message } };
      return { status: 409, body: { status: outcome.reason, refund: outcome.refund, message: outcome.message } };
    case 'mismatch':
      return { status: 409, body: { status: 'mismatch', message: outcome.message } };
    case 'test_payment': // V2 only
      return { status: 409, body: { status: 'test_payment', message: outcome.message } };
    case 'unknown_payment':
      return { status: 404, body: { status: 'unknown_payment', message: outcome.message } };
    case 'unknown_order':
      return { status: 404, body: { status: 'unknown_order' } };
    case 'unavailable':
      return { status: 502, body: errorBody(outcome.message, true) };
  }
}
