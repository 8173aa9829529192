// Helpers for the <portone-checkout> tests: make elements from attribute tables, observe what the real
// (sandbox) iamport.js was asked without replacing it, read what the page's merchant endpoints (the reference
// verifier, the fault endpoints) received, and wait for the element's own signals (events, the reflected `state`)
// instead of sleeping.
import { oneEvent } from '@open-wc/testing';
import type { PaymentFailureDetailV1 as PaymentFailureDetail, PaymentSuccessDetailV1 as PaymentSuccessDetail } from '../../src/events.js';
import type { PortoneCheckoutElement } from '../../src/portone-checkout-element.js';
import '../../src/index.js';
import { queueScript, sandboxUrl, type Script, uniqueMerchantUid } from './sandbox.js';
import { storeOrder, VERIFY_URL } from './verifier.js';

export const SDK_URL = `${sandboxUrl}/iamport.js`;
export const MERCHANT = 'imp12345678';
export const USER_CANCEL_MSG = '[결제포기] 사용자가 결제를 취소하셨습니다';

export type Attributes = Record<string, string | true>;

const made: HTMLElement[] = [];

/** A new element with these attributes, not yet in the page (listeners can be added before it connects). */
export function create(attributes: Attributes = {}): PortoneCheckoutElement {
  const el = document.createElement('portone-checkout');
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value === true ? '' : value);
  made.push(el);
  return el;
}

/** create() and put it in the page. */
export function mount(attributes: Attributes = {}): PortoneCheckoutElement {
  const el = create(attributes);
  document.body.append(el);
  return el;
}

/**
 * Valid attributes paying through the sandbox SDK and verifying at the reference verifier, with a fresh
 * merchant-uid (that the verifier knows only once `withOrder` stored it).
 */
export function valid(extra: Attributes = {}): Attributes {
  return { merchant: MERCHANT, amount: '14000', name: '노르웨이 회전 의자', 'merchant-uid': uniqueMerchantUid('el'), 'sdk-src': SDK_URL, 'verify-url': VERIFY_URL, ...extra };
}

/** Remove what create() made and close any payment window left open. */
export function cleanup(): void {
  for (const el of made.splice(0)) el.remove();
  window.IMP?.close();
}

export function button(el: PortoneCheckoutElement): HTMLButtonElement {
  return el.shadowRoot!.querySelector('button')!;
}

export function liveRegion(el: PortoneCheckoutElement): HTMLElement {
  return el.shadowRoot!.querySelector<HTMLElement>('[role="status"]')!;
}

export function click(el: PortoneCheckoutElement): void {
  button(el).click();
}

export async function failureOf(el: EventTarget): Promise<PaymentFailureDetail> {
  return (await oneEvent(el, 'payment-failure')).detail as PaymentFailureDetail;
}

export async function successOf(el: EventTarget): Promise<PaymentSuccessDetail> {
  return (await oneEvent(el, 'payment-success')).detail as PaymentSuccessDetail;
}

/** Click and wait for the failure event. */
export function clickToFail(el: PortoneCheckoutElement): Promise<PaymentFailureDetail> {
  const failure = failureOf(el);
  click(el);
  return failure;
}

/** Click and wait for the success event; a failure event rejects with its detail, so the test says why. */
export function clickToSucceed(el: PortoneCheckoutElement): Promise<PaymentSuccessDetail> {
  return new Promise((resolve, reject) => {
    const failed = (e: Event) => reject(new Error(`payment-failure instead: ${JSON.stringify((e as CustomEvent).detail)}`));
    el.addEventListener('payment-failure', failed, { once: true });
    el.addEventListener('payment-success', (e) => (el.removeEventListener('payment-failure', failed), resolve((e as CustomEvent<PaymentSuccessDetail>).detail)), { once: true });
    click(el);
  });
}

/** Every payment-success / payment-failure that reaches `target` from now on. */
export function recordEvents(target: EventTarget = document): { type: string; detail: unknown; target: EventTarget | null }[] {
  const seen: { type: string; detail: unknown; target: EventTarget | null }[] = [];
  for (const type of ['payment-success', 'payment-failure']) target.addEventListener(type, (e) => seen.push({ type, detail: (e as CustomEvent).detail, target: e.composedPath()[0] ?? null }));
  return seen;
}

/** Resolves when the element reflects `state` (now or later). */
export function stateReached(el: PortoneCheckoutElement, state: string): Promise<void> {
  return new Promise((resolve) => {
    if (el.getAttribute('state') === state) return resolve();
    const observer = new MutationObserver(() => {
      if (el.getAttribute('state') !== state) return;
      observer.disconnect();
      resolve();
    });
    observer.observe(el, { attributes: true, attributeFilter: ['state'] });
  });
}

/**
 * The values the `state` attribute takes from now on, in order (consecutive repeats folded: the element may
 * re-reflect the same state). Records are batched, so each value is read from the next record's oldValue.
 */
export function recordStates(el: PortoneCheckoutElement): () => string[] {
  const olds: (string | null)[] = [];
  new MutationObserver((records) => records.forEach((r) => olds.push(r.oldValue))).observe(el, { attributes: true, attributeFilter: ['state'], attributeOldValue: true });
  return () => {
    const values = [...olds.slice(1), el.getAttribute('state')];
    const start = olds[0];
    return values.filter((v, i) => v !== (i === 0 ? start : values[i - 1])) as string[];
  };
}

/** One macrotask: everything already queued (microtasks, the landing claim, settled fetch callbacks) has run. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * After the idle callbacks registered before this call (the element's SDK warm-up) have run. WebKit (Safari) has no
 * requestIdleCallback: there the element warms up on a 200 ms timer, and a timer of the same delay set later runs after it.
 */
export async function afterIdle(): Promise<void> {
  if (!('requestIdleCallback' in window)) return new Promise((resolve) => setTimeout(resolve, 200));
  for (let i = 0; i < 2; i++) await new Promise((resolve) => requestIdleCallback(resolve, { timeout: 3000 }));
}

/** What the page's merchant endpoints (the verifier under /__verifier/, the faults under /__test/) received, oldest first. */
export interface Received {
  path: string;
  query: string;
  body: Record<string, unknown>;
}

export async function endpointCalls(): Promise<Received[]> {
  return (await fetch('/__test/calls')).json();
}

export async function clearEndpointCalls(): Promise<void> {
  await fetch('/__test/calls', { method: 'DELETE' });
}

export interface RequestPaySpy {
  /** request_pay's first argument, as the element passed it, one entry per call. */
  calls: Record<string, unknown>[];
  restore(): void;
}

/**
 * Record every IMP.request_pay call and pass it on to the real sandbox SDK unchanged. With `script`, first queue
 * that window choice for the call's own merchant_uid (which the test may not know: generated or prepared). With
 * `storeOrder`, first store that order at the verifier too, at the call's amount and currency (a merchant_uid the
 * element generated: a server that learns of its orders some other way).
 */
export function spyRequestPay(script?: Omit<Script, 'merchant_uid'>, { storeOrder: store = false } = {}): RequestPaySpy {
  const IMP = window.IMP;
  if (!IMP) throw new Error('spyRequestPay: load the SDK first');
  const real = IMP.request_pay;
  const calls: Record<string, unknown>[] = [];
  IMP.request_pay = function (params, callback) {
    calls.push(structuredClone(params ?? {}));
    if (!script && !store) return real.call(IMP, params, callback);
    const merchant_uid = String(params?.merchant_uid);
    void (async () => {
      if (store) await storeOrder({ merchant_uid, amount: Number(params?.amount), currency: String(params?.currency ?? 'KRW') });
      if (script) await queueScript({ ...script, merchant_uid });
      real.call(IMP, params, callback);
    })();
  };
  return { calls, restore: () => void (IMP.request_pay = real) };
}

/** Make the sandbox SDK present (window.IMP), loading it through an element the way a page would. */
export async function sdkReady(): Promise<void> {
  if (window.IMP) return;
  forgetSdk(); // a tag left from an IMP that was since removed would be waited for in vain
  const el = mount(valid());
  const tag = await scriptTag(SDK_URL);
  if (!window.IMP) await new Promise((resolve, reject) => (tag.addEventListener('load', resolve), tag.addEventListener('error', reject)));
  el.remove();
}

/** Forget every iamport.js: no window.IMP, no SDK script tag (so the next element has to load its own). */
export function forgetSdk(): void {
  delete window.IMP;
  for (const s of [...document.scripts]) if (/iamport\.js|\/__test\/sdk\//.test(s.src)) s.remove();
}

/** The <script> with this src, now or once something adds it. */
export function scriptTag(src: string): Promise<HTMLScriptElement> {
  const find = () => [...document.scripts].find((s) => s.src === src);
  return new Promise((resolve) => {
    const found = find();
    if (found) return resolve(found);
    const observer = new MutationObserver(() => {
      const tag = find();
      if (!tag) return;
      observer.disconnect();
      resolve(tag);
    });
    observer.observe(document, { childList: true, subtree: true });
  });
}

/** How many times the page requested this URL (Resource Timing). */
export function requestsFor(url: string): number {
  return performance.getEntriesByType('resource').filter((e) => e.name === url).length;
}

/** A sandbox SDK URL no other test has used (so its requests can be counted). */
export function uniqueSdkUrl(): string {
  return `${SDK_URL}?n=${uniqueMerchantUid('sdk')}`;
}

// Keep every resource entry: the tests count requests by URL.
performance.setResourceTimingBufferSize(10_000);
