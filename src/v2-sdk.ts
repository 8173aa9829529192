/**
 * browser-sdk.js for the V2 chunk: the V2 copy of the bundle's sdk.ts (see v2.ts on why the chunk copies rather than
 * imports), loaded at most once per page per URL: a usable `window.PortOne` already there is used as it is; a
 * matching `<script>` already in the page is waited for (so two copies of the chunk on one page share a single
 * load); else one tag is added (with the CSP nonce). A tag marks that it has loaded. A load that fails or times out
 * removes its tag and is forgotten, so the next click tries again.
 */

/** `window.PortOne`: `requestPayment` resolves with the response, or undefined when the page is being redirected. */
export interface PortOneSdk {
  requestPayment(request: Record<string, unknown>): Promise<Record<string, unknown> | undefined>;
}

/** A failed load, as the element reports it (stage `sdk`, retryable). */
export interface SdkFailure {
  stage: 'sdk';
  code: 'sdk_timeout' | 'sdk_error' | 'sdk_no_portone';
  message: string;
  retryable: true;
}

/** The bundle's mark of a loaded tag, the same (a tag loaded by either is loaded). */
const LOADED = 'data-portone-checkout-loaded';
const loads = new Map<string, Promise<PortOneSdk>>();

/** `window.PortOne` when browser-sdk.js (or a page's own copy) is there and usable. */
export function currentPortOne(): PortOneSdk | undefined {
  const { PortOne } = window as { PortOne?: PortOneSdk };
  return typeof PortOne?.requestPayment === 'function' ? PortOne : undefined;
}

/** `url` is absolute, as `script.src` reads back; `nonce` the element's, else the page's. Rejects with an `SdkFailure`. */
export function loadPortOne(url: string, timeoutMs: number, nonce: string | undefined): Promise<PortOneSdk> {
  const existing = currentPortOne();
  if (existing) return Promise.resolve(existing);
  let load = loads.get(url);
  if (!load) {
    let tag = [...document.scripts].find((s) => s.src === url);
    if (tag?.hasAttribute(LOADED)) {
      // Loaded by another copy, yet no PortOne now: it was removed; load it again.
      tag.remove();
      tag = undefined;
    }
    if (!tag) {
      tag = document.createElement('script');
      tag.src = url;
      nonce ||= [...document.scripts].find((script) => script.nonce)?.nonce;
      if (nonce) tag.nonce = nonce;
      document.head.append(tag);
    }
    const script = tag;
    load = new Promise((resolve, reject) => {
      // The first of load, error and the timeout settles the promise.
      const settle = (code?: SdkFailure['code'], why?: string) => {
        clearTimeout(timer);
        const sdk = currentPortOne();
        if (!code && sdk) {
          script.setAttribute(LOADED, '');
          return resolve(sdk);
        }
        script.remove();
        reject({ stage: 'sdk', code: code ?? 'sdk_no_portone', message: `PortOne's SDK did not load from ${url}: ${why ?? 'it defined no window.PortOne'}.`, retryable: true } satisfies SdkFailure);
      };
      const timer = setTimeout(() => settle('sdk_timeout', `no answer within ${timeoutMs} ms`), timeoutMs);
      script.addEventListener('load', () => settle());
      script.addEventListener('error', () => settle('sdk_error', 'blocked (ad blocker, CSP) or not found'));
    });
    loads.set(url, load);
    // Shared only while in flight: once loaded, window.PortOne is the answer, and if the page removes it, it loads again.
    const forget = () => loads.delete(url);
    load.then(forget, forget);
  }
  return load;
}
