/**
 * PortOne V2 (browser-sdk.js, `store-id`): the entry of the lazily imported chunk dist/portone-checkout-v2.js. Only
 * an element with `store-id` imports it, and hands it its connection (`connected`: the landing when the address has
 * `paymentId`, and the SDK's warm-up) and its clicks (`run`); the element keeps its shadow tree, its state, its
 * attempt and its events, and lends what this needs of them by reference (a `V2Host`).
 *
 * DUPLICATION, ON PURPOSE: the V2 copies here of the bundle's V1 code paths (the prepare and verify requests, a
 * landing's read, claim and clean, the payer's memory, the order id, the answer's reading; v2-sdk.ts, the SDK
 * loader) exist only because the two ship as separate files. A V1 page downloads the bundle alone and must not pay
 * for V2's generality (scripts/size.mjs: the V1 page's budget), and this chunk imports nothing from the bundle at
 * run time (types only), so that it never loads a second copy of it (a page may import the bundle under another URL
 * than the chunk's `./portone-checkout.js`). What both need and the bundle has anyway (parseCheckout, the endpoints'
 * fetch and HTTP failure, the element's state and outcome) comes through the host. Change one side, check the other.
 */
import type { Via } from './events.js';
import type { EndpointFailure, post as Post, httpFailure as HttpFailure } from './merchant-endpoints.js';
import { currencyDigits, minorUnits } from './minor-units.js';
import type { parseCheckout as ParseCheckout } from './params.js';
import { type Answer, readPaymentAnswer } from './v2-answer.js';
import { toPaymentRequest } from './v2-request.js';
import { currentPortOne, loadPortOne } from './v2-sdk.js';

/** browser-sdk.js's default URL (the bundle's is iamport.js's). */
export const SDK = 'https://cdn.portone.io/v2/browser-sdk.js';

/** The element, as this reads it. */
export interface V2Element extends HTMLElement {
  readonly storeId: string | null;
  readonly paymentId: string | null;
  readonly verifyUrl: string | null;
  sdkTimeout: number;
  params?: Record<string, unknown>;
  claimLanding(fields: Record<string, string>): void;
}

type Detail = Record<string, unknown>;

/** What the element lends the chunk: its own helpers, by reference (nothing of Lit or the element is copied here). */
export interface V2Host {
  /** params.ts's parseCheckout: every attribute checked, the request built (V1's), or the message that names the bad attribute. */
  parse: typeof ParseCheckout;
  /** Sets the element's state (and what its live region says). */
  state(state: 'loading' | 'paying' | 'verifying'): void;
  /** Reports the outcome: the event, then every `pay()` waiting (`version` is the element's to add). */
  settle(detail: Detail): void;
  /** merchant-endpoints.ts's post. */
  post: typeof Post;
  /** merchant-endpoints.ts's httpFailure: a non-2xx answer as a failure. (The keys are short: the bundle spells them.) */
  http: typeof HttpFailure;
}

const LANDING = ['paymentId', 'txId', 'code', 'message', 'pgCode', 'pgMessage'];
/** Shared with the bundle's landing.ts (and every copy of it on the page): the landing claimed last. */
const CLAIMED = Symbol.for('portone-checkout.landing-claimed');
/** landing.ts's memory of who started a payment, under the same key. */
const PAYER = 'portone-checkout:payer:';
const placeOf = (element: Element) => (element.id ? `#${element.id}` : String([...document.querySelectorAll(element.localName)].indexOf(element)));
const PAID = ['paid', 'virtual_account_issued'];

/** A payment whose verification failed in a way worth retrying: the element's next click verifies it again. */
const unverified = new WeakMap<V2Element, { answer: Answer; via: Via }>();

/** `href` without the V2 landing parameters (its other query parameters and hash kept, each pair as written). */
const withoutLanding = (href: string) => {
  const clean = new URL(href);
  clean.search = clean.search.slice(1).split('&').filter((pair) => !LANDING.includes(pair.split('=')[0])).join('&');
  return clean.href;
};

let warned = false;

/** A fresh paymentId for one attempt: letters and digits only (which every V2 PG takes), well under 40 characters. */
function generatePaymentId(): string {
  if (!warned) {
    warned = true;
    // hint.ts's way, written here because this chunk takes nothing from the bundle: the text imported now (the hints'
    // chunk, shared with the bundle), a short line with the code if it cannot be.
    void import('./hints.js').then(
      ({ HINTS }) => console.warn(HINTS.paymentId()),
      () => console.warn('<portone-checkout> hint paymentId'),
    );
  }
  return ['pc', Date.now(), ...crypto.getRandomValues(new Uint32Array(2))].map((n) => n.toString(36)).join('');
}

/** The element's V2 config: parseCheckout's checks, then V2's mapping (`params` merged last), or the message that names the bad attribute. */
const parse = (element: V2Element, host: V2Host) => {
  // Each attribute as its property reads it; `params` are merged over V2's fields, not V1's.
  const get = (attribute: string) => (element as unknown as Record<string, never>)[attribute.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())];
  const base = host.parse(get, null, SDK);
  return typeof base === 'string' ? base : toPaymentRequest(base, get, element.params);
};

const sdk = (element: V2Element, src: string) => loadPortOne(src, element.sdkTimeout, element.nonce);

/**
 * A V2 element connected: offer it the page's landing when the address has `paymentId`, and load browser-sdk.js in
 * idle time once the attributes are valid, so a click opens the window at once (nothing of a warm-up is reported: a
 * click tries again and says what failed).
 */
export const connected = (element: V2Element, host: V2Host): void => {
  if (new URLSearchParams(location.search).has('paymentId')) offer(element);
  const warm = () => {
    const config = element.isConnected && parse(element, host);
    if (typeof config === 'object') sdk(element, config.sdkSrc).catch(() => {});
  };
  if ('requestIdleCallback' in window) requestIdleCallback(warm, { timeout: 2000 });
  else setTimeout(warm, 200);
};

const candidates: V2Element[] = [];

/**
 * Offer an element the page's V2 landing (`paymentId`, maybe `txId`, `code` …, on `redirectUrl`). Exactly one V2
 * element claims it: the one whose `payment-id` matches, else the one that started the payment, else the first
 * connected; its parameters leave the address bar at once. The choice waits a task, so that every element that
 * imported this chunk in the same pass is weighed.
 */
function offer(candidate: V2Element): void {
  if (candidates.push(candidate) > 1) return;
  setTimeout(() => {
    const mine = candidates.splice(0).filter((c) => c.isConnected && c.storeId?.trim());
    const { searchParams, href } = new URL(location.href);
    const w = window as unknown as Record<symbol, string>;
    const fields: Record<string, string> = {};
    for (const key of LANDING) if (searchParams.has(key)) fields[key] = searchParams.get(key)!;
    const claim = `${fields.txId} ${fields.paymentId}`;
    if (fields.paymentId == null || w[CLAIMED] === claim || !mine[0]) return;
    let payer: string | null = null;
    try {
      payer = sessionStorage.getItem(PAYER + fields.paymentId);
    } catch {
      // Storage blocked: as if nobody was remembered.
    }
    const chosen = mine.find((c) => c.paymentId === fields.paymentId) ?? mine.find((c) => placeOf(c) === payer) ?? mine[0];
    w[CLAIMED] = claim;
    history.replaceState(history.state, '', withoutLanding(href));
    chosen.claimLanding(fields);
  });
}

/** POST to prepare-url: the server's `{ paymentId, amount, currency? }`, or the failure (stage `prepare`'s). */
const prepare = (host: V2Host, url: string, body: Detail, signal: AbortSignal): Promise<Detail | EndpointFailure> =>
  host.post(url, body, signal, (status, json): Detail | EndpointFailure => {
    const { paymentId, amount, currency } = json;
    if (status === 409 && json.status === 'price_changed' && typeof amount === 'number' && typeof currency === 'string') {
      return { ...host.http(url, status, json), code: 'price_changed', retryable: false, amount, currency };
    }
    if (status < 200 || status > 299) return host.http(url, status, json);
    if (typeof paymentId !== 'string' || paymentId === '' || typeof amount !== 'number' || !(amount > 0) || (currency != null && !(typeof currency === 'string' && currency))) {
      return { code: 'invalid_answer', message: `${url} must answer { paymentId, amount }.`, retryable: false };
    }
    return { paymentId, amount, ...(currency != null && { currency }) };
  });

/** POST to verify-url: a success when it answers 2xx with `paid` or `virtual_account_issued` and an amount. */
const verifyAt = (host: V2Host, url: string, body: Detail, signal: AbortSignal): Promise<Detail | EndpointFailure> =>
  host.post(url, body, signal, (status, json): Detail | EndpointFailure => {
    const { status: answered, amount, payMethod = json.pay_method } = json;
    const failure = (code: string, message: string): EndpointFailure => ({ code, message, retryable: false });
    const refused =
      status < 200 || status > 299
        ? host.http(url, status, json)
        : !PAID.includes(answered as string)
          ? failure(`verify_${(typeof answered === 'string' ? answered : 'no status').replace(/\W/g, '_')}`, typeof json.message === 'string' ? json.message : `${url} answered "${answered}", not "paid".`)
          : typeof amount !== 'number'
            ? failure('invalid_answer', `${url} answered ${answered} without an amount.`)
            : undefined;
    if (refused) return { ...refused, verification: json };
    return { status: answered, amount, payMethod: typeof payMethod === 'string' ? payMethod : '', verification: json };
  });

/** What PortOne said is a failure (stage `payment`), or a claim that the verify endpoint settles. */
async function verify(element: V2Element, host: V2Host, answer: Answer, via: Via, current: () => boolean, signal: AbortSignal): Promise<void> {
  const { paymentId, txId } = answer;
  if (answer.code || !paymentId) {
    unverified.delete(element);
    return void (current() && host.settle({ stage: 'payment', code: 'payment_failed', message: 'PortOne answered without the paymentId.', ...answer, retryable: false, via }));
  }
  host.state('verifying');
  const verified = await verifyAt(host, element.verifyUrl || '/payments/complete', { paymentId, txId }, signal);
  if (!current()) return;
  if ('code' in verified) {
    if (verified.retryable) unverified.set(element, { answer, via });
    else unverified.delete(element);
    return host.settle({ stage: 'verify', ...verified, ...answer, via });
  }
  unverified.delete(element);
  const { verification } = verified as { verification: Detail };
  // A landing may carry no txId: the verify answer names the attempt that paid.
  host.settle({
    ...answer,
    ...verified,
    via,
    txId: answer.txId ?? (typeof verification.txId === 'string' ? verification.txId : ''),
    currency: typeof verification.currency === 'string' ? verification.currency : '',
  });
}

/** One attempt of a V2 element: a new payment, a landing to verify, or a verification to retry. */
export async function run(element: V2Element, host: V2Host, current: () => boolean, signal: AbortSignal, landing?: Record<string, string>): Promise<void> {
  const fail = (detail: Detail) => current() && host.settle(detail);
  if (landing) return verify(element, host, readPaymentAnswer(landing), 'redirect', current, signal);
  const again = unverified.get(element);
  if (again) return verify(element, host, again.answer, again.via, current, signal);
  const config = parse(element, host);
  if (typeof config === 'string') return void fail({ stage: 'config', code: 'invalid_attribute', message: config, retryable: false });
  const { prepareUrl, request, items, sdkSrc, order } = config;
  // `loading` only when there is something to wait for: a warm element goes straight to `paying`.
  if (prepareUrl || !currentPortOne()) host.state('loading');
  const load = sdk(element, sdkSrc);
  load.catch(() => {});
  if (prepareUrl) {
    const prepared = await prepare(host, prepareUrl, { ...order, paymentId: request.paymentId, items }, signal);
    if (!current()) return;
    if ('retryable' in prepared) return void fail({ stage: 'prepare', ...prepared });
    // Pay what the server answered, in the currency's minor unit, exactly.
    const { paymentId, amount, currency = request.currency as string } = prepared as { paymentId: string; amount: number; currency?: string };
    const totalAmount = minorUnits(amount, currencyDigits(currency) ?? NaN);
    if (totalAmount == null) {
      return void fail({ stage: 'prepare', code: 'invalid_answer', message: `prepare-url answered ${amount} ${currency}: not a whole number of ${currency}'s minor unit.`, retryable: false });
    }
    Object.assign(request, { paymentId, totalAmount, currency });
  }
  const paymentId = (request.paymentId ??= generatePaymentId()) as string;
  request.redirectUrl ??= withoutLanding(location.href);
  let PortOne;
  try {
    // Warm (the usual case): no await at all, so requestPayment is called inside the click.
    PortOne = currentPortOne() ?? (await load);
  } catch (failure) {
    return void fail({ ...(failure as Detail), paymentId });
  }
  if (!current()) return;
  const focused = element.matches(':focus-within');
  // Called now, inside the click; a throw or a rejection is PortOne's failure to pay, not the verifier's.
  const response = new Promise<Detail | undefined>((resolve) => resolve(PortOne.requestPayment(request)));
  // After the call, not before: the click opens the window first. A page leaving for the PG does so only after
  // this task, and a page's first sessionStorage access can take milliseconds.
  host.state('paying');
  try {
    sessionStorage.setItem(PAYER + paymentId, placeOf(element));
  } catch {
    // Storage blocked: the landing goes to the first V2 element, as without this.
  }
  const fields = await response.then(
    (r) => (r === undefined || (typeof r === 'object' && r) ? r : {}),
    (error) => ({ code: error?.code || 'payment_failed', message: String(error?.message ?? error) }),
  );
  // Without an answer: the page is being redirected, and its landing will say the rest.
  if (!fields) return;
  // The window has closed: focus goes back to the button if it was here when the payment started or has fallen to <body>.
  if (focused || document.activeElement === document.body) element.focus();
  if (current()) await verify(element, host, { paymentId, ...readPaymentAnswer(fields) }, 'callback', current, signal);
}
