/**
 * The merchant's endpoints: `prepare-url` (optional: fixes merchant_uid, amount and currency on the server) and
 * `verify-url` (settles the payment with PortOne). Their answers become outcomes here; a payment is a success
 * only when the verify endpoint says 2xx with status `paid` or `ready`.
 */

/**
 * A failure keeps the endpoint's JSON when there was an answer, so the page can tell a forgery from a mismatch;
 * `price` is the server's price when prepare-url refused the page's (`price_changed`).
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string; retryable: boolean; answer?: Json; price?: Price };

/** The verify endpoint answers within 30 s whatever PortOne does; wait a little longer before giving up. */
const REQUEST_TIMEOUT_MS = 35_000;

type Json = Record<string, unknown>;

async function postJson(url: string, body: Json, signal: AbortSignal): Promise<Outcome<{ status: number; json: Json }>> {
  // Our own timeout beside the caller's abort (AbortSignal.any is too new for some merchants' buyers).
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), REQUEST_TIMEOUT_MS);
  const abort = () => timeout.abort();
  signal.addEventListener('abort', abort);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body),
      signal: timeout.signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    return { ok: false, code: 'network', message: `${url} did not answer (${(error as Error).message}).`, retryable: true };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
  }
  let json: Json = {};
  try {
    const parsed: unknown = await response.json();
    if (parsed && typeof parsed === 'object') json = parsed as Json;
  } catch {
    // A body that is not JSON still has a status to go by.
  }
  return { ok: true, value: { status: response.status, json } };
}

function httpFailure(url: string, status: number, json: Json): Extract<Outcome<never>, { ok: false }> {
  const message = typeof json.message === 'string' ? json.message : `${url} answered HTTP ${status}.`;
  // The server's own word wins; otherwise 5xx, 408 and 429 are worth another try.
  const retryable = typeof json.retryable === 'boolean' ? json.retryable : status >= 500 || status === 408 || status === 429;
  return { ok: false, code: `http_${status}`, message, retryable, answer: json };
}

/** The server's price, as a `409 price_changed` answers it. */
export interface Price {
  amount: number;
  currency: string;
}

/** The request_pay parameters the server decided; `currency` only when it answered one (else the page's stands). */
export interface Prepared {
  merchant_uid: string;
  amount: number;
  currency?: string;
}

/** SPEC §5: `{ amount, currency, name, merchant_uid?, items? }` (JSON drops what is undefined). */
export type PrepareBody = { amount: number; currency: string; name?: unknown; merchant_uid?: unknown; items?: unknown[] };

export async function prepare(url: string, body: PrepareBody, signal: AbortSignal): Promise<Outcome<Prepared>> {
  const answer = await postJson(url, body, signal);
  if (!answer.ok) return answer;
  const { status, json } = answer.value;
  const { merchant_uid, amount, currency } = json;
  // The server priced the order otherwise (a stale page, a changed catalog): paying again cannot help until the
  // buyer has seen the new price, so it is not retryable whatever the body says.
  if (status === 409 && json.status === 'price_changed' && typeof amount === 'number' && typeof currency === 'string') {
    return { ...httpFailure(url, status, json), code: 'price_changed', retryable: false, price: { amount, currency } };
  }
  if (status < 200 || status > 299) return httpFailure(url, status, json);
  if (typeof merchant_uid !== 'string' || merchant_uid === '' || typeof amount !== 'number' || !(amount > 0) || (currency != null && !(typeof currency === 'string' && currency))) {
    return { ok: false, code: 'invalid_answer', message: `${url} must answer { merchant_uid, amount }.`, retryable: false };
  }
  return { ok: true, value: { merchant_uid, amount, ...(currency != null && { currency: currency as string }) } };
}

export interface Verified {
  status: 'paid' | 'ready';
  amount: number;
  payMethod: string;
  json: Json;
}

export async function verify(url: string, body: { imp_uid: string; merchant_uid: string }, signal: AbortSignal): Promise<Outcome<Verified>> {
  const answer = await postJson(url, body, signal);
  if (!answer.ok) return answer;
  const { status, json } = answer.value;
  if (status < 200 || status > 299) return httpFailure(url, status, json);
  if (json.status !== 'paid' && json.status !== 'ready') {
    const said = typeof json.status === 'string' ? json.status : 'no status';
    return { ok: false, code: `verify_${said.replace(/\W/g, '_')}`, message: typeof json.message === 'string' ? json.message : `${url} answered "${said}", not "paid".`, retryable: false, answer: json };
  }
  if (typeof json.amount !== 'number') {
    return { ok: false, code: 'invalid_answer', message: `${url} answered ${json.status} without an amount.`, retryable: false, answer: json };
  }
  return { ok: true, value: { status: json.status, amount: json.amount, payMethod: typeof json.pay_method === 'string' ? json.pay_method : '', json } };
}
