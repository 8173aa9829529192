/**
 * Mobile redirect landings: PortOne sends the buyer back to `m_redirect_url` with `imp_uid`, `merchant_uid`
 * and maybe `imp_success` / `success` / `error_code` / `error_msg`. Exactly one element claims a landing (the
 * one whose `merchant-uid` matches, else the one that started the payment, else the first connected); the
 * parameters leave the address bar at once, so a reload does not verify again, while the other query
 * parameters stay.
 */

const LANDING_KEYS = ['imp_uid', 'merchant_uid', 'imp_success', 'success', 'error_code', 'error_coe', 'error_msg'];
/** Shared by every copy of this bundle on the page: the landing claimed last, so that the same one is never claimed twice. */
const CLAIMED = Symbol.for('portone-checkout.landing-claimed');
const key = (fields: LandingFields) => `${fields.imp_uid} ${fields.merchant_uid}`;

export type LandingFields = Record<string, string>;

/** The landing parameters of `url`, or null when it is not a landing. */
export function readLanding(url: URL): LandingFields | null {
  if (!url.searchParams.has('imp_uid') && !url.searchParams.has('merchant_uid')) return null;
  const fields: LandingFields = {};
  for (const key of LANDING_KEYS) {
    const value = url.searchParams.get(key);
    if (value !== null) fields[key] = value;
  }
  return fields;
}

/** `url` without the landing parameters (its other query parameters and hash kept). */
export function withoutLanding(url: URL): URL {
  const clean = new URL(url.href);
  // Drop whole raw pairs: searchParams.delete() would re-encode the pairs that stay (`%20` → `+`, `/` → `%2F`, `a` → `a=`).
  clean.search = clean.search.slice(1).split('&').filter((pair) => !LANDING_KEYS.includes(pair.split('=')[0])).join('&');
  return clean;
}

export interface LandingCandidate extends Element {
  readonly merchantUid: string | null;
  claimLanding(fields: LandingFields): void;
}

/** Where the page remembers which element started a payment, across the trip to the PG and back. */
const PAYER = 'portone-checkout:payer:';

/** The element's place on the page: its id, else its position among the page's <portone-checkout>s. */
function placeOf(element: Element): string {
  return element.id ? `#${element.id}` : String([...document.querySelectorAll(element.localName)].indexOf(element));
}

/**
 * Remember that `element` is paying `merchantUid`: with `prepare-url` the server names the order, so no
 * element's `merchant-uid` can match the landing, and this is how the right one claims it on return.
 */
export function rememberPayer(merchantUid: string, element: Element): void {
  try {
    sessionStorage.setItem(PAYER + merchantUid, placeOf(element));
  } catch {
    // Storage blocked: the landing goes to the first element, as without this.
  }
}

function rememberedPayer(merchantUid: string | undefined): string | null {
  try {
    return merchantUid ? sessionStorage.getItem(PAYER + merchantUid) : null;
  } catch {
    return null;
  }
}

const candidates: LandingCandidate[] = [];
let scheduled = false;

/**
 * Offer an element the page's landing, if there is one. The choice waits one microtask so that every element
 * upgraded in the same pass (the whole page, when the bundle loads after the HTML) can be weighed.
 */
export function offerLanding(candidate: LandingCandidate): void {
  const w = window as unknown as Record<symbol, string>;
  const landing = readLanding(new URL(location.href));
  if (!landing || w[CLAIMED] === key(landing)) return;
  candidates.push(candidate);
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    const connected = candidates.splice(0).filter((c) => c.isConnected);
    const url = new URL(location.href);
    const fields = readLanding(url);
    if (!fields || w[CLAIMED] === key(fields) || connected.length === 0) return;
    const payer = rememberedPayer(fields.merchant_uid);
    const chosen =
      connected.find((c) => c.merchantUid !== null && c.merchantUid === fields.merchant_uid) ??
      connected.find((c) => placeOf(c) === payer) ??
      connected[0];
    w[CLAIMED] = key(fields);
    history.replaceState(history.state, '', withoutLanding(url).href);
    chosen.claimLanding(fields);
  });
}
