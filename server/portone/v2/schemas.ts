/**
 * zod schemas of what PortOne's REST V2 (`api.portone.io`) answers, for the operations this server calls: derived
 * from PortOne's OpenAPI (`Payment` and its seven variants, `PaymentAmount`, `SelectedChannel`,
 * `PaymentMethodVirtualAccount`, `PaymentFailure`, `CancelPaymentResponse`, the `{type, message}` errors).
 *
 * As strict as the V1 schemas, for the same reasons: `z.object` ignores unknown keys (PortOne adds fields and
 * variants of `method`), the fields a verifier decides on are required with their exact types, and what is only
 * shown back (the method's details) is optional. Amounts are integers in the currency's minor unit (KRW × 1,
 * USD × 100): convert with `lib/money.ts` `fromMinorUnits`, never with float arithmetic.
 */
import { z } from 'zod';

/** Integer minor units (`PaymentAmount.*`, `totalAmount`). */
const minor = z.number().int();
/** RFC 3339 date-time, kept as PortOne wrote it. */
const time = z.string().min(1);

export const paymentStatusV2Schema = z.enum(['READY', 'PAY_PENDING', 'VIRTUAL_ACCOUNT_ISSUED', 'PAID', 'FAILED', 'PARTIAL_CANCELLED', 'CANCELLED']);
export type PaymentStatusV2 = z.infer<typeof paymentStatusV2Schema>;

/** `PaymentAmount`: `total` is what the payment asked; `cancelled` what was refunded of it so far. */
export const paymentAmountSchema = z.object({
  total: minor,
  taxFree: minor.default(0),
  vat: minor.optional(),
  supply: minor.optional(),
  discount: minor.default(0),
  paid: minor.default(0),
  cancelled: minor.default(0),
  cancelledTaxFree: minor.default(0),
});

/** `SelectedChannel`: `type` tells a TEST channel (no real money) from a LIVE one. Absent on READY / FAILED. */
export const selectedChannelSchema = z.object({
  type: z.enum(['LIVE', 'TEST']),
  id: z.string().optional(),
  key: z.string().optional(),
  name: z.string().optional(),
  pgProvider: z.string(),
  pgMerchantId: z.string(),
});

/** `PaymentMethod*`: a union on `type`; only the virtual account's fields are read (the buyer must see where to pay). */
export const paymentMethodSchema = z
  .object({
    type: z.string(),
    bank: z.string().optional(),
    accountNumber: z.string().optional(),
    remitteeName: z.string().optional(),
    expiredAt: time.optional(),
    provider: z.string().optional(),
  })
  .optional();

/** `Payment`, every status: the fields common to all seven variants, plus the optional ones of some. */
export const paymentV2Schema = z.object({
  status: paymentStatusV2Schema,
  /** The paymentId (the merchant's order id in this project). */
  id: z.string().min(1),
  /** The attempt that counts (for a PAID payment, the one that succeeded). */
  transactionId: z.string().min(1),
  merchantId: z.string().optional(),
  storeId: z.string().min(1),
  channel: selectedChannelSchema.optional(),
  /** `V1` for a payment made through REST V1 and modelled by V2. */
  version: z.enum(['V1', 'V2']).default('V2'),
  orderName: z.string().default(''),
  amount: paymentAmountSchema,
  /** ISO 4217 (the OpenAPI's `Currency`). */
  currency: z.string().regex(/^[A-Z]{3}$/),
  method: paymentMethodSchema,
  requestedAt: time.optional(),
  paidAt: time.optional(),
  failedAt: time.optional(),
  cancelledAt: time.optional(),
  statusChangedAt: time.optional(),
  pgTxId: z.string().optional(),
  receiptUrl: z.string().optional(),
  failure: z.object({ reason: z.string().optional(), pgCode: z.string().optional(), pgMessage: z.string().optional() }).optional(),
  cancellations: z.array(z.object({ status: z.string(), id: z.string(), totalAmount: minor, reason: z.string().optional() })).optional(),
  /** A JSON string (the browser's `customData`). */
  customData: z.string().optional(),
  customer: z.record(z.string(), z.unknown()).optional(),
});
export type PortOneV2Payment = z.infer<typeof paymentV2Schema>;

/** `CancelPaymentResponse`: `REQUESTED` (a refund PortOne will finish later) and `FAILED` are not a cancel done. */
export const cancelResponseV2Schema = z.object({
  cancellation: z.object({
    status: z.enum(['SUCCEEDED', 'REQUESTED', 'FAILED']),
    id: z.string(),
    totalAmount: minor,
    reason: z.string().optional(),
  }),
});
export type PortOneV2Cancellation = z.infer<typeof cancelResponseV2Schema>['cancellation'];

/** Every V2 error: `{ type, message? }` (`PAYMENT_NOT_FOUND`, `PAYMENT_ALREADY_CANCELLED`, …). */
export const errorV2Schema = z.object({ type: z.string().min(1), message: z.string().optional() });
