/**
 * How PortOne's REST V2 says no: an HTTP status and a JSON body `{type, message}` (`PG_PROVIDER` adds `pgCode`,
 * `pgMessage`), each type with the status the official OpenAPI gives it (`x-portone-status-code`).
 */
import type { Context } from 'koa';

export type V2ErrorType =
  | 'INVALID_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'PAYMENT_NOT_FOUND'
  | 'ALREADY_PAID'
  | 'PAYMENT_NOT_PAID'
  | 'PAYMENT_ALREADY_CANCELLED'
  | 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN'
  | 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT'
  | 'CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT'
  | 'SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT'
  | 'IDEMPOTENCY_OUTSTANDING_REQUEST'
  | 'PG_PROVIDER'
  // Not PortOne's: what the sandbox answers for an unknown path, a wrong method, and its own faults.
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'INTERNAL_SERVER_ERROR';

export const V2_ERROR_STATUS: Record<V2ErrorType, number> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PAYMENT_NOT_FOUND: 404,
  ALREADY_PAID: 409,
  PAYMENT_NOT_PAID: 409,
  PAYMENT_ALREADY_CANCELLED: 409,
  CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN: 409,
  CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT: 409,
  CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT: 409,
  SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT: 409,
  IDEMPOTENCY_OUTSTANDING_REQUEST: 409,
  PG_PROVIDER: 502,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  INTERNAL_SERVER_ERROR: 500,
};

export interface V2ErrorBody {
  type: V2ErrorType;
  message: string;
  pgCode?: string;
  pgMessage?: string;
}

/** A refusal thrown by the payment rules (payment.ts) and answered by the route. */
export class V2Refusal extends Error {
  constructor(
    readonly type: V2ErrorType,
    message: string,
  ) {
    super(message);
  }
}

export function refuseV2(ctx: Context, type: V2ErrorType, message: string): void {
  ctx.status = V2_ERROR_STATUS[type];
  ctx.body = { type, message } satisfies V2ErrorBody;
}

/** Any HTTP status in V2's error shape (bad bodies, unknown paths, the sandbox's faults). */
export function failV2(ctx: Context, status: number, message: string): void {
  if (status === 502) {
    ctx.status = 502;
    ctx.body = { type: 'PG_PROVIDER', message, pgCode: 'SANDBOX_FAULT', pgMessage: message } satisfies V2ErrorBody;
    return;
  }
  const type: V2ErrorType =
    status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : status === 405 ? 'METHOD_NOT_ALLOWED' : status < 500 ? 'INVALID_REQUEST' : 'INTERNAL_SERVER_ERROR';
  ctx.status = status;
  ctx.body = { type, message } satisfies V2ErrorBody;
}
