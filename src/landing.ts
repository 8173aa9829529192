/**
 * Mobile redirect landings. V1: PortOne sends the buyer back to `m_redirect_url` with `imp_uid`, `merchant_uid` and
 * maybe `imp_success` / `success` / `error_code` / `error_msg`. V2: to `redirectUrl` with `paymentId` and maybe
 * `txId`, `code`, `message`, `pgCode`, `pgMessage`. Exactly one element of the landing's version claims it (the one
 * whose `merchant-uid` / `payment-id` matches, else the one that started the payment, else the first connected);
 * the parameters leave the address bar at once, so a reload does not verify again, while the other query
 * parameters stay.
 */
import { usesV2 } from './attributes.js';

/** Each version's landing parameters: the order id first, the attempt's id second. */
export const V1_LANDING = ['merchant_uid', 'imp_uid', 'imp_success', 'success', 'error_code', 'error_coe', 'error_msg'];
export const V2_LANDING = ['paymentId', 'txId', 'code', 'message', 'pgCode', 'pgMessage'];
/** Shared by every copy of this bundle on the page: the landing claimed last, so that the same one is never claimed twice. */
const CLAIMED = Symbol.for('portone-checkout.landing-claimed');

export type LandingFields = Record<string, string>;

/** `href` without `keys` (a version's landing parameters; its other query parameters and hash kept). */
export function withoutLanding(href: string, keys = V1_LANDING): string {
  const clean = new URL(href);
  // Drop whole raw pairs: searchParams.delete() would re-encode the pairs that stay (`%20` → `+`, `/` → `%2F`, `a` → `a=`).
  clean.search = clean.search.slice(1).split('&').filter((pair) => !keys.includes(pair.split('=')[0])).join('&');
  return clean.href;
}

export interface LandingCandidate extends Element {
  readonly merchantUid: string | null;
  readonly paymentId: string | null;
  readonly storeId: string | null;
  claimLanding(fields: LandingFields): void;
}

/** Where the page remembers which element started a payment, across the trip to the PG and back. */
const PAYER = 'portone-checkout:payer:';

/** The element's place on the page: its id, else its position among the page's <portone-checkout>s. */
const placeOf = (element: Element) => (element.id ? `#${element.id}` : String([...document.querySelectorAll(element.localName)].indexOf(element)));

/**
 * Remember that `element` is paying the order `id`: with `prepare-url` the server names the order, so no element's
 * `merchant-uid` / `payment-id` can match the landing, and this is how the right one claims it on return.
 */
export function rememberPayer(id: string, element: Element): void {
  try {
    sessionStorage.setItem(PAYER + id, placeOf(element));
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
    const connected = candidates.splice(0).filter((c) => c.isConnected);
    const w = window as unknown as Record<symbol, string>;
    for (const keys of [V1_LANDING, V2_LANDING]) {
      const v2 = keys === V2_LANDING;
      const { searchParams, href } = new URL(location.href);
      const fields: LandingFields = {};
      for (const key of keys) if (searchParams.has(key)) fields[key] = searchParams.get(key)!;
      const [order, attempt] = keys.map((key) => fields[key]);
      const claim = `${attempt} ${order}`;
      // Only an element of the landing's version can read it (and its verify-url speak that version's protocol).
      const mine = connected.filter((c) => usesV2(c) === v2);
      // V1: `imp_uid` and/or `merchant_uid`; V2: `paymentId`.
      if ((v2 ? order : (attempt ?? order)) == null || w[CLAIMED] === claim || !mine[0]) continue;
      let payer: string | null = null;
      try {
        payer = sessionStorage.getItem(PAYER + order);
      } catch {
        // Storage blocked: as if nobody was remembered.
      }
      const chosen =
        // (`merchantUid` / `paymentId` is a string or null, never equal to an absent order id.)
        mine.find((c) => (v2 ? c.paymentId : c.merchantUid) === order) ??
        mine.find((c) => placeOf(c) === payer) ??
        mine[0];
      w[CLAIMED] = claim;
      history.replaceState(history.state, '', withoutLanding(href, keys));
      chosen.claimLanding(fields);
    }
  });
}
