/**
 * The control API's V1 payments (`/__sandbox/payments`, control-payments.ts): what it accepts, as zod schemas with
 * their input types, and what it answers. Shared with the client (client.ts); no Node import here.
 */
import { z } from 'zod';
import { positiveAmount } from '../control-api.js';
import { type Payment, PAYMENT_STATUSES } from './payment-object.js';

const optionalText = z.string().max(1000).nullish();

/** `POST /__sandbox/payments`: a payment made without a browser, in any status. */
export const newPayment = z.strictObject({
  merchant_uid: z.string().min(1).max(40),
  amount: positiveAmount,
  status: z.enum(PAYMENT_STATUSES).default('paid'),
  pay_method: z.string().min(1).max(20).default('card'),
  currency: z.string().length(3).default('KRW'),
  name: optionalText,
  pg: z.string().min(1).optional(),
  channel_key: z.string().min(1).optional(),
  channel: z.enum(['pc', 'mobile', 'api']).default('api'),
  buyer_name: optionalText,
  buyer_email: optionalText,
  buyer_tel: optionalText,
  buyer_addr: optionalText,
  buyer_postcode: optionalText,
  custom_data: z.unknown().optional(),
  notice_url: z.union([z.url(), z.array(z.url())]).optional(),
  fail_reason: optionalText,
  cancel_reason: optionalText,
});
export type NewPayment = z.input<typeof newPayment>;

/** `PATCH /__sandbox/payments/:imp_uid`: what the console (or the buyer's bank) does to a payment. */
export const paymentChange = z.strictObject({
  status: z.enum(['paid', 'failed', 'cancelled']),
  /** For `cancelled`: a partial amount (default: the whole balance). */
  amount: positiveAmount.optional(),
  reason: optionalText,
});
export type PaymentChange = z.input<typeof paymentChange>;

/** `GET /__sandbox/payments?limit=`: the newest payments first. */
export interface PaymentList {
  total: number;
  payments: Payment[];
}
