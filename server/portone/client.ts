/**
 * The PortOne REST V1 client: the only code that speaks to PortOne.
 *
 * - The access token is cached until 30 s before PortOne says it expires (measured on PortOne's clock via
 *   `now`, not ours), and concurrent callers share one token request.
 * - A 401 drops the token it was sent with, fetches one new token (shared by every caller that saw that
 *   401) and retries once.
 * - Every call times out (10 s by default); network errors, timeouts and 5xx are retried with exponential
 *   backoff and full jitter, never 4xx, and never past the operation's deadline.
 * - Answers are parsed with zod: an unexpected shape is a PortOneUnavailable error, never a crash.
 */
import type { z } from 'zod';
import { silentLogger, type Logger } from '../log.js';
import { sameAmount } from '../../lib/money.js';
import { describeZodError } from '../zod-issues.js';
import { apiBase, type CallOptions, exchange, operationDeadline, PortOneUnavailable, safeJson, WIRE_DEFAULTS } from './retry.js';
import { envelopeSchema, paymentPageSchema, paymentSchema, type PortOnePayment, type PortOnePrepare, prepareSchema, tokenSchema } from './schemas.js';

export interface PortOneClientOptions {
  /** REST V1 base URL: `https://api.iamport.kr`, or the sandbox's. */
  apiUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Each HTTP call gives up after this long. Default 10 s. */
  timeoutMs?: number;
  /** An operation (its retries included) gives up after this long. Default 25 s, inside the verify endpoint's 30 s. */
  deadlineMs?: number;
  /** Attempts per operation on network errors, timeouts and 5xx. Default 4. */
  maxAttempts?: number;
  /** First backoff ceiling; doubles per attempt up to 2 s. Default 200 ms. */
  backoffMs?: number;
  logger?: Logger;
  fetch?: typeof fetch;
  /**
   * The local clock (ms since the epoch) the token's expiry is kept on; `Date.now` by default. Tests move it to
   * reach the token's last seconds without waiting 30 minutes. Timeouts and deadlines always use real time.
   */
  clock?: () => number;
}

export type { CallOptions };

export { PortOneUnavailable };

/** PortOne answered and said no (bad credentials, a refused cancel: HTTP 4xx or `code != 0`). Retrying will not help. */
export class PortOneRefused extends Error {
  override name = 'PortOneRefused';
  constructor(
    message: string,
    readonly status: number,
    readonly code: number | null,
  ) {
    super(message);
  }
}

interface Answer {
  status: number;
  code: number;
  message: string | null;
  response: unknown;
}

const TOKEN_MARGIN_MS = 30_000;
/** findAll answers 20 payments a page. */
const MAX_PAGES = 100;

export class PortOneClient {
  readonly #options: Required<Omit<PortOneClientOptions, 'logger' | 'fetch' | 'clock'>>;
  readonly #clock: () => number;
  readonly #logger: Logger;
  readonly #fetch: typeof fetch;
  #token: { value: string; expiresAt: number } | null = null;
  #tokenRequest: Promise<string> | null = null;

  constructor(options: PortOneClientOptions) {
    this.#options = {
      ...WIRE_DEFAULTS,
      ...options,
      apiUrl: apiBase(options.apiUrl),
    };
    this.#logger = options.logger ?? silentLogger;
    this.#fetch = options.fetch ?? fetch;
    this.#clock = options.clock ?? Date.now;
  }

  /** `GET /payments/{imp_uid}`; null when PortOne does not know it (404). */
  async getPayment(impUid: string, options: CallOptions = {}): Promise<PortOnePayment | null> {
    const answer = await this.#call('GET', `/payments/${encodeURIComponent(impUid)}`, undefined, this.#deadline(options));
    if (answer.status === 404) return null;
    return this.#read(answer, paymentSchema, 'payment');
  }

  /** `GET /payments/find/{merchant_uid}[/{status}]`: the latest payment for an order; null when none. */
  async findPayment(merchantUid: string, status?: 'ready' | 'paid' | 'cancelled' | 'failed', options: CallOptions = {}): Promise<PortOnePayment | null> {
    const answer = await this.#call('GET', `/payments/find/${encodeURIComponent(merchantUid)}${status ? `/${status}` : ''}`, undefined, this.#deadline(options));
    if (answer.status === 404) return null;
    return this.#read(answer, paymentSchema, 'payment');
  }

  /**
   * `GET /payments/findAll/{merchant_uid}`, every page: every payment PortOne holds for an order, newest started
   * first; empty when none. Reconcile reads these, so a second payment whose webhook was lost is seen too. The
   * pages share one deadline; more than `MAX_PAGES` pages (2,000 attempts at one order) is not a real order.
   */
  async findAllPayments(merchantUid: string, options: CallOptions = {}): Promise<PortOnePayment[]> {
    const deadline = this.#deadline(options);
    const payments: PortOnePayment[] = [];
    for (let page = 1; page <= MAX_PAGES; ) {
      const answer = await this.#call('GET', `/payments/findAll/${encodeURIComponent(merchantUid)}?page=${page}`, undefined, deadline);
      if (answer.status === 404) break;
      const found = this.#read(answer, paymentPageSchema, 'payment list');
      payments.push(...found.list);
      if (found.next <= page) break;
      page = found.next;
    }
    return payments;
  }

  /** `GET /payments/prepare/{merchant_uid}`; null when nothing is registered. */
  async getPrepared(merchantUid: string, options: CallOptions = {}): Promise<PortOnePrepare | null> {
    const answer = await this.#call('GET', `/payments/prepare/${encodeURIComponent(merchantUid)}`, undefined, this.#deadline(options));
    if (answer.status === 404 || (answer.status === 200 && answer.code !== 0)) return null;
    return this.#read(answer, prepareSchema, 'prepared amount');
  }

  /**
   * Register the amount PortOne's SDK must refuse to change (`POST /payments/prepare`). Registering again is
   * fine: an existing registration with another amount is corrected with `PUT`. The up to three calls share
   * one deadline, so a slow PortOne cannot hold the prepare route for 3 × 25 s.
   */
  async prepare(merchantUid: string, amount: number, currency: string, options: CallOptions = {}): Promise<PortOnePrepare> {
    const deadline = this.#deadline(options);
    const body = { merchant_uid: merchantUid, amount, currency };
    const answer = await this.#call('POST', '/payments/prepare', body, deadline);
    if (answer.status === 200 && answer.code === 0) return this.#read(answer, prepareSchema, 'prepared amount');
    if (answer.status === 200) {
      // PortOne keeps the first registration of a merchant_uid and refuses a second POST.
      const existing = await this.getPrepared(merchantUid, { deadline });
      if (existing && sameAmount(existing.amount, amount) && (existing.currency ?? currency) === currency) return existing;
      return this.#read(await this.#call('PUT', '/payments/prepare', body, deadline), prepareSchema, 'prepared amount');
    }
    return this.#read(answer, prepareSchema, 'prepared amount');
  }

  /** `POST /payments/cancel` with PortOne's balance check; a refusal (HTTP 200, `code != 0`) is PortOneRefused. */
  async cancel(request: { imp_uid: string; checksum: number; reason: string; amount?: number }, options: CallOptions = {}): Promise<PortOnePayment> {
    return this.#read(await this.#call('POST', '/payments/cancel', request, this.#deadline(options)), paymentSchema, 'cancelled payment');
  }

  #deadline(options: CallOptions): number {
    return operationDeadline(this.#options.deadlineMs, options);
  }

  #read<T extends z.ZodType>(answer: Answer, schema: T, what: string): z.output<T> {
    if (answer.status !== 200 || answer.code !== 0) {
      throw new PortOneRefused(`PortOne refused (HTTP ${answer.status}, code ${answer.code}): ${answer.message ?? 'no message'}`, answer.status, answer.code);
    }
    const parsed = schema.safeParse(answer.response, { reportInput: true });
    if (!parsed.success) throw new PortOneUnavailable(`PortOne answered a ${what} of an unexpected shape: ${describeZodError(parsed.error, 'response')}`);
    return parsed.data;
  }

  /** The cached token, or one fresh token shared by every concurrent caller. */
  async #accessToken(deadline: number): Promise<string> {
    if (this.#token && this.#token.expiresAt - TOKEN_MARGIN_MS > this.#clock()) return this.#token.value;
    this.#tokenRequest ??= this.#requestToken(deadline).finally(() => (this.#tokenRequest = null));
    return this.#tokenRequest;
  }

  async #requestToken(deadline: number): Promise<string> {
    const answer = await this.#send('POST', '/users/getToken', { imp_key: this.#options.apiKey, imp_secret: this.#options.apiSecret }, null, deadline);
    if (answer.status === 401 || answer.code !== 0) {
      throw new PortOneRefused(`PortOne refused the REST API key and secret (HTTP ${answer.status}): ${answer.message ?? 'no message'}`, answer.status, answer.code);
    }
    const token = this.#read(answer, tokenSchema, 'token');
    // Remaining life on PortOne's clock, so a skewed local clock does not matter.
    this.#token = { value: token.access_token, expiresAt: this.#clock() + (token.expired_at - token.now) * 1000 };
    this.#logger.debug('portone token issued', { expires_in_s: token.expired_at - token.now });
    return token.access_token;
  }

  /** An authenticated call: one token refresh and retry on 401. */
  async #call(method: string, path: string, body: unknown, deadline: number): Promise<Answer> {
    const token = await this.#accessToken(deadline);
    const answer = await this.#send(method, path, body, token, deadline);
    if (answer.status !== 401) return answer;
    if (this.#token?.value === token) this.#token = null;
    this.#logger.info('portone token refused; refreshing once', { path });
    return this.#send(method, path, body, await this.#accessToken(deadline), deadline);
  }

  /** One HTTP exchange under the shared retry policy (retry.ts); a 200 that is not PortOne's envelope is retried too. */
  #send(method: string, path: string, body: unknown, token: string | null, deadline: number): Promise<Answer> {
    const { timeoutMs, maxAttempts, backoffMs, apiUrl } = this.#options;
    return exchange<Answer>(
      { timeoutMs, maxAttempts, backoffMs },
      this.#fetch,
      this.#logger,
      {
        url: `${apiUrl}${path}`,
        method,
        headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        deadline,
      },
      (status, text) => {
        const envelope = envelopeSchema.safeParse(safeJson(text));
        if (envelope.success) return { done: { status, ...envelope.data } };
        const problem = `HTTP ${status} with a body that is not PortOne's envelope`;
        if (status !== 200) return { done: { status, code: -1, message: problem, response: null } };
        return { retry: problem };
      },
    );
  }
}

