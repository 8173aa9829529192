/**
 * iamport.js, loaded at most once per page per URL: a `window.IMP` already there is used as it is; a
 * matching `<script>` already in the page is waited for (so two copies of this bundle on one page share a
 * single load); else one tag is added (with the CSP nonce). A tag marks that it has loaded. A load that fails
 * or times out removes its tag and is forgotten, so the next click tries again.
 */
export interface Iamport {
  init(merchant: string): void;
  request_pay(params: Record<string, unknown>, callback?: (rsp: Record<string, unknown>) => void): void;
}

/** A failed load, as the element reports it (stage `sdk`, retryable). */
export interface SdkFailure {
  stage: 'sdk';
  code: 'sdk_timeout' | 'sdk_error' | 'sdk_no_imp';
  message: string;
  retryable: true;
}

const LOADED = 'data-portone-checkout-loaded';
const loads = new Map<string, Promise<Iamport>>();

/** `window.IMP` when iamport.js (or a page's own copy) is there and usable. */
export const currentImp = (): Iamport | undefined => {
  const { IMP } = window as { IMP?: Iamport };
  return typeof IMP?.request_pay === 'function' ? IMP : undefined;
};

/** `url` is absolute, as `script.src` reads back. Rejects with an `SdkFailure`. */
export function loadSdk(url: string, timeoutMs: number, nonce: string | undefined): Promise<Iamport> {
  const existing = currentImp();
  if (existing) return Promise.resolve(existing);
  let load = loads.get(url);
  if (!load) {
    let tag = [...document.scripts].find((s) => s.src === url);
    if (tag?.hasAttribute(LOADED)) {
      // Loaded by another copy of this bundle, yet no IMP now: it was removed; load it again.
      tag.remove();
      tag = undefined;
    }
    if (!tag) {
      tag = document.createElement('script');
      tag.src = url;
      if (nonce) tag.nonce = nonce;
      document.head.append(tag);
    }
    const script = tag;
    load = new Promise((resolve, reject) => {
      // The first of load, error and the timeout settles the promise (a later one changes nothing that matters: a
      // script that still runs after its tag was removed only marks that detached tag).
      const settle = (code?: SdkFailure['code'], why?: string) => {
        clearTimeout(timer);
        const imp = currentImp();
        if (!code && imp) {
          script.setAttribute(LOADED, '');
          return resolve(imp);
        }
        script.remove();
        reject({ stage: 'sdk', code: code ?? 'sdk_no_imp', message: `iamport.js did not load from ${url}: ${why ?? 'it defined no window.IMP'}.`, retryable: true } satisfies SdkFailure);
      };
      const timer = setTimeout(() => settle('sdk_timeout', `no answer within ${timeoutMs} ms`), timeoutMs);
      script.addEventListener('load', () => settle());
      script.addEventListener('error', () => settle('sdk_error', 'blocked (ad blocker, CSP) or not found'));
    });
    loads.set(url, load);
    // Shared only while in flight: once loaded, window.IMP is the answer, and if the page removes it, it loads again.
    const forget = () => loads.delete(url);
    load.then(forget, forget);
  }
  return load;
}

/**
 * The page's CSP nonce, as the loader's or any other nonced script carries it. Read from the `nonce`
 * property: browsers hide the attribute, and scripts added by script (like the loader's module) have none.
 */
export const pageNonce = (): string | undefined => [...document.scripts].find((script) => script.nonce)?.nonce;
