/**
 * The merchant's endpoints: `prepare-url` (optional: fixes merchant_uid, amount and currency on the server) and
 * `verify-url` (settles the payment with PortOne). Their answers become outcomes here; a payment is a success
 * only when the verify endpoint says 2xx with status `paid` or `ready`.
 */
import { hint } from './hint.js';

type Json = Record<string, unknown>;

/**
 * A failed request, as the event detail says it (without stage and ids). `verification` is the verify endpoint's
 * JSON when it answered, so the page can tell a forgery from a mismatch; `amount` and `currency` are the server's
 * price when prepare-url refused the page's (`price_changed`).
 */
export interface EndpointFailure {
  code: string;
  message: string;
  retryable: boolean;
  verification?: Json;
  amount?: number;
  currency?: string;
}

/** The verify endpoint answers within 30 s whatever PortOne does; wait a little longer before giving up. */
const REQUEST_TIMEOUT_MS = 35_000;

const failure = (code: string, message: string, retryable = false): EndpointFailure => ({ code, message, retryable });

/**
 * POST `body` as JSON, and read the answer's status and JSON (`{}` when not JSON) with `read`: what it returns, or a
 * `network` failure.
 */
export async function post<T>(url: string, body: Json, signal: AbortSignal, read: (status: number, json: Json) => T): Promise<T | EndpointFailure> {
  // Our own timeout beside the caller's abort (AbortSignal.any is too new for some merchants' buyers). Neither is
  // undone afterwards: aborting a request that has ended does nothing.
  const timeout = new AbortController();
  const abort = () => timeout.abort();
  setTimeout(abort, REQUEST_TIMEOUT_MS);
  signal.addEventListener('abort', abort);
  let response: Response;
  let json: unknown;
  try {
    // Credentials: fetch's default, `same-origin` (SPEC §5).
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: timeout.signal,
    });
    // A body that is not JSON still has a status to go by.
    json = await response.json().catch(() => 0);
  } catch (error) {
    if (signal.aborted) throw error;
    const message = `${url} did not answer (${(error as Error).message}).`;
    // Most often the server refused this page's origin, or the URL is not the server's: say where to look.
    hint('cors', message);
    return failure('network', message, true);
  }
  // Read outside the try: only the request's failures are `network`.
  return read(response.status, json && typeof json === 'object' ? (json as Json) : {});
}

/** A non-2xx answer: the server's own message and word on retrying win; otherwise 5xx, 408 and 429 are worth another try. */
export const httpFailure = (url: string, status: number, json: Json): EndpointFailure =>
  failure(
    `http_${status}`,
    typeof json.message === 'string' ? json.message : `${url} answered HTTP ${status}.`,
    typeof json.retryable === 'boolean' ? json.retryable : status >= 500 || status === 408 || status === 429,
  );

const ok = (status: number) => status > 199 && status < 300;

/** The request_pay parameters the server decided; `currency` only when it answered one (else the page's stands). */
export interface Prepared {
  merchant_uid: string;
  amount: number;
  currency?: string;
}

/** The prepare request body (README, the verification protocol): `{ amount, currency, name, merchant_uid?, items? }` (JSON drops what is undefined). */
export type PrepareBody = { amount: number; currency: string; name?: unknown; merchant_uid?: unknown; items?: unknown[] };

export const prepare = (url: string, body: PrepareBody, signal: AbortSignal): Promise<Prepared | EndpointFailure> =>
  post(url, body, signal, (status, json): Prepared | EndpointFailure => {
    const { merchant_uid, amount, currency } = json;
    // The server priced the order otherwise (a stale page, a changed catalog): paying again cannot help until the
    // buyer has seen the new price, so it is not retryable whatever the body says.
    if (status === 409 && json.status === 'price_changed' && typeof amount === 'number' && typeof currency === 'string') {
      return { ...httpFailure(url, status, json), code: 'price_changed', retryable: false, amount, currency };
    }
    if (!ok(status)) return httpFailure(url, status, json);
    if (typeof merchant_uid !== 'string' || merchant_uid === '' || typeof amount !== 'number' || !(amount > 0) || (currency != null && !(typeof currency === 'string' && currency))) {
      return failure('invalid_answer', `${url} must answer { merchant_uid, amount }.`);
    }
    return { merchant_uid, amount, ...(currency != null && { currency: currency as string }) };
  });

/** The success detail's part that the verify answer decides. */
export interface Verified {
  status: 'paid' | 'ready';
  amount: number;
  payMethod: string;
  /** The verify endpoint's JSON, as it answered. */
  verification: Json;
}

export const verify = (url: string, body: { imp_uid: string; merchant_uid: string }, signal: AbortSignal): Promise<Verified | EndpointFailure> =>
  post(url, body, signal, (status, json): Verified | EndpointFailure => {
    const { status: answered, amount, pay_method } = json;
    const refused = !ok(status)
      ? httpFailure(url, status, json)
      : answered !== 'paid' && answered !== 'ready'
        ? failure(`verify_${(typeof answered === 'string' ? answered : 'no status').replace(/\W/g, '_')}`, typeof json.message === 'string' ? json.message : `${url} answered "${answered}", not "paid".`)
        : typeof amount !== 'number'
          ? failure('invalid_answer', `${url} answered ${answered} without an amount.`)
          : undefined;
    if (refused) return { ...refused, verification: json };
    return { status: answered as Verified['status'], amount: amount as number, payMethod: typeof pay_method === 'string' ? pay_method : '', verification: json };
  });
