/**
 * The V2 control API (`{v2 url}/__sandbox/…`): what it accepts, as zod schemas with their input types, and what it
 * answers. Field names are camelCase, as PortOne V2's. Shared with the client (client.ts); no Node import here.
 */
import { z } from 'zod';
import { type CallLog, type Device, type Fault, type NewFault, windowDelay } from '../control-api.js';
import { type ChannelType, V2_PAYMENT_STATUSES, type V2Payment, type V2PaymentStatus } from './payment-object.js';

export type { CallLog, Fault, NewFault };

/** Pay methods the sandbox describes in the Payment's `method`; PortOne's other `payMethod`s make payments without one. */
export const V2_PAY_METHODS = ['CARD', 'VIRTUAL_ACCOUNT', 'TRANSFER', 'MOBILE', 'EASY_PAY'] as const;
export type V2PayMethod = (typeof V2_PAY_METHODS)[number];

/** An amount in the currency's minor unit (KRW ×1, USD ×100): a non-negative safe integer. */
export const minorUnits = z.number().int('must be an integer in the currency\u2019s minor unit').min(0).max(Number.MAX_SAFE_INTEGER);
const optionalText = z.string().max(1000).optional();
/** PortOne's paymentId: merchant-chosen; the sandbox takes what PortOne's SDK does not refuse, up to 200 characters. */
export const paymentIdSchema = z.string().min(1).max(200);

const customer = z
  .strictObject({
    id: optionalText,
    name: optionalText,
    email: optionalText,
    phoneNumber: optionalText,
    zipcode: optionalText,
    address: optionalText,
  })
  .optional();

/** `POST /__sandbox/payments`: a payment made without a browser, in any status. */
export const newV2Payment = z.strictObject({
  paymentId: paymentIdSchema.optional(),
  /** Default: the sandbox's store. Another store's payment lets a verifier's store check be tested. */
  storeId: z.string().min(1).max(100).optional(),
  /** `totalAmount`, in the currency's minor unit. */
  amount: minorUnits.refine((n) => n > 0, 'must be positive'),
  taxFreeAmount: minorUnits.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as KRW').default('KRW'),
  status: z.enum(V2_PAYMENT_STATUSES).default('PAID'),
  /** LIVE unless asked: a verifier with real-looking keys accepts the sandbox's payments; TEST checks its test-payment rule. */
  channelType: z.enum(['LIVE', 'TEST']).default('LIVE'),
  channelKey: z.string().min(1).max(200).optional(),
  payMethod: z.enum(V2_PAY_METHODS).default('CARD'),
  easyPayProvider: z.string().min(1).max(50).optional(),
  orderName: z.string().min(1).max(1000).default('샌드박스 주문'),
  /** For PARTIAL_CANCELLED: how much was cancelled (default half the total, rounded down). */
  cancelledAmount: minorUnits.optional(),
  customer,
  customData: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  noticeUrls: z.array(z.url()).max(10).optional(),
  failureReason: optionalText,
  cancelReason: optionalText,
});
export type NewV2Payment = z.input<typeof newV2Payment>;

/** `PATCH /__sandbox/payments/:paymentId`: what the console, the buyer's bank or time does to a payment. */
export const v2PaymentChange = z.strictObject({
  /** PAID: a deposit (or a pending payment approved); FAILED: refused, or a virtual account expired; (PARTIAL_)CANCELLED: cancelled on the console. */
  status: z.enum(['PAID', 'FAILED', 'CANCELLED', 'PARTIAL_CANCELLED', 'VIRTUAL_ACCOUNT_ISSUED']),
  /** For PARTIAL_CANCELLED (required) and CANCELLED (default: the whole balance). */
  amount: minorUnits.refine((n) => n > 0, 'must be positive').optional(),
  reason: optionalText,
});
export type V2PaymentChange = z.input<typeof v2PaymentChange>;

export const V2_WINDOW_ACTIONS = ['approve', 'decline', 'close', 'vbank', 'amount'] as const;
export type V2WindowAction = (typeof V2_WINDOW_ACTIONS)[number];

/** A payment-window choice queued by a test, taken by the next V2 window whose paymentId matches (any, when null). */
export interface V2WindowScript {
  id: number;
  paymentId: string | null;
  action: V2WindowAction;
  /** For `amount`: what the buyer pays instead (minor units). */
  amount: number | null;
  /** For `decline`: the PG's code and message. */
  pgCode: string | null;
  pgMessage: string | null;
  device: Device | null;
  delayMs: number;
}

/** `POST /__sandbox/scripts`. */
export const newV2Script = z.strictObject({
  paymentId: paymentIdSchema.nullish(),
  action: z.enum(V2_WINDOW_ACTIONS),
  amount: minorUnits.refine((n) => n > 0, 'must be positive').nullish(),
  pgCode: z.string().min(1).max(100).nullish(),
  pgMessage: z.string().min(1).max(1000).nullish(),
  device: z.enum(['pc', 'mobile']).nullish(),
  delayMs: windowDelay,
});
export type NewV2Script = z.input<typeof newV2Script>;

export interface V2Config {
  /** The console's V2 webhook URL, used when a payment names no `noticeUrls`. */
  noticeUrl: string | null;
  /** Delay before a webhook leaves, to reorder it against the browser's return (ms). */
  webhookDelayMs: number;
  /** Retries after a failed delivery (network error or non-2xx); PortOne retries up to 5 times. Default 0. */
  webhookRetries: number;
  webhookRetryIntervalMs: number;
}

/** `PUT /__sandbox/config`: the fields to change. */
export const v2ConfigPatch = z.strictObject({
  noticeUrl: z.url().nullish(),
  webhookDelayMs: z.number().int().min(0).max(600_000).optional(),
  webhookRetries: z.number().int().min(0).max(5).optional(),
  webhookRetryIntervalMs: z.number().int().min(0).max(600_000).optional(),
});
export type V2ConfigPatch = z.input<typeof v2ConfigPatch>;

/** One attempt to deliver a V2 webhook: the exact body sent and its Standard Webhooks headers. */
export interface V2WebhookDelivery {
  seq: number;
  at: number;
  url: string;
  /** The event: the same `webhook-id` on every attempt. */
  webhookId: string;
  type: string;
  body: V2WebhookBody;
  headers: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };
  attempt: number;
  status: number | null;
  error: string | null;
}

/** A `2024-04-25` webhook body. */
export interface V2WebhookBody {
  type: string;
  timestamp: string;
  data: { storeId: string; paymentId: string; transactionId: string; cancellationId?: string };
}

export interface V2WebhookLog {
  total: number;
  deliveries: V2WebhookDelivery[];
}

/** `GET /__sandbox/payments?limit=`: the newest payments first. */
export interface V2PaymentList {
  total: number;
  payments: V2Payment[];
}

/** `GET /__sandbox/pre-registrations/:paymentId`. */
export interface PreRegistration {
  paymentId: string;
  storeId: string;
  totalAmount: number | null;
  taxFreeAmount: number | null;
  currency: string | null;
  at: number;
}

/** `GET /__sandbox/`. */
export interface V2SandboxDescription {
  sandbox: true;
  version: 'V2';
  restUrl: string;
  sdkUrl: string;
  storeId: string;
  credentials: { apiSecret: '(configured)'; webhookSecret: string };
  endpoints: string[];
}

export type { ChannelType, V2Payment, V2PaymentStatus };
