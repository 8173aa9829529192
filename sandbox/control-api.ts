/**
 * What the control API (`/__sandbox/…`, control.ts) accepts and answers, for every protocol: the request schemas
 * (zod) with their input types, and the answers' types. The routes, the state that keeps these records and the one
 * client (client.ts, in Node and in browsers) share this module, so a request the client can write is one the
 * API parses. No Node import here: browsers type-check it through the client.
 */
import { z } from 'zod';
import { isValidAmount } from '../lib/money.js';

export type Device = 'pc' | 'mobile';

/**
 * Which success flag the callback and the landing carry: `success` (most legacy PGs' callback),
 * `imp_success` (legacy landings, some PGs' callback), or `none`: PortOne's new-module PGs answer only
 * imp_uid, merchant_uid and, on failure, error_code / error_msg.
 */
export type ResponseShape = 'success' | 'imp_success' | 'none';
export const RESPONSE_SHAPES: readonly ResponseShape[] = ['success', 'imp_success', 'none'];
export type WindowAction = 'approve' | 'decline' | 'close' | 'vbank' | 'amount';
export const WINDOW_ACTIONS: readonly WindowAction[] = ['approve', 'decline', 'close', 'vbank', 'amount'];

/** A payment-window choice queued by a test, taken by the next window whose merchant_uid matches. */
export interface WindowScript {
  id: number;
  merchant_uid: string | null;
  action: WindowAction;
  /** For `amount`: what the buyer pays instead. */
  amount: number | null;
  error_code: string | null;
  error_msg: string | null;
  shape: ResponseShape | null;
  /** For `mobile`/`pc`: force the device whatever the user agent says. */
  device: Device | null;
  /** Wait this long with the window open before acting (ms). */
  delay_ms: number;
}

export type FaultType = 'latency' | 'status' | 'drop' | 'expire_token';
export const FAULT_TYPES: readonly FaultType[] = ['latency', 'status', 'drop', 'expire_token'];

export interface Fault {
  id: number;
  type: FaultType;
  /** REST path prefix the fault applies to (`/payments`, `/users/getToken`); `/` for every REST call. */
  path: string;
  method: string | null;
  /** For `latency`: the delay. */
  ms: number;
  /** For `status`: the HTTP status answered. */
  status: number;
  /** Matching calls to let through untouched before the fault starts. */
  after: number;
  /** How many matching calls it affects; `null` until cleared. */
  times: number | null;
  /** Matching calls the fault has affected so far. */
  hits: number;
  seen: number;
}

export interface CallRecord {
  seq: number;
  at: number;
  method: string;
  path: string;
  /** `METHOD /route/:pattern`, what `counts` is keyed by. */
  route: string;
  status: number | null;
  fault: FaultType | null;
}

export interface WebhookDelivery {
  seq: number;
  at: number;
  url: string;
  body: Record<string, string>;
  content_type: 'application/json' | 'application/x-www-form-urlencoded';
  attempt: number;
  /** HTTP status answered, or null when the request failed (see `error`). */
  status: number | null;
  error: string | null;
}

export interface SandboxConfig {
  /** The console's notification URL, used when a payment names no `notice_url`. */
  notice_url: string | null;
  webhook_content_type: 'json' | 'form';
  /** Delay before a webhook leaves, to reorder it against the browser's return (ms). */
  webhook_delay_ms: number;
  /** PortOne sends once unless retries are enabled (then up to 5, a minute apart). */
  webhook_retries: number;
  webhook_retry_interval_ms: number;
}

/** An amount the sandbox accepts as input: positive, at most six decimals. */
export const positiveAmount = z.number().refine(isValidAmount, 'must be a positive number with at most 6 decimals');
/** A window choice's delay: at most a minute, so a forgotten script cannot hold a window for long. */
export const windowDelay = z.number().int().min(0).max(60_000).default(0);

/** `POST /__sandbox/scripts`. */
export const newScript = z.strictObject({
  merchant_uid: z.string().min(1).max(40).nullish(),
  action: z.enum(WINDOW_ACTIONS),
  amount: positiveAmount.nullish(),
  error_code: z.string().min(1).nullish(),
  error_msg: z.string().min(1).nullish(),
  shape: z.enum(RESPONSE_SHAPES).nullish(),
  device: z.enum(['pc', 'mobile']).nullish(),
  delay_ms: windowDelay,
});
export type NewScript = z.input<typeof newScript>;

/** `POST /__sandbox/faults`. */
export const newFault = z.strictObject({
  type: z.enum(FAULT_TYPES),
  path: z.string().startsWith('/').default('/'),
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .nullish(),
  ms: z.number().int().min(0).max(120_000).default(0),
  status: z.number().int().min(500).max(599).default(500),
  after: z.number().int().min(0).default(0),
  times: z.number().int().min(1).nullish(),
});
export type NewFault = z.input<typeof newFault>;

/** `PUT /__sandbox/config`: the fields to change. */
export const configPatch = z.strictObject({
  notice_url: z.url().nullish(),
  webhook_content_type: z.enum(['json', 'form']).optional(),
  webhook_delay_ms: z.number().int().min(0).max(600_000).optional(),
  webhook_retries: z.number().int().min(0).max(5).optional(),
  webhook_retry_interval_ms: z.number().int().min(0).max(600_000).optional(),
});
export type ConfigPatch = z.input<typeof configPatch>;

/** `POST /__sandbox/clock`. */
export const clockChange = z.strictObject({ advance_seconds: z.number().int() });

/** Every refusal of the sandbox's own APIs (control, checkout, payment window); the message names each bad field. */
export interface ControlError {
  status: 'error';
  message: string;
}

/** `GET /__sandbox/`. */
export interface SandboxDescription {
  sandbox: true;
  rest_url: string;
  sdk_url: string;
  credentials: { imp_key: string; imp_secret: '(configured)' };
  endpoints: string[];
}

/** `GET /__sandbox/calls`: `counts` by `METHOD /route`, the newest calls (filtered by `?path=` prefix). */
export interface CallLog {
  total: number;
  counts: Record<string, number>;
  calls: CallRecord[];
}

/** `GET /__sandbox/webhooks`. */
export interface WebhookLog {
  total: number;
  deliveries: WebhookDelivery[];
}
