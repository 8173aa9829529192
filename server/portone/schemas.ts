/**
 * zod schemas of what PortOne's REST V1 (`api.iamport.kr`) answers, for the project's PortOne client.
 *
 * Sources: PortOne's V1 Swagger (`ResponseAnnotation`, `AuthAnnotation`, `PaymentAnnotation`,
 * `PaymentCancelAnnotation`, `VbankDepositAnnotation`, `PaymentPrepareAnnotation`) and captured responses.
 * The Swagger marks only a few fields required, but real answers carry every field, with absent strings as
 * `null`, absent times as `0` and absent lists as `[]`.
 *
 * How strict, and why:
 * - Objects are `z.object`, which ignores unknown keys: PortOne adds fields (per-PG extras, `extension`) and
 *   an unknown field must never turn a good payment into a parse failure.
 * - The fields the Swagger requires (and that a verifier reads) are required. The others get the default a
 *   real answer would carry (`null`, `0`, `[]`, `false`), so a field PortOne leaves out for some PG does
 *   not fail the parse, while the parsed object always has every field.
 * - Types of known fields are strict: a time is an integer, an amount a finite number, a string a string
 *   (or `null`). A wrong type means we misunderstand the answer, and the caller must not act on it.
 * - Length limits from the Swagger (`imp_uid` ≤ 32, `merchant_uid` ≤ 40, …) are not enforced: they describe
 *   PortOne's storage, and refusing a payment over them would help no one.
 */
import { z } from 'zod';

/** UNIX seconds. PortOne answers `0` when the moment has not happened (`paid_at` of an unpaid payment). */
const unixTime = z.number().int().nonnegative();
/** A time the answer may leave out: read as `0`, as PortOne writes it. */
const optionalTime = unixTime.default(0);
/** A string the answer may leave out or set to `null` (PortOne's way of saying "absent"). */
const optionalText = z.string().nullable().default(null);
/**
 * An amount as PortOne sends it: a JSON number, an integer for KRW, a decimal for USD and the like.
 * Compare and add such amounts with `lib/money.ts`, never with float arithmetic.
 */
const amount = z.number(); // zod 4 numbers refuse NaN and the infinities; money.ts compares any other exactly

/**
 * The envelope around every answer, success or not: `{code, message, response}`.
 * - `code` is an integer (issue iamport-rest-client#3: never a string); `0` means OK. Seen otherwise: `-1`
 *   (not found, unauthorized, bad input) and `1` (a refused cancel or prepare, with HTTP 200).
 * - `message` is `null` on success in real answers, a Korean sentence otherwise.
 * - `response` is `null` on failure, the operation's object on success; it is left `unknown` here so the
 *   envelope can be read before knowing whether the call worked (see `successEnvelope`).
 */
export const envelopeSchema = z.object({
  code: z.number().int(),
  message: z.string().nullable().default(null),
  response: z.unknown(),
});
export type PortOneEnvelope = z.infer<typeof envelopeSchema>;

/** A successful answer (`code: 0`) whose `response` is `schema`. */
export function successEnvelope<T extends z.ZodType>(schema: T) {
  return z.object({
    code: z.literal(0),
    message: z.string().nullable().default(null),
    response: schema,
  });
}

/**
 * `POST /users/getToken` → `AuthAnnotation`. `now` is PortOne's clock when it answered (UNIX s), so a
 * client can compute the token's remaining life without trusting its own clock.
 */
export const tokenSchema = z.object({
  access_token: z.string().min(1),
  now: unixTime,
  expired_at: unixTime,
});
export type PortOneToken = z.infer<typeof tokenSchema>;

/** The four statuses of a V1 payment. `ready` covers both an unpaid window and an issued virtual account. */
export const paymentStatusSchema = z.enum(['ready', 'paid', 'cancelled', 'failed']);
export type PortOnePaymentStatus = z.infer<typeof paymentStatusSchema>;

/** One entry of `cancel_history` (`PaymentCancelAnnotation`): one full or partial cancel. */
export const cancelHistorySchema = z.object({
  /** The PG's cancel transaction id. */
  pg_tid: optionalText,
  amount,
  cancelled_at: unixTime,
  /** Optional in a cancel request, so it may come back `null`. */
  reason: optionalText,
  /** What a V1 cancel webhook names as `cancellation_id`. */
  cancellation_id: z.string().min(1),
  receipt_url: optionalText,
});
export type PortOneCancelHistory = z.infer<typeof cancelHistorySchema>;

/**
 * One entry of `deposit_history` (`VbankDepositAnnotation`): a deposit to a fixed (reusable) virtual account.
 * The Swagger also lists a required `reason` it never defines; it is not read here.
 */
export const depositHistorySchema = z.object({
  pg_tid: optionalText,
  amount,
  depositor_name: optionalText,
  deposited_at: unixTime,
});
export type PortOneDepositHistory = z.infer<typeof depositHistorySchema>;

/** `promotion`: a discount PortOne applied; `null` (or absent) when there was none. */
export const promotionSchema = z.object({
  id: z.string(),
  discount: amount,
});

/**
 * The V1 Payment (`PaymentAnnotation`), as `GET /payments/{imp_uid}`, `GET /payments/find/…` and
 * `POST /payments/cancel` answer it.
 */
export const paymentSchema = z.object({
  // Required by the Swagger, and what a verifier decides on.
  /** `imp_` + 12 digits in every known example. */
  imp_uid: z.string().min(1),
  merchant_uid: z.string().min(1),
  /** Ordered (and paid) amount; compare with the order's amount before trusting `status`. */
  amount,
  /** Cumulative cancelled amount; `amount - cancel_amount` is what can still be cancelled. */
  cancel_amount: amount,
  /** ISO 4217, `KRW` unless the payment asked for another. */
  currency: z.string().min(1),
  status: paymentStatusSchema,
  /** True when the payment went through a test channel. */
  sandbox: z.boolean(),

  // How it was paid.
  /** `card`, `trans`, `vbank`, `phone`, `samsung`, `kakaopay`, `naverpay`, `payco`, `paypal`, `point`, … */
  pay_method: optionalText,
  /** `pc`, `mobile` or `api` (billing key / non-authenticated payments). */
  channel: optionalText,
  pg_provider: optionalText,
  /** The easy-pay inside a PG's window (e.g. `kakaopay` in an inicis window); `null` when none. */
  emb_pg_provider: optionalText,
  pg_tid: optionalText,
  /** The PG's merchant id (MID). */
  pg_id: optionalText,
  escrow: z.boolean().default(false),
  /** Card approval number. */
  apply_num: optionalText,

  // Bank transfer.
  bank_code: optionalText,
  bank_name: optionalText,

  // Card. Issuer / publisher fields are sent only by some (new-module) PGs.
  card_code: optionalText,
  card_name: optionalText,
  card_issuer_code: optionalText,
  card_issuer_name: optionalText,
  card_publisher_code: optionalText,
  card_publisher_name: optionalText,
  /** Installment months; `0` is a lump sum (and the value for non-card payments). */
  card_quota: z.number().int().nonnegative().default(0),
  /** Masked card number. */
  card_number: optionalText,
  /** `0` credit, `1` check card; `null` when the PG does not say (the Swagger says so explicitly). */
  card_type: z.number().int().nullable().default(null),

  // Virtual account (vbank): set once the account is issued, while `status` is still `ready`.
  vbank_code: optionalText,
  vbank_name: optionalText,
  vbank_num: optionalText,
  vbank_holder: optionalText,
  /** Deposit deadline (UNIX s); `0` when not a virtual account. */
  vbank_date: optionalTime,
  vbank_issued_at: optionalTime,

  // Order and buyer.
  name: optionalText,
  buyer_name: optionalText,
  buyer_email: optionalText,
  buyer_tel: optionalText,
  buyer_addr: optionalText,
  buyer_postcode: optionalText,
  /** What `request_pay` got as `custom_data`, as a JSON **string** (parse it yourself). */
  custom_data: optionalText,
  user_agent: optionalText,

  // Times: `0` when it did not happen.
  started_at: optionalTime,
  paid_at: optionalTime,
  failed_at: optionalTime,
  cancelled_at: optionalTime,
  /** `null` unless `status` is `failed`. */
  fail_reason: optionalText,
  /** The latest cancel's reason; `null` when never cancelled. */
  cancel_reason: optionalText,
  receipt_url: optionalText,

  cancel_history: z.array(cancelHistorySchema).default([]),
  deposit_history: z.array(depositHistorySchema).default([]),
  /** Deprecated by PortOne in favour of `cancel_history[].receipt_url`. */
  cancel_receipt_urls: z.array(z.string()).default([]),
  cash_receipt_issued: z.boolean().default(false),

  // Billing keys.
  customer_uid: optionalText,
  /** `null` (a one-off payment), `issue`, `payment` or `payment.scheduled`. */
  customer_uid_usage: optionalText,
  promotion: promotionSchema.nullable().default(null),
});
export type PortOnePayment = z.infer<typeof paymentSchema>;

/**
 * `POST` / `PUT` / `GET /payments/prepare…` → `PaymentPrepareAnnotation`: the amount registered for a
 * `merchant_uid`. `currency` is `null` when none was registered (then PortOne does not check it).
 * (The Swagger's `required: [total, previous, next]` on this object is a copy-paste slip: the object has
 * no such fields, so it is ignored here.)
 */
export const prepareSchema = z.object({
  merchant_uid: z.string().min(1),
  amount,
  currency: z.string().nullable().default(null),
});
export type PortOnePrepare = z.infer<typeof prepareSchema>;

/**
 * `GET /payments/findAll/{merchant_uid}[/{status}]?page=N` → `PaymentPagedAnnotation`: every payment of an order,
 * 20 per page, newest started first; `previous` / `next` are page numbers, `0` when there is none.
 */
export const paymentPageSchema = z.object({
  total: z.number().int().nonnegative(),
  previous: z.number().int().nonnegative(),
  next: z.number().int().nonnegative(),
  list: z.array(paymentSchema),
});
export type PortOnePaymentPage = z.infer<typeof paymentPageSchema>;

/** Whole answers of the operations the project calls. */
export const tokenResponseSchema = successEnvelope(tokenSchema);
export const paymentResponseSchema = successEnvelope(paymentSchema);
export const prepareResponseSchema = successEnvelope(prepareSchema);
