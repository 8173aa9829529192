/**
 * iamport.js, loaded at most once per page per URL: a `window.IMP` already there is used as it is; a
 * matching `<script>` already in the page is waited for; else one tag is added (with the CSP nonce). The
 * tag carries the load's state, so two copies of this bundle on one page share a single load. A load that
 * fails or times out removes its tag and is forgotten, so the next click tries again.
 */
export interface Iamport {
  init(merchant: string): void;
  request_pay(params: Record<string, unknown>, callback?: (rsp: Record<string, unknown>) => void): void;
}

export type SdkErrorCode = 'sdk_timeout' | 'sdk_error' | 'sdk_no_imp';

export class SdkError extends Error {
  constructor(
    readonly code: SdkErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const STATE = 'data-portone-checkout';
const loads = new Map<string, Promise<Iamport>>();

/** `window.IMP` when iamport.js (or a page's own copy) is there and usable. */
export function currentImp(): Iamport | undefined {
  const imp = (window as { IMP?: Iamport }).IMP;
  return imp && typeof imp.request_pay === 'function' ? imp : undefined;
}

function findTag(src: string): HTMLScriptElement | undefined {
  return [...document.scripts].find((s) => s.src === src && s.getAttribute(STATE) !== 'failed');
}

function waitFor(tag: HTMLScriptElement, src: string, timeoutMs: number): Promise<Iamport> {
  return new Promise((resolve, reject) => {
    const fail = (code: SdkErrorCode, why: string) => {
      done();
      tag.setAttribute(STATE, 'failed');
      tag.remove();
      reject(new SdkError(code, `Failed to load iamport.js from ${src}: ${why}`));
    };
    const onLoad = () => {
      const imp = currentImp();
      if (!imp) return fail('sdk_no_imp', 'the script loaded but defined no window.IMP. Check that sdk-src points at iamport.js.');
      done();
      tag.setAttribute(STATE, 'loaded');
      resolve(imp);
    };
    const onError = () => fail('sdk_error', 'the script did not load (blocked by an ad blocker or the Content-Security-Policy, or not found). See the Network and Console panels in DevTools.');
    const timer = setTimeout(() => fail('sdk_timeout', `no answer within ${timeoutMs} ms.`), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      tag.removeEventListener('load', onLoad);
      tag.removeEventListener('error', onError);
    };
    tag.addEventListener('load', onLoad);
    tag.addEventListener('error', onError);
  });
}

/** Resolve `src` against the page, as `script.src` will read back. */
export function absoluteSdkUrl(src: string): string {
  return new URL(src, document.baseURI).href;
}

export function loadSdk(src: string, { timeoutMs, nonce }: { timeoutMs: number; nonce?: string }): Promise<Iamport> {
  const existing = currentImp();
  if (existing) return Promise.resolve(existing);
  const url = absoluteSdkUrl(src);
  let load = loads.get(url);
  if (!load) {
    let tag = findTag(url);
    if (tag?.getAttribute(STATE) === 'loaded') {
      // Loaded by another copy of this bundle, yet no IMP now: it was removed; load it again.
      tag.remove();
      tag = undefined;
    }
    if (!tag) {
      tag = document.createElement('script');
      tag.src = url;
      tag.async = true;
      if (nonce) tag.nonce = nonce;
      tag.setAttribute(STATE, 'loading');
      document.head.append(tag);
    }
    load = waitFor(tag, url, timeoutMs);
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
export function pageNonce(): string | undefined {
  for (const script of document.scripts) if (script.nonce) return script.nonce;
  return undefined;
}
