/**
 * The PortOne REST V2 client: `Authorization: PortOne <secret>` (no token to cache: one HTTP call per operation),
 * plain JSON answers, errors as HTTP statuses with `{type, message}`. Same wire policy as V1's (retry.ts): every
 * call times out, network errors, timeouts and 5xx are retried with jittered backoff up to the operation's deadline.
 *
 * Cancels carry an `Idempotency-Key` that is the same for the same refund (the payment, its transaction and the
 * balance being refunded), so a retry — by this client, by reconcile, by another process — replays PortOne's first
 * answer instead of cancelling twice; `currentCancellableAmount` makes PortOne refuse a cancel whose balance moved.
 * PortOne recommends ≥ 60 s of read timeout for a cancel: the client allows it, the caller's deadline cuts it.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { silentLogger, type Logger } from '../../log.js';
import { describeZodError } from '../../zod-issues.js';
import { PortOneRefused } from '../client.js';
import { apiBase, type CallOptions, exchange, operationDeadline, PortOneUnavailable, type RetryPolicy, safeJson, WIRE_DEFAULTS } from '../retry.js';
import { cancelResponseV2Schema, errorV2Schema, type PortOneV2Cancellation, type PortOneV2Payment, paymentV2Schema } from './schemas.js';

export interface PortOneV2ClientOptions {
  /** Default `https://api.portone.io`, or the sandbox's V2 address. */
  apiUrl: string;
  apiSecret: string;
  /** Each HTTP call (but a cancel) gives up after this long. Default 10 s. */
  timeoutMs?: number;
  /** A cancel gives up after this long (PortOne recommends ≥ 60 s). Default 60 s, always cut by the deadline. */
  cancelTimeoutMs?: number;
  /** An operation (its retries included) gives up after this long. Default 25 s. */
  deadlineMs?: number;
  maxAttempts?: number;
  backoffMs?: number;
  logger?: Logger;
  fetch?: typeof fetch;
}

export type { CallOptions };

/** A V2 refusal: HTTP 4xx with PortOne's error `type` (`PAYMENT_ALREADY_CANCELLED`, `UNAUTHORIZED`, …). */
export class PortOneV2Refused extends PortOneRefused {
  override name = 'PortOneV2Refused';
  constructor(
    message: string,
    status: number,
    readonly type: string,
  ) {
    super(message, status, null);
  }
}

interface Answer {
  status: number;
  json: unknown;
}

export interface CancelRequest {
  reason: string;
  /** Omitted: the whole balance. Minor units. */
  amount?: number;
  /** The balance PortOne must still hold for the cancel to go through (minor units). */
  currentCancellableAmount: number;
  /** The attempt being refunded: part of the Idempotency-Key, so another transaction's refund is another key. */
  transactionId: string;
}

/**
 * The same key for the same refund: the store, the payment, its transaction and the balance refunded. A refund of
 * another balance (the merchant refunded part on the console meanwhile) is another request, so another key.
 * `refund_` + 43 base64url characters: within RFC 8941's token-safe ASCII and PortOne's 16–256 characters.
 */
export function refundIdempotencyKey(storeId: string, paymentId: string, request: CancelRequest): string {
  const what = JSON.stringify(['refund', storeId, paymentId, request.transactionId, request.amount ?? 'all', request.currentCancellableAmount]);
  return `refund_${createHash('sha256').update(what).digest('base64url')}`;
}

export class PortOneV2Client {
  readonly #options: Required<Omit<PortOneV2ClientOptions, 'logger' | 'fetch'>>;
  readonly #logger: Logger;
  readonly #fetch: typeof fetch;

  constructor(options: PortOneV2ClientOptions) {
    this.#options = {
      ...WIRE_DEFAULTS,
      cancelTimeoutMs: 60_000,
      ...options,
      apiUrl: apiBase(options.apiUrl),
    };
    this.#logger = options.logger ?? silentLogger;
    this.#fetch = options.fetch ?? fetch;
  }

  /** `GET /payments/{paymentId}?storeId=`; null when PortOne knows none (404 `PAYMENT_NOT_FOUND`). */
  async getPayment(paymentId: string, storeId: string, options: CallOptions = {}): Promise<PortOneV2Payment | null> {
    const answer = await this.#call('GET', `/payments/${encodeURIComponent(paymentId)}?storeId=${encodeURIComponent(storeId)}`, undefined, {}, this.#deadline(options));
    if (answer.status === 404 && errorType(answer) === 'PAYMENT_NOT_FOUND') return null;
    return this.#read(answer, paymentV2Schema, 'payment');
  }

  /** `POST /payments/{paymentId}/pre-register`: PortOne's browser SDK then refuses any other amount for it. */
  async preRegister(paymentId: string, body: { storeId: string; totalAmount: number; currency: string }, options: CallOptions = {}): Promise<void> {
    const answer = await this.#call('POST', `/payments/${encodeURIComponent(paymentId)}/pre-register`, body, {}, this.#deadline(options));
    this.#refuseUnlessOk(answer);
  }

  /**
   * `POST /payments/{paymentId}/cancel` with `reason`, `currentCancellableAmount` and the refund's Idempotency-Key.
   * The cancellation as PortOne answers it (SUCCEEDED, REQUESTED or FAILED); a 4xx is PortOneV2Refused.
   */
  async cancel(paymentId: string, storeId: string, request: CancelRequest, options: CallOptions = {}): Promise<PortOneV2Cancellation> {
    const body = { storeId, reason: request.reason, currentCancellableAmount: request.currentCancellableAmount, ...(request.amount !== undefined && { amount: request.amount }) };
    // RFC 8941 sf-string, as PortOne's REST V2 documents the header.
    const headers = { 'idempotency-key': `"${refundIdempotencyKey(storeId, paymentId, request)}"` };
    const answer = await this.#call('POST', `/payments/${encodeURIComponent(paymentId)}/cancel`, body, headers, this.#deadline(options), this.#options.cancelTimeoutMs);
    return this.#read(answer, cancelResponseV2Schema, 'cancellation').cancellation;
  }

  #deadline(options: CallOptions): number {
    return operationDeadline(this.#options.deadlineMs, options);
  }

  #refuseUnlessOk(answer: Answer): void {
    if (answer.status >= 200 && answer.status < 300) return;
    const type = errorType(answer) ?? 'UNKNOWN';
    const message = (answer.json as { message?: unknown } | undefined)?.message;
    throw new PortOneV2Refused(`PortOne refused (HTTP ${answer.status}, ${type})${typeof message === 'string' ? `: ${message}` : ''}`, answer.status, type);
  }

  #read<T extends z.ZodType>(answer: Answer, schema: T, what: string): z.output<T> {
    this.#refuseUnlessOk(answer);
    const parsed = schema.safeParse(answer.json, { reportInput: true });
    if (!parsed.success) throw new PortOneUnavailable(`PortOne answered a ${what} of an unexpected shape: ${describeZodError(parsed.error, 'response')}`);
    return parsed.data;
  }

  #call(method: string, path: string, body: unknown, headers: Record<string, string>, deadline: number, timeoutMs?: number): Promise<Answer> {
    const { timeoutMs: defaultTimeout, maxAttempts, backoffMs, apiUrl, apiSecret } = this.#options;
    const policy: RetryPolicy = { timeoutMs: defaultTimeout, maxAttempts, backoffMs };
    return exchange<Answer>(
      policy,
      this.#fetch,
      this.#logger,
      {
        url: `${apiUrl}${path}`,
        method,
        headers: { accept: 'application/json', authorization: `PortOne ${apiSecret}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        deadline,
        timeoutMs,
      },
      (status, text) => {
        const json = safeJson(text);
        // A 2xx we cannot read, or an error without PortOne's shape (a proxy's page), is not PortOne speaking.
        if (status >= 200 && status < 300) return json === undefined ? { retry: `HTTP ${status} with a body that is not JSON` } : { done: { status, json } };
        if (status === 409 && errorType({ status, json }) === 'IDEMPOTENCY_OUTSTANDING_REQUEST') return { retry: 'the same cancel is still in flight at PortOne' };
        return { done: { status, json } };
      },
    );
  }
}

function errorType(answer: Answer): string | null {
  const parsed = errorV2Schema.safeParse(answer.json);
  return parsed.success ? parsed.data.type : null;
}
