/**
 * PortOne's browser SDK (iamport.js in V1, browser-sdk.js in V2), loaded at most once per page per URL: a usable
 * global (`window.IMP`, `window.PortOne`) already there is used as it is; a matching `<script>` already in the page
 * is waited for (so two copies of this bundle on one page share a single load); else one tag is added (with the CSP
 * nonce). A tag marks that it has loaded. A load that fails or times out removes its tag and is forgotten, so the
 * next click tries again.
 */
export interface Iamport {
  init(merchant: string): void;
  request_pay(params: Record<string, unknown>, callback?: (rsp: Record<string, unknown>) => void): void;
}

/** V2's `window.PortOne`: `requestPayment` resolves with the response, or undefined when the page is being redirected. */
export interface PortOneSdk {
  requestPayment(request: Record<string, unknown>): Promise<Record<string, unknown> | undefined>;
}

/** The SDK's global, by version. */
export interface Sdks {
  IMP: Iamport;
  PortOne: PortOneSdk;
}
export type SdkGlobal = keyof Sdks;

/** A failed load, as the element reports it (stage `sdk`, retryable). */
export interface SdkFailure {
  stage: 'sdk';
  code: 'sdk_timeout' | 'sdk_error' | 'sdk_no_imp' | 'sdk_no_portone';
  message: string;
  retryable: true;
}

const LOADED = 'data-portone-checkout-loaded';
const loads = new Map<string, Promise<unknown>>();

/** `window.IMP` / `window.PortOne` when the SDK (or a page's own copy) is there and usable: it has its pay function. */
export function currentSdk<G extends SdkGlobal>(global: G): Sdks[G] | undefined {
  const sdk = (window as unknown as Record<string, Record<string, unknown> | undefined>)[global];
  return typeof sdk?.[global === 'IMP' ? 'request_pay' : 'requestPayment'] === 'function' ? (sdk as unknown as Sdks[G]) : undefined;
}

function waitFor<G extends SdkGlobal>(tag: HTMLScriptElement, src: string, timeoutMs: number, global: G): Promise<Sdks[G]> {
  return new Promise((resolve, reject) => {
    // The first of load, error and the timeout settles the promise (a later one changes nothing that matters: a
    // script that still runs after its tag was removed only marks that detached tag).
    const settle = (code?: SdkFailure['code'], why?: string) => {
      clearTimeout(timer);
      const sdk = currentSdk(global);
      if (!code && sdk) {
        tag.setAttribute(LOADED, '');
        return resolve(sdk);
      }
      tag.remove();
      reject({
        stage: 'sdk',
        code: code ?? `sdk_no_${global === 'IMP' ? 'imp' : 'portone'}`,
        message: `PortOne's SDK did not load from ${src}: ${why ?? `it defined no window.${global}`}.`,
        retryable: true,
      } satisfies SdkFailure);
    };
    const timer = setTimeout(() => settle('sdk_timeout', `no answer within ${timeoutMs} ms`), timeoutMs);
    tag.addEventListener('load', () => settle());
    tag.addEventListener('error', () => settle('sdk_error', 'blocked (ad blocker, CSP) or not found'));
  });
}

/** `url` is absolute, as `script.src` reads back; `global` is what it defines. Rejects with an `SdkFailure`. */
export function loadSdk<G extends SdkGlobal>(url: string, timeoutMs: number, nonce: string | undefined, global: G): Promise<Sdks[G]> {
  const existing = currentSdk(global);
  if (existing) return Promise.resolve(existing);
  let load = loads.get(url) as Promise<Sdks[G]> | undefined;
  if (!load) {
    let tag = [...document.scripts].find((s) => s.src === url);
    if (tag?.hasAttribute(LOADED)) {
      // Loaded by another copy of this bundle, yet no SDK now: it was removed; load it again.
      tag.remove();
      tag = undefined;
    }
    if (!tag) {
      tag = document.createElement('script');
      tag.src = url;
      if (nonce) tag.nonce = nonce;
      document.head.append(tag);
    }
    load = waitFor(tag, url, timeoutMs, global);
    loads.set(url, load);
    // Shared only while in flight: once loaded, the global is the answer, and if the page removes it, it loads again.
    const forget = () => loads.delete(url);
    load.then(forget, forget);
  }
  return load;
}

/**
 * The page's CSP nonce, as the loader's or any other nonced script carries it. Read from the `nonce`
 * property: browsers hide the attribute, and scripts added by script (like the loader's module) have none.
 */
export function pageNonce(): string | undefined {
  for (const script of document.scripts) if (script.nonce) return script.nonce;
}
