/**
 * Mobile redirect landings: PortOne sends the buyer back to `m_redirect_url` with `imp_uid`, `merchant_uid`
 * and maybe `imp_success` / `success` / `error_code` / `error_msg`. Exactly one element claims a landing (the
 * one whose `merchant-uid` matches, else the one that started the payment, else the first connected); the
 * parameters leave the address bar at once, so a reload does not verify again, while the other query
 * parameters stay. Only a V1 element claims one: a V2 element's landing (`paymentId`) is its chunk's, v2.ts.
 */
import { usesV2 } from './attributes.js';

const LANDING_KEYS = ['imp_uid', 'merchant_uid', 'imp_success', 'success', 'error_code', 'error_coe', 'error_msg'];
/** Shared by every copy of this bundle on the page: the landing claimed last, so that the same one is never claimed twice. */
const CLAIMED = Symbol.for('portone-checkout.landing-claimed');

export type LandingFields = Record<string, string>;

/** `href` without the landing parameters (its other query parameters and hash kept). */
export function withoutLanding(href: string): string {
  const clean = new URL(href);
  // Drop whole raw pairs: searchParams.delete() would re-encode the pairs that stay (`%20` → `+`, `/` → `%2F`, `a` → `a=`).
  clean.search = clean.search.slice(1).split('&').filter((pair) => !LANDING_KEYS.includes(pair.split('=')[0])).join('&');
  return clean.href;
}

export interface LandingCandidate extends Element {
  readonly merchantUid: string | null;
  /** An element with `store-id` pays through V2: its landings are the V2 chunk's (v2.ts), never this module's. */
  readonly storeId: string | null;
  claimLanding(fields: LandingFields): void;
}

/** Where the page remembers which element started a payment, across the trip to the PG and back. */
const PAYER = 'portone-checkout:payer:';

/** The element's place on the page: its id, else its position among the page's <portone-checkout>s. */
const placeOf = (element: Element) => (element.id ? `#${element.id}` : String([...document.querySelectorAll(element.localName)].indexOf(element)));

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

const candidates: LandingCandidate[] = [];

/**
 * Offer an element the page's landing, if there is one. The choice waits one microtask so that every element
 * upgraded in the same pass (the whole page, when the bundle loads after the HTML) can be weighed.
 */
export function offerLanding(candidate: LandingCandidate): void {
  if (candidates.push(candidate) > 1) return;
  queueMicrotask(() => {
    const connected = candidates.splice(0).filter((c) => c.isConnected && !usesV2(c));
    const { searchParams, href } = new URL(location.href);
    const w = window as unknown as Record<symbol, string>;
    const fields: LandingFields = {};
    for (const key of LANDING_KEYS) if (searchParams.has(key)) fields[key] = searchParams.get(key)!;
    const claim = `${fields.imp_uid} ${fields.merchant_uid}`;
    if ((fields.imp_uid ?? fields.merchant_uid) == null || w[CLAIMED] === claim || !connected[0]) return;
    let payer: string | null = null;
    try {
      payer = sessionStorage.getItem(PAYER + fields.merchant_uid);
    } catch {
      // Storage blocked: as if nobody was remembered.
    }
    const chosen =
      // (`merchantUid` is a string or null, never equal to an absent `merchant_uid`.)
      connected.find((c) => c.merchantUid === fields.merchant_uid) ??
      connected.find((c) => placeOf(c) === payer) ??
      connected[0];
    w[CLAIMED] = claim;
    history.replaceState(history.state, '', withoutLanding(href));
    chosen.claimLanding(fields);
  });
}
